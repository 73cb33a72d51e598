"""``poise record``: a source (a live sensor, a capture of one, the simulator) into a recording.

The recording is written as the samples come (crash-safe, see
:mod:`poise.formats.poise_csv`); the link's health is printed at the end, since
the file's header is written, whole, before the first sample.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any

from poise.files import writing
from poise.formats.poise_csv import RecordingWriter
from poise.sources import open_source


def record(
    sensor: str, output: str, settings: Any, seconds: float | None, capture: str | None
) -> int:
    """Record ``sensor`` to ``output`` for ``seconds`` of device time (or until Ctrl-C)."""
    source = open_source(sensor, settings, capture=capture)
    samples = 0
    first_t = None
    try:
        with (
            contextlib.closing(source),
            writing(output, lambda: RecordingWriter(output, source.meta)) as writer,
        ):
            print(f"recording {sensor} to {output} (Ctrl-C to stop)", file=sys.stderr)
            try:
                for block in source.blocks():
                    if len(block) == 0:
                        continue
                    writer.write(block)
                    samples += len(block)
                    first_t = float(block.t_s[0]) if first_t is None else first_t
                    if seconds is not None and block.t_s[-1] - first_t >= seconds:
                        break
            except KeyboardInterrupt:
                pass
    finally:
        health = f"; link: {source.stats.summary()}" if source.stats is not None else ""
        print(f"{output}: {samples} samples{health}")
    return 0
