import numpy as np
import pytest

from poise.samples import SampleBlock


def block(n: int) -> SampleBlock:
    return SampleBlock(
        t_s=np.arange(n) * 0.01,
        seq=np.arange(n),
        acc_g=np.tile([0.0, 0.0, 1.0], (n, 1)),
        gyr_dps=np.zeros((n, 3)),
    )


def test_arrays_are_converted_to_float64_and_int64():
    b = SampleBlock([0, 1], [0, 1], [[0, 0, 1], [0, 0, 1]], [[0, 0, 0], [0, 0, 0]])
    assert b.t_s.dtype == np.float64 and b.acc_g.dtype == np.float64
    assert b.seq.dtype == np.int64
    assert b.acc_g.shape == (2, 3)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="differ in length"):
        SampleBlock(np.zeros(3), np.arange(2), np.zeros((3, 3)), np.zeros((3, 3)))


def test_split_and_concat_round_trip():
    b = block(25)
    parts = b.split(7)
    assert [len(p) for p in parts] == [7, 7, 7, 4]
    joined = SampleBlock.concat(parts)
    assert np.array_equal(joined.t_s, b.t_s) and np.array_equal(joined.seq, b.seq)


def test_duration_and_indexing():
    b = block(11)
    assert b.duration_s == pytest.approx(0.1)
    assert len(b[b.seq % 2 == 0]) == 6
    assert SampleBlock.empty().duration_s == 0.0
