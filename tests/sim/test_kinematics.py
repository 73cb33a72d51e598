"""The simulator's physics: one rigid-body trajectory gives both sensors, consistently."""

import numpy as np
import pytest

from conftest import simulated
from poise.motion.frames import axis_angle_matrix
from poise.sim import hop, stance
from poise.sim.kinematics import Motion, ideal_imu, rotation_matrices


def test_integrated_gyro_reproduces_the_orientation():
    episode = stance.build(
        stance.StanceParams(eyes="closed", surface="foam", duration_s=10.0),
        4000.0,
        np.random.default_rng(2),
    )
    m = episode.motion
    _, gyr = ideal_imu(m)
    r_true = rotation_matrices(m.ap_rad, m.ml_rad, m.yaw_rad)
    r = r_true[0].copy()
    omega = np.radians(gyr)
    dt = 1 / 4000
    worst = 0.0
    for i in range(1, len(m.t_s)):
        w = 0.5 * (omega[i - 1] + omega[i])
        angle = np.linalg.norm(w) * dt
        if angle > 0:
            r = r @ axis_angle_matrix(w, angle)
        if i % 400 == 0:
            d = r.T @ r_true[i]
            worst = max(worst, np.degrees(np.arccos(np.clip((np.trace(d) - 1) / 2, -1, 1))))
    assert worst < 0.01


def test_a_segment_at_rest_feels_one_g_up_its_own_vertical():
    n = 2000
    t = np.arange(n) / 4000
    ap = np.full(n, np.radians(30.0))
    m = Motion(
        t,
        ap,
        np.zeros(n),
        np.full(n, 1.0),
        np.zeros((n, 3)),
        np.array([0.0, 0.0, 0.25]),
        np.zeros((n, 3)),
    )
    acc, gyr = ideal_imu(m)
    assert np.allclose(acc, [-np.sin(np.radians(30)), 0.0, np.cos(np.radians(30))], atol=1e-9)
    assert np.allclose(gyr, 0.0, atol=1e-9)


def test_flight_is_free_fall_and_height_follows_flight_time():
    episode = hop.build(hop.HopParams(hops=3), 4000.0, np.random.default_rng(5))
    acc, _ = ideal_imu(episode.motion)
    t = episode.motion.t_s
    landings = [e for e in episode.events if e.kind == "landing"]
    assert len(landings) == 3
    for e in landings:
        takeoff, contact = e.details["takeoff_t_s"], e.t_s
        mid = (t > takeoff + 0.05) & (t < contact - 0.05)
        # Only the shank's own turning is felt in flight: well under half a g.
        assert np.linalg.norm(acc[mid], axis=1).max() < 0.5
        flight = contact - takeoff
        assert e.details["flight_s"] == pytest.approx(flight)
        assert e.details["height_m"] == pytest.approx(9.80665 * flight**2 / 8)
        # The ankle leaves and comes back at the same height: ballistic.
        z = episode.motion.pivot_m[:, 2]
        assert np.interp(contact, t, z) == pytest.approx(np.interp(takeoff, t, z), abs=1e-4)
        near = np.abs(t - contact) < 0.1
        assert 4.0 < np.linalg.norm(acc[near], axis=1).max() < 16.0  # landing impact, g


def test_truth_times_are_in_the_recordings_device_time():
    sim = simulated("hop", imu="mpu6050", rate_hz=100.0, seed=2)
    factor = 1.0 + sim.truth.header["sensor"]["errors"]["clock_error"]
    landing = sim.truth.events_of("landing")[0]
    assert landing["flight_s"] == pytest.approx(landing["t_s"] - landing["takeoff_t_s"])
    assert landing["height_m"] == pytest.approx(9.80665 * (landing["flight_s"] / factor) ** 2 / 8)
