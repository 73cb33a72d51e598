"""Oscillator, beeps, panning and the mixer, checked on the samples themselves."""

from __future__ import annotations

import math

import numpy as np
import pytest
from audio_checks import RATE_HZ, dominant_hz, onsets_s, rms

from poise.cues.biofeedback import FeedbackTone
from poise.cues.mixer import Mixer
from poise.cues.synth import beep, oscillator, pan_gains, soft_limit


def test_oscillator_rendered_in_blocks_equals_one_piece() -> None:
    rng = np.random.default_rng(1)
    freqs = np.repeat(rng.uniform(200.0, 2000.0, 20), 441)
    whole, _ = oscillator(freqs, 0.5, 0.3, RATE_HZ)
    parts, phase = [], 0.3
    for block in np.split(freqs, 20):
        part, phase = oscillator(block, 0.5, phase, RATE_HZ)
        parts.append(part)
    np.testing.assert_allclose(np.concatenate(parts), whole, atol=1e-9)


def test_beep_has_its_frequency_and_raised_cosine_edges() -> None:
    b = beep(1500.0, 0.2, RATE_HZ, gain=0.5, ramp_s=0.005)
    assert dominant_hz(b) == pytest.approx(1500.0, rel=1e-3)
    ramp = round(0.005 * RATE_HZ)
    assert abs(b[0]) < 0.01 and abs(b[-1]) < 0.01
    # Within the ramps the envelope rises monotonically; in between it is full.
    assert np.abs(b[:ramp]).max() < 0.5 and np.abs(b[ramp:-ramp]).max() == pytest.approx(0.5, 1e-3)
    # A gated (rectangular) tone at a random phase starts with a jump; this one does not.
    assert np.abs(np.diff(b)).max() <= 2 * math.pi * 1500.0 / RATE_HZ * 0.5 * 1.01


def test_equal_power_pan() -> None:
    for pan in np.linspace(-1.0, 1.0, 21):
        left, right = pan_gains(float(pan))
        assert left**2 + right**2 == pytest.approx(1.0)
        assert (right - left > 1e-9) == (pan > 0) and (left - right > 1e-9) == (pan < 0)


def test_soft_limit_keeps_every_sample_in_range_and_order() -> None:
    x = np.linspace(-5.0, 5.0, 10001)
    y = soft_limit(x.copy())
    assert np.all(np.abs(y) <= 1.0) and np.all(np.diff(y) >= 0)
    assert np.all(np.diff(y[np.abs(x) < 2.0]) > 0)
    quiet = np.abs(x) <= 0.8
    np.testing.assert_array_equal(y[quiet], x[quiet])


def test_speech_queues_in_order_beeps_start_at_once_and_busy_counts_down() -> None:
    def session(with_beep: bool) -> np.ndarray:
        mixer = Mixer(RATE_HZ)
        mixer.play(beep(500.0, 0.3, RATE_HZ), gain=0.5)
        mixer.play(beep(900.0, 0.2, RATE_HZ), gain=0.5)
        assert mixer.busy_s == pytest.approx(0.5, abs=1e-4)
        out = mixer.render(round(0.1 * RATE_HZ))
        if with_beep:  # starts at 0.1 s, over the speech
            mixer.play(beep(3000.0, 0.05, RATE_HZ), gain=0.5, queue=False)
            assert mixer.busy_s == pytest.approx(0.4, abs=1e-4)
        out = np.concatenate([out, mixer.render(round(0.5 * RATE_HZ))])[:, 0]
        assert mixer.busy_s == 0.0 and not mixer.speaking
        return out

    out = session(with_beep=True)
    assert dominant_hz(out[round(0.02 * RATE_HZ) : round(0.09 * RATE_HZ)]) == pytest.approx(
        500, 1e-2
    )
    assert dominant_hz(out[round(0.16 * RATE_HZ) : round(0.29 * RATE_HZ)]) == pytest.approx(
        500, 1e-2
    )
    assert dominant_hz(out[round(0.31 * RATE_HZ) : round(0.49 * RATE_HZ)]) == pytest.approx(
        900, 1e-2
    )
    beep_alone = out - session(with_beep=False)
    assert onsets_s(beep_alone, 0.01) == [pytest.approx(0.1, abs=0.002)]
    assert dominant_hz(beep_alone[round(0.1 * RATE_HZ) : round(0.15 * RATE_HZ)]) == pytest.approx(
        3000, 1e-2
    )


def test_many_loud_clips_never_wrap_around() -> None:
    mixer = Mixer(RATE_HZ)
    clips = [beep(f, 0.2, RATE_HZ, gain=1.0) for f in (300.0, 500.0, 700.0, 900.0)]
    for clip in clips:
        mixer.play(clip, queue=False)
    out = mixer.render(round(0.2 * RATE_HZ))[:, 0]
    unlimited = np.sum(clips, axis=0) * pan_gains(0.0)[0]
    assert np.abs(unlimited).max() > 1.5  # the sum would overflow 16 bits
    assert out.dtype == np.float32 and np.abs(out).max() <= 1.0
    # Bent, not wrapped: every sample keeps its sign and is never made louder.
    loud = np.abs(unlimited) > 1e-3
    assert np.all(np.sign(out[loud]) == np.sign(unlimited[loud]))
    assert np.all(np.abs(out) <= np.abs(unlimited) + 1e-6)


def test_feedback_ducks_under_speech_and_comes_back() -> None:
    mixer = Mixer(RATE_HZ, duck_gain=0.25)
    mixer.set_feedback(FeedbackTone(1200.0, 0.4, 0.0))
    before = mixer.render(round(0.2 * RATE_HZ))[:, 0]
    mixer.play(np.zeros(round(0.3 * RATE_HZ), dtype=np.float32))  # silent "speech"
    during = mixer.render(round(0.3 * RATE_HZ))[:, 0]
    after = mixer.render(round(0.2 * RATE_HZ))[:, 0]
    steady = slice(round(0.05 * RATE_HZ), None)
    assert rms(during[steady]) == pytest.approx(0.25 * rms(before[steady]), rel=0.02)
    assert rms(after[steady]) == pytest.approx(rms(before[steady]), rel=0.02)
    assert np.abs(np.diff(np.concatenate([before, during, after]))).max() < 0.1


def test_render_is_the_same_whatever_the_block_sizes() -> None:
    def session(pieces: list[int]) -> np.ndarray:
        """40 steps of 441 frames, each rendered in ``pieces``; the same calls at each step."""
        mixer = Mixer(RATE_HZ)
        out = []
        for step in range(40):
            if step % 3 == 0:
                mixer.set_feedback(FeedbackTone(400.0 + 17.0 * step, 0.3, math.sin(step)))
            if step == 5:
                mixer.play(beep(800.0, 0.1, RATE_HZ))
            out += [mixer.render(n) for n in pieces]
        return np.concatenate(out)

    whole = session([441])
    split = session([100, 7, 334])
    assert whole.shape == split.shape == (40 * 441, 2)
    assert np.abs(whole).max() > 0.2
    np.testing.assert_allclose(split, whole, atol=1e-5)
