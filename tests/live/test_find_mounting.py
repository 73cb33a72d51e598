"""The functional calibration: a still stand and two forward knee bends say how the sensor
sits, in a guided session on the simulator, kept in every trial's recording header."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import SENSOR, TRAIN, session

from conftest import simulated
from poise.analysis import analyze
from poise.formats import read_recording
from poise.live.session import SessionPlan
from poise.live.streams import FileStream, SimStream
from poise.motion.frames import named_mounting
from poise.motion.functional import MountingNotFoundError, find_mounting

FIND = dataclasses.replace(TRAIN, find_mounting=True)


@pytest.mark.parametrize("worn", ["front", "lateral", "upside_down"])
@pytest.mark.parametrize(("leg", "rate", "seed"), [("left", 52.0, 711), ("right", 1666.0, 712)])
def test_knee_bends_give_the_mounting(worn, leg, rate, seed):
    sim = simulated("knee_bends", worn=worn, leg=leg, rate_hz=rate, seed=seed, noise_factor=3.0)
    s = sim.recording.samples
    found = find_mounting(s.t_s, s.acc_g, s.gyr_dps, rate)
    assert found.mounting == named_mounting(worn, leg)
    assert found.planarity > 0.95 and found.range_deg > 10.0
    # The turn about the tibia, the part a still sensor cannot see: within 3 deg.
    true = np.array(sim.truth.header["sensor"]["true_sensor_to_segment"])
    forward_true, forward = true[0], found.sensor_to_segment[0]
    up = found.sensor_to_segment[2]
    across = [v - up * (v @ up) for v in (forward_true, forward)]
    cos = across[0] @ across[1] / np.linalg.norm(across[0]) / np.linalg.norm(across[1])
    assert np.degrees(np.arccos(min(1.0, cos))) < 3.0


def test_no_bend_is_said_in_one_line():
    t = np.arange(0, 6, 0.01)
    still = np.tile([0.0, 0.0, 1.0], (len(t), 1))
    with pytest.raises(MountingNotFoundError, match="no knee bend"):
        find_mounting(t, still, np.zeros((len(t), 3)), 100.0)
    small = np.zeros((len(t), 3))
    small[(t > 3.0) & (t < 3.3), 1] = 21.0  # a 6 deg twitch, not a knee bend
    with pytest.raises(MountingNotFoundError, match="turned the shank 6 deg"):
        find_mounting(t, still, small, 100.0)


def test_a_session_finds_a_lateral_sensor_and_its_recordings_keep_it(tmp_path):
    stream = SimStream(SENSOR, FIND, seed=5, worn="lateral")  # the settings say front
    s = session(tmp_path, SessionPlan("stance", ("right",), eyes="closed"), stream, train=FIND)
    (outcome,) = s.run()
    assert outcome.status == "complete", outcome.reason
    result = outcome.result
    assert result["mounting"]["spec"] == "+y-x+z" and result["mounting"]["found"]["quality"]
    assert "mounting_unknown" not in {w["code"] for w in result["warnings"]}
    saved = read_recording(outcome.recording)
    assert saved.meta.mounting == "+y-x+z" and saved.meta.mounting_found is not None
    # Live equals replay with the found mounting, and AP is AP.
    assert result == analyze(saved, "stance", start_s=outcome.go_s, end_s=outcome.end_s)
    truth = stream.last.truth
    inside = (truth.t_s >= outcome.go_s) & (truth.t_s <= outcome.end_s) & truth.mask("single_leg")
    true_ap = float(truth.tilt_ap_deg[inside].std())
    assert result["ap_rms_deg"] == pytest.approx(true_ap, rel=0.2)


def test_the_board_and_a_recording_keep_their_declared_mounting(tmp_path):
    (board,) = session(tmp_path, SessionPlan("board", ("board",)), train=FIND).run()
    assert board.result["mounting"]["found"] is None
    recording = simulated("stance", seed=713, duration_s=12.0).recording
    folder = tmp_path / "replay"
    folder.mkdir()
    (replayed,) = session(
        folder, SessionPlan("stance", ("right",)), FileStream(recording), train=FIND
    ).run()
    assert replayed.result["mounting"] == {"spec": "+x+y+z", "from": "header", "found": None}
