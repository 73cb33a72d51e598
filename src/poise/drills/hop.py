"""Single-leg hop and stick as a guided trial: hop forward, land on the same leg, hold."""

from __future__ import annotations

from typing import Any

from poise.drills.protocol import Condition, DrillSpec, TrainSettings, TrialPlan, leg_phrase

#: The simulated athlete takes off this long after the go beep, s.
REACTION_S = 0.6
#: Single-leg stance before the hop: the stabilisation baseline needs 3.6 s of it, s.
HOLD_S = 2.0


def _intro(c: Condition) -> str:
    return (
        f"{leg_phrase(c)}, hop {c.number}. Stand still on both feet. "
        "On the high beep, hop forward and stick the landing."
    )


def _move(c: Condition) -> str:
    return f"Stand on your {c.leg} leg. Hold still."


def _sim(c: Condition, plan: TrialPlan, settings: TrainSettings) -> tuple[str, dict[str, Any]]:
    lift = plan.move_s
    # The simulator's athlete lifts (0.8 s), stands for the baseline, then hops.
    return "hop", {
        "leg": c.leg,
        "mode": "stick",
        "hops": 1,
        "reference_s": lift,
        "baseline_s": plan.go_s + REACTION_S - lift - 0.8,
    }


def _summary(r: dict[str, Any]) -> str:
    if not r["landings"]:
        return "No hop found."
    h = r["landings"][0]
    text = f"Hop of {h['height_m'] * 100:.0f} centimetres."
    if h["tts_s"] is not None:
        text += f" Stable after {h['tts_s']:.1f} seconds."
    return text


SPEC = DrillSpec(
    name="hop",
    intro=_intro,
    move=_move,
    hold_s=HOLD_S,
    trial_s=lambda s: s.hop_s,
    feedback=False,
    sim=_sim,
    summary=_summary,
)
