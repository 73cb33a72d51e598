"""Functional calibration: how the sensor sits on the shin, found from a still stand and
two forward knee bends.

A still sensor sees only gravity, so it gives the tibia's axis (quiet standing
puts it near vertical) but not which way is forward: a sensor on the side of
the shin and one on the front read the same. Bending the knee forward turns
the shank about the ankle, about the segment's mediolateral (y) axis; the
gyroscope's principal axis during the movement is that axis, and the
direction the shank went (forward, the top of the shank ahead of the ankle)
gives its sign. This is the functional joint-axis method of IMU-to-segment
alignment (Seel, Raisch & Schauer 2014, Sensors, doi:10.3390/s140406891;
Favre et al. 2009, J Biomech, doi:10.1016/j.jbiomech.2009.06.025), reduced to
one hinge-like movement.

From the two axes: z up the tibia (still gravity), y the hinge axis made
normal to z, x = y x z forward. The nearest signed-axes mounting
(:func:`~poise.motion.frames.nearest_mounting`) is what the recording's
``mounting`` field declares; the rotation itself, with its quality, is kept
beside it (``mounting_found``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from poise.motion.frames import nearest_mounting
from poise.motion.still import StillSettings, still_windows

#: The reference still window, s; the movement's samples are those turning faster
#: than ``MOVING_DPS``; the movement must turn the shank at least ``MIN_RANGE_DEG``
#: and be this planar (share of the rotation on its principal axis).
STILL_S = 2.0
MOVING_DPS = 20.0
MIN_RANGE_DEG = 10.0
MIN_PLANARITY = 0.8


class MountingNotFoundError(ValueError):
    """The data do not show a still stand followed by forward knee bends."""


@dataclass(frozen=True)
class FunctionalMounting:
    """What the functional calibration found.

    Args:
        sensor_to_segment: rotation, ``v_segment = sensor_to_segment @ v_sensor``.
        mounting: its nearest signed-axes mounting, e.g. ``"+y-x+z"``.
        planarity: share of the movement's rotation (sum of squared rates) about its
            principal axis (1: a pure hinge).
        range_deg: how far the shank turned about that axis, deg.
        hinge_tilt_deg: how far the hinge axis is from normal to the tibia, deg
            (made normal; large values mean the movement was not a knee bend).
    """

    sensor_to_segment: np.ndarray
    mounting: str
    planarity: float
    range_deg: float
    hinge_tilt_deg: float

    def to_header(self) -> dict[str, Any]:
        """The recording header's ``mounting_found`` field."""
        return {
            "method": "functional: still stand, then forward knee bends",
            "sensor_to_segment": [
                [round(float(x), 6) for x in row] for row in self.sensor_to_segment
            ],
            "quality": {
                "planarity": round(self.planarity, 4),
                "range_deg": round(self.range_deg, 2),
                "hinge_tilt_deg": round(self.hinge_tilt_deg, 2),
            },
        }


def find_mounting(
    t_s: np.ndarray,
    acc_g: np.ndarray,
    gyr_dps: np.ndarray,
    rate_hz: float,
    still: StillSettings | None = None,
) -> FunctionalMounting:
    """The mounting from samples (sensor axes) of a still stand followed by knee bends.

    Raises :class:`MountingNotFoundError` (one line) when there is no still window, no
    movement after it, or the movement is too small or not hinge-like.
    """
    window = max(2, round(STILL_S * rate_hz))
    starts = np.flatnonzero(still_windows(acc_g, gyr_dps, window, still or StillSettings()))
    if starts.size == 0:
        raise MountingNotFoundError(f"no still {STILL_S:g} s to find the tibia axis on")
    first = int(starts[0])
    still_slice = slice(first, first + window)
    up = acc_g[still_slice].mean(axis=0)
    z = up / np.linalg.norm(up)
    bias = gyr_dps[still_slice].mean(axis=0)
    after = slice(first + window, len(t_s))
    rate = gyr_dps[after] - bias
    moving = np.linalg.norm(rate, axis=1) > MOVING_DPS
    if np.count_nonzero(moving) < 0.2 * rate_hz:
        raise MountingNotFoundError("no knee bend after the still stand (the shank did not turn)")
    # Principal axis of the rotation: the eigenvector of the rates' second moment.
    moment = rate[moving].T @ rate[moving]
    values, vectors = np.linalg.eigh(moment)
    axis = vectors[:, -1]
    planarity = float(values[-1] / values.sum())
    # The angle about that axis over time: forward is the way it went furthest.
    dt = np.diff(t_s[after], prepend=t_s[after][0])
    angle = np.cumsum((rate @ axis) * dt)
    peak = int(np.argmax(np.abs(angle)))
    range_deg = float(abs(angle[peak]))
    if range_deg < MIN_RANGE_DEG:
        raise MountingNotFoundError(
            f"the knee bends turned the shank {range_deg:.0f} deg (at least {MIN_RANGE_DEG:g})"
        )
    if planarity < MIN_PLANARITY:
        raise MountingNotFoundError(f"the movement was not a knee bend (planarity {planarity:.2f})")
    # Forward about +y (the top of the shank ahead): a positive angle about y.
    y = axis if angle[peak] > 0 else -axis
    hinge_tilt = float(np.degrees(np.arcsin(min(1.0, abs(float(y @ z))))))
    y = y - z * float(y @ z)
    y /= np.linalg.norm(y)
    x = np.cross(y, z)
    matrix = np.vstack((x, y, z))
    return FunctionalMounting(matrix, nearest_mounting(matrix), planarity, range_deg, hinge_tilt)
