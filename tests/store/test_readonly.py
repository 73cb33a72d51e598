"""``poise history`` reads a store as it is: on read-only media, from an older schema, and
without changing a byte of it (no migration, no recovery)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from poise.reports.history import run_history
from poise.store import Store
from poise.store.schema import MIGRATIONS, migrate

SRC = Path(__file__).resolve().parents[2] / "src"


def _store_with_a_killed_trial(folder: Path) -> Path:
    path = folder / "poise.sqlite3"
    with Store.open(path) as store:
        session = store.start_session("Ana", {"kind": "sim"}, {}, "2025-03-03T09:00Z")
        trial = store.start_trial(session, "lunge", "left", "open", "firm", 1, "2025-03-03T09:01Z")
        trial.recording_path.write_text("samples\n")
        result = {"drill": "lunge", "max_inclination_deg": 41.0, "validity": "valid"}
        store.finish_trial(trial.id, "complete", result, {"max_inclination_deg": 41.0})
        store.start_trial(session, "lunge", "left", "open", "firm", 2, "2025-03-03T09:05Z")
    return path  # the second trial left running, as by a killed session


def test_history_changes_nothing_in_the_store(tmp_path):
    path = _store_with_a_killed_trial(tmp_path)
    before = path.read_bytes()
    text = run_history(path)
    assert "lunge, left leg, eyes open, firm surface: 1 complete, 1 running" in text
    assert path.read_bytes() == before  # the running trial was not "recovered" by reading
    with Store.open(path) as store:  # a session's open does recover it
        assert [t.status for t in store.trials()] == ["complete", "interrupted"]


def test_a_read_only_store_file_in_a_read_only_folder(tmp_path):
    folder = tmp_path / "card"
    folder.mkdir()
    path = _store_with_a_killed_trial(folder)
    before = path.read_bytes()
    path.chmod(0o400)
    folder.chmod(0o500)
    try:  # as root these modes bind nothing; what holds is that history opens with mode=ro
        assert "max inclination: 41.0 deg on 2025-03-03" in run_history(path)
    finally:
        folder.chmod(0o700)
    assert path.read_bytes() == before


def test_an_older_store_is_read_without_migrating_it(tmp_path):
    path = tmp_path / "poise.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, str(path), MIGRATIONS[:3])
    conn.execute("INSERT INTO athletes (name) VALUES ('Ana')")
    conn.execute(
        "INSERT INTO sessions (athlete_id, started_utc, source_kind, source_json, settings_json,"
        " poise_version) VALUES (1, '2025-01-06T09:00:00.000Z', 'sim', '{}', '{}', '0.3.0')"
    )
    conn.execute(
        "INSERT INTO trials (session_id, drill, leg, eyes, surface, number, status,"
        " algorithm_version, started_utc, result_json) VALUES (1, 'lunge', 'left', 'open',"
        " 'firm', 1, 'complete', '1.0', '2025-01-06T09:01:00.000Z', '{\"drill\": \"lunge\"}')"
    )
    conn.execute("INSERT INTO metrics VALUES (1, 'max_inclination_deg', 38.5)")
    conn.close()
    text = run_history(path)
    assert "1 complete (1 validity unknown)" in text and "38.5 deg on 2025-01-06" in text
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 3


def _read_only_mount_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    with tempfile.TemporaryDirectory() as folder:
        remount = f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}"'
        probe = subprocess.run(
            ["unshare", "-rm", "sh", "-c", remount], capture_output=True, check=False
        )
    return probe.returncode == 0


def _history_on_read_only_media(folder: Path, store: Path) -> subprocess.CompletedProcess:
    """``poise history`` in a user and mount namespace where ``folder`` is mounted read-only:
    a read-only file system, which binds root too (chmod does not)."""
    script = (
        f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" && '
        f'! touch "{folder}/probe" 2>/dev/null && '
        f'"{sys.executable}" -m poise history --store "{store}"'
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


needs_mount = pytest.mark.skipif(
    not _read_only_mount_works(),
    reason="needs unshare -rm and a read-only bind mount (user namespaces), as a real "
    "read-only card would; chmod cannot make a folder read-only for root",
)


@needs_mount
def test_history_on_read_only_media(tmp_path):
    folder = tmp_path / "card"
    folder.mkdir()
    path = _store_with_a_killed_trial(folder)
    assert not path.with_name("poise.sqlite3-shm").exists()  # SQLite cannot make one there
    done = _history_on_read_only_media(folder, path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "max inclination: 41.0 deg on 2025-03-03" in done.stdout
    note = f"{path}: read as immutable (its folder cannot be written)\n"
    assert done.stdout.startswith(note)  # and nothing unseen, so no more than that


@needs_mount
def test_commits_still_in_the_wal_are_said_not_shown(tmp_path):
    folder = tmp_path / "card"
    folder.mkdir()
    live = tmp_path / "live"
    live.mkdir()
    with Store.open(live / "poise.sqlite3") as store:
        store.start_session("Ana", {"kind": "sim"}, {})
        for name in ("poise.sqlite3", "poise.sqlite3-wal"):  # a copy taken mid-session
            shutil.copy(live / name, folder / name)
    wal = folder / "poise.sqlite3-wal"
    assert wal.stat().st_size > 0
    done = _history_on_read_only_media(folder, folder / "poise.sqlite3")
    assert done.returncode == 0, done.stderr
    assert (
        f"{folder / 'poise.sqlite3'}: read as immutable (its folder cannot be written); "
        f"{wal.stat().st_size} bytes of commits in {wal} are not shown" in done.stdout
    )
