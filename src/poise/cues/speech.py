"""Spoken prompts: espeak-ng rendered once per prompt, cached on disk, resampled for the mixer.

A session speaks the same few prompts many times ("three", "two", "one",
"eyes closed", "stop"), and espeak-ng takes tens of milliseconds per prompt,
too long for the engine's 20 ms block. :class:`Speech` renders each prompt
once (``espeak-ng --stdin -w FILE``), keeps the WAV in a cache directory under
a name hashed from the text, voice, speed and espeak-ng version (so a new
voice or a new espeak-ng never serves a stale clip), and keeps the resampled
clip in memory for the rest of the session. Cache files are written to a
temporary name and renamed into place, so a killed process never leaves a
torn clip behind.

Without espeak-ng (``available`` is False) a prompt becomes a short tone
pattern, so the athlete still hears that a cue came (:func:`fallback_clip`):

- a whole number from 1 to 10 (``"3"`` or ``"three"``, as in a countdown):
  that many pips of 1320 Hz, 50 ms each, 100 ms apart;
- anything else: a rising three-note motif (C5, E5, G5: 523, 659, 784 Hz),
  70 ms per note with 30 ms gaps, unlike every beep of :mod:`poise.cues.player`;

each followed by 150 ms of silence, so prompts queued back to back stay apart.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from poise.checks import check_count, check_number
from poise.cues.synth import notes
from poise.errors import PoiseError
from poise.metrics.filters import resample_poly

NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
PIP_HZ = 1320.0
MOTIF_HZ = (523.25, 659.26, 783.99)
FALLBACK_PAUSE_S = 0.15
#: Said once, first, when prompts will be tone patterns: the rising motif played
#: slowly backwards, so it is not taken for a prompt (docs/live.md).
NO_SPEECH_NOTES = [(f, 0.25) for f in reversed(MOTIF_HZ)]
NO_SPEECH_GAP_S = 0.1


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/poise/speech`` (``~/.cache/poise/speech`` without it)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "poise" / "speech"


def fallback_notes(text: str) -> tuple[list[tuple[float, float]], float]:
    """The tone pattern standing in for ``text``: (freq_hz, duration_s) notes and the gap, s.

    >>> fallback_notes("two"), fallback_notes("2") == fallback_notes("Two.")
    (([(1320.0, 0.05), (1320.0, 0.05)], 0.05), True)
    """
    word = text.strip(" .!?").lower()
    count = (
        int(word) if word.isdigit() else NUMBER_WORDS.index(word) + 1 if word in NUMBER_WORDS else 0
    )
    if 1 <= count <= 10:
        return [(PIP_HZ, 0.05)] * count, 0.05
    return [(f, 0.07) for f in MOTIF_HZ], 0.03


def fallback_clip(text: str, rate_hz: int) -> np.ndarray:
    """:func:`fallback_notes` of ``text`` rendered as float32 mono, with ``FALLBACK_PAUSE_S``
    of silence after it so that prompts queued back to back stay apart.

    >>> [round(len(fallback_clip(t, 22050)) / 22050, 2) for t in ("3", "three", "go")]
    [0.4, 0.4, 0.42]
    """
    pattern, gap_s = fallback_notes(text)
    pause = np.zeros(round(FALLBACK_PAUSE_S * rate_hz), dtype=np.float32)
    return np.concatenate([notes(pattern, gap_s, rate_hz, gain=0.6), pause])


class Speech:
    """Spoken prompts as float32 mono clips at the mixer's rate.

    Args:
        cache_dir: where rendered prompts are kept between sessions (created if missing).
        rate_hz: the mixer's sample rate, Hz.
        voice: espeak-ng voice (``espeak-ng --voices`` lists them).
        words_per_minute: speaking rate (espeak-ng ``-s``, 80..450).
        program: the espeak-ng executable (a name on $PATH or a path).

    Attributes:
        available: whether espeak-ng runs here; without it prompts are tone patterns.
        renders: how many times this object ran espeak-ng.

    >>> import tempfile
    >>> speech = Speech(tempfile.mkdtemp(), program="no-such-espeak")
    >>> speech.available, round(len(speech.clip("2")) / 22050, 2)
    (False, 0.3)
    """

    def __init__(
        self,
        cache_dir: str | Path,
        rate_hz: int = 22050,
        voice: str = "en",
        words_per_minute: int = 160,
        program: str = "espeak-ng",
    ) -> None:
        check_number("rate_hz", rate_hz, 8000.0, 192000.0)
        check_count("words_per_minute", words_per_minute, 80, 450)
        if not voice or voice != voice.strip() or voice.startswith("-"):
            raise PoiseError(f"speech voice {voice!r}: not a voice name")
        self.cache_dir = Path(cache_dir)
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise PoiseError(f"speech cache {self.cache_dir}: {e.strerror or e}") from None
        if not os.access(self.cache_dir, os.W_OK | os.X_OK):
            raise PoiseError(f"speech cache {self.cache_dir}: not writable")
        self.rate_hz = rate_hz
        self.voice = voice
        self.words_per_minute = words_per_minute
        self.renders = 0
        self._program = shutil.which(program)
        self.version = self._espeak_version()
        self.available = self.version is not None
        self._clips: dict[str, np.ndarray] = {}

    def clip(self, text: str) -> np.ndarray:
        """``text`` spoken (or its tone pattern), float32 mono at ``rate_hz``.

        Rendered by espeak-ng at most once per cache directory; kept in memory after
        the first call. An espeak-ng failure (an unknown voice) raises :class:`PoiseError`.
        """
        text = " ".join(text.split())
        if text not in self._clips:
            if not text:
                samples = np.zeros(0, dtype=np.float32)
            elif self.available:
                samples = self._spoken(text)
            else:
                samples = fallback_clip(text, self.rate_hz)
            self._clips[text] = samples
        return self._clips[text]

    def prepare(self, texts: Iterable[str]) -> None:
        """Render every prompt a drill may say before it starts, so that no espeak-ng run
        (tens of milliseconds each) lands in the engine's 20 ms blocks."""
        for text in texts:
            self.clip(text)

    def cache_path(self, text: str) -> Path:
        """The cache file of ``text`` for this voice, speed and espeak-ng version."""
        key = json.dumps([" ".join(text.split()), self.voice, self.words_per_minute, self.version])
        return self.cache_dir / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.wav"

    def _espeak_version(self) -> str | None:
        if self._program is None:
            return None
        try:
            done = subprocess.run(
                [self._program, "--version"], capture_output=True, text=True, timeout=10
            )
        except OSError:
            return None
        return done.stdout.split(" Data at")[0].strip() if done.returncode == 0 else None

    def _spoken(self, text: str) -> np.ndarray:
        path = self.cache_path(text)
        if not path.is_file():
            self._render(text, path)
        with wave.open(str(path), "rb") as w:
            rate_hz, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
            raw = w.readframes(w.getnframes())
        if width != 2 or channels != 1:
            raise PoiseError(
                f"{path}: expected 16-bit mono speech, got {8 * width}-bit x{channels}"
            )
        samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
        if rate_hz != self.rate_hz:
            g = math.gcd(int(rate_hz), int(self.rate_hz))
            samples = resample_poly(samples, int(self.rate_hz) // g, int(rate_hz) // g)
        return np.clip(samples, -1.0, 1.0).astype(np.float32)

    def _render(self, text: str, path: Path) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".speech.", suffix=".wav", dir=self.cache_dir)
        os.close(fd)
        try:
            command = [self._program, "-v", self.voice, "-s", str(self.words_per_minute)]
            done = subprocess.run(
                [*command, "-w", tmp, "--stdin"],
                input=text,
                capture_output=True,
                text=True,
                timeout=60,
            )
            self.renders += 1
            if done.returncode != 0:
                reason = (done.stderr.strip().splitlines() or ["failed"])[0]
                raise PoiseError(f"espeak-ng voice {self.voice!r}: {reason}")
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
