"""Recording files: Poise's own format and importers of other people's files.

:func:`load_recording` opens any supported file: a Poise recording is known by
its first line; anything else is read as an IMU CSV file, with
:class:`CsvOptions` for what its header does not say.
"""

from __future__ import annotations

from pathlib import Path

from poise.errors import InputError
from poise.formats.csv_import import CsvOptions, read_csv_recording
from poise.formats.poise_csv import RecordingWriter, is_poise_recording, read_recording
from poise.recording import Recording

__all__ = ["CsvOptions", "RecordingWriter", "load_recording"]


def load_recording(path: str | Path, options: CsvOptions | None = None) -> Recording:
    """Open a recording of any supported kind, in Poise units.

    Raises :class:`InputError` with the file (and line and column where it
    applies) for anything it cannot read.
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            first = f.readline(200)
    except OSError as e:
        raise InputError(path, e.strerror or str(e)) from None
    if is_poise_recording(first.decode("utf-8", "replace")):
        if options is not None and options != CsvOptions():
            raise InputError(path, "a Poise recording describes itself; CSV options do not apply")
        return read_recording(path)
    return read_csv_recording(path, options)
