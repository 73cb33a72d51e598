"""`poise store rebuild` makes a lost store again from its recordings; `poise store check`
compares a store with them.

Real sessions (`poise train` on the simulator, in this process) write real recordings;
the store is then deleted, emptied, damaged or replaced by an older copy, and what the
commands say and write is checked on disk.
"""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from pathlib import Path

import pytest

from poise.cli import main
from poise.formats.poise_csv import read_recording
from poise.store import Store
from poise.store.rebuild import NOT_IN_RECORDINGS
from poise_process import train_config

CONFIG = train_config(settle_s=3.0) + "[orientation]\ngain = 0.8\n"


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A data folder; sessions run with a non-default AHRS gain (the rebuild must use it)."""
    monkeypatch.setenv("POISE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "config.toml").write_text(CONFIG)
    return tmp_path / "data"


def _train(data: Path, *args: str) -> None:
    config = data.parent / "config.toml"
    assert main(["--config", str(config), "train", *args, "--quiet"]) in (0, 1)


def _rows(path: Path) -> list[dict]:
    with Store.open(path) as store:
        return [dataclasses.asdict(row) for row in store.trials()]


def _sessions(path: Path) -> list[tuple]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute(
            "SELECT a.name, s.uuid, s.started_utc, s.source_json, s.settings_json,"
            " s.poise_version FROM sessions s JOIN athletes a ON a.id = s.athlete_id ORDER BY s.id"
        ).fetchall()


def _store_command(capsys, *args: str) -> tuple[int, list[str]]:
    code = main(["store", *args])
    captured = capsys.readouterr()
    assert captured.err == ""
    return code, captured.out.splitlines()


def test_a_deleted_store_is_rebuilt_trial_for_trial(data, capsys):
    _train(data, "stance", "--leg", "both", "--athlete", "ana")
    _train(data, "hop", "--leg", "left", "--athlete", "ben", "--seed", "4")
    store = data / "poise.sqlite3"
    before, sessions = _rows(store), _sessions(store)
    assert [r["status"] for r in before] == ["complete"] * 3
    for leftover in data.glob("poise.sqlite3*"):
        leftover.unlink()  # rm poise.sqlite3

    code, out = _store_command(capsys, "rebuild", "--from", str(data / "recordings"))
    assert code == 0
    assert out == [
        NOT_IN_RECORDINGS,
        f"rebuilt 2 session(s), 3 trial(s) (3 scored again) from {data / 'recordings'} "
        f"into {store}",
    ]
    # Ids, UUIDs, athletes, conditions, times, status, recording and hash, the full result
    # (scored again with the session's own settings) and metrics: all as they were.
    assert _rows(store) == before
    assert _sessions(store) == sessions
    assert main(["--config", str(data.parent / "config.toml"), "history"]) == 0


def test_a_store_is_never_overwritten_by_a_rebuild(data, capsys):
    _train(data, "stance", "--leg", "right", "--athlete", "ana")
    store = data / "poise.sqlite3"
    store.unlink()
    store.touch()  # emptied: its name is taken, even at 0 bytes
    code, out = _store_command(capsys, "rebuild", "--from", str(data / "recordings"))
    assert code == 0 and store.stat().st_size == 0
    (new,) = data.glob("poise-rebuilt-*.sqlite3")
    assert out[0] == f"{NOT_IN_RECORDINGS}; those of {store} are still in it"
    assert out[1].endswith(f"into {new}") and f"give --store {new}" in out[2]
    assert [r["athlete"] for r in _rows(new)] == ["ana"]

    code = main(["store", "rebuild", "--from", str(data / "recordings"), "-o", str(new)])
    assert code == 2
    assert capsys.readouterr().err == f"poise: {new}: already exists; not overwritten\n"
    elsewhere = data.parent / "elsewhere.sqlite3"
    assert main(["store", "rebuild", "--from", str(data / "recordings"), "-o", str(elsewhere)])
    assert "goes beside its recordings folder" in capsys.readouterr().err
    assert not elsewhere.exists()


def test_rebuild_keeps_out_what_it_cannot_attribute_and_says_so(data, capsys):
    _train(data, "stance", "--leg", "right", "--athlete", "ana")
    (recording,) = (data / "recordings").rglob("*.csv")
    foreign = data / "recordings" / "old" / "1-stance-left.csv"
    foreign.parent.mkdir()
    text = recording.read_text()
    start = text.index('#   "store": {')
    end = text.index("\n#   }\n", start) + len("\n#   }\n")
    foreign.write_text(text[:start].rstrip(",\n") + "\n" + text[end:])  # no store facts
    moved = data / "recordings" / "old" / "renamed.csv"
    shutil.copy(recording, moved)
    (data / "poise.sqlite3").unlink()

    code, out = _store_command(capsys, "rebuild", "--from", str(data / "recordings"))
    assert code == 1
    assert f"{foreign}: its header does not say whose it is" in out[0]
    assert out[1].startswith(f"{moved}: not at the name its header gives (")
    assert out[-1].endswith("; 2 recording(s) kept out") and out[-2] == NOT_IN_RECORDINGS
    assert len(_rows(data / "poise.sqlite3")) == 1
    code, out = _store_command(capsys, "check", "--store", str(data / "poise.sqlite3"))
    assert code == 1 and len(out) == 3  # kept out, each in one line with what to do
    assert out[0] == (
        f"{foreign}: in no trial of {data / 'poise.sqlite3'}, and its header does not say whose "
        "it is (recorded before Poise wrote that); restore the store that has it from a backup"
    )
    assert out[1].startswith(f"{moved}: in no trial of ")


def test_a_killed_trial_is_rebuilt_as_interrupted(data, capsys):
    _train(data, "stance", "--leg", "right", "--athlete", "ana")
    (recording,) = (data / "recordings").rglob("*.csv")
    text = recording.read_text()
    cut = text.rindex("\n", 0, len(text) - 200)
    recording.write_text(text[:cut] + "\n")  # as a SIGKILL leaves it: no end line
    (data / "poise.sqlite3").unlink()
    code, out = _store_command(capsys, "rebuild", "--from", str(data / "recordings"))
    assert code == 0
    assert out[0] == f"{recording}: not closed (its session was cut short); interrupted"
    (row,) = _rows(data / "poise.sqlite3")
    assert row["status"] == "interrupted" and row["result"] is None
    assert row["notes"] == "rebuilt: the recording was not closed"


def test_check_accounts_for_every_file_and_says_what_to_do(data, capsys):
    _train(data, "stance", "--leg", "both", "--athlete", "ana")
    store = data / "poise.sqlite3"
    code, out = _store_command(capsys, "check", "--store", str(store))
    assert code == 0
    assert out == [
        f"{store}: 2 trial(s), 2 recording(s), 0 session audio file(s): all accounted for"
    ]

    right, left = (row["recording"] for row in _rows(store))
    shutil.copy(store, data.parent / "backup.sqlite3")
    _train(data, "stance", "--leg", "left", "--athlete", "ben")
    (bens,) = set((data / "recordings").rglob("*.csv")) - {right, left}
    raw = bytearray(left.read_bytes())
    digit = next(i for i in range(len(raw) // 2, len(raw)) if raw[i : i + 1].isdigit())
    raw[digit] = ord("7") if raw[digit] != ord("7") else ord("8")  # one digit of a sample
    left.write_bytes(bytes(raw))
    right.unlink()
    for leftover in data.glob("poise.sqlite3*"):
        leftover.unlink()
    shutil.copy(data.parent / "backup.sqlite3", store)  # the older backup comes back
    killed = bens.with_name(".x.csv.0123456789abcdef.tmp")
    killed.write_text("# poise-recording 1\n")

    code, out = _store_command(capsys, "check", "--store", str(store))
    assert code == 1
    rebuild = f"`poise store rebuild --from {data / 'recordings'}`"
    assert out == [
        f"{right}: missing, the recording of trial 1 (ana, stance right, "
        f"{_rows(store)[0]['started_utc'][:10]}, complete); restore it from a backup",
        f"{left}: changed since trial 2 (ana, stance left, {_rows(store)[1]['started_utc'][:10]}, "
        "complete) ended (its SHA-256 differs from the store's); restore it from a backup",
        f"{bens}: in no trial of {store} (a store restored from an older backup, or another "
        f"store's); {rebuild} makes a new store that has it",
        f"{killed}: a header left by a writer killed before its recording existed (no samples); "
        "delete it",
        f"{store}: 2 trial(s), 2 recording(s), 0 session audio file(s): 3 problem(s)",
    ]
    assert read_recording(left).complete  # the flip is in a number: only the hash tells


def test_check_of_a_lost_or_damaged_store_points_at_rebuild(data, capsys):
    _train(data, "stance", "--leg", "right", "--athlete", "ana")
    store = data / "poise.sqlite3"
    rebuild = f"`poise store rebuild --from {data / 'recordings'}`"
    for leftover in data.glob("poise.sqlite3*"):
        leftover.unlink()
    code, out = _store_command(capsys, "check", "--store", str(store))
    assert code == 1
    assert out[0] == f"{store}: the store is missing; make it again from its recordings: {rebuild}"
    store.write_bytes(b"SQLite format 3\x00" + bytes(4080))  # a header, then nothing sound
    code, out = _store_command(capsys, "check", "--store", str(store))
    assert code == 1 and out[0].startswith(f"{store}: the store cannot be read (")
    assert out[0].endswith(f"{rebuild} makes a new one") and len(out) == 3
