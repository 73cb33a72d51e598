"""A guided session: legs x trials of one drill, heard, shown and logged.

For each trial: the drill's machine and a raw recording are started, the
stream's blocks go through the :class:`~poise.live.engine.TrialEngine`, the
actions it returns are played (speech, beeps, the biofeedback tone), the
result is scored, spoken, shown and logged, then the athlete rests. Audio runs
on the session's clock: each trial's sensor time, one after the other, with
the rests between; a replay at full speed writes the same sound a live
session plays.

Nothing is lost: the raw recording is appended block by block, the trial is
in the store as ``running`` from its first sample, and a stream that stops
ends the trial as interrupted, said aloud, without ending the session. A disk
that fills ends the trial as interrupted too, said aloud, keeps its samples
and result (:mod:`poise.live.full_disk`), and stops the session in one line.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import time
import uuid
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from poise.checks import check_choice, check_count, check_number
from poise.drills import DRILLS, LIVE, TrainSettings
from poise.drills.machine import Beep, End, Feedback, Mark, Say, TrialMachine
from poise.drills.protocol import Condition
from poise.errors import PoiseError
from poise.formats.poise_csv import RecordingWriter
from poise.live.controls import Command, Controls
from poise.live.display import Display
from poise.live.engine import TrialEngine
from poise.live.full_disk import REASON as DISK_FULL
from poise.live.full_disk import FullDisk
from poise.live.streams import Stream
from poise.metrics import ALGORITHM_VERSION
from poise.motion.accel_calibration import AccelCalibration
from poise.motion.functional import FunctionalMounting, MountingNotFoundError, find_mounting
from poise.motion.tilt import TiltSettings
from poise.names import athlete_name, terminal_safe
from poise.samples import SampleBlock
from poise.store.space import SpaceReserve, reserve_path
from poise.store.utc import utc_text
from poise.text import plural

#: Baseline of the feedback tone: the mean tilt over this long before the go beep, s.
BASELINE_S = 1.0
#: The functional calibration takes this long of the stream: a 3 s stand, two bends, s.
FIND_MOUNTING_S = 9.0
#: Audio is rendered in steps of this much when no samples drive it (rests), s.
IDLE_STEP_S = 0.02
#: Said when the disk fills, rendered before the session starts (the speech cache may
#: be on the disk that fills).
DISK_FULL_SAID = (f"Trial interrupted: {DISK_FULL}.", f"Session stopped: {DISK_FULL}.")


@dataclass(frozen=True)
class SessionPlan:
    """What a session does: one drill, for these legs, this many trials each.

    Args:
        drill: one that can be trained live (:data:`poise.drills.LIVE`).
        legs: the legs in order (``("board",)`` for the board).
        eyes, surface: the condition (stance).
        trials: trials per leg.
        athlete: whose progress this is (:func:`poise.names.athlete_name`: printable,
            at most 100 characters).
        guided: run each trial's intro, calibration and countdown; False scores a
            recording as it is, from its first sample to its last (``replay --no-intro``).
        say: said before the first trial (a battery's instructions for its condition).
        first_number: the first trial's number on each leg (a resumed visit's go on).
        visit: the open visit the session belongs to and the battery's condition it
            runs (from 1), if any (:mod:`poise.visits`).
        rest_first_s: rest before the first trial, s (a battery's between its
            conditions and legs; the start command ends it early).
    """

    drill: str
    legs: tuple[str, ...]
    eyes: str = "open"
    surface: str = "firm"
    trials: int = 1
    athlete: str = "athlete"
    guided: bool = True
    say: str = ""
    first_number: int = 1
    visit: tuple[int, int] | None = None
    rest_first_s: float = 0.0

    def __post_init__(self) -> None:
        check_choice("drill", self.drill, tuple(LIVE))
        check_count("trials", self.trials, 1, 100)
        check_count("first_number", self.first_number, 1, 10_000)
        check_number("rest_first_s", self.rest_first_s, 0.0, 600.0)
        athlete_name(self.athlete)


@dataclass
class TrialOutcome:
    """One trial as it ended: its condition, status and reason, result, scored span
    (device time, s; None where it never began), store id and raw recording."""

    condition: Condition
    status: str
    reason: str
    result: dict[str, Any] | None
    go_s: float | None = None
    end_s: float | None = None
    trial_id: int | None = None
    recording: str | None = None
    marks: list[Mark] = field(default_factory=list)


def end_facts(
    machine: TrialMachine, status: str, result: dict[str, Any] | None, ended_utc: str
) -> dict[str, Any]:
    """What a trial's recording says at its end (its end mark's facts): status and reason,
    the scored span (device time, s; None where it never began), whether it was scored,
    the algorithm version that scored it (or would have), and the wall-clock end."""
    return {
        "status": status,
        "reason": machine.reason,
        "go_s": machine.go_s,
        "end_s": machine.end_s,
        "scored": result is not None,
        "algorithm_version": result["algorithm_version"] if result else ALGORITHM_VERSION,
        "ended_utc": ended_utc,
    }


class Session:
    """Runs a :class:`SessionPlan` on a stream, with cues, a display, controls and a store.

    Args:
        plan: what to do.
        stream: where samples come from (:mod:`poise.live.streams`).
        cues: speech, beeps and feedback (:class:`poise.cues.player.Cues`).
        store: the progression store (:class:`poise.store.sqlite.Store`), or None
            to log nothing.
        train: the session's timing.
        tilt: calibration, AHRS and lever-arm settings.
        display, controls: the terminal and the inputs.
        accel_calibration: the sensor's accelerometer calibration, if any.
        panel: the GPIO button and LEDs (:class:`poise.live.controls.Panel`), if any.
        source_info, settings_info: what the store keeps about the session.
        scratch_dir: where raw recordings go without a store (a replay's), each under
            a new name.
    """

    def __init__(
        self,
        plan: SessionPlan,
        stream: Stream,
        cues: Any,
        store: Any,
        train: TrainSettings,
        tilt: TiltSettings,
        display: Display,
        controls: Controls | None = None,
        accel_calibration: AccelCalibration | None = None,
        panel: Any = None,
        source_info: dict[str, Any] | None = None,
        settings_info: dict[str, Any] | None = None,
        scratch_dir: Path | None = None,
    ) -> None:
        self.plan = plan
        self.drill = DRILLS[plan.drill]
        self.spec = LIVE[plan.drill]
        self.stream = stream
        self.cues = cues
        self.store = store
        self.train = train
        self.tilt = tilt
        self.display = display
        self.controls = controls or Controls()
        self.accel_calibration = accel_calibration
        self.panel = panel
        self.source_info = source_info or {}
        self.settings_info = settings_info or {}
        self.scratch_dir = scratch_dir
        self._feedback_on = False
        #: Per block with samples: seconds from its arrival to the cue updated, and the
        #: CPU time of that work (the difference is time the system ran something else).
        self.latencies_s: list[float] = []
        self.block_cpu_s: list[float] = []
        self.outcomes: list[TrialOutcome] = []
        self.session_id: int | None = None
        self.aborted = False
        self._audio_t = 0.0  # session audio clock, s
        #: Per leg, what the functional calibration found (None: it could not).
        self.mountings: dict[str, FunctionalMounting | None] = {}
        reserve = SpaceReserve(reserve_path(store.path)) if store is not None else None
        self.full_disk = FullDisk(store.folder if store is not None else scratch_dir, reserve)
        self._full_trial: str | None = None  # what was kept of the trial the disk filled in

    def run(self) -> list[TrialOutcome]:
        """Every trial of the plan, in order; stops early on an abort command, or on a full
        disk (then raising :class:`PoiseError`, one line, once the session is ended)."""
        self.cues.speech.prepare(DISK_FULL_SAID)
        if self.store is not None:
            try:
                self.full_disk.reserve.take()
            except OSError as e:
                where = self.full_disk.reserve.path
                reason = e.strerror or str(e)
                raise PoiseError(f"{where}: cannot keep room for the session: {reason}") from None
            self.session_id = self.store.start_session(
                self.plan.athlete, self.source_info, self.settings_info, visit=self.plan.visit
            )
        try:
            try:
                self._trials()
            except (OSError, sqlite3.Error) as e:
                if not self.full_disk.hit(e):
                    raise
            self._symmetry()
            self._say(DISK_FULL_SAID[1] if self.full_disk.full else self._closing())
            self.full_disk.keep("the rest of the session's audio", self._drain_audio)
            if self.full_disk.full:  # closed here, where a full disk is expected
                self.full_disk.keep("the end of the session's audio", self.cues.close)
        finally:
            if self.store is not None and self.session_id is not None:
                self.full_disk.keep(
                    "the session's end", lambda: self.store.end_session(self.session_id)
                )
            if self.full_disk.reserve is not None:
                self.full_disk.reserve.release()
            self._light("off")
        if self.full_disk.full:
            raise PoiseError(self.full_disk.line(self._full_trial))
        return self.outcomes

    def _trials(self) -> None:
        first = self.plan.first_number
        conditions = [
            Condition(leg, self.plan.eyes, self.plan.surface, n)
            for leg in self.plan.legs
            for n in range(first, first + self.plan.trials)
        ]
        if self.plan.say:  # said in full before the first trial's own prompts start
            self._say(self.plan.say)
        if self.plan.say or self.plan.rest_first_s:
            self._light("rest")
            speech_s = self.cues.busy_until_s - self._audio_t
            self._idle(max(0.0, self.plan.rest_first_s, speech_s))
        for i, condition in enumerate(conditions):
            self._light("ready")
            if self.train.find_mounting and condition.leg not in self.mountings:
                self.mountings[condition.leg] = self._find_mounting(condition)
            outcome = self._trial(condition)
            self.outcomes.append(outcome)
            if self.aborted or self.full_disk.full:
                break
            if i + 1 < len(conditions):
                self._rest(conditions[i + 1], moving=conditions[i + 1].leg != condition.leg)

    # One trial -------------------------------------------------------------

    def _trial(self, condition: Condition) -> TrialOutcome:
        spec = self.spec
        intro, move = spec.intro(condition), spec.move(condition)
        intro_s, move_s = self._spoken_s(intro), self._spoken_s(move)
        machine = TrialMachine(spec, condition, self.train, intro_s, move_s, self.plan.guided)
        feed = self.stream.trial(spec, condition, spec.plan(intro_s, move_s, self.train))
        found = self.mountings.get(condition.leg)
        if found is not None:
            feed.meta = dataclasses.replace(
                feed.meta, mounting=found.mounting, mounting_found=found.to_header()
            )
        trial = None
        meta = feed.meta
        if self.store is not None:
            trial = self.store.start_trial(
                self.session_id,
                spec.name,
                condition.leg,
                condition.eyes,
                condition.surface,
                condition.number,
            )
            path = trial.recording_path
            meta = replace(meta, store=trial.facts)
        else:
            path = self._scratch_path(condition)
        # The board is its own "leg": "board, board" says nothing twice.
        leg = "" if condition.leg == spec.name else f"{condition.leg}, "
        self.display.event(
            f"-- {spec.name}, {leg}eyes {condition.eyes}, {condition.surface}, "
            f"trial {condition.number}"
        )
        with RecordingWriter(path, meta) as writer:
            engine = TrialEngine(machine, writer, self.tilt, self.accel_calibration)
            try:
                self._run_trial(engine, feed.blocks)
            except (OSError, sqlite3.Error) as e:
                if not self.full_disk.hit(e):
                    raise
                self.cues.silence_feedback()
                self._play(engine, engine.stop("interrupted", DISK_FULL))
            result = engine.result()
            status = machine.status or "interrupted"
            ended = utc_text()
            end = end_facts(machine, status, result, ended)
            closed = self.full_disk.keep("the recording's end line", lambda: writer.finish(end))
        outcome = TrialOutcome(
            condition,
            status,
            machine.reason,
            result,
            machine.go_s,
            machine.end_s,
            trial.id if trial else None,
            str(path),
            list(machine.marks),
        )
        if self.store is not None and trial is not None:
            from poise.store.headline import headline_metrics

            metrics = headline_metrics(result) if result else {}
            self.full_disk.keep(
                "the trial's end in the store",
                lambda: self.store.finish_trial(
                    trial.id, status, result, metrics, notes=machine.reason or None, ended_utc=ended
                ),
            )
        if self.full_disk.full and self._full_trial is None:
            scored = "scored" if result is not None else f"not scored ({engine.score_error})"
            self._full_trial = (
                f"{spec.name} {condition.leg} trial {condition.number} {status}, its "
                f"{writer.samples_written} samples kept in {path}"
                + ("" if closed else " (not closed)")
                + f", {scored}"
            )
        self._report(outcome, engine)
        return outcome

    def _find_mounting(self, condition: Condition) -> FunctionalMounting | None:
        """The functional calibration (:mod:`poise.motion.functional`) for this leg: a
        still stand, two forward knee bends; None (and said why) where it cannot run."""
        if condition.leg == "board":
            self.display.event(
                "   functional calibration: not on the board (its mounting is declared)"
            )
            return None
        feed = self.stream.calibration(condition)
        if feed is None:
            self.display.event(
                "   functional calibration: a recording cannot bend the knee; its header's "
                "mounting is used"
            )
            return None
        self._say(
            f"Sensor check, {condition.leg} leg. Stand still on both feet, then bend the "
            "knee forward twice, heel down, and stand still again."
        )
        blocks: list[SampleBlock] = []
        start = None
        for block in feed.blocks:
            if len(block) == 0:
                continue
            blocks.append(block)
            start = float(block.t_s[0]) if start is None else start
            if float(block.t_s[-1]) - start >= FIND_MOUNTING_S:
                break
        samples = SampleBlock.concat(blocks)
        if len(samples):
            self._audio_t += float(samples.t_s[-1] - samples.t_s[0])
            self.cues.advance_to(self._audio_t)
        try:
            found = find_mounting(samples.t_s, samples.acc_g, samples.gyr_dps, feed.meta.rate_hz)
        except MountingNotFoundError as e:
            self._say("Could not tell how the sensor sits. The configured mounting is used.")
            self.display.event(f"   functional calibration failed: {e}")
            return None
        self.display.event(
            f"   mounting found: {found.mounting} (planarity {found.planarity:.3f}, "
            f"bend {found.range_deg:.0f} deg)"
        )
        return found

    def _run_trial(self, engine: TrialEngine, blocks: Any) -> None:
        audio_start = self._audio_t
        t0: float | None = None
        last_samples = time.monotonic()
        recent: deque[tuple[float, float, float]] = deque(maxlen=512)
        self._feedback_on = False
        for block in blocks:
            arrived, cpu = time.perf_counter(), time.thread_time()
            for command in self.controls.poll():
                self._command(engine, command)
            if engine.done:
                break
            now = time.monotonic()
            if len(block) == 0:
                if now - last_samples > self.train.stall_s:
                    self._play(engine, engine.stop("interrupted", "the sensor stopped sending"))
                    break
                continue
            last_samples = now
            actions = engine.feed(block)
            if engine.t_s is None:
                continue
            if t0 is None:
                t0 = engine.machine.t0
            self._audio_t = audio_start + (engine.t_s - t0)
            tilt = engine.tilt
            if tilt is not None:
                recent.append((tilt.t_s, tilt.ap_deg, tilt.ml_deg))
                self._baseline_from(actions, recent)
            self._play(engine, actions)
            if tilt is not None and self._feedback_on:
                self.cues.feedback(tilt.ap_deg, tilt.ml_deg)
            self.cues.advance_to(self._audio_t)
            self.latencies_s.append(time.perf_counter() - arrived)
            self.block_cpu_s.append(time.thread_time() - cpu)
            self._show(engine)
            if engine.done:
                break
        else:
            reason = "the stream ended" if self.stream.live else "the recording ended"
            self._play(engine, engine.finish(reason))
        self.cues.silence_feedback()

    def _baseline_from(self, actions: list, recent: deque) -> None:
        """At the go beep, the feedback's dead zone centres on the athlete's own posture:
        the mean tilt over the last ``BASELINE_S``."""
        if any(isinstance(a, Feedback) and a.on for a in actions):
            t_last = recent[-1][0]
            last = [(ap, ml) for t, ap, ml in recent if t >= t_last - BASELINE_S]
            self.cues.set_baseline(
                sum(a for a, _ in last) / len(last), sum(m for _, m in last) / len(last)
            )

    def _command(self, engine: TrialEngine, command: Command) -> None:
        if command is Command.ABORT:
            self.aborted = True
            self._play(engine, engine.stop("aborted", "aborted from the controls"))
        elif command is Command.STOP:
            self._play(engine, engine.stop("aborted", "stopped from the controls"))

    def _play(self, engine: TrialEngine, actions: list) -> None:
        for action in actions:
            if isinstance(action, Say):
                self._say(action.text)
            elif isinstance(action, Beep):
                self.cues.beep(action.kind)
                if action.kind == "go":
                    self._light("trial")
                    self.display.event("   go")
                elif action.kind == "count":
                    self._light("countdown")
            elif isinstance(action, Feedback):
                if not action.on:
                    self.cues.silence_feedback()
                self._feedback_on = action.on
            elif isinstance(action, Mark):
                self.display.event(f"   loss of balance ({action.kind}) at {action.t_s:.1f} s")
            elif isinstance(action, End) and action.status != "complete":
                self._light("fault")
                self._say(f"Trial {action.status}: {action.reason}.")

    def _spoken_s(self, text: str) -> float:
        """How long ``text`` takes to say, s (rendered now, cached for when it is said)."""
        return len(self.cues.speech.clip(text)) / self.cues.rate_hz

    def _say(self, text: str) -> None:
        self.cues.say(text)
        # A battery's own words come from a file: shown, never sent to the terminal raw.
        self.display.event(f"   \u00bb {terminal_safe(text)}")

    def _show(self, engine: TrialEngine) -> None:
        m = engine.machine
        tilt = engine.tilt
        elapsed = engine.t_s - (m.go_s if m.go_s is not None and engine.t_s >= m.go_s else m.t0)
        total = (m.end_s - m.go_s) if m.go_s is not None and engine.t_s >= m.go_s else None
        self.display.status(
            m.phase.value,
            elapsed,
            total,
            tilt.ap_deg if tilt else None,
            tilt.ml_deg if tilt else None,
            self.stream.health(),
        )

    def _closing(self) -> str:
        """What the athlete hears last: whether every trial was done."""
        if self.aborted:
            return "Session aborted."
        undone = sum(o.status != "complete" for o in self.outcomes)
        if undone:
            return f"Session over. {plural(undone, 'trial')} not complete."
        return "Session complete. Well done."

    def _report(self, outcome: TrialOutcome, engine: TrialEngine) -> None:
        if outcome.result is not None:
            from poise.analysis.report import format_analysis

            verdict, _, *lines = format_analysis(outcome.result).splitlines()
            doubtful = outcome.result["validity"] != "valid"
            self.display.event(f"   {verdict}", always=doubtful)
            for line in lines:
                self.display.event(f"   {line}")
            if outcome.status == "complete":
                self._say(self.spec.summary(self.drill.result.from_dict(outcome.result)))
                if outcome.result["validity"] == "invalid":
                    self._say("But these figures are not valid, and are not counted.")
        elif engine.score_error:
            self.display.event(f"   not scored: {engine.score_error}", always=True)
        # Without a store (a replay) the recording is scratch, gone when the command exits.
        kept = f"; raw recording {outcome.recording}" if self.store is not None else ""
        self.display.event(f"   trial {outcome.status}{kept}", always=outcome.status != "complete")

    def _symmetry(self) -> None:
        """Left against right, from each leg's latest complete trial (both legs done)."""
        from poise.drills import compare_limbs
        from poise.reports.symmetry import format_symmetry

        latest = {
            o.condition.leg: o.result
            for o in self.outcomes
            if o.status == "complete" and o.result is not None
        }
        if self.drill.compares_legs and {"left", "right"} <= set(latest):
            comparison = compare_limbs(latest["left"], latest["right"])
            for line in format_symmetry(comparison).splitlines():
                self.display.event(f"   {line}")

    # Between trials ---------------------------------------------------------

    def _rest(self, following: Condition, moving: bool) -> None:
        self._light("rest")
        if moving and following.leg != "board":
            text = (
                f"Rest. Next, the {following.leg} leg: move the sensor to the {following.leg} shin."
            )
        else:
            text = f"Rest for {self.train.rest_s:.0f} seconds."
        self._say(text)
        seconds = max(self.train.rest_s, self.cues.busy_until_s - self._audio_t)
        self._idle(seconds)

    def _idle(self, seconds: float) -> None:
        """Let ``seconds`` pass (audio keeps playing; a live stream is kept drained); the
        start command ends it early."""
        end = self._audio_t + seconds
        if self.stream.live:
            start_wall, start_audio = time.monotonic(), self._audio_t
            for _ in self.stream.rest(seconds):
                self._audio_t = start_audio + time.monotonic() - start_wall
                self.cues.advance_to(self._audio_t)
                if self._skip():
                    return
            return
        realtime = getattr(self.stream, "realtime", False)
        while self._audio_t < end:
            self._audio_t = min(end, self._audio_t + IDLE_STEP_S)
            self.cues.advance_to(self._audio_t)
            if realtime:
                time.sleep(IDLE_STEP_S)
            if self._skip():
                return

    def _skip(self) -> bool:
        commands = self.controls.poll()
        if Command.ABORT in commands:
            self.aborted = True
        return bool(commands)

    def _drain_audio(self) -> None:
        """Play out what is still queued (the last result, the goodbye)."""
        self._idle(max(0.0, self.cues.busy_until_s - self._audio_t) + 0.2)

    def _light(self, state: str) -> None:
        if self.panel is not None:
            self.panel.show(state)

    def _scratch_path(self, condition: Condition) -> Path:
        """A new name in the scratch folder, as the store names its recordings
        (``<random UUID>-<drill>-<leg>.csv``): a folder used again is never overwritten."""
        if self.scratch_dir is None:
            raise ValueError("a session without a store needs a scratch_dir for its recordings")
        return self.scratch_dir / f"{uuid.uuid4()}-{self.spec.name}-{condition.leg}.csv"
