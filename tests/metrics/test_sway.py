"""Sway metrics on signals whose answers are known in closed form."""

import itertools

import numpy as np
import pytest

from poise.metrics.sway import (
    ellipse_area95,
    jerk_rms,
    path_length,
    rms_2d,
    spectrum_summary,
    steadiness,
    sway_metrics,
)

RATE = 100.0
T = np.arange(0, 60.0, 1 / RATE)


def test_rms_and_area_of_an_ellipse_traced_at_constant_speed():
    ap, ml = 3.0 * np.cos(2 * np.pi * 0.5 * T), 1.0 * np.sin(2 * np.pi * 0.5 * T)
    assert rms_2d(ap, ml) == pytest.approx(np.sqrt((9 + 1) / 2), rel=1e-3)
    # Covariance eigenvalues 9/2 and 1/2: area = pi * 5.991 * sqrt(9/4).
    assert ellipse_area95(ap, ml) == pytest.approx(np.pi * 5.991 * 1.5, rel=1e-3)


def test_path_length_and_velocity_of_a_circle():
    radius, f_hz = 2.0, 0.25
    ap, ml = radius * np.cos(2 * np.pi * f_hz * T), radius * np.sin(2 * np.pi * f_hz * T)
    assert path_length(ap, ml) == pytest.approx(2 * np.pi * radius * f_hz * T[-1], rel=1e-4)
    # At 0.25 Hz the 5 Hz low-pass leaves the circle alone.
    m = sway_metrics(ap, ml, RATE)
    assert m.sway_velocity_dps == pytest.approx(2 * np.pi * radius * f_hz, rel=1e-3)


def test_jerk_of_a_sinusoid():
    a, f_hz = 1.0, 1.0
    w = 2 * np.pi * f_hz
    ap = a * np.sin(w * T)
    # Third derivative a w^3 cos: RMS a w^3 / sqrt(2) (edges of the numerical derivative aside).
    assert jerk_rms(ap, np.zeros_like(ap), RATE) == pytest.approx(a * w**3 / np.sqrt(2), rel=0.02)


def test_spectrum_of_a_pure_tone_and_of_two():
    centroid, f95 = spectrum_summary(np.sin(2 * np.pi * 0.8 * T), np.zeros_like(T), RATE)
    assert centroid == pytest.approx(0.8, abs=0.05) and f95 == pytest.approx(0.8, abs=0.1)
    two = np.sin(2 * np.pi * 0.4 * T) + np.sin(2 * np.pi * 2.0 * T)
    centroid, f95 = spectrum_summary(two, np.zeros_like(T), RATE)
    # Prieto's centroid sqrt(mu2 / mu0): sqrt((0.4^2 + 2^2) / 2) = 1.44 Hz (the spectral
    # mean would be 1.2). Welch bins are 0.1 Hz wide and the Hann window leaks into the next.
    assert centroid == pytest.approx(1.44, abs=0.03) and f95 == pytest.approx(2.0, abs=0.15)


def test_steadiness_is_strictly_decreasing_in_sway():
    scores = [steadiness(x) for x in np.linspace(0, 10, 101)]
    assert scores[0] == 100.0 and all(b < a for a, b in itertools.pairwise(scores))
    assert 0 < scores[-1] < 0.1


def test_noise_above_the_low_pass_does_not_reach_velocity():
    """Sensor noise at 1 kHz would swamp the path length unfiltered; the low-pass keeps the
    figure close to the slow sway's own."""
    rng = np.random.default_rng(0)
    t = np.arange(0, 30.0, 1e-3)
    sway = np.sin(2 * np.pi * 0.5 * t)
    noisy = sway + 0.02 * rng.standard_normal(t.size)
    clean = sway_metrics(sway, np.zeros_like(t), 1000.0).sway_velocity_dps
    assert sway_metrics(noisy, np.zeros_like(t), 1000.0).sway_velocity_dps == pytest.approx(
        clean, rel=0.05
    )
    assert path_length(noisy, np.zeros_like(t)) / 30.0 > 5 * clean
