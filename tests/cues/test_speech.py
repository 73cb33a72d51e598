"""Spoken prompts: rendered once, cached on disk, resampled; the fallback without espeak-ng."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from audio_checks import RATE_HZ, dominant_hz, fallback_speech, needs_espeak, onsets_s

from poise.cues.speech import Speech
from poise.errors import PoiseError


@needs_espeak
def test_a_prompt_is_rendered_once_per_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = Speech(cache, RATE_HZ)
    assert first.available
    clip = first.clip("stand on your right leg")
    assert first.renders == 1 and clip.dtype == np.float32
    assert 0.05 < float(np.abs(clip).max()) <= 1.0 and len(clip) > 0.5 * RATE_HZ
    path = first.cache_path("stand on your right leg")
    mtime_ns = path.stat().st_mtime_ns
    assert first.clip("stand  on your right leg ") is clip  # same words, kept in memory
    # A new session with the same cache runs espeak-ng for nothing it has rendered.
    again = Speech(cache, RATE_HZ)
    np.testing.assert_array_equal(again.clip("stand on your right leg"), clip)
    assert again.renders == 0 and path.stat().st_mtime_ns == mtime_ns
    assert [p.name for p in cache.iterdir()] == [path.name]  # no temporary files left
    # Another speed is another clip.
    faster = Speech(cache, RATE_HZ, words_per_minute=260)
    assert len(faster.clip("stand on your right leg")) < len(clip) and faster.renders == 1
    # Numbers and countdown words are spoken too.
    assert len(again.clip("3")) > 0.1 * RATE_HZ and again.renders == 1


@needs_espeak
def test_clips_are_resampled_to_the_mixer_rate(tmp_path: Path) -> None:
    native = Speech(tmp_path, 22050).clip("go")
    doubled = Speech(tmp_path, 44100)
    clip = doubled.clip("go")
    assert doubled.renders == 0  # the cache keeps espeak-ng's own output, whatever the rate
    assert abs(len(clip) - 2 * len(native)) <= 2
    # The same sound: the decimated clip matches the native one.
    np.testing.assert_allclose(clip[::2][: len(native)], native, atol=0.05)


@needs_espeak
def test_an_unknown_voice_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(PoiseError, match=r"espeak-ng voice 'zz-nonexistent': .*\S") as e:
        Speech(tmp_path, RATE_HZ, voice="zz-nonexistent").clip("hello")
    assert "\n" not in str(e.value)


def test_a_broken_cache_directory_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(PoiseError, match=r"^speech cache .*file/speech: Not a directory$"):
        Speech(blocker / "speech", RATE_HZ)
    with pytest.raises(PoiseError, match="not a voice name"):
        Speech(tmp_path, RATE_HZ, voice="-x")


def test_without_espeak_each_prompt_is_a_distinct_tone_pattern(tmp_path: Path) -> None:
    speech = fallback_speech(tmp_path)
    assert not speech.available and speech.version is None
    countdown = [speech.clip(word) for word in ("3", "two", "One.")]
    assert [len(onsets_s(c)) for c in countdown] == [3, 2, 1]
    assert all(
        dominant_hz(c[: round(0.05 * RATE_HZ)]) == pytest.approx(1320, 1e-2) for c in countdown
    )
    motif = speech.clip("eyes closed")
    assert len(onsets_s(motif)) == 3
    assert dominant_hz(motif[: round(0.07 * RATE_HZ)]) == pytest.approx(523.25, 1e-2)
    assert speech.renders == 0 and list((tmp_path / "speech-cache").iterdir()) == []
