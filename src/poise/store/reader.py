"""Reading a store's trials when its file may be damaged: every row checked, the unreadable named.

A bit flipped on an SD card can land anywhere in the store file. SQLite finds
a damaged page (a query fails, "database disk image is malformed") but not a
flipped bit inside a value: a digit of a date, a byte of a name, a metric. So
each trial is read on its own terms:

- text is read as bytes and decoded here: invalid UTF-8 names the trial
  instead of stopping the read;
- every field is checked for its type and its choices; the result must be a
  JSON object, each metric a finite number or NULL;
- a trial written at schema version 4 or later carries a ``checksum``, the
  SHA-256 of everything history shows of it (:func:`trial_checksum`); a trial
  that does not match it is named, not shown;
- when the trials table cannot be scanned to its end, every trial that the
  table, an index or the metrics still list is read by its id, so a damaged
  page costs the trials on it, not the whole history;
- a trial's invalid marks and notes (version 6, :mod:`poise.store.annotations`)
  are checked against their own checksums: one that does not match names its
  trial, or, where its trial id is what rotted, is named on its own.

Trials written before version 4 have no checksum: a flipped bit that leaves
them well-formed cannot be seen (their drill, leg, status and date are still
checked).
"""

from __future__ import annotations

import dataclasses
import json
import math
import sqlite3
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poise.drills import DRILLS
from poise.store.annotations import (
    COLUMNS,
    BadRowError,
    Note,
    checksum,
    decoded,
    trial_events,
)
from poise.store.faults import FAULTS, fault_text
from poise.store.utc import parse_utc
from poise.validity import Validity

LEGS = ("left", "right", "board")
EYES = ("open", "closed")
SURFACES = ("firm", "foam")
STATUSES = ("running", "complete", "interrupted", "aborted")
VALIDITIES: tuple[str, ...] = typing.get_args(Validity)
#: A trial's text columns as read (a store before version 4 lacks the last three).
TEXT_COLUMNS = (
    "drill",
    "leg",
    "eyes",
    "surface",
    "status",
    "algorithm_version",
    "started_utc",
    "ended_utc",
    "recording",
    "recording_sha256",
    "result_json",
    "notes",
    "validity",
    "warning_codes",
    "checksum",
)
_CHOICES = {"leg": LEGS, "eyes": EYES, "surface": SURFACES, "status": STATUSES}
_METRICS = "SELECT trial_id, CAST(name AS BLOB), value FROM metrics"


@dataclass(frozen=True)
class TrialRow:
    """A trial as stored, with its athlete and headline metrics.

    Args:
        id, session_id: the trial's and its session's ids.
        athlete: the athlete's name.
        drill, leg, eyes, surface, number: what was done (number within the session).
        status: ``running``, ``complete``, ``interrupted`` or ``aborted``.
        algorithm_version: of the scoring (:data:`poise.metrics.ALGORITHM_VERSION`).
        started_utc, ended_utc: ISO 8601 UTC (ended is None while running, or
            for an interrupted trial whose recording was never written).
        recording: the raw recording's absolute path, or None.
        recording_sha256: its SHA-256 when the trial ended, or None if it was absent.
        result: the full result of :func:`poise.analysis.analyze`, or None.
        notes: free text.
        metrics: headline metric name to value (None: not computable for this trial).
        validity: the result's verdict (``valid``, ``attention``, ``invalid``), or
            None: unknown (no result, or logged before the store kept verdicts).
        warning_codes: the codes of the result's warnings (:data:`poise.validity.CODES`).
        marked_invalid: the reason the trial is marked invalid (``poise trial
            invalid``), or None: not marked (or the mark taken back).
        added_notes: the notes written on it afterwards (``poise athlete note
            --trial``), in the order written; ``notes`` is what the session said
            of how it ended.
    """

    id: int
    session_id: int
    athlete: str
    drill: str
    leg: str
    eyes: str
    surface: str
    number: int
    status: str
    algorithm_version: str
    started_utc: str
    ended_utc: str | None
    recording: Path | None
    recording_sha256: str | None
    result: dict[str, Any] | None
    notes: str | None
    metrics: dict[str, float | None]
    validity: str | None = None
    warning_codes: tuple[str, ...] = ()
    marked_invalid: str | None = None
    added_notes: tuple[Note, ...] = ()

    @property
    def invalid(self) -> bool:
        """Whether it does not count: its result is invalid, or it is marked invalid."""
        return self.validity == "invalid" or self.marked_invalid is not None


@dataclass(frozen=True)
class Unreadable:
    """A trial that could not be read: its id (None if even that is lost) and why."""

    trial_id: int | None
    reason: str


@dataclass(frozen=True)
class Reading:
    """What could be read of a store's trials.

    Args:
        trials: the trials read and checked, in start order.
        unreadable: the trials named but not read, and why.
        complete: False when the trials table could not be scanned to its end,
            so trials no index lists either may be missing without a name.
    """

    trials: tuple[TrialRow, ...]
    unreadable: tuple[Unreadable, ...]
    complete: bool


def trial_checksum(fields: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of a trial's decoded fields, as canonical JSON (sorted keys):
    its columns, its athlete's name and its metrics, not its marks and notes."""
    return checksum(fields)


def read_trials(conn: sqlite3.Connection, folder: Path) -> Reading:
    """Every trial of the store on ``conn`` that can be read, and the ones that cannot.

    ``folder`` is the store's folder (recording paths are kept relative to it).

    Raises:
        sqlite3.DatabaseError, UnicodeDecodeError: not even the store's schema can be
            read (:data:`poise.store.faults.FAULTS`).
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    present = trial_columns(conn)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    has_metrics = "metrics" in tables
    if version == 0 and not present:
        return Reading((), (), True)  # an SQLite file no session has been logged in
    _check_schema(version, present, has_metrics, tables)
    select = _select(present)
    unreadable: list[Unreadable] = []
    complete = True
    try:
        raws = conn.execute(select).fetchall()
        metric_rows = conn.execute(_METRICS).fetchall() if has_metrics else []
    except FAULTS:
        ids, complete = _listed_ids(conn, has_metrics)
        raws, metric_rows = [], []
        for trial_id in sorted(ids):
            try:
                raw = conn.execute(f"{select} WHERE t.id = ?", (trial_id,)).fetchone()
                if has_metrics:
                    metric_rows += conn.execute(
                        f"{_METRICS} WHERE trial_id = ?", (trial_id,)
                    ).fetchall()
            except FAULTS as e:
                unreadable.append(Unreadable(trial_id, f"on a damaged page ({fault_text(e)})"))
                continue
            if raw is None:
                unreadable.append(Unreadable(trial_id, "listed, but not in the trials table"))
            else:
                raws.append(raw)
    metrics, bad_metrics = _metrics(metric_rows)
    events = trial_events(conn, (raw[0] for raw in raws if isinstance(raw[0], int)))
    unreadable += [Unreadable(None, why) for why in events.lost]
    trials = []
    for raw in raws:
        trial_id = raw[0] if isinstance(raw[0], int) else None
        try:
            if trial_id in bad_metrics or trial_id in events.unreadable:
                raise BadRowError(bad_metrics.get(trial_id) or events.unreadable[trial_id])
            trial = _trial(raw, metrics.get(trial_id, {}), folder)
        except BadRowError as e:
            unreadable.append(Unreadable(trial_id, str(e)))
            continue
        mark = events.marks.get(trial.id)
        trials.append(
            dataclasses.replace(
                trial,
                marked_invalid=mark.reason if mark is not None and mark.invalid else None,
                added_notes=events.notes.get(trial.id, ()),
            )
        )
    trials.sort(key=lambda t: (t.started_utc, t.id))
    return Reading(tuple(trials), tuple(unreadable), complete)


def _check_schema(version: int, present: set[str], has_metrics: bool, tables: set[str]) -> None:
    """Raise :class:`sqlite3.DatabaseError` unless the tables are those of ``version``.

    A flipped bit in the schema's text can rename a column (``checksum`` to
    ``checksqm``): read as missing, it would make sealed trials look unsealed.
    """
    sealed = set(TEXT_COLUMNS[-3:])
    expected_sealed = sealed if version >= 4 else set()
    base = set(TEXT_COLUMNS[:-3])
    if version < 1 or not base <= present or present & sealed != expected_sealed:
        raise sqlite3.DatabaseError(f"the trials table is not that of schema version {version}")
    if has_metrics != (version >= 2):
        raise sqlite3.DatabaseError(f"the metrics table is not that of schema version {version}")
    if version >= 6 and not set(COLUMNS) <= tables:
        raise sqlite3.DatabaseError(f"the tables are not those of schema version {version}")


def trial_columns(conn: sqlite3.Connection) -> set[str]:
    """The columns of the store's ``trials`` table (older stores lack the newer ones)."""
    return {row[1] for row in conn.execute("PRAGMA table_info(trials)")}


def trial_fields(conn: sqlite3.Connection, trial_id: int) -> dict[str, Any]:
    """One trial's fields as :func:`trial_checksum` takes them (for the writer to seal it)."""
    raw = conn.execute(f"{_select(trial_columns(conn))} WHERE t.id = ?", (trial_id,)).fetchone()
    metrics, _ = _metrics(conn.execute(f"{_METRICS} WHERE trial_id = ?", (trial_id,)))
    fields = _fields(raw, metrics.get(trial_id, {}))
    del fields["checksum"]
    return fields


def _select(present: set[str]) -> str:
    texts = ", ".join(
        f"CAST(t.{column} AS BLOB)" if column in present else "NULL" for column in TEXT_COLUMNS
    )
    return (
        f"SELECT t.id, t.session_id, t.number, CAST(a.name AS BLOB), {texts}"
        " FROM trials t LEFT JOIN sessions s ON s.id = t.session_id"
        " LEFT JOIN athletes a ON a.id = s.athlete_id"
    )


def _listed_ids(conn: sqlite3.Connection, has_metrics: bool) -> tuple[set[int], bool]:
    """The trial ids the table, its index by session and the metrics list (as far as each
    can be read); and whether the table itself was read to its end."""
    queries = ["SELECT id FROM trials", "SELECT id FROM trials INDEXED BY trials_by_session"]
    if has_metrics:
        queries.append("SELECT trial_id FROM metrics")
    ids: set[int] = set()
    table_read = True
    for i, query in enumerate(queries):
        try:
            ids.update(value for (value,) in conn.execute(query) if isinstance(value, int))
        except FAULTS:
            table_read = table_read and i > 0
    return ids, table_read


def _metrics(
    rows: Iterable[Sequence[Any]],
) -> tuple[dict[int, dict[str, float | None]], dict[int, str]]:
    """Metric rows by trial id, and the trials whose metrics are not what Poise wrote."""
    metrics: dict[int, dict[str, float | None]] = {}
    bad: dict[int, str] = {}
    for trial_id, name, value in rows:
        if not isinstance(trial_id, int):
            continue  # whose it was is lost; that trial's checksum no longer matches
        try:
            text = decoded(name, "metric name")
            if text is None or not _finite_or_none(value):
                raise BadRowError(f"a metric is not a finite number or empty ({text})")
        except BadRowError as e:
            bad[trial_id] = str(e)
            continue
        metrics.setdefault(trial_id, {})[text] = None if value is None else float(value)
    return metrics, bad


def _finite_or_none(value: Any) -> bool:
    return value is None or (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    )


def _fields(raw: Sequence[Any], metrics: Mapping[str, float | None]) -> dict[str, Any]:
    trial_id, session_id, number, athlete, *texts = raw
    for column, value in (("id", trial_id), ("session_id", session_id), ("number", number)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise BadRowError(f"its {column} is not a whole number")
    if athlete is None:
        raise BadRowError("its session or athlete is missing")
    fields: dict[str, Any] = {
        "id": trial_id,
        "session_id": session_id,
        "number": number,
        "athlete": decoded(athlete, "athlete"),
    }
    for column, value in zip(TEXT_COLUMNS, texts, strict=True):
        fields[column] = decoded(value, column)
    fields["metrics"] = dict(sorted(metrics.items()))
    return fields


def _trial(raw: Sequence[Any], metrics: Mapping[str, float | None], folder: Path) -> TrialRow:
    """The checked row of one trial; :class:`BadRowError` if it is not what Poise wrote."""
    fields = _fields(raw, metrics)
    checksum = fields.pop("checksum")
    if checksum is not None and checksum != trial_checksum(fields):
        raise BadRowError("its content does not match its checksum")
    if fields["drill"] not in DRILLS:
        raise BadRowError("its drill is not one Poise knows")
    for column, choices in _CHOICES.items():
        if fields[column] not in choices:
            raise BadRowError(f"its {column} is not one of {', '.join(choices)}")
    if fields["number"] < 1 or fields["algorithm_version"] is None:
        raise BadRowError("its number or algorithm version is missing")
    for column in ("started_utc", "ended_utc"):
        if fields[column] is not None or column == "started_utc":
            try:
                parse_utc(fields[column])
            except (TypeError, ValueError, OverflowError):
                raise BadRowError(f"its {column} is not a date") from None
    result = _json(fields.pop("result_json"), dict, "result")
    codes = _json(fields["warning_codes"], list, "warning codes") or []
    if not all(isinstance(code, str) for code in codes):
        raise BadRowError("its warning codes are not text")
    if fields["validity"] not in (None, *VALIDITIES):
        raise BadRowError(f"its validity is not one of {', '.join(VALIDITIES)}")
    recording = fields["recording"]
    # The other columns are named as TrialRow's fields and are kept as read.
    return TrialRow(
        **{
            **fields,
            "recording": folder / recording if recording else None,
            "warning_codes": tuple(codes),
        },
        result=result,
    )


def _json(text: str | None, kind: type, what: str) -> Any:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise BadRowError(f"its {what} is not JSON") from None
    if not isinstance(value, kind):
        raise BadRowError(f"its {what} is not a JSON {kind.__name__}")
    return value
