"""Where the mixed audio goes: a WAV file, ALSA through aplay, a piezo buzzer, or nowhere.

A sink takes stereo float32 frames in [-1, 1] at the mixer's rate
(``write``) and is closed once (``close``). A sink that can only sound one
tone at a time (the piezo buzzer) also has ``tone(freq_hz | None)``, which
:class:`poise.cues.player.Cues` calls when the loudest cue changes. Only
this module starts aplay or imports gpiozero, and each only when its sink is
opened.

``open_sink`` reads the ``[cues] sink`` setting:

- ``alsa`` or ``alsa:DEVICE``: the sound card (``aplay -D DEVICE``; ``null``
  accepts audio on a machine without one);
- ``wav:PATH``: a new 16-bit stereo WAV file (what the athlete would have heard;
  an existing file is refused, never overwritten);
- ``null``: discard;
- ``buzzer:GPIO``: a piezo buzzer on that GPIO pin (``buzzer:18`` or ``buzzer:GPIO18``);
- ``auto``: ALSA's default device if ``aplay -l`` lists a card, else None (the
  caller then writes a WAV).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import struct
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from poise.checks import check_number
from poise.errors import PoiseError
from poise.files import create_exclusive, write_all

SINK_SPECS = "alsa[:DEVICE], wav:PATH, null, buzzer:GPIO or auto"


class Sink(Protocol):
    """Takes the mixer's frames; sinks that can sound only one tone also have ``tone``."""

    def write(self, frames: np.ndarray) -> None:
        """Play or keep ``frames``, float32 of shape (n, 2) in [-1, 1]."""

    def close(self) -> None:
        """Finish: flush what is buffered and release the device or file."""


def to_s16le(frames: np.ndarray) -> bytes:
    """Float frames in [-1, 1] as interleaved signed 16-bit little-endian PCM.

    >>> import numpy as np
    >>> to_s16le(np.array([[1.0, -1.0], [0.5, 0.0]], dtype=np.float32)).hex()
    'ff7f018000400000'
    """
    scaled = np.rint(np.asarray(frames, dtype=np.float32) * 32767.0)
    return np.clip(scaled, -32768, 32767).astype("<i2").tobytes()


class _ClosesOnExit:
    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError


class NullSink(_ClosesOnExit):
    """Discards audio, counting the frames it was given (``frames_written``)."""

    def __init__(self) -> None:
        self.frames_written = 0

    def write(self, frames: np.ndarray) -> None:
        self.frames_written += len(frames)

    def close(self) -> None:
        pass


#: Bytes of the RIFF, fmt and data chunk headers before a PCM WAV's samples.
WAV_HEADER_BYTES = 44


class WavSink(_ClosesOnExit):
    """A new 16-bit stereo WAV file at ``rate_hz``, streamed to disk in chunks of ``chunk_s``.

    The file is created exclusively, mode 0600 (:func:`poise.files.create_exclusive`):
    anything already at ``path``, a symbolic link included, is refused, not replaced.

    After each chunk the data is appended first and the RIFF and data sizes in the
    header are rewritten after, so at any moment the header describes only data that
    is on disk: a process killed mid-session leaves a readable WAV of everything up
    to the last chunk (at most ``chunk_s`` of audio is lost).

    >>> import tempfile, wave, numpy as np
    >>> path = tempfile.mkdtemp() + "/cues.wav"
    >>> with WavSink(path, 22050) as sink:
    ...     sink.write(np.zeros((22050, 2), dtype=np.float32))
    >>> w = wave.open(path); (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes())
    (2, 2, 22050, 22050)
    """

    def __init__(self, path: str | Path, rate_hz: int = 22050, chunk_s: float = 0.25) -> None:
        check_number("rate_hz", rate_hz, 8000.0, 192000.0)
        check_number("chunk_s", chunk_s, 0.0, 10.0, above=True)
        self.path = Path(path)
        self.rate_hz = rate_hz
        self.frames_written = 0
        self._chunk_frames = max(1, round(chunk_s * rate_hz))
        self._pending: list[bytes] = []
        self._pending_frames = 0
        try:  # a new file only: an existing one (or a planted link) is refused, not replaced
            self._file = os.fdopen(create_exclusive(self.path), "wb", buffering=0)
        except OSError as e:
            raise PoiseError(f"{self.path}: {e.strerror or e}") from None
        fmt = struct.pack("<HHIIHH", 1, 2, rate_hz, rate_hz * 4, 4, 16)
        header = b"RIFF" + struct.pack("<I", 36) + b"WAVEfmt " + struct.pack("<I", 16)
        write_all(self._file.fileno(), header + fmt + b"data" + struct.pack("<I", 0))

    def write(self, frames: np.ndarray) -> None:
        self._pending.append(to_s16le(frames))
        self._pending_frames += len(frames)
        if self._pending_frames >= self._chunk_frames:
            self._flush()

    def close(self) -> None:
        """Write what is pending and close; the file is closed even if that write fails."""
        if not self._file.closed:
            try:
                self._flush()
            finally:
                self._file.close()

    def _flush(self) -> None:
        """Append the pending chunk, then rewrite the sizes in place. A chunk that cannot be
        written (OSError: a full disk) is cut back off and dropped, so the file stays a
        whole WAV of everything before it."""
        if not self._pending:
            return
        fd = self._file.fileno()
        end = WAV_HEADER_BYTES + 4 * self.frames_written
        chunk, frames = b"".join(self._pending), self._pending_frames
        self._pending, self._pending_frames = [], 0
        try:
            os.lseek(fd, end, os.SEEK_SET)
            write_all(fd, chunk)
        except OSError:
            os.ftruncate(fd, end)
            raise
        self.frames_written += frames
        data_bytes = 4 * self.frames_written
        os.pwrite(fd, struct.pack("<I", 36 + data_bytes), 4)
        os.pwrite(fd, struct.pack("<I", data_bytes), 40)


#: How long aplay is given to open the card before a session starts, s.
OPEN_CHECK_S = 0.3


class AlsaSink(_ClosesOnExit):
    """The sound card, through an ``aplay`` subprocess fed raw S16_LE stereo on its stdin.

    ``buffer_ms`` (at most 20 ms, one engine block) is aplay's ``--buffer-time``,
    with four periods per buffer, so what the athlete hears lags the sensor by
    little more than one block. aplay's messages go to a temporary file (a full
    stderr pipe would stall it); a failure is reported as one line from them.
    """

    def __init__(self, device: str = "default", buffer_ms: float = 20.0, rate_hz: int = 22050):
        check_number("buffer_ms", buffer_ms, 1.0, 20.0)
        check_number("rate_hz", rate_hz, 8000.0, 192000.0)
        aplay = shutil.which("aplay")
        if aplay is None:
            raise PoiseError("audio sink alsa: aplay not found (install alsa-utils)")
        self.device = device
        buffer_us = round(buffer_ms * 1000)
        self.command = [
            aplay, "-q", "-D", device, "-t", "raw", "-f", "S16_LE", "-c", "2", "-r", str(rate_hz),
            f"--buffer-time={buffer_us}", f"--period-time={buffer_us // 4}",
        ]  # fmt: skip
        self._messages = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._process = subprocess.Popen(
            self.command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._messages
        )
        # aplay opens the device before it reads a frame: a missing or busy card makes
        # it exit at once. Waiting that long here refuses the session before anything
        # is logged, rather than interrupting its first trial.
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=OPEN_CHECK_S)
        if self._process.poll() is not None:
            raise PoiseError(self._finish() or f"audio sink alsa:{device}: aplay ended at once")

    def write(self, frames: np.ndarray) -> None:
        try:
            self._process.stdin.write(to_s16le(frames))  # type: ignore[union-attr]
            self._process.stdin.flush()  # type: ignore[union-attr]
        except (BrokenPipeError, ValueError):  # aplay died (or the sink was closed)
            raise PoiseError(self._finish() or f"audio sink alsa:{self.device}: closed") from None

    def close(self) -> None:
        failure = self._finish()
        if failure:
            raise PoiseError(failure)

    def _finish(self) -> str | None:
        """Stop feeding aplay and wait for it; its failure as one line, once (None if fine)."""
        if self._messages.closed:
            return None
        with contextlib.suppress(BrokenPipeError):
            self._process.stdin.close()  # type: ignore[union-attr]
        code = self._process.wait(timeout=10)
        self._messages.seek(0)
        lines = [ln.strip() for ln in self._messages.read().decode(errors="replace").splitlines()]
        self._messages.close()
        if code == 0:
            return None
        reason = next((ln for ln in reversed(lines) if ln), f"exit status {code}")
        return f"audio sink alsa:{self.device}: {reason}"


class BuzzerSink(_ClosesOnExit):
    """A piezo buzzer on a GPIO pin, through gpiozero's TonalBuzzer: one tone at a time.

    It ignores the mixed frames (a piezo cannot play speech or a chord) and
    sounds what ``tone`` asks: the current beep, else the biofeedback tone.
    Frequencies are clamped into the buzzer's range, ``mid_tone_hz`` two octaves
    either way (220-3520 Hz by default).

    >>> from gpiozero import Device
    >>> from gpiozero.pins.mock import MockFactory, MockPWMPin
    >>> Device.pin_factory = MockFactory(pin_class=MockPWMPin)
    >>> with BuzzerSink(18) as buzzer:
    ...     buzzer.tone(1000.0)
    ...     Device.pin_factory.pin(18).frequency
    1000.0
    >>> Device.pin_factory = None  # back to the default factory
    """

    def __init__(self, pin: int | str, mid_tone_hz: float = 880.0, octaves: int = 2) -> None:
        from gpiozero import GPIOZeroError, PinFactoryFallback, TonalBuzzer  # the hardware edge
        from gpiozero.tones import Tone

        self._tone_type = Tone
        try:
            # gpiozero warns once per pin library it cannot load before it settles on
            # one (or fails): the outcome is what the user needs, in one line.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PinFactoryFallback)
                self._buzzer = TonalBuzzer(
                    pin, mid_tone=Tone.from_frequency(mid_tone_hz), octaves=octaves
                )
        except (GPIOZeroError, ValueError) as e:
            raise PoiseError(f"audio sink buzzer:{pin}: {e}") from None
        self._low_hz = self._buzzer.min_tone.frequency
        self._high_hz = self._buzzer.max_tone.frequency
        self.freq_hz: float | None = None

    def write(self, frames: np.ndarray) -> None:
        pass

    def tone(self, freq_hz: float | None) -> None:
        """Sound ``freq_hz`` (Hz, clamped into range) until told otherwise; None stops."""
        if freq_hz is not None:
            freq_hz = min(self._high_hz, max(self._low_hz, freq_hz))
        if freq_hz == self.freq_hz:
            return
        self.freq_hz = freq_hz
        if freq_hz is None:
            self._buzzer.stop()
        else:
            self._buzzer.play(self._tone_type.from_frequency(freq_hz))

    def close(self) -> None:
        self._buzzer.close()


def has_sound_card() -> bool:
    """Whether ``aplay -l`` lists a playback card (False without aplay)."""
    aplay = shutil.which("aplay")
    if aplay is None:
        return False
    done = subprocess.run([aplay, "-l"], capture_output=True, text=True, timeout=10)
    return any(line.startswith("card ") for line in done.stdout.splitlines())


def open_sink(
    spec: str, rate_hz: int = 22050, buffer_ms: float = 20.0
) -> NullSink | WavSink | AlsaSink | BuzzerSink | None:
    """The sink named by ``spec`` (see the module docstring); None for ``auto`` without a card.

    >>> type(open_sink("null")).__name__
    'NullSink'
    >>> open_sink("speaker")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    poise.errors.PoiseError: audio sink 'speaker': expected alsa[:DEVICE], wav:PATH, null, ...
    """
    kind, _, arg = spec.partition(":")
    if kind == "auto" and not arg:
        return AlsaSink("default", buffer_ms, rate_hz) if has_sound_card() else None
    if kind == "null" and not arg:
        return NullSink()
    if kind == "alsa":
        return AlsaSink(arg or "default", buffer_ms, rate_hz)
    if kind == "wav" and arg:
        return WavSink(arg, rate_hz)
    if kind == "buzzer" and arg:
        return BuzzerSink(int(arg) if arg.isdigit() else arg)
    raise PoiseError(f"audio sink {spec!r}: expected {SINK_SPECS}")
