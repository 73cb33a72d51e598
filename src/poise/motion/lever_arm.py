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
can trust its accelerometer more. ``alpha`` comes from the gyroscope on the
device clock; the chip's low-pass acts on both sensors alike, so it matches the
accelerometer's band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poise.checks import check_number
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
            value = tuple(getattr(self, name))
            if len(value) != 3:
                raise ValueError(f"{name} must be three distances in metres (x, y, z)")
            for axis, x in zip("xyz", value, strict=True):
                check_number(f"{name} {axis}", x, -1.0, 1.0)
            object.__setattr__(self, name, tuple(float(x) for x in value))

    def for_placement(self, placement: str) -> np.ndarray:
        """The lever arm for a placement; zero (no compensation) when it is unknown."""
        if placement.endswith("_shank"):
            return np.array(self.shank_m)
        if placement == "board":
            return np.array(self.board_m)
        return np.zeros(3)


#: Time step of the angular acceleration's difference, s (one sample at 100 Hz).
ALPHA_STEP_S = 0.01


class LeverArmCompensator:
    """Subtracts the rotation-induced acceleration of the sensor, block by block.

    ``alpha`` at a sample is the second-order backward difference of the
    gyroscope over it and the samples ``step`` and ``2 step`` before (on uneven
    device-time steps), so it belongs to the sample's own instant, like the
    accelerometer reading; where fewer usable steps exist it falls back to the
    first-order difference, then to zero. The step spans about
    ``ALPHA_STEP_S`` whatever the rate: a difference over one sample divides the
    gyroscope's noise by the sample period, so at 833-1666 Hz it made tenths of a
    g of false acceleration, and the AHRS rejected the accelerometer for most of
    a stance trial.

    Args:
        lever_m: sensor position from the pivot in segment axes, m. Zero disables.
        rate_hz: the stream's nominal rate, Hz (sets the step in samples).

    >>> comp = LeverArmCompensator((0.0, 0.0, 0.25), rate_hz=100.0)
    >>> t = np.array([0.0, 0.01, 0.02])
    >>> gyr = np.array([[0.0, 0.0, 0.0], [0.0, 57.29578, 0.0], [0.0, 114.59156, 0.0]])
    >>> acc = comp.update(t, np.tile([0.0, 0.0, 1.0], (3, 1)), gyr)
    >>> # At the last sample alpha = 100 rad/s^2 and omega = 2 rad/s about y, r = 0.25 m
    >>> # up z: a = (25, 0, -1) m/s^2, taken off the 1 g the accelerometer read.
    >>> np.round(acc[2] * 9.80665, 3).tolist()
    [-25.0, 0.0, 10.807]
    """

    def __init__(self, lever_m: tuple[float, float, float] | np.ndarray, rate_hz: float) -> None:
        self.lever_m = np.asarray(lever_m, dtype=float)
        self.enabled = bool(np.any(self.lever_m))
        self.step = max(1, round(ALPHA_STEP_S * rate_hz))
        # The 2 step rows before the next block (NaN: none yet), exactly as one long
        # block would see them, usable or not.
        self._t_hist = np.full(2 * self.step, np.nan)
        self._omega_hist = np.full((2 * self.step, 3), np.nan)

    def update(self, t_s: np.ndarray, acc_g: np.ndarray, gyr_dps: np.ndarray) -> np.ndarray:
        """Compensated specific force, g (segment axes in, segment axes out)."""
        if not self.enabled or len(t_s) == 0:
            return acc_g
        omega = np.radians(gyr_dps)
        m, n = self.step, len(t_s)
        all_t = np.concatenate((self._t_hist, t_s))
        all_omega = np.vstack((self._omega_hist, omega))
        self._t_hist = all_t[-2 * m :]
        self._omega_hist = all_omega[-2 * m :]
        w0, w1, w2 = omega, all_omega[m : m + n], all_omega[:n]
        h1 = t_s - all_t[m : m + n]
        h2 = all_t[m : m + n] - all_t[:n]
        with np.errstate(invalid="ignore", divide="ignore"):
            second = (
                w0 * ((2 * h1 + h2) / (h1 * (h1 + h2)))[:, None]
                - w1 * ((h1 + h2) / (h1 * h2))[:, None]
                + w2 * (h1 / (h2 * (h1 + h2)))[:, None]
            )
            first = (w0 - w1) / h1[:, None]
        use_second = ((h1 > 0) & (h2 > 0))[:, None] & np.isfinite(second)
        use_first = (h1 > 0)[:, None] & np.isfinite(first)
        alpha = np.where(use_second, second, np.where(use_first, first, 0.0))
        r = self.lever_m
        rotational = np.cross(alpha, r) + np.cross(omega, np.cross(omega, r))
        return acc_g - rotational / STANDARD_GRAVITY_MPS2


#: Low-pass on the angular rate before it is differentiated for a whole trial, Hz:
#: at 1 kHz a raw difference turns gyroscope noise into ~0.1 g of false acceleration.
PIVOT_RATE_LOWPASS_HZ = 30.0


def pivot_vertical_sf_g(
    acc_g: np.ndarray,
    gyr_dps: np.ndarray,
    up: np.ndarray,
    lever_m: np.ndarray,
    rate_hz: float,
    chunk_rows: int = 8192,
    overwrite_gyr: bool = False,
) -> np.ndarray:
    """Specific force of the pivot (the ankle, for a shank) along ``up``, g, for a whole
    trial; ``acc_g``, ``gyr_dps`` and ``up`` in segment axes on a uniform grid.

    The batch, zero-phase form of :class:`LeverArmCompensator`: the angular rate
    is low-passed at ``PIVOT_RATE_LOWPASS_HZ`` (both directions) before its
    derivative is taken (central differences). Past the low-pass, every sample
    depends only on its neighbours, so the rest is done ``chunk_rows`` at a time:
    the same bits as whole arrays, without their (n, 3) temporaries. With
    ``overwrite_gyr`` (``gyr_dps`` float64 and contiguous) the low-passed rate is
    written over ``gyr_dps``, without an array of its size beside it.
    """
    from poise.metrics.signals import lowpass

    omega = lowpass(gyr_dps, rate_hz, PIVOT_RATE_LOWPASS_HZ, overwrite_gyr)
    np.radians(omega, out=omega)  # in place: the low-passed rate is this function's own
    r = np.asarray(lever_m, dtype=float)
    n = len(omega)
    out = np.empty(n)
    for lo in range(0, n, chunk_rows):
        hi = min(n, lo + chunk_rows)
        a, b = max(0, lo - 1), min(n, hi + 1)  # a neighbour either side for the derivative
        alpha = np.gradient(omega[a:b], 1.0 / rate_hz, axis=0)[lo - a : hi - a]
        w = omega[lo:hi]
        rotational = np.cross(alpha, r) + np.cross(w, np.cross(w, r))
        out[lo:hi] = np.sum(up[lo:hi] * (acc_g[lo:hi] - rotational / STANDARD_GRAVITY_MPS2), axis=1)
    return out
