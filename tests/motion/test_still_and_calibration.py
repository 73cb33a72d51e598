"""Still periods and the reference calibration (bias fit, alignment, initial orientation)."""

import numpy as np
import pytest

from poise.motion.calibration import CalibrationSettings, calibrate_from_window
from poise.motion.frames import axis_angle_matrix, mounting_matrix, quat_vertical
from poise.motion.still import StillSettings, still_mask, still_periods, still_windows


def test_still_windows_ignore_gyro_bias_but_not_motion():
    rng = np.random.default_rng(1)
    n = 3000
    acc = np.tile([0.0, 0.0, 1.0], (n, 1)) + rng.normal(0, 0.002, (n, 3))
    gyr = np.full((n, 3), 5.0) + rng.normal(0, 0.1, (n, 3))  # a 5 deg/s bias, still
    gyr[1000:1500, 0] += 30 * np.sin(np.linspace(0, 6, 500))  # moving
    mask = still_mask(acc, gyr, 500, StillSettings())
    periods = still_periods(np.arange(n) / 1000, mask)
    assert len(periods) == 2
    assert 0.95 < periods[0][1] < 1.1 and 1.4 < periods[1][0] < 1.55


def test_a_nan_breaks_stillness():
    acc = np.tile([0.0, 0.0, 1.0], (100, 1))
    acc[50] = np.nan
    windows = still_windows(acc, np.zeros((100, 3)), 20, StillSettings())
    assert not windows[31:51].any() and windows[:31].all() and windows[51:].all()


def swaying_window(bias, mounting_error_deg=0.0, n=2000, rate=1000.0):
    """A sensor whose segment sways a little about x and y, with a gyro bias."""
    t = np.arange(n) / rate
    theta = np.column_stack(
        (0.1 * np.sin(2 * np.pi * 0.7 * t), 0.08 * np.sin(2 * np.pi * 0.4 * t + 1), np.zeros(n))
    )
    omega = np.gradient(theta, t, axis=0)
    misalign = axis_angle_matrix([1.0, 1.0, 0.0], np.radians(mounting_error_deg))
    acc = np.empty((n, 3))
    for i in range(n):
        angle = np.radians(np.linalg.norm(theta[i]))
        r = axis_angle_matrix(theta[i], angle) if angle > 0 else np.eye(3)
        acc[i] = misalign.T @ (r.T @ [0.0, 0.0, 1.0])
    gyr = omega @ misalign + bias
    return t, acc, gyr


def test_bias_is_fitted_through_the_sway():
    bias = np.array([0.5, -0.8, 0.3])
    t, acc, gyr = swaying_window(bias)
    cal = calibrate_from_window(t, acc, gyr, np.eye(3), CalibrationSettings())
    assert np.allclose(cal.gyr_bias_dps[:2], bias[:2], atol=0.005)
    assert cal.gyr_bias_dps[2] == pytest.approx(bias[2], abs=0.01)
    # The plain mean mistakes the sway for bias by far more.
    assert np.abs(gyr.mean(axis=0)[:2] - bias[:2]).max() > 0.03


def test_standing_reference_removes_the_tilt_of_a_misaligned_strap():
    t, acc, gyr = swaying_window(np.zeros(3), mounting_error_deg=3.0)
    cal = calibrate_from_window(t, acc, gyr, mounting_matrix("+x+y+z"), CalibrationSettings())
    up = cal.sensor_to_segment @ acc.mean(axis=0)
    assert np.degrees(np.arccos(up[2] / np.linalg.norm(up))) < 0.01
    plain = calibrate_from_window(t, acc, gyr, np.eye(3), CalibrationSettings(reference="none"))
    assert np.allclose(plain.sensor_to_segment, np.eye(3))
    # The initial orientation is the posture at the window's first sample, though
    # the segment sways through the window (the samples are turned back to it).
    start_up = cal.sensor_to_segment @ acc[0]
    start_up /= np.linalg.norm(start_up)
    error = np.degrees(
        np.arccos(np.clip(quat_vertical(cal.initial_quat[None])[0] @ start_up, -1, 1))
    )
    assert error < 0.005


def test_settings_are_validated():
    with pytest.raises(ValueError, match="reference"):
        CalibrationSettings(reference="sitting")
