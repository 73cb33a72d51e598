"""Invariant 1: a trial scored live, block by block, equals `poise analyze` of its recording."""

from __future__ import annotations

import dataclasses
import time

import pytest
from helpers import SENSOR, TRAIN, session

from conftest import recording_path
from poise.analysis import analyze
from poise.drills import DRILLS, LIVE
from poise.drills.protocol import Condition
from poise.formats import load_recording, read_recording
from poise.live.session import SessionPlan
from poise.live.streams import FileStream, SimStream


def _analyze_saved(outcome, drill):
    saved = read_recording(outcome.recording)
    assert saved.complete
    # The span as the trial machine set it: go beep to end.
    return analyze(saved, drill, start_s=outcome.go_s, end_s=outcome.end_s)


@pytest.mark.parametrize(
    ("drill", "leg"), [("stance", "right"), ("hop", "left"), ("lunge", "right"), ("board", "board")]
)
def test_simulated_trial_scored_live_equals_analyze_of_its_recording(tmp_path, drill, leg):
    outcomes = session(tmp_path, SessionPlan(drill, (leg,), eyes="closed")).run()
    (outcome,) = outcomes
    assert outcome.status == "complete", outcome.reason
    assert outcome.result is not None
    assert outcome.result == _analyze_saved(outcome, drill)


def test_the_same_recording_in_other_block_sizes_gives_the_same_result(tmp_path):
    """Replayed from its file in 20 ms and in 250 ms blocks, a trial scores the same."""
    (tmp_path / "live").mkdir()
    live = session(tmp_path / "live", SessionPlan("stance", ("right",), eyes="closed"))
    (first,) = live.run()
    recording = read_recording(first.recording)
    results = []
    for block_s in (0.02, 0.25):
        folder = tmp_path / f"replay{block_s}"
        folder.mkdir()
        stream = FileStream(recording, block_s=block_s)
        (outcome,) = session(folder, SessionPlan("stance", ("right",), eyes="closed"), stream).run()
        results.append((outcome.go_s, outcome.end_s, _without_file(outcome.result)))
    assert results[0] == results[1]
    assert results[0][2] == _without_file(first.result)


def _without_file(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "file"}


@pytest.mark.parametrize("drill", ["stance", "board"])
def test_real_recording_replayed_equals_analyze_of_the_trial_recording(tmp_path, drill):
    """The x-io sample file (someone else's sensor, rate estimated from its clock)."""
    recording = load_recording(recording_path("fusion_sensor_data.csv"))
    placement = "board" if drill == "board" else "right_shank"
    recording = dataclasses.replace(
        recording, meta=dataclasses.replace(recording.meta, placement=placement)
    )
    leg = "board" if drill == "board" else "right"
    train = dataclasses.replace(TRAIN, stance_s=30.0, board_s=30.0)
    stream = FileStream(recording)
    (outcome,) = session(tmp_path, SessionPlan(drill, (leg,)), stream, train=train).run()
    assert outcome.status == "complete", outcome.reason
    assert outcome.result == _analyze_saved(outcome, drill)
    # And the trial's own recording is the original's samples, to the format's precision.
    saved = read_recording(outcome.recording)
    n = len(saved.samples)
    assert abs(saved.samples.t_s - recording.samples.t_s[:n]).max() <= 5.1e-7


def test_realtime_paces_a_simulation_to_the_wall_clock():
    """--realtime: a 1 s slice of a simulated trial takes 1 s."""
    stream = SimStream(SENSOR, TRAIN, seed=1, realtime=True)
    spec = LIVE["stance"]
    feed = stream.trial(spec, Condition("right"), spec.plan(1.0, 1.0, TRAIN))
    start = time.monotonic()
    t0 = None
    for block in feed.blocks:
        t0 = block.t_s[0] if t0 is None else t0
        if block.t_s[-1] - t0 >= 1.0:
            break
    assert time.monotonic() - start >= 0.9


def heard_and_scored(outcome) -> tuple[list, list]:
    """The losses marked live and the losses in the result, as (t_s, kind)."""
    places = DRILLS["stance"].result.RESOLUTION["t_s"].json_decimals  # as the JSON keeps it
    heard = [(round(m.t_s, places), m.kind) for m in outcome.marks]
    scored = [(loss["t_s"], loss["kind"]) for loss in outcome.result["touchdowns"]]
    return heard, scored


@pytest.mark.parametrize(
    ("seed", "rate", "on_loss"), [(31, 104.0, "mark"), (32, 416.0, "mark"), (33, 104.0, "end")]
)
def test_the_losses_heard_are_the_losses_scored(tmp_path, seed, rate, on_loss):
    """Eyes closed on foam (a loss every 10 s or so): every loss beeped live is scored,
    with the same kind and time, and nothing is scored that was not heard."""
    train = dataclasses.replace(TRAIN, stance_s=40.0, on_loss=on_loss)
    sensor = dataclasses.replace(SENSOR, rate_hz=rate)
    stream = SimStream(sensor, train, seed=seed)
    plan = SessionPlan("stance", ("right",), eyes="closed", surface="foam")
    (outcome,) = session(tmp_path, plan, stream, train=train).run()
    assert outcome.result is not None, outcome.reason
    heard, scored = heard_and_scored(outcome)
    assert heard, "the simulated athlete lost balance"
    assert heard == scored
    assert outcome.result == _analyze_saved(outcome, "stance")
    if on_loss == "end":
        assert len(heard) == 1 and outcome.end_s == pytest.approx(heard[0][0] + 1.2, abs=0.02)


def test_the_losses_heard_replaying_a_real_file_are_the_losses_scored(tmp_path):
    """The x-io file replayed as a stance (issue 10: 5 beeps, 2 scored, 'touchdown at
    26.7 s' against 'step at 26.98 s'): now the same losses, kinds and times."""
    recording = load_recording(recording_path("fusion_sensor_data.csv"))
    recording = dataclasses.replace(
        recording, meta=dataclasses.replace(recording.meta, placement="right_shank")
    )
    train = dataclasses.replace(TRAIN, stance_s=30.0)
    (outcome,) = session(
        tmp_path, SessionPlan("stance", ("right",)), FileStream(recording), train=train
    ).run()
    heard, scored = heard_and_scored(outcome)
    assert heard and heard == scored
    # It is no stance, and the result says so.
    assert outcome.result["validity"] == "invalid"
