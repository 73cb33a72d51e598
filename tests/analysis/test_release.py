"""A drill's last read of a column lets the recording's samples of it go: the results
keep their bits, and the samples cannot be read again by mistake."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import simulated
from poise.analysis import analyze
from poise.analysis.prepare import cut
from poise.analysis.tracked import track
from poise.drills import DRILLS


def test_a_released_column_is_refused_and_what_was_resampled_stays():
    recording = simulated("hop", hops=1, seed=4480).recording
    tracked = track(recording, columns=DRILLS["hop"].columns)
    span = cut(tracked)
    gyr = span.gyr_dps.copy()
    span.release("gyr_dps")
    assert "gyr_dps" not in tracked.groups
    np.testing.assert_array_equal(span.gyr_dps, gyr)  # resampled already: kept
    span.forget("gyr_dps")
    with pytest.raises(KeyError, match="gyr_dps were let go"):
        _ = span.gyr_dps
    with pytest.raises(KeyError, match="let go"):
        _ = cut(tracked).gyr_dps
    assert np.isfinite(span.acc_g).all()  # the others are untouched


def test_the_tilt_derived_from_a_released_up_axis_is_refused():
    recording = simulated("hop", hops=1, seed=4481).recording
    tracked = track(recording, columns=DRILLS["hop"].columns)
    tracked.release("up")
    with pytest.raises(KeyError, match="tilt_deg were let go"):
        _ = cut(tracked).tilt_deg


@pytest.mark.parametrize("whole", [True, False])
@pytest.mark.parametrize(
    ("drill", "kwargs"), [("hop", {"hops": 3}), ("stance", {"duration_s": 14.0, "losses": 1})]
)
def test_a_drill_scores_the_same_once_its_samples_go(drill, kwargs, whole):
    """Scored twice from one recording in memory: the first scoring's releases do not
    reach the second, tracked anew; a span with --start/--end still has what the whole
    recording's figures (a hop's baseline, a stance's noise floor) read."""
    recording = simulated(drill, seed=4482, **kwargs).recording
    bounds = {} if whole else {"start_s": 2.0, "end_s": float(recording.samples.t_s[-1]) - 1.0}
    first = analyze(recording, drill, **bounds)
    assert first["landings" if drill == "hop" else "touchdowns"]
    assert analyze(recording, drill, **bounds) == first


@pytest.mark.parametrize("chunk_rows", [7, 997, 8192])
def test_a_gap_is_found_a_chunk_at_a_time_where_the_whole_span_finds_it(monkeypatch, chunk_rows):
    import poise.analysis.tracked as tracked_module
    from poise.errors import PoiseError
    from poise.recording import Recording

    recording = simulated("stance", duration_s=12.0, seed=4483).recording
    samples = recording.samples
    t = samples.t_s
    keep = ~((t > 7.0) & (t < 8.5)) & ~((t > 4.0) & (t < 5.2))  # the longer gap second
    gapped = Recording(samples=samples[np.flatnonzero(keep)], meta=recording.meta)
    monkeypatch.setattr(tracked_module, "CHUNK_ROWS", chunk_rows)
    tracked = track(gapped, columns=DRILLS["stance"].columns)
    times = tracked.t_s[tracked.forward]
    k = int(np.argmax(np.diff(times)))
    with pytest.raises(
        PoiseError, match=f"no samples for {np.diff(times)[k]:g} s after {times[k]:g} s"
    ):
        cut(tracked)
