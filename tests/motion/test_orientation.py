"""The imufusion adapter: time steps from device time, skipped samples, health flags."""

import numpy as np
import pytest

from poise.motion.angles import (
    FLAG_ACC_IGNORED,
    FLAG_RATE_RECOVERY,
    FLAG_STARTUP,
    tilt_from_vertical,
)
from poise.motion.frames import quat_vertical
from poise.motion.orientation import OrientationFilter, OrientationSettings

UPRIGHT = np.array([1.0, 0.0, 0.0, 0.0])


def turn_about_y(rate_dps: float, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gyro and accelerometer of a sensor turning about y at a steady rate."""
    angle = np.radians(rate_dps * t)
    acc = np.column_stack((-np.sin(angle), np.zeros_like(t), np.cos(angle)))
    gyr = np.tile([0.0, rate_dps, 0.0], (len(t), 1))
    return acc, gyr


def test_integrates_over_the_time_that_really_passed():
    t = np.concatenate((np.arange(1, 51) / 100, 0.5 + np.arange(1, 51) / 25))  # 100 Hz then 25 Hz
    acc, gyr = turn_about_y(10.0, t)
    f = OrientationFilter(OrientationSettings(gain=0.0), rate_hz=100.0)
    f.start(UPRIGHT, t_s=0.0)
    quat, _ = f.update(t, acc, gyr, np.ones(len(t), bool))
    ap, _, _ = tilt_from_vertical(quat_vertical(quat))
    assert ap[-1] == pytest.approx(10.0 * t[-1], abs=0.01)


def test_duplicates_and_unusable_samples_do_not_move_the_filter():
    t = np.array([0.01, 0.02, 0.02, 0.03, 0.04])
    acc, gyr = turn_about_y(100.0, t)
    usable = np.array([True, True, True, False, True])
    f = OrientationFilter(OrientationSettings(gain=0.0), rate_hz=100.0)
    f.start(UPRIGHT, t_s=0.0)
    quat, _ = f.update(t, acc, gyr, usable)
    ap, _, _ = tilt_from_vertical(quat_vertical(quat))
    assert ap[2] == pytest.approx(ap[1])  # duplicate timestamp: no step
    assert ap[3] == pytest.approx(ap[2])  # unusable row: holds
    assert ap[4] == pytest.approx(4.0, abs=1e-3)  # the skipped interval is integrated by the next


def test_block_boundaries_do_not_change_the_result():
    t = np.arange(1, 401) / 200
    acc, gyr = turn_about_y(20.0, t)
    acc += np.random.default_rng(0).normal(0, 0.01, acc.shape)
    whole = OrientationFilter(OrientationSettings(), 200.0)
    whole.start(UPRIGHT, 0.0)
    q_whole, _ = whole.update(t, acc, gyr, np.ones(400, bool))
    parts = OrientationFilter(OrientationSettings(), 200.0)
    parts.start(UPRIGHT, 0.0)
    pieces = [
        parts.update(
            t[i : i + 33], acc[i : i + 33], gyr[i : i + 33], np.ones(len(t[i : i + 33]), bool)
        )[0]
        for i in range(0, 400, 33)
    ]
    assert np.array_equal(np.concatenate(pieces), q_whole)


def test_flags_show_startup_rejection_and_rate_recovery():
    t = np.arange(1, 101) / 100
    f = OrientationFilter(OrientationSettings(), rate_hz=100.0, gyr_range_dps=500.0)
    f.start(None, t_s=0.0)
    _, flags = f.update(
        t, np.tile([0.0, 0.0, 1.0], (100, 1)), np.zeros((100, 3)), np.ones(100, bool)
    )
    assert flags[0] & FLAG_STARTUP  # no initial orientation given: Fusion ramps in
    f.start(UPRIGHT, t_s=0.0)
    sideways = np.tile([1.0, 0.0, 0.0], (100, 1))  # accelerometer says 90 deg off
    _, flags = f.update(t, sideways, np.zeros((100, 3)), np.ones(100, bool))
    assert flags[1] & FLAG_ACC_IGNORED and not flags[1] & FLAG_STARTUP
    spin = np.tile([0.0, 0.0, 499.0], (100, 1))
    _, flags = f.update(t + 1.0, np.tile([0.0, 0.0, 1.0], (100, 1)), spin, np.ones(100, bool))
    assert flags[-1] & FLAG_RATE_RECOVERY
