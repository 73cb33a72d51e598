"""The cues of a live session: what the drill engine calls to speak, beep and sonify tilt.

:class:`Cues` ties one :class:`~poise.cues.mixer.Mixer` to one sink and keeps
audio time on the sensor's clock: the engine calls :meth:`Cues.advance_to`
once per sample block with the block's device time, and exactly the frames up
to that time are rendered and written. Audio therefore depends only on the
sequence of calls and their times, so a replay at full speed writes the same
WAV as the live session did.

Beeps (``beep(kind)``), each distinct in pitch and rhythm; they start at once,
over any speech (see :mod:`poise.cues.mixer`):

========  =====================================  ======================================
kind      notes (Hz x s), 50 ms apart            meaning
========  =====================================  ======================================
count     1000 x 0.08                            one step of a countdown
go        1500 x 0.30                            start now
stop      500 x 0.50                             stop (trial over or balance lost)
end       1000 x 0.12, 750 x 0.12, 500 x 0.25    the drill is over (falling three notes)
warn      2000 x 0.06, 2000 x 0.06               attention (a quick high double pip)
========  =====================================  ======================================

The biofeedback tone (:mod:`poise.cues.biofeedback`) sits between 400 and
1200 Hz by default and is continuous, so it is not mistaken for a beep.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from poise.checks import check_count, check_number
from poise.cues.biofeedback import FeedbackSettings, FeedbackTone, feedback_tone
from poise.cues.mixer import Mixer
from poise.cues.sinks import NullSink, Sink, WavSink, open_sink
from poise.cues.speech import (
    NO_SPEECH_GAP_S,
    NO_SPEECH_NOTES,
    Speech,
    default_cache_dir,
    fallback_notes,
)
from poise.cues.synth import notes

BEEP_GAP_S = 0.05
BEEPS: dict[str, list[tuple[float, float]]] = {
    "count": [(1000.0, 0.08)],
    "go": [(1500.0, 0.30)],
    "stop": [(500.0, 0.50)],
    "end": [(1000.0, 0.12), (750.0, 0.12), (500.0, 0.25)],
    "warn": [(2000.0, 0.06), (2000.0, 0.06)],
}


@dataclass(frozen=True)
class CuesSettings:
    """Audio output, speech and levels of the live cues.

    Args:
        sink: where audio goes: ``auto`` (the sound card if there is one, else a
            WAV beside the session), ``alsa[:DEVICE]``, ``wav:PATH``, ``null`` or
            ``buzzer:GPIO``.
        rate_hz: mixer sample rate, Hz (espeak-ng renders at 22050 Hz).
        buffer_ms: ALSA output buffer, ms (at most one 20 ms engine block).
        voice: espeak-ng voice for spoken prompts.
        words_per_minute: speaking rate of the prompts.
        cache_dir: where rendered prompts are cached; empty for
            ``$XDG_CACHE_HOME/poise/speech``.
        speech_gain: level of spoken prompts, 0..1.
        beep_gain: level of beeps, 0..1.
        duck_gain: factor on the biofeedback tone while a prompt is spoken, 0..1.
    """

    sink: str = "auto"
    rate_hz: int = 22050
    buffer_ms: float = 20.0
    voice: str = "en"
    words_per_minute: int = 160
    cache_dir: str = ""
    speech_gain: float = 0.9
    beep_gain: float = 0.5
    duck_gain: float = 0.35

    def __post_init__(self) -> None:
        check_count("rate_hz", self.rate_hz, 8000, 192000)
        check_number("buffer_ms", self.buffer_ms, 1.0, 20.0)
        check_count("words_per_minute", self.words_per_minute, 80, 450)
        for name in ("speech_gain", "beep_gain", "duck_gain"):
            check_number(name, getattr(self, name), 0.0, 1.0)


class Cues:
    """Speech, beeps and biofeedback for one session, rendered on the sensor's clock.

    Args:
        sink: where frames go (:mod:`poise.cues.sinks`); a sink with a ``tone``
            method (the piezo buzzer) is also told the one tone to sound.
        speech: renders prompts (:class:`~poise.cues.speech.Speech`).
        feedback_settings: how tilt becomes the biofeedback tone.
        rate_hz: sample rate, Hz (the speech's rate too).
        start_s: session time of the first frame, s (the device time the engine
            passes to :meth:`advance_to` counts from here).
        speech_gain, beep_gain, duck_gain: levels, see :class:`CuesSettings`.

    >>> import tempfile
    >>> from poise.cues.sinks import NullSink
    >>> speech = Speech(tempfile.mkdtemp(), program="no-such-espeak")
    >>> cues = Cues(NullSink(), speech, FeedbackSettings())
    >>> cues.beep("go")
    0.3
    >>> cues.feedback(0.0, 2.0)
    >>> cues.advance_to(0.1); cues.now_s, round(cues.busy_until_s, 6)
    (0.1, 0.3)
    """

    def __init__(
        self,
        sink: Sink,
        speech: Speech,
        feedback_settings: FeedbackSettings,
        rate_hz: int = 22050,
        *,
        start_s: float = 0.0,
        speech_gain: float = 0.9,
        beep_gain: float = 0.5,
        duck_gain: float = 0.35,
    ) -> None:
        if speech.rate_hz != rate_hz:
            raise ValueError(f"speech renders at {speech.rate_hz} Hz, the mixer at {rate_hz} Hz")
        self.sink = sink
        self.speech = speech
        self.feedback_settings = feedback_settings
        self.rate_hz = rate_hz
        self.start_s = start_s
        self.speech_gain = speech_gain
        self.mixer = Mixer(rate_hz, duck_gain=duck_gain)
        self.baseline_ap_deg = 0.0
        self.baseline_ml_deg = 0.0
        self.tone: FeedbackTone | None = None
        self._beeps = {kind: notes(p, BEEP_GAP_S, rate_hz, beep_gain) for kind, p in BEEPS.items()}
        # For one-tone sinks: (start_s, end_s, freq_hz) of each note still to sound.
        self._tone_hook = getattr(sink, "tone", None)
        self._notes: list[tuple[float, float, float]] = []

    @classmethod
    def open(
        cls,
        settings: CuesSettings,
        feedback_settings: FeedbackSettings,
        wav_path: str | Path | None = None,
        start_s: float = 0.0,
    ) -> Cues:
        """Cues as ``settings`` say; with ``sink = "auto"`` and no sound card, a WAV at
        ``wav_path`` (or nothing, without one)."""
        sink = open_sink(settings.sink, settings.rate_hz, settings.buffer_ms)
        if sink is None:
            sink = WavSink(wav_path, settings.rate_hz) if wav_path else NullSink()
        speech = Speech(
            settings.cache_dir or default_cache_dir(),
            settings.rate_hz,
            settings.voice,
            settings.words_per_minute,
        )
        return cls(
            sink,
            speech,
            feedback_settings,
            settings.rate_hz,
            start_s=start_s,
            speech_gain=settings.speech_gain,
            beep_gain=settings.beep_gain,
            duck_gain=settings.duck_gain,
        )

    @property
    def now_s(self) -> float:
        """Session time up to which audio has been rendered, s."""
        return self.start_s + self.mixer.frames_rendered / self.rate_hz

    @property
    def busy_until_s(self) -> float:
        """Session time at which every queued prompt and beep will have finished, s."""
        return self.now_s + self.mixer.busy_s

    def say(self, text: str) -> float:
        """Queue a spoken prompt after those already queued; its duration, s.

        Numbers are spoken too (``say("3")``); without espeak-ng the prompt is a
        tone pattern (:func:`~poise.cues.speech.fallback_notes`), and a one-tone
        sink (the buzzer, which cannot speak) always sounds that pattern.
        """
        start_s = self.now_s + self.mixer.queued_s
        duration_s = self.mixer.play(self.speech.clip(text), gain=self.speech_gain)
        if self._tone_hook is not None:
            self._schedule(start_s, *fallback_notes(text))
        return duration_s

    @property
    def speaks(self) -> bool:
        """Whether prompts are heard as words (espeak-ng, on a sink that plays speech)."""
        return self.speech.available and self._tone_hook is None

    def announce_no_speech(self) -> float:
        """Queue the pattern that says "prompts will be tone patterns"; its duration, s."""
        start_s = self.now_s + self.mixer.queued_s
        clip = notes(NO_SPEECH_NOTES, NO_SPEECH_GAP_S, self.rate_hz, gain=0.6)
        if self._tone_hook is not None:
            self._schedule(start_s, NO_SPEECH_NOTES, NO_SPEECH_GAP_S)
        return self.mixer.play(clip, gain=self.speech_gain)

    def beep(self, kind: str) -> float:
        """Start the beep ``kind`` now (see the table above); its duration, s."""
        if kind not in BEEPS:
            raise ValueError(f"beep kind must be one of {', '.join(BEEPS)}, not {kind!r}")
        if self._tone_hook is not None:
            self._schedule(self.now_s, BEEPS[kind], BEEP_GAP_S)
        return self.mixer.play(self._beeps[kind], queue=False)

    def set_baseline(self, ap_deg: float, ml_deg: float) -> None:
        """The athlete's own upright tilt, deg: the centre of the silent dead zone."""
        self.baseline_ap_deg = ap_deg
        self.baseline_ml_deg = ml_deg

    def feedback(self, tilt_ap_deg: float, tilt_ml_deg: float) -> None:
        """Steer the biofeedback tone by the latest tilt, deg (once per block)."""
        self.tone = feedback_tone(
            tilt_ap_deg,
            tilt_ml_deg,
            self.baseline_ap_deg,
            self.baseline_ml_deg,
            self.feedback_settings,
        )
        self.mixer.set_feedback(self.tone)

    def silence_feedback(self) -> None:
        """Fade the biofeedback tone out (it returns with the next :meth:`feedback`)."""
        self.tone = None
        self.mixer.set_feedback(None)

    def advance_to(self, t_s: float) -> None:
        """Render the audio up to session time ``t_s`` (s) and write it to the sink.

        A time at or before :attr:`now_s` renders nothing.
        """
        n_frames = round((t_s - self.start_s) * self.rate_hz) - self.mixer.frames_rendered
        if n_frames <= 0:
            return
        self.sink.write(self.mixer.render(n_frames))
        if self._tone_hook is not None:
            self._tone_hook(self._one_tone_hz())

    def close(self) -> None:
        """Stop any tone and close the sink."""
        if self._tone_hook is not None:
            self._tone_hook(None)
        self.sink.close()

    def __enter__(self) -> Cues:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _schedule(self, start_s: float, pattern: list[tuple[float, float]], gap_s: float) -> None:
        for freq_hz, duration_s in pattern:
            self._notes.append((start_s, start_s + duration_s, freq_hz))
            start_s += duration_s + gap_s

    def _one_tone_hz(self) -> float | None:
        """The tone a one-tone sink should sound now: a note of a beep or prompt, else feedback."""
        now_s = self.now_s
        self._notes = [note for note in self._notes if note[1] > now_s]
        sounding = [freq_hz for start_s, _, freq_hz in self._notes if start_s <= now_s]
        return sounding[0] if sounding else self.mixer.feedback_freq_hz
