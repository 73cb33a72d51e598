"""An uncalibrated accelerometer whose offsets move the lunge's and hip's angles is said."""

from __future__ import annotations

from poise.analysis import analyze
from poise.motion.accel_calibration import find_poses, fit_accel_calibration
from poise.motion.still import StillSettings
from poise.sim import simulate


def codes(result: dict) -> list[str]:
    return [w["code"] for w in result["warnings"]]


def test_an_mpu6050_hip_uncalibrated_warns_and_calibrated_does_not():
    sim = simulate("hip", imu="mpu6050", rate_hz=100.0, seed=41)
    bare = analyze(sim.recording, "hip")
    assert "uncalibrated" in codes(bare) and bare["validity"] == "attention"
    (warning,) = [w for w in bare["warnings"] if w["code"] == "uncalibrated"]
    assert "MPU-6050" in warning["message"] and "calibrate-accel" in warning["message"]
    poses = simulate("poses", imu="mpu6050", rate_hz=100.0, seed=41).recording
    calibration = fit_accel_calibration(find_poses(poses.samples, 100.0, StillSettings()))
    assert "uncalibrated" not in codes(analyze(sim.recording, "hip", accel_calibration=calibration))


def test_a_chip_with_small_offsets_or_a_relative_drill_is_not_warned():
    assert "uncalibrated" not in codes(analyze(simulate("hip", seed=41).recording, "hip"))
    stance = simulate("stance", imu="mpu6050", rate_hz=100.0, seed=41, duration_s=10.0)
    assert "uncalibrated" not in codes(analyze(stance.recording, "stance"))


def test_a_lunge_bears_less_offset_than_the_hip_and_says_so():
    """The lunge's 1.5 deg less the strap's 1 deg leaves 8.7 mg: the LSM6DSO32's 20 mg
    (1.1 deg) is too much for it, not for the hip."""
    kwargs = {"imu": "lsm6dso32", "rate_hz": 416.0, "mounting": "+y-x+z", "seed": 43}
    sim = simulate("lunge", **kwargs)
    bare = analyze(sim.recording, "lunge")
    assert "uncalibrated" in codes(bare) and bare["validity"] != "valid"
    poses = simulate("poses", **kwargs).recording
    calibration = fit_accel_calibration(find_poses(poses.samples, 416.0, StillSettings()))
    calibrated = analyze(sim.recording, "lunge", accel_calibration=calibration)
    assert "uncalibrated" not in codes(calibrated)
