"""The tilt-to-tone mapping: dead zone, growth with distance, panning, modes, bad settings."""

from __future__ import annotations

import math

import pytest

from poise.cues.biofeedback import FeedbackSettings, feedback_tone

SETTINGS = FeedbackSettings()


def test_silent_inside_the_dead_zone_around_the_athletes_own_baseline() -> None:
    baseline = (2.0, -1.0)
    for angle in range(0, 360, 30):
        r = 0.99 * SETTINGS.dead_zone_deg
        ap, ml = (
            baseline[0] + r * math.cos(math.radians(angle)),
            baseline[1] + r * math.sin(math.radians(angle)),
        )
        assert feedback_tone(ap, ml, *baseline, SETTINGS).gain == 0.0
        # The same tilt measured from a zero baseline is well outside the dead zone.
        assert feedback_tone(ap, ml, 0.0, 0.0, SETTINGS).gain > 0.0


def test_pitch_and_loudness_grow_with_distance_then_saturate() -> None:
    distances = [0.6, 1.0, 2.0, 3.0, 4.0, 4.9]
    tones = [feedback_tone(d, 0.0, 0.0, 0.0, SETTINGS) for d in distances]
    freqs = [t.freq_hz for t in tones]
    gains = [t.gain for t in tones]
    assert freqs == sorted(freqs) and len(set(freqs)) == len(freqs)
    assert gains == sorted(gains) and len(set(gains)) == len(gains)
    assert SETTINGS.base_freq_hz < freqs[0] and freqs[-1] < SETTINGS.max_freq_hz
    beyond = feedback_tone(-9.0, 0.0, 0.0, 0.0, SETTINGS)
    assert beyond.freq_hz == pytest.approx(SETTINGS.max_freq_hz)
    assert beyond.gain == pytest.approx(SETTINGS.volume)
    # Equal musical steps: the pitch ratio per degree is constant.
    r1, r2 = freqs[2] / freqs[1], freqs[3] / freqs[2]
    assert r1 == pytest.approx(r2)


def test_balance_follows_ml_tilt_right_is_positive() -> None:
    right = feedback_tone(0.0, 2.0, 0.0, 0.0, SETTINGS)
    left = feedback_tone(0.0, -2.0, 0.0, 0.0, SETTINGS)
    forward = feedback_tone(2.0, 0.0, 0.0, 0.0, SETTINGS)
    assert right.pan > 0.0 > left.pan and right.pan == -left.pan
    assert forward.pan == 0.0
    assert feedback_tone(0.0, 20.0, 0.0, 0.0, SETTINGS).pan == 1.0
    # Relative to the baseline: leaning 1 deg right of a baseline 2 deg left pans left.
    assert feedback_tone(0.0, -1.0, 0.0, -2.0, SETTINGS).pan > 0.0


def test_off_mode_is_always_silent_and_alarm_mode_fires_only_beyond_its_threshold() -> None:
    off = FeedbackSettings(mode="off")
    assert all(feedback_tone(t, t, 0.0, 0.0, off).gain == 0.0 for t in (0.0, 1.0, 10.0))
    alarm = FeedbackSettings(mode="alarm", alarm_deg=3.0)
    assert feedback_tone(2.9, 0.0, 0.0, 0.0, alarm).gain == 0.0
    low, high = feedback_tone(3.1, 0.0, 0.0, 0.0, alarm), feedback_tone(8.0, 0.0, 0.0, 0.0, alarm)
    assert low.gain == high.gain == alarm.volume
    assert low.freq_hz == high.freq_hz == alarm.alarm_freq_hz


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mode", "loud", "mode must be one of off, alarm, continuous"),
        ("dead_zone_deg", -0.1, "dead_zone_deg must be"),
        ("max_freq_hz", 300.0, "max_freq_hz must be a number from 400"),
        ("saturation_deg", 0.5, "saturation_deg must be a number above 0.5"),
        ("volume", float("nan"), "volume must be"),
    ],
)
def test_bad_settings_are_one_clear_line(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FeedbackSettings(**{field: value})
