"""`poise train` as a process: killed mid-trial, and refused before it starts."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from poise.formats import read_recording
from poise.store.sqlite import Store
from poise_process import poise_env, train_config

#: Short, quick-spoken trials, paced in real time so the process can be caught mid-trial.
CONFIG = train_config("stance_s = 6.0")

_POISE = [sys.executable, "-m", "poise"]


def _train(tmp_path, *args: str, config: str = CONFIG) -> subprocess.Popen:
    (tmp_path / "config.toml").write_text(config)
    env = poise_env(tmp_path / "data", tmp_path)
    command = [*_POISE, "--config", str(tmp_path / "config.toml"), "train"]
    return subprocess.Popen(
        [*command, "stance", "--athlete", "kim", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _trials(store_path) -> list[tuple[int, str, str | None]]:
    if not store_path.exists():
        return []
    with sqlite3.connect(f"file:{store_path}?mode=ro", uri=True) as db:
        try:
            return db.execute("SELECT id, status, recording FROM trials ORDER BY id").fetchall()
        except sqlite3.OperationalError:  # the schema is being created
            return []


def test_sigkill_mid_trial_keeps_finished_trials_and_the_interrupted_raw_data(tmp_path):
    child = _train(tmp_path, "--leg", "both", "--realtime")
    store_path = tmp_path / "data" / "poise.sqlite3"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        trials = _trials(store_path)
        if len(trials) == 2 and trials[0][1] == "complete":
            second = store_path.parent / trials[1][2]
            if second.exists() and second.stat().st_size > 20_000:  # a few s of samples
                break
        assert child.poll() is None, child.stderr.read()
        time.sleep(0.1)
    else:
        raise AssertionError("the session never reached its second trial")
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=10) == -signal.SIGKILL

    with sqlite3.connect(store_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with Store.open(store_path) as store:  # opening recovers the killed session's trial
        rows = store.trials(athlete="kim")
    assert [(r.leg, r.status) for r in rows] == [("right", "complete"), ("left", "interrupted")]
    assert rows[0].metrics["sway_rms_deg"] is not None
    raw = read_recording(rows[1].recording)
    assert not raw.complete and len(raw.samples) > 200
    assert rows[1].recording_sha256 is not None


def test_a_full_disk_is_refused_before_the_session_starts(tmp_path):
    config = CONFIG + "[store]\nreserve_mb = 999999.0\n"  # a terabyte: more than is free here
    child = _train(tmp_path, "--leg", "right", config=config)
    assert child.wait(timeout=60) == 2
    error = child.stderr.read().strip()
    assert error.startswith("poise: ") and "MB free; a session needs" in error
    assert len(error.splitlines()) == 1
    assert _trials(tmp_path / "data" / "poise.sqlite3") == []


#: `poise ARGS...` in a child that, when run as root, drops to uid 65534 first (chmod does
#: not bind root); what the command needs is imported before, as root.
AS_NOBODY = """
import os, sys
import poise.cli, poise.live.launch, poise.cues.player, poise.store.preflight, poise.store.sqlite
poise.cli._parser()  # imports what the parser needs (the checkout may be closed to nobody)
if os.geteuid() == 0:
    os.setgid(65534)
    os.setuid(65534)
sys.exit(poise.cli.main(sys.argv[1:]))
"""


def test_a_read_only_store_is_refused_before_the_session_starts():
    # Under the system temporary folder, which uid 65534 can enter (pytest's is 0700).
    with tempfile.TemporaryDirectory() as folder:
        top = Path(folder)
        os.chmod(top, 0o755)
        data = top / "data"
        data.mkdir(mode=0o555)
        (top / "config.toml").write_text(CONFIG)
        env = poise_env(data, top / "cache")
        config = ["--config", str(top / "config.toml")]
        result = subprocess.run(
            [sys.executable, "-c", AS_NOBODY, *config, "train", "stance", "--leg", "right"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=top,
        )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"poise: {data}: cannot write the store's folder")
    assert len(result.stderr.strip().splitlines()) == 1
