"""The sensor model: noise density, quantisation, saturation, clock, drops, timestamps."""

import dataclasses

import numpy as np
import pytest
from scipy import signal

from poise.chips import LSM6DSO32, MPU6050
from poise.sim.imu_model import SensorConfig, ideal_errors, sample_sensor


def still(n_s: float = 60.0, fine: float = 4000.0, acc=(0.0, 0.0, 1.0)):
    t = np.arange(int(n_s * fine)) / fine
    return t, np.tile(acc, (len(t), 1)), np.zeros((len(t), 3))


def test_noise_density_survives_the_filter_and_resampling():
    t, acc, gyr = still()
    config = SensorConfig(LSM6DSO32, 416.0, 4.0, 125.0, drop_probability=0.0)
    out = sample_sensor(t, acc, gyr, config, ideal_errors(), np.random.default_rng(0))
    f, psd = signal.welch(
        out.samples.gyr_dps[:, 0] - out.samples.gyr_dps[:, 0].mean(), fs=416.0, nperseg=4096
    )
    band = (f > 5) & (f < 80)  # well inside the low-pass
    density = np.sqrt(np.median(psd[band]))  # one-sided PSD of white noise = density^2
    assert density == pytest.approx(LSM6DSO32.gyr_noise_dps_rthz, rel=0.15)


def test_values_are_whole_lsbs_and_clip_at_full_scale():
    t, acc, gyr = still(2.0, acc=(0.0, 0.0, 40.0))
    config = SensorConfig(MPU6050, 500.0, 16.0, 250.0, drop_probability=0.0, noise=False)
    out = sample_sensor(t, acc, gyr, config, ideal_errors(), np.random.default_rng(0))
    counts = out.samples.acc_g * 2048
    assert np.allclose(counts, np.round(counts))
    assert out.samples.acc_g[:, 2].max() == pytest.approx(32767 / 2048)


def test_clock_error_shows_in_timestamps_and_drops_in_sequence_numbers():
    t, acc, gyr = still(20.0)
    config = SensorConfig(LSM6DSO32, 104.0, 32.0, 2000.0, drop_probability=0.01)
    errors = dataclasses.replace(ideal_errors(), clock_error=0.01)
    out = sample_sensor(t, acc, gyr, config, errors, np.random.default_rng(1))
    s = out.samples
    assert 0 < out.dropped < 0.03 * len(s)
    assert s.seq[-1] + 1 == len(s) + out.dropped
    steps = np.diff(s.t_s)[np.diff(s.seq) == 1]
    assert np.median(steps) == pytest.approx(1 / (104 * 1.01), rel=1e-3)  # the chip runs 1% fast
    assert np.allclose(s.t_s / 25e-6, np.round(s.t_s / 25e-6))  # 25 us timestamp LSB


def test_chip_without_timestamps_counts_samples_at_the_nominal_rate():
    t, acc, gyr = still(5.0)
    config = SensorConfig(MPU6050, 100.0, 16.0, 2000.0, drop_probability=0.0)
    out = sample_sensor(t, acc, gyr, config, ideal_errors(), np.random.default_rng(1))
    assert np.allclose(out.samples.t_s, out.samples.seq / 100.0)


def test_configuration_is_checked_against_the_chip():
    with pytest.raises(ValueError, match="offers"):
        SensorConfig(LSM6DSO32, 100.0, 32.0, 2000.0)
    with pytest.raises(ValueError, match="range"):
        SensorConfig(MPU6050, 100.0, 32.0, 2000.0)
