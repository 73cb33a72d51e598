"""Visits compared over time: per battery, condition, metric and leg, each visit's score.

A visit (:mod:`poise.visits`) scores each condition on each leg by its battery's
rule (best, mean or sum of its counted trials). For every condition and metric
of a battery an athlete ran, per leg:

- the scores of the visits, in order (visit number, start, value);
- the metric's MDC (:func:`poise.change.metric_mdc`): the drill's published one,
  else the athlete's own from the repeated trials of the battery's first
  :data:`~poise.change.BASELINE_VISITS` visits;
- the change of the latest visit from the one before, and from the baseline
  (the mean of the baseline visits' scores, for a visit after them), each
  better, worse or no detectable change (:func:`poise.change.judge_change`);
- the trend over the visits (:func:`poise.change.trend`) and the personal
  normal range (:func:`poise.change.normal_range`);

and left against right on the latest visit with both legs: the LSI of its
scores (:func:`poise.visits.symmetry`: the involved side over the other the
right way round for the metric, flagged under 90%) and whether the difference
exceeds the MDC (the personal one pooled over both legs' baseline trials: the
difference of two legs has the error of two measurements).

A condition is the same across visits while its drill, eyes, surface, rule and
trials are: a battery edited between visits starts a new course. The
``shown`` test (the dates asked for) picks the visits shown, changed and
trended; the baseline is always the battery's first visits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from poise.batteries import Battery, battery_from_dict
from poise.change import (
    BASELINE_VISITS,
    Change,
    Mdc,
    Trend,
    change_of,
    metric_mdc,
    normal_range,
    trend,
)
from poise.drills import DRILLS
from poise.drills.precision import plain
from poise.errors import PoiseError
from poise.metrics.symmetry import LSI_THRESHOLD_PCT, MetricRule
from poise.store.reader import LEGS, TrialRow
from poise.store.visits import Visit
from poise.text import metric_words, plural
from poise.visits import Done, Score, scores, symmetry, visit_trials


@dataclass(frozen=True)
class VisitScore:
    """One visit's score of a condition on a leg: ``value`` over ``trials`` of ``wanted``."""

    visit: int
    started_utc: str
    value: float
    trials: int
    wanted: int
    open: bool


@dataclass(frozen=True)
class LegCourse:
    """One leg's scores of a condition and metric over the visits, and what they say.

    Args:
        leg: ``left``, ``right`` or ``board``.
        involved: whether it is the involved side of the latest visit.
        scores: the visits shown with a score, in order.
        mdc: the metric's MDC for this leg.
        from_previous: the latest score against the one before it (None: one score).
        from_baseline: the latest against the baseline mean (None: the latest is
            a baseline visit, or there is no baseline score).
        baseline: the mean of the baseline visits' scores, and those visits.
        trend, trend_note: the trend over the scores shown, or None and why.
        normal_range, range_note: the personal normal range, or None and why.
    """

    leg: str
    involved: bool
    scores: tuple[VisitScore, ...]
    mdc: Mdc
    from_previous: Change | None
    from_baseline: Change | None
    baseline: float | None
    baseline_visits: tuple[int, ...]
    trend: Trend | None
    trend_note: str | None
    normal_range: tuple[float, float] | None
    range_note: str | None


@dataclass(frozen=True)
class LegsCompared:
    """Left against right on one visit's scores.

    Args:
        visit, started_utc: the visit compared (the latest with both legs).
        left, right: the scores.
        involved: the involved side, or None.
        lsi_pct: the limb symmetry index, %, or None (``note`` says why).
        worse_side: the worse side, or None.
        lsi_below_90: LSI under 90%.
        difference: left minus right, 4 decimals.
        mdc: the MDC of a left-right difference.
        exceeds_mdc: ``|difference| > mdc``; None without an MDC.
    """

    visit: int
    started_utc: str
    left: float | None
    right: float | None
    involved: str | None
    lsi_pct: float | None
    worse_side: str | None
    lsi_below_90: bool
    difference: float | None
    mdc: Mdc
    exceeds_mdc: bool | None
    note: str | None


@dataclass(frozen=True)
class ConditionCourse:
    """One condition and metric of a battery, over an athlete's visits.

    Args:
        athlete, battery, title, source: whose, and the battery (as the latest visit ran it).
        condition: its number in the battery, from 1.
        drill, eyes, surface: what the condition is.
        score: ``best``, ``mean`` or ``sum``; ``trials`` per leg.
        metric, unit, higher_is_better: the metric scored, from the drill's rule.
        legs: each leg's course.
        symmetry: left against right on the latest visit with both, or None.
    """

    athlete: str
    battery: str
    title: str
    source: str
    condition: int
    drill: str
    eyes: str
    surface: str
    score: str
    trials: int
    metric: str
    unit: str
    higher_is_better: bool
    legs: tuple[LegCourse, ...]
    symmetry: LegsCompared | None


@dataclass(frozen=True)
class _Ran:
    """A visit as scored: its battery, trials and scores."""

    visit: Visit
    battery: Battery
    done: list[Done]


def visit_history(
    visits: Sequence[Visit],
    trials: Sequence[TrialRow],
    shown: Callable[[str], bool] = lambda utc: True,
    drill: str | None = None,
) -> tuple[tuple[ConditionCourse, ...], dict[int, str]]:
    """Every condition and metric of the ``visits`` over time, and what could not be read.

    Args:
        visits: in start order (:func:`poise.store.visits.read_visits`).
        trials: the store's trials (those of other sessions are left out).
        shown: whether a visit starting at that UTC time is shown.
        drill: only the conditions of this drill.

    Returns:
        The courses, by athlete, battery, condition and metric; and, by visit id,
        why a visit whose stored battery cannot be read was left out.
    """
    skipped = {}
    ran: dict[tuple[str, str], list[_Ran]] = {}
    for visit in visits:
        try:
            battery = battery_from_dict(visit.battery_fields, f"visit {visit.number}")
        except PoiseError as e:
            skipped[visit.id] = f"{visit.athlete}'s {visit.battery} visit {visit.number}: {e}"
            continue
        done = visit_trials(visit.sessions, trials)
        ran.setdefault((visit.athlete, visit.battery), []).append(_Ran(visit, battery, done))
    courses = []
    for (athlete, _battery), runs in sorted(ran.items()):
        latest = runs[-1].battery
        for number, condition in enumerate(latest.conditions, 1):
            if drill is not None and condition.drill != drill:
                continue
            rules = {r.name: r for r in DRILLS[condition.drill].headline}
            same = [r for r in runs if _same(r.battery, latest, number)]
            for metric in condition.metrics:
                courses.append(
                    _course(athlete, latest, number, rules[metric], same, shown, runs[-1])
                )
    return tuple(c for c in courses if c.legs), skipped


def _same(battery: Battery, latest: Battery, number: int) -> bool:
    """Whether condition ``number`` of ``battery`` is the latest's (so they compare)."""
    if number > len(battery.conditions):
        return False
    a, b = battery.conditions[number - 1], latest.conditions[number - 1]
    return (a.drill, a.eyes, a.surface, a.score, a.trials) == (
        b.drill,
        b.eyes,
        b.surface,
        b.score,
        b.trials,
    )


def _course(
    athlete: str,
    battery: Battery,
    number: int,
    rule: MetricRule,
    runs: list[_Ran],
    shown: Callable[[str], bool],
    last: _Ran,
) -> ConditionCourse:
    condition = battery.conditions[number - 1]
    per_score = condition.trials if condition.score == "sum" else 1
    scored = {
        r.visit.number: {
            (s.leg, s.metric): s for s in scores(r.battery, r.done) if s.condition == number
        }
        for r in runs
    }
    legs_seen = [leg for leg in LEGS if any((leg, rule.name) in by for by in scored.values())]
    repeats = {leg: _repeats(runs, number, leg, rule.name) for leg in legs_seen}
    legs = []
    for leg in legs_seen:
        course = [
            VisitScore(
                r.visit.number, r.visit.started_utc, s.value, s.trials, s.wanted, r.visit.open
            )
            for r in runs
            if (s := scored[r.visit.number].get((leg, rule.name))) is not None
            and s.value is not None
            and shown(r.visit.started_utc)
        ]
        if course:
            legs.append(_leg(rule, leg, course, repeats[leg], per_score, runs, scored, last))
    return ConditionCourse(
        athlete=athlete,
        battery=battery.name,
        title=battery.title,
        source=battery.source,
        condition=number,
        **picked(condition, "drill", "eyes", "surface", "score", "trials"),
        metric=rule.name,
        unit=rule.unit,
        higher_is_better=rule.higher_is_better,
        legs=tuple(legs),
        symmetry=_compared(rule, number, runs, repeats, per_score, shown),
    )


def _repeats(runs: list[_Ran], number: int, leg: str, metric: str) -> list[list[float]]:
    """The counted trial values of each baseline visit, for the personal SEM."""
    return [
        [
            v
            for d in r.done
            if d.counts and d.condition == number and d.leg == leg
            if (v := d.metrics.get(metric)) is not None and math.isfinite(v)
        ]
        for r in runs
        if r.visit.number <= BASELINE_VISITS
    ]


def _leg(
    rule: MetricRule,
    leg: str,
    course: list[VisitScore],
    repeats: list[list[float]],
    per_score: int,
    runs: list[_Ran],
    scored: dict[int, dict[tuple[str, str], Score]],
    last: _Ran,
) -> LegCourse:
    mdc = metric_mdc(rule, repeats, per_score)
    hib = rule.higher_is_better
    latest = course[-1]
    baseline_scores = [
        (r.visit.number, s.value)
        for r in runs
        if r.visit.number <= BASELINE_VISITS
        and (s := scored[r.visit.number].get((leg, rule.name))) is not None
        and s.value is not None
    ]
    baseline = (
        math.fsum(v for _, v in baseline_scores) / len(baseline_scores) if baseline_scores else None
    )
    from_baseline = None
    if baseline is not None and latest.visit > BASELINE_VISITS:
        from_baseline = change_of(latest.value, baseline, mdc.value, hib)
    series = [(s.started_utc, s.value) for s in course]
    fitted, trend_note = trend(series, mdc.value, hib, ("visit", "visits"))
    scope, range_note = normal_range([v for _, v in baseline_scores], mdc.value)
    return LegCourse(
        leg=leg,
        involved=leg == last.visit.involved,
        scores=tuple(course),
        mdc=mdc,
        from_previous=change_of(latest.value, course[-2].value, mdc.value, hib)
        if len(course) > 1
        else None,
        from_baseline=from_baseline,
        baseline=baseline,
        baseline_visits=tuple(n for n, _ in baseline_scores),
        trend=fitted,
        trend_note=trend_note,
        normal_range=scope,
        range_note=range_note,
    )


def _compared(
    rule: MetricRule,
    number: int,
    runs: list[_Ran],
    repeats: dict[str, list[list[float]]],
    per_score: int,
    shown: Callable[[str], bool],
) -> LegsCompared | None:
    """Left against right on the latest shown visit whose scores have both legs."""
    if not DRILLS[runs[-1].battery.conditions[number - 1].drill].compares_legs:
        return None
    for r in reversed(runs):
        if not shown(r.visit.started_utc):
            continue
        found = [
            m
            for m in symmetry(r.battery, scores(r.battery, r.done), r.visit.involved)
            if m.condition == number and m.metric == rule.name
        ]
        if not found or found[0].left is None or found[0].right is None:
            continue
        m = found[0]
        mdc = metric_mdc(rule, repeats.get("left", []) + repeats.get("right", []), per_score)
        difference = round(m.left - m.right, 4)
        return LegsCompared(
            visit=r.visit.number,
            started_utc=r.visit.started_utc,
            left=m.left,
            right=m.right,
            involved=r.visit.involved,
            lsi_pct=m.lsi_pct,
            worse_side=m.worse_side,
            lsi_below_90=m.flagged,
            difference=difference,
            mdc=mdc,
            exceeds_mdc=None if mdc.value is None else abs(difference) > mdc.value,
            note=m.reason,
        )
    return None


def figures(drill: str, metric: str, unit: str) -> tuple[Callable[..., str], str]:
    """How a metric's figures are printed: the number (to the figure's resolution,
    :meth:`poise.drills.drill.Drill.resolution`) and the unit to put after it."""
    resolution = DRILLS[drill].resolution(metric) if drill in DRILLS else None
    num = plain if resolution is None else resolution.text
    shown = unit if resolution is None else resolution.unit
    return num, "" if shown in ("1", "count") else f" {shown}"


def mdc_words(mdc: Mdc, num: Callable[..., str], unit: str) -> str:
    """``MDC 4.7 deg (published)``, ``MDC 2.1 s (personal, SEM 0.76 s, 8 df)``, or why none."""
    if mdc.value is None:
        return mdc.note
    if mdc.kind == "published":
        return f"MDC {num(mdc.value)}{unit} (published)"
    return f"MDC {num(mdc.value)}{unit} (personal, SEM {num(mdc.sem)}{unit}, {mdc.df} df)"


def change_words(c: Change, num: Callable[..., str], unit: str) -> str:
    """``+1.2 s, better``, ``-0.3 s, no detectable change``, ``+1.0 s, not judged``."""
    return f"{num(c.change, '+')}{unit}, {c.verdict or 'not judged'}"


def trend_words(t: Trend, num: Callable[..., str], unit: str) -> str:
    """``trend +0.5 s a week (95% CI -0.2 to +1.2, +1.5 s over 3 weeks), no detectable change``."""
    low, high = t.ci95
    return (
        f"trend {num(t.per_week, '+')}{unit} a week (95% CI {num(low, '+')} to "
        f"{num(high, '+')}, {num(t.over_span, '+')}{unit} over {t.span_weeks:.3g} weeks), "
        f"{t.verdict or 'not judged'}"
    )


def format_courses(courses: Sequence[ConditionCourse]) -> list[str]:
    """One athlete's courses as indented lines: per battery, condition and metric each
    leg's scores, MDC, changes and trend, then left against right."""
    lines: list[str] = []
    battery = None
    for c in courses:
        num, unit = figures(c.drill, c.metric, c.unit)
        if c.battery != battery:
            battery = c.battery
            shown = sorted({(s.visit, s.started_utc[:10]) for leg in c.legs for s in leg.scores})
            days = sorted({day for _, day in shown})
            lines.append(
                f"  {c.battery} ({c.title}): {plural(len(shown), 'visit')}, "
                + (days[0] if len(days) == 1 else f"{days[0]} to {days[-1]}")
            )
        lines.append(
            f"    {c.condition}. {c.drill}, eyes {c.eyes}, {c.surface} surface, "
            f"{c.score} of {c.trials}: {metric_words(c.metric)}"
        )
        for leg in c.legs:
            side = " (involved)" if leg.involved else ""
            shown = ", ".join(
                f"{s.visit}: {num(s.value)}{unit} on {s.started_utc[:10]}"
                + (f" ({s.trials} of {s.wanted})" if s.trials < s.wanted else "")
                + (" (open)" if s.open else "")
                for s in leg.scores
            )
            lines.append(f"      {_leg_name(leg.leg)}{side}, by visit: {shown}")
            detail = [mdc_words(leg.mdc, num, unit)]
            if leg.normal_range is not None:
                low, high = leg.normal_range
                detail.append(f"normal range {num(low)} to {num(high)}{unit}")
            lines.append(f"        {'; '.join(detail)}")
            changes = []
            if leg.from_previous is not None:
                changes.append(
                    f"from visit {leg.scores[-2].visit}: "
                    + change_words(leg.from_previous, num, unit)
                )
            if leg.from_baseline is not None:
                changes.append(
                    f"from the baseline ({num(leg.baseline)}{unit}, visits "
                    f"{_numbers(leg.baseline_visits)}): "
                    + change_words(leg.from_baseline, num, unit)
                )
            changes.append(
                trend_words(leg.trend, num, unit)
                if leg.trend is not None
                else f"no trend, {leg.trend_note}"
            )
            lines.append(f"        {'; '.join(changes)}")
        if c.symmetry is not None:
            lines.append(f"      {_symmetry_words(c.symmetry, num, unit)}")
    return lines


def _symmetry_words(s: LegsCompared, num: Callable[..., str], unit: str) -> str:
    side = f", {s.involved} involved" if s.involved else ""
    lsi = f"LSI {s.lsi_pct:.1f}%" if s.lsi_pct is not None else f"LSI - ({s.note})"
    worse = f", {s.worse_side} worse" if s.worse_side else ""
    flags = [f"LSI < {LSI_THRESHOLD_PCT:g}%"] * s.lsi_below_90
    if s.exceeds_mdc:
        flags.append("difference > MDC")
    judged = (
        f"{'beyond' if s.exceeds_mdc else 'within'} the {mdc_words(s.mdc, num, unit)}"
        if s.mdc.value is not None
        else f"not judged: {s.mdc.note}"
    )
    return (
        f"left against right, visit {s.visit}{side}: left {num(s.left)}, right "
        f"{num(s.right)}{unit}; {lsi}{worse}; difference {num(s.difference, '+')}{unit}, "
        f"{judged}" + (f"  [{'; '.join(flags)}]" if flags else "")
    )


def _leg_name(leg: str) -> str:
    return "board" if leg == "board" else f"{leg} leg"


def _numbers(numbers: Sequence[int]) -> str:
    """``1-3`` for a run, else ``1, 3, 4``."""
    if len(numbers) > 2 and list(numbers) == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}-{numbers[-1]}"
    return ", ".join(map(str, numbers))


def picked(obj: Any, *names: str) -> dict[str, Any]:
    """``{name: obj.name}`` for each of ``names``: a record's fields for the JSON."""
    return {name: getattr(obj, name) for name in names}


def course_dict(c: ConditionCourse) -> dict[str, Any]:
    """A course, JSON-ready, with stable keys (documented in docs/progression-store.md)."""
    return {
        **picked(c, "battery", "condition", "drill", "eyes", "surface", "score", "trials"),
        **picked(c, "metric", "unit", "higher_is_better"),
        "legs": [
            {
                "leg": leg.leg,
                "involved": leg.involved,
                "scores": [
                    {
                        **picked(s, "visit", "started_utc", "value", "trials"),
                        "of": s.wanted,
                        "open": s.open,
                    }
                    for s in leg.scores
                ],
                "mdc": mdc_dict(leg.mdc),
                "from_previous": change_dict(leg.from_previous)
                and {"visit": leg.scores[-2].visit, **change_dict(leg.from_previous)},
                "from_baseline": change_dict(leg.from_baseline)
                and {
                    "visits": list(leg.baseline_visits),
                    "baseline": leg.baseline,
                    **change_dict(leg.from_baseline),
                },
                "trend": trend_dict(leg.trend, leg.trend_note),
                "normal_range": list(leg.normal_range) if leg.normal_range else None,
                "normal_range_note": leg.range_note,
            }
            for leg in c.legs
        ],
        "symmetry": None
        if c.symmetry is None
        else {
            **picked(c.symmetry, "visit", "started_utc", "left", "right", "involved"),
            **picked(c.symmetry, "lsi_pct", "worse_side", "lsi_below_90", "difference"),
            "mdc": mdc_dict(c.symmetry.mdc),
            **picked(c.symmetry, "exceeds_mdc", "note"),
        },
    }


def mdc_dict(m: Mdc) -> dict[str, Any]:
    """An MDC, JSON-ready: ``value``, ``kind``, ``sem``, ``df``, ``note``."""
    return picked(m, "value", "kind", "sem", "df", "note")


def change_dict(c: Change | None) -> dict[str, Any] | None:
    """A change, JSON-ready: ``change``, ``verdict`` (None: not judged), ``why``."""
    return None if c is None else {"change": c.change, "verdict": c.verdict, "why": c.why}


def trend_dict(t: Trend | None, note: str | None) -> dict[str, Any]:
    """A trend, JSON-ready; where there is none, ``per_week`` and the rest None and
    ``note`` why."""
    if t is None:
        return dict.fromkeys(TREND_KEYS) | {"note": note}
    return {
        "per_week": t.per_week,
        "ci95": list(t.ci95),
        "span_weeks": t.span_weeks,
        "over_span": t.over_span,
        "n": t.n,
        "verdict": t.verdict,
        "why": t.why,
        "note": None,
    }


#: The keys of :func:`trend_dict`, trend or not.
TREND_KEYS = ("per_week", "ci95", "span_weeks", "over_span", "n", "verdict", "why", "note")
