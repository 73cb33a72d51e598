"""The shape of a guided trial, shared by every drill, and the timing every trial shares.

A trial, on the sensor's clock from its first sample::

    intro (spoken; the athlete stands still on both feet: calibration)
      -> ready:     calibrated, the intro finished, at least ``settle_s`` in
      -> move:      the drill's own prompt ("lift your right foot"), then ``hold_s``
      -> countdown: ``countdown`` beeps one second apart
      -> go:        a high beep; the scored span starts
      -> trial:     ``trial_s`` (or until the protocol ends it early)
      -> end:       the end tone; the scored span ends

Because the prompts are rendered before the trial starts, their lengths are
known, and so is the whole plan: a live athlete follows the cues; the
simulated athlete is generated to follow the same plan (:class:`TrialPlan`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from poise.checks import check_choice, check_count, check_number

if TYPE_CHECKING:
    from poise.drills import TrainSettings

LEGS = ("left", "right")
EYES = ("open", "closed")
SURFACES = ("firm", "foam")
#: The simulator's shortest quiet standing before a trial's move, s (its stance, hop
#: and lunge scenarios check it): a simulated athlete stands at least this long.
MIN_REFERENCE_S = 2.5


@dataclass(frozen=True)
class SessionTiming:
    """How every guided trial is timed, whatever the drill.

    Args:
        settle_s: shortest quiet standing before the countdown, s (the
            calibration needs 2 s of stillness).
        countdown: beeps before the go beep, one a second.
        calibration_timeout_s: no still period by then ends the trial as
            interrupted, s.
        stall_s: no samples for this long (host time) ends the trial as
            interrupted: the sensor stopped, s.
        rest_s: rest between trials, s (a key or the button skips it).
        find_mounting: before each leg's first trial, a functional calibration
            (stand still, bend the knee forward twice) finds how the sensor sits,
            and each trial's recording header keeps it; not on the board, nor when
            replaying a recording (its header says).
    """

    settle_s: float = 2.5
    countdown: int = 3
    calibration_timeout_s: float = 10.0
    stall_s: float = 1.0
    rest_s: float = 15.0
    find_mounting: bool = False

    def __post_init__(self) -> None:
        check_number("settle_s", self.settle_s, 2.0, 60.0)
        check_count("countdown", self.countdown, 0, 10)
        check_number("calibration_timeout_s", self.calibration_timeout_s, 3.0, 120.0)
        check_number("stall_s", self.stall_s, 0.1, 30.0)
        check_number("rest_s", self.rest_s, 0.0, 600.0)


@dataclass(frozen=True)
class Condition:
    """What a trial is: which leg (or the board), eyes, surface, and its number."""

    leg: str
    eyes: str = "open"
    surface: str = "firm"
    number: int = 1

    def __post_init__(self) -> None:
        check_choice("leg", self.leg, (*LEGS, "board"))
        check_choice("eyes", self.eyes, EYES)
        check_choice("surface", self.surface, SURFACES)


@dataclass(frozen=True)
class TrialPlan:
    """When each part of a trial happens if the athlete is calibrated at the first chance.

    Times in seconds from the trial's first sample. A live trial may run later
    (calibration found late); the simulated athlete is made to this plan.
    """

    move_s: float
    go_s: float
    end_s: float


@dataclass(frozen=True)
class DrillSpec:
    """One drill as a guided trial: its prompts, timing, feedback and simulated athlete.

    Args:
        name: the drill (one of :data:`poise.drills.DRILLS`).
        intro: the spoken instruction at the start of a trial.
        move: the prompt to get into position before the countdown.
        hold_s: time from the end of ``move`` to the countdown, s.
        trial_s: the trial's length from the go beep, s, from the settings.
        feedback: whether the biofeedback tone plays during the trial.
        sim: the simulator scenario and its parameters for a plan.
        summary: the drill's result (:attr:`poise.drills.drill.Drill.result`), as a
            short sentence to be spoken.
        settings: the drill's own ``[train]`` settings, a frozen dataclass with
            defaults (its keys are part of :class:`poise.drills.TrainSettings`).
        detector: the live detector of losses of balance for the stream's rate (Hz),
            if the drill hears them (:class:`poise.metrics.balance_loss.LossDetector`,
            the very detector the scoring runs).
        ends_at_loss: whether, by the settings, a loss of balance heard ends the trial.
    """

    name: str
    intro: Callable[[Condition], str]
    move: Callable[[Condition], str]
    hold_s: float
    trial_s: Callable[[Any], float]
    feedback: bool
    sim: Callable[[Condition, TrialPlan, Any], tuple[str, dict[str, Any]]]
    summary: Callable[[Any], str]
    settings: type
    detector: Callable[[float], Any] | None = None
    ends_at_loss: Callable[[Any], bool] = lambda settings: False

    def plan(self, intro_s: float, move_s: float, settings: TrainSettings) -> TrialPlan:
        """The trial's plan given the spoken intro and move prompt lengths, s."""
        ready = max(intro_s, settings.settle_s)
        go = ready + move_s + self.hold_s + settings.countdown
        return TrialPlan(ready, go, go + self.trial_s(settings))


def leg_phrase(c: Condition) -> str:
    """``"Right leg"`` or ``"Board"``."""
    return "Board" if c.leg == "board" else f"{c.leg.capitalize()} leg"
