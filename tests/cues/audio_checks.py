"""Helpers for the cues tests: real WAV files checked by frequency and timing, scripted sessions."""

from __future__ import annotations

import shutil
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from poise.cues import Cues, FeedbackSettings, Speech, WavSink

RATE_HZ = 22050
BLOCK_S = 0.02

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (apt install espeak-ng)"
)


def read_wav(path: Path) -> tuple[int, np.ndarray]:
    """The rate and the frames of a 16-bit WAV as floats in [-1, 1], shape (n, channels)."""
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2
        rate_hz, channels = w.getframerate(), w.getnchannels()
        raw = w.readframes(w.getnframes())
    return rate_hz, np.frombuffer(raw, dtype="<i2").reshape(-1, channels) / 32768.0


def window(frames: np.ndarray, start_s: float, end_s: float) -> np.ndarray:
    return frames[round(start_s * RATE_HZ) : round(end_s * RATE_HZ)]


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x))))


def dominant_hz(x: np.ndarray) -> float:
    """The strongest frequency of a mono signal (Hann window, parabolic peak interpolation)."""
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    k = int(np.argmax(spectrum[1:-1])) + 1
    a, b, c = np.log(spectrum[k - 1 : k + 2] + 1e-300)
    return (k + 0.5 * (a - c) / (a - 2 * b + c)) * RATE_HZ / len(x)


def onsets_s(x: np.ndarray, threshold: float = 0.05, min_gap_s: float = 0.02) -> list[float]:
    """Times (s) at which |x| first rises above ``threshold`` after ``min_gap_s`` below it."""
    loud = np.flatnonzero(np.abs(x) > threshold)
    if len(loud) == 0:
        return []
    starts = [loud[0], *loud[1:][np.diff(loud) > min_gap_s * RATE_HZ]]
    return [i / RATE_HZ for i in starts]


def run_session(
    path: Path,
    script: Callable[[Cues, float], None],
    duration_s: float,
    speech: Speech,
    settings: FeedbackSettings | None = None,
    block_s: float = BLOCK_S,
) -> np.ndarray:
    """Run ``script(cues, t_s)`` before each block of a session written to ``path``; its frames."""
    with Cues(WavSink(path, RATE_HZ), speech, settings or FeedbackSettings(), RATE_HZ) as cues:
        for i in range(round(duration_s / block_s)):
            t_s = i * block_s
            script(cues, t_s)
            cues.advance_to(t_s + block_s)
    rate_hz, frames = read_wav(path)
    assert rate_hz == RATE_HZ and frames.shape == (round(duration_s * RATE_HZ), 2)
    return frames


def fallback_speech(tmp_path: Path) -> Speech:
    """Speech without espeak-ng: every prompt is its tone pattern."""
    return Speech(tmp_path / "speech-cache", RATE_HZ, program="no-such-espeak-ng")
