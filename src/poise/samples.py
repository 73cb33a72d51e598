"""The one sample-block type: IMU samples in Poise's internal units.

Every source (simulator, recorded file, I2C chip, serial node) converts to this
type at its edge; nothing downstream converts units again.

Units and frames:

- ``t_s``: device time in seconds (the sensor's clock, never host arrival time), float64;
- ``seq``: per-stream sequence number, unwrapped to int64 (a gap means lost samples);
- ``acc_g``: specific force in g, sensor axes, shape (n, 3);
- ``gyr_dps``: angular rate in deg/s, sensor axes, shape (n, 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Standard gravity, m/s^2 (CGPM 1901); the one factor between g and m/s^2.
STANDARD_GRAVITY_MPS2 = 9.80665


@dataclass(frozen=True, eq=False, slots=True)
class SampleBlock:
    """A run of consecutive IMU samples from one stream.

    Arrays are converted to contiguous float64 (int64 for ``seq``) on
    construction; their lengths must agree.

    >>> import numpy as np
    >>> block = SampleBlock(
    ...     t_s=np.array([0.0, 0.01]),
    ...     seq=np.array([0, 1]),
    ...     acc_g=np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]),
    ...     gyr_dps=np.zeros((2, 3)),
    ... )
    >>> len(block), block.duration_s
    (2, 0.01)
    """

    t_s: np.ndarray
    seq: np.ndarray
    acc_g: np.ndarray
    gyr_dps: np.ndarray

    def __post_init__(self) -> None:
        t_s = np.ascontiguousarray(self.t_s, dtype=np.float64).reshape(-1)
        seq = np.ascontiguousarray(self.seq, dtype=np.int64).reshape(-1)
        acc = np.ascontiguousarray(self.acc_g, dtype=np.float64).reshape(-1, 3)
        gyr = np.ascontiguousarray(self.gyr_dps, dtype=np.float64).reshape(-1, 3)
        n = t_s.shape[0]
        if not (seq.shape[0] == acc.shape[0] == gyr.shape[0] == n):
            raise ValueError(
                f"sample arrays differ in length: t_s {n}, seq {seq.shape[0]}, "
                f"acc_g {acc.shape[0]}, gyr_dps {gyr.shape[0]}"
            )
        object.__setattr__(self, "t_s", t_s)
        object.__setattr__(self, "seq", seq)
        object.__setattr__(self, "acc_g", acc)
        object.__setattr__(self, "gyr_dps", gyr)

    def __len__(self) -> int:
        return self.t_s.shape[0]

    def __getitem__(self, index: slice | np.ndarray) -> SampleBlock:
        """Rows by slice or boolean/integer index, as a new block."""
        return SampleBlock(
            t_s=self.t_s[index],
            seq=self.seq[index],
            acc_g=self.acc_g[index],
            gyr_dps=self.gyr_dps[index],
        )

    @property
    def duration_s(self) -> float:
        """Time from the first to the last sample, s (0 for fewer than two samples)."""
        return float(self.t_s[-1] - self.t_s[0]) if len(self) > 1 else 0.0

    @classmethod
    def empty(cls) -> SampleBlock:
        return cls(np.empty(0), np.empty(0, np.int64), np.empty((0, 3)), np.empty((0, 3)))

    @classmethod
    def concat(cls, blocks: Sequence[SampleBlock]) -> SampleBlock:
        """Join blocks end to end (in the order given)."""
        if not blocks:
            return cls.empty()
        if len(blocks) == 1:
            return blocks[0]
        return cls(
            t_s=np.concatenate([b.t_s for b in blocks]),
            seq=np.concatenate([b.seq for b in blocks]),
            acc_g=np.concatenate([b.acc_g for b in blocks]),
            gyr_dps=np.concatenate([b.gyr_dps for b in blocks]),
        )

    def split(self, block_len: int) -> list[SampleBlock]:
        """Cut into blocks of ``block_len`` samples (the last may be shorter)."""
        if block_len < 1:
            raise ValueError("block_len must be at least 1")
        return [self[i : i + block_len] for i in range(0, len(self), block_len)]
