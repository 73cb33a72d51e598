"""A recording: raw samples plus the metadata that makes them interpretable.

Raw first: a recording keeps the samples as the sensor gave them (uncalibrated,
device timestamps, sequence numbers); everything derived from it can be
recomputed. The metadata says what sensor, where it was worn, how it was
configured and where the file came from.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from poise.chips import MAX_ACC_RANGE_G, MAX_GYR_RANGE_DPS, MAX_RATE_HZ
from poise.health import HealthMonitor, StreamHealth
from poise.motion.frames import mounting_matrix, nearest_mounting
from poise.samples import SampleBlock

#: Where the sensor was worn: the segment whose frame the angles are given in.
PLACEMENTS = ("left_shank", "right_shank", "board", "unknown")

#: Units of the stored columns; fixed by the format, stated in every file.
UNITS = {"t_s": "s", "acc": "g", "gyr": "deg/s"}


@dataclass(frozen=True)
class RecordingMeta:
    """What is known about a recording besides its samples.

    Every number is bounded by what any IMU can do (:data:`poise.chips.MAX_RATE_HZ`
    and the widest full scales), so a corrupt header is refused before anything is
    allocated from it.

    Args:
        rate_hz: nominal output data rate, Hz.
        sensor_model: IMU chip or device, e.g. ``"LSM6DSO32"``; ``"unknown"`` if not known.
        acc_range_g: accelerometer full scale (+-g), if known.
        gyr_range_dps: gyroscope full scale (+-deg/s), if known.
        placement: one of :data:`PLACEMENTS`.
        mounting: segment axes in sensor axes, e.g. ``"+x+y+z"`` (see
            :func:`poise.motion.frames.mounting_matrix`).
        firmware: firmware version of the sensor node, if any.
        calibration: calibration known when recording (informational; the
            samples themselves are stored uncalibrated).
        source: where the samples came from: ``{"kind": "sim" | "import" | ...}`` plus details.
        started_utc: wall-clock start, ISO 8601, if known (absent for simulations,
            which are bit-for-bit deterministic).
        rate_estimated: True when ``rate_hz`` was estimated from timestamps, not stated.
        mounting_found: the mounting a functional calibration found
            (:mod:`poise.motion.functional`): ``sensor_to_segment`` (3x3, whose
            nearest signed axes are ``mounting``), ``method`` and ``quality``; or None.
        store: what the progression store knew of the trial when its recording began
            (athlete, session, trial; see docs/recording-format.md), or None for a
            recording made outside a store.
    """

    rate_hz: float
    sensor_model: str = "unknown"
    acc_range_g: float | None = None
    gyr_range_dps: float | None = None
    placement: str = "unknown"
    mounting: str = "+x+y+z"
    firmware: str | None = None
    calibration: dict[str, Any] | None = None
    source: dict[str, Any] = field(default_factory=dict)
    started_utc: str | None = None
    rate_estimated: bool = False
    mounting_found: dict[str, Any] | None = None
    store: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        problem = _check_meta(self)
        if problem:
            field_name, message = problem
            raise ValueError(f"metadata field '{field_name}': {message}")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["units"] = dict(UNITS)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecordingMeta:
        """Build from parsed JSON; unknown keys are kept out, missing optional keys default.

        Raises ``ValueError("metadata field 'x': ...")`` naming the first bad field.
        """
        if not isinstance(data, dict):
            raise ValueError("metadata must be a JSON object")
        units = data.get("units", UNITS)
        if units != UNITS:
            raise ValueError(f"metadata field 'units': expected {UNITS}, found {units}")
        if "rate_hz" not in data:
            raise ValueError("metadata field 'rate_hz': missing")
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})


def _check_meta(meta: RecordingMeta) -> tuple[str, str] | None:
    def positive(x: object) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) and x > 0

    if not positive(meta.rate_hz) or meta.rate_hz > MAX_RATE_HZ:
        return "rate_hz", f"must be a positive number up to {MAX_RATE_HZ:g}, not {meta.rate_hz!r}"
    for name, limit in (("acc_range_g", MAX_ACC_RANGE_G), ("gyr_range_dps", MAX_GYR_RANGE_DPS)):
        value = getattr(meta, name)
        if value is not None and (not positive(value) or value > limit):
            return name, f"must be a positive number up to {limit:g}, or null, not {value!r}"
    if meta.placement not in PLACEMENTS:
        return "placement", f"must be one of {', '.join(PLACEMENTS)}, not {meta.placement!r}"
    if not isinstance(meta.sensor_model, str) or not meta.sensor_model:
        return "sensor_model", "must be a non-empty string"
    if not isinstance(meta.source, dict):
        return "source", "must be an object"
    if meta.store is not None and not isinstance(meta.store, dict):
        return "store", "must be an object or null"
    if not isinstance(meta.mounting, str):
        return "mounting", f"must be text such as '+x+y+z', not {meta.mounting!r}"
    try:
        mounting_matrix(meta.mounting)
    except ValueError as e:
        return "mounting", str(e)
    if meta.mounting_found is not None:
        problem = _check_found(meta.mounting_found, meta.mounting)
        if problem:
            return "mounting_found", problem
    if meta.calibration is not None:
        if not isinstance(meta.calibration, dict):
            return "calibration", "must be an object or null"
        if meta.calibration.get("accelerometer") is not None:
            from poise.motion.accel_calibration import AccelCalibration  # the one validator

            try:
                AccelCalibration.from_dict(meta.calibration["accelerometer"])
            except (ValueError, TypeError, AttributeError) as e:
                return "calibration", str(e)
    return None


def found_matrix(meta: RecordingMeta) -> np.ndarray | None:
    """The sensor-to-segment rotation of ``meta.mounting_found``, if there is one."""
    if meta.mounting_found is None:
        return None
    return np.asarray(meta.mounting_found["sensor_to_segment"], dtype=float)


def _check_found(found: Any, mounting: str) -> str | None:
    if not isinstance(found, dict) or "sensor_to_segment" not in found:
        return "must be an object with 'sensor_to_segment' (3x3), or null"
    try:
        m = np.asarray(found["sensor_to_segment"], dtype=float)
    except (TypeError, ValueError):
        return "'sensor_to_segment' must be 3 rows of 3 numbers"
    if m.shape != (3, 3) or not np.isfinite(m).all():
        return "'sensor_to_segment' must be 3 rows of 3 numbers"
    if np.abs(m @ m.T - np.eye(3)).max() > 1e-3 or np.linalg.det(m) < 0:
        return "'sensor_to_segment' is not a rotation"
    try:
        nearest = nearest_mounting(m)
    except ValueError:
        nearest = None
    if nearest != mounting:
        return f"'sensor_to_segment' is nearest {nearest}, not the header's mounting {mounting}"
    return None


@dataclass(frozen=True, eq=False)
class Recording:
    """Samples and metadata of one recording, with what the reader noticed.

    Args:
        samples: every sample, in file order, in Poise units.
        meta: the recording's metadata.
        path: the file it was read from, if any.
        complete: False when the writer never closed the file (killed or crashed).
        notes: what the reader noticed but did not treat as fatal, one line each.
        mounting_from: where ``meta.mounting`` came from: ``header`` (a Poise
            recording's own), ``command line`` or ``config`` (declared for it), or
            None: nobody said how the sensor sits (an imported file).
        end: the facts its end mark carries (a trial's status, scored span, algorithm
            version; see docs/recording-format.md), or None where it carries none.
    """

    samples: SampleBlock
    meta: RecordingMeta
    path: str | None = None
    complete: bool = True
    notes: tuple[str, ...] = ()
    mounting_from: str | None = None
    end: dict[str, Any] | None = None

    def health(self) -> StreamHealth:
        """Data-health figures of the samples against the metadata's rate and ranges."""
        monitor = HealthMonitor(self.meta.rate_hz, self.meta.acc_range_g, self.meta.gyr_range_dps)
        monitor.update(self.samples)
        return monitor.health


@dataclass(frozen=True)
class RecordingFacts:
    """What scoring keeps of a recording besides its samples, which a long recording
    read as a stream never holds whole: its metadata, where it came from, whether it
    is complete (and what its reader noted), and its data-health figures."""

    meta: RecordingMeta
    path: str | None
    complete: bool
    notes: tuple[str, ...]
    mounting_from: str | None
    health: StreamHealth
