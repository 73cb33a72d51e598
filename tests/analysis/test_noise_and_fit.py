"""The noise floor and its warning, and drill fit (issue 10, items 5 and 6).

- Sensor noise: at 1x, 3x and 10x the datasheet density the stance figures hold
  the issue's limits (sway RMS 10%, area and velocity 20%, AP/ML RMS 15%) or the
  result says why not; at 1x and 3x they hold, with no noise warning.
- A span as still as the floor is warned about.
- Data that do not look like the drill scored are ``invalid`` with
  ``drill_mismatch``: real walks and a real jump, and simulations of the other
  drills; the drills themselves never are, across seeds, rates and noise.
"""

import pytest

from conftest import recording_path, simulated
from poise.analysis import analyze
from poise.formats import load_recording
from poise.formats.csv_import import CsvOptions

LIMITS = {
    "sway_rms_deg": 0.10,
    "ap_rms_deg": 0.15,
    "ml_rms_deg": 0.15,
    "sway_area95_deg2": 0.20,
    "sway_velocity_dps": 0.20,
}
#: Warnings that say a stance figure is not to be trusted as it is.
EXPLAINING = {"noise", "uncalibrated", "drill_mismatch"}


def codes(result: dict) -> set[str]:
    return {w["code"] for w in result["warnings"]}


def _true_axes(sim, start, end, rate):
    """The truth's sway figures, AP and ML RMS included."""
    truth = sim.truth.sway(start, end, rate)
    return {k: truth[k] for k in LIMITS}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("imu", "rate"),
    [("lsm6dso32", 104.0), ("mpu6050", 100.0), ("lsm6dso32", 833.0), ("mpu6050", 1000.0)],
)
def test_noise_x1_x3_x10_holds_the_limits_or_says_so(imu, rate):
    for noise_factor in (1.0, 3.0, 10.0):
        sim = simulated(
            "stance",
            imu=imu,
            rate_hz=rate,
            seed=73,
            eyes="open",
            surface="firm",
            losses=0,
            noise_factor=noise_factor,
        )
        ((start, end),) = sim.truth.windows["single_leg"]
        result = analyze(sim.recording, "stance", start_s=start, end_s=end)
        truth = _true_axes(sim, start, end, rate)
        off = {k: abs(result[k] / truth[k] - 1) for k in LIMITS}
        outside = {k for k, e in off.items() if e > LIMITS[k]}
        if noise_factor <= 3.0:
            assert not outside, (noise_factor, off)
            assert "noise" not in codes(result)
            assert result["noise_floor_from"] == "still_period"
        elif outside:  # nothing outside the limits is silent
            assert codes(result) & EXPLAINING and result["validity"] != "valid", result


def test_a_span_as_still_as_the_floor_is_warned_about():
    sim = simulated("stance", rate_hz=104.0, seed=74)
    still = analyze(sim.recording, "stance", start_s=0.3, end_s=2.9)  # both feet, still
    (warning,) = [w for w in still["warnings"] if w["code"] == "noise"]
    assert "sway RMS" in warning["message"] and warning["severity"] == "attention"
    ((start, end),) = sim.truth.windows["single_leg"][:1]
    stance = analyze(sim.recording, "stance", start_s=start, end_s=end)
    assert "noise" not in codes(stance)
    assert stance["noise_floor_deg"] == still["noise_floor_deg"]  # the same still period
    assert stance["sway_rms_deg"] > 5 * stance["noise_floor_deg"]


WALK = (
    "mobgap_HA001_Test5_Trial1.csv",
    CsvOptions(index_column="samples", rate_hz=100, acc_unit="g", gyr_unit="dps"),
)
JUMP = ("mlr_cmj_smartphone.csv", CsvOptions(rate_hz=128, acc_unit="m/s2", gyr_unit="rad/s"))


@pytest.mark.parametrize("drill", ["stance", "board", "lunge", "hip"])
def test_a_real_walk_is_no_drill(drill):
    name, options = WALK
    recording = load_recording(recording_path(name), options)
    extra = {"placement": "right_shank"} if drill == "hip" else {}
    if extra:
        import dataclasses

        recording = dataclasses.replace(
            recording, meta=dataclasses.replace(recording.meta, **extra)
        )
    result = analyze(recording, drill)
    assert result["validity"] == "invalid"
    messages = [w["message"] for w in result["warnings"] if w["code"] == "drill_mismatch"]
    assert any("gait rhythm" in m for m in messages), messages


def test_a_real_jump_is_no_stance():
    name, options = JUMP
    result = analyze(load_recording(recording_path(name), options), "stance")
    assert result["validity"] == "invalid"
    assert "drill_mismatch" in codes(result)


#: Simulated drills scored as another drill that does not fit them.
WRONG = [
    ("lunge", {}, "stance"),
    ("hip", {}, "stance"),
    ("hop", {}, "stance"),
    ("hop", {"mode": "repeated"}, "stance"),
    ("lunge", {}, "board"),
    ("hip", {}, "board"),
    ("hop", {"mode": "side"}, "board"),
    ("stance", {}, "lunge"),
    ("board", {}, "lunge"),
    ("hip", {}, "lunge"),
    ("stance", {}, "hip"),
    ("lunge", {}, "hip"),
    ("hop", {}, "hip"),
]


@pytest.mark.parametrize(("scenario", "params", "drill"), WRONG)
def test_another_drill_scored_as_this_one_is_invalid(scenario, params, drill):
    sim = simulated(scenario, rate_hz=208.0, seed=75, **params)
    result = analyze(sim.recording, drill)
    assert result["validity"] == "invalid" and "drill_mismatch" in codes(result)


@pytest.mark.slow
@pytest.mark.parametrize("drill", ["stance", "board", "lunge", "hip"])
def test_no_false_alarm_on_the_drill_itself(drill):
    """Across seeds, rates (52-1666 Hz), both chips and 1x-3x noise, eyes closed on foam
    with losses for the stance."""
    params = {"stance": {"eyes": "closed", "surface": "foam", "losses": 4}}.get(drill, {})
    cases = [
        ("lsm6dso32", 52.0, 1.0, 76),
        ("lsm6dso32", 416.0, 3.0, 77),
        ("lsm6dso32", 1666.0, 1.0, 78),
        ("mpu6050", 1000.0, 3.0, 79),
        ("mpu6050", 100.0, 1.0, 80),
    ]
    for imu, rate, noise_factor, seed in cases:
        sim = simulated(
            drill, imu=imu, rate_hz=rate, seed=seed, noise_factor=noise_factor, **params
        )
        result = analyze(sim.recording, drill)
        assert not codes(result) & {"drill_mismatch", "noise"}, (imu, rate, result["warnings"])
