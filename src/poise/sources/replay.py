"""Replay a recorded file as a source, block by block, as fast as the reader can take it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from poise.formats import CsvOptions, load_recording
from poise.recording import Recording
from poise.samples import SampleBlock
from poise.sources import DEFAULT_BLOCK_S, block_length


class ReplaySource:
    """A recording played back in blocks of ``block_s`` seconds.

    >>> from poise.sim import simulate
    >>> source = ReplaySource.from_recording(simulate("stance", duration_s=5.0).recording)
    >>> sum(len(b) for b in source.blocks()) == len(source.recording.samples)
    True
    """

    def __init__(
        self, path: str | Path, options: CsvOptions | None = None, block_s: float = DEFAULT_BLOCK_S
    ) -> None:
        self.recording = load_recording(path, options)
        self.meta = self.recording.meta
        self.block_s = block_s

    @classmethod
    def from_recording(cls, recording: Recording, block_s: float = DEFAULT_BLOCK_S) -> ReplaySource:
        source = cls.__new__(cls)
        source.recording = recording
        source.meta = recording.meta
        source.block_s = block_s
        return source

    def blocks(self) -> Iterator[SampleBlock]:
        yield from self.recording.samples.split(block_length(self.meta.rate_hz, self.block_s))
