"""Sway functions that walk a trial a chunk at a time give the bits of whole arrays."""

from __future__ import annotations

import numpy as np
import pytest

from poise.metrics import sway


def whole_jerk(ap: np.ndarray, ml: np.ndarray, rate_hz: float) -> float:
    def third(x: np.ndarray) -> np.ndarray:
        return np.gradient(np.gradient(np.gradient(x, 1 / rate_hz), 1 / rate_hz), 1 / rate_hz)

    return float(np.sqrt(np.mean(third(ap) ** 2 + third(ml) ** 2)))


@pytest.mark.parametrize("n", [2, 3, 4, 7, 1000, 4099])
@pytest.mark.parametrize("chunk_rows", [1, 2, 5, 997, 65536])
def test_jerk_and_path_length_by_chunks_are_those_of_whole_arrays(monkeypatch, n, chunk_rows):
    monkeypatch.setattr(sway, "CHUNK_ROWS", chunk_rows)
    rng = np.random.default_rng(9100 + n)
    ap, ml = np.cumsum(rng.normal(size=(2, n)), axis=1)
    assert sway.jerk_rms(ap, ml, 833.0) == whole_jerk(ap, ml, 833.0)
    assert sway.path_length(ap, ml) == float(np.sum(np.hypot(np.diff(ap), np.diff(ml))))


def test_too_short_for_a_derivative_is_numpys_error():
    with pytest.raises(ValueError):
        sway.jerk_rms(np.zeros(1), np.zeros(1), 100.0)


@pytest.mark.parametrize("n", [2, 3, 1000, 70001])
def test_the_ellipse_has_the_bits_of_numpys_covariance(n):
    rng = np.random.default_rng(9200 + n)
    tilt = np.cumsum(rng.normal(size=(n, 2)), axis=0)  # AP and ML as columns, as scored
    ap, ml = tilt[:, 0], tilt[:, 1]
    eig = np.linalg.eigvalsh(np.cov(ap, ml))
    expected = float(np.pi * sway.CHI2_95_2DOF * np.sqrt(max(eig[0], 0.0) * max(eig[1], 0.0)))
    assert sway.ellipse_area95(ap, ml) == expected


def test_the_gait_rhythm_has_the_bits_of_its_whole_array_form():
    """The autocorrelation written over its spectrum: the lag and its correlation of
    the form with a new array at each step."""
    from poise.metrics import fit
    from poise.metrics.signals import lowpass

    def whole(acc_norm_g: np.ndarray, rate_hz: float) -> float | None:
        lo, hi = (round(p * rate_hz) for p in fit.GAIT_PERIOD_S)
        magnitude = acc_norm_g[np.isfinite(acc_norm_g)]
        n = len(magnitude)
        x = lowpass(magnitude, rate_hz, fit.GAIT_LOWPASS_HZ)
        x = x - np.mean(x)
        if np.sqrt(np.mean(x * x)) < fit.GAIT_MIN_G:
            return None
        spectrum = np.fft.rfft(x, 2 * n)
        correlation = np.fft.irfft(spectrum.real**2 + spectrum.imag**2)[: hi + 1]
        correlation = correlation / correlation[0] * n / (n - np.arange(hi + 1))
        lag = lo + int(np.argmax(correlation[lo:]))
        return lag / rate_hz if correlation[lag] >= fit.GAIT_MIN_CORRELATION else None

    rng = np.random.default_rng(9300)
    t = np.arange(0, 60, 0.002)
    for period_s, noise in ((1.1, 0.05), (0.7, 0.4), (1.3, 2.0)):
        walk = 1 + 0.3 * np.sin(2 * np.pi * t / period_s) + rng.normal(0, noise, len(t))
        assert fit.gait_rhythm(walk, 500.0) == whole(walk, 500.0)
