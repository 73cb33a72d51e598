"""Wobble board balance as a guided trial: keep the board level, the tone tells the tilt."""

from __future__ import annotations

from typing import Any

from poise.drills.protocol import Condition, DrillSpec, TrainSettings, TrialPlan


def _intro(c: Condition) -> str:
    return f"Board, trial {c.number}. Hold the board level and still."


def _move(c: Condition) -> str:
    return "Keep it level. The tone rises as the board tilts."


def _sim(c: Condition, plan: TrialPlan, settings: TrainSettings) -> tuple[str, dict[str, Any]]:
    # The simulated board levels out over 1 s after its reference, then the trial runs.
    return "board", {"reference_s": plan.go_s - 1.0, "duration_s": plan.end_s - plan.go_s + 0.5}


def _summary(r: dict[str, Any]) -> str:
    return (
        f"Level for {r['time_in_zone_pct']:.0f} percent of the time. "
        f"{r['edge_touch_count']} edge touches."
    )


SPEC = DrillSpec(
    name="board",
    intro=_intro,
    move=_move,
    hold_s=0.0,
    trial_s=lambda s: s.board_s,
    feedback=True,
    sim=_sim,
    summary=_summary,
)
