"""Sources of sample blocks: the hardware edge of Poise.

Every source gives the same two things, so every later step runs on any of
them: ``meta`` (what the stream is: rate, ranges, placement, mounting) and
``blocks()``, an iterator of :class:`poise.samples.SampleBlock` in device time.
A simulated athlete, a recorded file and (later) a live sensor differ only in
where the blocks come from and how fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from poise.recording import RecordingMeta
from poise.samples import SampleBlock

#: Blocks of 20 ms: what a live sensor's FIFO delivers at a comfortable poll rate.
DEFAULT_BLOCK_S = 0.02


class Source(Protocol):
    """A stream of IMU sample blocks with its metadata."""

    meta: RecordingMeta

    def blocks(self) -> Iterator[SampleBlock]: ...


def block_length(rate_hz: float, block_s: float = DEFAULT_BLOCK_S) -> int:
    """Samples per block for a rate, at least one."""
    return max(1, round(rate_hz * block_s))
