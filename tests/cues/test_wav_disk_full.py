"""The session WAV on a full disk: the chunk that cannot be written is cut back off, so the
file stays a whole WAV of everything before it, and the error reaches the session."""

from __future__ import annotations

import errno
import wave

import numpy as np
import pytest

import poise.files
from poise.cues.sinks import WavSink, to_s16le


def test_a_chunk_that_does_not_fit_is_cut_back_and_the_wav_stays_whole(tmp_path, monkeypatch):
    path = tmp_path / "heard.wav"
    sink = WavSink(path, 22050, chunk_s=0.1)
    sink.write(np.full((2205, 2), 0.25, dtype=np.float32))  # one whole chunk on disk
    real_write = poise.files.os.write

    def half_then_full(fd, data):
        if len(data) > 1000:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(poise.files.os, "write", half_then_full)
    with pytest.raises(OSError, match="No space left"):
        sink.write(np.full((2205, 2), 0.5, dtype=np.float32))
    monkeypatch.setattr(poise.files.os, "write", real_write)
    sink.close()
    with wave.open(str(path)) as w:
        assert w.getnframes() == 2205
        frames = w.readframes(w.getnframes())
    assert path.stat().st_size == 44 + 4 * 2205  # no half chunk after the whole one
    assert frames == to_s16le(np.full((2205, 2), 0.25, dtype=np.float32))
