"""The store's schema and its migrations, versioned by ``PRAGMA user_version``.

``MIGRATIONS[i]`` takes a store from version ``i`` to ``i + 1``; each runs in
one transaction together with the version bump, so a store is always at a
whole version. A store written by a newer Poise (a higher version than this
one knows) is refused with a clear error rather than misread. ``PRAGMA
application_id`` marks the file as a Poise store, so another program's SQLite
file is refused too (SQLite file format, "Application ID", sqlite.org/fileformat.html).

Tables:

- ``athletes``: one row per name (unique);
- ``sessions``: an athlete's sitting: start and end (UTC), the sample source
  (kind and details, JSON), the settings in effect (JSON), the Poise version;
- ``trials``: one drill performed once: drill, leg (left, right, board), eyes
  (open, closed), surface (firm, foam), number within the session, status
  (running, complete, interrupted, aborted), algorithm version, start and end,
  the raw recording's path relative to the store's folder and its SHA-256,
  the full result of :func:`poise.analysis.analyze` (JSON), notes;
- ``metrics``: the headline numbers of a trial (one row per name; NULL when
  the result could not compute it), indexed for history queries.

Sessions and trials also carry a ``uuid`` (version 3; NULL for those logged
before): a random UUID that names the session's recordings folder and the
trial's recording, so that no two stores, nor a store restored from an
older backup, ever name the same file.

Trials also carry (version 4) their result's ``validity`` (``valid``,
``attention``, ``invalid``: :mod:`poise.validity`; NULL, unknown, for trials
logged before and for trials without a result), its ``warning_codes`` (a JSON
list; NULL likewise), and a ``checksum``: the SHA-256 of everything history
shows of the trial (:func:`poise.store.reader.trial_checksum`), so that a bit
flipped on the disk is a trial named as unreadable, never a wrong number.

Visits (version 5): a ``visits`` row is one run of a test battery for an
athlete (:mod:`poise.visits`): the battery's name and the battery as it was run
(JSON, so a later edit of its file does not change what the visit was), the
involved side if any, start and end (UTC; no end while it can be resumed) and a
``uuid``. A session of a visit names it (``sessions.visit_id``) and the
battery's condition it ran (``sessions.condition``, from 1).

Profiles, notes and marks (version 6), each an append-only event: a row is
never changed or deleted, an edit is a new row and the latest (by row id, the
order this store took them in: a Pi without a real-time clock can go back in
time) wins. Each has a random ``uuid``, its UTC time and a ``checksum`` of its
fields (:mod:`poise.store.annotations`), so that a later sync can ship them as
events and a flipped bit is named, never shown:

- ``profiles``: an athlete's profile as it stood after each add or edit: birth
  year, sex (``female``, ``male``), involved side (``left``, ``right``, ``none``;
  NULL: not said), each optional;
- ``notes``: a line of text on an athlete, one of their visits or one of their
  trials;
- ``trial_marks``: a trial marked invalid with a reason, or the mark taken back.
  A mark never changes the trial's row, nor its checksum.

Drill names are checked by Poise, not by the schema, so a new drill needs no
migration.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from poise.errors import PoiseError
from poise.store.faults import FAULTS, fault_text
from poise.store.transaction import transaction

#: ``PRAGMA application_id`` of a Poise store: "Pois" in ASCII.
APPLICATION_ID = int.from_bytes(b"Pois", "big")


@dataclass(frozen=True)
class Migration:
    """One step of the schema: ``statements`` run in order, in one transaction."""

    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "athletes, sessions and trials",
        (
            f"PRAGMA application_id = {APPLICATION_ID}",
            """CREATE TABLE athletes (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0)
            )""",
            """CREATE TABLE sessions (
                id INTEGER PRIMARY KEY,
                athlete_id INTEGER NOT NULL REFERENCES athletes(id),
                started_utc TEXT NOT NULL,
                ended_utc TEXT,
                source_kind TEXT NOT NULL,
                source_json TEXT NOT NULL CHECK (json_valid(source_json)),
                settings_json TEXT NOT NULL CHECK (json_valid(settings_json)),
                poise_version TEXT NOT NULL
            )""",
            """CREATE TABLE trials (
                id INTEGER PRIMARY KEY,
                session_id INTEGER NOT NULL REFERENCES sessions(id),
                drill TEXT NOT NULL,
                leg TEXT NOT NULL CHECK (leg IN ('left', 'right', 'board')),
                eyes TEXT NOT NULL CHECK (eyes IN ('open', 'closed')),
                surface TEXT NOT NULL CHECK (surface IN ('firm', 'foam')),
                number INTEGER NOT NULL CHECK (number >= 1),
                status TEXT NOT NULL
                    CHECK (status IN ('running', 'complete', 'interrupted', 'aborted')),
                algorithm_version TEXT NOT NULL,
                started_utc TEXT NOT NULL,
                ended_utc TEXT,
                recording TEXT,
                recording_sha256 TEXT,
                result_json TEXT CHECK (result_json IS NULL OR json_valid(result_json)),
                notes TEXT
            )""",
            "CREATE INDEX sessions_by_athlete ON sessions (athlete_id, started_utc)",
            "CREATE INDEX trials_by_session ON trials (session_id)",
            "CREATE INDEX trials_running ON trials (status) WHERE status = 'running'",
        ),
    ),
    Migration(
        "headline metrics per trial, indexed for history",
        (
            """CREATE TABLE metrics (
                trial_id INTEGER NOT NULL REFERENCES trials(id),
                name TEXT NOT NULL,
                value REAL,
                PRIMARY KEY (trial_id, name)
            ) WITHOUT ROWID""",
            "CREATE INDEX metrics_by_name ON metrics (name, trial_id)",
            "CREATE INDEX trials_by_drill ON trials (drill, leg, started_utc)",
        ),
    ),
    Migration(
        "globally unique ids of sessions and trials, which name their recordings",
        (
            "ALTER TABLE sessions ADD COLUMN uuid TEXT",
            "ALTER TABLE trials ADD COLUMN uuid TEXT",
            "CREATE UNIQUE INDEX sessions_by_uuid ON sessions (uuid)",
            "CREATE UNIQUE INDEX trials_by_uuid ON trials (uuid)",
        ),
    ),
    Migration(
        "each trial's verdict, its warning codes and a checksum of what history shows of it",
        (
            "ALTER TABLE trials ADD COLUMN validity TEXT"
            " CHECK (validity IS NULL OR validity IN ('valid', 'attention', 'invalid'))",
            "ALTER TABLE trials ADD COLUMN warning_codes TEXT"
            " CHECK (warning_codes IS NULL OR json_valid(warning_codes))",
            "ALTER TABLE trials ADD COLUMN checksum TEXT",
        ),
    ),
    Migration(
        "visits: a test battery run for an athlete, resumable; its sessions name it",
        (
            """CREATE TABLE visits (
                id INTEGER PRIMARY KEY,
                athlete_id INTEGER NOT NULL REFERENCES athletes(id),
                battery TEXT NOT NULL,
                battery_json TEXT NOT NULL CHECK (json_valid(battery_json)),
                involved TEXT CHECK (involved IS NULL OR involved IN ('left', 'right')),
                started_utc TEXT NOT NULL,
                ended_utc TEXT,
                uuid TEXT NOT NULL UNIQUE
            )""",
            "CREATE INDEX visits_by_athlete ON visits (athlete_id, battery, started_utc)",
            "ALTER TABLE sessions ADD COLUMN visit_id INTEGER REFERENCES visits(id)",
            "ALTER TABLE sessions ADD COLUMN condition INTEGER"
            " CHECK (condition IS NULL OR condition >= 1)",
            "CREATE INDEX sessions_by_visit ON sessions (visit_id) WHERE visit_id IS NOT NULL",
        ),
    ),
    Migration(
        "athlete profiles, notes on athletes, visits and trials, and trials marked invalid",
        (
            """CREATE TABLE profiles (
                id INTEGER PRIMARY KEY,
                athlete_id INTEGER NOT NULL REFERENCES athletes(id),
                birth_year INTEGER CHECK (birth_year IS NULL OR birth_year BETWEEN 1900 AND 2999),
                sex TEXT CHECK (sex IS NULL OR sex IN ('female', 'male')),
                involved TEXT CHECK (involved IS NULL OR involved IN ('left', 'right', 'none')),
                recorded_utc TEXT NOT NULL,
                uuid TEXT NOT NULL UNIQUE,
                checksum TEXT NOT NULL
            )""",
            "CREATE INDEX profiles_by_athlete ON profiles (athlete_id, id)",
            """CREATE TABLE notes (
                id INTEGER PRIMARY KEY,
                athlete_id INTEGER NOT NULL REFERENCES athletes(id),
                visit_id INTEGER REFERENCES visits(id),
                trial_id INTEGER REFERENCES trials(id),
                text TEXT NOT NULL CHECK (length(trim(text)) > 0),
                recorded_utc TEXT NOT NULL,
                uuid TEXT NOT NULL UNIQUE,
                checksum TEXT NOT NULL,
                CHECK (visit_id IS NULL OR trial_id IS NULL)
            )""",
            "CREATE INDEX notes_by_athlete ON notes (athlete_id, id)",
            "CREATE INDEX notes_by_trial ON notes (trial_id) WHERE trial_id IS NOT NULL",
            """CREATE TABLE trial_marks (
                id INTEGER PRIMARY KEY,
                trial_id INTEGER NOT NULL REFERENCES trials(id),
                invalid INTEGER NOT NULL CHECK (invalid IN (0, 1)),
                reason TEXT CHECK (invalid = 0 OR length(trim(reason)) > 0),
                recorded_utc TEXT NOT NULL,
                uuid TEXT NOT NULL UNIQUE,
                checksum TEXT NOT NULL
            )""",
            "CREATE INDEX trial_marks_by_trial ON trial_marks (trial_id, id)",
        ),
    ),
)


def schema_version(conn: sqlite3.Connection, where: str, known: int = len(MIGRATIONS)) -> int:
    """The store's schema version, after checking the file is a Poise store this Poise reads.

    Raises:
        PoiseError: the file is not an SQLite database, is another program's
            database, or was written by a newer Poise (version above ``known``).
    """
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except FAULTS as e:
        raise PoiseError(f"{where}: not a Poise store ({fault_text(e)})") from None
    if app_id != APPLICATION_ID and (app_id != 0 or tables):
        raise PoiseError(f"{where}: not a Poise store (another program's SQLite database)")
    if version > known:
        raise PoiseError(
            f"{where}: store schema version {version} was written by a newer Poise "
            f"(this one knows up to {known}); update Poise"
        )
    return version


def migrate(
    conn: sqlite3.Connection, where: str, migrations: tuple[Migration, ...] = MIGRATIONS
) -> int:
    """Bring the store up to ``len(migrations)``, one transaction per step; the new version.

    A step that fails leaves the store at the previous whole version. The
    version is read again inside each step's transaction, so two processes
    opening a new store at once do not both apply a step.
    """
    if schema_version(conn, where, len(migrations)) == len(migrations):
        return len(migrations)
    while True:
        with transaction(conn):
            version = schema_version(conn, where, len(migrations))
            if version == len(migrations):
                return version
            for statement in migrations[version].statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
