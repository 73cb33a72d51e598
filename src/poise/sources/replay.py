"""A recording as a source: its samples delivered block by block, as fast as they are read."""

from __future__ import annotations

from collections.abc import Iterator

from poise.recording import Recording
from poise.samples import SampleBlock
from poise.sources import DEFAULT_BLOCK_S, block_length


class ReplaySource:
    """The samples of ``recording`` in blocks of ``block_s``; not live, no link statistics.

    >>> from poise.sim import simulate
    >>> source = ReplaySource(simulate("stance", rate_hz=104.0, duration_s=5.0).recording)
    >>> sum(len(b) for b in source.blocks()) == len(source.recording.samples)
    True
    """

    live = False
    stats = None

    def __init__(self, recording: Recording, block_s: float = DEFAULT_BLOCK_S) -> None:
        self.recording = recording
        self.meta = recording.meta
        self.block_s = block_s

    def blocks(self) -> Iterator[SampleBlock]:
        yield from self.recording.samples.split(block_length(self.meta.rate_hz, self.block_s))

    def close(self) -> None:
        """Nothing to release: the recording is in memory."""
