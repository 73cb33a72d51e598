"""From a recording to the arrays the metrics take: tilt, specific force, angular rate.

Calibration and orientation run over the whole recording once (the reference
still period is at its start; :func:`track`); any span of it is then cut out
and resampled onto a uniform grid at the recording's nominal rate, which is
what filters and spectra expect (:func:`cut`). Everything stays in Poise's
units and the segment frame.

Time must move forward. A sample whose time does not pass every earlier one
is skipped (the AHRS skips it too): a repeated time stamp is a duplicate, the
first sample with it kept (counted in the health figures, never an error);
when time going back costs more than ``MAX_SKIPPED_FRACTION`` of the span's
samples, or the span has a gap longer than ``MAX_GAP_S`` that would have to be
bridged, the span cannot be scored as it is and the error says where.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from poise.errors import PoiseError
from poise.health import StreamHealth, masked
from poise.metrics.signals import increasing
from poise.motion.accel_calibration import AccelCalibration
from poise.motion.angles import TiltBlock, flag_counts, tilt_from_vertical
from poise.motion.calibration import Calibration
from poise.motion.frames import quat_vertical
from poise.motion.tilt import TiltSettings, recording_accel_calibration, track_tilt
from poise.rate import step_rate_hz
from poise.recording import Recording
from poise.samples import SampleBlock

#: Drills are not scored on less than this, s, nor below this rate, Hz.
MIN_SPAN_S = 1.0
MIN_RATE_HZ = 50.0
#: A gap in the samples longer than this is not bridged by interpolation, s.
MAX_GAP_S = 1.0
#: More samples than this share skipped because their time went backwards is an error.
MAX_SKIPPED_FRACTION = 0.01
#: The stated rate may differ from the time stamps' by at most this factor (a stream that
#: lost every other sample steps at half its rate).
MAX_RATE_MISMATCH = 2.5
#: The stamps' rate is measured on this many first samples (enough for a factor, and a
#: long recording needs no whole-length temporaries for it).
RATE_CHECK_SAMPLES = 65536


#: Rows derived at a time from the samples and the tilt (bounds the temporaries).
CHUNK_ROWS = 65536
#: Per-sample columns, in the order of :meth:`Tracked.columns`, and the group each is
#: computed in: AP, ML tilt, inclination (deg); up (3); specific force (3, g) and angular
#: rate (3, deg/s) in segment axes.
N_COLUMNS = 12
_GROUPS = ((0, 3), (3, 6), (6, 12))


@dataclass(frozen=True, eq=False)
class Tracked:
    """A whole recording with its calibrated tilt, ready to be cut into spans.

    The per-sample columns the metrics are resampled from (:meth:`columns`) are
    not kept: they are derived from the samples and the tilt a chunk at a time,
    only those a span asks for, with the very operations a whole-array pass
    would apply (so to the same bits).
    """

    recording: Recording
    tilt: TiltBlock
    calibration: Calibration
    forward: np.ndarray  # samples whose time moves forward and whose values are usable
    back: np.ndarray  # usable samples whose time goes back (a repeated time is not)
    accel_calibration: AccelCalibration | None = None

    @property
    def t_s(self) -> np.ndarray:
        return self.recording.samples.t_s

    def chunks(self) -> list[tuple[int, int]]:
        """Row ranges of ``CHUNK_ROWS``; a short remainder joins the last (a one-row
        matrix product is computed another way, and must not differ)."""
        n = len(self.t_s)
        edges = [*range(0, n, CHUNK_ROWS), n]
        if len(edges) > 2 and edges[-1] - edges[-2] < 16:
            del edges[-2]
        return list(itertools.pairwise(edges))

    def group(self, lo: int, hi: int, first: int) -> np.ndarray:
        """Columns ``_GROUPS`` starting at ``first`` of rows ``[lo, hi)``, shape (hi - lo, k)."""
        if first == 0:
            quat = self.tilt.quat[lo:hi]
            v = quat_vertical(quat)
            v[~self.tilt.valid[lo:hi]] = np.nan
            return np.column_stack(tilt_from_vertical(v))
        if first == 3:
            return quat_vertical(self.tilt.quat[lo:hi])
        return np.column_stack(self._segment(self.recording.samples[lo:hi]))

    def segment_acc_g(self, rows: np.ndarray) -> np.ndarray:
        """Specific force in segment axes of these rows (indices), g: the accelerometer
        calibration, then the still period's, as the live engine applies them."""
        return self._segment(self.recording.samples[rows])[0]

    def _segment(self, samples: SampleBlock) -> tuple[np.ndarray, np.ndarray]:
        """Specific force (g) and angular rate (deg/s) of ``samples`` in segment axes, bad
        samples as NaN (:func:`poise.health.masked`), as the tracker takes them."""
        samples = masked(samples)
        acc = samples.acc_g
        if self.accel_calibration is not None:
            acc = self.accel_calibration.apply(acc)
        return self.calibration.apply(acc, samples.gyr_dps)

    def columns(self) -> np.ndarray:
        """(n, 12) per sample: AP, ML tilt, inclination (deg), up (3), specific force in
        segment axes (3, g), angular rate in segment axes (3, deg/s)."""
        out = np.empty((len(self.t_s), N_COLUMNS))
        for lo, hi in self.chunks():
            for a, b in _GROUPS:
                out[lo:hi, a:b] = self.group(lo, hi, a)
        return out


@dataclass(frozen=True, eq=False)
class Prepared:
    """A span of a recording, ready for the metrics (uniform grid at ``rate_hz``).

    Args:
        t_s: grid times, device time, s.
        raw_t_s: the span's own sample times (device time), for peaks that
            resampling would blunt.
        span_s: the grid's first and last time, s.
        bounds_s: the span asked for (``start_s``, ``end_s``; the first and last
            usable time by default), s.

    The resampled signals are computed when first asked for (a drill asks
    only for those it uses, so the others never take memory), then kept:

    - ``tilt_deg``: (n, 2) AP and ML tilt, deg; ``inclination_deg``, deg;
    - ``up``: (n, 3) earth's up axis in segment axes;
    - ``acc_g``: (n, 3) specific force in segment axes (accelerometer
      calibration applied, nothing removed), g; ``acc_norm_g`` its size per sample;
    - ``gyr_dps``: (n, 3) angular rate in segment axes, bias removed, deg/s;
    - ``raw_acc_g``: the span's own accelerometer samples, as measured, sensor axes, g;
    - ``health``: the recording's data-health figures.
    """

    recording: Recording
    rate_hz: float
    t_s: np.ndarray
    raw_t_s: np.ndarray
    calibration: Calibration
    ahrs_flags: dict[str, int]
    span_s: tuple[float, float]
    bounds_s: tuple[float, float]
    _source: _Resampler = field(repr=False)

    @property
    def placement(self) -> str:
        return self.recording.meta.placement

    @cached_property
    def tilt_deg(self) -> np.ndarray:
        return self._source.columns(0, 2)

    @cached_property
    def inclination_deg(self) -> np.ndarray:
        return self._source.columns(2, 3)[:, 0]

    @cached_property
    def up(self) -> np.ndarray:
        up = self._source.columns(3, 6)
        return up / np.linalg.norm(up, axis=1, keepdims=True)

    @cached_property
    def acc_g(self) -> np.ndarray:
        return self._source.columns(6, 9)

    @cached_property
    def acc_norm_g(self) -> np.ndarray:
        """|specific force| per grid sample, g: ``norm(acc_g)`` row by row, without
        resampling the three columns beside it."""
        if "acc_g" in self.__dict__:
            return np.linalg.norm(self.acc_g, axis=1)
        return self._source.columns(6, 9, norm=True)

    @cached_property
    def gyr_dps(self) -> np.ndarray:
        return self._source.columns(9, 12)

    @cached_property
    def raw_acc_g(self) -> np.ndarray:
        return self._source.raw_acc_g()

    @cached_property
    def health(self) -> StreamHealth:
        return self.recording.health()


def track(
    recording: Recording,
    settings: TiltSettings | None = None,
    accel_calibration: AccelCalibration | None = None,
) -> Tracked:
    """Calibrated tilt of the whole recording, and its samples in the segment frame.

    Raises :class:`PoiseError` when the recording is too slow to score or its
    time goes backwards too often.
    """
    check_rate(recording)
    accel_calibration = accel_calibration or recording_accel_calibration(recording)
    tilt, calibration = track_tilt(recording, settings, accel_calibration)
    return tracked_from(recording, tilt, calibration, accel_calibration)


def check_rate(recording: Recording) -> None:
    """Raise :class:`PoiseError` when the recording's rate is too slow to score, or its
    time stamps step at a rate ``MAX_RATE_MISMATCH`` times off it (the uniform grid is
    at the stated rate: a header of 1 MHz on 416 Hz stamps would allocate 2400 grid
    points per sample)."""
    rate = recording.meta.rate_hz
    where = recording.path or "recording"
    if rate < MIN_RATE_HZ:
        raise PoiseError(f"{where}: {rate:g} Hz is too slow to score (at least {MIN_RATE_HZ:g} Hz)")
    stamps = step_rate_hz(recording.samples.t_s[:RATE_CHECK_SAMPLES])
    if stamps is not None and not 1 / MAX_RATE_MISMATCH <= rate / stamps <= MAX_RATE_MISMATCH:
        said = "--rate" if recording.meta.source.get("kind") == "import" else "rate_hz"
        raise PoiseError(
            f"{where}: the recording says {rate:g} Hz ({said}) but its time stamps step at "
            f"{stamps:.4g} Hz; give the rate the sensor ran at"
        )


def tracked_from(
    recording: Recording,
    tilt: TiltBlock,
    calibration: Calibration,
    accel_calibration: AccelCalibration | None,
) -> Tracked:
    """A recording and the tilt already tracked for it (by :func:`track`, or live, block
    by block, by a :class:`~poise.motion.tilt.TiltTracker`), ready to be cut.

    Time going back too often is an error of the span cut from it (:func:`cut`).
    """
    t = recording.samples.t_s
    finite = np.where(np.isfinite(t), t, -np.inf)
    before = np.concatenate(([-np.inf], np.maximum.accumulate(finite)[:-1]))
    forward = (t > before) & tilt.valid
    back = np.isfinite(t) & (t < before) & tilt.valid
    return Tracked(recording, tilt, calibration, forward, back, accel_calibration)


def cut(tracked: Tracked, start_s: float | None = None, end_s: float | None = None) -> Prepared:
    """The span ``[start_s, end_s]`` (the whole recording by default) on a uniform grid.

    Raises :class:`PoiseError` when the span holds too little to score, a gap
    too long to bridge, or time that goes back too often.
    """
    recording = tracked.recording
    where = recording.path or "recording"
    t = tracked.t_s
    # Time going back is judged over the span asked for: --end before it scores the rest.
    within = (t >= (-np.inf if start_s is None else start_s)) & (
        t <= (np.inf if end_s is None else end_s)
    )
    _check_order(tracked, within, where)
    usable = tracked.forward
    if not usable.any():
        raise PoiseError(f"{where}: no usable samples")
    first, last = float(t[usable][0]), float(t[usable][-1])
    lo = first if start_s is None else start_s
    hi = last if end_s is None else end_s
    inside = usable & (t >= lo) & (t <= hi)
    times = t[inside]
    runs = f"the recording runs from {first:g} to {last:g} s"
    if times.size < 2:
        raise PoiseError(f"{where}: no samples between {lo:g} and {hi:g} s ({runs})")
    if times[-1] - times[0] < MIN_SPAN_S:
        raise PoiseError(
            f"{where}: too little between {lo:g} and {hi:g} s to score "
            f"(at least {MIN_SPAN_S:g} s; {runs})"
        )
    steps = np.diff(times)
    if steps.max() > MAX_GAP_S:
        k = int(np.argmax(steps))
        raise PoiseError(
            f"{where}: no samples for {steps[k]:g} s after {times[k]:g} s; score the parts "
            "either side of the gap with --start and --end"
        )
    rate = recording.meta.rate_hz
    good, t_good, order = _usable_rows(tracked, inside)
    if len(t_good) < 2:
        grid = t_good
    else:
        grid = t_good[0] + np.arange(int(np.floor((t_good[-1] - t_good[0]) * rate)) + 1) / rate
    return Prepared(
        recording=recording,
        rate_hz=rate,
        t_s=grid,
        raw_t_s=times,
        calibration=tracked.calibration,
        ahrs_flags=flag_counts(tracked.tilt.flags[inside]),
        span_s=(float(grid[0]), float(grid[-1])),
        bounds_s=(float(lo), float(hi)),
        _source=_Resampler(tracked, inside, good, t_good, order, grid),
    )


def _check_order(tracked: Tracked, within: np.ndarray, where: str) -> None:
    """Raise :class:`PoiseError` when time goes back on more than ``MAX_SKIPPED_FRACTION``
    of the samples ``within`` the span, naming the first."""
    skipped = np.flatnonzero(tracked.back & within)
    if skipped.size > MAX_SKIPPED_FRACTION * max(int(np.count_nonzero(within)), 1):
        t = tracked.t_s
        i = int(skipped[0])
        before = float(np.nanmax(np.where(np.isfinite(t[:i]), t[:i], np.nan)))
        raise PoiseError(
            f"{where}: time goes back at sample {i + 1} (to {t[i]:g} s after {before:g} s); "
            f"{skipped.size} samples would be skipped. Fix the timestamps, or score the part "
            f"before it with --end {t[i]:g}"
        )


def _usable_rows(
    tracked: Tracked, inside: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """What :func:`~poise.metrics.signals.uniform` keeps of the span's columns: rows
    whose time and every column are finite (``good``, within ``inside``), their times,
    and the order that sorts them when they do not increase (None: they do)."""
    good = np.zeros(len(tracked.t_s), dtype=bool)
    for lo, hi in tracked.chunks():
        rows = inside[lo:hi]
        if not rows.any():
            continue
        finite = np.isfinite(tracked.t_s[lo:hi])
        for a, _ in _GROUPS:
            finite &= np.all(np.isfinite(tracked.group(lo, hi, a)), axis=1)
        good[lo:hi] = rows & finite
    good_in_span = good[inside]
    t = tracked.t_s[good]
    t, order = increasing(t)
    return good_in_span, t, order


class _Resampler:
    """The span's columns on the uniform grid, one group at a time, as
    :func:`~poise.metrics.signals.uniform` would give them all at once."""

    def __init__(
        self,
        tracked: Tracked,
        inside: np.ndarray,
        good: np.ndarray,
        t_good: np.ndarray,
        order: np.ndarray | None,
        grid: np.ndarray,
    ) -> None:
        self.tracked = tracked
        self.inside = inside
        self.rows = np.flatnonzero(inside)[good]  # the samples interpolated
        self.t_good = t_good
        self.order = order
        self.grid = grid

    def columns(self, a: int, b: int, norm: bool = False) -> np.ndarray:
        """Columns ``[a, b)`` (see :meth:`Tracked.columns`) on the grid, shape (m, b - a);
        with ``norm``, only each row's Euclidean norm, shape (m,).

        Where the span's times increase (as they nearly always do), each chunk's samples
        are interpolated as they are derived, the last sample of the chunk before
        joining them: the same bits as one ``np.interp`` over all, without a copy of
        the picked samples beside the result (and, for the norm, without the columns:
        each block's rows are reduced as they are filled, row by row as a whole-array
        norm would).
        """
        first = next(g for g, end in _GROUPS if g <= a < end)
        streamed = self.order is None and len(self.t_good) >= 2
        if streamed:
            out = np.empty(len(self.grid)) if norm else np.empty((len(self.grid), b - a))
            knot_t, knot_v, filled = self.t_good[:0], np.empty((0, b - a)), 0
        else:
            picked = np.empty((len(self.rows), b - a))
        done = 0
        for lo, hi in self.tracked.chunks():
            i, j = np.searchsorted(self.rows, (lo, hi))
            if i == j:
                continue
            group = self.tracked.group(lo, hi, first)
            values = group[self.rows[i:j] - lo, a - first : b - first]
            if streamed:
                knot_t = np.concatenate((knot_t[-1:], self.t_good[done : done + j - i]))
                knot_v = np.concatenate((knot_v[-1:], values))
                end = int(np.searchsorted(self.grid, knot_t[-1], side="right"))
                block = out[filled:end] if not norm else np.empty((end - filled, b - a))
                for k in range(b - a):
                    block[:, k] = np.interp(self.grid[filled:end], knot_t, knot_v[:, k])
                if norm:
                    out[filled:end] = np.linalg.norm(block, axis=1)
                filled = end
            else:
                picked[done : done + j - i] = values
            done += j - i
        if streamed:
            return out
        if len(self.t_good) < 2:
            out = picked if self.order is None else picked[self.order]
        else:
            out = np.empty((len(self.grid), b - a))
            for k in range(b - a):
                out[:, k] = np.interp(self.grid, self.t_good, picked[:, k][self.order])
        return np.linalg.norm(out, axis=1) if norm else out

    def raw_acc_g(self) -> np.ndarray:
        return self.tracked.recording.samples.acc_g[self.inside]
