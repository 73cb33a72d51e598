"""Removing the segment's own rotation from the accelerometer.

A sensor strapped 25 cm up the shin of a standing athlete swings with the
shank about the ankle. Its accelerometer feels gravity plus the acceleration
of that swing, which for brisk single-leg corrections (1 deg at 2-3 Hz) tilts
the measured "down" by several degrees. For a segment turning about a fixed
pivot, rigid-body kinematics gives that acceleration from the gyroscope alone:

    a = alpha x r + omega x (omega x r)

with ``omega`` the angular rate, ``alpha`` its rate of change and ``r`` the
sensor's position from the pivot, all in segment axes. Subtracting it leaves
gravity (and what the model leaves out: impacts, a moving pivot), so the AHRS
can trust its accelerometer more. ``alpha`` is the backward difference of the
gyroscope on the device clock; the chip's low-pass acts on both sensors alike,
so the difference matches the accelerometer's band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poise.samples import STANDARD_GRAVITY_MPS2


@dataclass(frozen=True)
class LeverArmSettings:
    """Where the sensor sits relative to the segment's pivot, segment axes, m.

    Args:
        shank_m: from the ankle joint: on the front of the shin, 25 cm up.
        board_m: from the board's floor contact (for a rolling dome the contact
            point is the instantaneous centre of rotation): on the deck, 7 cm up.
    """

    shank_m: tuple[float, float, float] = (0.04, 0.0, 0.25)
    board_m: tuple[float, float, float] = (0.0, 0.0, 0.07)

    def __post_init__(self) -> None:
        for name in ("shank_m", "board_m"):
            value = getattr(self, name)
            if len(value) != 3 or any(abs(float(x)) > 1.0 for x in value):
                raise ValueError(f"{name} must be three distances in metres, each under 1 m")
            object.__setattr__(self, name, tuple(float(x) for x in value))

    def for_placement(self, placement: str) -> np.ndarray:
        """The lever arm for a placement; zero (no compensation) when it is unknown."""
        if placement.endswith("_shank"):
            return np.array(self.shank_m)
        if placement == "board":
            return np.array(self.board_m)
        return np.zeros(3)


class LeverArmCompensator:
    """Subtracts the rotation-induced acceleration of the sensor, block by block.

    Args:
        lever_m: sensor position from the pivot in segment axes, m. Zero disables.

    >>> comp = LeverArmCompensator((0.0, 0.0, 0.25))
    >>> t = np.array([0.0, 0.01, 0.02])
    >>> gyr = np.array([[0.0, 0.0, 0.0], [0.0, 57.29578, 0.0], [0.0, 57.29578, 0.0]])
    >>> acc = comp.update(t, np.tile([0.0, 0.0, 1.0], (3, 1)), gyr)
    >>> # alpha = 100 rad/s^2 and omega = 1 rad/s about y, r = 0.25 m up z:
    >>> # a = (25, 0, -0.25) m/s^2, taken off the 1 g the accelerometer read.
    >>> np.round(acc[1] * 9.80665, 3).tolist()
    [-25.0, 0.0, 10.057]
    """

    def __init__(self, lever_m: tuple[float, float, float] | np.ndarray) -> None:
        self.lever_m = np.asarray(lever_m, dtype=float)
        self.enabled = bool(np.any(self.lever_m))
        self._gyr_prev: np.ndarray | None = None
        self._t_prev = 0.0

    def update(self, t_s: np.ndarray, acc_g: np.ndarray, gyr_dps: np.ndarray) -> np.ndarray:
        """Compensated specific force, g (segment axes in, segment axes out)."""
        if not self.enabled or len(t_s) == 0:
            return acc_g
        omega = np.radians(gyr_dps)
        if self._gyr_prev is None:
            prev_omega = np.vstack((omega[:1], omega[:-1]))
            prev_t = np.concatenate(([t_s[0]], t_s[:-1]))
        else:
            prev_omega = np.vstack((self._gyr_prev[None, :], omega[:-1]))
            prev_t = np.concatenate(([self._t_prev], t_s[:-1]))
        dt = t_s - prev_t
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = np.where((dt > 0)[:, None], (omega - prev_omega) / dt[:, None], 0.0)
        alpha = np.nan_to_num(alpha, nan=0.0, posinf=0.0, neginf=0.0)
        r = self.lever_m
        rotational = np.cross(alpha, r) + np.cross(omega, np.cross(omega, r))
        finite = np.isfinite(omega).all(axis=1) & np.isfinite(t_s)
        if finite.any():
            last = np.flatnonzero(finite)[-1]
            self._gyr_prev = omega[last]
            self._t_prev = float(t_s[last])
        return acc_g - rotational / STANDARD_GRAVITY_MPS2
