"""Calibration from a reference still period: gyroscope bias and the segment frame.

Every trial starts with the athlete standing still on both feet (or the board
held level). From the first still window of the stream Poise estimates

- the gyroscope bias, deg/s, fitted against the accelerometer so that the
  little sway of quiet standing is not taken for bias (a sway of 0.1 deg over
  2 s would otherwise pass for 0.05 deg/s, and while the accelerometer is
  rejected the tilt drifts by that);
- the sensor-to-segment rotation: the configured mounting (``"+x+y+z"`` by
  default), then, with ``reference = "standing"``, the smallest rotation that
  makes the measured vertical the segment's z axis. This removes the two tilt
  components of a strap misalignment; the third (a turn about the tibia) cannot
  be seen by a still sensor and mixes AP into ML by its sine (1.7% per degree).
- the initial orientation, so the AHRS starts converged instead of spending its
  first seconds ramping in from an arbitrary guess.

The reference posture defines zero tilt: angles are then relative to the
segment's orientation in quiet standing (see docs/orientation.md). What the
alignment removed is kept (:attr:`Calibration.declared`,
:attr:`Calibration.reference_up`), so figures that norms give from true
vertical (the lunge's inclination) are measured against the declared tibia
axis instead: :meth:`Calibration.from_vertical`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from poise.checks import check_choice, check_number
from poise.motion.angles import tilt_from_vertical
from poise.motion.frames import matrix_to_quat, rotation_between
from poise.motion.lever_arm import LeverArmCompensator

REFERENCES = ("standing", "none")


@dataclass(frozen=True)
class CalibrationSettings:
    """How the reference still period is found and used.

    Args:
        reference_s: length of the reference still window, s.
        search_s: how long to look for it from the start of the stream, s. Without
            one the trial runs uncalibrated (and says so in every sample's flags).
        reference: ``"standing"`` aligns the segment's z axis with the vertical of
            the reference window; ``"none"`` trusts the mounting as configured.
    """

    reference_s: float = 2.0
    search_s: float = 15.0
    reference: str = "standing"

    def __post_init__(self) -> None:
        check_choice("reference", self.reference, REFERENCES)
        check_number("reference_s", self.reference_s, 0.2, 60.0)
        check_number("search_s", self.search_s, self.reference_s, 600.0)


@dataclass(frozen=True, eq=False)
class Calibration:
    """The result of a reference still period (or of its absence).

    Args:
        gyr_bias_dps: gyroscope bias in sensor axes, deg/s.
        sensor_to_segment: rotation matrix, ``v_segment = sensor_to_segment @ v_sensor``.
        initial_quat: segment-to-earth quaternion at ``reference_t_s[0]`` (heading 0).
        reference_t_s: (start, end) device time of the reference window, or None.
        declared: the declared mounting (signed sensor axes), whose z is the
            tibia's axis for figures from true vertical; None: ``sensor_to_segment``.
        reference_up: earth's up in sensor axes over the reference window (unit), or None.
    """

    gyr_bias_dps: np.ndarray
    sensor_to_segment: np.ndarray
    initial_quat: np.ndarray | None
    reference_t_s: tuple[float, float] | None
    declared: np.ndarray | None = None
    reference_up: np.ndarray | None = None

    @property
    def found(self) -> bool:
        return self.reference_t_s is not None

    def apply(self, acc_g: np.ndarray, gyr_dps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bias-corrected samples in the segment frame (arrays of shape (n, 3))."""
        r = self.sensor_to_segment.T
        return acc_g @ r, (gyr_dps - self.gyr_bias_dps) @ r

    def from_vertical(self, up_segment: np.ndarray) -> np.ndarray:
        """Up-vectors of shape (n, 3) in segment axes (zero at the reference posture)
        turned into the declared frame (zero where the declared tibia axis is vertical)."""
        declared = self.sensor_to_segment if self.declared is None else self.declared
        return up_segment @ (declared @ self.sensor_to_segment.T).T

    def standing_from_vertical_deg(self) -> tuple[float, float, float] | None:
        """The reference posture's AP tilt, ML tilt and inclination from true vertical,
        deg, against the declared tibia axis; None without a reference window."""
        if self.reference_up is None:
            return None
        declared = self.sensor_to_segment if self.declared is None else self.declared
        ap, ml, inc = tilt_from_vertical((declared @ self.reference_up)[None, :])
        return float(ap[0]), float(ml[0]), float(inc[0])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary, for trial metadata and ``--json`` output."""
        return {
            "found": self.found,
            "reference_t_s": list(self.reference_t_s) if self.reference_t_s else None,
            "gyr_bias_dps": [round(float(x), 5) for x in self.gyr_bias_dps],
            "sensor_to_segment": [
                [round(float(x), 6) for x in row] for row in self.sensor_to_segment
            ],
        }


def uncalibrated(mounting: np.ndarray, declared: np.ndarray | None = None) -> Calibration:
    """The calibration used when no reference still period was found."""
    return Calibration(np.zeros(3), mounting, None, None, declared)


def calibrate_from_window(
    t_s: np.ndarray,
    acc_g: np.ndarray,
    gyr_dps: np.ndarray,
    mounting: np.ndarray,
    settings: CalibrationSettings,
    lever_m: np.ndarray | None = None,
    declared: np.ndarray | None = None,
) -> Calibration:
    """Calibration from the samples of one still window (sensor axes).

    The bias is fitted, not just averaged. Over the window the integrated
    gyroscope turns the sensor by the true small rotation plus ``bias * t``;
    the accelerometer sees the true rotation's tilt part (plus the shank's own
    small accelerations, which average out). The slope of their difference
    against time is the bias across gravity; along gravity the accelerometer
    sees nothing, so that component is the plain mean.

    Args:
        t_s, acc_g, gyr_dps: the window's samples.
        mounting: configured sensor-to-segment rotation
            (:func:`poise.motion.frames.mounting_matrix`).
        settings: see :class:`CalibrationSettings`.
        lever_m: sensor position from the pivot in segment axes; the sway's own
            acceleration is taken out of the accelerometer before the fit.
        declared: the declared mounting, if ``mounting`` is a finer one found from
            the data (see :attr:`Calibration.declared`); None: ``mounting``.
    """
    if lever_m is not None:
        # The bias is not known yet; the window's mean rate stands in for it, so the
        # centripetal term sees the sway's rate, not a 20 deg/s offset.
        rate = gyr_dps - gyr_dps.mean(axis=0)
        window_hz = (len(t_s) - 1) / float(t_s[-1] - t_s[0])
        compensator = LeverArmCompensator(mounting.T @ np.asarray(lever_m), window_hz)
        acc_g = compensator.update(t_s, acc_g, rate)
    up = _unit(acc_g.mean(axis=0))
    t = t_s - t_s.mean()
    # Small rotation of the sensor since the window's mean, rad, seen by each sensor.
    # A still accelerometer reads "up" in body axes; after a small turn theta it reads
    # up - theta x up, so theta across gravity is v(t) x up.
    v = acc_g / np.linalg.norm(acc_g, axis=1, keepdims=True)
    turn_acc = np.cross(v, up)
    turn_gyr = np.radians(_integrate(t_s, gyr_dps))
    turn_gyr -= np.outer(turn_gyr @ up, up)  # the part across gravity
    residual = turn_gyr - turn_acc
    slope = (t @ (residual - residual.mean(axis=0))) / (t @ t)  # rad/s
    along = up * float(gyr_dps.mean(axis=0) @ up)
    bias = np.degrees(slope - up * float(slope @ up)) + along

    if settings.reference == "standing":
        align = rotation_between(mounting @ up, np.array([0.0, 0.0, 1.0]))
        sensor_to_segment = align @ mounting
    else:
        sensor_to_segment = mounting
    # Orientation at the window's start: every sample's "up", turned back to the start
    # by the bias-corrected gyroscope (up_0 = up_i + theta_i x up_i), then averaged.
    # A window that begins as a movement fades out still starts at the right tilt.
    turn = np.radians(_integrate(t_s, gyr_dps - bias))
    up_start = _unit((v + np.cross(turn, v)).mean(axis=0))
    initial = matrix_to_quat(
        rotation_between(sensor_to_segment @ up_start, np.array([0.0, 0.0, 1.0]))
    )
    return Calibration(
        gyr_bias_dps=bias,
        sensor_to_segment=sensor_to_segment,
        initial_quat=initial,
        reference_t_s=(float(t_s[0]), float(t_s[-1])),
        declared=mounting if declared is None else declared,
        reference_up=up,
    )


def _integrate(t_s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Cumulative trapezoidal integral of x over t, zero at the first sample."""
    steps = (x[1:] + x[:-1]) * (np.diff(t_s)[:, None] / 2.0)
    return np.vstack((np.zeros((1, x.shape[1])), np.cumsum(steps, axis=0)))


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)
