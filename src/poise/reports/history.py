"""Progress over time: per athlete, drill, leg and condition, each headline metric's course.

For every group of trials (athlete, drill, leg, eyes, surface) and each of the
drill's headline metrics (:mod:`poise.store.headline`: direction and MDC from
the limb-symmetry rules), over **complete** trials only:

- ``n``, the latest value and the best one (the highest or lowest, as the
  metric's direction says; the first trial to reach it);
- the **trend**, the least-squares slope of value against trial start time,
  per week: ``sum((t - t_mean)(y - y_mean)) / sum((t - t_mean)^2)`` with
  ``t`` in weeks. Only with at least :data:`TREND_MIN_TRIALS` trials spanning
  at least :data:`TREND_MIN_SPAN_DAYS` days; otherwise None and why;
- the **change** of the latest against the previous trial, to 4 decimals,
  and whether it exceeds the metric's minimal detectable change (MDC95, the
  smallest change beyond measurement error); None with "no MDC" where no
  published MDC fits the measure.

Interrupted, aborted and running trials are only counted. The legs are
compared on the latest complete trial of each (:func:`poise.drills.compare_limbs`:
LSI, flagged under 90%).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poise.analysis.report import format_symmetry
from poise.drills import RULES, compare_limbs
from poise.errors import InputError, PoiseError
from poise.files import atomic_write_text
from poise.metrics.symmetry import MetricRule
from poise.store.headline import headline_rule, headline_rules
from poise.store.paths import default_store_path
from poise.store.preflight import check_recordings_have_store
from poise.store.sqlite import Store, TrialRow
from poise.store.utc import parse_utc

#: Trial statuses in the order they are counted.
STATUSES = ("complete", "interrupted", "aborted", "running")
TREND_MIN_TRIALS = 3
TREND_MIN_SPAN_DAYS = 7.0
#: Columns of :func:`export_csv`, one row per trial and metric.
CSV_COLUMNS = (
    "trial",
    "athlete",
    "date",
    "drill",
    "leg",
    "eyes",
    "surface",
    "status",
    "metric",
    "value",
    "unit",
    "algorithm_version",
)


@dataclass(frozen=True)
class MetricHistory:
    """One headline metric's course over a group's complete trials.

    Args:
        name, unit, higher_is_better: from the metric's rule.
        n: complete trials with a value.
        latest, latest_utc: the latest value and its trial's start.
        best, best_utc: the best value (by direction) and the first trial to reach it.
        previous: the value before the latest, or None.
        change: ``latest - previous`` to 4 decimals, or None.
        change_better: whether the change is an improvement (None: no change).
        mdc: the metric's MDC95 in ``unit``, or None if none is known.
        exceeds_mdc: ``|change| > mdc``; None without a change or an MDC.
        trend_per_week: least-squares slope, ``unit`` per week, or None.
        trend_note: why there is no trend, else None.
    """

    name: str
    unit: str
    higher_is_better: bool
    n: int
    latest: float
    latest_utc: str
    best: float
    best_utc: str
    previous: float | None
    change: float | None
    change_better: bool | None
    mdc: float | None
    exceeds_mdc: bool | None
    trend_per_week: float | None
    trend_note: str | None


@dataclass(frozen=True)
class GroupHistory:
    """The trials of one athlete, drill, leg and condition.

    Args:
        athlete, drill, leg, eyes, surface: the group.
        counts: trials per status (complete, interrupted, aborted, running).
        metrics: each headline metric with at least one value.
    """

    athlete: str
    drill: str
    leg: str
    eyes: str
    surface: str
    counts: dict[str, int]
    metrics: tuple[MetricHistory, ...]


@dataclass(frozen=True)
class SymmetryHistory:
    """Left against right on the latest complete trial of each leg.

    Args:
        athlete, drill, eyes, surface: the condition compared.
        left_utc, right_utc: the start of the two trials compared.
        comparison: :func:`poise.metrics.symmetry.compare_limbs` of their results, or None.
        note: why there is no comparison, else None.
    """

    athlete: str
    drill: str
    eyes: str
    surface: str
    left_utc: str
    right_utc: str
    comparison: dict[str, Any] | None
    note: str | None


@dataclass(frozen=True)
class History:
    """The history of a store (or one athlete): groups, symmetry, and the trials behind them."""

    groups: tuple[GroupHistory, ...]
    symmetry: tuple[SymmetryHistory, ...]
    trials: tuple[TrialRow, ...]


def history(store: Store, athlete: str | None = None) -> History:
    """The history of every athlete in ``store``, or of one.

    Raises:
        PoiseError: no athlete of that name is in the store.
    """
    if athlete is not None and athlete.strip() not in store.athletes():
        known = ", ".join(store.athletes()) or "none yet"
        raise PoiseError(f"{store.path}: no athlete called {athlete.strip()!r} (known: {known})")
    return build_history(store.trials(athlete=athlete))


def build_history(trials: Sequence[TrialRow]) -> History:
    """The history of ``trials`` (in start order, as :meth:`Store.trials` gives them)."""
    groups: dict[tuple[str, ...], list[TrialRow]] = {}
    for trial in trials:
        key = (trial.athlete, trial.drill, trial.leg, trial.eyes, trial.surface)
        groups.setdefault(key, []).append(trial)
    group_histories = tuple(_group(key, rows) for key, rows in sorted(groups.items()))
    return History(group_histories, _symmetry(groups), tuple(trials))


def _group(key: tuple[str, ...], rows: list[TrialRow]) -> GroupHistory:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    complete = [row for row in rows if row.status == "complete"]
    metrics = []
    for rule in headline_rules(key[1]):
        series = [
            (row.started_utc, row.metrics[rule.name])
            for row in complete
            if row.metrics.get(rule.name) is not None
        ]
        if series:
            metrics.append(metric_history(rule, series))
    return GroupHistory(*key, counts=counts, metrics=tuple(metrics))


def metric_history(rule: MetricRule, series: Sequence[tuple[str, float]]) -> MetricHistory:
    """The course of one metric from ``(started_utc, value)`` pairs in time order.

    >>> from poise.drills import RULES
    >>> h = metric_history(RULES["lunge"][0], [("2025-03-01T09:00:00Z", 38.0),
    ...                                        ("2025-03-05T09:00:00Z", 43.5)])
    >>> h.best, h.change, h.change_better, h.exceeds_mdc, h.trend_note
    (43.5, 5.5, True, True, 'only 2 complete trials (a trend needs 3)')
    """
    values = [value for _, value in series]
    best_value = max(values) if rule.higher_is_better else min(values)
    best_utc = series[values.index(best_value)][0]
    previous = values[-2] if len(values) > 1 else None
    change = None if previous is None else round(values[-1] - previous, 4)
    trend, note = trend_per_week(series)
    return MetricHistory(
        name=rule.name,
        unit=rule.unit,
        higher_is_better=rule.higher_is_better,
        n=len(values),
        latest=values[-1],
        latest_utc=series[-1][0],
        best=best_value,
        best_utc=best_utc,
        previous=previous,
        change=change,
        change_better=None if not change else (change > 0) == rule.higher_is_better,
        mdc=rule.mdc,
        exceeds_mdc=None if change is None or rule.mdc is None else abs(change) > rule.mdc,
        trend_per_week=trend,
        trend_note=note,
    )


def trend_per_week(series: Sequence[tuple[str, float]]) -> tuple[float | None, str | None]:
    """Least-squares slope of value against time, per week, or None and why not.

    >>> trend_per_week([("2025-03-01T00:00:00Z", 1.0), ("2025-03-08T00:00:00Z", 2.0),
    ...                 ("2025-03-15T00:00:00Z", 3.0)])
    (1.0, None)
    """
    if len(series) < TREND_MIN_TRIALS:
        return None, f"only {len(series)} complete trials (a trend needs {TREND_MIN_TRIALS})"
    start = parse_utc(series[0][0])
    weeks = [(parse_utc(utc) - start).total_seconds() / (7 * 86400.0) for utc, _ in series]
    span_days = (max(weeks) - min(weeks)) * 7.0
    if span_days < TREND_MIN_SPAN_DAYS:
        return None, f"trials span {span_days:.3g} days (a trend needs {TREND_MIN_SPAN_DAYS:g})"
    values = [value for _, value in series]
    t_mean = math.fsum(weeks) / len(weeks)
    y_mean = math.fsum(values) / len(values)
    covariance = math.fsum((t - t_mean) * (y - y_mean) for t, y in zip(weeks, values, strict=True))
    variance = math.fsum((t - t_mean) ** 2 for t in weeks)
    return covariance / variance, None


def _symmetry(groups: dict[tuple[str, ...], list[TrialRow]]) -> tuple[SymmetryHistory, ...]:
    out = []
    conditions = sorted({(a, d, e, s) for a, d, leg, e, s in groups if d in RULES})
    for athlete, drill, eyes, surface in conditions:
        latest = {}
        for leg in ("left", "right"):
            complete = [
                row
                for row in groups.get((athlete, drill, leg, eyes, surface), [])
                if row.status == "complete" and row.result is not None
            ]
            if complete:
                latest[leg] = complete[-1]
        if len(latest) < 2:
            continue
        left, right = latest["left"], latest["right"]
        comparison, note = None, None
        try:
            comparison = compare_limbs(left.result, right.result)
        except InputError as e:
            note = str(e)
        out.append(
            SymmetryHistory(
                athlete, drill, eyes, surface, left.started_utc, right.started_utc, comparison, note
            )
        )
    return tuple(out)


def format_history(h: History) -> str:
    """The history as short lines for the terminal: per athlete, each group's trial counts
    and one sentence per metric, then left against right."""
    if not h.trials:
        return "no trials logged yet"
    lines: list[str] = []
    for athlete in sorted({g.athlete for g in h.groups}):
        lines += ["", athlete] if lines else [athlete]
        for group in (g for g in h.groups if g.athlete == athlete):
            counts = ", ".join(
                f"{group.counts[status]} {status}" for status in STATUSES if status in group.counts
            )
            lines.append(
                f"  {group.drill}, {_leg(group.leg)}, eyes {group.eyes}, {group.surface} surface: "
                f"{counts}"
            )
            lines += [f"    {_metric_sentence(m)}" for m in group.metrics]
        for s in (s for s in h.symmetry if s.athlete == athlete):
            lines.append(
                f"  {s.drill}, left against right, eyes {s.eyes}, {s.surface} surface "
                f"(latest trials {s.left_utc[:10]} and {s.right_utc[:10]}):"
            )
            if s.comparison is None:
                lines.append(f"    {s.note}")
            else:
                lines += ["  " + line for line in format_symmetry(s.comparison).splitlines()[1:]]
    return "\n".join(lines)


def _leg(leg: str) -> str:
    return "board" if leg == "board" else f"{leg} leg"


def _metric_sentence(m: MetricHistory) -> str:
    unit = "" if m.unit in ("1", "count") else f" {m.unit}"
    parts = [
        f"{_label(m.name)}: {_num(m.latest)}{unit} on {m.latest_utc[:10]}",
        f"best {_num(m.best)}{unit} on {m.best_utc[:10]}",
    ]
    if m.trend_per_week is None:
        parts.append(f"no trend, {m.trend_note}")
    elif m.trend_per_week == 0:
        parts.append("trend flat")
    else:
        parts.append(
            f"trend {_signed(m.trend_per_week)}{unit} a week"
            + _judged(m.trend_per_week, m.higher_is_better)
        )
    if m.change == 0:
        parts.append("no change from the previous trial")
    elif m.change is not None:
        if m.mdc is None:
            mdc = "no MDC"
        else:
            mdc = f"{'beyond' if m.exceeds_mdc else 'within'} the MDC of {_num(m.mdc)}{unit}"
        parts.append(
            f"change {_signed(m.change)}{unit} from the previous trial"
            + _judged(m.change, m.higher_is_better)
            + f", {mdc}"
        )
    return "; ".join(parts)


def _judged(delta: float, higher_is_better: bool) -> str:
    return ", better" if (delta > 0) == higher_is_better else ", worse"


def _label(name: str) -> str:
    """A metric's name without its unit suffix, in words: ``sway_rms_deg`` -> ``sway rms``."""
    words = name.split("_")
    if len(words) > 1 and words[-1] in ("deg", "deg2", "dps", "s", "m", "g", "pct"):
        words = words[:-1]
    return " ".join(words)


def _num(x: float) -> str:
    return format(x, ".3g")


def _signed(x: float) -> str:
    return format(x, "+.3g")


def export_csv(source: History | Store, path: str | Path) -> int:
    """Write every trial's metrics to ``path`` as CSV (atomic); the number of data rows.

    One row per trial and metric (:data:`CSV_COLUMNS`); ``date`` is the trial's
    start, ISO 8601 UTC; a trial without metrics (interrupted, aborted) gets
    one row with ``metric`` and ``value`` empty, so every trial appears; an
    uncomputable metric has an empty ``value``.
    """
    h = history(source) if isinstance(source, Store) else source
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows = list(_csv_rows(h.trials))
    writer.writerows(rows)
    atomic_write_text(path, buffer.getvalue())
    return len(rows)


def _csv_rows(trials: Iterable[TrialRow]) -> Iterable[tuple[Any, ...]]:
    for t in trials:
        head = (t.id, t.athlete, t.started_utc, t.drill, t.leg, t.eyes, t.surface, t.status)
        if not t.metrics:
            yield (*head, "", "", "", t.algorithm_version)
        for name, value in t.metrics.items():
            rule = headline_rule(t.drill, name)
            unit = rule.unit if rule else ""
            yield (*head, name, "" if value is None else repr(value), unit, t.algorithm_version)


def run_history(
    store_path: str | Path | None = None,
    athlete: str | None = None,
    csv_path: str | Path | None = None,
) -> str:
    """What ``poise history [--athlete NAME] [--csv FILE]`` prints (the CSV written first).

    Args:
        store_path: the store (:func:`poise.store.default_store_path` if None or empty).

    Raises:
        PoiseError: no store there yet, no such athlete, or the CSV cannot be written.
    """
    path = Path(store_path) if store_path else default_store_path()
    check_recordings_have_store(path)  # a lost or emptied store is not an empty history
    if not path.is_file():
        raise PoiseError(f"{path}: no progression store yet (no session has been logged)")
    if path.stat().st_size == 0:
        raise PoiseError(f"{path}: an empty file (0 bytes), not a store: no session logged in it")
    with Store.open(path) as store:
        h = history(store, athlete)
    text = format_history(h)
    if csv_path:
        try:
            rows = export_csv(h, csv_path)
        except OSError as e:
            raise PoiseError(f"{csv_path}: cannot write: {e.strerror or e}") from None
        text += f"\n\n{csv_path}: {rows} rows (one per trial and metric)"
    return text
