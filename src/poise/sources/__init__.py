"""Sources of sample blocks: the hardware edge of Poise.

Every source gives the same things, so every later step runs on any of
them: ``meta`` (what the stream is: rate, ranges, placement, mounting),
``blocks()``, an iterator of :class:`poise.samples.SampleBlock` in device time,
``stats`` (its health counters, or None where it has none), ``close()``, and
``live`` (whether blocks come at a sensor's own pace). A simulated athlete, a
recorded file and a live sensor differ only in where the blocks come from and
how fast. :func:`open_source` opens the one a spec names (``sim``,
``replay:FILE``, ``serial:PORT``, ``i2c[:BUS[:ADDRESS]]``, ``capture:FILE``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from poise.recording import RecordingMeta
from poise.samples import SampleBlock

#: Blocks of 20 ms: what a live sensor's FIFO delivers at a comfortable poll rate.
DEFAULT_BLOCK_S = 0.02


class SourceStats(Protocol):
    """A source's health counters (a link's or a bus's)."""

    def summary(self) -> str: ...


class Source(Protocol):
    """A stream of IMU sample blocks with its metadata, health and whether it is live."""

    meta: RecordingMeta
    #: Blocks come at the sensor's own pace (serial, I2C), not as fast as asked for.
    live: bool

    @property
    def stats(self) -> SourceStats | None: ...

    def blocks(self) -> Iterator[SampleBlock]: ...

    def close(self) -> None: ...


def block_length(rate_hz: float, block_s: float = DEFAULT_BLOCK_S) -> int:
    """Samples per block for a rate, at least one."""
    return max(1, round(rate_hz * block_s))


# The one factory; at the end, since its sources import the names above.
from poise.sources.factory import open_source, parse_source  # noqa: E402

__all__ = [
    "DEFAULT_BLOCK_S",
    "Source",
    "SourceStats",
    "block_length",
    "open_source",
    "parse_source",
]
