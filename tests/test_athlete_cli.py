"""`poise athlete add|edit|show|note` and `poise trial invalid|valid` as processes on a real
store: what they print and keep, one line and exit 2 for every mistake, a private store,
and no stored text that reaches the terminal raw."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from poise.store.annotations import checksum
from poise.store.sqlite import Store
from poise_process import poise_env

#: Text a terminal would act on: none of it may reach the terminal from a note or a reason.
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def poise(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "poise", *args],
        env=poise_env(tmp_path / "data", tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )


def failed(done: subprocess.CompletedProcess) -> str:
    """The one line a refused command says (exit 2, nothing on stdout, no traceback)."""
    assert done.returncode == 2, done
    assert done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("poise: ") and "Traceback" not in done.stderr
    return done.stderr.removeprefix("poise: ").rstrip("\n")


def text_date(store: Path, trial_id: int) -> str:
    with sqlite3.connect(store) as conn:
        return conn.execute("SELECT started_utc FROM trials WHERE id = ?", (trial_id,)).fetchone()[
            0
        ][:10]


@pytest.fixture
def logged(tmp_path: Path) -> Path:
    """A store with two trials of ana (left leg) and one of bo, and ana's visit of upst."""
    path = tmp_path / "data" / "poise.sqlite3"
    with Store.open(path) as store:
        for athlete, number in (("ana", 1), ("ana", 2), ("bo", 1)):
            session = store.start_session(athlete, {"kind": "sim"}, {})
            trial = store.start_trial(session, "stance", "left", "closed", "firm", number)
            trial.recording_path.write_text("samples")
            result = {"drill": "stance", "validity": "valid", "warnings": []}
            store.finish_trial(trial.id, "complete", result, {"sway_rms_deg": 1.0 + number})
            store.end_session(session)
        store.start_visit("ana", {"name": "upst"}, "left")
    return path


def test_a_profile_is_added_edited_and_shown(tmp_path, logged):
    store = ["--store", str(logged)]
    done = poise(tmp_path, "athlete", "add", "ana", "--birth-year", "1990", *store)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ana: born 1990, sex not given, involved side not said\n"
    done = poise(
        tmp_path, "athlete", "edit", "ana", "--sex", "female", "--involved", "right", *store
    )
    assert done.stdout == "ana: born 1990, female, involved side right\n"
    assert poise(tmp_path, "athlete", "note", "ana", "first visit", *store).returncode == 0
    done = poise(tmp_path, "athlete", "note", "ana", "--visit", "1", "slept badly", *store)
    assert done.stdout == "ana: a note on visit 1 (upst) kept\n"
    done = poise(tmp_path, "trial", "invalid", "2", "--reason", "hand on the wall", *store)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("trial 2 of ana (")
    assert (
        poise(tmp_path, "athlete", "note", "ana", "--trial", "2", "dizzy", *store).returncode == 0
    )

    shown = json.loads(poise(tmp_path, "athlete", "show", "ana", "--json", *store).stdout)
    assert shown["profile"] == {
        "birth_year": 1990,
        "sex": "female",
        "involved": "right",
        "recorded_utc": shown["profile"]["recorded_utc"],
    }
    assert [v["number"] for v in shown["visits"]] == [1] and shown["trials"] == 2
    assert [(m["trial"], m["reason"]) for m in shown["marked_invalid"]] == [(2, "hand on the wall")]
    assert [(n["on"], n["text"]) for n in shown["notes"]] == [
        ("athlete", "first visit"),
        ("visit", "slept badly"),
        ("trial", "dizzy"),
    ]
    text = poise(tmp_path, "athlete", "show", "ana", *store).stdout.splitlines()
    assert text[:3] == [
        "ana",
        f"  born 1990, female, involved side right (as of {text[1][-11:-1]})",
        "  visits: 1",
    ]
    assert "  trials: 2, 1 marked invalid" in text
    assert any(line.endswith("on trial 2: dizzy") for line in text)

    listed = poise(tmp_path, "athlete", "show", "ana", "--trials", *store).stdout.splitlines()
    what = "stance, left leg, eyes closed, firm: complete, valid"
    assert [line for line in listed if line.startswith("    trial ")][-2:] == [
        f"    trial 1, {text_date(logged, 1)}, {what}",
        f"    trial 2, {text_date(logged, 2)}, {what}; marked invalid: hand on the wall",
    ]
    done = poise(tmp_path, "trial", "valid", "2", *store)
    assert done.stdout.endswith(": its invalid mark taken back\n")
    shown = json.loads(poise(tmp_path, "athlete", "show", "ana", "--json", *store).stdout)
    assert shown["marked_invalid"] == []
    with sqlite3.connect(logged) as conn:  # every change kept as a row of its own
        counts = [
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("profiles", "notes", "trial_marks")
        ]
    assert counts == [2, 3, 2]


def test_every_mistake_is_one_line_and_exit_2(tmp_path, logged):
    store = ["--store", str(logged)]
    assert failed(poise(tmp_path, "athlete", "add", "ana", "--birth-year", "1850", *store)) == (
        "--birth-year must be a year from 1900 to "
        f"{datetime.now(UTC).year}, not 1850 (see poise athlete add --help)"
    )
    assert "not 'soon'" in failed(
        poise(tmp_path, "athlete", "add", "x", "--birth-year", "soon", *store)
    )
    assert "--sex invalid choice" in failed(
        poise(tmp_path, "athlete", "add", "x", "--sex", "f", *store)
    )
    poise(tmp_path, "athlete", "add", "ana", *store)
    assert failed(poise(tmp_path, "athlete", "add", "ana", *store)) == (
        "ana has a profile already; `poise athlete edit` changes it"
    )
    assert failed(poise(tmp_path, "athlete", "edit", "anna", "--sex", "male", *store)) == (
        f"{logged}: no athlete called 'anna' (known: ana, bo); `poise athlete add` adds one"
    )
    assert failed(poise(tmp_path, "athlete", "edit", "ana", *store)).startswith("nothing to change")
    assert failed(poise(tmp_path, "athlete", "note", "ana", "--visit", "2", "x", *store)) == (
        "ana has no visit 2 (visits: upst 1)"
    )
    assert failed(poise(tmp_path, "athlete", "note", "ana", "--battery", "upst", "x", *store)) == (
        "--battery names the battery of --visit N; give --visit too"
    )
    assert failed(poise(tmp_path, "athlete", "note", "ana", "--trial", "3", "x", *store)) == (
        "trial 3: no trial of ana"
    )
    assert failed(poise(tmp_path, "trial", "invalid", "9", "--reason", "x", *store)) == (
        f"trial 9: no such trial in {logged}"
    )
    assert failed(poise(tmp_path, "trial", "valid", "1", *store)) == (
        "trial 1: not marked invalid; nothing to take back"
    )
    assert "--reason" in failed(poise(tmp_path, "trial", "invalid", "1", *store))
    assert "ID must be a whole number" in failed(poise(tmp_path, "trial", "valid", "x", *store))
    missing = tmp_path / "none" / "poise.sqlite3"
    for args in (
        ("athlete", "show", "ana"),
        ("trial", "valid", "1"),
        ("athlete", "note", "a", "x"),
    ):
        assert failed(poise(tmp_path, *args, "--store", str(missing))) == (
            f"{missing}: no progression store yet (add an athlete, or log a session)"
        )
    assert not missing.parent.exists()  # nothing made on the way


@pytest.mark.parametrize("hostile", ["ok\x1b[2J", "\x1b]8;;http://x\x07link", "a\u202eb", "a\nb"])
def test_control_characters_are_refused_without_being_echoed(tmp_path, logged, hostile):
    store = ["--store", str(logged)]
    for args in (
        ("athlete", "note", "ana", hostile),
        ("trial", "invalid", "1", "--reason", hostile),
    ):
        line = failed(poise(tmp_path, *args, *store))
        assert "has a control character, \\" in line
        assert not any(c in line for c in RAW)
    assert not any(c in failed(poise(tmp_path, "athlete", "add", hostile, *store)) for c in RAW)


def test_what_the_store_holds_reaches_the_terminal_escaped(tmp_path, logged):
    """A store written by another program (or edited by hand) may hold any text."""
    poise(tmp_path, "athlete", "add", "ana", "--store", str(logged))
    hostile = "\x1b]8;;http://x\x07click\x1b]8;;\x07 \u202eevil"
    with sqlite3.connect(logged) as conn:
        for table, values in (
            ("notes", {"athlete_id": 1, "visit_id": None, "trial_id": 1, "text": hostile}),
            ("trial_marks", {"trial_id": 1, "invalid": 1, "reason": hostile}),
        ):
            fields = {**values, "recorded_utc": "2026-01-01T00:00:00.000Z", "uuid": table}
            conn.execute(
                f"INSERT INTO {table} ({', '.join(fields)}, checksum)"
                f" VALUES ({', '.join('?' * len(fields))}, ?)",
                (*fields.values(), checksum(fields)),
            )
    for args in (("athlete", "show", "ana"), ("history",)):
        done = poise(tmp_path, *args, "--store", str(logged))
        assert done.returncode == 0, done.stderr
        assert "\\x1b]8;;http://x\\x07click" in done.stdout and "\\u202eevil" in done.stdout
        assert not any(c in done.stdout for c in RAW)
    shown = json.loads(
        poise(tmp_path, "athlete", "show", "ana", "--json", "--store", str(logged)).stdout
    )
    assert shown["notes"][0]["text"] == hostile  # JSON escapes it, and keeps it whole


def test_athlete_add_makes_a_private_store_and_refuses_one_lost_beside_its_recordings(tmp_path):
    data = tmp_path / "data"
    done = poise(tmp_path, "athlete", "add", "kim", "--involved", "none")
    assert done.returncode == 0, done.stderr
    store = data / "poise.sqlite3"
    assert store.stat().st_mode & 0o777 == 0o600 and data.stat().st_mode & 0o777 == 0o700
    (data / "recordings" / "s").mkdir(parents=True)
    (data / "recordings" / "s" / "t-stance-left.csv").write_text("# poise recording\n")
    for leftover in data.glob("poise.sqlite3*"):
        leftover.unlink()
    assert "poise store rebuild" in failed(poise(tmp_path, "athlete", "add", "kim"))
    assert not store.exists()
