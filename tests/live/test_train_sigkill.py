"""`poise train` killed with SIGKILL at random moments, again and again, on one store.

Each kill lands anywhere: importing, opening or migrating the store, writing a
recording's header, mid-trial, between the end line and the commit. After all of them
the store passes SQLite's own integrity check, every recording reads (a torn one up to
its last whole row), `poise store check` accounts for every trial and file, naming each
torn recording in one line, and `poise store rebuild` logs every recording again.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from poise.cli import main
from poise.formats.poise_csv import read_recording
from poise_process import poise_env, train_config

KILLS = 16
CONFIG = train_config()
#: What `store check` may say after kills, besides the summary: nothing is a problem.
EXPECTED = ("not closed (the recording of", "is still running", "a header left by a writer")


def _command(tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    env = poise_env(tmp_path / "data", tmp_path, this_path=True)
    train = ["train", "stance", "--leg", "both", "--trials", "2", "--quiet"]
    return [sys.executable, "-m", "poise", "--config", str(config), *train], env


def test_sigkill_at_random_moments_leaves_everything_accounted_for(tmp_path, capsys):
    command, env = _command(tmp_path)
    started = time.monotonic()
    whole = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert whole.returncode == 0, whole.stderr
    session_s = time.monotonic() - started  # the kills fall across a whole session
    rng = random.Random(11)
    killed = 0
    for _ in range(KILLS):
        child = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        try:
            _, err = child.communicate(timeout=rng.uniform(0.0, session_s))
            assert child.returncode == 0 and err == "", err  # it finished before the kill
        except subprocess.TimeoutExpired:
            os.kill(child.pid, signal.SIGKILL)
            child.communicate(timeout=30)
            killed += 1
    assert killed >= KILLS // 2

    data = tmp_path / "data"
    store = data / "poise.sqlite3"
    with sqlite3.connect(store) as db:  # as the kills left it, before anything repairs it
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        trials = db.execute("SELECT count(*) FROM trials").fetchone()[0]
    recordings = sorted((data / "recordings").rglob("*.csv"))
    torn = [path for path in recordings if not read_recording(path).complete]
    assert torn, "no kill landed in a trial's recording"

    assert main(["store", "check", "--store", str(store)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == (
        f"{store}: {trials} trial(s), {len(recordings)} recording(s), 0 session audio file(s): "
        "all accounted for"
    )
    for path in torn:  # each in one line: torn, or its trial still running (the last kill's)
        (line,) = [line for line in lines if line.startswith(f"{path}: ")]
        assert "not closed (the recording of" in line or "is still running" in line, line
    assert all(any(kind in line for kind in EXPECTED) for line in lines[:-1]), lines

    assert main(["store", "rebuild", "--from", str(data / "recordings")]) == 0
    assert f"{len(recordings)} trial(s)" in capsys.readouterr().out.splitlines()[-2]
