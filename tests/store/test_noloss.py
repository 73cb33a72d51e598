"""A lost, emptied or restored store never costs another athlete's raw recording.

Real SQLite files: the store is deleted, truncated to 0 bytes or replaced by an
older copy of itself, and what the next session does is checked on disk.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest

from poise.errors import PoiseError
from poise.store import Store, check_store
from poise.store.preflight import check_recordings_have_store


def _log_trial(store_path: Path, athlete: str, content: bytes) -> Path:
    """One session of one trial whose recording holds ``content``; the recording."""
    with Store.open(store_path) as store:
        session = store.start_session(athlete, {"kind": "sim"}, {})
        trial = store.start_trial(session, "stance", "right", "open", "firm", 1)
        trial.recording_path.write_bytes(content)
        store.finish_trial(trial.id, "complete", None, {})
        store.end_session(session)
    return trial.recording_path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _forget(store_path: Path) -> None:
    for leftover in store_path.parent.glob(store_path.name + "*"):
        leftover.unlink()


def test_a_deleted_store_restarts_its_ids_but_never_a_recording_name(tmp_path):
    path = tmp_path / "poise.sqlite3"
    old = _log_trial(path, "Ana", b"Ana's samples, months ago\n")
    digest = _sha256(old)
    _forget(path)  # rm poise.sqlite3 (and its lock)

    new = _log_trial(path, "Ben", b"Ben's samples, today\n")
    with Store.open(path) as store:
        (row,) = store.trials()
    assert row.id == 1 and row.athlete == "Ben"  # the ids restarted...
    assert new != old and new.parent.parent == old.parent.parent  # ...the names did not
    assert old.read_bytes() == b"Ana's samples, months ago\n" and _sha256(old) == digest
    assert row.recording == new and row.recording_sha256 == _sha256(new)


def test_a_store_restored_from_an_older_backup_names_new_files(tmp_path):
    path = tmp_path / "poise.sqlite3"
    first = _log_trial(path, "Ana", b"first\n")
    shutil.copy(path, tmp_path / "backup.sqlite3")
    second = _log_trial(path, "Ana", b"second, not in the backup\n")
    _forget(path)
    shutil.copy(tmp_path / "backup.sqlite3", path)

    third = _log_trial(path, "Ana", b"third\n")
    assert len({first, second, third}) == 3
    assert second.read_bytes() == b"second, not in the backup\n"
    with Store.open(path) as store:
        assert [r.recording for r in store.trials()] == [first, third]


def test_a_missing_or_empty_store_beside_recordings_is_refused(tmp_path):
    path = tmp_path / "poise.sqlite3"
    recording = _log_trial(path, "Ana", b"samples\n")
    recordings = tmp_path / "recordings"
    _forget(path)
    for state in ("missing", "empty (0 bytes)"):
        with pytest.raises(PoiseError) as err:
            check_store(path, 0, 0)
        message = str(err.value)
        assert "\n" not in message
        assert message.startswith(f"{path}: the store is {state}, but {recordings} holds ")
        assert f"make it again from them with `poise store rebuild --from {recordings}`" in message
        assert "or restore the store file from a backup, or move" in message
        path.touch()
    assert recording.read_bytes() == b"samples\n"
    assert path.stat().st_size == 0  # checking wrote nothing


def test_a_new_store_beside_no_recordings_passes(tmp_path):
    path = tmp_path / "poise.sqlite3"
    check_recordings_have_store(path)
    (tmp_path / "recordings" / "empty-session").mkdir(parents=True)
    (tmp_path / "recordings" / ".r.csv.0123.tmp").write_text("a killed writer's header")
    check_recordings_have_store(path)
    path.touch()
    check_store(path, 0, 0)


def test_what_the_store_creates_is_private_whatever_the_umask(tmp_path):
    old_umask = os.umask(0o022)
    try:
        path = tmp_path / "data" / "poise" / "poise.sqlite3"
        with Store.open(path) as store:
            session = store.start_session("Ana", {"kind": "sim"}, {})
            trial = store.start_trial(session, "stance", "left", "open", "firm", 1)
            store.end_session(session)
    finally:
        os.umask(old_umask)
    modes = {
        p.relative_to(tmp_path).as_posix(): stat.S_IMODE(p.stat().st_mode)
        for p in [tmp_path / "data", *(tmp_path / "data").rglob("*")]
    }
    session_folder = trial.recording_path.parent.relative_to(tmp_path).as_posix()
    assert modes["data"] == modes["data/poise"] == modes["data/poise/recordings"] == 0o700
    assert modes[session_folder] == 0o700
    assert modes["data/poise/poise.sqlite3"] == modes["data/poise/poise.sqlite3.lock"] == 0o600


def test_a_link_at_a_trials_recording_is_not_taken_for_it(tmp_path):
    target = tmp_path / "elsewhere.csv"
    target.write_text("not this trial's\n")
    with Store.open(tmp_path / "poise.sqlite3") as store:
        session = store.start_session("Ana", {"kind": "sim"}, {})
        trial = store.start_trial(session, "stance", "left", "open", "firm", 1)
        trial.recording_path.symlink_to(target)
        store.end_session(session)  # interrupts the trial: nothing of it was written
        (row,) = store.trials()
    assert row.status == "interrupted" and row.recording_sha256 is None
    assert target.read_text() == "not this trial's\n"
