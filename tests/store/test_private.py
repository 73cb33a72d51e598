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
from poise_process import train_config


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


REBUILD_CONFIG = train_config(settle_s=3.0)


def test_a_rebuilt_store_is_private_too(tmp_path, monkeypatch, capsys):
    from poise.cli import main

    data = tmp_path / "data"
    monkeypatch.setenv("POISE_DATA_DIR", str(data))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    config = tmp_path / "config.toml"
    config.write_text(REBUILD_CONFIG)
    argv = ["--config", str(config), "train", "stance", "--leg", "right", "--quiet"]
    assert main([*argv, "--athlete", "ana"]) in (0, 1)
    for leftover in data.glob("poise.sqlite3*"):
        leftover.unlink()
    old = os.umask(0o022)
    try:
        assert main(["store", "rebuild", "--from", str(data / "recordings")]) == 0
        with Store.open(data / "poise.sqlite3") as store:  # and a session writes on it
            assert [t.athlete for t in store.trials()] == ["ana"]
            store.start_session("ben", {"kind": "sim"}, {})
            modes = _modes(data)
    finally:
        os.umask(old)
    capsys.readouterr()
    assert {"poise.sqlite3", "poise.sqlite3-wal", "poise.sqlite3-shm"} <= set(modes)
    assert set(modes.values()) == {0o600}
