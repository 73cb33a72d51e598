"""Scenarios: seeded and deterministic, with truths that say what happened."""

import itertools
import json

import numpy as np
import pytest

from conftest import simulated
from poise.formats import load_recording
from poise.sim import simulate, truth_path
from poise.sim.stance import LOSS_KINDS


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    a = simulate("stance", seed=3, duration_s=8.0).write(tmp_path / "a.csv")
    b = simulate("stance", seed=3, duration_s=8.0).write(tmp_path / "b.csv")
    assert a[0].read_bytes() == b[0].read_bytes()
    assert a[1].read_bytes() == b[1].read_bytes()
    c = simulate("stance", seed=4, duration_s=8.0)
    assert not np.array_equal(
        c.recording.samples.acc_g[:100], load_recording(a[0]).samples.acc_g[:100]
    )


def test_the_motion_does_not_depend_on_the_output_rate():
    slow = simulated("stance", rate_hz=104.0, seed=2)
    fast = simulated("stance", rate_hz=833.0, seed=2)
    t = np.linspace(5.0, 30.0, 200)
    ap_slow = np.interp(t, slow.truth.t_s, slow.truth.tilt_ap_deg)
    ap_fast = np.interp(t, fast.truth.t_s, fast.truth.tilt_ap_deg)
    # Same athlete; only the clocks differ (each chip's own few-per-mille error).
    assert np.corrcoef(ap_slow, ap_fast)[0, 1] > 0.95


def test_stance_losses_of_balance_and_conditions():
    sim = simulated("stance", seed=1, eyes="closed", surface="foam", losses=3)
    losses = sorted(
        (e for kind in LOSS_KINDS for e in sim.truth.events_of(kind)), key=lambda e: e["t_s"]
    )
    assert len(losses) == 3
    start, end = sim.truth.windows["trial"][0]
    assert all(start < e["t_s"] < end for e in losses)
    assert sim.truth.facts["time_held_s"] == pytest.approx(losses[0]["t_s"] - start, abs=0.05)
    easy = simulated("stance", seed=1, eyes="open", surface="firm", losses=0)
    ratio = sim.truth.summary()["sway_rms_deg"] / easy.truth.summary()["sway_rms_deg"]
    assert 2.5 < ratio < 4.5  # eyes closed x2.2 and foam x1.5 (realisations differ)


def test_hop_truth():
    sim = simulated("hop", seed=2, hops=4)
    landings = sim.truth.events_of("landing")
    assert [e["number"] for e in landings] == [1, 2, 3, 4]
    for e in landings:
        assert 0.28 <= e["flight_s"] <= 0.46
        assert 2.0 < e["true_peak_acc_g"] < 16.0
        assert e["tts_s"] > 0
    assert len({round(e["tts_s"], 2) for e in landings}) == 4


def test_repeated_and_side_hops_rebound_and_count():
    repeated = simulated("hop", seed=3, mode="repeated", hops=6)
    landings = repeated.truth.events_of("landing")
    assert len(landings) == 6
    for e, following in itertools.pairwise(landings):
        # Ground contact runs from this landing to the next take-off.
        assert following["takeoff_t_s"] - e["t_s"] == pytest.approx(e["contact_s"], abs=1e-9)
        assert e["rsi"] == pytest.approx(following["flight_s"] / e["contact_s"])
    assert "tts_s" in landings[-1] and "contact_s" not in landings[-1]
    side = simulated("hop", seed=3, mode="side", duration_s=30.0)
    _, end = side.truth.windows["trial"][0]
    inside = [e for e in side.truth.events_of("landing") if e["t_s"] <= end]
    assert side.truth.facts["hop_count"] == len(inside) > 30


def test_hip_rotations_hold_the_athletes_range():
    sim = simulated("hip", seed=4, leg="right", internal_deg=35.0, external_deg=42.0)
    internal = sim.truth.events_of("internal_rotation")
    external = sim.truth.events_of("external_rotation")
    assert len(internal) == len(external) == 3
    _, tilt_ml, _ = sim.truth.angles()
    for e, target in [(e, -35.0) for e in internal] + [(e, 42.0) for e in external]:
        held = (sim.truth.t_s >= e["t_s"]) & (sim.truth.t_s <= e["end_t_s"])
        # Right leg: internal rotation swings the foot out, the shank's top leans left.
        assert np.mean(tilt_ml[held]) == pytest.approx(target, abs=3.0)


def test_lunge_holds_reach_the_variants_range():
    bent = simulated("lunge", seed=0)
    straight = simulated("lunge", seed=0, variant="knee-straight")
    for sim, (low, high) in ((bent, (30, 47)), (straight, (18, 33))):
        holds = sim.truth.events_of("hold")
        assert len(holds) == 5
        assert all(low < h["mean_inclination_deg"] < high for h in holds)


def test_board_edge_touches_stop_at_the_edge():
    sim = simulated("board", seed=1, edge_touches=4)
    touches = sim.truth.events_of("edge_touch")
    assert len(touches) == 4
    # The floor stops the board at its physical tilt, measured from true vertical.
    tilt_ap, tilt_ml, inclination = sim.truth.angles(from_vertical=True)
    assert inclination.max() <= 15.0 + 0.05
    for e in touches:
        i = np.searchsorted(sim.truth.t_s, e["t_s"])
        ap, ml = tilt_ap[i], tilt_ml[i]
        expected = {"forward": (15, 0), "back": (-15, 0), "left": (0, -15), "right": (0, 15)}
        assert (ap, ml) == pytest.approx(expected[e["direction"]], abs=0.3)


def test_sidecar_states_sensor_events_windows_and_summary(tmp_path):
    path = tmp_path / "h.csv"
    written = simulate("hop", seed=1, hops=2).write(path, series=True)
    assert written[1] == truth_path(path) == tmp_path / "h.truth.json"
    truth = json.loads(written[1].read_text())
    assert truth["scenario"] == "hop" and truth["seed"] == 1
    assert truth["sensor"]["chip"] == "LSM6DSO32"
    assert set(truth["sensor"]["errors"]) >= {"gyr_bias_dps", "acc_offset_g", "misalignment_deg"}
    assert [e["kind"] for e in truth["events"]].count("landing") == 2
    assert truth["windows"]["reference"][0][0] < 0.01
    assert truth["summary"]["tilt_ap_deg"]["rms_about_mean"] > 0
    assert truth["summary"]["angles"] == "relative to the reference posture"
    series = written[2].read_text().splitlines()
    assert series[0].startswith("t_s,tilt_ap_deg,tilt_ml_deg,inclination_deg,vertical_tilt_ap_deg")
    assert len(series) == len(load_recording(path).samples) + 1


def test_bad_parameters_say_what_is_allowed():
    with pytest.raises(ValueError, match="has no parameter 'eyez'"):
        simulate("stance", eyez="closed")
    with pytest.raises(ValueError, match="eyes must be one of open, closed"):
        simulate("stance", eyes="shut")
    with pytest.raises(ValueError, match="unknown scenario"):
        simulate("swim")
    with pytest.raises(ValueError, match="no 100 Hz rate"):
        simulate("stance", rate_hz=100.0)


def test_nobody_stands_exactly_upright_and_the_truth_says_relative_to_what():
    """The reference posture is drawn per athlete; truth is given both ways."""
    sim = simulated("lunge", seed=5)
    posture = sim.truth.summary()["reference_posture_from_vertical_deg"]
    assert 0.3 < posture["inclination"] < 4.5
    reference = sim.truth.mask("reference")
    relative = sim.truth.inclination_deg[reference].mean()
    _, _, from_vertical = sim.truth.angles(from_vertical=True)
    assert relative < 0.2 < from_vertical[reference].mean()
    hold = sim.truth.events_of("hold")[0]
    offset = hold["mean_inclination_from_vertical_deg"] - hold["mean_inclination_deg"]
    assert offset == pytest.approx(posture["tilt_ap"], abs=0.6)
