"""Without speech, the athlete is told once, by a tone pattern, before any prompt."""

from __future__ import annotations

from audio_checks import dominant_hz, fallback_speech, onsets_s, run_session, window

from poise.cues.speech import MOTIF_HZ, NO_SPEECH_NOTES


def test_the_no_speech_pattern_plays_first_falling_then_the_prompt(tmp_path):
    speech = fallback_speech(tmp_path)
    said = []

    def script(cues, t_s):
        if t_s == 0.0:
            assert not cues.speaks
            said.append(cues.announce_no_speech())
            cues.say("Stand still on both feet.")

    frames = run_session(tmp_path / "s.wav", script, 2.5, speech)[:, 0]
    (duration_s,) = said
    # Three notes, each at its pitch, falling: the prompt's motif played backwards.
    heard = [
        dominant_hz(window(frames, start + 0.05, start + 0.2))
        for start in onsets_s(window(frames, 0.0, duration_s), min_gap_s=0.05)
    ]
    assert len(heard) == len(NO_SPEECH_NOTES) == 3
    for got, (want, _) in zip(heard, NO_SPEECH_NOTES, strict=True):
        assert abs(got - want) < 0.02 * want
    assert heard[0] > heard[1] > heard[2]
    # Then the prompt's own (rising) motif, after the announcement.
    prompt = onsets_s(window(frames, duration_s, 2.5), min_gap_s=0.02)
    assert prompt
    first = duration_s + prompt[0]
    assert abs(dominant_hz(window(frames, first + 0.01, first + 0.06)) - MOTIF_HZ[0]) < 15
