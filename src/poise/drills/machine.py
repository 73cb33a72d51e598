"""The state machine of one guided trial: from the intro to the end tone.

It is pure: it is told the time (the sensor's clock), whether the calibration
has been found, the losses of balance seen live, and the athlete's or coach's
commands; it answers with actions (say, beep, feedback on or off, end). The
times that matter (go, end) are worked out from the calibration's own time,
not from when a block happened to arrive, so the same recording gives the same
scored span whatever the block size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from poise.drills.protocol import Condition, DrillSpec

if TYPE_CHECKING:
    from poise.drills import TrainSettings

#: A stance trial ended by a loss of balance runs on this long after it, s: the
#: loss detector decides a loss at most 0.6 s after its time, so the scored span
#: holds what was heard.
LOSS_END_MARGIN_S = 1.2


class Phase(StrEnum):
    INTRO = "intro"  # spoken instructions; standing still on both feet: calibration
    MOVE = "move"  # getting into position
    COUNTDOWN = "countdown"
    TRIAL = "trial"
    DONE = "done"


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Beep:
    kind: str  # "count", "go", "end", "warn", "stop"


@dataclass(frozen=True)
class Feedback:
    on: bool


@dataclass(frozen=True)
class Mark:
    """A loss of balance heard live, at ``t_s`` (device time)."""

    t_s: float
    kind: str


@dataclass(frozen=True)
class End:
    status: str
    reason: str


Action = Say | Beep | Feedback | Mark | End


class TrialMachine:
    """One trial of a drill.

    Args:
        spec: the drill.
        condition: leg, eyes, surface, trial number.
        settings: the session's timing.
        intro_s, move_s: lengths of the spoken intro and move prompts, s.

    >>> from poise.drills import LIVE, TrainSettings
    >>> from poise.drills.protocol import Condition
    >>> m = TrialMachine(LIVE["stance"], Condition("right"), TrainSettings(), 2.0, 1.0)
    >>> [type(a).__name__ for a in m.start(0.0)]
    ['Say']
    >>> m.step(2.6, calibrated_at=2.0)  # ready at 2.5 s: the move prompt
    [Say(text='Lift your left foot. Hold still.')]
    >>> m.go_s, m.end_s
    (6.5, 36.5)
    """

    def __init__(
        self,
        spec: DrillSpec,
        condition: Condition,
        settings: TrainSettings,
        intro_s: float,
        move_s: float,
        guided: bool = True,
    ) -> None:
        self.spec = spec
        self.guided = guided
        self.condition = condition
        self.settings = settings
        self.intro_s = intro_s
        self.move_s = move_s
        self.phase = Phase.INTRO
        self.t0: float | None = None
        self.go_s: float | None = None
        self.end_s: float | None = None
        self.status: str | None = None
        self.reason = ""
        self.marks: list[Mark] = []
        self._beeps_done = 0

    def start(self, t0: float) -> list[Action]:
        """The trial's first sample arrived at ``t0`` (device time): speak the intro.

        Unguided (a recording replayed as it is, with no intro of its own), the
        scored span starts at ``t0`` and runs to the end of the stream
        (:meth:`finish`); a drill that ends at a loss still ends there.
        """
        self.t0 = t0
        if not self.guided:
            self.phase = Phase.TRIAL
            self.go_s, self.end_s = t0, math.inf
            return [Beep("go"), *([Feedback(True)] if self.spec.feedback else [])]
        return [Say(self.spec.intro(self.condition))]

    def step(self, t_s: float, calibrated_at: float | None, failed: bool = False) -> list[Action]:
        """Time has reached ``t_s``; ``calibrated_at`` is when the reference still period
        ended (None while it is being looked for; ``failed`` when the search gave up)."""
        assert self.t0 is not None, "start() first"
        s = self.settings
        out: list[Action] = []
        if self.phase is Phase.INTRO:
            if failed or (calibrated_at is None and t_s - self.t0 > s.calibration_timeout_s):
                return self._end(t_s, "interrupted", "no still period to calibrate on")
            if calibrated_at is None:
                return out
            ready = max(self.t0 + self.intro_s, self.t0 + s.settle_s, calibrated_at)
            if t_s < ready:
                return out
            self.phase = Phase.MOVE
            self.go_s = ready + self.move_s + self.spec.hold_s + s.countdown
            self.end_s = self.go_s + self.spec.trial_s(s)
            out.append(Say(self.spec.move(self.condition)))
        if self.phase in (Phase.MOVE, Phase.COUNTDOWN):
            assert self.go_s is not None
            first_beep = self.go_s - s.countdown
            while self._beeps_done < s.countdown and t_s >= first_beep + self._beeps_done:
                self.phase = Phase.COUNTDOWN
                self._beeps_done += 1
                out.append(Beep("count"))
            if t_s >= self.go_s:
                self.phase = Phase.TRIAL
                out.append(Beep("go"))
                if self.spec.feedback:
                    out.append(Feedback(True))
        if self.phase is Phase.TRIAL and self.end_s is not None and t_s >= self.end_s:
            out += self._end(self.end_s, "complete", "")
        return out

    def loss(self, t_s: float, kind: str) -> list[Action]:
        """A loss of balance seen live at ``t_s``: marked, and the trial ended if the
        protocol says so. Judged by its time, inside the scored span ``[go, end]``
        (a block may carry the go beep or the end after it), not by the phase."""
        if self.phase is Phase.DONE or self.go_s is None or self.end_s is None:
            return []
        if not self.go_s <= t_s <= self.end_s:
            return []
        mark = Mark(t_s, kind)
        self.marks.append(mark)
        if self.spec.ends_at_loss(self.settings):
            assert self.end_s is not None
            self.end_s = min(self.end_s, t_s + LOSS_END_MARGIN_S)
            return [mark]
        return [mark, Beep("warn")]

    def finish(self, t_s: float, reason: str) -> list[Action]:
        """The stream ended at ``t_s``: an unguided trial is complete there, a guided
        one is interrupted (it did not run its course)."""
        if not self.guided:
            return self.stop(t_s, "complete", "")
        return self.stop(t_s, "interrupted", reason)

    def stop(self, t_s: float, status: str, reason: str) -> list[Action]:
        """End now (a command, or the stream stopped), unless the trial is already over."""
        if self.phase is Phase.DONE:
            return []
        return self._end(t_s, status, reason)

    def _end(self, t_s: float, status: str, reason: str) -> list[Action]:
        was_trial = self.phase is Phase.TRIAL
        self.phase = Phase.DONE
        self.status, self.reason = status, reason
        if self.end_s is None or t_s < self.end_s:
            self.end_s = t_s
        out: list[Action] = [Beep("end" if status == "complete" else "stop")]
        if was_trial and self.spec.feedback:
            out.insert(0, Feedback(False))
        return [*out, End(status, reason)]

    @property
    def scored(self) -> bool:
        """Whether the trial reached its scored span (at least part of it)."""
        return self.go_s is not None and self.end_s is not None and self.end_s > self.go_s
