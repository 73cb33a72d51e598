"""``poise record``: a live sensor (or a capture of one) into a Poise recording.

The recording is written as the samples come (crash-safe, see
:mod:`poise.formats.poise_csv`); the link's health is printed at the end, since
the file's header is written, whole, before the first sample.
"""

from __future__ import annotations

import sys
from typing import Any

from poise.files import writing
from poise.formats.poise_csv import RecordingWriter
from poise.sources.live import open_live_source


def record(
    sensor: str, output: str, settings: Any, seconds: float | None, capture: str | None
) -> int:
    """Record ``sensor`` to ``output`` for ``seconds`` of device time (or until Ctrl-C)."""
    source = open_live_source(sensor, settings.sensor, settings, capture)
    samples = 0
    first_t = None
    try:
        with source, writing(output, lambda: RecordingWriter(output, source.meta)) as writer:
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
        stats = getattr(source, "stats", None)
        health = f"; link: {stats.summary()}" if stats is not None else ""
        print(f"{output}: {samples} samples{health}")
    return 0
