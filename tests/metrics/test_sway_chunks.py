"""Sway functions that walk a trial a chunk at a time give the bits of whole arrays."""

from __future__ import annotations

import numpy as np
import pytest

from poise.metrics import sway


def whole_jerk(ap: np.ndarray, ml: np.ndarray, rate_hz: float) -> float:
    def third(x: np.ndarray) -> np.ndarray:
        return np.gradient(np.gradient(np.gradient(x, 1 / rate_hz), 1 / rate_hz), 1 / rate_hz)

    return float(np.sqrt(np.mean(third(ap) ** 2 + third(ml) ** 2)))


@pytest.mark.parametrize("n", [2, 3, 4, 7, 1000, 4099])
@pytest.mark.parametrize("chunk_rows", [1, 2, 5, 997, 65536])
def test_jerk_and_path_length_by_chunks_are_those_of_whole_arrays(monkeypatch, n, chunk_rows):
    monkeypatch.setattr(sway, "CHUNK_ROWS", chunk_rows)
    rng = np.random.default_rng(9100 + n)
    ap, ml = np.cumsum(rng.normal(size=(2, n)), axis=1)
    assert sway.jerk_rms(ap, ml, 833.0) == whole_jerk(ap, ml, 833.0)
    assert sway.path_length(ap, ml) == float(np.sum(np.hypot(np.diff(ap), np.diff(ml))))


def test_too_short_for_a_derivative_is_numpys_error():
    with pytest.raises(ValueError):
        sway.jerk_rms(np.zeros(1), np.zeros(1), 100.0)
