"""A whole session of cues written to a real WAV file, checked by frequency and timing."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from audio_checks import (
    BLOCK_S,
    RATE_HZ,
    dominant_hz,
    fallback_speech,
    needs_espeak,
    onsets_s,
    read_wav,
    rms,
    run_session,
    window,
)

from poise.cues import BEEPS, Cues, CuesSettings, FeedbackSettings, NullSink, Speech, WavSink
from poise.cues.sinks import has_sound_card

# (start_s, end_s, tilt_ap_deg, tilt_ml_deg): the tilt the engine reports per block.
TILTS = [
    (0.0, 1.0, 0.3, -0.2),  # inside the 0.5 deg dead zone
    (1.0, 2.0, 1.5, 0.0),  # forward, past the dead zone
    (2.0, 3.0, 4.0, 0.0),  # further forward
    (3.0, 4.0, 0.0, 3.0),  # to the athlete's right
    (4.0, 5.0, 0.0, -3.0),  # to the left
]


def _tilt_at(t_s: float) -> tuple[float, float]:
    return next((ap, ml) for start, end, ap, ml in TILTS if start <= t_s < end)


def test_feedback_tone_follows_tilt_in_the_wav(tmp_path: Path) -> None:
    settings = FeedbackSettings()

    def script(cues: Cues, t_s: float) -> None:
        cues.feedback(*_tilt_at(t_s))

    frames = run_session(tmp_path / "f.wav", script, 5.0, fallback_speech(tmp_path), settings)
    # Skip each span's first 50 ms: the tone glides over 20 ms to each new target.
    spans = [window(frames, start + 0.05, end) for start, end, _, _ in TILTS]
    mono = [s.mean(axis=1) for s in spans]
    assert rms(spans[0]) < 1e-4, "tone inside the dead zone"
    assert all(rms(s) > 0.02 for s in spans[1:]), "no tone beyond the dead zone"
    f1, f2 = dominant_hz(mono[1]), dominant_hz(mono[2])

    def expected_hz(distance_deg: float) -> float:
        x = (distance_deg - settings.dead_zone_deg) / (
            settings.saturation_deg - settings.dead_zone_deg
        )
        return settings.base_freq_hz * (settings.max_freq_hz / settings.base_freq_hz) ** x

    assert f1 == pytest.approx(expected_hz(1.5), rel=2e-3)
    assert f2 == pytest.approx(expected_hz(4.0), rel=2e-3)
    assert f2 > f1 and rms(spans[2]) > 1.5 * rms(spans[1]), "larger tilt: higher and louder"
    right, left = spans[3], spans[4]
    assert rms(right[:, 1]) > 2.0 * rms(right[:, 0]), "rightward tilt: louder on the right"
    assert rms(left[:, 0]) > 2.0 * rms(left[:, 1]), "leftward tilt: louder on the left"
    # Equal-power panning keeps the total power of a given distance.
    assert rms(right) == pytest.approx(rms(left), rel=1e-2)


def test_no_clicks_when_the_tone_changes_every_block(tmp_path: Path) -> None:
    settings = FeedbackSettings()

    def script(cues: Cues, t_s: float) -> None:
        # A jittery athlete: pitch, loudness and side jump every block.
        i = round(t_s / BLOCK_S)
        cues.feedback(5.0 * (i % 2), 3.0 * math.sin(1.3 * i))

    frames = run_session(tmp_path / "c.wav", script, 2.0, fallback_speech(tmp_path), settings)
    # A sine of amplitude A at f Hz moves by at most 2 pi f A / rate per sample;
    # the glide adds at most A per glide length. Half a 16-bit step covers rounding.
    bound = 2 * math.pi * settings.max_freq_hz * settings.volume / RATE_HZ
    bound += settings.volume / (0.02 * RATE_HZ) + 1 / 32768
    jumps = np.abs(np.diff(frames, axis=0)).max()
    assert 0.5 * bound < jumps <= bound
    # Restarting the phase at each block (the classic bug) would break that bound.
    # (Frequencies with a fractional number of cycles per block, as real tilts give.)
    naive = np.concatenate(
        [
            settings.volume * np.sin(2 * np.pi * f * np.arange(441) / RATE_HZ + 1.0)
            for f in [510.0, 1130.0] * 20
        ]
    )
    assert np.abs(np.diff(naive)).max() > 2 * bound


def test_beeps_at_their_times_and_frequencies(tmp_path: Path) -> None:
    plan = {0.5: "count", 1.0: "count", 1.5: "go", 2.5: "warn", 3.0: "stop", 4.0: "end"}

    def script(cues: Cues, t_s: float) -> None:
        kind = plan.get(round(t_s, 2))
        if kind:
            assert cues.beep(kind) == pytest.approx(
                sum(d for _, d in BEEPS[kind]) + 0.05 * (len(BEEPS[kind]) - 1), abs=1e-4
            )

    frames = run_session(tmp_path / "b.wav", script, 5.0, fallback_speech(tmp_path))
    mono = frames.mean(axis=1)
    found = onsets_s(mono, threshold=0.02, min_gap_s=0.03)
    expected = []
    for t_s, kind in plan.items():
        start = t_s
        for freq_hz, duration_s in BEEPS[kind]:
            expected.append((start, freq_hz, duration_s))
            start += duration_s + 0.05
    assert found == pytest.approx([e[0] for e in expected], abs=0.003)
    for start, freq_hz, duration_s in expected:
        note = window(frames, start + 0.01, start + duration_s - 0.01).mean(axis=1)
        assert dominant_hz(note) == pytest.approx(freq_hz, rel=5e-3)


def test_fallback_prompts_are_tone_patterns_in_order(tmp_path: Path) -> None:
    speech = fallback_speech(tmp_path)
    assert not speech.available

    def script(cues: Cues, t_s: float) -> None:
        if round(t_s, 2) == 0.2:
            for text in ("hold", "3", "2"):
                cues.say(text)

    frames = run_session(tmp_path / "s.wav", script, 1.5, speech)
    mono = frames.mean(axis=1)
    found = onsets_s(mono, threshold=0.02, min_gap_s=0.02)
    motif = [0.2, 0.3, 0.4]  # three 70 ms notes, 30 ms apart
    # Each pattern is followed by a 150 ms pause; pips are 50 ms, 50 ms apart.
    three = [0.62 + 0.1 * i for i in range(3)]
    two = [1.02 + 0.1 * i for i in range(2)]
    assert found == pytest.approx(motif + three + two, abs=0.003)
    for start, freq_hz in zip(motif, (523.25, 659.26, 783.99), strict=True):
        assert dominant_hz(window(mono, start + 0.005, start + 0.065)) == pytest.approx(
            freq_hz, rel=1e-2
        )
    assert dominant_hz(window(mono, 0.625, 0.665)) == pytest.approx(1320.0, rel=1e-2)


@needs_espeak
def test_spoken_prompts_come_in_order(tmp_path: Path) -> None:
    speech = Speech(tmp_path / "cache", RATE_HZ)
    prompts = ["stand on your left leg", "close your eyes"]
    clips = [speech.clip(p) for p in prompts]
    durations: list[float] = []

    def script(cues: Cues, t_s: float) -> None:
        if round(t_s, 2) == 0.2:
            durations.extend(cues.say(p) for p in prompts)
            assert cues.busy_until_s == pytest.approx(0.2 + sum(durations), abs=1e-4)

    total_s = 0.5 + sum(len(c) for c in clips) / RATE_HZ
    frames = run_session(tmp_path / "p.wav", script, round(total_s / BLOCK_S) * BLOCK_S, speech)
    mono = frames.mean(axis=1)
    from scipy.signal import correlate

    starts = []
    for clip in clips:
        lag = int(np.argmax(correlate(mono, clip, mode="valid", method="fft")))
        starts.append(lag / RATE_HZ)
        # At that lag the WAV holds the clip itself (scaled and rounded to 16 bits).
        heard = mono[lag : lag + len(clip)]
        assert np.dot(heard, clip) / (np.linalg.norm(heard) * np.linalg.norm(clip)) > 0.999
    assert durations == [pytest.approx(len(c) / RATE_HZ) for c in clips]
    assert starts[0] == pytest.approx(0.2, abs=1e-3)
    assert starts[1] == pytest.approx(0.2 + durations[0], abs=1e-3)


def test_replay_writes_the_same_wav_as_the_live_run(tmp_path: Path) -> None:
    def script(cues: Cues, t_s: float) -> None:
        cues.feedback(*_tilt_at(t_s % 5.0))
        if round(t_s, 2) == 0.6:
            cues.say("1")
            cues.beep("go")

    live = tmp_path / "live.wav"
    replay = tmp_path / "replay.wav"
    run_session(live, script, 2.0, fallback_speech(tmp_path))
    run_session(replay, script, 2.0, fallback_speech(tmp_path))
    assert live.read_bytes() == replay.read_bytes()


def test_advance_to_follows_the_device_clock(tmp_path: Path) -> None:
    sink = NullSink()
    cues = Cues(sink, fallback_speech(tmp_path), FeedbackSettings(), RATE_HZ, start_s=100.0)
    cues.advance_to(100.5)
    cues.advance_to(100.4)  # a late block renders nothing
    assert sink.frames_written == round(0.5 * RATE_HZ) and cues.now_s == pytest.approx(100.5)
    cues.advance_to(103.0)  # after a gap, the audio catches up
    assert sink.frames_written == 3 * RATE_HZ
    cues.close()
    with pytest.raises(ValueError, match="beep kind must be one of count, go"):
        cues.beep("boop")
    path = tmp_path / "w.wav"
    with Cues(WavSink(path), fallback_speech(tmp_path), FeedbackSettings()) as cues:
        cues.advance_to(0.25)
    assert read_wav(path)[1].shape == (round(0.25 * RATE_HZ), 2)


def test_cues_open_from_settings(tmp_path: Path) -> None:
    settings = CuesSettings(sink="null", cache_dir=str(tmp_path / "cache"), beep_gain=0.2)
    with Cues.open(settings, FeedbackSettings()) as cues:
        assert isinstance(cues.sink, NullSink) and cues.speech.cache_dir == tmp_path / "cache"
    # "auto" without a sound card writes the WAV it is given.
    auto = CuesSettings(sink="auto", cache_dir=str(tmp_path / "cache"))
    with Cues.open(auto, FeedbackSettings(), wav_path=tmp_path / "heard.wav") as cues:
        cues.beep("count")
        cues.advance_to(0.2)
    if not has_sound_card():
        assert read_wav(tmp_path / "heard.wav")[1].shape == (round(0.2 * RATE_HZ), 2)
    with pytest.raises(ValueError, match="buffer_ms must be a number from 1 to 20"):
        CuesSettings(buffer_ms=40.0)
