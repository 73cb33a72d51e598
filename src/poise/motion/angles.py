"""Segment tilt angles, and the block type that carries them.

Definitions (docs/orientation.md), from the earth's up axis expressed in the
segment frame, ``v = (vx, vy, vz)``:

- ``tilt_ap_deg = atan2(-vx, vz)``: rotation about the segment's y (left) axis,
  positive when the top of the segment leans forward (the shank in a lunge;
  the board's front edge going down);
- ``tilt_ml_deg = atan2(vy, vz)``: rotation about the segment's x (anterior)
  axis, positive when the top of the segment leans to the athlete's right
  (the right-hand rule about x);
- ``inclination_deg = acos(vz)``: the angle between the segment's z axis and
  vertical, whatever its direction.

Each tilt is the angle of the segment's z axis projected on that plane of the
segment, so AP and ML do not depend on heading or on the order of rotations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poise.motion.frames import quat_vertical

# Bits of TiltBlock.flags: the AHRS health flags of x-io Fusion, per sample.
FLAG_STARTUP = 1  # Fusion's start-up gain ramp is running (initial convergence)
FLAG_RATE_RECOVERY = 2  # angular rate went over range; the AHRS is re-initialising
FLAG_ACC_RECOVERY = 4  # accelerometer ignored for too long; forced back in
FLAG_ACC_IGNORED = 8  # accelerometer rejected this sample (linear acceleration too big)
FLAG_UNCALIBRATED = 16  # no reference still period was found; no bias or alignment applied
FLAG_NAMES = {
    FLAG_STARTUP: "startup",
    FLAG_RATE_RECOVERY: "angular_rate_recovery",
    FLAG_ACC_RECOVERY: "acceleration_recovery",
    FLAG_ACC_IGNORED: "accelerometer_ignored",
    FLAG_UNCALIBRATED: "uncalibrated",
}


def tilt_from_vertical(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """AP tilt, ML tilt and inclination in degrees from up-vectors of shape (n, 3).

    >>> ap, ml, inc = tilt_from_vertical(np.array([[-np.sin(0.1), 0.0, np.cos(0.1)]]))
    >>> round(float(ap[0]), 4), round(float(ml[0]), 4), round(float(inc[0]), 4)
    (5.7296, 0.0, 5.7296)
    """
    v = np.asarray(v, dtype=float)
    vx, vy, vz = v[:, 0], v[:, 1], v[:, 2]
    norm = np.sqrt(vx * vx + vy * vy + vz * vz)
    tilt_ap = np.degrees(np.arctan2(-vx, vz))
    tilt_ml = np.degrees(np.arctan2(vy, vz))
    with np.errstate(invalid="ignore", divide="ignore"):
        inclination = np.degrees(np.arccos(np.clip(vz / norm, -1.0, 1.0)))
    return tilt_ap, tilt_ml, inclination


@dataclass(frozen=True, eq=False)
class TiltBlock:
    """Per-sample orientation of a segment.

    Args:
        t_s: device time, s.
        seq: sequence numbers of the samples.
        quat: segment-to-earth quaternion (w, x, y, z), shape (n, 4); heading is arbitrary.
        flags: AHRS health bits per sample (``FLAG_*``).
        valid: False where the sample could not be used (NaN, all-zero row, time
            going backwards); its angles are NaN.
    """

    t_s: np.ndarray
    seq: np.ndarray
    quat: np.ndarray
    flags: np.ndarray
    valid: np.ndarray

    def __len__(self) -> int:
        return self.t_s.shape[0]

    def __getitem__(self, index: slice | np.ndarray) -> TiltBlock:
        """Rows by slice or boolean/integer index, as a new block."""
        return TiltBlock(
            self.t_s[index], self.seq[index], self.quat[index], self.flags[index], self.valid[index]
        )

    @property
    def vertical(self) -> np.ndarray:
        """Earth's up axis in segment coordinates, shape (n, 3)."""
        v = quat_vertical(self.quat)
        v[~self.valid] = np.nan
        return v

    def angles(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(tilt_ap_deg, tilt_ml_deg, inclination_deg), NaN where not valid."""
        return tilt_from_vertical(self.vertical)

    @classmethod
    def empty(cls) -> TiltBlock:
        return cls(
            np.empty(0),
            np.empty(0, np.int64),
            np.empty((0, 4)),
            np.empty(0, np.uint8),
            np.empty(0, bool),
        )

    @classmethod
    def concat(cls, blocks: list[TiltBlock]) -> TiltBlock:
        if not blocks:
            return cls.empty()
        if len(blocks) == 1:
            return blocks[0]
        return cls(
            t_s=np.concatenate([b.t_s for b in blocks]),
            seq=np.concatenate([b.seq for b in blocks]),
            quat=np.concatenate([b.quat for b in blocks]),
            flags=np.concatenate([b.flags for b in blocks]),
            valid=np.concatenate([b.valid for b in blocks]),
        )


def flag_counts(flags: np.ndarray) -> dict[str, int]:
    """How many samples carry each AHRS flag."""
    return {name: int(np.count_nonzero(flags & bit)) for bit, name in FLAG_NAMES.items()}


def summarize(values: np.ndarray) -> dict[str, float | None]:
    """Mean, RMS about the mean, minimum and maximum of an angle series, deg (NaNs left out)."""
    x = values[np.isfinite(values)]
    if x.size == 0:
        return {"mean": None, "rms_about_mean": None, "min": None, "max": None}
    return {
        "mean": float(x.mean()),
        "rms_about_mean": float(x.std()),
        "min": float(x.min()),
        "max": float(x.max()),
    }
