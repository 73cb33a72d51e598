"""From a recording to the arrays the metrics take: tilt, specific force, angular rate.

Calibration and orientation run over the whole recording (the reference still
period is at its start); the span asked for is then cut out and resampled onto
a uniform grid at the recording's nominal rate, which is what filters and
spectra expect. Everything stays in Poise's units and the segment frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poise.errors import PoiseError
from poise.health import StreamHealth
from poise.metrics.signals import uniform
from poise.motion.accel_calibration import AccelCalibration
from poise.motion.angles import flag_counts
from poise.motion.calibration import Calibration
from poise.motion.frames import quat_vertical
from poise.motion.tilt import TiltSettings, recording_accel_calibration, track_tilt
from poise.recording import Recording


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
        acc_norm_g: resultant specific force as the sensor measured it, g.
        raw_t_s, raw_acc_norm_g: the span's own samples (device time, |a| as
            measured), for peaks that resampling would blunt.
    """

    recording: Recording
    rate_hz: float
    t_s: np.ndarray
    tilt_deg: np.ndarray
    inclination_deg: np.ndarray
    up: np.ndarray
    acc_g: np.ndarray
    gyr_dps: np.ndarray
    acc_norm_g: np.ndarray
    raw_t_s: np.ndarray
    raw_acc_norm_g: np.ndarray
    calibration: Calibration
    health: StreamHealth
    ahrs_flags: dict[str, int]
    span_s: tuple[float, float]

    @property
    def placement(self) -> str:
        return self.recording.meta.placement


def prepare(
    recording: Recording,
    settings: TiltSettings | None = None,
    accel_calibration: AccelCalibration | None = None,
    start_s: float | None = None,
    end_s: float | None = None,
) -> Prepared:
    """Track the whole recording, then cut ``[start_s, end_s]`` onto a uniform grid.

    Raises :class:`PoiseError` when the span holds fewer than two usable samples.
    """
    accel_calibration = accel_calibration or recording_accel_calibration(recording)
    tilt, calibration = track_tilt(recording, settings, accel_calibration)
    samples = recording.samples
    acc = samples.acc_g if accel_calibration is None else accel_calibration.apply(samples.acc_g)
    acc_seg, gyr_seg = calibration.apply(acc, samples.gyr_dps)
    ap, ml, inclination = tilt.angles()
    up = quat_vertical(tilt.quat)

    t = samples.t_s
    finite = t[np.isfinite(t)]
    if finite.size == 0:
        raise PoiseError(f"{recording.path}: no usable timestamps")
    lo = finite[0] if start_s is None else start_s
    hi = finite[-1] if end_s is None else end_s
    inside = (t >= lo) & (t <= hi) & tilt.valid
    if np.count_nonzero(inside) < 2:
        where = recording.path or "recording"
        raise PoiseError(
            f"{where}: no samples between {lo:g} and {hi:g} s "
            f"(the recording runs from {finite[0]:g} to {finite[-1]:g} s)"
        )
    acc_norm = np.linalg.norm(samples.acc_g, axis=1)
    columns = np.column_stack((ap, ml, inclination, up, acc_seg, gyr_seg, acc_norm))
    rate = recording.meta.rate_hz
    grid, values = uniform(t[inside], columns[inside], rate)
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
        acc_norm_g=values[:, 12],
        raw_t_s=t[inside],
        raw_acc_norm_g=acc_norm[inside],
        calibration=calibration,
        health=recording.health(),
        ahrs_flags=flag_counts(tilt.flags[inside]),
        span_s=(float(grid[0]), float(grid[-1])),
    )
