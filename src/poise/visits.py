"""A visit: one run of a test battery for an athlete, what remains of it, what it scored.

A battery (:mod:`poise.batteries`) is run condition by condition, each leg in the
battery's order, until every leg of every condition has its trials. A trial
counts when it is complete and its result is not ``invalid``
(:mod:`poise.validity`); one interrupted, aborted or invalid is kept, and
another is run in its place. An interrupted visit (the session stopped, the
power cut) is resumed from what is missing (:func:`remaining`).

A condition's score on a leg is what its battery says: the ``best`` of its
metric over the counted trials (best by the metric's direction), their ``mean``
or their ``sum``. Left against right is the limb symmetry index of the two
scores (:func:`poise.metrics.symmetry.limb_symmetry_index`), the involved side
over the other when one is named, flagged under 90%.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from poise.batteries import Battery, BatteryCondition
from poise.drills import DRILLS

#: A limb symmetry index under this is flagged, % (the usual return-to-sport bar).
LSI_FLAG_PCT = 90.0


@dataclass(frozen=True)
class Step:
    """What remains of one condition on one leg: ``trials`` more, numbered from
    ``first_number`` (after every trial logged there before, counted or not)."""

    condition: int  # from 1
    leg: str
    first_number: int
    trials: int


@dataclass(frozen=True)
class Done:
    """A trial of a visit as scoring needs it: its condition (from 1), leg, number,
    whether it counts, and its headline metrics."""

    condition: int
    leg: str
    number: int
    counts: bool
    metrics: Mapping[str, float | None]


@dataclass(frozen=True)
class Score:
    """One condition's score on one leg, by one metric: ``value`` (None: no counted
    trial had it) over ``trials`` counted trials, of ``wanted``."""

    condition: int
    leg: str
    metric: str
    value: float | None
    trials: int
    wanted: int


@dataclass(frozen=True)
class Symmetry:
    """Left against right of one condition's score by one metric."""

    condition: int
    metric: str
    left: float | None
    right: float | None
    lsi_pct: float | None
    worse_side: str | None
    flagged: bool
    reason: str | None


def visit_trials(sessions: Mapping[int, int], trials: Iterable[Any]) -> list[Done]:
    """The trials of a visit as scoring needs them.

    Args:
        sessions: the visit's session id to the condition it ran
            (:attr:`poise.store.visits.Visit.sessions`).
        trials: trials of the store (:class:`poise.store.reader.TrialRow`); those of
            other sessions are left out.

    A trial counts when it is complete, its result is not ``invalid`` and no one
    marked it invalid.
    """
    return [
        Done(
            condition=sessions[t.session_id],
            leg=t.leg,
            number=t.number,
            counts=t.status == "complete" and not t.invalid,
            metrics=t.metrics,
        )
        for t in trials
        if t.session_id in sessions
    ]


def legs_of(battery: Battery, condition: BatteryCondition) -> tuple[str, ...]:
    """The legs a condition runs on: the battery's, or the board."""
    return ("board",) if condition.drill == "board" else battery.legs


def remaining(battery: Battery, done: Iterable[Done]) -> list[Step]:
    """What is left of the visit, in the battery's order."""
    done = list(done)
    steps = []
    for number, condition in enumerate(battery.conditions, 1):
        for leg in legs_of(battery, condition):
            there = [d for d in done if d.condition == number and d.leg == leg]
            counted = sum(d.counts for d in there)
            if counted < condition.trials:
                first = max((d.number for d in there), default=0) + 1
                steps.append(Step(number, leg, first, condition.trials - counted))
    return steps


def scores(battery: Battery, done: Iterable[Done]) -> list[Score]:
    """Each condition's score per leg and metric, by the battery's rule."""
    done = [d for d in done if d.counts]
    out = []
    for number, condition in enumerate(battery.conditions, 1):
        rules = {r.name: r for r in DRILLS[condition.drill].headline}
        for leg in legs_of(battery, condition):
            trials = [d for d in done if d.condition == number and d.leg == leg]
            for metric in condition.metrics:
                values = [
                    v
                    for d in trials
                    if (v := d.metrics.get(metric)) is not None and math.isfinite(v)
                ]
                value = _score(values, condition.score, rules[metric].higher_is_better)
                out.append(Score(number, leg, metric, value, len(values), condition.trials))
    return out


def symmetry(
    battery: Battery, scored: Iterable[Score], involved: str | None = None
) -> list[Symmetry]:
    """Left against right of each condition's scores, for drills that compare legs."""
    from poise.metrics.symmetry import limb_symmetry_index

    by_key = {(s.condition, s.leg, s.metric): s.value for s in scored}
    out = []
    for number, condition in enumerate(battery.conditions, 1):
        drill = DRILLS[condition.drill]
        legs = legs_of(battery, condition)
        if not drill.compares_legs or set(legs) != {"left", "right"}:
            continue
        rules = {r.name: r for r in drill.headline}
        for metric in condition.metrics:
            left, right = (
                by_key.get((number, "left", metric)),
                by_key.get((number, "right", metric)),
            )
            lsi = limb_symmetry_index(left, right, rules[metric].higher_is_better, involved)
            flagged = lsi.pct is not None and lsi.pct < LSI_FLAG_PCT
            out.append(
                Symmetry(number, metric, left, right, lsi.pct, lsi.worse_side, flagged, lsi.reason)
            )
    return out


def _score(values: list[float], rule: str, higher_is_better: bool) -> float | None:
    if not values:
        return None
    if rule == "sum":
        return float(sum(values))
    if rule == "mean":
        return float(sum(values) / len(values))
    return float(max(values) if higher_is_better else min(values))
