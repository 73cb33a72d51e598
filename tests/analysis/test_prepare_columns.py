"""The span's columns resampled a chunk at a time give the same bits as whole arrays."""

from __future__ import annotations

import numpy as np
import pytest

import poise.analysis.tracked as tracked_module
from conftest import simulated
from poise.analysis.prepare import cut
from poise.analysis.tracked import track


@pytest.mark.parametrize("chunk_rows", [997, 65536])
def test_the_size_of_the_specific_force_is_the_norm_of_its_columns(monkeypatch, chunk_rows):
    """``acc_norm_g`` is reduced as each block of the grid is filled, without the three
    columns: the same bits as ``norm(acc_g)``, asked for first or not."""
    monkeypatch.setattr(tracked_module, "CHUNK_ROWS", chunk_rows)
    tracked = track(simulated("stance", duration_s=12.0, seed=661).recording)
    alone = cut(tracked).acc_norm_g
    both = cut(tracked)
    np.testing.assert_array_equal(alone, np.linalg.norm(both.acc_g, axis=1))
    np.testing.assert_array_equal(both.acc_norm_g, alone)
