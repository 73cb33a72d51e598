"""Accelerometer calibration from still poses: zero-g offset and sensitivity per axis.

A sensor's zero-g offsets (LSM6DSO32: +-20 mg typical, MPU-6050: +-50..80 mg)
tilt every reading by up to a degree or more; near upright the reference
still period cancels that, but at a 40 deg lunge it cannot. So each sensor is
calibrated once: it is laid still in at least six orientations (each axis
pointing up and down, as on the faces of a box), and the model

    a_true = (a_measured - offset) / scale,   |a_true| = 1 g in every pose

is fitted by least squares (the "six-position" or ellipsoid calibration;
e.g. STMicroelectronics AN4508 for the procedure). The result is kept with
the sensor and applied to its raw samples before anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from poise.checks import check_count, check_number
from poise.motion.still import StillSettings, still_mask, still_periods
from poise.samples import SampleBlock

#: Still stretches shorter than this do not count as a pose, s.
MIN_POSE_S = 1.5
#: Still stretches pointing within this angle of each other are one pose, deg.
SAME_POSE_DEG = 10.0


class CalibrationDataError(ValueError):
    """The poses do not determine the calibration (too few, or an axis never up or down)."""


@dataclass(frozen=True, eq=False)
class AccelCalibration:
    """Per-axis accelerometer offset (g) and scale (1 = nominal), sensor axes.

    >>> cal = AccelCalibration(np.array([0.02, 0.0, 0.0]), np.array([1.0, 1.0, 1.01]))
    >>> cal.apply(np.array([[0.02, 0.0, 1.01]])).round(6).tolist()
    [[0.0, 0.0, 1.0]]
    """

    offset_g: np.ndarray
    scale: np.ndarray
    poses: int = 0
    residual_g: float = 0.0

    def apply(self, acc_g: np.ndarray) -> np.ndarray:
        return (acc_g - self.offset_g) / self.scale

    def to_dict(self) -> dict[str, Any]:
        return {
            "offset_g": [round(float(x), 6) for x in self.offset_g],
            "scale": [round(float(x), 6) for x in self.scale],
            "poses": self.poses,
            "residual_g": round(self.residual_g, 6),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AccelCalibration:
        """Build from :meth:`to_dict` output; raises ValueError naming a bad field."""
        if not isinstance(data, dict):
            raise ValueError("accelerometer calibration must be an object")
        values = {}
        for name, low, high in (("offset_g", -1.0, 1.0), ("scale", 0.5, 2.0)):
            given = data.get(name)
            if not isinstance(given, list) or len(given) != 3:
                raise ValueError(f"accelerometer calibration: {name} must be a list of 3 numbers")
            for axis, x in zip("xyz", given, strict=True):
                check_number(f"accelerometer calibration: {name} {axis}", x, low, high)
            values[name] = np.array(given, dtype=float)
        poses = data.get("poses", 0)
        residual = data.get("residual_g", 0.0)
        check_count("accelerometer calibration: poses", poses, 0, 1000)
        check_number("accelerometer calibration: residual_g", residual, 0.0, 1.0)
        return cls(values["offset_g"], values["scale"], poses, float(residual))


def find_poses(
    samples: SampleBlock, rate_hz: float, settings: StillSettings | None = None
) -> np.ndarray:
    """Mean acceleration of each distinct still pose in a recording, shape (k, 3), g."""
    settings = settings or StillSettings()
    window = max(2, round(settings.window_s * rate_hz))
    # Offsets and scale errors make |a| differ from 1 g before calibration; do not
    # hold that against a pose.
    loose = StillSettings(settings.window_s, settings.gyr_std_dps, settings.acc_std_g, 0.3)
    mask = still_mask(samples.acc_g, samples.gyr_dps, window, loose)
    poses: list[tuple[np.ndarray, int]] = []
    for start, end in still_periods(samples.t_s, mask):
        if end - start < MIN_POSE_S:
            continue
        inside = (samples.t_s >= start) & (samples.t_s <= end)
        mean = samples.acc_g[inside].mean(axis=0)
        for k, (other, count) in enumerate(poses):
            cos = mean @ other / (np.linalg.norm(mean) * np.linalg.norm(other))
            if cos > np.cos(np.radians(SAME_POSE_DEG)):
                poses[k] = ((other * count + mean) / (count + 1), count + 1)
                break
        else:
            poses.append((mean, 1))
    return np.array([p for p, _ in poses]).reshape(-1, 3)


def fit_accel_calibration(poses_g: np.ndarray) -> AccelCalibration:
    """Least-squares offset and scale from still-pose means (each should read 1 g).

    Raises :class:`CalibrationDataError` unless every axis was seen pointing
    both up and down (at least half a g each way): otherwise offset and scale
    of that axis cannot be told apart.
    """
    from scipy.optimize import least_squares  # lazy: calibration is not on the start-up path

    poses_g = np.asarray(poses_g, dtype=float)
    missing = [
        f"{'+' if sign > 0 else '-'}{axis}"
        for i, axis in enumerate("xyz")
        for sign in (1, -1)
        if not np.any(sign * poses_g[:, i] > 0.5)
    ]
    if len(poses_g) < 6 or missing:
        seen = f"{len(poses_g)} still poses"
        lacking = f"; never pointing up: {', '.join(missing)}" if missing else ""
        raise CalibrationDataError(
            f"need the sensor still in at least 6 orientations, each axis pointing up and down "
            f"(found {seen}{lacking})"
        )

    def residual(p: np.ndarray) -> np.ndarray:
        return np.linalg.norm((poses_g - p[:3]) / p[3:], axis=1) - 1.0

    fit = least_squares(residual, np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0]))
    return AccelCalibration(
        offset_g=fit.x[:3],
        scale=fit.x[3:],
        poses=len(poses_g),
        residual_g=float(np.sqrt(np.mean(fit.fun**2))),
    )
