"""What is checked before a session writes anything: the seed, the sound card, the settings."""

from __future__ import annotations

import io
import shutil
import sqlite3
import subprocess
import sys

import pytest

from poise.cues.sinks import has_sound_card
from poise.live.display import Display

no_card = pytest.mark.skipif(has_sound_card(), reason="this machine has a sound card")


def poise(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "poise", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def one_line(result: subprocess.CompletedProcess, fragment: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith("poise: ") and fragment in lines[0], result.stderr


def sessions(store) -> int:
    if not store.exists():
        return 0
    with sqlite3.connect(store) as conn:
        return conn.execute("SELECT count(*) FROM sessions").fetchone()[0]


def test_a_bad_seed_is_refused_before_the_session_is_logged(tmp_path):
    store = tmp_path / "p.sqlite3"
    result = poise("train", "stance", "--seed", "-1", "--audio", "null", "--store", str(store))
    one_line(result, "--seed must be a whole number of at least 0")
    assert sessions(store) == 0


@no_card
@pytest.mark.skipif(shutil.which("aplay") is None, reason="aplay is not installed (alsa-utils)")
def test_a_sound_card_that_cannot_open_refuses_the_session_before_any_trial(tmp_path):
    store = tmp_path / "p.sqlite3"
    result = poise("train", "stance", "--leg", "right", "--audio", "alsa", "--store", str(store))
    one_line(result, "audio sink alsa:default")
    assert "Traceback" not in result.stderr
    assert sessions(store) == 0  # no session, no "interrupted" trial


@no_card
def test_an_eyes_closed_drill_nobody_would_hear_refuses_to_start(tmp_path):
    store = tmp_path / "p.sqlite3"
    args = ("train", "stance", "--eyes", "closed", "--sensor", "i2c:99", "--store", str(store))
    one_line(poise(*args), "nobody would hear the prompts")
    assert not store.exists()
    # Chosen on purpose, it runs (and then fails on the missing bus, in one line).
    chosen = poise(*args, "--audio", "null")
    assert chosen.returncode == 2 and "nobody would hear" not in chosen.stderr


def test_an_unknown_setting_warns_where_unused_and_stops_a_session(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[train]\nstance_seconds = 60\n")
    store = tmp_path / "p.sqlite3"
    shown = poise("--config", str(config), "config")  # shows the settings in effect
    warning = shown.stderr.strip().splitlines()
    assert shown.returncode == 0 and "stance_s = 30.0" in shown.stdout, shown.stderr
    assert len(warning) == 1 and "unknown key 'stance_seconds'" in warning[0]
    assert warning[0].startswith("poise: warning: ") and "(ignored)" in warning[0]
    train = poise(
        "--config", str(config), "train", "stance", "--audio", "null", "--store", str(store)
    )
    one_line(train, "unknown key 'stance_seconds'")
    assert sessions(store) == 0


def test_quiet_still_tells_of_a_trial_that_did_not_complete(capsys):
    out = io.StringIO()
    display = Display(out, quiet=True)
    display.event("   trial complete")
    display.event("   trial interrupted: the sensor stopped sending", always=True)
    assert out.getvalue() == ""  # stdout (a --json answer) stays clean
    assert capsys.readouterr().err == "trial interrupted: the sensor stopped sending\n"
