"""Audio cues for eyes-closed drills: speech, beeps and biofeedback through one mixer.

- :mod:`poise.cues.synth`: oscillators, beeps, panning (pure NumPy);
- :mod:`poise.cues.biofeedback`: tilt to tone (pitch, loudness, left/right);
- :mod:`poise.cues.speech`: espeak-ng prompts, cached, with a tone fallback;
- :mod:`poise.cues.mixer`: the one mixer;
- :mod:`poise.cues.sinks`: WAV, ALSA (aplay), null, piezo buzzer;
- :mod:`poise.cues.player`: :class:`Cues`, what the drill engine calls.
"""

from __future__ import annotations

from poise.cues.biofeedback import FeedbackSettings, FeedbackTone, feedback_tone
from poise.cues.mixer import Mixer
from poise.cues.player import BEEPS, Cues, CuesSettings
from poise.cues.sinks import AlsaSink, BuzzerSink, NullSink, Sink, WavSink, open_sink
from poise.cues.speech import Speech

__all__ = [
    "BEEPS",
    "AlsaSink",
    "BuzzerSink",
    "Cues",
    "CuesSettings",
    "FeedbackSettings",
    "FeedbackTone",
    "Mixer",
    "NullSink",
    "Sink",
    "Speech",
    "WavSink",
    "feedback_tone",
    "open_sink",
]
