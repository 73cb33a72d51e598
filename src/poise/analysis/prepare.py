"""From a recording to the arrays the metrics take: tilt, specific force, angular rate.

Calibration and orientation run over the whole recording once (the reference
still period is at its start; :func:`track`); any span of it is then cut out
and resampled onto a uniform grid at the recording's nominal rate, which is
what filters and spectra expect (:func:`cut`). Everything stays in Poise's
units and the segment frame.

Time must move forward. A sample whose time does not pass every earlier one
is skipped (the AHRS skips it too); when that costs more than
``MAX_SKIPPED_FRACTION`` of the samples, or the span has a gap longer than
``MAX_GAP_S`` that would have to be bridged, the recording cannot be scored as
it is and the error says where.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poise.errors import PoiseError
from poise.health import StreamHealth
from poise.metrics.signals import uniform
from poise.motion.accel_calibration import AccelCalibration
from poise.motion.angles import TiltBlock, flag_counts
from poise.motion.calibration import Calibration
from poise.motion.frames import quat_vertical
from poise.motion.tilt import TiltSettings, recording_accel_calibration, track_tilt
from poise.recording import Recording

#: Drills are not scored on less than this, s, nor below this rate, Hz.
MIN_SPAN_S = 1.0
MIN_RATE_HZ = 50.0
#: A gap in the samples longer than this is not bridged by interpolation, s.
MAX_GAP_S = 1.0
#: More samples than this share skipped because their time went backwards is an error.
MAX_SKIPPED_FRACTION = 0.01


@dataclass(frozen=True, eq=False)
class Tracked:
    """A whole recording with its calibrated tilt, ready to be cut into spans."""

    recording: Recording
    tilt: TiltBlock
    calibration: Calibration
    #: (n, 12) per sample: AP, ML tilt, inclination (deg), up (3), specific force in
    #: segment axes (3, g), angular rate in segment axes (3, deg/s); cut and resampled
    #: as they are for every span.
    columns: np.ndarray
    forward: np.ndarray  # samples whose time moves forward and whose values are usable

    @property
    def t_s(self) -> np.ndarray:
        return self.recording.samples.t_s


@dataclass(frozen=True, eq=False)
class Prepared:
    """A span of a recording, ready for the metrics (uniform grid at ``rate_hz``).

    Args:
        t_s: grid times, device time, s.
        tilt_deg: (n, 2) AP and ML tilt, deg.
        inclination_deg: inclination, deg.
        up: (n, 3) earth's up axis in segment axes.
        acc_g: (n, 3) specific force in segment axes (accelerometer calibration
            applied, nothing removed), g.
        gyr_dps: (n, 3) angular rate in segment axes, bias removed, deg/s.
        raw_t_s, raw_acc_g: the span's own samples (device time; the
            accelerometer as measured, sensor axes, g), for peaks that
            resampling would blunt.
    """

    recording: Recording
    rate_hz: float
    t_s: np.ndarray
    tilt_deg: np.ndarray
    inclination_deg: np.ndarray
    up: np.ndarray
    acc_g: np.ndarray
    gyr_dps: np.ndarray
    raw_t_s: np.ndarray
    raw_acc_g: np.ndarray
    calibration: Calibration
    health: StreamHealth
    ahrs_flags: dict[str, int]
    span_s: tuple[float, float]

    @property
    def placement(self) -> str:
        return self.recording.meta.placement


def track(
    recording: Recording,
    settings: TiltSettings | None = None,
    accel_calibration: AccelCalibration | None = None,
) -> Tracked:
    """Calibrated tilt of the whole recording, and its samples in the segment frame.

    Raises :class:`PoiseError` when the recording is too slow to score or its
    time goes backwards too often.
    """
    check_rate(recording)
    accel_calibration = accel_calibration or recording_accel_calibration(recording)
    tilt, calibration = track_tilt(recording, settings, accel_calibration)
    return tracked_from(recording, tilt, calibration, accel_calibration)


def check_rate(recording: Recording) -> None:
    """Raise :class:`PoiseError` when the recording's rate is too slow to score."""
    rate = recording.meta.rate_hz
    if rate < MIN_RATE_HZ:
        where = recording.path or "recording"
        raise PoiseError(f"{where}: {rate:g} Hz is too slow to score (at least {MIN_RATE_HZ:g} Hz)")


def tracked_from(
    recording: Recording,
    tilt: TiltBlock,
    calibration: Calibration,
    accel_calibration: AccelCalibration | None,
) -> Tracked:
    """A recording and the tilt already tracked for it (by :func:`track`, or live, block
    by block, by a :class:`~poise.motion.tilt.TiltTracker`), ready to be cut.

    Raises :class:`PoiseError` when time goes backwards too often.
    """
    where = recording.path or "recording"
    samples = recording.samples
    acc = samples.acc_g if accel_calibration is None else accel_calibration.apply(samples.acc_g)
    acc_seg, gyr_seg = calibration.apply(acc, samples.gyr_dps)
    ap, ml, inclination = tilt.angles()
    columns = np.column_stack((ap, ml, inclination, quat_vertical(tilt.quat), acc_seg, gyr_seg))
    t = samples.t_s
    finite = np.where(np.isfinite(t), t, -np.inf)
    before = np.concatenate(([-np.inf], np.maximum.accumulate(finite)[:-1]))
    forward = (t > before) & tilt.valid
    skipped = np.flatnonzero(np.isfinite(t) & (t <= before) & tilt.valid)
    if skipped.size > MAX_SKIPPED_FRACTION * max(len(t), 1):
        i = int(skipped[0])
        raise PoiseError(
            f"{where}: time goes back at sample {i + 1} (to {t[i]:g} s after {before[i]:g} s); "
            f"{skipped.size} samples would be skipped. Fix the timestamps, or score the part "
            "before it with --end"
        )
    return Tracked(recording, tilt, calibration, columns, forward)


def cut(tracked: Tracked, start_s: float | None = None, end_s: float | None = None) -> Prepared:
    """The span ``[start_s, end_s]`` (the whole recording by default) on a uniform grid.

    Raises :class:`PoiseError` when the span holds too little to score or a gap
    too long to bridge.
    """
    recording = tracked.recording
    where = recording.path or "recording"
    t = tracked.t_s
    usable = tracked.forward
    if not usable.any():
        raise PoiseError(f"{where}: no usable samples")
    first, last = float(t[usable][0]), float(t[usable][-1])
    lo = first if start_s is None else start_s
    hi = last if end_s is None else end_s
    inside = usable & (t >= lo) & (t <= hi)
    times = t[inside]
    runs = f"the recording runs from {first:g} to {last:g} s"
    if times.size < 2:
        raise PoiseError(f"{where}: no samples between {lo:g} and {hi:g} s ({runs})")
    if times[-1] - times[0] < MIN_SPAN_S:
        raise PoiseError(
            f"{where}: too little between {lo:g} and {hi:g} s to score "
            f"(at least {MIN_SPAN_S:g} s; {runs})"
        )
    steps = np.diff(times)
    if steps.max() > MAX_GAP_S:
        k = int(np.argmax(steps))
        raise PoiseError(
            f"{where}: no samples for {steps[k]:g} s after {times[k]:g} s; score the parts "
            "either side of the gap with --start and --end"
        )
    rate = recording.meta.rate_hz
    grid, values = uniform(times, tracked.columns[inside], rate)
    up_grid = values[:, 3:6] / np.linalg.norm(values[:, 3:6], axis=1, keepdims=True)
    return Prepared(
        recording=recording,
        rate_hz=rate,
        t_s=grid,
        tilt_deg=values[:, 0:2],
        inclination_deg=values[:, 2],
        up=up_grid,
        acc_g=values[:, 6:9],
        gyr_dps=values[:, 9:12],
        raw_t_s=times,
        raw_acc_g=recording.samples.acc_g[inside],
        calibration=tracked.calibration,
        health=recording.health(),
        ahrs_flags=flag_counts(tracked.tilt.flags[inside]),
        span_s=(float(grid[0]), float(grid[-1])),
    )
