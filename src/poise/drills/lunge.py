"""Weight-bearing lunge: knee towards the wall, heel down, each repetition held.

Scored as the shank's inclination at each held end position
(:mod:`poise.metrics.holds`), its best and mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from poise.checks import check_count
from poise.drills.drill import Drill, DrillResult, NoOptions
from poise.drills.fit import hold_tilt_deg, mismatch, motion_mismatch
from poise.drills.protocol import Condition, DrillSpec, TrialPlan, leg_phrase
from poise.metrics.holds import holds
from poise.metrics.symmetry import MetricRule

if TYPE_CHECKING:
    from poise.analysis import Span
    from poise.validity import ResultWarning

#: A lunge's end position is a hold at least this far from standing, deg.
LUNGE_THRESHOLD_DEG = 10.0
#: One repetition of the simulated athlete (reach, 3 s hold, back, pause), s; and
#: the step into the lunge position with its rest before the first, s.
REP_S = 7.3
STEP_IN_S = 3.0


@dataclass(frozen=True)
class LungeResult(DrillResult):
    """Each repetition's hold (:meth:`poise.metrics.holds.Hold.to_dict`), the best and
    the mean inclination, deg."""

    reps: tuple[dict[str, Any], ...]
    max_inclination_deg: float | None
    mean_inclination_deg: float | None

    def lines(self) -> list[str]:
        if not self.reps:
            return [
                f"no held lunge found (a hold at least {LUNGE_THRESHOLD_DEG:g} deg from standing)"
            ]
        lines = [f"  {rep['t_s']:8.2f} s  {rep['inclination_deg']:.1f} deg" for rep in self.reps]
        return [
            f"lunge repetitions: {len(self.reps)}",
            *lines,
            f"best {self.max_inclination_deg:.1f} deg, mean {self.mean_inclination_deg:.1f} deg",
        ]


def score(span: Span, options: NoOptions) -> LungeResult:
    """Inclination at each repetition's held end position; best and mean."""
    p = span.prepared
    reps = holds(p.t_s, p.inclination_deg, p.gyr_dps, p.rate_hz, LUNGE_THRESHOLD_DEG)
    values = [rep.mean_deg for rep in reps]
    return LungeResult(
        reps=tuple(rep.to_dict("inclination_deg") for rep in reps),
        max_inclination_deg=round(max(values), 3) if values else None,
        mean_inclination_deg=round(float(np.mean(values)), 3) if values else None,
    )


def check(span: Span, result: LungeResult) -> list[ResultWarning]:
    """Whether the span looks like lunges: no gait rhythm, and held positions, not
    sideways holds to both sides (a seated hip rotation)."""
    out = motion_mismatch(span, "a lunge")
    if not result.reps:
        why = f"no position held at least {LUNGE_THRESHOLD_DEG:g} deg from standing"
        return [*out, mismatch("a lunge", why)]
    tilts = [hold_tilt_deg(span, rep["t_s"], rep["end_t_s"]) for rep in result.reps]
    sideways = [ml for ap, ml in tilts if abs(ml) > abs(ap)]
    if sideways and min(sideways) < 0 < max(sideways):
        out.append(
            mismatch(
                "a lunge",
                f"the holds lean sideways to both sides ({min(sideways):.0f} and "
                f"{max(sideways):+.0f} deg ML): a rotation, where a lunge leans the shank "
                "forward",
            )
        )
    return out


@dataclass(frozen=True)
class LungeTrial:
    """Lunge sets.

    Args:
        lunge_reps: lunge repetitions per trial.
    """

    lunge_reps: int = 3

    def __post_init__(self) -> None:
        check_count("lunge_reps", self.lunge_reps, 1, 10)


def _intro(c: Condition) -> str:
    return (
        f"{leg_phrase(c)}, lunge set {c.number}. Stand still, then step into the lunge "
        "position with this foot in front."
    )


def _move(c: Condition) -> str:
    return "Keep the heel down. After the beep, push the knee forward and hold each time."


def _trial_s(settings: LungeTrial) -> float:
    return STEP_IN_S + settings.lunge_reps * REP_S


def _sim(c: Condition, plan: TrialPlan, settings: LungeTrial) -> tuple[str, dict[str, Any]]:
    return "lunge", {"leg": c.leg, "reps": settings.lunge_reps, "reference_s": plan.go_s}


def _summary(r: LungeResult) -> str:
    if not r.reps:
        return "No lunge hold found."
    return f"Best lunge {r.max_inclination_deg:.0f} degrees."


DRILL = Drill(
    name="lunge",
    score=score,
    result=LungeResult,
    check=check,
    symmetry=(
        MetricRule(
            "max_inclination_deg",
            "deg",
            True,
            4.7,
            "Powden, Hoch & Hoch 2015, Man Ther (doi:10.1016/j.math.2015.01.004): "
            "weight-bearing lunge test, systematic review, intra-clinician MDC 4.7 deg",
        ),
    ),
    live=DrillSpec(
        name="lunge",
        intro=_intro,
        move=_move,
        hold_s=0.0,
        trial_s=_trial_s,
        feedback=False,
        sim=_sim,
        summary=_summary,
        settings=LungeTrial,
    ),
)
