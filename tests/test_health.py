import numpy as np

from poise.health import HealthMonitor, check, masked
from poise.samples import SampleBlock


def stream(t: list[float], seq: list[int] | None = None, acc=None, gyr=None) -> SampleBlock:
    n = len(t)
    return SampleBlock(
        t_s=np.array(t),
        seq=np.arange(n) if seq is None else np.array(seq),
        acc_g=np.tile([0.0, 0.0, 1.0], (n, 1)) if acc is None else np.array(acc),
        gyr_dps=np.zeros((n, 3)) if gyr is None else np.array(gyr),
    )


def test_clean_stream_has_no_problems():
    h = check(stream(list(np.arange(100) / 100)), 100.0)
    assert h.problems() == []
    assert h.samples == 100 and abs(h.duration_s - 0.99) < 1e-12
    assert abs(h.measured_rate_hz - 100.0) < 1e-9


def test_duplicates_backward_steps_and_gaps_are_counted_not_fixed():
    t = [0.00, 0.01, 0.01, 0.02, 0.015, 0.06, 0.07]
    h = check(stream(t), 100.0)
    assert h.duplicate_timestamps == 1
    assert h.backward_timestamps == 1
    assert h.gaps == 1 and abs(h.longest_gap_s - 0.045) < 1e-12
    assert h.missing_samples == 3  # 45 ms is 4.5 periods: 4 steps (half to even), 3 missing


def test_sequence_jumps_count_lost_samples_once():
    t = [0.0, 0.01, 0.02, 0.05, 0.06]
    h = check(stream(t, seq=[0, 1, 2, 5, 6]), 100.0)
    assert h.seq_jumps == 1
    assert h.missing_samples == 2


def test_nan_zero_rows_and_saturation():
    acc = [[0, 0, 1], [np.nan, 0, 1], [0, 0, 0], [0, 0, 31.99], [0, 0, 1]]
    gyr = [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [-2000, 0, 0]]
    h = check(stream([0, 0.01, 0.02, 0.03, 0.04], acc=acc, gyr=gyr), 100.0, 32.0, 2000.0)
    assert h.nan_rows == 1
    assert h.zero_rows == 1
    assert h.acc_saturated == 1 and h.gyr_saturated == 1
    assert len(h.problems()) == 4


def test_saturation_is_unknown_without_ranges():
    h = check(stream([0, 0.01]), 100.0)
    assert h.acc_saturated is None and h.gyr_saturated is None


def test_block_by_block_equals_whole_stream():
    rng = np.random.default_rng(3)
    t = np.cumsum(rng.choice([0.0, 0.01, 0.01, 0.01, 0.03], 500))
    seq = np.cumsum(rng.choice([1, 1, 1, 2], 500))
    acc = rng.normal(0, 10, (500, 3))
    whole = check(stream(list(t), list(seq), acc), 100.0, 16.0, 2000.0)
    monitor = HealthMonitor(100.0, 16.0, 2000.0)
    for part in stream(list(t), list(seq), acc).split(37):
        monitor.update(part)
    assert monitor.health == whole


def test_a_dropped_sample_now_and_then_is_counted_but_is_no_warning():
    t = np.arange(1000) / 100
    few = check(stream(list(np.delete(t, [100, 500]))), 100.0)
    assert few.gaps == 2 and few.problems() and not few.warnings()
    # A tenth of a second missing at once can hide an impact: that is a warning.
    long = check(stream(list(np.delete(t, range(300, 310)))), 100.0)
    assert [w.code for w in long.warnings()] == ["gaps"]
    assert "1 gap (longest" in long.warnings()[0].message
    # So is one sample in a hundred missing, spread out.
    spread = check(stream(list(np.delete(t, range(5, 1000, 100)))), 100.0)
    assert [w.code for w in spread.warnings()] == ["gaps"]


def test_bad_samples_are_counted_timed_and_not_saturation():
    acc = np.tile([0.0, 0.0, 1.0], (6, 1))
    gyr = np.zeros((6, 3))
    acc[1, 2], gyr[3, 0], acc[4, 0] = 1e300, -np.inf, 401.0  # beyond any accelerometer's 400 g
    gyr[5, 1] = 1999.0  # at a 2000 deg/s chip's full scale: a real reading
    h = check(stream(list(np.arange(6) / 100), acc=acc, gyr=gyr), 100.0, 16.0, 2000.0)
    assert h.bad_rows == 3 and h.first_bad_t_s == 0.01
    assert h.nan_rows == 0
    assert h.acc_saturated == 0 and h.gyr_saturated == 1
    (warning,) = [w for w in h.warnings() if w.code == "bad_samples"]
    assert warning.message == (
        "3 samples not finite or beyond any sensor's full scale, the first at 0.01 s; "
        "left out of the scoring"
    )


def test_bad_rows_are_counted_the_same_block_by_block():
    rng = np.random.default_rng(4)
    acc = rng.normal(0.0, 1.0, (500, 3))
    acc[rng.integers(0, 500, 20), 1] = np.nan
    acc[rng.integers(0, 500, 20), 0] = 1e12
    whole = check(stream(list(np.arange(500) / 100), acc=acc), 100.0)
    monitor = HealthMonitor(100.0)
    block = stream(list(np.arange(500) / 100), acc=acc)
    for piece in block.split(37):
        monitor.update(piece)
    assert monitor.health == whole and whole.bad_rows > 20


def test_masked_takes_bad_rows_as_nan_and_leaves_good_ones():
    acc = np.tile([0.0, 0.0, 1.0], (3, 1))
    acc[1, 0] = np.inf
    block = stream([0.0, 0.01, 0.02], acc=acc)
    out = masked(block)
    assert np.isnan(out.acc_g[1]).all() and np.isnan(out.gyr_dps[1]).all()
    assert out.acc_g[[0, 2]].tolist() == acc[[0, 2]].tolist()
    assert block.acc_g[1, 0] == np.inf  # the recording itself is never changed
    clean = stream([0.0, 0.01])
    assert masked(clean) is clean


def test_one_bad_sample_is_said_in_the_singular():
    acc = np.tile([0.0, 0.0, 1.0], (3, 1))
    acc[2, 1] = np.nan
    (warning,) = [
        w
        for w in check(stream([0.0, 0.01, 0.02], acc=acc), 100.0).warnings()
        if w.code == "bad_samples"
    ]
    assert warning.message.startswith("1 sample not finite or beyond")


def test_infinite_times_are_counted_without_a_numpy_warning():
    import warnings

    t = [0.0, np.inf, np.inf, 0.03, -np.inf, 0.05]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = check(stream(t), 100.0)
    assert h.bad_timestamps == 3
