"""Running sessions in tests: short trials, a low rate, audio to a WAV or nowhere."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from poise.cues.biofeedback import FeedbackSettings
from poise.cues.player import Cues
from poise.cues.sinks import NullSink, WavSink
from poise.cues.speech import Speech
from poise.drills import TrainSettings
from poise.live.display import Display
from poise.live.session import Session, SessionPlan
from poise.live.streams import SimStream
from poise.motion.tilt import TiltSettings
from poise.sources.settings import SensorSettings

SENSOR = SensorSettings(rate_hz=104.0)
#: Short trials and no rest: what the tests need of a session, quickly.
TRAIN = TrainSettings(stance_s=12.0, rest_s=0.0, board_s=12.0)


def cues(tmp: Path, wav: Path | None = None, mode: str = "continuous") -> Cues:
    """Cues with speech cached under ``tmp`` (espeak-ng if present, else tone patterns)."""
    sink = WavSink(wav) if wav else NullSink()
    return Cues(sink, Speech(tmp / "speech"), FeedbackSettings(mode=mode))


def session(
    tmp: Path,
    plan: SessionPlan,
    stream=None,
    train: TrainSettings = TRAIN,
    store=None,
    wav: Path | None = None,
    controls=None,
    seed: int = 3,
) -> Session:
    stream = stream or SimStream(SENSOR, train, seed=seed)
    scratch = tmp / "trials"
    scratch.mkdir(exist_ok=True)
    return Session(
        plan,
        stream,
        cues(tmp, wav),
        store,
        train,
        TiltSettings(),
        Display(quiet=True),
        controls,
        scratch_dir=None if store else scratch,
    )


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A 16-bit stereo WAV as (n, 2) floats in [-1, 1], and its rate."""
    with wave.open(str(path), "rb") as w:
        rate, n = w.getframerate(), w.getnframes()
        data = np.frombuffer(w.readframes(n), dtype="<i2").reshape(-1, w.getnchannels())
    return data / 32768.0, rate


def loudest_hz(frames: np.ndarray, rate: int) -> tuple[float, float]:
    """The strongest frequency in a stretch of sound, Hz, and its RMS level (both channels)."""
    mono = frames.mean(axis=1)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    freqs = np.fft.rfftfreq(len(mono), 1.0 / rate)
    return float(freqs[np.argmax(spectrum[1:]) + 1]), float(np.sqrt(np.mean(mono**2)))
