"""Tracking keeps only the columns a drill reads, to the bits of a whole-array pass,
whether the recording is in memory or read from its file a chunk at a time."""

from __future__ import annotations

import numpy as np
import pytest

import poise.analysis.tracked as tracked_module
from conftest import simulated
from poise.analysis import analyze
from poise.analysis.prepare import cut
from poise.analysis.tracked import track
from poise.drills import DRILLS
from poise.formats import load_recording
from poise.formats.poise_csv import RecordingReader, write_recording
from poise.health import HealthMonitor

SIMULATED = {
    "stance": {"duration_s": 14.0, "losses": 1},
    "hop": {"hops": 2},
    "lunge": {},
    "hip": {},
    "board": {},
}


@pytest.mark.parametrize("drill", sorted(DRILLS))
def test_a_file_read_a_chunk_at_a_time_scores_as_the_recording_read_whole(
    tmp_path, monkeypatch, drill
):
    """Small chunks of text, rows derived 997 at a time: the same result, key for key."""
    sim = simulated(drill, seed=4471, **SIMULATED[drill])
    path = tmp_path / "r.csv"
    write_recording(path, sim.recording.samples, sim.recording.meta)
    whole = analyze(load_recording(path), drill)
    monkeypatch.setattr(tracked_module, "CHUNK_ROWS", 997)
    with RecordingReader(path, chunk_chars=3001) as stream:
        streamed = analyze(stream, drill)
    assert streamed == whole


def test_only_the_drills_columns_are_kept_and_another_is_refused():
    recording = simulated("stance", duration_s=8.0, seed=4472).recording
    tracked = track(recording, columns=DRILLS["stance"].columns)
    assert tracked.values.shape == (len(recording.samples), 5)  # AP, ML tilt; force (3)
    assert tracked.raw_acc_g is None
    span = cut(tracked)
    assert np.isfinite(span.tilt_deg).all()
    with pytest.raises(KeyError, match="gyr_dps"):
        _ = span.gyr_dps
    with pytest.raises(KeyError, match="raw_acc_g"):
        _ = span.raw_acc_g


def test_tilt_derived_from_the_up_axis_has_the_bits_of_tilt_kept():
    recording = simulated("hop", hops=1, seed=4473).recording
    from_up = cut(track(recording, columns=("up",)))
    kept = cut(track(recording, columns=("tilt_deg", "inclination_deg")))
    np.testing.assert_array_equal(from_up.tilt_deg, kept.tilt_deg)
    np.testing.assert_array_equal(from_up.inclination_deg, kept.inclination_deg)


def test_a_monitor_fed_in_blocks_measures_the_rate_a_whole_pass_measures():
    """A sum of block sums differs in its last bits; ``summed_over`` does not."""
    samples = simulated("stance", duration_s=30.0, seed=4474, rate_hz=833.0).recording.samples
    rng = np.random.default_rng(4474)
    jittered = samples.t_s + rng.normal(0, 2e-5, len(samples.t_s))
    samples = type(samples)(jittered, samples.seq, samples.acc_g, samples.gyr_dps)
    whole = HealthMonitor(833.0)
    whole.update(samples)
    blocks = HealthMonitor(833.0)
    for block in samples.split(777):
        blocks.update(block)
    assert blocks.summed_over(samples.t_s) == whole.health
