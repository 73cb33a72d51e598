"""Single-leg stance: stand on one leg, eyes open or closed, firm or foam.

Scored as the sway of the shank, every loss of balance and the time held
(docs/metrics.md); trained with the biofeedback tone, losses heard live.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from poise.checks import check_choice, check_number
from poise.drills.drill import Drill, DrillResult, NoOptions
from poise.drills.precision import DURATION, EVENT_TIME, NOISE_FLOOR, SWAY_RMS, Resolution
from poise.drills.protocol import (
    MIN_REFERENCE_S,
    Condition,
    DrillSpec,
    TrialPlan,
    leg_phrase,
)
from poise.metrics.symmetry import NO_MDC, MetricRule
from poise.text import plural
from poise.validity import ResultWarning

if TYPE_CHECKING:
    from poise.analysis import Span
    from poise.analysis.prepare import Prepared
    from poise.metrics.balance_loss import BalanceLoss, LossDetector
    from poise.validity import ResultWarning

#: What a stance trial does at a loss of balance: carry on and mark it, or end there.
ON_LOSS = ("mark", "end")
#: The simulated athlete lifts the free foot this long before the go beep, s,
#: so that single-leg stance is settled when the scored span starts.
LIFT_LEAD_S = 2.0
#: Single-leg stance sways less than this, deg of 2-D RMS, losses of balance and all:
#: eyes closed on foam with a loss every 12 s the simulator gives 3.9 deg; a walk gives
#: 21-24, a jump 85 (issue 10).
STANCE_MAX_SWAY_DEG = 12.0
#: Below this rate, Hz, losses of balance are not trusted: at 52 Hz the chip's low-pass
#: (about 21 Hz) cuts the touchdown's jolt, and half the touchdowns went unheard in the
#: accuracy matrix (benchmarks/analysis_accuracy.py); from 104 Hz none were.
LOSS_MIN_RATE_HZ = 100.0


#: A frequency of the sway spectrum: 10 s Welch segments have 0.1 Hz bins.
SPECTRUM = Resolution(1, "Hz", "10 s Welch segments: 0.1 Hz bins")


@dataclass(frozen=True)
class StanceResult(DrillResult):
    """Sway (deg, deg^2, deg/s, deg/s^3, Hz, s; :class:`poise.metrics.sway.SwayMetrics`),
    the losses of balance and the time held, s."""

    duration_s: float
    sway_rms_deg: float
    ap_rms_deg: float
    ml_rms_deg: float
    sway_area95_deg2: float
    path_length_deg: float
    sway_velocity_dps: float
    jerk_dps3: float
    centroid_hz: float
    f95_hz: float
    steadiness: float
    noise_floor_deg: float
    noise_floor_from: str
    touchdowns: tuple[dict[str, Any], ...]
    losses_of_balance: int
    time_held_s: float

    RESOLUTION: ClassVar[Mapping[str, Resolution]] = {
        "duration_s": Resolution(2, "s", "the span's length, to a sample; not printed"),
        "sway_rms_deg": SWAY_RMS,
        "ap_rms_deg": SWAY_RMS,
        "ml_rms_deg": SWAY_RMS,
        "sway_area95_deg2": Resolution(1, "deg^2", "20% of 1-50 deg^2"),
        "path_length_deg": Resolution(0, "deg", "20% of the hundreds of deg of a trial"),
        "sway_velocity_dps": Resolution(2, "deg/s", "20% of 0.3-10 deg/s"),
        "jerk_dps3": Resolution(0, "deg/s^3", "not printed; thousands of deg/s^3"),
        "centroid_hz": SPECTRUM,
        "f95_hz": SPECTRUM,
        "steadiness": Resolution(0, "of 100", "a score of sway RMS, which resolves 1%"),
        "noise_floor_deg": NOISE_FLOOR,
        "t_s": EVENT_TIME,
        "excursion_deg": Resolution(1, "deg", "the tilt beyond the hold, degrees"),
        "jolt_g": Resolution(3, "g", "0.01-1 g: an excursion's jolt is hundredths of a g"),
        "time_held_s": DURATION,
    }

    def lines(self) -> list[str]:
        show = self.show
        lines = [
            f"sway RMS {show('sway_rms_deg')} deg (AP {show('ap_rms_deg')}, "
            f"ML {show('ml_rms_deg')}), 95% ellipse {show('sway_area95_deg2')} deg^2",
            f"sway velocity {show('sway_velocity_dps')} deg/s, path "
            f"{show('path_length_deg')} deg, centroid {show('centroid_hz')} Hz, "
            f"F95 {show('f95_hz')} Hz",
            f"steadiness {show('steadiness')}/100",
            f"noise floor {show('noise_floor_deg')} deg "
            f"({self.noise_floor_from.replace('_', ' ')})",
            f"losses of balance: {self.losses_of_balance}",
        ]
        lines += [f"  {show('t_s', loss):>8} s  {loss['kind']}" for loss in self.touchdowns]
        lines.append(f"time held {show('time_held_s')} s")
        return lines


def score(span: Span, options: NoOptions) -> StanceResult:
    """Sway metrics over the whole span, every loss of balance, and the time held.

    Time held counts from the start of the span or, when the span starts inside
    the reference still period (the athlete on both feet), from that period's end.
    """
    from poise.drills.noise import span_noise_floor
    from poise.metrics.balance_loss import time_held
    from poise.metrics.sway import sway_metrics

    p = span.prepared
    losses = span_losses(span)
    # The specific force's samples are read no more once the losses are found and its
    # size is resampled (check reads it): they go before the sway's series are made.
    _ = p.acc_norm_g
    p.release("acc_g")
    ap, ml = p.tilt_deg[:, 0], p.tilt_deg[:, 1]
    sway = sway_metrics(ap, ml, p.rate_hz)
    floor = span_noise_floor(span)
    return StanceResult(
        **{k: round(v, 4) for k, v in sway.to_dict().items()},
        noise_floor_deg=round(floor.rms_deg, 4),
        noise_floor_from=floor.source,
        touchdowns=tuple(loss.to_dict() for loss in losses),
        losses_of_balance=len(losses),
        time_held_s=round(time_held(_held_from(p), p.span_s[1], losses), 3),
    )


def check(span: Span, result: StanceResult) -> list[ResultWarning]:
    """Whether the span looks like single-leg stance (no gait rhythm, sway a stance can
    have), and which sway figures are close to the noise floor."""
    from poise.drills.fit import mismatch, motion_mismatch
    from poise.drills.noise import noise_warnings, span_noise_floor

    out = motion_mismatch(span, "single-leg stance")
    if result.sway_rms_deg > STANCE_MAX_SWAY_DEG:
        out.append(
            mismatch(
                "single-leg stance",
                f"sway RMS {result.sway_rms_deg:.0f} deg, where a stance sways under "
                f"{STANCE_MAX_SWAY_DEG:.0f}",
            )
        )
    rate_hz = span.prepared.rate_hz
    if rate_hz < LOSS_MIN_RATE_HZ:
        out.append(
            ResultWarning(
                "event_timing",
                f"at {rate_hz:.0f} Hz a touchdown's 18-20 Hz jolt is cut by the sensor's "
                "low-pass: losses of balance may be missed or taken for steps; record at "
                f"{LOSS_MIN_RATE_HZ:.0f} Hz or more",
            )
        )
    floor = span_noise_floor(span)
    figures = [
        ("sway RMS", result.sway_rms_deg, floor.rms_deg),
        ("AP RMS", result.ap_rms_deg, floor.ap_deg),
        ("ML RMS", result.ml_rms_deg, floor.ml_deg),
        ("sway velocity", result.sway_velocity_dps, floor.velocity_dps),
    ]
    return out + noise_warnings(figures, floor.rms_deg, floor.source)


def span_losses(span: Span) -> list[BalanceLoss]:
    """The losses of balance in the span, by the detector a live trial hears them with.

    It is fed the recording's own samples whose time lies in the span asked for,
    in their order, their tilt as tracked and their specific force in segment
    axes: exactly what the live engine feeds it from the go beep to the end
    (:meth:`poise.live.engine.TrialEngine.feed`), so the losses scored are the
    losses heard, at the same times and of the same kinds.
    """
    import numpy as np

    tracked, (t0, t1) = span.tracked, span.prepared.bounds_s
    detector = _loss_detector(span.prepared.rate_hz)
    losses: list[BalanceLoss] = []
    # Fed a block at a time, as live: the detector is causal, so the losses are the
    # same, and memory is bounded by the block, not the recording's length.
    for lo, hi in tracked.chunks():
        t = tracked.t_s[lo:hi]
        block = lo + np.flatnonzero((t >= t0) & (t <= t1))
        if block.size:
            tilt = tracked.take(block, "tilt_deg")
            losses += detector.update(
                tracked.t_s[block], tilt[:, 0], tilt[:, 1], tracked.take(block, "acc_g")
            )
    return losses


def _loss_detector(rate_hz: float) -> LossDetector:
    """The causal detector of losses of balance, live and scored alike."""
    from poise.metrics.balance_loss import LossDetector

    return LossDetector(rate_hz)


def _held_from(p: Prepared) -> float:
    start = p.span_s[0]
    if p.calibration.found and p.calibration.reference_t_s is not None:
        ref_start, ref_end = p.calibration.reference_t_s
        if ref_start <= start < ref_end:
            return min(ref_end, p.span_s[1])
    return start


@dataclass(frozen=True)
class StanceTrial:
    """Single-leg stance trials.

    Args:
        stance_s: single-leg stance trial, s (30 s: Springer et al. 2007 cap
            single-leg stance at 45 s; 30 s is the usual sway trial).
        on_loss: at a loss of balance in stance, ``mark`` it with a warning
            tone and carry on, or ``end`` the trial there (a timed hold).
    """

    stance_s: float = 30.0
    on_loss: str = "mark"

    def __post_init__(self) -> None:
        check_number("stance_s", self.stance_s, 5.0, 300.0)
        check_choice("on_loss", self.on_loss, ON_LOSS)


def _intro(c: Condition) -> str:
    eyes = "Close your eyes when you are ready. " if c.eyes == "closed" else ""
    foam = " on the foam" if c.surface == "foam" else ""
    return f"{leg_phrase(c)}, trial {c.number}. Stand still on both feet{foam}. {eyes}"


def _move(c: Condition) -> str:
    free = "left" if c.leg == "right" else "right"
    return f"Lift your {free} foot. Hold still."


def _sim(c: Condition, plan: TrialPlan, settings: StanceTrial) -> tuple[str, dict[str, Any]]:
    # Not before the move prompt, nor before the simulator's shortest quiet standing.
    lift = max(plan.go_s - LIFT_LEAD_S, plan.move_s, MIN_REFERENCE_S)
    return "stance", {
        "leg": c.leg,
        "eyes": c.eyes,
        "surface": c.surface,
        "reference_s": lift,
        # The simulator's trial starts when the lift is done (0.8 s); it runs to our end.
        "duration_s": plan.end_s - lift - 0.8,
    }


def _summary(r: StanceResult) -> str:
    losses = r.losses_of_balance
    lost = "no loss of balance" if losses == 0 else plural(losses, "loss", "losses")
    return (
        f"Held {plural(round(r.time_held_s), 'second')}, {lost}. "
        f"Sway {r.sway_rms_deg:.1f} degrees. Steadiness {r.steadiness:.0f}."
    )


DRILL = Drill(
    name="stance",
    score=score,
    result=StanceResult,
    check=check,
    symmetry=(
        MetricRule("sway_rms_deg", "deg", False, None, NO_MDC),
        MetricRule("sway_area95_deg2", "deg^2", False, None, NO_MDC),
        MetricRule("sway_velocity_dps", "deg/s", False, None, NO_MDC),
        MetricRule(
            "time_held_s",
            "s",
            True,
            None,
            NO_MDC + " (the 24.1 s of Gait Posture 2011;33:737 is for adults aged 60-89)",
        ),
        MetricRule("losses_of_balance", "count", False, None, NO_MDC),
    ),
    live=DrillSpec(
        name="stance",
        intro=_intro,
        move=_move,
        hold_s=0.0,
        trial_s=lambda s: s.stance_s,
        feedback=True,
        sim=_sim,
        summary=_summary,
        settings=StanceTrial,
        ends_at_loss=lambda s: s.on_loss == "end",
        detector=_loss_detector,
    ),
    columns=("tilt_deg", "acc_g"),
    report_tilt=True,
)
