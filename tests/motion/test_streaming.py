"""Streaming forms give what the whole-recording forms give: still periods, tilt, inspection."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import simulated
from poise.cli import main
from poise.formats import load_recording, stream_recording
from poise.inspect import inspect_recording, inspect_stream
from poise.motion.still import StillPeriods, StillSettings, still_mask, still_periods
from poise.motion.tilt import track_tilt, tracker_for


@pytest.mark.parametrize("scenario", ["stance", "lunge", "hop"])
def test_still_periods_found_block_by_block_equal_the_whole_mask(scenario):
    s = simulated(scenario, seed=7).recording.samples
    for window in (2, 50, 416):
        expected = still_periods(s.t_s, still_mask(s.acc_g, s.gyr_dps, window, StillSettings()))
        for block_len in (1, 7, 1000, len(s)):
            if block_len == 1 and window > 2:
                continue
            finder = StillPeriods(window, StillSettings())
            for block in s.split(block_len):
                finder.update(block.t_s, block.acc_g, block.gyr_dps)
            assert finder.finish() == expected, (window, block_len)


def test_a_file_tracked_as_it_is_read_equals_track_tilt_of_it_to_the_bit(tmp_path):
    sim = simulated("stance", seed=7)
    sim.write(tmp_path / "r.csv")
    tilt, _ = track_tilt(load_recording(tmp_path / "r.csv"))
    with stream_recording(tmp_path / "r.csv") as stream:
        tracker = tracker_for(stream.meta)
        pieces = [tracker.update(b) for b in stream.blocks()] + [tracker.finish()]
    assert np.concatenate([p.quat for p in pieces]).tobytes() == tilt.quat.tobytes()
    assert np.concatenate([p.flags for p in pieces]).tobytes() == tilt.flags.tobytes()


def test_inspection_streamed_equals_the_whole_one_but_for_the_rate_s_last_digits(tmp_path):
    sim = simulated("stance", seed=7, drop_probability=0.01)
    path = tmp_path / "r.csv"
    sim.write(path)
    whole = inspect_recording(load_recording(path))
    with stream_recording(path) as stream:
        streamed = inspect_stream(stream)
    for report in (whole, streamed):
        rate = report["health"].pop("measured_rate_hz")
        assert rate == pytest.approx(whole["measured_rate_hz"], abs=1e-3)
    assert streamed == whole


def test_angles_rows_streamed_to_a_file(tmp_path, capsys):
    sim = simulated("stance", seed=7)
    path = tmp_path / "r.csv"
    sim.write(path)
    assert main(["angles", str(path)]) == 0
    printed = capsys.readouterr().out
    assert main(["angles", str(path), "-o", str(tmp_path / "a.csv")]) == 0
    assert (tmp_path / "a.csv").read_text() == printed
    tilt, _ = track_tilt(sim.recording)
    assert printed.count("\n") == len(tilt) + 1
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    # An output that exists already is refused, one line, and left as it was.
    assert main(["angles", str(path), "-o", str(tmp_path / "a.csv")]) == 2
    assert "a.csv: already exists; not overwritten" in capsys.readouterr().err
    assert (tmp_path / "a.csv").read_text() == printed


def test_analyze_many_files_one_line_each_and_a_bad_one_named(tmp_path, capsys):
    sim = simulated("stance", seed=7)
    good = tmp_path / "good.csv"
    sim.write(good)
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text().replace("\n0,", "\nx,", 1))
    assert main(["analyze", str(good), "--drill", "stance", "--json"]) == 0
    single = json.loads(capsys.readouterr().out)
    for jobs in ("1", "2"):
        code = main(
            [
                "analyze",
                str(good),
                str(bad),
                str(good),
                "--drill",
                "stance",
                "--json",
                "--jobs",
                jobs,
            ]
        )
        out, err = capsys.readouterr()
        assert code == 2
        assert [json.loads(line) for line in out.splitlines()] == [single, single]
        assert err.count("\n") == 1 and "bad.csv" in err
