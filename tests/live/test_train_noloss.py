"""`poise train` never replaces a raw recording: a deleted, emptied or restored store, a
planted link, the umask.

As real processes where the store's life matters (each session its own process, as a
clinic runs them); in this process where a name must be known in advance to plant a
link at it (the UUIDs are fixed for that).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import poise.cues.sinks
from poise.cli import main
from poise.store import Store
from poise_process import poise_env, train_config

CONFIG = train_config()


def _poise(tmp_path: Path, *args: str, umask: int = 0o022) -> subprocess.CompletedProcess:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    env = poise_env(tmp_path / "data", tmp_path)
    return subprocess.run(
        [sys.executable, "-m", "poise", "--config", str(config), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        umask=umask,
        check=False,
    )


def _train(tmp_path: Path, athlete: str, umask: int = 0o022) -> subprocess.CompletedProcess:
    return _poise(tmp_path, "train", "stance", "--leg", "right", "--athlete", athlete, umask=umask)


def _recordings(store: Path) -> list[tuple[str, str]]:
    """(recording, sha256) of every trial in the store, in id order."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        return db.execute("SELECT recording, recording_sha256 FROM trials ORDER BY id").fetchall()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.csv")}


def _one_line_error(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("poise: ")
    return done.stderr.strip()


def test_an_older_backup_restored_keeps_every_recording_and_adds_one_beside_them(tmp_path):
    data = tmp_path / "data"
    store = data / "poise.sqlite3"
    assert _train(tmp_path, "ana").returncode in (0, 1)
    shutil.copy(store, tmp_path / "backup.sqlite3")
    assert _train(tmp_path, "ben").returncode in (0, 1)
    (ana, ana_hash), (ben, ben_hash) = _recordings(store)
    before = _files(data)
    assert _sha256(data / ana) == ana_hash and _sha256(data / ben) == ben_hash

    store.unlink()  # the backup, made before ben's session, comes back: ids restart
    shutil.copy(tmp_path / "backup.sqlite3", store)
    assert _train(tmp_path, "cy").returncode in (0, 1)

    (ana_again, _), (cy, cy_hash) = _recordings(store)
    assert ana_again == ana and cy not in (ana, ben)
    after = _files(data)
    assert {name: after[name] for name in before} == before  # ben's bytes too, unknown as he is
    assert _sha256(data / ben) == ben_hash and _sha256(data / cy) == cy_hash
    assert (data / cy).parent.parent == (data / ana).parent.parent == data / "recordings"
    assert len(after) == 3


def test_a_deleted_or_emptied_store_is_refused_in_one_line_and_nothing_is_touched(tmp_path):
    data = tmp_path / "data"
    store = data / "poise.sqlite3"
    assert _train(tmp_path, "ana").returncode in (0, 1)
    before = _files(data)
    for leftover in data.glob("poise.sqlite3*"):
        leftover.unlink()  # rm poise.sqlite3

    error = _one_line_error(_train(tmp_path, "ben"))
    assert f"{store}: the store is missing, but {data / 'recordings'} holds recordings" in error
    assert f"`poise store rebuild --from {data / 'recordings'}`" in error
    assert not store.exists()

    store.touch()  # a 0-byte store: refused by train, and history does not call it empty
    error = _one_line_error(_train(tmp_path, "ben"))
    assert f"{store}: the store is empty (0 bytes), but {data / 'recordings'}" in error
    history = _one_line_error(_poise(tmp_path, "history", "--store", str(store)))
    assert "the store is empty (0 bytes)" in history and "no trials" not in history
    assert store.stat().st_size == 0 and _files(data) == before


def test_recordings_are_private_whatever_the_umask(tmp_path):
    assert _train(tmp_path, "ana", umask=0o022).returncode in (0, 1)
    data = tmp_path / "data"
    folders = [data, *(p for p in data.rglob("*") if p.is_dir())]
    files = [p for p in data.rglob("*") if p.is_file()]
    assert len(folders) == 3 and any(p.suffix == ".csv" for p in files)  # data, recordings, one
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in folders} == {
        p.name: 0o700 for p in folders
    }
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {p.name: 0o600 for p in files}


FIXED = uuid.UUID("00000000-0000-4000-8000-000000000001")


@pytest.fixture
def planted(tmp_path, monkeypatch):
    """Fixed UUIDs and session time, so the next names are known; their target."""
    monkeypatch.setattr(uuid, "uuid4", lambda: FIXED)
    monkeypatch.setattr(poise.cues.sinks, "has_sound_card", lambda: False)
    monkeypatch.setenv("POISE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "config.toml").write_text(CONFIG)
    Store.open(tmp_path / "data" / "poise.sqlite3").close()  # a store in use
    target = tmp_path / "another-athlete.csv"
    target.write_text("another athlete's samples\n")
    return target


def _train_here(tmp_path: Path, sink: str) -> int:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.replace('sink = "null"', f'sink = "{sink}"'))
    return main(["--config", str(config), "train", "stance", "--leg", "right", "--quiet"])


def test_a_link_planted_at_the_next_recording_is_not_followed(tmp_path, planted, capsys):
    session = tmp_path / "data" / "recordings" / str(FIXED)
    session.mkdir(parents=True)
    link = session / f"{FIXED}-stance-right.csv"
    link.symlink_to(planted)
    assert _train_here(tmp_path, "null") == 2
    error = capsys.readouterr().err
    assert error == f"poise: {link}: already exists; not overwritten\n"
    assert planted.read_text() == "another athlete's samples\n" and link.is_symlink()
    with Store.open(tmp_path / "data" / "poise.sqlite3") as store:
        (trial,) = store.trials()
    assert trial.status == "interrupted" and trial.recording_sha256 is None  # not the target's


def test_a_link_planted_at_the_session_wav_is_not_followed(tmp_path, planted, capsys, monkeypatch):
    monkeypatch.setattr("time.strftime", lambda fmt: "20261202T143000")
    recordings = tmp_path / "data" / "recordings"
    recordings.mkdir()
    link = recordings / f"session-20261202T143000-{FIXED}.wav"
    link.symlink_to(planted)
    assert _train_here(tmp_path, "auto") == 2  # no sound card: the session keeps a WAV
    assert capsys.readouterr().err == f"poise: {link}: already exists; not overwritten\n"
    assert planted.read_text() == "another athlete's samples\n"
    assert list(recordings.iterdir()) == [link]  # no recording was started either


def test_the_session_wav_is_new_and_private(tmp_path, monkeypatch):
    monkeypatch.setattr(poise.cues.sinks, "has_sound_card", lambda: False)
    monkeypatch.setenv("POISE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    old = os.umask(0o022)
    try:
        assert _train_here(tmp_path, "auto") in (0, 1)
        (first,) = (tmp_path / "data" / "recordings").glob("session-*.wav")
        heard = first.read_bytes()
        assert _train_here(tmp_path, "auto") in (0, 1)
    finally:
        os.umask(old)
    wavs = sorted((tmp_path / "data" / "recordings").glob("session-*.wav"))
    assert len(wavs) == 2 and first.read_bytes() == heard and len(heard) > 44
    assert [stat.S_IMODE(w.stat().st_mode) for w in wavs] == [0o600, 0o600]
