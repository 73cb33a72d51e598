"""Scoring a recording: ``analyze(recording, drill)`` gives the drill's numbers as a dict.

Every result carries the algorithm version, the span analysed, the
calibration and the recording's data-health figures, so a number can always
be traced to how and from what it was computed.
"""

from __future__ import annotations

import math
from typing import Any

from poise.analysis.hop import analyze_hops
from poise.analysis.prepare import Prepared, Tracked, cut, track
from poise.analysis.ranges import analyze_board, analyze_hip, analyze_lunge
from poise.analysis.stance import analyze_stance
from poise.checks import check_number
from poise.metrics import ALGORITHM_VERSION
from poise.motion.accel_calibration import AccelCalibration
from poise.motion.tilt import TiltSettings
from poise.recording import Recording

DRILLS = ("stance", "hop", "lunge", "board", "hip")
#: A wobble board's edge tilt and target zone radius unless told, deg.
BOARD_MAX_TILT_DEG = 15.0
BOARD_ZONE_DEG = 5.0


def analyze(
    recording: Recording,
    drill: str,
    *,
    settings: TiltSettings | None = None,
    accel_calibration: AccelCalibration | None = None,
    start_s: float | None = None,
    end_s: float | None = None,
    max_tilt_deg: float = BOARD_MAX_TILT_DEG,
    zone_deg: float = BOARD_ZONE_DEG,
) -> dict[str, Any]:
    """The drill's metrics over ``[start_s, end_s]`` (the whole recording by default).

    Args:
        drill: one of :data:`DRILLS`.
        settings: tilt settings (calibration, AHRS, lever arm).
        accel_calibration: the sensor's accelerometer calibration (else the
            recording's own, if its metadata has one).
        max_tilt_deg, zone_deg: a board's edge tilt and target zone (board only).

    A figure that cannot be computed (too little data for it) is None.
    """
    if drill not in DRILLS:
        raise ValueError(f"drill must be one of {', '.join(DRILLS)}, not {drill!r}")
    check_board_options(max_tilt_deg, zone_deg)
    settings = settings or TiltSettings()
    tracked = track(recording, settings, accel_calibration)
    return analyze_tracked(
        tracked,
        drill,
        settings,
        start_s=start_s,
        end_s=end_s,
        max_tilt_deg=max_tilt_deg,
        zone_deg=zone_deg,
    )


def analyze_tracked(
    tracked: Tracked,
    drill: str,
    settings: TiltSettings,
    *,
    start_s: float | None = None,
    end_s: float | None = None,
    max_tilt_deg: float = BOARD_MAX_TILT_DEG,
    zone_deg: float = BOARD_ZONE_DEG,
) -> dict[str, Any]:
    """:func:`analyze` on a recording whose tilt is already tracked (a live trial's)."""
    recording = tracked.recording
    p = cut(tracked, start_s, end_s)
    if drill == "stance":
        result = analyze_stance(p)
    elif drill == "hop":
        # The single-leg baseline is taken before the recording's first hop, whatever the span.
        whole = p if start_s is None and end_s is None else cut(tracked)
        result = analyze_hops(p, settings.lever_arm.for_placement(p.placement), whole)
    elif drill == "lunge":
        result = analyze_lunge(p)
    elif drill == "hip":
        result = analyze_hip(p)
    else:
        result = analyze_board(p, max_tilt_deg, zone_deg)
    meta = recording.meta
    return _finite(
        {
            "drill": drill,
            "algorithm_version": ALGORITHM_VERSION,
            "file": recording.path,
            "placement": meta.placement,
            "sensor_model": meta.sensor_model,
            "span_s": [round(p.span_s[0], 4), round(p.span_s[1], 4)],
            **result,
            "calibration": p.calibration.to_dict(),
            "ahrs_flags": p.ahrs_flags,
            "health": p.health.to_dict(),
            "problems": _problems(p),
        }
    )


def check_board_options(max_tilt_deg: float, zone_deg: float) -> None:
    """Raise ValueError naming the option unless the board's edge and zone make sense, deg."""
    check_number("max_tilt_deg", max_tilt_deg, 1.0, 45.0)
    check_number("zone_deg", zone_deg, 0.0, max_tilt_deg, above=True)


def _problems(p: Prepared) -> list[str]:
    """The recording's data problems, and what they cost the scoring."""
    problems = p.health.problems()
    if not p.calibration.found:
        problems.append(
            "no still period at the start: no gyroscope bias, no alignment; angles are the "
            "sensor's own, not the segment's"
        )
    recovered = p.ahrs_flags.get("acceleration_recovery", 0)
    if recovered:
        problems.append(
            f"the AHRS forced the accelerometer back in for {recovered} samples after "
            "rejecting it too long: tilt there may be off by degrees"
        )
    return problems


def _finite(x: Any) -> Any:
    """``x`` with every NaN or infinite number replaced by None (JSON has no NaN)."""
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_finite(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x
