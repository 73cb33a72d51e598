"""Frames, rotations and the sign conventions of the tilt angles."""

import imufusion
import numpy as np
import pytest

from poise.motion.angles import tilt_from_vertical
from poise.motion.frames import (
    axis_angle_matrix,
    matrix_to_quat,
    mounting_matrix,
    quat_vertical,
    rotation_between,
)


def test_mounting_maps_named_sensor_axes_onto_segment_axes():
    m = mounting_matrix("+z-y+x")
    assert (m @ [0, 0, 1]).tolist() == [1, 0, 0]  # sensor z is segment x (anterior)
    assert (m @ [0, -1, 0]).tolist() == [0, 1, 0]
    assert (m @ [1, 0, 0]).tolist() == [0, 0, 1]
    assert np.allclose(mounting_matrix("+x+y+z"), np.eye(3))


@pytest.mark.parametrize("spec", ["+x+x+z", "+x+y-z", "xyz", "+x+y"])
def test_bad_mountings_are_refused(spec):
    with pytest.raises(ValueError, match="mounting"):
        mounting_matrix(spec)


def test_quaternion_convention_matches_fusion():
    rng = np.random.default_rng(0)
    for _ in range(200):
        r = axis_angle_matrix(rng.normal(size=3), rng.uniform(0, np.pi))
        q = matrix_to_quat(r)
        assert np.allclose(imufusion.quaternion_to_matrix(q), r, atol=1e-6)
        assert np.allclose(quat_vertical(q[None])[0], r[2])


def test_rotation_between_including_opposite_vectors():
    for a, b in [([1, 0, 0], [0, 0, 1]), ([0, 0, 1], [0, 0, -1]), ([1, 2, 3], [1, 2, 3])]:
        r = rotation_between(np.array(a, float), np.array(b, float))
        assert np.allclose(r @ (np.array(a) / np.linalg.norm(a)), np.array(b) / np.linalg.norm(b))
        assert np.allclose(r @ r.T, np.eye(3))


def up_after(axis: list[float], angle_deg: float) -> np.ndarray:
    """Earth's up in segment axes after turning the segment by angle about axis."""
    r = axis_angle_matrix(np.array(axis, float), np.radians(angle_deg))  # segment to earth
    return r.T @ np.array([0.0, 0.0, 1.0])


def test_forward_lean_is_positive_ap():
    ap, ml, inc = tilt_from_vertical(up_after([0, 1, 0], 10.0)[None])
    assert (
        ap[0] == pytest.approx(10.0)
        and ml[0] == pytest.approx(0.0)
        and inc[0] == pytest.approx(10.0)
    )


def test_lean_to_the_right_is_positive_ml():
    up = up_after([1, 0, 0], 5.0)  # right-hand turn about x (anterior): the top goes to -y, right
    ap, ml, _ = tilt_from_vertical(up[None])
    assert ml[0] == pytest.approx(5.0) and ap[0] == pytest.approx(0.0)


def test_heading_does_not_change_tilt():
    up = up_after([0, 1, 0], 20.0)
    turned = axis_angle_matrix([0, 0, 1.0], 1.0)  # earth-frame heading change
    r = turned @ axis_angle_matrix([0, 1.0, 0], np.radians(20.0))
    assert np.allclose(tilt_from_vertical((r.T @ [0, 0, 1.0])[None]), tilt_from_vertical(up[None]))
