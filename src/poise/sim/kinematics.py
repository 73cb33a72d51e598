"""Rigid-body kinematics: from a segment's motion to what an ideal IMU on it would feel.

A segment (shank or board) turns about a pivot (the ankle joint, or the board's
rolling dome) that can itself move (a hop). Its orientation is
``R = Rz(yaw) Ry(ap) Rx(ml)``, segment to world, world axes x forward, y left,
z up. The sensor sits at ``lever_m`` from the pivot in segment axes, plus a
small soft-tissue displacement (the strap and skin wobble after an impact).

From one trajectory come both signals, so they agree the way real ones do:

- angular rate in segment axes from the angle rates (the ZYX kinematic
  equations);
- specific force in segment axes, ``R^T (p_s'' - g)``, where ``p_s`` is the
  sensor's world position and ``g = (0, 0, -9.80665) m/s^2``; ``p_s''`` is a
  central second difference on the fine grid (error O(dt^2)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poise.samples import STANDARD_GRAVITY_MPS2


@dataclass(frozen=True, eq=False)
class Motion:
    """A segment trajectory on a uniform fine grid (true time).

    Args:
        t_s: grid times, s (uniform).
        ap_rad, ml_rad, yaw_rad: orientation angles, ``R = Rz(yaw) Ry(ap) Rx(ml)``.
        pivot_m: world position of the pivot, shape (n, 3), m.
        lever_m: sensor position relative to the pivot in segment axes, m.
        tissue_m: soft-tissue displacement of the sensor in segment axes, (n, 3), m.
    """

    t_s: np.ndarray
    ap_rad: np.ndarray
    ml_rad: np.ndarray
    yaw_rad: np.ndarray
    pivot_m: np.ndarray
    lever_m: np.ndarray
    tissue_m: np.ndarray

    @property
    def rate_hz(self) -> float:
        return (len(self.t_s) - 1) / float(self.t_s[-1] - self.t_s[0])


def rotation_matrices(ap: np.ndarray, ml: np.ndarray, yaw: np.ndarray) -> np.ndarray:
    """``Rz(yaw) Ry(ap) Rx(ml)`` for arrays of angles (rad), shape (n, 3, 3)."""
    ca, sa = np.cos(ap), np.sin(ap)
    cm, sm = np.cos(ml), np.sin(ml)
    cy, sy = np.cos(yaw), np.sin(yaw)
    r = np.empty((*ap.shape, 3, 3))
    r[..., 0, 0] = cy * ca
    r[..., 0, 1] = cy * sa * sm - sy * cm
    r[..., 0, 2] = cy * sa * cm + sy * sm
    r[..., 1, 0] = sy * ca
    r[..., 1, 1] = sy * sa * sm + cy * cm
    r[..., 1, 2] = sy * sa * cm - cy * sm
    r[..., 2, 0] = -sa
    r[..., 2, 1] = ca * sm
    r[..., 2, 2] = ca * cm
    return r


def up_in_segment(ap: np.ndarray, ml: np.ndarray) -> np.ndarray:
    """World up in segment axes (third row of R), shape (n, 3); independent of yaw."""
    return np.column_stack((-np.sin(ap), np.cos(ap) * np.sin(ml), np.cos(ap) * np.cos(ml)))


def ideal_imu(motion: Motion) -> tuple[np.ndarray, np.ndarray]:
    """Specific force (g) and angular rate (deg/s) in segment axes on the fine grid."""
    dt = 1.0 / motion.rate_hz
    ap, ml, yaw = motion.ap_rad, motion.ml_rad, motion.yaw_rad
    d_ap = np.gradient(ap, dt)
    d_ml = np.gradient(ml, dt)
    d_yaw = np.gradient(yaw, dt)
    cm, sm = np.cos(ml), np.sin(ml)
    ca, sa = np.cos(ap), np.sin(ap)
    omega = np.column_stack(
        (
            d_ml - sa * d_yaw,
            cm * d_ap + sm * ca * d_yaw,
            -sm * d_ap + cm * ca * d_yaw,
        )
    )

    # Rotation matrices are made a chunk at a time: 9 numbers a sample add up on long runs.
    offset = motion.lever_m[None, :] + motion.tissue_m
    sensor_world = motion.pivot_m.copy()
    for part in _chunks(len(ap)):
        r = rotation_matrices(ap[part], ml[part], yaw[part])
        sensor_world[part] += np.einsum("nij,nj->ni", r, offset[part])
    acc_world = _second_difference(sensor_world, dt)
    acc_world[:, 2] += STANDARD_GRAVITY_MPS2
    specific_force = np.empty_like(acc_world)
    for part in _chunks(len(ap)):
        r = rotation_matrices(ap[part], ml[part], yaw[part])
        specific_force[part] = np.einsum("nji,nj->ni", r, acc_world[part])
    return specific_force / STANDARD_GRAVITY_MPS2, np.degrees(omega)


def _chunks(n: int, size: int = 1 << 18) -> list[slice]:
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def _second_difference(x: np.ndarray, dt: float) -> np.ndarray:
    out = np.empty_like(x)
    out[1:-1] = (x[2:] - 2.0 * x[1:-1] + x[:-2]) / (dt * dt)
    out[0] = out[1]
    out[-1] = out[-2]
    return out
