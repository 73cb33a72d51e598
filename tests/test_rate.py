"""The nominal rate from time stamps: jittered, rounded to a coarse clock, with gaps and repeats."""

import numpy as np
import pytest

from conftest import recording_path
from poise.chips import LSM6DSO32, MPU6050
from poise.formats import CsvOptions, load_recording
from poise.rate import COMMON_RATES_HZ, nominal_rate_hz, step_rate_hz


def stamps(rate_hz, n, rng, jitter_s=0.0, quantum_s=0.0, drop=0.0, repeat=0.0):
    """Device times of ``n`` samples at ``rate_hz``: Gaussian jitter, rounding to
    ``quantum_s``, a share ``drop`` of samples lost and ``repeat`` sent twice."""
    t = np.arange(n) / rate_hz + rng.normal(0.0, jitter_s, n)
    t = t[rng.random(n) >= drop]
    if quantum_s:
        t = np.round(t / quantum_s) * quantum_s
    again = np.flatnonzero(rng.random(len(t)) < repeat)
    return np.sort(np.insert(t, again, t[again]))


@pytest.mark.parametrize("rate_hz", [52.0, 104.0, 208.0, 416.0, 833.0, 1666.0])
@pytest.mark.parametrize("quantum_s", [0.0005, 0.0001])
def test_stamps_rounded_to_a_coarse_clock_give_the_rate_not_the_median(rate_hz, quantum_s):
    rng = np.random.default_rng(int(rate_hz) + 17)
    t = stamps(rate_hz, 20_000, rng, quantum_s=quantum_s, drop=0.002, repeat=0.005)
    measured = step_rate_hz(t)
    assert measured == pytest.approx(rate_hz, rel=0.002)
    assert nominal_rate_hz(measured) == rate_hz
    assert nominal_rate_hz(measured, LSM6DSO32) == rate_hz


@pytest.mark.parametrize("rate_hz", [100.0, 104.0, 400.0, 416.0, 833.0, 1000.0])
def test_jittered_stamps_snap_to_the_rate(rate_hz):
    rng = np.random.default_rng(int(rate_hz) * 3 + 1)
    # Host-clock jitter of a fifth of a period, a clock 0.3% fast.
    t = stamps(rate_hz * 1.003, 10_000, rng, jitter_s=0.2 / rate_hz, drop=0.01)
    assert nominal_rate_hz(step_rate_hz(t)) == rate_hz


def test_the_old_median_estimate_was_wrong_on_these_stamps():
    # The failure reported: 833 Hz shown as 1000, 416 as 400, 104 as 105.3 (0.5 ms stamps).
    rng = np.random.default_rng(5)
    for rate_hz, median_said in ((833.0, 1000.0), (416.0, 400.0), (104.0, 105.26)):
        t = stamps(rate_hz, 20_000, rng, quantum_s=0.0005)
        assert 1 / np.median(np.diff(t)) == pytest.approx(median_said, rel=1e-3)
        assert nominal_rate_hz(step_rate_hz(t)) == rate_hz


def test_a_rate_near_no_known_rate_is_kept_as_measured():
    rng = np.random.default_rng(11)
    t = stamps(300.0, 5000, rng, jitter_s=1e-5)
    measured = step_rate_hz(t)
    assert nominal_rate_hz(measured) == measured == pytest.approx(300.0, rel=1e-3)


def test_a_known_chip_snaps_to_its_own_table():
    # 1000 / 3 = 333.3 Hz is an MPU-6050 rate (SMPLRT_DIV 2), not a common one.
    rng = np.random.default_rng(2)
    measured = step_rate_hz(stamps(1000.0 / 3, 5000, rng, jitter_s=1e-4))
    assert nominal_rate_hz(measured, MPU6050) == pytest.approx(1000.0 / 3)
    assert nominal_rate_hz(measured) == measured


def test_common_rates_are_far_enough_apart_to_snap_unambiguously():
    rates = np.array(COMMON_RATES_HZ)
    assert np.all(rates[1:] / rates[:-1] > 1.02)


def test_no_forward_step_gives_no_rate():
    assert step_rate_hz(np.array([1.0, 1.0, 0.5])) is None
    assert step_rate_hz(np.array([np.nan, np.inf])) is None


@pytest.mark.parametrize(
    ("name", "rate_hz"),
    [("fusion_sensor_data.csv", 100.0), ("gait_tracking_short_walk.csv", 400.0)],
)
def test_the_real_xio_files_get_their_nominal_rates(name, rate_hz):
    # SOURCES.md: both nominal rates are the ones the upstream examples use.
    rec = load_recording(recording_path(name))
    assert rec.meta.rate_estimated and rec.meta.rate_hz == rate_hz
    assert any(f"rate {rate_hz:g} Hz" in note for note in rec.notes)


def test_a_known_sensor_model_snaps_an_import_to_its_odr(tmp_path):
    rng = np.random.default_rng(8)
    t = stamps(833.0, 4000, rng, quantum_s=0.0005)
    rows = "\n".join(f"{x:.4f},0,0,0,0,0,1" for x in t)
    path = tmp_path / "x.csv"
    path.write_text("t,gx,gy,gz,ax,ay,az\n" + rows + "\n")
    options = CsvOptions(acc_unit="g", gyr_unit="dps", sensor_model="LSM6DSO32")
    rec = load_recording(path, options)
    assert rec.meta.rate_hz == 833.0
    assert any("LSM6DSO32 rate" in note for note in rec.notes)
