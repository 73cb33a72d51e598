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

Interrupted, aborted and running trials are only counted. A complete trial
whose result was **invalid** (:mod:`poise.validity`) is named and left out of
everything above; one that needs **attention** is counted in, and marked
where it is the latest; one logged before the store kept verdicts is of
unknown validity, and counted as such. A trial marked invalid by hand
(``poise trial invalid``, :attr:`TrialRow.marked_invalid`) is left out the same
way, named with the mark's reason. The legs are compared on the latest
complete trial of each that is not invalid (:func:`poise.drills.compare_limbs`:
LSI, flagged under 90%); a later invalid trial, or one needing attention, is
said beside the comparison.

The store is opened read-only (:meth:`Store.open_readonly`) and read
trial by trial (:mod:`poise.store.reader`): after SQLite's quick check, the
trials that cannot be read are named, the others shown, and the user pointed
at ``poise store check`` and ``poise store rebuild``. Names are escaped for
the terminal and the CSV (:mod:`poise.names`).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poise.drills import DRILLS, RULES, compare_limbs
from poise.drills.precision import plain
from poise.errors import InputError, PoiseError
from poise.files import create_exclusive
from poise.metrics.symmetry import MetricRule
from poise.names import athlete_name, csv_safe, terminal_safe
from poise.reports.symmetry import format_symmetry
from poise.store.faults import FAULTS, fault_text, one_line
from poise.store.headline import headline_rule, headline_rules
from poise.store.paths import default_store_path, recordings_dir
from poise.store.preflight import check_recordings_have_store
from poise.store.reader import Unreadable
from poise.store.sqlite import Store, TrialRow
from poise.store.utc import parse_utc
from poise.text import metric_words, span_words

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
    "validity",
    "warnings",
)
#: Unreadable trials named one by one in the text, at most; the rest are counted.
NAMED_UNREADABLE = 10


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
        latest_validity: the latest trial's verdict (None: unknown).
        latest_codes: its warning codes.
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
    latest_validity: str | None = None
    latest_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupHistory:
    """The trials of one athlete, drill, leg and condition.

    Args:
        athlete, drill, leg, eyes, surface: the group.
        counts: trials per status (complete, interrupted, aborted, running).
        metrics: each headline metric with at least one value, over the complete
            trials that are not invalid.
        verdicts: the complete trials per validity (``valid``, ``attention``,
            ``invalid``, ``unknown``; ``marked``: marked invalid by hand, whatever
            their verdict).
        left_out: the complete trials left out as invalid or marked invalid.
    """

    athlete: str
    drill: str
    leg: str
    eyes: str
    surface: str
    counts: dict[str, int]
    metrics: tuple[MetricHistory, ...]
    verdicts: dict[str, int] = dataclasses.field(default_factory=dict)
    left_out: tuple[TrialRow, ...] = ()


@dataclass(frozen=True)
class SymmetryHistory:
    """Left against right on the latest complete trial of each leg.

    Args:
        athlete, drill, eyes, surface: the condition compared.
        left_utc, right_utc: the start of the two trials compared (None: that
            leg has no trial that is not invalid).
        comparison: :func:`poise.metrics.symmetry.compare_limbs` of their results, or None.
        note: why there is no comparison, else None.
        flags: what the reader must know of the trials compared or left out
            (invalid ones skipped, ones needing attention).
    """

    athlete: str
    drill: str
    eyes: str
    surface: str
    left_utc: str | None
    right_utc: str | None
    comparison: dict[str, Any] | None
    note: str | None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class History:
    """The history of a store (or one athlete): groups, symmetry, and the trials behind them.

    Args:
        unreadable: trials of the store that could not be read (whoever's they were).
        complete: False when the store's trials may not all have been listed (the
            trials table could not be read to its end, or the quick check found
            damage: a damaged page can lose or renumber a row unseen).
        problems: what SQLite's quick check found (empty: nothing).
        note: how the store was opened, where the reader must know (read-only media).
    """

    groups: tuple[GroupHistory, ...]
    symmetry: tuple[SymmetryHistory, ...]
    trials: tuple[TrialRow, ...]
    unreadable: tuple[Unreadable, ...] = ()
    complete: bool = True
    problems: tuple[str, ...] = ()
    note: str | None = None

    @property
    def damaged(self) -> bool:
        return bool(self.unreadable or self.problems or not self.complete)


def history(store: Store, athlete: str | None = None) -> History:
    """The history of every athlete in ``store``, or of one, from what can be read of it.

    Raises:
        PoiseError: no athlete of that name is in the store, or ``athlete`` is
            not a name (:func:`poise.names.athlete_name`).
        sqlite3.DatabaseError, UnicodeDecodeError: not even the store's schema can be
            read (:data:`poise.store.faults.FAULTS`).
    """
    problems = tuple(store.quick_check())
    reading = store.reading()
    trials = reading.trials
    if athlete is not None:
        try:
            name = athlete_name(athlete)
        except ValueError as e:
            raise PoiseError(str(e)) from None
        known = sorted(set(store.athletes()) | {t.athlete for t in trials})
        if name not in known:
            damage = f"; {len(reading.unreadable)} trials could not be read" * bool(
                reading.unreadable
            )
            raise PoiseError(
                f"{store.path}: no athlete called {terminal_safe(name)!r} (known: "
                f"{', '.join(map(terminal_safe, known)) or 'none yet'}){damage}"
            )
        trials = tuple(t for t in trials if t.athlete == name)
    h = build_history(trials)
    return dataclasses.replace(
        h,
        unreadable=reading.unreadable,
        complete=reading.complete and not problems,  # a damaged tree can lose rows unseen
        problems=problems,
        note=store.note,
    )


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
    verdicts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
        if row.status == "complete":
            verdict = "marked" if row.marked_invalid is not None else row.validity or "unknown"
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
    complete = [row for row in rows if row.status == "complete"]
    usable = [row for row in complete if not row.invalid]
    metrics = []
    for rule in headline_rules(key[1]):
        trials = [row for row in usable if row.metrics.get(rule.name) is not None]
        series = [(row.started_utc, row.metrics[rule.name]) for row in trials]
        if series:
            metrics.append(
                dataclasses.replace(
                    metric_history(rule, series),
                    latest_validity=trials[-1].validity,
                    latest_codes=trials[-1].warning_codes,
                )
            )
    left_out = tuple(row for row in complete if row.invalid)
    return GroupHistory(
        *key, counts=counts, metrics=tuple(metrics), verdicts=verdicts, left_out=left_out
    )


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
        return None, (
            f"trials span {span_words(span_days)} (a trend needs {TREND_MIN_SPAN_DAYS:g} days)"
        )
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
        latest: dict[str, TrialRow | None] = {}
        flags = []
        for leg in ("left", "right"):
            complete = [
                row
                for row in groups.get((athlete, drill, leg, eyes, surface), [])
                if row.status == "complete" and row.result is not None
            ]
            if not complete:
                continue
            usable = [row for row in complete if not row.invalid]
            latest[leg] = usable[-1] if usable else None
            after = complete[complete.index(usable[-1]) + 1 :] if usable else complete
            if after:
                what = "the latest trial is" if len(after) == 1 else f"the latest {len(after)} are"
                flags.append(
                    f"{leg}: {what} invalid, not compared "
                    f"({_verdict(after[-1])}, {after[-1].started_utc[:10]})"
                )
            if usable and usable[-1].validity == "attention":
                flags.append(f"{leg}: the trial compared needs attention ({_verdict(usable[-1])})")
        if len(latest) < 2:
            continue
        left, right = latest["left"], latest["right"]
        comparison, note = None, None
        if left is None or right is None:
            note = f"no {'left' if left is None else 'right'} trial that is not invalid to compare"
        else:
            try:
                comparison = compare_limbs(left.result, right.result)
            except InputError as e:
                note = str(e)
        out.append(
            SymmetryHistory(
                athlete,
                drill,
                eyes,
                surface,
                left and left.started_utc,
                right and right.started_utc,
                comparison,
                note,
                tuple(flags),
            )
        )
    return tuple(out)


def _verdict(trial: TrialRow) -> str:
    """A trial's verdict in words: ``invalid: drill_mismatch, noise``, or the reason it is
    marked invalid (escaped: it was typed by a person)."""
    if trial.marked_invalid is not None:
        return f"marked invalid: {terminal_safe(trial.marked_invalid)}"
    validity = trial.validity or "validity unknown"
    return f"{validity}: {', '.join(trial.warning_codes)}" if trial.warning_codes else validity


def format_history(h: History) -> str:
    """The history as short lines for the terminal: what is wrong with the store first,
    then per athlete each group's trial counts and one sentence per metric, then left
    against right. Names are escaped (:func:`poise.names.terminal_safe`)."""
    lines = _damage(h) + ([h.note] if h.note else [])
    if not h.trials:
        return "\n".join([*lines, "no trials logged yet" if not h.damaged else "no trial read"])
    for athlete in sorted({g.athlete for g in h.groups}):
        lines += ["", terminal_safe(athlete)] if lines else [terminal_safe(athlete)]
        for group in (g for g in h.groups if g.athlete == athlete):
            counts = ", ".join(
                f"{group.counts[status]} {status}" + _verdicts(group) * (status == "complete")
                for status in STATUSES
                if status in group.counts
            )
            lines.append(
                f"  {group.drill}, {_leg(group.leg)}, eyes {group.eyes}, {group.surface} surface: "
                f"{counts}"
            )
            lines += [
                f"    left out, invalid: the trial of {t.started_utc[:10]} ({_verdict(t)})"
                for t in group.left_out
            ]
            attention = {
                (m.latest_utc, m.latest_codes)
                for m in group.metrics
                if m.latest_validity == "attention"
            }
            lines += [
                f"    the latest trial, of {utc[:10]}, needs attention"
                + (f" ({', '.join(codes)})" if codes else "")
                for utc, codes in sorted(attention)
            ]
            lines += [f"    {_metric_sentence(m, group.drill)}" for m in group.metrics]
        for s in (s for s in h.symmetry if s.athlete == athlete):
            dates = " and ".join(utc[:10] for utc in (s.left_utc, s.right_utc) if utc)
            lines.append(
                f"  {s.drill}, left against right, eyes {s.eyes}, {s.surface} surface "
                f"(latest trials {dates}):"
            )
            lines += [f"    {flag}" for flag in s.flags]
            if s.comparison is None:
                lines.append(f"    {s.note}")
            else:
                lines += ["  " + line for line in format_symmetry(s.comparison).splitlines()[1:]]
    return "\n".join(lines)


def _damage(h: History) -> list[str]:
    """What is wrong with the store, and what to do, as lines (none for a sound store)."""
    if not h.damaged:
        return []
    found = f" (SQLite's quick check: {one_line(h.problems[0])})" if h.problems else ""
    lines = [f"the store is damaged{found}; what could be read follows."]
    for lost in h.unreadable[:NAMED_UNREADABLE]:
        which = "a trial" if lost.trial_id is None else f"trial {lost.trial_id}"
        lines.append(f"  {which} cannot be read: {terminal_safe(lost.reason)}; left out")
    if len(h.unreadable) > NAMED_UNREADABLE:
        lines.append(f"  and {len(h.unreadable) - NAMED_UNREADABLE} more trials cannot be read")
    if not h.complete:
        lines.append("  some trials may be missing without a name: the store's pages are damaged")
    lines.append(
        "  `poise store check` compares the store with its recordings; "
        "`poise store rebuild --from DIR` recreates it from them."
    )
    return lines


def _verdicts(group: GroupHistory) -> str:
    """`` (1 invalid, left out; 2 attention)``: the complete trials that are not simply valid."""
    words = {
        "marked": "marked invalid, left out",
        "invalid": "invalid, left out",
        "attention": "attention",
        "unknown": "validity unknown",
    }
    parts = [f"{group.verdicts[v]} {word}" for v, word in words.items() if group.verdicts.get(v)]
    return f" ({'; '.join(parts)})" if parts else ""


def _leg(leg: str) -> str:
    return "board" if leg == "board" else f"{leg} leg"


def _metric_sentence(m: MetricHistory, drill: str) -> str:
    """A metric's course in one sentence, each figure printed to what it resolves
    (:meth:`poise.drills.drill.Drill.resolution`)."""
    resolution = DRILLS[drill].resolution(m.name) if drill in DRILLS else None
    num = plain if resolution is None else resolution.text
    shown = m.unit if resolution is None else resolution.unit
    unit = "" if shown in ("1", "count") else f" {shown}"
    parts = [
        f"{metric_words(m.name)}: {num(m.latest)}{unit} on {m.latest_utc[:10]}",
        f"best {num(m.best)}{unit} on {m.best_utc[:10]}",
    ]
    if m.trend_per_week is None:
        parts.append(f"no trend, {m.trend_note}")
    elif m.trend_per_week == 0:
        parts.append("trend flat")
    else:
        parts.append(
            f"trend {num(m.trend_per_week, '+')}{unit} a week"
            + _judged(m.trend_per_week, m.higher_is_better)
        )
    if m.change == 0:
        parts.append("no change from the previous trial")
    elif m.change is not None:
        if m.mdc is None:
            mdc = "no MDC"
        else:
            mdc = f"{'beyond' if m.exceeds_mdc else 'within'} the MDC of {num(m.mdc)}{unit}"
        parts.append(
            f"change {num(m.change, '+')}{unit} from the previous trial"
            + _judged(m.change, m.higher_is_better)
            + f", {mdc}"
        )
    return "; ".join(parts)


def _judged(delta: float, higher_is_better: bool) -> str:
    return ", better" if (delta > 0) == higher_is_better else ", worse"


def export_csv(source: History | Store, path: str | Path) -> int:
    """Write every trial's metrics to a new file at ``path`` as CSV; the number of data rows.

    One row per trial and metric (:data:`CSV_COLUMNS`); ``date`` is the trial's
    start, ISO 8601 UTC; a trial without metrics (interrupted, aborted) gets
    one row with ``metric`` and ``value`` empty, so every trial appears; an
    uncomputable metric has an empty ``value``; ``validity`` is empty where
    unknown, ``warnings`` the codes separated by spaces. Text cells cannot
    run as spreadsheet formulas (:func:`poise.names.csv_safe`). The file is
    created exclusively, 0600, whole or not at all
    (:func:`poise.files.create_exclusive`): an existing file or link is refused.
    """
    h = history(source) if isinstance(source, Store) else source
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows = list(_csv_rows(h.trials))
    writer.writerows(rows)
    os.close(create_exclusive(path, buffer.getvalue().encode("utf-8")))
    return len(rows)


def _csv_rows(trials: Iterable[TrialRow]) -> Iterable[tuple[Any, ...]]:
    for t in trials:
        head = (t.id, t.athlete, t.started_utc, t.drill, t.leg, t.eyes, t.surface, t.status)
        verdict = (t.validity or "", " ".join(t.warning_codes))
        if not t.metrics:
            yield _csv_text((*head, "", "", "", t.algorithm_version, *verdict))
        for name, value in t.metrics.items():
            rule = headline_rule(t.drill, name)
            unit = rule.unit if rule else ""
            value_text = "" if value is None else repr(value)
            yield _csv_text((*head, name, value_text, unit, t.algorithm_version, *verdict))


def _csv_text(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The row with its text cells neutralised; the value (a number: ``-0.5``) as it is."""
    value_at = CSV_COLUMNS.index("value")
    return tuple(
        csv_safe(cell) if isinstance(cell, str) and i != value_at else cell
        for i, cell in enumerate(row)
    )


def run_history(
    store_path: str | Path | None = None,
    athlete: str | None = None,
    csv_path: str | Path | None = None,
) -> str:
    """What ``poise history [--athlete NAME] [--csv FILE]`` prints (the CSV written first).

    Args:
        store_path: the store (:func:`poise.store.default_store_path` if None or empty).

    Raises:
        PoiseError: no store there yet, a store so damaged nothing of it can be
            read, no such athlete, or the CSV cannot be written (or exists).
    """
    path = Path(store_path) if store_path else default_store_path()
    check_recordings_have_store(path)  # a lost or emptied store is not an empty history
    if not path.is_file():
        raise PoiseError(f"{path}: no progression store yet (no session has been logged)")
    if path.stat().st_size == 0:
        raise PoiseError(f"{path}: an empty file (0 bytes), not a store: no session logged in it")
    with Store.open_readonly(path) as store:
        try:
            h = history(store, athlete)
        except FAULTS as e:  # not even its schema: nothing to show
            raise PoiseError(
                f"{path}: the store is damaged and cannot be read ({fault_text(e)}); "
                "`poise store check` "
                f"compares it with its recordings, `poise store rebuild --from "
                f"{recordings_dir(path)}` recreates it from them"
            ) from None
    text = format_history(h)
    if csv_path:
        try:
            rows = export_csv(h, csv_path)
        except OSError as e:
            raise PoiseError(f"{csv_path}: cannot write: {e.strerror or e}") from None
        text += f"\n\n{csv_path}: {rows} rows (one per trial and metric)"
    return text
