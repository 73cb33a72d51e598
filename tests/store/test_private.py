"""Health data stays private whatever the umask (022 here): the store's WAL and shared-memory
files while a session writes and after history reads, and history's CSV export, which is
created exclusively and never written through a planted link."""

from __future__ import annotations

import os
import stat

import pytest

from poise.errors import PoiseError
from poise.reports.history import run_history
from poise.store import Store


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _modes(folder):
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir() if p.is_file()}


def _log(store):
    session = store.start_session("Ana", {"kind": "sim"}, {})
    trial = store.start_trial(session, "stance", "left", "open", "firm", 1)
    trial.recording_path.write_text("samples\n")
    store.finish_trial(trial.id, "complete", {"drill": "stance"}, {"sway_rms_deg": 1.0})
    store.end_session(session)


def test_the_stores_journal_files_are_private_while_a_session_writes(tmp_path, umask_022):
    with Store.open(tmp_path / "poise.sqlite3") as store:
        _log(store)
        modes = _modes(tmp_path)
    assert modes == {
        "poise.sqlite3": 0o600,
        "poise.sqlite3-wal": 0o600,
        "poise.sqlite3-shm": 0o600,
        "poise.sqlite3.lock": 0o600,
    }


def test_history_leaves_only_private_files_and_its_export_is_private(tmp_path, umask_022):
    with Store.open(tmp_path / "poise.sqlite3") as store:
        _log(store)
    out = tmp_path / "exports" / "ana.csv"
    out.parent.mkdir()
    run_history(tmp_path / "poise.sqlite3", csv_path=out)
    # A read-only connection cannot remove the WAL files it made: they must be private too.
    assert set(_modes(tmp_path).values()) == {0o600}
    assert "poise.sqlite3-shm" in _modes(tmp_path)
    assert _modes(out.parent) == {"ana.csv": 0o600}


def test_the_export_never_replaces_a_file_nor_follows_a_link(tmp_path):
    with Store.open(tmp_path / "poise.sqlite3") as store:
        _log(store)
    target = tmp_path / "someone-elses.txt"
    target.write_text("not Poise's\n")
    link = tmp_path / "h.csv"
    link.symlink_to(target)
    for planted in (link, target):
        with pytest.raises(PoiseError, match=f"{planted}: already exists; not overwritten"):
            run_history(tmp_path / "poise.sqlite3", csv_path=planted)
    assert target.read_text() == "not Poise's\n" and link.is_symlink()
    dangling = tmp_path / "d.csv"
    dangling.symlink_to(tmp_path / "nowhere.csv")
    with pytest.raises(PoiseError, match="already exists"):
        run_history(tmp_path / "poise.sqlite3", csv_path=dangling)
    assert not (tmp_path / "nowhere.csv").exists()
