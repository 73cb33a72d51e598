"""A recording tracked: its calibrated tilt and the per-sample columns a drill reads.

The samples go through calibration and orientation block by block, as live
(:class:`~poise.motion.tilt.TiltTracker`; a file is read a chunk at a time,
:func:`poise.formats.stream_recording`). Each tracked block's columns are
derived as it comes out (tilt; earth's up axis; specific force and angular
rate in segment axes) and only those the drill reads are kept
(:attr:`poise.drills.drill.Drill.columns`): neither the raw samples nor the
orientation of the whole recording are held, so a long recording costs a few
columns of floats, not a dozen. Every column has the bits a whole-array pass
gives: the derivation runs ``CHUNK_ROWS`` rows at a time over the same rows,
whatever the blocks read or tracked.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np

from poise.health import HealthMonitor, masked
from poise.motion.accel_calibration import AccelCalibration
from poise.motion.angles import TiltBlock, tilt_from_vertical
from poise.motion.calibration import Calibration
from poise.motion.frames import quat_vertical
from poise.motion.tilt import BATCH_BLOCK_LEN, TiltSettings, meta_accel_calibration, tracker_for
from poise.recording import Recording, RecordingFacts, RecordingMeta
from poise.samples import SampleBlock

#: The per-sample columns a drill can keep, as column ranges of the twelve derived: AP
#: and ML tilt (deg), inclination (deg), earth's up axis (3), specific force (3, g) and
#: angular rate (3, deg/s) in segment axes; and the accelerometer's own samples, as
#: measured (``raw_acc_g``).
COLUMNS: dict[str, tuple[int, int]] = {
    "tilt_deg": (0, 2),
    "inclination_deg": (2, 3),
    "up": (3, 6),
    "acc_g": (6, 9),
    "gyr_dps": (9, 12),
}
RAW_ACC = "raw_acc_g"
_UP = COLUMNS["up"]
ALL_COLUMNS = (*COLUMNS, RAW_ACC)
#: Rows derived at a time (bounds the temporaries; a short remainder joins the last
#: chunk: a one-row matrix product is computed another way, and must not differ).
CHUNK_ROWS = 8192
_MIN_LAST_ROWS = 16
#: The stamps' rate is checked on this many first samples (enough for a factor).
RATE_CHECK_SAMPLES = 65536

_Block = TypeVar("_Block", SampleBlock, TiltBlock)


class RecordingStream(Protocol):
    """A recording opened to be read block by block (:func:`poise.formats.stream_recording`)."""

    meta: RecordingMeta
    path: Path | None
    complete: bool
    notes: tuple[str, ...]
    mounting_from: str | None
    rows_at_most: int  # an upper bound on its samples

    def blocks(self) -> Iterator[SampleBlock]: ...


@dataclass(frozen=True, eq=False)
class Tracked:
    """A whole recording, tracked, with the columns its drill reads, ready to be cut.

    Args:
        t_s: every sample's device time, s.
        flags: AHRS flags per sample (``poise.motion.angles.FLAG_*``).
        forward: samples whose time moves forward and whose values are usable.
        back: usable samples whose time goes back (a repeated time is not).
        valid: samples the AHRS used (their tilt is NaN where not).
        finite: samples whose time and all twelve derived columns are finite.
        groups: the kept columns of :data:`COLUMNS`, by name, each (n, k) on its own, so
            that one can be let go when the drill is done with it (:meth:`release`).
            Where the up axis is kept, the tilt and inclination are not: they are
            derived from it when asked for, elementwise, so to the same bits.
        raw_acc_g: (n, 3) the accelerometer's samples as measured, g, if kept.
    """

    recording: RecordingFacts
    t_s: np.ndarray
    calibration: Calibration
    flags: np.ndarray
    valid: np.ndarray
    forward: np.ndarray
    back: np.ndarray
    finite: np.ndarray
    groups: dict[str, np.ndarray]
    raw_acc_g: np.ndarray | None
    accel_calibration: AccelCalibration | None = None

    def chunks(self) -> list[tuple[int, int]]:
        """Row ranges of ``CHUNK_ROWS``, a short remainder joined to the last."""
        n = len(self.t_s)
        edges = [*range(0, n, CHUNK_ROWS), n]
        if len(edges) > 2 and edges[-1] - edges[-2] < _MIN_LAST_ROWS:
            del edges[-2]
        return list(itertools.pairwise(edges))

    @property
    def values(self) -> np.ndarray:
        """(n, k) the kept columns side by side, in :data:`COLUMNS`' order (a copy)."""
        return np.column_stack([self.groups[name] for name in COLUMNS if name in self.groups])

    def take(self, rows: slice | np.ndarray, name: str) -> np.ndarray:
        """The kept column ``name`` (:data:`COLUMNS`) of these rows, shape (m, k).

        Raises KeyError naming the column when it was not kept (a drill reads only what
        its ``columns`` say) or was let go (:meth:`release`)."""
        lo, hi = COLUMNS[name]
        from_up = name not in self.groups and hi <= _UP[0]
        if from_up and "up" in self.groups:
            vertical = self.take(rows, "up").copy()
            vertical[~self.valid[rows]] = np.nan
            return np.column_stack(tilt_from_vertical(vertical))[:, lo:hi]
        if name not in self.groups:
            gone = name in self._released or (from_up and "up" in self._released)
            why = "let go (Tracked.release)" if gone else "not kept (Drill.columns)"
            raise KeyError(f"columns {name} were {why}")
        return self.groups[name][rows]

    def release(self, *names: str) -> None:
        """Let go of these kept columns: the drill reads them no more, from any cut of the
        recording (a long recording's columns are then not held beside their resampled
        copies). Asked for again, they raise KeyError."""
        for name in names:
            if self.groups.pop(name, None) is not None:
                self._released.add(name)

    @cached_property
    def _released(self) -> set[str]:
        return set()


def track(
    recording: Recording | RecordingStream,
    settings: TiltSettings | None = None,
    accel_calibration: AccelCalibration | None = None,
    columns: Iterable[str] = ALL_COLUMNS,
) -> Tracked:
    """Calibrated tilt of a whole recording, keeping ``columns`` (:data:`ALL_COLUMNS`).

    A recording in memory is fed in blocks; a stream is read as it is tracked.
    ``accel_calibration`` defaults to the one stored in the recording's metadata.
    Raises :class:`~poise.errors.PoiseError` when the recording is too slow to score,
    or its stamps belie its rate; a stream's read errors as they come.
    """
    from poise.analysis.prepare import check_rate

    if isinstance(recording, Recording):
        check_rate(recording.meta, recording.samples.t_s, recording.path)
        blocks: Iterator[SampleBlock] = iter(recording.samples.split(BATCH_BLOCK_LEN))
        path, capacity = recording.path, len(recording.samples)
    else:
        path = None if recording.path is None else str(recording.path)
        blocks = _rate_checked(recording, path, _rebatched(recording.blocks(), BATCH_BLOCK_LEN))
        capacity = recording.rows_at_most
    meta = recording.meta
    accel_calibration = accel_calibration or meta_accel_calibration(meta)
    tracker = tracker_for(meta, settings, accel_calibration)
    builder = _Builder(meta, columns, accel_calibration, capacity)
    for block in blocks:
        builder.samples(block)
        builder.tilt(tracker.update(block), tracker.calibration)
    builder.tilt(tracker.finish(), tracker.calibration)
    return builder.finish(path, recording.complete, recording.notes, recording.mounting_from)


def tracked_from(
    recording: Recording,
    tilt: TiltBlock,
    calibration: Calibration,
    accel_calibration: AccelCalibration | None,
    columns: Iterable[str] = ALL_COLUMNS,
) -> Tracked:
    """A recording and the tilt already tracked for it (live, block by block, by a
    :class:`~poise.motion.tilt.TiltTracker`), ready to be cut."""
    builder = _Builder(recording.meta, columns, accel_calibration, len(recording.samples))
    builder.samples(recording.samples)
    builder.tilt(tilt, calibration)
    return builder.finish(
        recording.path, recording.complete, recording.notes, recording.mounting_from
    )


def _rebatched(blocks: Iterable[SampleBlock], size: int) -> Iterator[SampleBlock]:
    """The samples in blocks of ``size`` (the last may be shorter), as a recording in
    memory is fed: the tracker's decisions then never depend on how a file was read."""
    held: list[SampleBlock] = []
    count = 0
    for block in blocks:
        held.append(block)
        count += len(block)
        if count >= size:
            joined = SampleBlock.concat(held)
            whole = count - count % size
            yield from joined[:whole].split(size)
            held, count = [joined[whole:]], count - whole
    if count:
        yield SampleBlock.concat(held)


def _rate_checked(
    stream: RecordingStream, path: str | None, blocks: Iterator[SampleBlock]
) -> Iterator[SampleBlock]:
    """The blocks, held back until the first ``RATE_CHECK_SAMPLES`` are read and the
    rate checked on them (:func:`~poise.analysis.prepare.check_rate`): nothing is
    tracked at a rate the stamps belie."""
    from poise.analysis.prepare import check_rate

    first: list[SampleBlock] = []
    count = 0
    for block in blocks:
        first.append(block)
        count += len(block)
        if count >= RATE_CHECK_SAMPLES:
            break
    t_s = np.concatenate([b.t_s for b in first]) if first else np.empty(0)
    check_rate(stream.meta, t_s[:RATE_CHECK_SAMPLES], path)
    del t_s
    while first:
        yield first.pop(0)
    yield from blocks


class _Builder:
    """Derives the columns of tracked samples ``CHUNK_ROWS`` rows at a time and keeps
    those asked for; the samples' data health is counted as they are fed."""

    def __init__(
        self,
        meta: RecordingMeta,
        columns: Iterable[str],
        accel_calibration: AccelCalibration | None,
        capacity: int,
    ) -> None:
        names = set(columns)
        unknown = names - set(ALL_COLUMNS)
        if unknown:
            raise ValueError(f"no such columns: {', '.join(sorted(unknown))}")
        kept = names - {RAW_ACC}
        if "up" in names:  # the tilt is derived from it (Tracked.take)
            kept -= {name for name, (_, hi) in COLUMNS.items() if hi <= _UP[0]}
        self.kept = [name for name in COLUMNS if name in kept]
        self.raw = RAW_ACC in names
        self.accel_calibration = accel_calibration
        self.monitor = HealthMonitor(meta.rate_hz, meta.acc_range_g, meta.gyr_range_dps)
        self.meta = meta
        self.calibration: Calibration | None = None
        self._samples: list[SampleBlock] = []  # fed, their columns not yet derived
        self._tilt: list[TiltBlock] = []  # tracked, their columns not yet derived
        self._tracked = 0
        self._t_max = -np.inf  # the latest finite time derived so far
        self._t_s = _Column(capacity, np.float64)
        self._flags, self._valid = _Column(capacity, np.uint8), _Column(capacity, bool)
        self._forward, self._back = _Column(capacity, bool), _Column(capacity, bool)
        self._finite = _Column(capacity, bool)
        self._groups = {
            name: _Column(capacity, np.float64, (COLUMNS[name][1] - COLUMNS[name][0],))
            for name in self.kept
        }
        self._raw = _Column(capacity if self.raw else 0, np.float64, (3,))

    def samples(self, block: SampleBlock) -> None:
        self.monitor.update(block)
        self._samples.append(block)

    def tilt(self, piece: TiltBlock, calibration: Calibration | None) -> None:
        if not len(piece):
            return
        self.calibration = calibration
        self._tilt.append(piece)
        self._tracked += len(piece)
        while self._tracked >= CHUNK_ROWS + _MIN_LAST_ROWS:
            self._derive(CHUNK_ROWS)

    def finish(
        self, path: str | None, complete: bool, notes: tuple[str, ...], mounting_from: str | None
    ) -> Tracked:
        if self._tracked:
            self._derive(self._tracked)
        t_s = self._t_s.filled()
        assert self.calibration is not None or not len(t_s)
        facts = RecordingFacts(
            self.meta, path, complete, notes, mounting_from, self.monitor.summed_over(t_s)
        )
        return Tracked(
            recording=facts,
            t_s=t_s,
            calibration=self.calibration,  # type: ignore[arg-type]
            flags=self._flags.filled(),
            valid=self._valid.filled(),
            forward=self._forward.filled(),
            back=self._back.filled(),
            finite=self._finite.filled(),
            groups={name: column.filled() for name, column in self._groups.items()},
            raw_acc_g=self._raw.filled() if self.raw else None,
            accel_calibration=self.accel_calibration,
        )

    def _derive(self, rows: int) -> None:
        """Derive and keep the columns of the next ``rows`` tracked samples."""
        tilt, self._tilt = _head(self._tilt, rows, TiltBlock.concat)
        samples, self._samples = _head(self._samples, rows, SampleBlock.concat)
        self._tracked -= rows
        t = samples.t_s
        finite_t = np.where(np.isfinite(t), t, -np.inf)
        latest = np.maximum.accumulate(finite_t)
        before = np.concatenate(([self._t_max], latest[:-1]))
        self._t_max = max(self._t_max, float(latest[-1]))
        vertical = quat_vertical(tilt.quat)
        vertical[~tilt.valid] = np.nan
        up = quat_vertical(tilt.quat)
        acc, gyr = self._segment(samples)
        derived = np.column_stack((*tilt_from_vertical(vertical), up, acc, gyr))
        self._t_s.append(t)
        self._flags.append(tilt.flags)
        self._valid.append(tilt.valid)
        self._forward.append((t > before) & tilt.valid)
        self._back.append(np.isfinite(t) & (t < before) & tilt.valid)
        self._finite.append(np.isfinite(t) & np.isfinite(derived).all(axis=1))
        for name, column in self._groups.items():
            column.append(derived[:, slice(*COLUMNS[name])])
        if self.raw:
            self._raw.append(samples.acc_g)

    def _segment(self, samples: SampleBlock) -> tuple[np.ndarray, np.ndarray]:
        """Specific force (g) and angular rate (deg/s) in segment axes, bad samples as
        NaN (:func:`poise.health.masked`): the accelerometer calibration, then the still
        period's, as the tracker and the live engine apply them."""
        assert self.calibration is not None
        samples = masked(samples)
        acc = samples.acc_g
        if self.accel_calibration is not None:
            acc = self.accel_calibration.apply(acc)
        return self.calibration.apply(acc, samples.gyr_dps)


def _head(
    blocks: list[_Block], rows: int, concat: Callable[[list[_Block]], _Block]
) -> tuple[_Block, list[_Block]]:
    """The first ``rows`` rows of a list of blocks, and a list of the rest."""
    joined = concat(blocks)
    rest = joined[rows:]
    return joined[:rows], [rest] if len(rest) else []


class _Column:
    """A per-sample array filled a chunk at a time.

    It is allocated once for ``capacity`` rows (an upper bound: a file's size over the
    shortest row it can hold): pages never written are never given memory, and one
    allocation, unlike a list of chunks joined at the end, leaves no freed pieces
    behind that the allocator keeps.
    """

    def __init__(self, capacity: int, dtype: type, tail: tuple[int, ...] = ()) -> None:
        self._data = np.empty((max(int(capacity), 0), *tail), dtype)
        self._n = 0

    def append(self, part: np.ndarray) -> None:
        end = self._n + len(part)
        if end > len(self._data):  # a stream's rows_at_most is a bound, not a guess
            raise ValueError(f"more than the {len(self._data)} rows the stream said it holds")
        self._data[self._n : end] = part
        self._n = end

    def filled(self) -> np.ndarray:
        return self._data[: self._n]
