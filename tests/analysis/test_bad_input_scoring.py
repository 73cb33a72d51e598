"""Bad samples and repeated time stamps are health figures: counted, named, kept out of scores.

A single corrupt cell (1e300, inf, NaN) must not move a score, invent a loss of
balance or make time held negative; the foot-IMU walk with 205 repeated stamps
is scored, and a span before time goes back is scored with --end.
"""

import dataclasses
import subprocess
import sys
import warnings

import numpy as np
import pytest

from conftest import recording_path, simulated
from poise.analysis import analyze
from poise.analysis.prepare import cut
from poise.analysis.tracked import track
from poise.errors import PoiseError
from poise.formats import load_recording
from poise.formats.poise_csv import write_recording
from poise.samples import SampleBlock
from poise.store.headline import headline_metrics

CASES = {
    "stance": ("stance", {"losses": 1, "duration_s": 20.0}),
    "hop": ("hop", {"hops": 2}),
    "lunge": ("lunge", {}),
    "board": ("board", {"edge_touches": 1}),
    "hip": ("hip", {}),
}
BAD_VALUES = (1e300, np.inf, -np.inf, np.nan, -1e300)


def corrupted(samples: SampleBlock, seed: int, cells: int = 3) -> tuple[SampleBlock, np.ndarray]:
    """``samples`` with ``cells`` values replaced by bad ones, and the rows hit."""
    rng = np.random.default_rng(seed)
    acc, gyr = samples.acc_g.copy(), samples.gyr_dps.copy()
    rows = rng.choice(len(samples), size=cells, replace=False)
    for k, row in enumerate(rows):
        target = acc if rng.random() < 0.5 else gyr
        target[row, rng.integers(3)] = BAD_VALUES[(seed + k) % len(BAD_VALUES)]
    return SampleBlock(samples.t_s, samples.seq, acc, gyr), rows


def scored(recording, drill):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warning may reach a user
        return analyze(recording, drill)


@pytest.mark.parametrize("drill", list(CASES))
@pytest.mark.parametrize("seed", [101, 202])
def test_a_few_bad_cells_move_no_score_and_are_named(drill, seed):
    scenario, params = CASES[drill]
    recording = simulated(scenario, seed=3, **params).recording
    clean = scored(recording, drill)
    samples, rows = corrupted(recording.samples, seed)
    result = scored(dataclasses.replace(recording, samples=samples), drill)
    for name, value in headline_metrics(clean).items():
        got = headline_metrics(result)[name]
        assert (got is None) == (value is None), name
        if value is not None:
            assert got == pytest.approx(value, rel=0.01, abs=0.02), name
    if drill == "stance":
        assert result["losses_of_balance"] == clean["losses_of_balance"]
        assert result["time_held_s"] >= 0
    if drill == "hop":
        assert len(result["landings"]) == len(clean["landings"])
    assert result["health"]["bad_rows"] == len(rows)
    found = [w for w in result["warnings"] if w["code"] == "bad_samples"]
    assert len(found) == 1 and f"{len(rows)} samples" in found[0]["message"]
    assert f"{recording.samples.t_s[rows.min()]:g} s" in found[0]["message"]
    assert "\n" not in found[0]["message"]


def test_a_huge_cell_in_the_still_reference_does_not_move_it():
    recording = simulated("stance", seed=3, losses=1, duration_s=20.0).recording
    clean = scored(recording, "stance")
    acc = recording.samples.acc_g.copy()
    acc[int(0.5 * recording.meta.rate_hz), 2] = 1e300  # inside the quiet standing at the start
    s = recording.samples
    result = scored(
        dataclasses.replace(recording, samples=SampleBlock(s.t_s, s.seq, acc, s.gyr_dps)), "stance"
    )
    assert result["calibration"]["reference_t_s"] == clean["calibration"]["reference_t_s"]
    assert result["time_held_s"] == pytest.approx(clean["time_held_s"], abs=0.01)


def test_no_warning_reaches_the_user_of_the_command_line(tmp_path):
    recording = simulated("stance", seed=3, losses=1, duration_s=20.0).recording
    samples, _ = corrupted(recording.samples, 7, cells=5)
    path = tmp_path / "bad.csv"
    write_recording(path, samples, recording.meta)
    for command in (["analyze", str(path), "--drill", "stance"], ["angles", str(path)]):
        result = subprocess.run(
            [sys.executable, "-W", "error", "-m", "poise", *command],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0 and result.stderr == "", result.stderr
    assert (
        "bad_samples"
        in subprocess.run(
            [sys.executable, "-m", "poise", "analyze", str(path), "--drill", "stance"],
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout.split("\n", 1)[0]
    )


def test_the_foot_walk_with_repeated_stamps_is_cut_not_refused():
    rec = load_recording(recording_path("gait_tracking_short_walk.csv"))
    span = cut(track(rec))  # where every drill refused it: "time goes back at sample 3"
    assert span.span_s[1] == pytest.approx(41.62, abs=0.01)
    assert span.health.duplicate_timestamps == 205 and span.health.backward_timestamps == 0


@pytest.mark.parametrize("drill", list(CASES))
def test_the_foot_walk_is_refused_by_no_drill_for_its_time_stamps(drill):
    rec = load_recording(recording_path("gait_tracking_short_walk.csv"))
    rec = dataclasses.replace(rec, meta=dataclasses.replace(rec.meta, placement="right_shank"))
    try:
        result = scored(rec, drill)
    except PoiseError as e:  # a drill may still say a walk is not its drill
        assert "time" not in str(e), str(e)
        return
    messages = [w["message"] for w in result["warnings"] if w["code"] == "timestamps"]
    assert messages == ["205 duplicate timestamps"]


def test_end_before_time_goes_back_scores_the_part_before_it():
    recording = simulated("stance", seed=3, losses=1, duration_s=20.0).recording
    s = recording.samples
    t = s.t_s.copy()
    back = np.searchsorted(t, 15.0)
    t[back:] -= 5.0  # the clock jumps back 5 s at 15 s
    rec = dataclasses.replace(recording, samples=SampleBlock(t, s.seq, s.acc_g, s.gyr_dps))
    with pytest.raises(PoiseError, match=r"time goes back at sample .* --end") as err:
        analyze(rec, "stance")
    end = float(str(err.value).rsplit("--end ", 1)[1])
    result = analyze(rec, "stance", end_s=end)
    assert result["span_s"][1] <= end
    assert result["sway_rms_deg"] is not None
