"""Rotation-induced acceleration, and the accelerometer calibration from still poses."""

import numpy as np
import pytest

from conftest import simulated
from poise.metrics.signals import lowpass
from poise.motion.accel_calibration import (
    AccelCalibration,
    CalibrationDataError,
    find_poses,
    fit_accel_calibration,
)
from poise.motion.angles import tilt_from_vertical
from poise.motion.lever_arm import (
    PIVOT_RATE_LOWPASS_HZ,
    STANDARD_GRAVITY_MPS2,
    LeverArmCompensator,
    LeverArmSettings,
    pivot_vertical_sf_g,
)
from poise.sim import stance
from poise.sim.kinematics import ideal_imu, up_in_segment


def test_compensation_removes_most_of_the_shanks_own_acceleration():
    """On an ideal sensor the compensated accelerometer points (almost) straight up."""
    episode = stance.build(
        stance.StanceParams(eyes="closed", surface="foam"), 4000.0, np.random.default_rng(4)
    )
    motion = episode.motion
    acc, gyr = ideal_imu(motion)
    true = np.column_stack(tilt_from_vertical(up_in_segment(motion.ap_rad, motion.ml_rad))[:2])
    raw = np.column_stack(tilt_from_vertical(acc)[:2])
    # Poise's assumed lever arm, not the simulated one (which is drawn per simulation).
    comp = LeverArmCompensator(LeverArmSettings().shank_m, 4000.0).update(motion.t_s, acc, gyr)
    fixed = np.column_stack(tilt_from_vertical(comp)[:2])
    quiet = np.abs(motion.tissue_m).sum(axis=1) == 0  # leave out the touchdown jolts
    err_raw = np.sqrt(np.mean((raw - true)[quiet] ** 2))
    err_fixed = np.sqrt(np.mean((fixed - true)[quiet] ** 2))
    assert err_raw > 3.0  # degrees: the accelerometer alone is far off in this drill
    assert err_fixed < err_raw / 4


def test_lever_arm_by_placement():
    settings = LeverArmSettings()
    assert settings.for_placement("left_shank").tolist() == list(settings.shank_m)
    assert settings.for_placement("board").tolist() == list(settings.board_m)
    assert not settings.for_placement("unknown").any()
    with pytest.raises(ValueError):
        LeverArmSettings(shank_m=(0.0, 0.0, 5.0))


@pytest.mark.parametrize(("imu", "rate"), [("lsm6dso32", 104.0), ("mpu6050", 1000.0)])
def test_offsets_and_scales_are_recovered_from_simulated_poses(imu, rate):
    sim = simulated("poses", imu=imu, rate_hz=rate, seed=3)
    errors = sim.truth.header["sensor"]["errors"]
    poses = find_poses(sim.recording.samples, rate)
    assert len(poses) == 8
    cal = fit_accel_calibration(poses)
    # Cross-axis sensitivity (1-2%) is outside the offset-and-scale model: it is
    # what limits a real six-position calibration to a few mg.
    assert np.abs(cal.offset_g - errors["acc_offset_g"]).max() < 0.004  # 4 mg
    assert np.abs(cal.scale - errors["acc_scale"]).max() < 0.003  # 0.3 %
    assert 0.0002 < cal.residual_g < 0.005


def test_too_few_poses_say_which_axes_were_never_up():
    poses = np.array([[0, 0, 1.0], [0, 0, -1.0], [1.0, 0, 0], [0, 1.0, 0]])
    with pytest.raises(CalibrationDataError, match=r"-x, -y"):
        fit_accel_calibration(poses)


def test_calibration_round_trips_through_json_form():
    cal = AccelCalibration(np.array([0.01, -0.02, 0.03]), np.array([1.01, 0.99, 1.0]), 8, 1e-4)
    back = AccelCalibration.from_dict(cal.to_dict())
    assert np.allclose(back.offset_g, cal.offset_g) and np.allclose(back.scale, cal.scale)
    with pytest.raises(ValueError, match="scale"):
        AccelCalibration.from_dict({"offset_g": [0, 0, 0]})


@pytest.mark.parametrize("chunk_rows", [1, 7, 65536])
def test_the_pivot_force_a_chunk_at_a_time_is_the_whole_arrays_to_the_bit(chunk_rows):
    """Past the zero-phase low-pass each sample needs only its neighbours: chunks give the
    same bits as the whole-array formula (a = omega' x r + omega x (omega x r))."""
    rng = np.random.default_rng(5)
    n, rate, r = 1001, 1000.0, np.array([0.04, 0.0, 0.25])
    acc, gyr, up = rng.normal(size=(n, 3)), 100 * rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
    omega = np.radians(lowpass(gyr, rate, PIVOT_RATE_LOWPASS_HZ))
    alpha = np.gradient(omega, 1.0 / rate, axis=0)
    rotational = np.cross(alpha, r) + np.cross(omega, np.cross(omega, r))
    whole = np.sum(up * (acc - rotational / STANDARD_GRAVITY_MPS2), axis=1)
    chunked = pivot_vertical_sf_g(acc, gyr, up, r, rate, chunk_rows=chunk_rows)
    assert np.array_equal(chunked, whole)


def test_the_pivot_force_with_the_rate_low_passed_in_place_has_the_same_bits():
    from poise.motion.lever_arm import pivot_vertical_sf_g

    rng = np.random.default_rng(4495)
    n = 20000
    acc = rng.normal(0, 1, (n, 3)) + np.array([0.0, 0.0, 1.0])
    gyr = np.cumsum(rng.normal(0, 5, (n, 3)), axis=0)
    up = rng.normal(0, 0.05, (n, 3)) + np.array([0.0, 0.0, 1.0])
    lever = np.array([0.0, 0.0, -0.35])
    new = pivot_vertical_sf_g(acc, gyr, up, lever, 1000.0, chunk_rows=997)
    over = gyr.copy()
    same = pivot_vertical_sf_g(acc, over, up, lever, 1000.0, chunk_rows=997, overwrite_gyr=True)
    assert same.tobytes() == new.tobytes()
    assert over.tobytes() != gyr.tobytes()
