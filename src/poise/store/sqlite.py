"""The progression store in one SQLite file: sessions, trials, results and headline metrics.

Durability choices (SQLite documentation, "Write-Ahead Logging" and "PRAGMA
synchronous"):

- ``journal_mode=WAL``: readers (``poise history``) never block the session
  that writes, and the session never blocks them;
- ``synchronous=FULL``: in WAL mode NORMAL cannot corrupt the store but can
  lose the last commits on power loss. A Pi is unplugged without warning, and
  the store commits only a few times per trial, so the one fsync per commit
  that FULL costs is nothing next to losing a trial the athlete saw finish;
- ``foreign_keys=ON``: a trial never points at a session that is not there;
- a busy timeout (:data:`BUSY_TIMEOUT_S`) so a moment's write lock by another
  process waits instead of failing.

Every write is one transaction. A trial is ``running`` from :meth:`Store.start_trial`
until :meth:`Store.finish_trial` stores its status, result, recording hash and
metrics together. A process killed mid-trial leaves it ``running``; the next
:meth:`Store.open` (via :meth:`Store.recover`) marks it ``interrupted`` and hashes
what its recording holds. A session holds an exclusive lock on ``<store>.lock``
(``flock``), released by the kernel when its process dies, so recovery never
touches the trial of a session that is still alive in another process (on the
same machine: ``flock`` does not reach across a network file system).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import math
import os
import sqlite3
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import poise
from poise.checks import check_choice, check_count
from poise.drills import DRILLS
from poise.errors import PoiseError
from poise.files import PRIVATE_FILE_MODE, private_folder
from poise.metrics import ALGORITHM_VERSION
from poise.names import athlete_name, note_text, terminal_safe
from poise.store.annotations import (
    INVOLVED,
    SEXES,
    Mark,
    Note,
    Profile,
    append,
    check_birth_year,
    has_events,
    mark_of,
    note_of,
    profile_of,
    rows,
)
from poise.store.faults import FAULTS, fault_text
from poise.store.paths import RECORDINGS_DIR
from poise.store.reader import (
    EYES,
    LEGS,
    SURFACES,
    VALIDITIES,
    Reading,
    TrialRow,
    read_trials,
    trial_checksum,
    trial_fields,
)
from poise.store.schema import migrate, schema_version
from poise.store.transaction import transaction
from poise.store.utc import utc_or_now, utc_text
from poise.store.visits import Visit

#: What a trial can end as: done, cut short by a killed process, or stopped on purpose.
END_STATUSES = ("complete", "interrupted", "aborted")
#: How long a write waits for another process's write lock, s.
BUSY_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Trial:
    """A trial just started: its id and the file its raw recording goes to.

    Args:
        id: the trial's id in the store.
        session_id: its session.
        recording_path: where to write the raw recording (its folder exists; the
            file does not, and is to be created exclusively).
        facts: what the store knows of the trial, for its recording's header
            (``RecordingMeta.store``): the athlete, the session (UUID, start, source,
            settings, Poise version) and the trial (UUID, drill, leg, eyes, surface,
            number, start). Enough to log it again from the recording alone
            (``poise store rebuild``).
    """

    id: int
    session_id: int
    recording_path: Path
    facts: dict[str, Any] = field(default_factory=dict)


def new_uuid() -> str:
    """A random (version 4) UUID, as text: a session's or trial's id beyond this store."""
    return str(uuid.uuid4())


def sha256_file(path: str | Path) -> str:
    """The SHA-256 of a file's content, hex, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class Store:
    """The progression store. Open with :meth:`Store.open`; use as a context manager.

    >>> import tempfile
    >>> with Store.open(Path(tempfile.mkdtemp()) / "poise.sqlite3") as store:
    ...     session = store.start_session("Ana", {"kind": "sim"}, {})
    ...     trial = store.start_trial(session, "stance", "right", "open", "firm", 1)
    ...     _ = trial.recording_path.write_text("raw samples")
    ...     store.finish_trial(trial.id, "complete", {"drill": "stance"}, {"sway_rms_deg": 1.2})
    ...     store.end_session(session)
    ...     [(t.athlete, t.status, t.metrics) for t in store.trials()]
    [('Ana', 'complete', {'sway_rms_deg': 1.2})]
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, note: str | None = None) -> None:
        self._conn = conn
        self.path = path
        self.folder = path.parent
        #: What the reader should know of how the store was opened, or None.
        self.note = note
        self._open_sessions: set[int] = set()
        self._session_lock: int | None = None

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) the store at ``path``, migrate it, recover killed trials.

        Raises:
            PoiseError: the folder cannot be created, the file is not a Poise
                store, or it was written by a newer Poise.
        """
        path = Path(path)
        try:
            private_folder(path.parent)
            _create_private(path)
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as e:
            raise PoiseError(f"{path}: cannot open the store: {e}") from None
        try:
            store = cls(conn, path)
            # Identify the file before changing anything in it (WAL mode is written to it).
            schema_version(conn, str(path))
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                raise PoiseError(f"{path}: the store cannot use write-ahead logging ({mode})")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn, str(path))
            store.recover()
        except (OSError, sqlite3.DatabaseError) as e:
            conn.close()
            raise PoiseError(f"{path}: cannot use the store: {e}") from None
        except BaseException:
            conn.close()
            raise
        return store

    @classmethod
    def open_readonly(cls, path: str | Path) -> Store:
        """Open an existing store to read it only, as it is: nothing in it or beside it is
        changed (no migration, no recovery), so it works on read-only media.

        SQLite's ``mode=ro`` first; where that cannot open the store (a WAL store
        whose folder cannot be written, so SQLite cannot create its shared-memory
        file), ``immutable=1``: SQLite then takes no locks and assumes nobody
        changes the file, and does not read commits still in its ``-wal`` file
        (:attr:`note` says so when there are any). A store of an older schema
        is read as it is.

        Raises:
            PoiseError: the file cannot be opened, is not a Poise store, or is
                from a newer Poise.
        """
        path = Path(path)
        uri = path.resolve().as_uri()
        note = None
        try:
            conn = _connect_readonly(f"{uri}?mode=ro")
        except sqlite3.OperationalError as e:
            if os.access(path.parent, os.W_OK):  # not the read-only folder immutable is for
                raise PoiseError(f"{path}: cannot open the store: {fault_text(e)}") from None
            wal = path.with_name(path.name + "-wal")
            unseen = wal.stat().st_size if wal.is_file() else 0
            note = f"{path}: read as immutable (its folder cannot be written)" + (
                f"; {unseen} bytes of commits in {wal} are not shown" if unseen else ""
            )
            try:
                conn = _connect_readonly(f"{uri}?immutable=1")
            except FAULTS as e:
                raise PoiseError(f"{path}: cannot open the store: {fault_text(e)}") from None
        except FAULTS as e:
            raise PoiseError(f"{path}: not a Poise store ({fault_text(e)})") from None
        try:
            schema_version(conn, str(path))
        except BaseException:
            conn.close()
            raise
        return cls(conn, path, note)

    def close(self) -> None:
        """Close the connection and release the session lock (idempotent)."""
        self._release_session_lock()
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # Athletes and sessions

    def athlete_id(self, name: str) -> int:
        """The id of the athlete called ``name`` (surrounding spaces ignored), created if new.

        Raises:
            PoiseError: not a name (:func:`poise.names.athlete_name`).
        """
        name = _athlete(name)
        with transaction(self._conn):
            return self._athlete_id(name)

    def _athlete_id(self, name: str) -> int:
        self._conn.execute("INSERT OR IGNORE INTO athletes (name) VALUES (?)", (name,))
        return self._conn.execute("SELECT id FROM athletes WHERE name = ?", (name,)).fetchone()[0]

    def athletes(self) -> list[str]:
        """Every athlete's name that can be read, sorted."""
        names = []
        for (raw,) in self._conn.execute("SELECT CAST(name AS BLOB) FROM athletes"):
            with contextlib.suppress(AttributeError, UnicodeDecodeError):
                names.append(raw.decode("utf-8"))
        return sorted(names)

    def start_session(
        self,
        athlete: str,
        source: Mapping[str, Any],
        settings: Mapping[str, Any],
        started_utc: str | None = None,
        uuid: str | None = None,
        poise_version: str | None = None,
        visit: tuple[int, int] | None = None,
    ) -> int:
        """Start a session for ``athlete`` (created if new); its id.

        Args:
            source: the sample source, ``{"kind": ..., ...details}`` (JSON-ready).
            settings: the settings in effect (JSON-ready).
            started_utc: ISO 8601 with a time zone; now by default.
            uuid, poise_version: a new random UUID and this Poise by default; a
                session logged again from its recordings keeps its own.
            visit: the open visit of ``athlete`` the session belongs to and the
                battery's condition it runs (from 1), if it is one's.

        Raises:
            PoiseError: another process has a session open on this store, or
                ``athlete`` is not a name (:func:`poise.names.athlete_name`).
        """
        athlete = _athlete(athlete)
        started = utc_or_now(started_utc, "started_utc")
        source_json, settings_json = _json(source, "source"), _json(settings, "settings")
        visit_id, condition = visit if visit is not None else (None, None)
        self._take_session_lock()
        try:
            with transaction(self._conn):
                athlete_id = self._athlete_id(athlete)
                if visit_id is not None:
                    self._check_visit(visit_id, athlete_id, condition)
                session_id = self._conn.execute(
                    "INSERT INTO sessions (athlete_id, started_utc, source_kind, source_json,"
                    " settings_json, poise_version, uuid, visit_id, condition)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        athlete_id,
                        started,
                        str(source.get("kind", "unknown")),
                        source_json,
                        settings_json,
                        poise_version or poise.__version__,
                        uuid or new_uuid(),
                        visit_id,
                        condition,
                    ),
                ).lastrowid
        except BaseException:
            if not self._open_sessions:
                self._release_session_lock()
            raise
        self._open_sessions.add(session_id)
        return session_id

    def end_session(self, session_id: int, ended_utc: str | None = None) -> None:
        """End a session; any of its trials still running become ``interrupted``."""
        ended = utc_or_now(ended_utc, "ended_utc")
        with transaction(self._conn):
            running = self._conn.execute(
                "SELECT id, recording FROM trials WHERE session_id = ? AND status = 'running'",
                (session_id,),
            ).fetchall()
            self._interrupt(running)
            updated = self._conn.execute(
                "UPDATE sessions SET ended_utc = ? WHERE id = ? AND ended_utc IS NULL",
                (ended, session_id),
            ).rowcount
        if not updated:
            raise PoiseError(f"session {session_id}: no such open session")
        self._open_sessions.discard(session_id)
        if not self._open_sessions:
            self._release_session_lock()

    # Visits

    def start_visit(
        self,
        athlete: str,
        battery: Mapping[str, Any],
        involved: str | None = None,
        started_utc: str | None = None,
        uuid: str | None = None,
    ) -> int:
        """Start a visit of ``athlete`` (created if new) running ``battery`` (its fields,
        :func:`poise.batteries.battery_to_dict`); its id. ``involved``: the injured or
        operated side, if any."""
        athlete = _athlete(athlete)
        if involved is not None:
            check_choice("involved", involved, ("left", "right"))
        name = str(battery.get("name", ""))
        if not name:
            raise ValueError("battery: a battery with a name is required")
        started = utc_or_now(started_utc, "started_utc")
        with transaction(self._conn):
            athlete_id = self._athlete_id(athlete)
            return self._conn.execute(
                "INSERT INTO visits (athlete_id, battery, battery_json, involved, started_utc,"
                " uuid) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    athlete_id,
                    name,
                    _json(battery, "battery"),
                    involved,
                    started,
                    uuid or new_uuid(),
                ),
            ).lastrowid

    def end_visit(self, visit_id: int, ended_utc: str | None = None) -> None:
        """End a visit: it is whole, and no longer resumed."""
        ended = utc_or_now(ended_utc, "ended_utc")
        with transaction(self._conn):
            updated = self._conn.execute(
                "UPDATE visits SET ended_utc = ? WHERE id = ? AND ended_utc IS NULL",
                (ended, visit_id),
            ).rowcount
        if not updated:
            raise PoiseError(f"visit {visit_id}: no such open visit")

    def visits(self, athlete: str | None = None) -> list[Visit]:
        """Every visit (of ``athlete``), in start order, with its sessions' conditions."""
        from poise.store.visits import read_visits

        return read_visits(self._conn, None if athlete is None else _athlete(athlete))

    def _check_visit(self, visit_id: int, athlete_id: int, condition: int | None) -> None:
        row = self._conn.execute(
            "SELECT athlete_id, ended_utc FROM visits WHERE id = ?", (visit_id,)
        ).fetchone()
        if row is None or row[1] is not None:
            raise PoiseError(f"visit {visit_id}: no such open visit")
        if row[0] != athlete_id:
            raise PoiseError(f"visit {visit_id}: another athlete's")
        if condition is None or condition < 1:
            raise ValueError(f"condition must be a battery's condition, from 1, not {condition}")

    # Profiles, notes and marks: append-only events (poise.store.annotations)

    def add_profile(
        self,
        athlete: str,
        birth_year: int | None = None,
        sex: str | None = None,
        involved: str | None = None,
    ) -> Profile:
        """Give ``athlete`` (created if new) a first profile; it.

        Raises:
            PoiseError: the athlete has a profile already (edit it), or a field is
                not one a profile takes (:func:`_profile_fields`).
        """
        athlete = _athlete(athlete)
        fields = _profile_fields(birth_year=birth_year, sex=sex, involved=involved)
        with transaction(self._conn):
            athlete_id = self._athlete_id(athlete)
            if self._profile(athlete_id) is not None:
                raise PoiseError(
                    f"{terminal_safe(athlete)} has a profile already; "
                    "`poise athlete edit` changes it"
                )
            return profile_of(append(self._conn, "profiles", {"athlete_id": athlete_id, **fields}))

    def edit_profile(self, athlete: str, **changes: Any) -> Profile:
        """The profile of ``athlete`` with ``changes`` (``birth_year``, ``sex``,
        ``involved``), the other fields as they were, as a new row; it.

        Raises:
            PoiseError: no athlete of that name in the store, no change given, or a
                field is not one a profile takes.
        """
        athlete = _athlete(athlete)
        if not changes:
            raise PoiseError("nothing to change: give a birth year, a sex or an involved side")
        fields = _profile_fields(**changes)
        with transaction(self._conn):
            athlete_id = self.known_athlete(athlete)
            now = self._profile(athlete_id)
            kept = {} if now is None else dataclasses.asdict(now)
            values = {k: fields[k] if k in changes else kept.get(k) for k in PROFILE_FIELDS}
            return profile_of(append(self._conn, "profiles", {"athlete_id": athlete_id, **values}))

    def profile(self, athlete: str) -> Profile | None:
        """The profile of ``athlete`` as it stands, or None: none given (or no such athlete).

        Raises:
            PoiseError: its latest row cannot be read (the store is damaged).
        """
        athlete_id = self._athlete_or_none(athlete)
        return None if athlete_id is None else self._profile(athlete_id)

    def _profile(self, athlete_id: int) -> Profile | None:
        if not has_events(self._conn):
            return None  # a store before version 6, read as it is
        found = rows(self._conn, "profiles", "athlete_id", "WHERE athlete_id = ?", (athlete_id,))
        if not found:
            return None
        _, latest = found[-1]
        if isinstance(latest, str):
            raise PoiseError(f"{self.path}: the store is damaged (a profile: {latest})")
        return profile_of(latest)

    def add_note(
        self,
        athlete: str,
        text: str,
        visit_id: int | None = None,
        trial_id: int | None = None,
    ) -> Note:
        """Write a note (one line: :func:`poise.names.note_text`) on ``athlete``, one of
        their visits or one of their trials; it.

        Raises:
            PoiseError: no such athlete, the visit or trial is not theirs, or the text
                is not a note.
        """
        athlete = _athlete(athlete)
        text = _checked_input(note_text, text)
        if visit_id is not None and trial_id is not None:
            raise ValueError("a note is on a visit or a trial, not both")
        with transaction(self._conn):
            athlete_id = self.known_athlete(athlete)
            if trial_id is not None:
                owner = self._conn.execute(
                    "SELECT s.athlete_id FROM trials t JOIN sessions s ON s.id = t.session_id"
                    " WHERE t.id = ?",
                    (trial_id,),
                ).fetchone()
                if owner is None or owner[0] != athlete_id:
                    raise PoiseError(f"trial {trial_id}: no trial of {terminal_safe(athlete)}")
            if visit_id is not None:
                owner = self._conn.execute(
                    "SELECT athlete_id FROM visits WHERE id = ?", (visit_id,)
                ).fetchone()
                if owner is None or owner[0] != athlete_id:
                    raise PoiseError(f"visit {visit_id}: no visit of {terminal_safe(athlete)}")
            fields = {"athlete_id": athlete_id, "visit_id": visit_id, "trial_id": trial_id}
            return note_of(append(self._conn, "notes", {**fields, "text": text}))

    def notes(self, athlete: str) -> tuple[list[Note], list[str]]:
        """Every note on ``athlete``, their visits and trials, in the order written; and
        why each note that cannot be read cannot be (a damaged store)."""
        athlete_id = self._athlete_or_none(athlete)
        if athlete_id is None or not has_events(self._conn):
            return [], []
        found = rows(self._conn, "notes", "athlete_id", "WHERE athlete_id = ?", (athlete_id,))
        return (
            [note_of(fields) for _, fields in found if not isinstance(fields, str)],
            [fields for _, fields in found if isinstance(fields, str)],
        )

    def mark_trial(self, trial_id: int, reason: str | None) -> Mark:
        """Mark a trial invalid with ``reason`` (one line: :func:`poise.names.note_text`),
        or take its mark back (``reason`` None); the new mark. The trial's own row, and
        so its checksum, is not touched.

        Raises:
            PoiseError: no such trial, a mark taken back from a trial not marked, or a
                reason that is not one line of text.
        """
        if reason is not None:
            reason = _checked_input(lambda r: note_text(r, "reason"), reason)
        with transaction(self._conn):
            if not self._conn.execute("SELECT 1 FROM trials WHERE id = ?", (trial_id,)).fetchone():
                raise PoiseError(f"trial {trial_id}: no such trial in {self.path}")
            marks = rows(self._conn, "trial_marks", "trial_id", "WHERE trial_id = ?", (trial_id,))
            latest = marks[-1][1] if marks else None
            if isinstance(latest, str):
                raise PoiseError(f"{self.path}: the store is damaged (trial {trial_id}: {latest})")
            if reason is None and not (latest and latest["invalid"]):
                raise PoiseError(f"trial {trial_id}: not marked invalid; nothing to take back")
            values = {"trial_id": trial_id, "invalid": int(reason is not None), "reason": reason}
            return mark_of(append(self._conn, "trial_marks", values))

    def known_athlete(self, name: str) -> int:
        """The id of the athlete called ``name``, who must be in the store (PoiseError
        naming those who are, if not)."""
        athlete_id = self._athlete_or_none(name)
        if athlete_id is None:
            known = ", ".join(map(terminal_safe, self.athletes())) or "none yet"
            raise PoiseError(
                f"{self.path}: no athlete called {terminal_safe(name.strip(' '))!r} "
                f"(known: {known}); `poise athlete add` adds one"
            )
        return athlete_id

    def _athlete_or_none(self, name: str) -> int | None:
        row = self._conn.execute(
            "SELECT id FROM athletes WHERE name = ?", (_athlete(name),)
        ).fetchone()
        return None if row is None else row[0]

    # Trials

    def start_trial(
        self,
        session_id: int,
        drill: str,
        leg: str,
        eyes: str,
        surface: str,
        number: int,
        started_utc: str | None = None,
        uuid: str | None = None,
    ) -> Trial:
        """Record a trial as ``running``; its id, the path its recording goes to, and
        what the store knows of it (:attr:`Trial.facts`).

        The recording path is ``recordings/<session uuid>/<trial uuid>-<drill>-<leg>.csv``
        beside the store; the store keeps it relative. The UUIDs are random (``uuid``
        gives the trial's own, for a trial logged again from its recording), so
        the name is one no store (this one, another, or an older backup of this
        one) has given before, and the file is not there. Its folder is created
        (0700); the file is left to the writer, which creates it exclusively.
        """
        check_choice("drill", drill, tuple(DRILLS))
        check_choice("leg", leg, LEGS)
        check_choice("eyes", eyes, EYES)
        check_choice("surface", surface, SURFACES)
        check_count("number", number, 1, 10_000)
        started = utc_or_now(started_utc, "started_utc")
        with transaction(self._conn):
            open_session = self._conn.execute(
                "SELECT s.uuid, a.name, s.started_utc, s.source_json, s.settings_json,"
                " s.poise_version, s.condition, v.uuid, v.battery_json, v.involved,"
                " v.started_utc FROM sessions s JOIN athletes a ON a.id = s.athlete_id"
                " LEFT JOIN visits v ON v.id = s.visit_id"
                " WHERE s.id = ? AND s.ended_utc IS NULL",
                (session_id,),
            ).fetchone()
            if not open_session:
                raise PoiseError(f"session {session_id}: no such open session")
            session_uuid, athlete, session_started, source, settings, version = open_session[:6]
            condition, visit_uuid, battery_json, involved, visit_started = open_session[6:]
            if session_uuid is None:  # a session started before version 3, still open
                session_uuid = new_uuid()
                self._conn.execute(
                    "UPDATE sessions SET uuid = ? WHERE id = ?", (session_uuid, session_id)
                )
            trial_uuid = uuid or new_uuid()
            relative = f"{RECORDINGS_DIR}/{session_uuid}/{trial_uuid}-{drill}-{leg}.csv"
            trial_id = self._conn.execute(
                "INSERT INTO trials (session_id, drill, leg, eyes, surface, number, status,"
                " algorithm_version, started_utc, uuid, recording)"
                " VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)",
                (
                    session_id,
                    drill,
                    leg,
                    eyes,
                    surface,
                    number,
                    ALGORITHM_VERSION,
                    started,
                    trial_uuid,
                    relative,
                ),
            ).lastrowid
            recording = self.folder / relative
            try:
                private_folder(recording.parent)
            except OSError as e:
                raise PoiseError(f"{recording.parent}: cannot create: {e.strerror or e}") from None
            self._seal(trial_id)
        facts = {
            "athlete": athlete,
            "session": {
                "uuid": session_uuid,
                "started_utc": session_started,
                "source": json.loads(source),
                "settings": json.loads(settings),
                "poise_version": version,
            },
            # A visit's session says which, so a store rebuilt from its recordings has it.
            **(
                {
                    "visit": {
                        "uuid": visit_uuid,
                        "battery": json.loads(battery_json),
                        "involved": involved,
                        "started_utc": visit_started,
                        "condition": condition,
                    }
                }
                if visit_uuid is not None
                else {}
            ),
            "trial": {
                "uuid": trial_uuid,
                "drill": drill,
                "leg": leg,
                "eyes": eyes,
                "surface": surface,
                "number": number,
                "started_utc": started,
            },
        }
        return Trial(trial_id, session_id, recording, facts)

    def finish_trial(
        self,
        trial_id: int,
        status: str,
        result: Mapping[str, Any] | None,
        metrics: Mapping[str, float | None],
        notes: str | None = None,
        ended_utc: str | None = None,
    ) -> None:
        """End a running trial: status, result, recording hash and metrics in one transaction.

        Args:
            status: ``complete``, ``interrupted`` or ``aborted``.
            result: the dict of :func:`poise.analysis.analyze` (None if not scored); its
                ``algorithm_version`` replaces the one recorded at the start.
            metrics: headline metrics (see :func:`poise.store.headline.headline_metrics`),
                each a finite number or None.
            notes: free text.
            ended_utc: ISO 8601 with a time zone; now by default.

        Raises:
            PoiseError: the trial is not running (already ended, or unknown).
        """
        check_choice("status", status, END_STATUSES)
        ended = utc_or_now(ended_utc, "ended_utc")
        for name, value in metrics.items():
            if value is not None and not (isinstance(value, int | float) and math.isfinite(value)):
                raise ValueError(f"metric {name} must be a finite number or None, not {value!r}")
        result_json = None if result is None else _json(result, "result")
        validity, codes = verdict_of(result)
        version = (result or {}).get("algorithm_version")
        row = self._conn.execute(
            "SELECT recording FROM trials WHERE id = ? AND status = 'running'", (trial_id,)
        ).fetchone()
        if row is None:
            raise PoiseError(f"trial {trial_id}: not running (already ended, or unknown)")
        # Hashing is file I/O: done before the transaction, so the write lock is held briefly.
        path = self._recording(row[0])
        digest = None if path is None else sha256_file(path)
        with transaction(self._conn):
            updated = self._conn.execute(
                "UPDATE trials SET status = ?, ended_utc = ?, recording_sha256 = ?,"
                " result_json = ?, notes = ?, algorithm_version = coalesce(?, algorithm_version),"
                " validity = ?, warning_codes = ? WHERE id = ? AND status = 'running'",
                (
                    status,
                    ended,
                    digest,
                    result_json,
                    notes,
                    version,
                    validity,
                    codes,
                    trial_id,
                ),
            ).rowcount
            if not updated:
                raise PoiseError(f"trial {trial_id}: ended by another process meanwhile")
            self._conn.executemany(
                "INSERT INTO metrics (trial_id, name, value) VALUES (?, ?, ?)",
                [(trial_id, name, None if v is None else float(v)) for name, v in metrics.items()],
            )
            self._seal(trial_id)

    def recover(self) -> list[int]:
        """Mark trials left ``running`` by a killed process ``interrupted``; their ids.

        Each one's recording, if present, is hashed as it is, and its
        modification time (the last moment the process wrote) becomes the
        trial's end. Does nothing while any process (this one included) has a
        session open on the store: its trials may still be running.
        """
        if self._session_lock is not None:
            return []
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return []
            with transaction(self._conn):
                running = self._conn.execute(
                    "SELECT id, recording FROM trials WHERE status = 'running' ORDER BY id"
                ).fetchall()
                self._interrupt(running)
            return [trial_id for trial_id, _ in running]
        finally:
            os.close(fd)

    def _interrupt(self, trials: list[tuple[int, str | None]]) -> None:
        """Within a transaction: the trials become ``interrupted``, their recordings hashed."""
        for trial_id, relative in trials:
            path = self._recording(relative)
            digest = ended = None
            if path is not None:
                digest = sha256_file(path)
                ended = utc_text(datetime.fromtimestamp(path.stat().st_mtime, UTC))
            self._conn.execute(
                "UPDATE trials SET status = 'interrupted', ended_utc = ?, recording_sha256 = ?"
                " WHERE id = ?",
                (ended, digest, trial_id),
            )
            self._seal(trial_id)

    def _seal(self, trial_id: int) -> None:
        """Within a transaction: the trial's checksum over what it now holds."""
        checksum = trial_checksum(trial_fields(self._conn, trial_id))
        self._conn.execute("UPDATE trials SET checksum = ? WHERE id = ?", (checksum, trial_id))

    def _recording(self, relative: str | None) -> Path | None:
        """A trial's recording file, if it was written (a regular file: whatever a link
        at its name points to was not written by the trial)."""
        path = self.folder / relative if relative else None
        return path if path is not None and path.is_file() and not path.is_symlink() else None

    # Reading

    def trials(
        self, athlete: str | None = None, drill: str | None = None, leg: str | None = None
    ) -> list[TrialRow]:
        """Trials in start order, optionally of one athlete, drill and/or leg.

        Raises:
            PoiseError: a trial cannot be read (the store is damaged; see :meth:`reading`).
        """
        reading = self.reading()
        if reading.unreadable or not reading.complete:
            lost = reading.unreadable[0] if reading.unreadable else None
            which = f"trial {lost.trial_id}: {lost.reason}" if lost else "the trials table"
            raise PoiseError(f"{self.path}: the store is damaged ({which})")
        wanted = {"athlete": athlete and athlete.strip(), "drill": drill, "leg": leg}
        return [
            t
            for t in reading.trials
            if all(v is None or getattr(t, k) == v for k, v in wanted.items())
        ]

    def reading(self) -> Reading:
        """Every trial that can be read, and those that cannot (:mod:`poise.store.reader`),
        in one read transaction, so that trials and metrics are one snapshot under WAL.

        Raises:
            sqlite3.DatabaseError, UnicodeDecodeError: not even the store's schema can
                be read (:data:`poise.store.faults.FAULTS`).
        """
        with contextlib.closing(self._conn.cursor()) as cur:
            cur.execute("BEGIN")
            try:
                return read_trials(self._conn, self.folder)
            finally:
                cur.execute("COMMIT")

    def quick_check(self, limit: int = 5) -> list[str]:
        """SQLite's ``PRAGMA quick_check``: the first ``limit`` problems found, none for a
        sound store (it checks pages and records, not indexes against their tables)."""
        found = [row[0] for row in self._conn.execute(f"PRAGMA quick_check({int(limit)})")]
        return [] if found == ["ok"] else found

    def integrity_check(self) -> list[str]:
        """SQLite's ``PRAGMA integrity_check``: ``["ok"]`` for a sound store."""
        return [row[0] for row in self._conn.execute("PRAGMA integrity_check")]

    # The session lock

    @property
    def _lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def _take_session_lock(self) -> None:
        if self._session_lock is not None:
            return
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise PoiseError(
                f"{self.path}: another Poise session is running on this store"
            ) from None
        self._session_lock = fd

    def _release_session_lock(self) -> None:
        if self._session_lock is not None:
            os.close(self._session_lock)
            self._session_lock = None


def verdict_of(result: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    """A result's validity and its warning codes (a JSON list) for the store; None for
    a result without a verdict (or no result).

    >>> verdict_of({"validity": "attention", "warnings": [{"code": "noise", "message": "..."}]})
    ('attention', '["noise"]')
    """
    if result is None or result.get("validity") is None:
        return None, None
    validity = result["validity"]
    if validity not in VALIDITIES:
        raise ValueError(
            f"result validity must be one of {', '.join(VALIDITIES)}, not {validity!r}"
        )
    codes = [w.get("code") for w in result.get("warnings") or ()]
    if not all(isinstance(code, str) for code in codes):
        raise ValueError("every result warning needs a code")
    return validity, json.dumps(codes)


def _connect_readonly(uri: str) -> sqlite3.Connection:
    """A connection to ``uri`` that has read the file (SQLite opens lazily)."""
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def _athlete(name: str) -> str:
    return _checked_input(athlete_name, name)


def _checked_input(check: Callable[[str], str], text: str) -> str:
    """``check(text)``, its ValueError (text a person typed, not Poise's) a PoiseError."""
    try:
        return check(text)
    except ValueError as e:
        raise PoiseError(str(e)) from None


#: The fields of a profile, as :meth:`Store.edit_profile` takes them.
PROFILE_FIELDS = ("birth_year", "sex", "involved")


def _profile_fields(**fields: Any) -> dict[str, Any]:
    """The profile fields given, checked: a birth year from 1900 to this year, a sex of
    :data:`SEXES`, an involved side of :data:`INVOLVED` (each may be None: not given)."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"a profile has no {', '.join(sorted(unknown))}")
    try:
        if fields.get("birth_year") is not None:
            check_birth_year(fields["birth_year"])
        for name, choices in (("sex", SEXES), ("involved", INVOLVED)):
            if fields.get(name) is not None:
                check_choice(name, fields[name], choices)
    except ValueError as e:
        raise PoiseError(str(e)) from None
    return fields


def _create_private(path: Path) -> None:
    """Create the store file, if new, readable by its owner alone (SQLite gives its WAL
    and shared-memory files the same mode)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_FILE_MODE)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)


def _json(value: Mapping[str, Any], field: str) -> str:
    """``value`` as JSON text; ValueError naming ``field`` if it is not JSON-ready."""
    try:
        return json.dumps(value, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{field} is not JSON-ready: {e}") from None
