"""One trial in real time: raw samples in, cue actions and, at the end, the scored result.

Per block, in this order (the hot path; NumPy block operations only):

1. the block goes to the trial's raw recording first (raw first), and on
   from there exactly as the file stores it, so scoring the file later gives
   the same numbers to the last digit;
2. the :class:`~poise.motion.tilt.TiltTracker` calibrates (once) and tracks tilt;
3. in the trial, the drill's live detector (stance's) hears losses of balance;
4. the drill's :class:`~poise.drills.machine.TrialMachine` turns time,
   calibration and losses into actions (say, beep, feedback, end);
5. the caller plays the actions and the biofeedback tone follows the latest tilt.

At the end the result is scored from the tilt tracked live, with the same
functions ``poise analyze`` uses (:func:`poise.analysis.analyze_tracked`):
live equals replay, and a test holds them equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from poise.analysis import analyze_tracked, drill_named
from poise.analysis.prepare import check_rate
from poise.analysis.tracked import tracked_from
from poise.drills.machine import Action, Phase, TrialMachine
from poise.errors import PoiseError
from poise.formats.poise_csv import RecordingWriter
from poise.motion.accel_calibration import AccelCalibration
from poise.motion.angles import TiltBlock
from poise.motion.tilt import TiltSettings, tracker_of
from poise.recording import Recording
from poise.samples import SampleBlock


@dataclass(frozen=True)
class LiveTilt:
    """The latest calibrated tilt, for the feedback tone and the display, deg."""

    t_s: float
    ap_deg: float
    ml_deg: float


class TrialEngine:
    """Feeds one trial's blocks through calibration, orientation, detectors and the drill.

    Args:
        machine: the drill's trial machine (not started).
        writer: the trial's raw recording, open; the engine writes every block to it.
        settings: tilt settings (calibration, AHRS, lever arm).
        accel_calibration: the sensor's accelerometer calibration, if known.
    """

    def __init__(
        self,
        machine: TrialMachine,
        writer: RecordingWriter,
        settings: TiltSettings,
        accel_calibration: AccelCalibration | None = None,
    ) -> None:
        meta = writer.meta
        self.machine = machine
        self.writer = writer
        self.settings = settings
        self.accel_calibration = accel_calibration
        self.tracker = tracker_of(meta, settings, accel_calibration)
        detector = machine.spec.detector
        self.detector = detector(meta.rate_hz) if detector is not None else None
        self.tilt: LiveTilt | None = None
        self.t_s: float | None = None  # device time of the latest sample
        self.score_error: str | None = None  # why result() gave None
        self._samples: list[SampleBlock] = []
        self._tilt: list[TiltBlock] = []

    @property
    def done(self) -> bool:
        return self.machine.phase is Phase.DONE

    def feed(self, block: SampleBlock) -> list[Action]:
        """One block of raw samples; returns the actions it brings about."""
        if len(block) == 0 or self.done:
            return []
        stored = self.writer.write(block)
        self._samples.append(stored)
        finite = stored.t_s[np.isfinite(stored.t_s)]
        if finite.size == 0:
            return []
        actions: list[Action] = []
        if self.t_s is None:
            actions += self.machine.start(float(finite[0]))
        self.t_s = float(finite[-1])
        tilt = self.tracker.update(stored)
        if len(tilt):
            self._tilt.append(tilt)
        ap, ml, _ = tilt.angles()
        good = np.flatnonzero(np.isfinite(ap) & np.isfinite(ml) & np.isfinite(tilt.t_s))
        if good.size:
            last = good[-1]
            self.tilt = LiveTilt(float(tilt.t_s[last]), float(ap[last]), float(ml[last]))
        actions += self._hear(tilt, ap, ml)
        actions += self._step()
        return actions

    def _hear(self, tilt: TiltBlock, ap: np.ndarray, ml: np.ndarray) -> list[Action]:
        """The losses the detector decides in these samples, marked by the machine.

        It hears the samples of the scored span ``[go, end]``, as the scoring feeds
        them to the same detector (:func:`poise.drills.stance.span_losses`); this runs
        before the machine is stepped, so a block that carries the end still has
        its losses heard.
        """
        m = self.machine
        if self.detector is None or m.go_s is None or m.end_s is None or not len(tilt):
            return []
        rows = np.flatnonzero((tilt.t_s >= m.go_s) & (tilt.t_s <= m.end_s))
        if rows.size == 0:
            return []
        acc_seg = self._segment_acc(len(tilt))[rows]
        actions: list[Action] = []
        for loss in self.detector.update(tilt.t_s[rows], ap[rows], ml[rows], acc_seg):
            actions += m.loss(loss.t_s, loss.kind)
        return actions

    def _step(self) -> list[Action]:
        calibration = self.tracker.calibration
        calibrated_at = None
        if calibration is not None and calibration.found:
            calibrated_at = calibration.reference_t_s[1]
        failed = calibration is not None and not calibration.found
        assert self.t_s is not None
        return self.machine.step(self.t_s, calibrated_at, failed)

    def _segment_acc(self, n: int) -> np.ndarray:
        """Specific force in segment axes of the last ``n`` samples (those just tracked), g."""
        latest = self._samples[-1]
        samples = (
            latest[len(latest) - n :]
            if n <= len(latest)
            else SampleBlock.concat(self._samples)[-n:]
        )
        acc = samples.acc_g
        if self.accel_calibration is not None:
            acc = self.accel_calibration.apply(acc)
        acc_seg, _ = self.tracker.calibration.apply(acc, samples.gyr_dps)
        return acc_seg

    def finish(self, reason: str) -> list[Action]:
        """The stream ended (see :meth:`TrialMachine.finish`). Samples a calibration
        search still held back (a stream with no still period) are tracked now and
        heard, as the scoring hears them."""
        actions: list[Action] = []
        if not self.done:
            tail = self.tracker.finish()
            if len(tail):
                self._tilt.append(tail)
                ap, ml, _ = tail.angles()
                actions += self._hear(tail, ap, ml)
        t = self.t_s if self.t_s is not None else 0.0
        return actions + self.machine.finish(t, reason)

    def stop(self, status: str, reason: str) -> list[Action]:
        """End the trial now (a command, or the stream stopped)."""
        t = self.t_s if self.t_s is not None else 0.0
        return self.machine.stop(t, status, reason)

    def result(self, drill_options: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The trial scored over its span [go, end], from the tilt tracked live.

        None when the trial never reached its span or it is too short to score;
        the reason is then in ``self.score_error``.
        """
        self.score_error = None
        m = self.machine
        # The samples still held back by a calibration search that never ended
        # (a stream with no still period): tracked uncalibrated, and said so.
        tail = self.tracker.finish() if m.scored else None
        if not m.scored or self.tracker.calibration is None:
            self.score_error = "the trial ended before its scored span"
            return None
        recording = Recording(
            samples=SampleBlock.concat(self._samples),
            meta=self.writer.meta,
            path=str(self.writer.path),
            mounting_from="header",  # the trial's own recording declares it, as a replay reads
        )
        tilt = TiltBlock.concat([*self._tilt, tail])
        try:
            check_rate(recording.meta, recording.samples.t_s, recording.path)
            tracked = tracked_from(
                recording,
                tilt,
                self.tracker.calibration,
                self.accel_calibration,
                drill_named(m.spec.name).columns,
            )
            return analyze_tracked(
                tracked,
                m.spec.name,
                self.settings,
                start_s=m.go_s,
                end_s=m.end_s,
                **(drill_options or {}),
            )
        except PoiseError as e:
            self.score_error = str(e)
            return None
