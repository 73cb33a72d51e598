"""Calibrated segment tilt from a sample stream, block by block.

:class:`TiltTracker` holds the samples back until the reference still period
has been found (or the search has given up), calibrates, and from then on
turns every block into a :class:`~poise.motion.angles.TiltBlock` as it arrives.
Samples before the reference window are run backwards in time from it, so
they too start from a converged orientation.

Fed in blocks of any size, it gives the same output, bit for bit, as
:func:`track_tilt` on the whole recording: every decision depends only on the
samples, never on where the blocks were cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from poise.health import masked
from poise.motion.accel_calibration import AccelCalibration
from poise.motion.angles import FLAG_UNCALIBRATED, TiltBlock
from poise.motion.calibration import (
    Calibration,
    CalibrationSettings,
    calibrate_from_window,
    uncalibrated,
)
from poise.motion.frames import mounting_matrix
from poise.motion.lever_arm import LeverArmCompensator, LeverArmSettings
from poise.motion.orientation import OrientationFilter, OrientationSettings
from poise.motion.still import StillSearch, StillSettings
from poise.recording import Recording, RecordingMeta, found_matrix
from poise.samples import SampleBlock

#: Samples per block when a whole recording is processed at once.
BATCH_BLOCK_LEN = 8192


@dataclass(frozen=True)
class TiltSettings:
    """Everything that shapes the tilt estimate (see each part's docs)."""

    still: StillSettings = field(default_factory=StillSettings)
    calibration: CalibrationSettings = field(default_factory=CalibrationSettings)
    orientation: OrientationSettings = field(default_factory=OrientationSettings)
    lever_arm: LeverArmSettings = field(default_factory=LeverArmSettings)


class TiltTracker:
    """Streaming calibration and orientation of one segment.

    Args:
        rate_hz: nominal sample rate, Hz.
        mounting: segment axes in sensor axes, e.g. ``"+x+y+z"``.
        gyr_range_dps: gyroscope full scale, if known.
        placement: where the sensor is (sets the default lever arm).
        settings: see :class:`TiltSettings`.
        accel_calibration: the sensor's accelerometer calibration, applied to
            every raw sample first; None trusts the raw values.
        found: the sensor-to-segment rotation a functional calibration found (its
            nearest signed axes are ``mounting``), used in place of ``mounting``'s
            own; ``mounting`` stays the tibia axis figures from vertical refer to.

    >>> from poise.sim import simulate
    >>> sim = simulate("stance", rate_hz=104.0, seed=1, duration_s=8.0)
    >>> tracker = TiltTracker(rate_hz=104.0)
    >>> blocks = [tracker.update(b) for b in sim.recording.samples.split(10)]
    >>> tilt = TiltBlock.concat([*blocks, tracker.finish()])
    >>> len(tilt) == len(sim.recording.samples), tracker.calibration.found
    (True, True)
    """

    def __init__(
        self,
        rate_hz: float,
        mounting: str = "+x+y+z",
        gyr_range_dps: float | None = None,
        placement: str = "unknown",
        settings: TiltSettings | None = None,
        accel_calibration: AccelCalibration | None = None,
        found: np.ndarray | None = None,
    ) -> None:
        self.settings = settings or TiltSettings()
        self.rate_hz = float(rate_hz)
        self.gyr_range_dps = gyr_range_dps
        self._declared = mounting_matrix(mounting)
        self._mounting = self._declared if found is None else np.asarray(found, dtype=float)
        self.lever_m = self.settings.lever_arm.for_placement(placement)
        self._compensator = LeverArmCompensator(self.lever_m, self.rate_hz)
        self.accel_calibration = accel_calibration
        self._reference_len = max(2, round(self.settings.calibration.reference_s * rate_hz))
        self._search = StillSearch(self._reference_len, self.settings.still)
        self._horizon_s: float | None = None  # search ends at the first finite time + search_s
        # Give up after this many samples even if the clock never says so (broken timestamps).
        self._search_limit = 2 * round(self.settings.calibration.search_s * rate_hz) + 1
        self._pending: list[SampleBlock] = []
        self._filter: OrientationFilter | None = None
        self.calibration: Calibration | None = None

    def update(self, block: SampleBlock) -> TiltBlock:
        """Feed a block; returns the tilt of every sample that can be given now.

        Bad samples (not finite, or beyond any sensor's full scale) are taken as
        NaN (:func:`poise.health.masked`): stepped over, never integrated."""
        block = masked(block)
        if self.accel_calibration is not None and len(block):
            block = SampleBlock(
                block.t_s, block.seq, self.accel_calibration.apply(block.acc_g), block.gyr_dps
            )
        if self._filter is not None:
            return self._track(block)
        if len(block) == 0:
            return TiltBlock.empty()
        first_index = self._search.samples
        self._pending.append(block)
        start = self._find_reference(block, first_index)
        if start is not None:
            return self._start_calibrated(SampleBlock.concat(self._pending), start)
        finite = block.t_s[np.isfinite(block.t_s)]
        past_horizon = self._horizon_s is not None and finite.size and finite[-1] > self._horizon_s
        if past_horizon or self._search.samples >= self._search_limit:
            return self._start_uncalibrated(SampleBlock.concat(self._pending))
        return TiltBlock.empty()

    def finish(self) -> TiltBlock:
        """End of stream: returns the samples still held back (no reference was found)."""
        if self._filter is not None:
            return TiltBlock.empty()
        return self._start_uncalibrated(SampleBlock.concat(self._pending))

    def _find_reference(self, block: SampleBlock, first_index: int) -> int | None:
        """Start index of the first still window within the search horizon, if this block ends one.

        Windows are tested once each, as the block that ends them arrives; a window
        counts only if it ends no later than ``search_s`` after the stream's first
        finite timestamp.
        """
        if self._horizon_s is None:
            finite = block.t_s[np.isfinite(block.t_s)]
            if finite.size:
                self._horizon_s = float(finite[0]) + self.settings.calibration.search_s
        # A row without a usable time cannot be part of the reference.
        acc = np.where(np.isfinite(block.t_s)[:, None], block.acc_g, np.nan)
        still = self._search.extend(acc, block.gyr_dps)
        if self._horizon_s is None or not still.any():
            return None
        n_ref = self._reference_len
        starts = self._search.samples - n_ref - len(still) + 1 + np.flatnonzero(still)
        ends_t = block.t_s[starts + n_ref - 1 - first_index]
        inside = starts[ends_t <= self._horizon_s]
        return int(inside[0]) if inside.size else None

    def _new_filter(self) -> OrientationFilter:
        return OrientationFilter(self.settings.orientation, self.rate_hz, self.gyr_range_dps)

    def _start_calibrated(self, buffer: SampleBlock, start: int) -> TiltBlock:
        # A still window may hold a few unusable samples (masked, or without a time):
        # it starts at its first usable one, and they are left out of the calibration.
        usable = _usable(buffer[start : start + self._reference_len])
        start += int(np.argmax(usable))
        window = buffer[start : start + self._reference_len]
        window = window[_usable(window)]
        self.calibration = calibrate_from_window(
            window.t_s,
            window.acc_g,
            window.gyr_dps,
            self._mounting,
            self.settings.calibration,
            lever_m=self.lever_m,
            declared=self._declared,
        )
        self._pending = []
        self._filter = self._new_filter()
        self._filter.start(
            self.calibration.initial_quat, t_s=float(buffer.t_s[start]) - 1.0 / self.rate_hz
        )
        after = self._track(buffer[start:])
        if start == 0:
            return after
        return TiltBlock.concat(
            [self._track_backwards(buffer[:start], float(buffer.t_s[start])), after]
        )

    def _start_uncalibrated(self, buffer: SampleBlock) -> TiltBlock:
        self.calibration = uncalibrated(self._mounting, self._declared)
        self._pending = []
        self._filter = self._new_filter()
        finite = buffer.t_s[np.isfinite(buffer.t_s)]
        t0 = float(finite[0]) if finite.size else 0.0
        self._filter.start(None, t_s=t0 - 1.0 / self.rate_hz)
        return self._track(buffer)

    def _track(self, block: SampleBlock) -> TiltBlock:
        assert self._filter is not None and self.calibration is not None
        acc, gyr = self.calibration.apply(block.acc_g, block.gyr_dps)
        acc = self._compensator.update(block.t_s, acc, gyr)
        usable = _usable(block)
        quat, flags = self._filter.update(block.t_s, acc, gyr, usable)
        return self._tilt_block(block, quat, flags, usable)

    def _track_backwards(self, block: SampleBlock, t_start: float) -> TiltBlock:
        """Samples before the reference window, integrated backwards from it.

        Reversing time turns the rotation around: the filter is fed the samples
        in reverse order with the gyroscope negated, on a mirrored clock.
        """
        assert self.calibration is not None
        acc, gyr = self.calibration.apply(block.acc_g, block.gyr_dps)
        # The rotational acceleration is the same whichever way time runs.
        acc = LeverArmCompensator(self.lever_m, self.rate_hz).update(block.t_s, acc, gyr)
        usable = _usable(block)
        backwards = self._new_filter()
        backwards.start(self.calibration.initial_quat, t_s=0.0)
        quat, flags = backwards.update(
            (t_start - block.t_s)[::-1], acc[::-1], -gyr[::-1], usable[::-1]
        )
        return self._tilt_block(block, quat[::-1], flags[::-1], usable)

    def _tilt_block(
        self, block: SampleBlock, quat: np.ndarray, flags: np.ndarray, usable: np.ndarray
    ) -> TiltBlock:
        if not self.calibration.found:
            flags = flags | np.uint8(FLAG_UNCALIBRATED)
        return TiltBlock(t_s=block.t_s, seq=block.seq, quat=quat, flags=flags, valid=usable)


def _usable(block: SampleBlock) -> np.ndarray:
    """Rows the filter may use: finite, not an all-zero dropout."""
    values = np.concatenate((block.acc_g, block.gyr_dps), axis=1)
    return np.isfinite(values).all(axis=1) & (values != 0.0).any(axis=1) & np.isfinite(block.t_s)


def meta_accel_calibration(meta: RecordingMeta) -> AccelCalibration | None:
    """The accelerometer calibration stored in a recording's metadata, if any."""
    stored = (meta.calibration or {}).get("accelerometer")
    return AccelCalibration.from_dict(stored) if stored else None


def recording_accel_calibration(recording: Recording) -> AccelCalibration | None:
    """The accelerometer calibration stored in a recording's metadata, if any."""
    return meta_accel_calibration(recording.meta)


def tracker_of(
    meta: RecordingMeta,
    settings: TiltSettings | None = None,
    accel_calibration: AccelCalibration | None = None,
) -> TiltTracker:
    """The tracker of a recording with this metadata and exactly this calibration (None:
    none), shared by :func:`tracker_for` and the live engine."""
    return TiltTracker(
        meta.rate_hz,
        meta.mounting,
        meta.gyr_range_dps,
        meta.placement,
        settings,
        accel_calibration,
        found_matrix(meta),
    )


def tracker_for(
    meta: RecordingMeta,
    settings: TiltSettings | None = None,
    accel_calibration: AccelCalibration | None = None,
) -> TiltTracker:
    """The tracker of a recording with this metadata (``accel_calibration`` defaults to
    the one stored in it), as :func:`track_tilt` runs it."""
    if accel_calibration is None:
        accel_calibration = meta_accel_calibration(meta)
    return tracker_of(meta, settings, accel_calibration)


def track_tilt(
    recording: Recording,
    settings: TiltSettings | None = None,
    accel_calibration: AccelCalibration | None = None,
) -> tuple[TiltBlock, Calibration]:
    """Calibrated tilt of every sample of a recording (the batch form of :class:`TiltTracker`).

    ``accel_calibration`` defaults to the one stored in the recording's metadata.
    """
    tracker = tracker_for(recording.meta, settings, accel_calibration)
    # Fed in blocks, exactly as live: the same result, with memory bounded by the block.
    # Every sample comes out once, in order, into arrays allocated once.
    samples = recording.samples
    n = len(samples)
    quat, flags, valid = np.empty((n, 4)), np.empty(n, np.uint8), np.empty(n, bool)
    done = 0
    for block in [*samples.split(BATCH_BLOCK_LEN), None]:
        piece = tracker.finish() if block is None else tracker.update(block)
        k = len(piece)
        quat[done : done + k], flags[done : done + k] = piece.quat, piece.flags
        valid[done : done + k] = piece.valid
        done += k
    assert done == n and tracker.calibration is not None
    tilt = TiltBlock(t_s=samples.t_s, seq=samples.seq, quat=quat, flags=flags, valid=valid)
    return tilt, tracker.calibration
