"""Sinks: a WAV that survives SIGKILL, aplay on the null device, the buzzer on mock pins."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import wave
from pathlib import Path

import numpy as np
import pytest
from audio_checks import RATE_HZ, dominant_hz, fallback_speech, read_wav

from poise.cues import AlsaSink, BuzzerSink, Cues, FeedbackSettings, NullSink, WavSink, open_sink
from poise.cues.biofeedback import feedback_tone
from poise.cues.sinks import has_sound_card
from poise.errors import PoiseError

needs_aplay = pytest.mark.skipif(
    shutil.which("aplay") is None, reason="aplay is not installed (apt install alsa-utils)"
)

WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from poise.cues import WavSink

    sink = WavSink(sys.argv[1], 22050, chunk_s=0.05)
    t = np.arange(441) / 22050
    for i in range(1_000_000):
        sink.write(np.repeat((0.5 * np.sin(2 * np.pi * 1000 * (t + i * 0.02)))[:, None], 2, 1))
        if i == 29:  # 30 blocks: ten whole chunks of three blocks (0.05 s = 1102.5 frames)
            print("0.6 s written", flush=True)
    """
)


def test_a_killed_process_leaves_a_readable_wav(tmp_path: Path) -> None:
    path = tmp_path / "killed.wav"
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout.readline().startswith("0.6 s written")  # type: ignore[union-attr]
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    rate_hz, frames = read_wav(path)
    # Everything flushed before the kill, in whole chunks.
    assert rate_hz == RATE_HZ and len(frames) >= 30 * 441 and len(frames) % (3 * 441) == 0
    assert path.stat().st_size >= 44 + 4 * len(frames)
    assert dominant_hz(frames[:, 0]) == pytest.approx(1000.0, rel=1e-3)
    # Every frame the header claims is real audio, up to the last one.
    assert np.abs(frames[-round(0.01 * RATE_HZ) :]).max() > 0.4


def test_wav_sink_writes_16_bit_stereo_in_chunks(tmp_path: Path) -> None:
    path = tmp_path / "chunks.wav"
    sink = WavSink(path, RATE_HZ, chunk_s=0.1)
    sink.write(np.full((441, 2), 0.25, dtype=np.float32))
    assert sink.frames_written == 0  # still buffered
    for _ in range(5):
        sink.write(np.full((441, 2), -0.25, dtype=np.float32))
    # 0.1 s (2205 frames) reached at the fifth block: on disk, and the header says so.
    assert sink.frames_written == 5 * 441
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getnframes()) == (2, 2, 5 * 441)
    sink.write(np.zeros((10, 2), dtype=np.float32))
    sink.close()
    sink.close()
    frames = read_wav(path)[1]
    assert len(frames) == 6 * 441 + 10 and frames[0, 0] == pytest.approx(0.25, abs=1e-4)
    with pytest.raises(PoiseError, match="nowhere"):
        WavSink(tmp_path / "nowhere" / "x.wav")


def test_wav_sink_never_overwrites_nor_follows_a_planted_link(tmp_path: Path) -> None:
    kept = tmp_path / "kept.wav"
    kept.write_bytes(b"an earlier session's audio")
    link = tmp_path / "planted.wav"
    link.symlink_to(kept)
    for path in (kept, link):
        with pytest.raises(PoiseError) as err:
            WavSink(path, RATE_HZ)
        assert str(err.value) == f"{path}: already exists; not overwritten"
    assert kept.read_bytes() == b"an earlier session's audio"
    assert link.is_symlink()


def test_wav_sink_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        WavSink(tmp_path / "a.wav", RATE_HZ).close()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.wav").stat().st_mode) == 0o600


@needs_aplay
def test_alsa_sink_plays_to_the_null_device() -> None:
    sink = AlsaSink("null", buffer_ms=20, rate_hz=RATE_HZ)
    assert "--buffer-time=20000" in sink.command and "--period-time=5000" in sink.command
    t = np.arange(RATE_HZ) / RATE_HZ
    tone = np.repeat(0.3 * np.sin(2 * np.pi * 440 * t)[:, None], 2, 1).astype(np.float32)
    for block in np.split(tone, 50):
        sink.write(block)
    sink.close()
    assert sink._process.returncode == 0
    with pytest.raises(ValueError, match="buffer_ms must be a number from 1 to 20"):
        AlsaSink("null", buffer_ms=50)


@needs_aplay
def test_alsa_sink_reports_a_missing_device_in_one_line_when_opened() -> None:
    # aplay fails at once on a device that does not exist: the sink refuses to open,
    # so a session is refused before it starts rather than interrupted in a trial.
    with pytest.raises(PoiseError, match=r"^audio sink alsa:no_such_device_here: .*error"):
        AlsaSink("no_such_device_here")


def test_buzzer_follows_the_cues(tmp_path: Path) -> None:
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory, MockPWMPin

    Device.pin_factory = MockFactory(pin_class=MockPWMPin)
    try:
        pin = Device.pin_factory.pin(18)
        settings = FeedbackSettings()
        cues = Cues(BuzzerSink(18), fallback_speech(tmp_path), settings, RATE_HZ)
        cues.beep("go")
        cues.advance_to(0.1)
        assert (pin.frequency, pin.state) == (1500.0, 0.5)
        cues.advance_to(0.4)  # the beep is over and the tone is silent
        assert pin.state == 0.0
        cues.feedback(0.0, 3.0)
        cues.advance_to(0.5)
        expected = feedback_tone(0.0, 3.0, 0.0, 0.0, settings).freq_hz
        assert pin.frequency == pytest.approx(expected) and pin.state == 0.5
        cues.beep("stop")  # a beep takes over the one tone, then feedback returns
        cues.advance_to(0.6)
        assert pin.frequency == 500.0
        cues.advance_to(1.1)
        assert pin.frequency == pytest.approx(expected)
        cues.say("2")  # the buzzer cannot speak: it plays the prompt's pips
        cues.advance_to(1.12)
        assert pin.frequency == 1320.0
        cues.silence_feedback()
        cues.advance_to(1.6)
        assert pin.state == 0.0
        cues.sink.tone(50.0)  # below the buzzer's range: clamped, not an error
        assert pin.frequency == 220.0
        cues.close()
        assert pin.state == 0.0
    finally:
        Device.pin_factory.reset()
        Device.pin_factory = None


def test_open_sink_parses_every_spec(tmp_path: Path) -> None:
    assert isinstance(open_sink("null"), NullSink)
    wav = open_sink(f"wav:{tmp_path / 'a.wav'}", RATE_HZ)
    assert isinstance(wav, WavSink) and wav.path == tmp_path / "a.wav"
    wav.close()
    auto = open_sink("auto")
    assert isinstance(auto, AlsaSink) if has_sound_card() else auto is None
    if auto is not None:
        auto.close()
    for bad in ("wav:", "buzzer:", "speaker", "null:x", "auto:x"):
        with pytest.raises(PoiseError, match=f"audio sink '{bad}': expected alsa"):
            open_sink(bad)
    if shutil.which("aplay"):
        alsa = open_sink("alsa:null")
        assert isinstance(alsa, AlsaSink) and alsa.device == "null"
        alsa.close()
