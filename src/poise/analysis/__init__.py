"""Scoring a recording: ``analyze(recording, drill)`` gives the drill's numbers as a dict.

The pipeline is the same for every drill: check, track (calibration and
tilt), cut the span, then score it with the drill's own
:attr:`~poise.drills.drill.Drill.score` (:data:`poise.drills.DRILLS`).
Every result carries its verdict (``validity`` and coded ``warnings``,
:mod:`poise.validity`), the algorithm version, the span analysed, the
calibration and the recording's data-health figures, so a number can always
be traced to how and from what it was computed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from poise.analysis.prepare import Prepared, cut
from poise.analysis.tracked import RecordingStream, Tracked, track
from poise.drills import DRILLS
from poise.drills.drill import Drill
from poise.metrics import ALGORITHM_VERSION
from poise.motion.accel_calibration import AccelCalibration
from poise.motion.mounting import mounting_summary, mounting_warnings
from poise.motion.tilt import TiltSettings
from poise.recording import Recording
from poise.validity import ResultWarning, verdict


@dataclass(frozen=True)
class Span:
    """What a drill is scored from: the span, the recording it was cut from, the settings.

    Args:
        prepared: the span, on a uniform grid.
        tracked: the whole recording, tracked.
        whole_recording: whether the span is the whole recording (no start or end given).
        tilt: tilt settings (calibration, AHRS, lever arm).
    """

    prepared: Prepared
    tracked: Tracked
    whole_recording: bool
    tilt: TiltSettings

    def whole(self) -> Prepared:
        """The whole recording as a span (the span itself when it is the whole)."""
        return self.prepared if self.whole_recording else cut(self.tracked)


def analyze(
    recording: Recording | RecordingStream,
    drill: str,
    *,
    settings: TiltSettings | None = None,
    accel_calibration: AccelCalibration | None = None,
    start_s: float | None = None,
    end_s: float | None = None,
    **options: Any,
) -> dict[str, Any]:
    """The drill's metrics over ``[start_s, end_s]`` (the whole recording by default).

    Args:
        recording: in memory, or a stream (:func:`poise.formats.stream_recording`),
            read as it is tracked, keeping only the columns the drill reads.
        drill: one of :data:`poise.drills.DRILLS`.
        settings: tilt settings (calibration, AHRS, lever arm).
        accel_calibration: the sensor's accelerometer calibration (else the
            recording's own, if its metadata has one).
        options: the drill's own (:attr:`poise.drills.drill.Drill.options`: a
            board's ``max_tilt_deg`` and ``zone_deg``).

    A figure that cannot be computed (too little data for it) is None.
    """
    found = drill_named(drill)
    drill_options(found, **options)
    settings = settings or TiltSettings()
    tracked = track(recording, settings, accel_calibration, found.columns)
    return analyze_tracked(tracked, drill, settings, start_s=start_s, end_s=end_s, **options)


def analyze_tracked(
    tracked: Tracked,
    drill: str,
    settings: TiltSettings,
    *,
    start_s: float | None = None,
    end_s: float | None = None,
    **options: Any,
) -> dict[str, Any]:
    """:func:`analyze` on a recording whose tilt is already tracked (a live trial's)."""
    found = drill_named(drill)
    recording = tracked.recording
    p = cut(tracked, start_s, end_s)
    span = Span(p, tracked, start_s is None and end_s is None, settings)
    result = found.score(span, drill_options(found, **options))
    meta = recording.meta
    warnings = [
        *_data_warnings(p),
        *mounting_warnings(meta, recording.mounting_from, p.calibration),
        *_accel_warnings(found, tracked),
        *found.check(span, result),
    ]
    return _finite(
        {
            "drill": drill,
            "algorithm_version": ALGORITHM_VERSION,
            "validity": verdict(warnings),
            "warnings": [w.to_dict() for w in warnings],
            "file": recording.path,
            "placement": meta.placement,
            "sensor_model": meta.sensor_model,
            "mounting": mounting_summary(meta, recording.mounting_from),
            "span_s": [round(p.span_s[0], 4), round(p.span_s[1], 4)],
            **result.to_dict(),
            "calibration": p.calibration.to_dict(),
            "ahrs_flags": p.ahrs_flags,
            "health": p.health.to_dict(),
        }
    )


def drill_named(drill: str) -> Drill:
    """The drill of that name; ValueError naming the drills if there is none."""
    if drill not in DRILLS:
        raise ValueError(f"drill must be one of {', '.join(DRILLS)}, not {drill!r}")
    return DRILLS[drill]


def drill_options(drill: Drill, **options: Any) -> Any:
    """The drill's options from keywords; ValueError naming the option that does not fit."""
    try:
        return drill.options(**options)
    except TypeError:
        raise ValueError(f"{drill.name} has no options {', '.join(options)}") from None


def _data_warnings(p: Prepared) -> list[ResultWarning]:
    """The span's data problems, and what they cost the scoring, whatever the drill."""
    warnings = p.health.warnings()
    if not p.recording.complete:
        said = "; ".join(p.recording.notes) or "the writer did not close it"
        warnings.append(ResultWarning("torn", f"the recording is not complete: {said}"))
    if not p.calibration.found:
        warnings.append(
            ResultWarning(
                "uncalibrated",
                "no still period at the start: no gyroscope bias, no alignment; angles are "
                "the sensor's own, not the segment's",
            )
        )
    recovered = p.ahrs_flags.get("acceleration_recovery", 0)
    if recovered:
        warnings.append(
            ResultWarning(
                "ahrs_recovery",
                f"the AHRS forced the accelerometer back in for {recovered} samples after "
                "rejecting it too long: tilt there may be off by degrees",
            )
        )
    return warnings


def _accel_warnings(drill: Drill, tracked: Tracked) -> list[ResultWarning]:
    """``uncalibrated`` where the chip's typical zero-g offset exceeds what the
    drill's angles bear (:attr:`Drill.accel_offset_limit_g`) and no accelerometer
    calibration was given."""
    from poise.chips import known_chip

    limit_g = drill.accel_offset_limit_g
    chip = known_chip(str(tracked.recording.meta.sensor_model))
    if limit_g is None or tracked.accel_calibration is not None or chip is None:
        return []
    offset_g = max(chip.acc_offset_g)
    if offset_g <= limit_g:
        return []
    return [
        ResultWarning(
            "uncalibrated",
            f"the {chip.name}'s accelerometer is not calibrated: its zero-g offsets (typically "
            f"up to {1000 * offset_g:.0f} mg) can move these angles by up to "
            f"{math.degrees(math.asin(offset_g)):.1f} deg; run `poise calibrate-accel`",
        )
    ]


def _finite(x: Any) -> Any:
    """``x`` with every NaN or infinite number replaced by None (JSON has no NaN)."""
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_finite(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x
