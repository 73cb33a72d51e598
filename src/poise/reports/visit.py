"""A visit as text and as JSON: each condition's score per leg, left against right."""

from __future__ import annotations

from typing import Any

from poise.batteries import Battery
from poise.drills import DRILLS
from poise.drills.precision import plain
from poise.names import terminal_safe
from poise.visits import LSI_FLAG_PCT, Done, remaining, scores, symmetry


def visit_dict(battery: Battery, visit: Any, done: tuple[Done, ...]) -> dict[str, Any]:
    """The visit, JSON-ready: what it is, its scores, left against right, what remains."""
    scored = scores(battery, done)
    return {
        "athlete": visit.athlete,
        "visit": visit.number,
        "battery": battery.name,
        "title": battery.title,
        "source": battery.source,
        "involved": visit.involved,
        "started_utc": visit.started_utc,
        "ended_utc": visit.ended_utc,
        "scores": [
            {
                "condition": s.condition,
                **_condition(battery, s.condition),
                "leg": s.leg,
                "metric": s.metric,
                "score": battery.conditions[s.condition - 1].score,
                "value": s.value,
                "trials": s.trials,
                "of": s.wanted,
            }
            for s in scored
        ],
        "symmetry": [
            {
                "condition": m.condition,
                "metric": m.metric,
                "left": m.left,
                "right": m.right,
                "lsi_pct": m.lsi_pct,
                "worse_side": m.worse_side,
                "lsi_below_90": m.flagged,
                "note": m.reason,
            }
            for m in symmetry(battery, scored, visit.involved)
        ],
        "remaining": [
            {"condition": r.condition, "leg": r.leg, "trials": r.trials}
            for r in remaining(battery, done)
        ],
    }


def format_visit(battery: Battery, visit: Any, done: tuple[Done, ...]) -> str:
    """The visit as text: a heading, then per condition its score on each leg and the
    limb symmetry index; what remains if it is not whole."""
    left = remaining(battery, done)
    state = "whole" if not left else f"open: {sum(r.trials for r in left)} trials to go"
    lines = [f"visit {visit.number} of {visit.athlete}: {battery.name}, {battery.title} ({state})"]
    if visit.involved:
        lines.append(f"  involved side: {visit.involved}")
    scored = scores(battery, done)
    sym = {(m.condition, m.metric): m for m in symmetry(battery, scored, visit.involved)}
    for number, condition in enumerate(battery.conditions, 1):
        lines.append(
            f"  {number}. {condition.drill}, eyes {condition.eyes}, {condition.surface}: "
            f"{condition.score} of {condition.trials}"
        )
        drill = DRILLS[condition.drill]
        for metric in condition.metrics:
            resolution = drill.resolution(metric)
            unit = "" if resolution is None or resolution.unit == "1" else f" {resolution.unit}"
            legs = [
                f"{s.leg} {resolution.text(s.value) if resolution else plain(s.value)}{unit}"
                + (f" ({s.trials} of {s.wanted})" if s.trials < s.wanted else "")
                for s in scored
                if s.condition == number and s.metric == metric
            ]
            line = f"     {metric}: {', '.join(legs)}"
            m = sym.get((number, metric))
            if m is not None:
                if m.lsi_pct is None:
                    line += f"; LSI - ({m.reason})"
                else:
                    line += f"; LSI {m.lsi_pct:.1f}%"
                    if m.flagged:
                        line += f" (under {LSI_FLAG_PCT:.0f}%)"
            lines.append(line)
    for r in left:
        lines.append(
            f"  to go: condition {r.condition}, {r.leg} leg, {r.trials} trial"
            f"{'s' if r.trials > 1 else ''}"
        )
    lines.append(f"  source: {battery.source}")
    return "\n".join(terminal_safe(line) for line in lines)


def _condition(battery: Battery, number: int) -> dict[str, str]:
    c = battery.conditions[number - 1]
    return {"drill": c.drill, "eyes": c.eyes, "surface": c.surface}
