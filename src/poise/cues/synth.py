"""Tone synthesis: phase-continuous oscillators, beeps and equal-power panning (pure NumPy).

Everything here returns float arrays in [-1, 1] at a sample rate ``rate_hz``;
nothing touches an audio device.

- :func:`oscillator` renders a sine whose frequency and gain are given per
  sample and carries the phase from block to block, so a tone that changes
  pitch or loudness between 20 ms blocks has no discontinuity (a click is a
  jump in the waveform; a continuous phase and a ramped gain leave none).
- :func:`glide` makes those per-sample ramps: a linear move from the current
  value to a target over a fixed number of frames, split across blocks exactly
  as if rendered in one piece.
- :func:`beep` is a tone burst with raised-cosine (half-Hann) on and off ramps,
  the usual way to gate a tone without spectral splatter (a rectangular gate
  is heard as a click at each edge).
- :func:`pan_gains` is the equal-power (constant-power, sine/cosine) pan law:
  ``left = cos(theta)``, ``right = sin(theta)``, ``theta = (pan + 1) * pi / 4``,
  so ``left**2 + right**2 == 1`` and a centred sound is 3 dB down in each channel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from poise.checks import check_number

TWO_PI = 2.0 * math.pi


def oscillator(
    freq_hz: np.ndarray, gain: np.ndarray, phase_rad: float, rate_hz: float
) -> tuple[np.ndarray, float]:
    """A sine with per-sample frequency and gain, and the phase to start the next block with.

    Sample ``i`` is ``gain[i] * sin(phase_rad + 2 pi / rate_hz * sum(freq_hz[:i]))``:
    the phase integrates the frequency, so a frequency change bends the waveform
    instead of breaking it. ``gain`` may be a scalar.

    >>> import numpy as np
    >>> a, phase = oscillator(np.full(4, 5512.5), 1.0, 0.0, 22050.0)
    >>> np.round(a, 6).tolist(), round(phase, 6)
    ([0.0, 1.0, 0.0, -1.0], 0.0)
    """
    step_rad = np.asarray(freq_hz, dtype=np.float64) * (TWO_PI / rate_hz)
    total_rad = np.cumsum(step_rad)
    phases = total_rad - step_rad
    phases += phase_rad
    out = np.sin(phases)
    out *= gain
    next_phase = (phase_rad + float(total_rad[-1])) % TWO_PI if len(step_rad) else phase_rad
    return out, next_phase


def glide(current: float, target: float, frames_left: int, n_frames: int) -> np.ndarray:
    """Per-sample values moving linearly from ``current`` to ``target`` in ``frames_left`` frames.

    The first returned sample is one step on from ``current``; after
    ``frames_left`` samples the value stays at ``target``. Rendering a glide in
    two calls (the second starting from the first's last value, with the frames
    left) gives the same samples as one call.

    >>> glide(0.0, 1.0, 4, 6).tolist()
    [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    >>> glide(0.5, 1.0, 2, 1).tolist(), glide(0.75, 1.0, 1, 3).tolist()
    ([0.75], [1.0, 1.0, 1.0])
    """
    out = np.full(n_frames, target, dtype=np.float64)
    k = min(frames_left, n_frames)
    if k > 0:
        out[:k] = current + (target - current) * (np.arange(1, k + 1) / frames_left)
    return out


def raised_cosine(n_frames: int) -> np.ndarray:
    """A rising half-Hann window of ``n_frames`` samples, from just above 0 to 1.

    >>> raised_cosine(3).round(3).tolist()
    [0.067, 0.5, 0.933]
    """
    return 0.5 - 0.5 * np.cos(math.pi * (np.arange(n_frames) + 0.5) / n_frames)


def beep(
    freq_hz: float, duration_s: float, rate_hz: float, gain: float = 1.0, ramp_s: float = 0.005
) -> np.ndarray:
    """A sine burst of ``duration_s`` with raised-cosine on and off ramps of ``ramp_s`` (float32).

    >>> b = beep(1000.0, 0.1, 22050.0, gain=0.5)
    >>> len(b), float(abs(b).max()) <= 0.5, abs(float(b[0])) < 0.01, abs(float(b[-1])) < 0.01
    (2205, True, True, True)
    """
    check_number("freq_hz", freq_hz, 0.0, rate_hz / 2.0, above=True)
    check_number("duration_s", duration_s, 0.0, 60.0, above=True)
    n = round(duration_s * rate_hz)
    out, _ = oscillator(np.full(n, freq_hz), gain, 0.0, rate_hz)
    ramp = raised_cosine(max(1, min(round(ramp_s * rate_hz), n // 2)))
    out[: len(ramp)] *= ramp
    out[len(out) - len(ramp) :] *= ramp[::-1]
    return out.astype(np.float32)


def notes(
    pattern: Sequence[tuple[float, float]], gap_s: float, rate_hz: float, gain: float = 1.0
) -> np.ndarray:
    """Beeps of (freq_hz, duration_s) one after another, ``gap_s`` of silence between (float32).

    >>> round(len(notes([(880.0, 0.1), (440.0, 0.2)], 0.05, 22050.0)) / 22050.0, 3)
    0.35
    """
    gap = np.zeros(round(gap_s * rate_hz), dtype=np.float32)
    parts: list[np.ndarray] = []
    for freq_hz, duration_s in pattern:
        parts += [gap, beep(freq_hz, duration_s, rate_hz, gain)]
    return np.concatenate(parts[1:])


def pan_gains(pan: float) -> tuple[float, float]:
    """Equal-power (left, right) gains for ``pan`` from -1 (left) to +1 (right).

    >>> [round(g, 4) for g in pan_gains(0.0)], pan_gains(1.0)[0] < 1e-12, pan_gains(-1.0)
    ([0.7071, 0.7071], True, (1.0, 0.0))
    """
    theta = (min(1.0, max(-1.0, pan)) + 1.0) * (math.pi / 4.0)
    return math.cos(theta), math.sin(theta)


def soft_limit(frames: np.ndarray, knee: float = 0.8) -> np.ndarray:
    """Keep samples in (-1, 1) without wrap-around or a hard clip, in place.

    Below ``knee`` samples pass unchanged; above it they are bent smoothly
    towards 1 by ``knee + (1 - knee) * tanh((|x| - knee) / (1 - knee))``, which
    has slope 1 at the knee (no kink) and never reaches 1.

    >>> import numpy as np
    >>> soft_limit(np.array([0.5, -0.8, 0.9, -3.0])).round(3).tolist()
    [0.5, -0.8, 0.892, -1.0]
    """
    over = np.abs(frames) > knee
    if over.any():
        x = frames[over]
        frames[over] = np.sign(x) * (knee + (1.0 - knee) * np.tanh((np.abs(x) - knee) / (1 - knee)))
    return frames
