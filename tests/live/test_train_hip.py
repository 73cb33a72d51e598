"""`poise train hip`: the seated hip rotation trained like every other drill."""

from __future__ import annotations

import subprocess
import sys

from helpers import session

from poise.analysis import analyze
from poise.formats import read_recording
from poise.live.session import SessionPlan
from poise.store.sqlite import Store
from poise_process import poise_env, train_config

CONFIG = train_config("hip_reps = 1")


def test_train_hip_on_the_simulator_runs_scores_and_logs_both_legs(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    env = poise_env(tmp_path / "data", tmp_path)
    command = [sys.executable, "-m", "poise", "--config", str(config), "train", "hip"]
    done = subprocess.run(
        [*command, "--sensor", "sim", "--athlete", "kim"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("trial complete") == 2
    assert "internal rotation: " in done.stdout and "hip: left against right" in done.stdout
    with Store.open(tmp_path / "data" / "poise.sqlite3") as store:
        rows = store.trials(athlete="kim")
    assert [(r.drill, r.leg, r.status) for r in rows] == [
        ("hip", "right", "complete"),
        ("hip", "left", "complete"),
    ]
    for row in rows:
        # The simulated athlete's one repetition each way is found (25-50 deg drawn).
        assert len(row.result["internal_reps"]) == 1 and len(row.result["external_reps"]) == 1
        assert 15.0 < row.metrics["internal_rotation_deg"] < 50.0
        assert 20.0 < row.metrics["external_rotation_deg"] < 55.0


def test_a_hip_trial_scored_live_equals_analyze_of_its_recording(tmp_path):
    (outcome,) = session(tmp_path, SessionPlan("hip", ("left",))).run()
    assert outcome.status == "complete", outcome.reason
    saved = read_recording(outcome.recording)
    assert outcome.result == analyze(saved, "hip", start_s=outcome.go_s, end_s=outcome.end_s)
    assert outcome.result["internal_rotation_deg"] is not None
