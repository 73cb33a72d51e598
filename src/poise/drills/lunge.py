"""Weight-bearing lunge as a guided trial: knee towards the wall, heel down, hold each rep."""

from __future__ import annotations

from typing import Any

from poise.drills.protocol import Condition, DrillSpec, TrainSettings, TrialPlan, leg_phrase

#: One repetition of the simulated athlete (reach, 3 s hold, back, pause), s; and
#: the step into the lunge position with its rest before the first, s.
REP_S = 7.3
STEP_IN_S = 3.0


def _intro(c: Condition) -> str:
    return (
        f"{leg_phrase(c)}, lunge set {c.number}. Stand still, then step into the lunge "
        "position with this foot in front."
    )


def _move(c: Condition) -> str:
    return "Keep the heel down. After the beep, push the knee forward and hold each time."


def _trial_s(settings: TrainSettings) -> float:
    return STEP_IN_S + settings.lunge_reps * REP_S


def _sim(c: Condition, plan: TrialPlan, settings: TrainSettings) -> tuple[str, dict[str, Any]]:
    return "lunge", {"leg": c.leg, "reps": settings.lunge_reps, "reference_s": plan.go_s}


def _summary(r: dict[str, Any]) -> str:
    if not r["reps"]:
        return "No lunge hold found."
    return f"Best lunge {r['max_inclination_deg']:.0f} degrees."


SPEC = DrillSpec(
    name="lunge",
    intro=_intro,
    move=_move,
    hold_s=0.0,
    trial_s=_trial_s,
    feedback=False,
    sim=_sim,
    summary=_summary,
)
