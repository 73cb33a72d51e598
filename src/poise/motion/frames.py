"""Rotations and frames: the mounting of a sensor on a segment, and small rotation helpers.

Frames (design brief): the shank's x axis points anterior, y left, z up along
the tibia; the board's x forward, y left, z up, normal to its surface. The
default mounting puts the sensor's axes on the segment's axes.

Quaternions are (w, x, y, z) and rotate vectors from the body (sensor or
segment) frame to the earth frame, as x-io Fusion reports them.
"""

from __future__ import annotations

import re

import numpy as np

_MOUNTING = re.compile(r"^([+-][xyz])([+-][xyz])([+-][xyz])$")
_AXES = {"x": 0, "y": 1, "z": 2}

#: How a sensor is strapped to the shin, by name, as a mounting per leg: the sensor's
#: x axis out of the skin and z up the tibia on the front; on the lateral side (x
#: pointing away from the other leg); on the front upside down (z down the tibia).
NAMED_MOUNTINGS = {
    "front": {"right": "+x+y+z", "left": "+x+y+z"},
    "lateral": {"right": "+y-x+z", "left": "-y+x+z"},
    "upside_down": {"right": "+x-y-z", "left": "+x-y-z"},
}


def named_mounting(name: str, leg: str) -> str:
    """The mounting (``"+y-x+z"``...) of a named way of wearing the sensor on a leg.

    >>> named_mounting("lateral", "right")
    '+y-x+z'
    """
    if name not in NAMED_MOUNTINGS:
        raise ValueError(f"mounting {name!r}: one of {', '.join(NAMED_MOUNTINGS)}")
    return NAMED_MOUNTINGS[name]["left" if leg == "left" else "right"]


def nearest_mounting(sensor_to_segment: np.ndarray) -> str:
    """The mounting spec (signed axes) closest to a sensor-to-segment rotation.

    Each segment axis takes the sensor axis it lies nearest to, with its sign;
    raises ValueError when two segment axes would take the same sensor axis (a
    rotation halfway between two mountings).
    """
    m = np.asarray(sensor_to_segment, dtype=float)
    tokens = []
    for row in m:
        k = int(np.argmax(np.abs(row)))
        tokens.append(("+" if row[k] >= 0 else "-") + "xyz"[k])
    spec = "".join(tokens)
    mounting_matrix(spec)  # refuses a spec that repeats an axis
    return spec


def mounting_matrix(spec: str) -> np.ndarray:
    """Sensor-to-segment rotation from a mounting such as ``"+x+y+z"``.

    The three signed axes name the sensor axis that lies along the segment's x,
    y and z axes, in that order. ``"+z-y+x"`` means: segment x (anterior) is the
    sensor's +z, segment y (left) is the sensor's -y, segment z (up the tibia)
    is the sensor's +x. Returns M with ``v_segment = M @ v_sensor``.

    >>> mounting_matrix("+z-y+x") @ np.array([1.0, 0.0, 0.0])
    array([0., 0., 1.])

    Raises ValueError when the spec is unreadable, repeats an axis or is a
    mirror image (not a rotation).
    """
    match = _MOUNTING.match(spec.strip().lower())
    if not match:
        raise ValueError(f"mounting {spec!r}: expected three signed axes such as '+x+y+z'")
    m = np.zeros((3, 3))
    for row, token in enumerate(match.groups()):
        m[row, _AXES[token[1]]] = 1.0 if token[0] == "+" else -1.0
    if sorted(np.flatnonzero(m.any(axis=0))) != [0, 1, 2]:
        raise ValueError(f"mounting {spec!r}: each sensor axis must appear once")
    if np.linalg.det(m) < 0:
        raise ValueError(f"mounting {spec!r}: is a mirror image; flip the sign of one axis")
    return m


def rotation_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation R with ``R @ a`` parallel to ``b`` (Rodrigues' formula)."""
    a = np.asarray(a, dtype=float) / np.linalg.norm(a)
    b = np.asarray(b, dtype=float) / np.linalg.norm(b)
    axis = np.cross(a, b)
    s = float(np.linalg.norm(axis))
    c = float(np.dot(a, b))
    if s < 1e-12:
        if c > 0:
            return np.eye(3)
        # Opposite vectors: half a turn about any axis normal to a.
        normal = np.cross(a, [1.0, 0.0, 0.0] if abs(a[0]) < 0.9 else [0.0, 1.0, 0.0])
        return axis_angle_matrix(normal, np.pi)
    return axis_angle_matrix(axis, np.arctan2(s, c))


def axis_angle_matrix(axis: np.ndarray, angle_rad: float) -> np.ndarray:
    """Rotation by ``angle_rad`` about ``axis`` (right-hand rule)."""
    k = np.asarray(axis, dtype=float) / np.linalg.norm(axis)
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + np.sin(angle_rad) * kx + (1.0 - np.cos(angle_rad)) * (kx @ kx)


def matrix_to_quat(m: np.ndarray) -> np.ndarray:
    """Unit quaternion (w, x, y, z), w >= 0, of a rotation matrix.

    Shepperd's method: take the square root of the largest of the four
    quaternion terms so no division is by a small number.
    """
    t = m[0, 0] + m[1, 1] + m[2, 2]
    if t > max(m[0, 0], m[1, 1], m[2, 2]):
        w = np.sqrt(1.0 + t) / 2.0
        q = [
            w,
            (m[2, 1] - m[1, 2]) / (4 * w),
            (m[0, 2] - m[2, 0]) / (4 * w),
            (m[1, 0] - m[0, 1]) / (4 * w),
        ]
    elif m[0, 0] >= m[1, 1] and m[0, 0] >= m[2, 2]:
        x = np.sqrt(1.0 + m[0, 0] - m[1, 1] - m[2, 2]) / 2.0
        q = [
            (m[2, 1] - m[1, 2]) / (4 * x),
            x,
            (m[0, 1] + m[1, 0]) / (4 * x),
            (m[0, 2] + m[2, 0]) / (4 * x),
        ]
    elif m[1, 1] >= m[2, 2]:
        y = np.sqrt(1.0 + m[1, 1] - m[0, 0] - m[2, 2]) / 2.0
        q = [
            (m[0, 2] - m[2, 0]) / (4 * y),
            (m[0, 1] + m[1, 0]) / (4 * y),
            y,
            (m[1, 2] + m[2, 1]) / (4 * y),
        ]
    else:
        z = np.sqrt(1.0 + m[2, 2] - m[0, 0] - m[1, 1]) / 2.0
        q = [
            (m[1, 0] - m[0, 1]) / (4 * z),
            (m[0, 2] + m[2, 0]) / (4 * z),
            (m[1, 2] + m[2, 1]) / (4 * z),
            z,
        ]
    q = np.asarray(q, dtype=float)
    q /= np.linalg.norm(q)
    return -q if q[0] < 0 else q


def quat_vertical(quat: np.ndarray) -> np.ndarray:
    """Earth's up axis in body coordinates, for quaternions of shape (n, 4).

    This is the third row of the body-to-earth rotation matrix: where gravity's
    reaction (what a still accelerometer reads) points in the body frame.
    """
    w, x, y, z = np.asarray(quat, dtype=float).T
    return np.column_stack(
        (2.0 * (x * z - w * y), 2.0 * (y * z + w * x), 1.0 - 2.0 * (x * x + y * y))
    )
