"""Single-leg stance as a guided trial: stand on one leg, eyes open or closed, firm or foam."""

from __future__ import annotations

from typing import Any

from poise.drills.protocol import Condition, DrillSpec, TrainSettings, TrialPlan, leg_phrase

#: The simulated athlete lifts the free foot this long before the go beep, s,
#: so that single-leg stance is settled when the scored span starts.
LIFT_LEAD_S = 2.0
#: The simulator's shortest quiet standing before the lift, s (see poise.sim.stance).
MIN_REFERENCE_S = 2.5


def _intro(c: Condition) -> str:
    eyes = "Close your eyes when you are ready. " if c.eyes == "closed" else ""
    foam = " on the foam" if c.surface == "foam" else ""
    return f"{leg_phrase(c)}, trial {c.number}. Stand still on both feet{foam}. {eyes}"


def _move(c: Condition) -> str:
    free = "left" if c.leg == "right" else "right"
    return f"Lift your {free} foot. Hold still."


def _sim(c: Condition, plan: TrialPlan, settings: TrainSettings) -> tuple[str, dict[str, Any]]:
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


def _summary(r: dict[str, Any]) -> str:
    losses = r["losses_of_balance"]
    lost = "no loss of balance" if losses == 0 else f"{losses} loss{'es' if losses > 1 else ''}"
    return (
        f"Held {r['time_held_s']:.0f} seconds, {lost}. "
        f"Sway {r['sway_rms_deg']:.1f} degrees. Steadiness {r['steadiness']:.0f}."
    )


SPEC = DrillSpec(
    name="stance",
    intro=_intro,
    move=_move,
    hold_s=0.0,
    trial_s=lambda s: s.stance_s,
    feedback=True,
    sim=_sim,
    summary=_summary,
)
