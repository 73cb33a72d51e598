"""What every chip driver gives the I2C source: one FIFO drain as raw counts.

A driver knows its chip's registers; it does not scale, number or time the
samples (the source does that, once, for every chip). Its FIFO drain returns
a :class:`FifoBatch` of int16 counts in sensor axes, the chip's 32-bit
timestamp counter for each sample where the chip has one, and whether the
FIFO overran since the last drain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from poise.chips import ChipSpec
from poise.sources.i2c.bus import Device


@dataclass(frozen=True, eq=False)
class FifoBatch:
    """Samples drained from a chip's FIFO, oldest first.

    Args:
        acc_counts: accelerometer counts, (n, 3) int64.
        gyr_counts: gyroscope counts, (n, 3) int64.
        ticks: the chip's timestamp counter per sample (raw, wraps at 2**32), or
            None for a chip timed by sample count.
        overrun: the FIFO overflowed since the last drain (samples were lost).
            A count-timed chip's driver has already reset its FIFO.
    """

    acc_counts: np.ndarray
    gyr_counts: np.ndarray
    ticks: np.ndarray | None
    overrun: bool = False

    def __len__(self) -> int:
        return self.acc_counts.shape[0]


def empty_counts() -> np.ndarray:
    return np.empty((0, 3), dtype=np.int64)


class Driver(Protocol):
    """A chip family's driver (see :mod:`poise.sources.i2c.lsm6ds`, :mod:`.mpu`)."""

    spec: ChipSpec
    device: Device
    #: Seconds per timestamp count after the chip's trim, or None (timed by count).
    timestamp_lsb_s: float | None

    def configure(self, rate_hz: float, acc_range_g: float, gyr_range_dps: float) -> None:
        """Reset the chip and set its output data rate and full scales."""

    def start_fifo(self) -> None:
        """Empty the FIFO and start it filling in continuous mode."""

    def read_fifo(self) -> FifoBatch:
        """Drain what the FIFO holds now."""

    def read_sample(self) -> tuple[np.ndarray, np.ndarray]:
        """The latest sample's (acc, gyr) counts, read in one burst."""

    def power_down(self) -> None:
        """Stop the chip measuring."""
