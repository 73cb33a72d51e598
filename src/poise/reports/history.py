"""Progress over time: per athlete, the visits compared, and the trials outside visits.

**Visits** (:mod:`poise.reports.visit_history`): per battery, condition, metric and
leg, each visit's score by the battery's rule, the change from the previous
visit and from the baseline, the trend, the personal normal range, and left
against right on the latest visit, each change judged against the metric's MDC
(:mod:`poise.change`).

**Trials outside visits** (``poise train`` sessions): for every group of trials
(athlete, drill, leg, eyes, surface) and each of the drill's headline metrics
(:mod:`poise.store.headline`: direction and MDC from the limb-symmetry rules),
over **complete** trials only:

- ``n``, the latest value and the best one (the highest or lowest, as the
  metric's direction says; the first trial to reach it);
- the **trend**, the least-squares slope of value against trial start time,
  per week, with its 95% confidence interval (:func:`poise.change.trend`);
- the **change** of the latest against the previous trial, to 4 decimals,
  better or worse only beyond the metric's MDC (published, else the
  athlete's own from the group's first sessions: :func:`poise.change.metric_mdc`),
  otherwise no detectable change; not judged without an MDC.

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
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poise.change import BASELINE_VISITS, Change, Mdc, Trend, change_of, metric_mdc, trend
from poise.drills import DRILLS, RULES, compare_limbs
from poise.errors import InputError, PoiseError
from poise.files import create_exclusive
from poise.metrics.symmetry import MetricRule
from poise.names import athlete_name, csv_safe, terminal_safe
from poise.reports.symmetry import format_symmetry
from poise.reports.visit_history import (
    ConditionCourse,
    change_dict,
    change_words,
    course_dict,
    figures,
    format_courses,
    mdc_dict,
    mdc_words,
    picked,
    trend_dict,
    trend_words,
    visit_history,
)
from poise.store.faults import FAULTS, fault_text, one_line
from poise.store.headline import headline_rule, headline_rules
from poise.store.paths import default_store_path, recordings_dir
from poise.store.preflight import check_recordings_have_store
from poise.store.reader import Unreadable
from poise.store.sqlite import Store, TrialRow
from poise.store.visits import Visit
from poise.text import metric_words

#: Trial statuses in the order they are counted.
STATUSES = ("complete", "interrupted", "aborted", "running")
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
    "battery",
    "visit",
    "condition",
    "session",
    "trial_number",
    "metric",
    "value",
    "unit",
    "algorithm_version",
    "validity",
    "warnings",
    "marked_invalid",
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
        change: ``latest - previous`` judged against the MDC
            (:func:`poise.change.judge_change`), or None.
        mdc: the metric's MDC: published, or the athlete's own from the group's
            first sessions (:func:`poise.change.metric_mdc`).
        trend: the trend per week, judged (:func:`poise.change.trend`), or None.
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
    change: Change | None
    mdc: Mdc
    trend: Trend | None
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
    """The history of a store (or one athlete): the visits compared, the groups of
    trials outside visits, their symmetry, and the trials behind them.

    Args:
        visits: each battery's conditions over the athlete's visits
            (:func:`poise.reports.visit_history.visit_history`).
        trials: the trials shown (all, in visits or not), for the CSV.
        visit_of: session id to the battery, visit number and condition it ran.
        unreadable: trials of the store that could not be read (whoever's they were).
        complete: False when the store's trials may not all have been listed (the
            trials table could not be read to its end, or the quick check found
            damage: a damaged page can lose or renumber a row unseen).
        problems: what SQLite's quick check found (empty: nothing).
        note: how the store was opened, where the reader must know (read-only media).
        skipped: visits that could not be read, each in a line (their trials are not
            shown as a visit's).
    """

    groups: tuple[GroupHistory, ...]
    symmetry: tuple[SymmetryHistory, ...]
    trials: tuple[TrialRow, ...]
    visits: tuple[ConditionCourse, ...] = ()
    visit_of: Mapping[int, tuple[str, int, int]] = dataclasses.field(default_factory=dict)
    unreadable: tuple[Unreadable, ...] = ()
    complete: bool = True
    problems: tuple[str, ...] = ()
    note: str | None = None
    skipped: tuple[str, ...] = ()

    @property
    def damaged(self) -> bool:
        return bool(self.unreadable or self.problems or not self.complete or self.skipped)


@dataclass(frozen=True)
class Filters:
    """What ``poise history`` is asked to show: one drill, trials and visits from and to
    a date (ISO ``YYYY-MM-DD``, UTC, both ends included). The baselines that personal
    MDCs come from are always the first visits or sessions, whatever is shown."""

    drill: str | None = None
    since: str | None = None
    until: str | None = None

    def shown(self, utc: str) -> bool:
        """Whether a trial or visit starting at ``utc`` is shown."""
        day = utc[:10]
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )


def history(store: Store, athlete: str | None = None, filters: Filters = Filters()) -> History:
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
    name = None
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
    lost: tuple[str, ...] = ()
    try:
        visits = store.visits(name)
    except FAULTS as e:  # the trials are still worth showing, as trials
        lost = (f"the visits cannot be read ({fault_text(e)}); their trials are shown alone",)
        visits = []
    h = build_history(trials, visits, filters)
    return dataclasses.replace(
        h,
        unreadable=reading.unreadable,
        complete=reading.complete and not problems,  # a damaged tree can lose rows unseen
        problems=problems,
        note=store.note,
        skipped=lost + h.skipped,
    )


def build_history(
    trials: Sequence[TrialRow], visits: Sequence[Visit] = (), filters: Filters = Filters()
) -> History:
    """The history of ``trials`` (in start order, as :meth:`Store.trials` gives them) and
    of the ``visits`` they belong to; the trials of no visit grouped on their own."""
    if filters.drill is not None:
        trials = [t for t in trials if t.drill == filters.drill]
    courses, skipped = visit_history(visits, trials, filters.shown, filters.drill)
    in_visits = {s for visit in visits if visit.id not in skipped for s in visit.sessions}
    groups: dict[tuple[str, ...], list[TrialRow]] = {}
    for trial in trials:
        if trial.session_id not in in_visits:
            key = (trial.athlete, trial.drill, trial.leg, trial.eyes, trial.surface)
            groups.setdefault(key, []).append(trial)
    group_histories = tuple(
        g for key, rows in sorted(groups.items()) if (g := _group(key, rows, filters.shown)).counts
    )
    shown = {key: [r for r in rows if filters.shown(r.started_utc)] for key, rows in groups.items()}
    return History(
        group_histories,
        _symmetry(shown),
        tuple(t for t in trials if filters.shown(t.started_utc)),
        visits=courses,
        visit_of={
            session: (visit.battery, visit.number, condition)
            for visit in visits
            for session, condition in visit.sessions.items()
        },
        skipped=tuple(skipped.values()),
    )


def _group(
    key: tuple[str, ...], rows: list[TrialRow], shown: Callable[[str], bool]
) -> GroupHistory:
    counts: dict[str, int] = {}
    verdicts: dict[str, int] = {}
    for row in rows:
        if not shown(row.started_utc):
            continue
        counts[row.status] = counts.get(row.status, 0) + 1
        if row.status == "complete":
            verdict = "marked" if row.marked_invalid is not None else row.validity or "unknown"
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
    complete = [row for row in rows if row.status == "complete"]
    usable = [row for row in complete if not row.invalid]
    metrics = []
    for rule in headline_rules(key[1]):
        with_value = [row for row in usable if row.metrics.get(rule.name) is not None]
        trials = [row for row in with_value if shown(row.started_utc)]
        series = [(row.started_utc, row.metrics[rule.name]) for row in trials]
        if series:
            metrics.append(
                dataclasses.replace(
                    metric_history(rule, series, _baseline(with_value, rule.name)),
                    latest_validity=trials[-1].validity,
                    latest_codes=trials[-1].warning_codes,
                )
            )
    left_out = tuple(row for row in complete if row.invalid and shown(row.started_utc))
    return GroupHistory(
        *key, counts=counts, metrics=tuple(metrics), verdicts=verdicts, left_out=left_out
    )


def _baseline(rows: Sequence[TrialRow], metric: str) -> list[list[float]]:
    """The values of the group's first :data:`~poise.change.BASELINE_VISITS` sessions,
    one list per session: the repeated trials a personal MDC comes from."""
    sessions: dict[int, list[float]] = {}
    for row in rows:
        if row.session_id in sessions or len(sessions) < BASELINE_VISITS:
            sessions.setdefault(row.session_id, []).append(row.metrics[metric])
    return list(sessions.values())


def metric_history(
    rule: MetricRule,
    series: Sequence[tuple[str, float]],
    baseline: Sequence[Sequence[float]] = (),
) -> MetricHistory:
    """The course of one metric from ``(started_utc, value)`` pairs in time order; the
    MDC the drill's, else from ``baseline`` (:func:`poise.change.metric_mdc`).

    >>> from poise.drills import RULES
    >>> h = metric_history(RULES["lunge"][0], [("2025-03-01T09:00:00Z", 38.0),
    ...                                        ("2025-03-05T09:00:00Z", 43.5)])
    >>> h.best, h.change.change, h.change.verdict, h.mdc.value, h.trend_note
    (43.5, 5.5, 'better', 4.7, 'only 2 complete trials (a trend needs 3)')
    """
    values = [value for _, value in series]
    best_value = max(values) if rule.higher_is_better else min(values)
    best_utc = series[values.index(best_value)][0]
    previous = values[-2] if len(values) > 1 else None
    mdc = metric_mdc(rule, baseline)
    fitted, note = trend(
        series, mdc.value, rule.higher_is_better, ("complete trial", "complete trials")
    )
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
        change=None
        if previous is None
        else change_of(values[-1], previous, mdc.value, rule.higher_is_better),
        mdc=mdc,
        trend=fitted,
        trend_note=note,
    )


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
    then per athlete the visits compared (:func:`poise.reports.visit_history.format_courses`),
    then the trials outside visits: each group's trial counts and one sentence per
    metric, then left against right. Names are escaped (:func:`poise.names.terminal_safe`)."""
    lines = _damage(h) + ([h.note] if h.note else [])
    if not h.trials:
        return "\n".join([*lines, "no trials logged yet" if not h.damaged else "no trial read"])
    for athlete in _athletes(h):
        lines += ["", terminal_safe(athlete)] if lines else [terminal_safe(athlete)]
        lines += format_courses([c for c in h.visits if c.athlete == athlete])
        groups = [g for g in h.groups if g.athlete == athlete]
        if groups and any(c.athlete == athlete for c in h.visits):
            lines.append("  trials outside visits:")
        for group in groups:
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
    return "\n".join(terminal_safe(line) for line in lines)


def _athletes(h: History) -> list[str]:
    """The athletes shown, by name."""
    return sorted({g.athlete for g in h.groups} | {c.athlete for c in h.visits})


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
    lines += [f"  {why}; left out" for why in h.skipped]
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
    num, unit = figures(drill, m.name, m.unit)
    parts = [
        f"{metric_words(m.name)}: {num(m.latest)}{unit} on {m.latest_utc[:10]}",
        f"best {num(m.best)}{unit} on {m.best_utc[:10]}",
        trend_words(m.trend, num, unit) if m.trend is not None else f"no trend, {m.trend_note}",
    ]
    if m.change is not None and m.change.change == 0:
        parts.append("no change from the previous trial")
    elif m.change is not None:
        parts.append(f"change from the previous trial {change_words(m.change, num, unit)}")
    parts.append(mdc_words(m.mdc, num, unit))
    return "; ".join(parts)


def export_csv(source: History | Store, path: str | Path) -> int:
    """Write every trial's metrics to a new file at ``path`` as CSV; the number of data rows.

    One row per trial and metric (:data:`CSV_COLUMNS`): the headline metrics
    (with their unit), then every other number of the drill's result, its
    nested figures named by their path from 1 (``landings.2.flight_s``,
    ``tts_ci_s`` of it ``landings.2.tts_ci_s.1``), their unit in the name;
    ``date`` is the trial's start, ISO 8601 UTC; ``battery``, ``visit`` (its
    number among the athlete's visits of the battery) and ``condition`` (from
    1) are empty for a trial outside visits; ``session`` is the store's session
    id and ``trial_number`` the trial's number in it. A trial without metrics
    (interrupted, aborted) gets one row with ``metric`` and ``value`` empty, so
    every trial appears; an uncomputable metric has an empty ``value``;
    ``validity`` is empty where unknown, ``warnings`` the codes separated by
    spaces, ``marked_invalid`` the reason a trial was marked invalid by hand
    (``poise trial invalid``; empty when it is not), so a spreadsheet can leave it
    out as history does. Text cells cannot run as spreadsheet formulas
    (:func:`poise.names.csv_safe`). The file is created exclusively, 0600,
    whole or not at all (:func:`poise.files.create_exclusive`): an existing
    file or link is refused.
    """
    h = history(source) if isinstance(source, Store) else source
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows = list(_csv_rows(h.trials, h.visit_of))
    writer.writerows(rows)
    os.close(create_exclusive(path, buffer.getvalue().encode("utf-8")))
    return len(rows)


def _csv_rows(
    trials: Iterable[TrialRow], visit_of: Mapping[int, tuple[str, int, int]]
) -> Iterable[tuple[Any, ...]]:
    for t in trials:
        battery, visit, condition = visit_of.get(t.session_id, ("", "", ""))
        head = (
            t.id, t.athlete, t.started_utc, t.drill, t.leg, t.eyes, t.surface, t.status,
            battery, visit, condition, t.session_id, t.number,
        )  # fmt: skip
        verdict = (t.validity or "", " ".join(t.warning_codes), t.marked_invalid or "")
        numbers = list(trial_figures(t))
        if not numbers:
            yield _csv_text((*head, "", "", "", t.algorithm_version, *verdict))
        for name, value, unit in numbers:
            value_text = "" if value is None else repr(value)
            yield _csv_text((*head, name, value_text, unit, t.algorithm_version, *verdict))


def trial_figures(t: TrialRow) -> Iterable[tuple[str, float | None, str]]:
    """``(name, value, unit)`` of every number of a trial: its headline metrics, then
    the rest of its drill's result flattened (the unit in the name: empty)."""
    rules = [rule for rule in headline_rules(t.drill) if rule.name in t.metrics]
    for rule in rules:  # in the drill's order, as history shows them
        yield rule.name, t.metrics[rule.name], rule.unit
    for name, value in t.metrics.items():  # a metric the drill no longer heads
        if headline_rule(t.drill, name) is None:
            yield name, value, ""
    drill = DRILLS.get(t.drill)
    if t.result is None or drill is None:
        return
    for field in dataclasses.fields(drill.result):
        if field.name in t.result and field.name not in t.metrics:
            for name, value in _flat(field.name, t.result.get(field.name)):
                yield name, value, ""


def _flat(name: str, value: Any) -> Iterable[tuple[str, float | None]]:
    """The numbers of a result's field, by path (``landings.1.height_m``); None kept
    (a figure that could not be computed), text and flags left out."""
    if isinstance(value, bool | str):
        return
    if value is None or isinstance(value, int | float):
        yield name, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _flat(f"{name}.{key}", item)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value, 1):
            yield from _flat(f"{name}.{i}", item)


def _csv_text(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The row with its text cells neutralised; the value (a number: ``-0.5``) as it is."""
    value_at = CSV_COLUMNS.index("value")
    return tuple(
        csv_safe(cell) if isinstance(cell, str) and i != value_at else cell
        for i, cell in enumerate(row)
    )


def history_json(h: History, athlete: str | None = None, filters: Filters = Filters()) -> str:
    """The history as one JSON document, keys as docs/progression-store.md lists them:
    ``store`` (what is wrong with it), ``filters``, ``baseline_visits`` and per athlete
    its ``visits`` (:func:`poise.reports.visit_history.course_dict`), the ``trials``
    outside visits by group and their ``symmetry``. Text is JSON-escaped ASCII."""
    doc = {
        "store": {
            "damaged": h.damaged,
            "complete": h.complete,
            "problems": list(h.problems),
            "unreadable": [{"trial": u.trial_id, "reason": u.reason} for u in h.unreadable],
            "skipped": list(h.skipped),
            "note": h.note,
        },
        "filters": {"athlete": athlete, **dataclasses.asdict(filters)},
        "baseline_visits": BASELINE_VISITS,
        "athletes": [
            {
                "athlete": name,
                "visits": [course_dict(c) for c in h.visits if c.athlete == name],
                "trials": [_group_dict(g) for g in h.groups if g.athlete == name],
                "symmetry": [_symmetry_dict(s) for s in h.symmetry if s.athlete == name],
            }
            for name in _athletes(h)
        ],
    }
    return json.dumps(doc, allow_nan=False)


def _group_dict(g: GroupHistory) -> dict[str, Any]:
    return {
        **picked(g, "drill", "leg", "eyes", "surface", "counts", "verdicts"),
        "left_out": [
            {"trial": t.id, "started_utc": t.started_utc, "warnings": list(t.warning_codes)}
            for t in g.left_out
        ],
        "metrics": [
            {
                "metric": m.name,
                **picked(m, "unit", "higher_is_better", "n", "latest", "latest_utc"),
                **picked(m, "best", "best_utc", "previous"),
                "change": change_dict(m.change),
                "mdc": mdc_dict(m.mdc),
                "trend": trend_dict(m.trend, m.trend_note),
                "latest_validity": m.latest_validity,
                "latest_warnings": list(m.latest_codes),
            }
            for m in g.metrics
        ],
    }


def _symmetry_dict(s: SymmetryHistory) -> dict[str, Any]:
    fields = ("drill", "eyes", "surface", "left_utc", "right_utc", "comparison", "note")
    return {**picked(s, *fields), "flags": list(s.flags)}


def run_history(
    store_path: str | Path | None = None,
    athlete: str | None = None,
    csv_path: str | Path | None = None,
    *,
    as_json: bool = False,
    filters: Filters = Filters(),
) -> str:
    """What ``poise history [--athlete NAME] [--drill D] [--since DATE] [--until DATE]
    [--csv FILE] [--json]`` prints (the CSV written first; with ``as_json`` only the
    JSON document, :func:`history_json`).

    Args:
        store_path: the store (:func:`poise.store.default_store_path` if None or empty).
        filters: the drill and dates shown (ISO dates, ``since`` not after ``until``).

    Raises:
        PoiseError: no store there yet, a store so damaged nothing of it can be
            read, no such athlete, ``since`` after ``until``, or the CSV cannot be
            written (or exists).
    """
    if filters.since and filters.until and filters.since > filters.until:
        raise PoiseError(f"--since {filters.since} is after --until {filters.until}")
    path = Path(store_path) if store_path else default_store_path()
    check_recordings_have_store(path)  # a lost or emptied store is not an empty history
    if not path.is_file():
        raise PoiseError(f"{path}: no progression store yet (no session has been logged)")
    if path.stat().st_size == 0:
        raise PoiseError(f"{path}: an empty file (0 bytes), not a store: no session logged in it")
    with Store.open_readonly(path) as store:
        try:
            h = history(store, athlete, filters)
        except FAULTS as e:  # not even its schema: nothing to show
            raise PoiseError(
                f"{path}: the store is damaged and cannot be read ({fault_text(e)}); "
                "`poise store check` "
                f"compares it with its recordings, `poise store rebuild --from "
                f"{recordings_dir(path)}` recreates it from them"
            ) from None
    rows = None
    if csv_path:
        try:
            rows = export_csv(h, csv_path)
        except OSError as e:
            raise PoiseError(f"{csv_path}: cannot write: {e.strerror or e}") from None
    if as_json:
        return history_json(h, athlete, filters)
    asked = filters.drill or filters.since or filters.until
    if asked and not h.trials and not h.damaged:
        return "no trial or visit of the drill and dates asked for"
    text = format_history(h)
    if rows is not None:
        text += f"\n\n{csv_path}: {rows} rows (one per trial and metric)"
    return text
