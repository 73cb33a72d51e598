"""`poise battery run`: a battery run as a visit on the simulator, logged, scored by its
rule, and resumed from what is missing after an interruption."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import poise.live.visit as visit_module
from poise.cli import main
from poise.drills.protocol import LEGS
from poise.formats import read_recording
from poise.store.sqlite import Store
from poise_process import poise_env, train_config

SMALL = """
name = "small"
title = "Two short stances"
source = "A test of ours"
rest_s = 0

[[conditions]]
drill = "stance"
trials = 2
metrics = ["time_held_s", "sway_rms_deg"]
score = "best"
settings = { stance_s = 6.0, on_loss = "end" }
say = "Stand tall."

[[conditions]]
drill = "stance"
eyes = "closed"
trials = 1
metrics = ["sway_rms_deg"]
score = "mean"
settings = { stance_s = 6.0 }
"""


def clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, battery: str = SMALL) -> Path:
    """Settings for quick sessions, and a clinic's own battery ``small`` beside the
    shipped ones; the settings file."""
    folder = tmp_path / "config" / "poise" / "batteries"
    folder.mkdir(parents=True)
    (folder / "small.toml").write_text(battery)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    config = tmp_path / "config.toml"
    config.write_text(train_config())
    return config


def test_upst_on_the_simulator_is_one_visit_scored_best_of_three_per_leg(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(train_config())
    store_path = tmp_path / "visits.sqlite3"
    done = subprocess.run(
        [sys.executable, "-m", "poise", "--config", str(config), "battery", "run", "upst",
         "--athlete", "ana", "--involved", "left", "--store", str(store_path), "--json"],
        env=poise_env(tmp_path / "data", tmp_path), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    with Store.open(store_path) as store:
        (visit,) = store.visits("ana")
        trials = [t for t in store.trials("ana") if t.session_id in visit.sessions]
    assert visit.ended_utc is not None and visit.involved == "left" and visit.number == 1
    assert len(trials) == 12 and {t.status for t in trials} == {"complete"}
    for score in report["scores"]:
        held = [
            t.metrics["time_held_s"]
            for t in trials
            if visit.sessions[t.session_id] == score["condition"] and t.leg == score["leg"]
        ]
        assert len(held) == 3 and score["value"] == max(held) and score["of"] == 3
    by = {(s["condition"], s["leg"]): s["value"] for s in report["scores"]}
    for lsi in report["symmetry"]:  # the involved (left) side over the other: time held
        c = lsi["condition"]
        assert lsi["lsi_pct"] == round(100 * by[(c, "left")] / by[(c, "right")], 1)
    # Each recording says whose visit and which condition, so a rebuilt store has them.
    facts = read_recording(trials[-1].recording).meta.store
    assert facts["visit"]["uuid"] == visit.uuid and facts["visit"]["condition"] == 2


def test_an_interrupted_visit_goes_on_from_what_is_missing(tmp_path, monkeypatch, capsys):
    config = clinic(tmp_path, monkeypatch)
    store_path = tmp_path / "visits.sqlite3"
    argv = ["--config", str(config), "battery", "run", "small", "--athlete", "kim",
            "--store", str(store_path), "--quiet"]  # fmt: skip
    real = visit_module.run_session
    calls = []

    def cut_after_two(*args, **kwargs):
        if len(calls) == 2:
            raise KeyboardInterrupt  # the power cut, or Ctrl-C, in the third session
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(visit_module, "run_session", cut_after_two)
    assert main(argv) == 130
    with Store.open(store_path) as store:
        (visit,) = store.visits("kim")
        first = store.trials("kim")
    assert visit.open and len(first) == 4  # condition 1, both legs, two trials each
    monkeypatch.setattr(visit_module, "run_session", real)
    assert main(argv) == 0
    with Store.open(store_path) as store:
        (visit,) = store.visits("kim")
        trials = store.trials("kim")
    assert not visit.open
    assert trials[:4] == first  # nothing run again
    ran = [(visit.sessions[t.session_id], t.leg, t.number, t.eyes) for t in trials[4:]]
    assert ran == [(2, leg, 1, "closed") for leg in LEGS]


def test_a_visit_needs_a_store_and_keeps_its_involved_side(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text(train_config())
    assert main(["--config", str(config), "battery", "run", "upst", "--athlete", "a",
                 "--store", ""]) == 2  # fmt: skip
    assert "a visit is kept in the store" in capsys.readouterr().err


def test_a_store_rebuilt_from_its_recordings_has_the_visit_again(tmp_path, monkeypatch, capsys):
    config = clinic(tmp_path, monkeypatch)
    store_path = tmp_path / "poise.sqlite3"
    argv = ["--config", str(config), "battery", "run", "small", "--athlete", "kim",
            "--involved", "right", "--store", str(store_path), "--quiet"]  # fmt: skip
    assert main(argv) == 0
    with Store.open(store_path) as store:
        (before,) = store.visits("kim")
    for leftover in tmp_path.glob("poise.sqlite3*"):
        leftover.unlink()
    assert main(["store", "rebuild", "--from", str(tmp_path / "recordings")]) == 0
    with Store.open(store_path) as store:
        (after,) = store.visits("kim")
    same = ("uuid", "athlete", "battery", "battery_fields", "involved", "started_utc", "sessions")
    assert [getattr(after, k) for k in same] == [getattr(before, k) for k in same]
    assert after.open  # left for `battery run` to end, or go on with
    capsys.readouterr()
    assert main(argv) == 0  # nothing is missing: it only ends the visit
    with Store.open(store_path) as store:
        (ended,) = store.visits("kim")
        assert not ended.open and len(store.trials("kim")) == 6


def test_a_batterys_words_reach_the_terminal_escaped(tmp_path, monkeypatch, capsys):
    hostile = SMALL.replace('say = "Stand tall."', 'say = "Stand tall.\\u001b]0;owned\\u0007"')
    config = clinic(tmp_path, monkeypatch, hostile.replace("trials = 2", "trials = 1"))
    argv = ["--config", str(config), "battery", "run", "small", "--athlete", "kim",
            "--store", str(tmp_path / "s.sqlite3")]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Stand tall.\\x1b]0;owned\\x07" in out and "\x1b]0" not in out


def test_the_involved_side_comes_from_the_profile_and_goes_into_one_that_names_none(
    tmp_path, monkeypatch, capsys
):
    config = clinic(tmp_path, monkeypatch, SMALL.replace("trials = 2", "trials = 1"))
    store_path = tmp_path / "visits.sqlite3"
    argv = ["--config", str(config), "battery", "run", "small", "--athlete", "kim",
            "--store", str(store_path), "--quiet"]  # fmt: skip
    assert main([*argv, "--involved", "left"]) == 0  # no profile yet: it is kept in a new one
    assert main(argv) == 0  # the next visit takes the profile's
    with Store.open(store_path) as store:
        assert [v.involved for v in store.visits("kim")] == ["left", "left"]
        assert store.profile("kim").involved == "left"
        store.edit_profile("kim", involved="none")
    assert main(argv) == 0  # neither side involved, as the profile says
    assert (
        main([*argv, "--involved", "right"]) == 0
    )  # given: this visit's; the profile keeps its own
    with Store.open(store_path) as store:
        assert [v.involved for v in store.visits("kim")] == ["left", "left", None, "right"]
        assert store.profile("kim").involved == "none"


def test_a_trial_marked_invalid_in_an_open_visit_is_run_again_when_it_goes_on(
    tmp_path, monkeypatch, capsys
):
    config = clinic(tmp_path, monkeypatch)
    store_path = tmp_path / "visits.sqlite3"
    argv = ["--config", str(config), "battery", "run", "small", "--athlete", "kim",
            "--store", str(store_path), "--quiet"]  # fmt: skip
    real = visit_module.run_session

    def first_session_only(*args, **kwargs):
        if args[0].legs != (LEGS[0],):
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(visit_module, "run_session", first_session_only)
    assert main(argv) == 130
    with Store.open(store_path) as store:
        _, second = store.trials("kim")
        store.mark_trial(second.id, "stepped off the mat")
    monkeypatch.setattr(visit_module, "run_session", real)
    assert main(argv) == 0
    with Store.open(store_path) as store:
        (visit,) = store.visits("kim")
        trials = store.trials("kim")
    assert not visit.open
    ran = [(visit.sessions[t.session_id], t.leg, t.number) for t in trials]
    assert ran[:3] == [(1, LEGS[0], 1), (1, LEGS[0], 2), (1, LEGS[0], 3)]  # one more in its place
    assert trials[1].marked_invalid == "stepped off the mat"  # kept, never deleted
