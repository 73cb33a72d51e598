"""Profiles, notes and invalid marks: what a clinician adds to the store, as append-only events.

Schema version 6 (:mod:`poise.store.schema`) keeps three kinds of event, each
a row that is never changed nor deleted:

- a **profile** of an athlete as it stands after an add or an edit: birth year,
  sex and involved side, each optional (for norms and the limb symmetry index);
- a **note**: one line of text on an athlete, one of their visits or one of
  their trials;
- a **mark** of a trial: invalid with a reason, or the mark taken back.

An edit is a new row; the latest (the highest row id: the order this store took
them in, not the clock, which a Pi without a real-time clock can set back)
wins. Every row has a random UUID, its UTC time and a checksum of its fields
(:func:`checksum`), so a later sync can ship rows as events, and a flipped bit
makes a row named as unreadable, never shown as something else. A mark never
touches the trial's own row, so the trial's checksum
(:func:`poise.store.reader.trial_checksum`) is the same marked or not.

None of this is in the recordings (a recording is sealed by its SHA-256 when its
trial ends; a mark or a note comes later), so ``poise store rebuild`` cannot
bring it back.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from poise.store.faults import FAULTS, fault_text
from poise.store.utc import utc_text

SEXES = ("female", "male")
#: The involved (injured, operated) side of a profile; ``none``: said to be neither.
INVOLVED = ("left", "right", "none")
FIRST_BIRTH_YEAR = 1900
#: The columns of each event table that its checksum covers, as stored (``id`` and
#: ``checksum`` aside); text columns are read as bytes and decoded here.
COLUMNS = {
    "profiles": ("athlete_id", "birth_year", "sex", "involved", "recorded_utc", "uuid"),
    "notes": ("athlete_id", "visit_id", "trial_id", "text", "recorded_utc", "uuid"),
    "trial_marks": ("trial_id", "invalid", "reason", "recorded_utc", "uuid"),
}
_TEXT = {"sex", "involved", "text", "reason", "recorded_utc", "uuid"}
_WORDS = {"trial_marks": "invalid marks", "notes": "notes"}


@dataclass(frozen=True)
class Profile:
    """An athlete's profile as it stands (the latest of its rows).

    Args:
        birth_year: the year of birth, or None: not given.
        sex: ``female`` or ``male``, or None: not given.
        involved: ``left``, ``right`` or ``none``; None: not said.
        recorded_utc: when it was last added or edited, ISO 8601 UTC.
        uuid: that row's UUID.
    """

    birth_year: int | None
    sex: str | None
    involved: str | None
    recorded_utc: str
    uuid: str


@dataclass(frozen=True)
class Note:
    """A note: its text and when it was written, and what it is on (an athlete when
    neither ``visit_id`` nor ``trial_id`` is given)."""

    text: str
    recorded_utc: str
    uuid: str
    visit_id: int | None = None
    trial_id: int | None = None


@dataclass(frozen=True)
class Mark:
    """A trial's latest mark: invalid with ``reason``, or (``invalid`` False) taken back."""

    trial_id: int
    invalid: bool
    reason: str | None
    recorded_utc: str
    uuid: str


@dataclass(frozen=True)
class TrialEvents:
    """The marks and notes of every trial: the latest mark and the notes (in the order
    written) by trial id, the trials whose rows cannot be read, with why, and the rows
    that cannot be read and name no trial read (whose they were is lost)."""

    marks: dict[int, Mark]
    notes: dict[int, tuple[Note, ...]]
    unreadable: dict[int, str]
    lost: tuple[str, ...] = ()


class BadRowError(Exception):
    """A row of the store (a trial's, an event's) that is not what Poise wrote: the reason."""


def checksum(fields: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of a row's decoded fields, as canonical JSON (sorted keys)."""
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_birth_year(year: int | str, this_year: int | None = None) -> int:
    """``year`` if it can be a living athlete's year of birth: from :data:`FIRST_BIRTH_YEAR`
    to this year (UTC).

    >>> check_birth_year(1990, 2026)
    1990
    >>> check_birth_year(2030, 2026)
    Traceback (most recent call last):
    ...
    ValueError: birth_year must be a year from 1900 to 2026, not 2030
    """
    last = this_year or datetime.now(UTC).year
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_BIRTH_YEAR <= year <= last:
        raise ValueError(
            f"birth_year must be a year from {FIRST_BIRTH_YEAR} to {last}, not {year!r}"
        )
    return year


def has_events(conn: sqlite3.Connection) -> bool:
    """Whether the store has the event tables (schema version 6 or later)."""
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return set(COLUMNS) <= names


def append(conn: sqlite3.Connection, table: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Within a transaction: a new row of ``table`` with ``values``, a new UUID, now and
    their checksum; its fields."""
    fields = {**values, "recorded_utc": utc_text(), "uuid": str(uuid.uuid4())}
    columns = COLUMNS[table]
    if set(fields) != set(columns):
        raise ValueError(f"{table}: the fields are {', '.join(columns)}")
    conn.execute(
        f"INSERT INTO {table} ({', '.join(columns)}, checksum)"
        f" VALUES ({', '.join('?' * len(columns))}, ?)",
        (*(fields[c] for c in columns), checksum(fields)),
    )
    return fields


def rows(
    conn: sqlite3.Connection,
    table: str,
    key: str,
    where: str = "",
    args: Sequence[Any] = (),
) -> list[tuple[int | None, dict[str, Any] | str]]:
    """The rows of ``table`` (``WHERE where``) in the order written, each with the value
    of its column ``key`` (None if that is lost) and its fields, checked against its
    checksum, or the reason it cannot be read.

    Raises:
        sqlite3.DatabaseError: the table cannot be scanned (:data:`FAULTS`).
    """
    columns = COLUMNS[table]
    select = ", ".join(f"CAST({c} AS BLOB)" if c in _TEXT else c for c in columns)
    query = f"SELECT {select}, CAST(checksum AS BLOB) FROM {table} {where} ORDER BY id"
    out: list[tuple[int | None, dict[str, Any] | str]] = []
    for *values, stored in conn.execute(query, tuple(args)):
        raw = dict(zip(columns, values, strict=True))
        on = raw[key] if isinstance(raw[key], int) else None
        try:
            fields = {c: decoded(v, c) if c in _TEXT else v for c, v in raw.items()}
            if decoded(stored, "checksum") != checksum(fields):
                raise BadRowError("its content does not match its checksum")
        except BadRowError as e:
            out.append((on, str(e)))
        else:
            out.append((on, fields))
    return out


def decoded(value: Any, column: str) -> str | None:
    """A text column read as bytes, decoded; :class:`BadRowError` if it is not UTF-8 text."""
    if value is None:
        return None
    if not isinstance(value, bytes):
        raise BadRowError(f"its {column} is not text")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRowError(f"its {column} is not UTF-8 text") from None


def profile_of(fields: Mapping[str, Any]) -> Profile:
    """A profile row's fields as a :class:`Profile`."""
    return Profile(
        fields["birth_year"],
        fields["sex"],
        fields["involved"],
        fields["recorded_utc"],
        fields["uuid"],
    )


def note_of(fields: Mapping[str, Any]) -> Note:
    """A note row's fields as a :class:`Note`."""
    return Note(
        fields["text"],
        fields["recorded_utc"],
        fields["uuid"],
        fields["visit_id"],
        fields["trial_id"],
    )


def mark_of(fields: Mapping[str, Any]) -> Mark:
    """A mark row's fields as a :class:`Mark`."""
    return Mark(
        fields["trial_id"],
        bool(fields["invalid"]),
        fields["reason"],
        fields["recorded_utc"],
        fields["uuid"],
    )


def trial_events(conn: sqlite3.Connection, trial_ids: Iterable[int]) -> TrialEvents:
    """The latest mark and the notes of each trial of ``trial_ids`` (none in a store
    before version 6). Where a table cannot be scanned, each trial's rows are read by
    its id, so a damaged page costs the trials whose rows are on it."""
    marks: dict[int, Mark] = {}
    notes: dict[int, list[Note]] = {}
    unreadable: dict[int, str] = {}
    lost: list[str] = []
    if not has_events(conn):
        return TrialEvents({}, {}, {})
    wanted = set(trial_ids)
    for table, where in (("trial_marks", ""), ("notes", "WHERE trial_id IS NOT NULL")):
        try:
            found = rows(conn, table, "trial_id", where)
        except FAULTS:
            found = []
            for trial_id in sorted(wanted):
                try:
                    found += rows(conn, table, "trial_id", "WHERE trial_id = ?", (trial_id,))
                except FAULTS as e:
                    unreadable[trial_id] = f"its {_WORDS[table]} are on a damaged page " + (
                        f"({fault_text(e)})"
                    )
        for key, row in found:
            if not isinstance(row, str):
                if table == "trial_marks":
                    marks[row["trial_id"]] = mark_of(row)
                else:
                    notes.setdefault(row["trial_id"], []).append(note_of(row))
            elif key in wanted:
                unreadable[key] = f"one of its {_WORDS[table]} cannot be read: {row}"
            else:  # its trial id is what rotted: some trial may have lost it unseen
                lost.append(f"one of the {_WORDS[table]} cannot be read: {row}")
    return TrialEvents(
        {k: m for k, m in marks.items() if k in wanted},
        {k: tuple(n) for k, n in notes.items() if k in wanted},
        unreadable,
        tuple(lost),
    )
