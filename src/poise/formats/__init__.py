"""Recording files: Poise's own format and importers of other people's files.

:func:`load_recording` opens any supported file: a Poise recording is known by
its first line; anything else is read as an IMU CSV file, with
:class:`CsvOptions` for what its header does not say.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from poise.errors import InputError
from poise.files import open_input
from poise.formats.csv_import import CsvOptions, read_csv_recording
from poise.formats.poise_csv import (
    RecordingReader,
    RecordingWriter,
    is_poise_recording,
    read_recording,
)
from poise.recording import Recording, RecordingMeta
from poise.samples import SampleBlock

__all__ = ["CsvOptions", "RecordingWriter", "load_recording", "stream_recording"]

#: Samples per block when a recording read whole is handed on as a stream.
STREAM_BLOCK_LEN = 8192


def load_recording(path: str | Path, options: CsvOptions | None = None) -> Recording:
    """Open a recording of any supported kind, in Poise units.

    Raises :class:`InputError` with the file (and line and column where it
    applies) for anything it cannot read.
    """
    path = Path(path)
    if _is_poise(path, options):
        return read_recording(path)
    return read_csv_recording(path, options)


def stream_recording(
    path: str | Path, options: CsvOptions | None = None
) -> RecordingReader | LoadedStream:
    """Open a recording to be read block by block: ``.meta``, ``.blocks()``, then
    ``.complete`` and ``.notes``; use it as a context manager.

    A Poise recording is read a chunk at a time (memory independent of its
    length); another CSV file is read whole first, as :func:`load_recording` does.
    Errors are those of :func:`load_recording`.
    """
    path = Path(path)
    if _is_poise(path, options):
        return RecordingReader(path)
    return LoadedStream(read_csv_recording(path, options))


def _is_poise(path: Path, options: CsvOptions | None) -> bool:
    try:
        with open_input(path, None) as f:
            first = f.readline(200)
    except OSError as e:
        raise InputError(path, e.strerror or str(e)) from None
    if not is_poise_recording(first.decode("utf-8", "replace")):
        return False
    if options is not None and options != CsvOptions():
        raise InputError(path, "a Poise recording describes itself; CSV options do not apply")
    return True


class LoadedStream:
    """A recording already in memory, with the interface of a
    :class:`~poise.formats.poise_csv.RecordingReader`."""

    def __init__(self, recording: Recording) -> None:
        self.loaded = recording
        self.meta: RecordingMeta = recording.meta
        self.path = Path(recording.path) if recording.path else None
        self.complete = recording.complete
        self.notes = recording.notes
        self.mounting_from = recording.mounting_from
        self.rows_at_most = len(recording.samples)

    def blocks(self) -> Iterator[SampleBlock]:
        yield from self.loaded.samples.split(STREAM_BLOCK_LEN)

    def __enter__(self) -> LoadedStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pass
