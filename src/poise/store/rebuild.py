"""A lost or damaged store made again from its recordings folder (``poise store rebuild``).

Every recording a store names carries, in its header, what the store knew of
its trial (``RecordingMeta.store``: athlete, session, trial) and, on its end
line, how the trial ended (status, scored span, algorithm version; see
docs/recording-format.md). :func:`rebuild` reads them all and logs each trial
again in a new store, with its own UUIDs, times and recording hash; a trial
that was scored is scored again over its span, with the settings its session
recorded, by the same :func:`poise.analysis.analyze` that equals the live
score. A recording without those facts (made before they were written, or not
Poise's) is named and kept out, never guessed at.

The new store is written to a temporary file and hard-linked to its name,
which never replaces anything: an existing store, even an empty one, is never
overwritten.

What no recording holds cannot come back: the athletes' profiles, the notes and
the invalid marks (schema version 6, :mod:`poise.store.annotations`) are added
to the store after a trial's recording is sealed by its SHA-256, so they live in
the store alone. The rebuild says so (:data:`NOT_IN_RECORDINGS`).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from poise.errors import PoiseError
from poise.files import PRIVATE_FILE_MODE
from poise.store.paths import RECORDINGS_DIR, STORE_FILE
from poise.store.utc import utc_text

#: The files SQLite and Poise keep beside a store file (a stale WAL would be replayed
#: into a new store of the same name, so a name with any of them is taken).
COMPANIONS = ("-wal", "-shm", "-journal", ".lock", ".reserve")
#: What a rebuild says it cannot bring back.
NOT_IN_RECORDINGS = (
    "not in recordings, so not in the rebuilt store: athlete profiles, notes and invalid "
    "marks (`poise athlete edit`, `poise athlete note`, `poise trial invalid` give them again)"
)


@dataclass
class Found:
    """One recording read for the rebuild: its path, header facts and end facts."""

    path: Path
    facts: dict[str, Any]
    end: dict[str, Any] | None
    mtime_utc: str


@dataclass
class Rebuilt:
    """What a rebuild did: where the store went, what it holds, what was kept out."""

    store: Path
    sessions: int = 0
    trials: int = 0
    rescored: int = 0
    lines: list[str] = field(default_factory=list)  # one per recording kept out or noted
    kept_out: int = 0


def rebuild(recordings: str | Path, out: str | Path | None = None) -> Rebuilt:
    """Log every trial of the recordings folder ``recordings`` again, in a new store.

    Args:
        recordings: a store's ``recordings/`` folder.
        out: the new store file, in the folder that holds ``recordings``; by
            default ``poise.sqlite3`` there if that name is free (no file, no
            WAL), else ``poise-rebuilt-<UTC time>.sqlite3``.

    Raises:
        PoiseError: the folder is not a recordings folder, or ``out`` is taken or
            elsewhere.
    """
    from poise.store.sqlite import Store

    recordings = Path(recordings)
    if not recordings.is_dir():
        raise PoiseError(f"{recordings}: not a folder")
    if recordings.name != RECORDINGS_DIR:
        raise PoiseError(
            f"{recordings}: not a store's recordings folder (one named {RECORDINGS_DIR}/)"
        )
    target = _target(recordings.parent, out)
    found, lines = _read_all(recordings)
    done = Rebuilt(target, lines=lines, kept_out=len(lines))
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    try:
        with Store.open(tmp) as store:
            for session in _sessions(found):
                _log_session(store, session, done)
        _place(tmp, target)
    finally:
        for leftover in (tmp, *(tmp.with_name(tmp.name + c) for c in COMPANIONS)):
            leftover.unlink(missing_ok=True)
    return done


def _target(folder: Path, out: str | Path | None) -> Path:
    if out is not None:
        target = Path(out)
        if target.parent.resolve() != folder.resolve():
            raise PoiseError(
                f"{target}: a rebuilt store goes beside its recordings folder, in {folder}"
            )
        if _taken(target):
            raise PoiseError(f"{target}: already exists; not overwritten")
        return target
    default = folder / STORE_FILE
    if not _taken(default):
        return default
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return folder / f"poise-rebuilt-{stamp}.sqlite3"


def _taken(path: Path) -> bool:
    names = (path, *(path.with_name(path.name + c) for c in ("-wal", "-shm", "-journal")))
    return any(os.path.lexists(p) for p in names)


def _place(tmp: Path, target: Path) -> None:
    """Give the finished store its name; a link never replaces what is there."""
    os.chmod(tmp, PRIVATE_FILE_MODE)
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise PoiseError(f"{target}: already exists; not overwritten") from None
    except OSError as e:
        raise PoiseError(f"{target}: cannot write: {e.strerror or e}") from None


def _read_all(recordings: Path) -> tuple[list[Found], list[str]]:
    """Every recording's facts, in path order, and one line per file kept out."""
    from poise.store.inventory import inventory

    files = inventory(recordings)
    found, lines = [], [f"{path}: not a recording; kept out" for path in files.others]
    for path in files.recordings:
        try:
            found.append(_read(path, recordings))
        except PoiseError as e:
            lines.append(f"{e}; kept out")
    return found, lines


def _read(path: Path, recordings: Path) -> Found:
    from poise.formats.poise_csv import RecordingReader

    with RecordingReader(path) as reader:
        for _ in reader.blocks():  # read to the end: the end line is the last
            pass
        facts, end = reader.meta.store, reader.end
    if not isinstance(facts, dict):
        raise PoiseError(
            f"{path}: its header does not say whose it is (recorded before Poise wrote "
            "the store's facts into recordings, or not by a session)"
        )
    missing = _missing(facts)
    if missing:
        raise PoiseError(f"{path}: its header's store facts have no {missing}")
    session, trial = facts["session"], facts["trial"]
    expected = recordings / session["uuid"] / f"{trial['uuid']}-{trial['drill']}-{trial['leg']}.csv"
    if expected != path:
        raise PoiseError(f"{path}: not at the name its header gives ({expected})")
    if end is not None and not isinstance(end.get("status"), str):
        end = None
    mtime = utc_text(datetime.fromtimestamp(path.stat().st_mtime, UTC))
    return Found(path, facts, end, mtime)


#: The facts a trial is logged from: (part, key) of ``RecordingMeta.store``.
REQUIRED = (
    (None, "athlete"),
    ("session", "uuid"),
    ("session", "started_utc"),
    *(("trial", key) for key in ("uuid", "drill", "leg", "eyes", "surface", "started_utc")),
)


def _missing(facts: dict[str, Any]) -> str | None:
    """The first fact that is missing or not text (the trial's number aside), as
    ``part.key``; None if all are there."""
    for part, key in REQUIRED:
        holder = facts if part is None else facts.get(part)
        if not isinstance(holder, dict) or not isinstance(holder.get(key), str):
            return key if part is None else f"{part}.{key}"
    number = facts["trial"].get("number")
    if not isinstance(number, int) or isinstance(number, bool):
        return "trial.number"
    return None


def _sessions(found: list[Found]) -> list[list[Found]]:
    """The recordings grouped by session, sessions and trials in start order."""
    by_session: dict[str, list[Found]] = {}
    for f in found:
        by_session.setdefault(f.facts["session"]["uuid"], []).append(f)
    sessions = [
        sorted(trials, key=lambda f: (f.facts["trial"]["started_utc"], f.facts["trial"]["number"]))
        for trials in by_session.values()
    ]
    return sorted(sessions, key=lambda s: (s[0].facts["session"]["started_utc"], str(s[0].path)))


def _log_session(store: Any, trials: list[Found], done: Rebuilt) -> None:
    import sqlite3

    first = trials[0].facts
    session = first["session"]
    try:
        session_id = store.start_session(
            first["athlete"],
            session.get("source") or {"kind": "unknown"},
            session.get("settings") or {},
            started_utc=session["started_utc"],
            uuid=session["uuid"],
            poise_version=session.get("poise_version"),
            visit=_visit(store, first),
        )
    except (PoiseError, ValueError, sqlite3.IntegrityError) as e:
        done.lines += [f"{f.path}: its session cannot be logged ({e}); kept out" for f in trials]
        done.kept_out += len(trials)
        return
    done.sessions += 1
    ended = []
    for found in trials:
        try:
            ended.append(_log_trial(store, session_id, found, done))
        except (PoiseError, ValueError, sqlite3.IntegrityError) as e:
            done.lines.append(f"{found.path}: cannot be logged ({e}); kept out")
            done.kept_out += 1
    store.end_session(session_id, ended_utc=max(ended, default=session["started_utc"]))


def _visit(store: Any, facts: dict[str, Any]) -> tuple[int, int] | None:
    """The visit a session's recordings name (logged again the first time one is met,
    and left open: ``poise battery run`` ends it, or goes on with it), and its condition;
    None for a session of no visit."""
    visit = facts.get("visit")
    if not isinstance(visit, dict):
        return None
    condition = visit.get("condition")
    known = {v.uuid: v.id for v in store.visits(facts["athlete"])}
    visit_id = known.get(visit.get("uuid"))
    if visit_id is None:
        visit_id = store.start_visit(
            facts["athlete"],
            visit.get("battery") or {},
            visit.get("involved"),
            started_utc=visit.get("started_utc"),
            uuid=visit.get("uuid"),
        )
    return visit_id, condition


def _log_trial(store: Any, session_id: int, found: Found, done: Rebuilt) -> str:
    """Log one trial again; its end time."""
    from poise.store.headline import headline_metrics

    t = found.facts["trial"]
    trial = store.start_trial(
        session_id,
        t["drill"],
        t["leg"],
        t["eyes"],
        t["surface"],
        t["number"],
        started_utc=t["started_utc"],
        uuid=t["uuid"],
    )
    end = found.end
    result = None
    if end is None:
        status, notes, ended = "interrupted", "rebuilt: the recording was not closed", None
        done.lines.append(f"{found.path}: not closed (its session was cut short); interrupted")
    else:
        status, notes, ended = end["status"], end.get("reason") or None, end.get("ended_utc")
        if end.get("scored"):
            result = _rescore(found, end, done)
    ended = ended or found.mtime_utc
    metrics = headline_metrics(result) if result else {}
    store.finish_trial(trial.id, status, result, metrics, notes=notes, ended_utc=ended)
    done.trials += 1
    return ended


def _rescore(found: Found, end: dict[str, Any], done: Rebuilt) -> dict[str, Any] | None:
    """The trial scored again over its span, with its session's settings."""
    from poise.analysis import analyze
    from poise.formats.poise_csv import read_recording
    from poise.metrics import ALGORITHM_VERSION
    from poise.settings import Settings, session_settings

    settings = session_settings(found.facts)
    if settings is None:
        settings = Settings()
        done.lines.append(
            f"{found.path}: its session's settings are not this Poise's; scored with the defaults"
        )
    try:
        result = analyze(
            read_recording(found.path),
            found.facts["trial"]["drill"],
            settings=settings.tilt,
            start_s=end.get("go_s"),
            end_s=end.get("end_s"),
        )
    except PoiseError as e:
        done.lines.append(f"{found.path}: cannot be scored again ({e}); logged without a result")
        return None
    done.rescored += 1
    if end.get("algorithm_version") != ALGORITHM_VERSION:
        done.lines.append(
            f"{found.path}: scored again by algorithm {ALGORITHM_VERSION} "
            f"(it was scored by {end.get('algorithm_version')})"
        )
    return result
