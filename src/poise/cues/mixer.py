"""The one mixer: speech clips, beeps and the biofeedback tone mixed into one stereo stream.

Every sound the athlete hears goes through one :class:`Mixer`, rendered block
by block in the order the engine asks for it, so a session gives the same
samples whether it runs live or is replayed at full speed.

Decisions, for the athlete who has only their ears:

- **Speech queues.** ``play(clip)`` (``queue=True``, the default) starts a
  clip when the clips queued before it have finished, so prompts are never
  spoken over each other and come in the order asked.
- **Beeps overlap.** ``play(clip, queue=False)`` starts the clip at the
  current render position whatever else is playing: a beep's moment is its
  meaning ("go" is the start of the trial), so it is never delayed behind a
  prompt. Beeps are short, and the soft limiter keeps the sum in range.
- **Feedback ducks under speech.** While a queued clip plays, the biofeedback
  tone's target gain is multiplied by ``duck_gain`` (0.35 by default, about
  -9 dB), ramped like any other change, so a prompt stays intelligible and the
  athlete still hears where they are.
- **No clicks.** The biofeedback tone's frequency and per-channel gains glide
  linearly to each new target over ``glide_s`` (20 ms, one engine block), and
  the oscillator's phase is carried across blocks (see :mod:`poise.cues.synth`).
- **No wrap-around.** The sum passes a soft limiter (:func:`~poise.cues.synth.soft_limit`):
  unchanged below 0.8 of full scale, bent smoothly towards 1 above it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from poise.checks import check_number
from poise.cues.biofeedback import FeedbackTone
from poise.cues.synth import glide, oscillator, pan_gains, soft_limit


@dataclass
class _Voice:
    """A clip being played: its samples, channel gains and read position (frames)."""

    samples: np.ndarray
    left: float
    right: float
    pos: int = 0

    @property
    def frames_left(self) -> int:
        return len(self.samples) - self.pos

    def mix_into(self, out: np.ndarray) -> None:
        """Add the next ``len(out)`` frames (or what is left) to ``out`` and move on."""
        chunk = self.samples[self.pos : self.pos + len(out)]
        out[: len(chunk), 0] += chunk * self.left
        out[: len(chunk), 1] += chunk * self.right
        self.pos += len(chunk)


class Mixer:
    """Mixes queued clips, overlapping clips and one biofeedback tone into stereo frames.

    Args:
        rate_hz: output sample rate, Hz.
        glide_s: time the biofeedback tone takes to reach a new target, s.
        duck_gain: factor on the biofeedback tone while a queued clip (speech) plays.

    >>> import numpy as np
    >>> from poise.cues.biofeedback import FeedbackTone
    >>> m = Mixer(22050)
    >>> m.play(np.full(2205, 0.5, dtype=np.float32))
    0.1
    >>> m.set_feedback(FeedbackTone(440.0, 0.3, 1.0))
    >>> round(m.busy_s, 3), m.render(441).shape, round(m.busy_s, 3), m.frames_rendered
    (0.1, (441, 2), 0.08, 441)
    """

    def __init__(self, rate_hz: int = 22050, glide_s: float = 0.02, duck_gain: float = 0.35):
        check_number("rate_hz", rate_hz, 8000.0, 192000.0)
        check_number("glide_s", glide_s, 0.0, 1.0)
        check_number("duck_gain", duck_gain, 0.0, 1.0)
        self.rate_hz = rate_hz
        self.duck_gain = duck_gain
        self.frames_rendered = 0
        self._glide_frames = max(1, round(glide_s * rate_hz))
        self._queue: deque[_Voice] = deque()
        self._overlapping: list[_Voice] = []
        self._tone: FeedbackTone | None = None
        self._ducked = False
        # Biofeedback oscillator: current and target frequency and channel gains.
        self._phase_rad = 0.0
        self._freq_hz = 440.0
        self._left = self._right = 0.0
        self._target = (440.0, 0.0, 0.0)
        self._glide_left = 0

    def play(
        self, clip: np.ndarray, pan: float = 0.0, gain: float = 1.0, queue: bool = True
    ) -> float:
        """Play a mono clip (float, -1..1 at ``rate_hz``); its duration, s.

        ``queue=True`` starts it after the queued clips before it (speech);
        ``queue=False`` starts it now, over whatever plays (beeps).
        """
        samples = np.ascontiguousarray(clip, dtype=np.float32).reshape(-1)
        left, right = pan_gains(pan)
        voice = _Voice(samples, left * gain, right * gain)
        if len(samples):
            (self._queue if queue else self._overlapping).append(voice)
        return len(samples) / self.rate_hz

    def set_feedback(self, tone: FeedbackTone | None) -> None:
        """Glide the biofeedback tone to ``tone``; None fades it out."""
        self._tone = tone
        self._retarget()

    @property
    def busy_s(self) -> float:
        """Seconds until every clip now playing or queued has finished."""
        overlapping = max((v.frames_left for v in self._overlapping), default=0)
        return max(self.queued_s, overlapping / self.rate_hz)

    @property
    def queued_s(self) -> float:
        """Seconds until the queued clips (speech) have finished: when a new one would start."""
        return sum(v.frames_left for v in self._queue) / self.rate_hz

    @property
    def speaking(self) -> bool:
        """Whether a queued clip (speech) is playing."""
        return bool(self._queue)

    @property
    def feedback_freq_hz(self) -> float | None:
        """The biofeedback tone's current frequency, Hz, or None while it is silent."""
        return self._freq_hz if self._left > 0.0 or self._right > 0.0 else None

    def render(self, n_frames: int) -> np.ndarray:
        """The next ``n_frames`` stereo frames, float32 in [-1, 1], shape (n_frames, 2)."""
        out = np.zeros((n_frames, 2), dtype=np.float64)
        done = 0
        while done < n_frames:
            # Split the block where a queued clip ends: ducking follows the speech exactly.
            seg = n_frames - done
            if self._queue:
                seg = min(seg, self._queue[0].frames_left)
            self._render_feedback(out[done : done + seg])
            if self._queue:
                self._queue[0].mix_into(out[done : done + seg])
                if self._queue[0].frames_left == 0:
                    self._queue.popleft()
            done += seg
        for voice in self._overlapping:
            voice.mix_into(out)
        self._overlapping = [v for v in self._overlapping if v.frames_left]
        self.frames_rendered += n_frames
        return soft_limit(out).astype(np.float32)

    def _retarget(self) -> None:
        self._ducked = self.speaking
        if self._tone is None or self._tone.gain <= 0.0:
            self._target = (self._freq_hz, 0.0, 0.0)
        else:
            gain = self._tone.gain * (self.duck_gain if self._ducked else 1.0)
            left, right = pan_gains(self._tone.pan)
            self._target = (self._tone.freq_hz, left * gain, right * gain)
            if self._left == 0.0 and self._right == 0.0:
                # Starting from silence: no audible slide from a stale pitch.
                self._freq_hz = self._tone.freq_hz
        silent = self._target[1:] == (0.0, 0.0) and self._left == self._right == 0.0
        self._glide_left = 0 if silent else self._glide_frames

    def _render_feedback(self, out: np.ndarray) -> None:
        if self._ducked != self.speaking:
            self._retarget()
        freq_hz, left, right = self._target
        if self._glide_left == 0 and left == 0.0 and right == 0.0:
            self._left = self._right = 0.0  # silent: nothing to render
            return
        n = len(out)
        freqs = glide(self._freq_hz, freq_hz, self._glide_left, n)
        lefts = glide(self._left, left, self._glide_left, n)
        rights = glide(self._right, right, self._glide_left, n)
        wave, self._phase_rad = oscillator(freqs, 1.0, self._phase_rad, self.rate_hz)
        out[:, 0] += wave * lefts
        out[:, 1] += wave * rights
        self._freq_hz, self._left, self._right = (
            float(freqs[-1]),
            float(lefts[-1]),
            float(rights[-1]),
        )
        self._glide_left -= min(self._glide_left, n)
