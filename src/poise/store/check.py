"""``poise store check``: the store and its recordings folder, compared, in plain lines.

The store is opened read-only and checked whole (``PRAGMA integrity_check``);
then every trial's recording is looked for and hashed against the SHA-256
stored when the trial ended, every file under ``recordings/`` is read and
matched to a trial, and each finding is one line that names the file and
says what to do: a recording missing or changed (restore it from a backup),
one no trial names (a store restored from an older backup: ``poise store
rebuild``), one not closed (its trial was cut short; it reads up to its last
whole row), a leftover of a killed writer (delete it).
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from poise.errors import PoiseError
from poise.store.inventory import inventory
from poise.store.paths import recordings_dir


@dataclass
class Checked:
    """What :func:`check` found: one line each, how many are problems, and a summary."""

    lines: list[str] = field(default_factory=list)
    problems: int = 0
    summary: str = ""

    def problem(self, line: str) -> None:
        self.lines.append(line)
        self.problems += 1


def check(store: str | Path) -> Checked:
    """Compare the store at ``store`` with the recordings folder beside it."""
    store = Path(store)
    folder = recordings_dir(store)
    rebuild = f"`poise store rebuild --from {folder}`"
    found = Checked()
    files = inventory(folder)
    rows = _trials(store, found, rebuild)
    named: set[Path] = set()
    for trial_id, status, relative, digest, athlete, drill, leg, started in rows or []:
        if not relative:
            continue
        path = store.parent / relative
        named.add(path)
        _check_trial(
            path,
            status,
            digest,
            f"trial {trial_id} ({athlete}, {drill} {leg}, {started[:10]}, {status})",
            found,
        )
    for path in files.recordings:
        if path not in named:
            _check_orphan(path, store, rebuild, found)
    for path in files.leftovers:
        found.lines.append(
            f"{path}: a header left by a writer killed before its recording existed "
            "(no samples); delete it"
        )
    for path in files.others:
        found.lines.append(
            f"{path}: not Poise's (neither a recording nor session audio); left alone"
        )
    trials = "no readable trials" if rows is None else f"{len(rows)} trial(s)"
    found.summary = (
        f"{store}: {trials}, {len(files.recordings)} recording(s), "
        f"{len(files.audio)} session audio file(s): "
        + ("all accounted for" if not found.problems else f"{found.problems} problem(s)")
    )
    return found


def _trials(store: Path, found: Checked, rebuild: str) -> list[tuple] | None:
    """The trials' ids, status, recording, hash, athlete, drill, leg and start; None (and
    a problem line) when the store is missing or cannot be read."""
    from poise.store.schema import schema_version

    if not store.is_file() or store.stat().st_size == 0:
        state = "missing" if not store.exists() else "empty (0 bytes)"
        found.problem(
            f"{store}: the store is {state}; make it again from its recordings: {rebuild}"
        )
        return None
    uri = store.resolve().as_uri() + "?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
            schema_version(conn, str(store))
            verdict = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if verdict != ["ok"]:
                found.problem(
                    f"{store}: the store is damaged ({verdict[0]}); make a new one from its "
                    f"recordings: {rebuild} (this one is left as it is)"
                )
            return conn.execute(
                "SELECT t.id, t.status, t.recording, t.recording_sha256, a.name, t.drill, t.leg,"
                " t.started_utc FROM trials t JOIN sessions s ON s.id = t.session_id"
                " JOIN athletes a ON a.id = s.athlete_id ORDER BY t.id"
            ).fetchall()
    except (sqlite3.DatabaseError, PoiseError) as e:
        found.problem(f"{store}: the store cannot be read ({e}); {rebuild} makes a new one")
        return None


def _check_trial(path: Path, status: str, digest: str | None, label: str, found: Checked) -> None:
    from poise.store.sqlite import sha256_file

    if status == "running":
        found.lines.append(
            f"{path}: {label} is still running (a session is on, or one was killed: the next "
            "session marks it interrupted)"
        )
        return
    if not path.exists() and not path.is_symlink():
        if digest is not None:
            found.problem(f"{path}: missing, the recording of {label}; restore it from a backup")
        return  # never written (the trial ended before its first sample)
    if path.is_symlink() or not path.is_file():
        found.problem(f"{path}: not a regular file, so not the recording of {label}; move it aside")
        return
    if digest is None:
        found.problem(
            f"{path}: was not there when {label} ended, so it is not known to be its "
            "recording; move it aside"
        )
    elif sha256_file(path) != digest:
        found.problem(
            f"{path}: changed since {label} ended (its SHA-256 differs from the store's); "
            "restore it from a backup"
        )
    _check_readable(path, label, found)


def _check_orphan(path: Path, store: Path, rebuild: str, found: Checked) -> None:
    """A recording no trial names: a rebuild can log it if its header says whose it is."""
    recording = _check_readable(path, "an unknown trial", found)
    if recording is None:
        return
    if recording.meta.store is None:
        found.problem(
            f"{path}: in no trial of {store}, and its header does not say whose it is "
            "(recorded before Poise wrote that); restore the store that has it from a backup"
        )
    else:
        found.problem(
            f"{path}: in no trial of {store} (a store restored from an older backup, or "
            f"another store's); {rebuild} makes a new store that has it"
        )


def _check_readable(path: Path, label: str, found: Checked) -> Any:
    """The recording at ``path``, read whole, or None (and a problem line) if it is not
    readable; a recording not closed gets a line too."""
    from poise.formats.poise_csv import read_recording

    try:
        recording = read_recording(path)
    except PoiseError as e:
        found.problem(f"{e} (the recording of {label}); restore it from a backup")
        return None
    if not recording.complete:
        found.lines.append(
            f"{path}: not closed (the recording of {label} was cut short); "
            "it reads up to its last whole row"
        )
    return recording
