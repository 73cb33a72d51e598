"""From a recording to the arrays the metrics take: tilt, specific force, angular rate.

Calibration and orientation run over the whole recording once, keeping the
columns the drill reads (the reference still period is at its start;
:func:`poise.analysis.tracked.track`); any span of it is then cut out and
resampled onto a uniform grid at the recording's nominal rate, which is what
filters and spectra expect (:func:`cut`). Everything stays in Poise's units and
the segment frame.

Time must move forward. A sample whose time does not pass every earlier one
is skipped (the AHRS skips it too): a repeated time stamp is a duplicate, the
first sample with it kept (counted in the health figures, never an error);
when time going back costs more than ``MAX_SKIPPED_FRACTION`` of the span's
samples, or the span has a gap longer than ``MAX_GAP_S`` that would have to be
bridged, the span cannot be scored as it is and the error says where.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from poise.analysis.tracked import CHUNK_ROWS, COLUMNS, RATE_CHECK_SAMPLES, RAW_ACC, Tracked
from poise.errors import PoiseError
from poise.health import StreamHealth
from poise.motion.angles import flag_counts
from poise.motion.calibration import Calibration
from poise.rate import step_rate_hz
from poise.recording import RecordingFacts, RecordingMeta

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


@dataclass(frozen=True, eq=False)
class Prepared:
    """A span of a recording, ready for the metrics (uniform grid at ``rate_hz``).

    Args:
        t_s: grid times, device time, s.
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
    - ``raw_acc_g``: the span's own accelerometer samples, as measured, sensor axes, g,
      and ``raw_t_s`` their times (device time, s), for peaks resampling would blunt;
    - ``health``: the recording's data-health figures.

    Only the columns the drill keeps can be asked for (:attr:`Drill.columns
    <poise.drills.drill.Drill.columns>`); another raises KeyError.
    """

    recording: RecordingFacts
    rate_hz: float
    t_s: np.ndarray
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
        return self._source.columns("tilt_deg")

    @cached_property
    def inclination_deg(self) -> np.ndarray:
        return self._source.columns("inclination_deg")[:, 0]

    @cached_property
    def up(self) -> np.ndarray:
        up = self._source.columns("up")
        up /= _row_norms(up)[:, None]  # in place: the bits of up / norm(up, axis=1)
        return up

    @cached_property
    def acc_g(self) -> np.ndarray:
        return self._source.columns("acc_g")

    @cached_property
    def acc_norm_g(self) -> np.ndarray:
        """|specific force| per grid sample, g: ``norm(acc_g)`` row by row, without
        resampling the three columns beside it."""
        if "acc_g" in self.__dict__:
            return _row_norms(self.acc_g)
        return self._source.columns("acc_g", norm=True)

    @cached_property
    def gyr_dps(self) -> np.ndarray:
        return self._source.columns("gyr_dps")

    @cached_property
    def raw_acc_g(self) -> np.ndarray:
        return self._source.raw_acc_g()

    @cached_property
    def raw_t_s(self) -> np.ndarray:
        return self._source.tracked.t_s[self._source.rows]

    @property
    def health(self) -> StreamHealth:
        return self.recording.health

    def forget(self, *names: str) -> None:
        """Let go of resampled columns the drill is done with; asked for again, they are
        resampled again, to the same bits (unless :meth:`release` let their samples go)."""
        for name in names:
            self.__dict__.pop(name, None)

    def release(self, *names: str) -> None:
        """Let go of the recording's own samples of these columns
        (:meth:`Tracked.release <poise.analysis.tracked.Tracked.release>`), for a drill
        that has resampled them for the last time, from this cut and any other; what
        is resampled already stays."""
        self._source.tracked.release(*names)


def _row_norms(x: np.ndarray) -> np.ndarray:
    """Each row's Euclidean norm of ``x`` (m, k), ``np.linalg.norm(x, axis=1)``'s bits,
    a chunk of rows at a time: without its (m, k) temporary of squares."""
    out = np.empty(len(x))
    for lo in range(0, len(x), CHUNK_ROWS):
        out[lo : lo + CHUNK_ROWS] = np.linalg.norm(x[lo : lo + CHUNK_ROWS], axis=1)
    return out


def check_rate(meta: RecordingMeta, t_s: np.ndarray, path: str | None) -> None:
    """Raise :class:`PoiseError` when the rate is too slow to score, or the time stamps
    ``t_s`` (the recording's first) step at a rate ``MAX_RATE_MISMATCH`` times off it
    (the uniform grid is at the stated rate: a header of 1 MHz on 416 Hz stamps would
    allocate 2400 grid points per sample)."""
    rate = meta.rate_hz
    where = path or "recording"
    if rate < MIN_RATE_HZ:
        raise PoiseError(f"{where}: {rate:g} Hz is too slow to score (at least {MIN_RATE_HZ:g} Hz)")
    stamps = step_rate_hz(t_s[:RATE_CHECK_SAMPLES])
    if stamps is not None and not 1 / MAX_RATE_MISMATCH <= rate / stamps <= MAX_RATE_MISMATCH:
        said = "--rate" if meta.source.get("kind") == "import" else "rate_hz"
        raise PoiseError(
            f"{where}: the recording says {rate:g} Hz ({said}) but its time stamps step at "
            f"{stamps:.4g} Hz; give the rate the sensor ran at"
        )


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
    first = float(t[int(np.argmax(usable))])
    last = float(t[len(t) - 1 - int(np.argmax(usable[::-1]))])
    lo = first if start_s is None else start_s
    hi = last if end_s is None else end_s
    inside = usable & (t >= lo) & (t <= hi)
    runs = f"the recording runs from {first:g} to {last:g} s"
    if np.count_nonzero(inside) < 2:
        raise PoiseError(f"{where}: no samples between {lo:g} and {hi:g} s ({runs})")
    if t[len(t) - 1 - int(np.argmax(inside[::-1]))] - t[int(np.argmax(inside))] < MIN_SPAN_S:
        raise PoiseError(
            f"{where}: too little between {lo:g} and {hi:g} s to score "
            f"(at least {MIN_SPAN_S:g} s; {runs})"
        )
    step, after = _longest_step(tracked, inside)
    if step > MAX_GAP_S:
        raise PoiseError(
            f"{where}: no samples for {step:g} s after {after:g} s; score the parts "
            "either side of the gap with --start and --end"
        )
    rate = recording.meta.rate_hz
    # What uniform() interpolates: the span's rows whose time and every column are
    # finite. Their times increase: a forward sample's passes every earlier one.
    good = inside & tracked.finite
    count = int(np.count_nonzero(good))
    if count < 2:
        grid = t[good]
    else:
        t0 = t[int(np.argmax(good))]
        t1 = t[len(t) - 1 - int(np.argmax(good[::-1]))]
        grid = t0 + np.arange(int(np.floor((t1 - t0) * rate)) + 1) / rate
    return Prepared(
        recording=recording,
        rate_hz=rate,
        t_s=grid,
        calibration=tracked.calibration,
        ahrs_flags=flag_counts(tracked.flags[inside]),
        span_s=(float(grid[0]), float(grid[-1])),
        bounds_s=(float(lo), float(hi)),
        _source=_Resampler(tracked, inside, good, count, grid),
    )


def _longest_step(tracked: Tracked, inside: np.ndarray) -> tuple[float, float]:
    """The longest step between consecutive times of the rows ``inside`` (at least two),
    s, and the time it starts from (the first such step where several are as long):
    ``np.diff(t[inside])``'s largest, a chunk of the recording at a time, without the
    span's times and steps as arrays."""
    longest, after = -np.inf, np.nan
    previous = np.empty(0)
    for lo, hi in tracked.chunks():
        times = np.concatenate((previous, tracked.t_s[lo:hi][inside[lo:hi]]))
        if times.size >= 2:
            steps = np.diff(times)
            k = int(np.argmax(steps))
            if steps[k] > longest:
                longest, after = float(steps[k]), float(times[k])
        previous = times[-1:]
    return longest, after


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


class _Resampler:
    """The span's columns on the uniform grid, one group at a time, as
    :func:`~poise.metrics.signals.uniform` would give them all at once.

    Args:
        good: the rows interpolated (in the span, every column finite), ``count`` of them.
    """

    def __init__(
        self, tracked: Tracked, inside: np.ndarray, good: np.ndarray, count: int, grid: np.ndarray
    ) -> None:
        self.tracked = tracked
        self.inside = inside
        self.good = good
        self.count = count
        self.grid = grid

    def _pieces(self) -> Iterator[np.ndarray]:
        """The good rows (indices), a chunk of the recording at a time."""
        for lo, hi in self.tracked.chunks():
            rows = lo + np.flatnonzero(self.good[lo:hi])
            if rows.size:
                yield rows

    def columns(self, name: str, norm: bool = False) -> np.ndarray:
        """The column ``name`` (:data:`~poise.analysis.tracked.COLUMNS`) on the grid,
        shape (m, k); with ``norm``, only each row's Euclidean norm, shape (m,).

        The samples are interpolated a chunk at a time, the last sample of the chunk
        before joining them: the same bits as one ``np.interp`` over all, without a copy of
        the picked samples beside the result (and, for the norm, without the columns:
        each block's rows are reduced as they are filled, row by row as a whole-array
        norm would).
        """
        lo, hi = COLUMNS[name]
        width = hi - lo
        if self.count < 2:
            picked = [self.tracked.take(rows, name) for rows in self._pieces()]
            out = np.concatenate(picked) if picked else np.empty((0, width))
            return np.linalg.norm(out, axis=1) if norm else out
        out = np.empty(len(self.grid)) if norm else np.empty((len(self.grid), width))
        knot_t, knot_v, filled = np.empty(0), np.empty((0, width)), 0
        for rows in self._pieces():
            knot_t = np.concatenate((knot_t[-1:], self.tracked.t_s[rows]))
            knot_v = np.concatenate((knot_v[-1:], self.tracked.take(rows, name)))
            end = int(np.searchsorted(self.grid, knot_t[-1], side="right"))
            block = out[filled:end] if not norm else np.empty((end - filled, width))
            for k in range(width):
                block[:, k] = np.interp(self.grid[filled:end], knot_t, knot_v[:, k])
            if norm:
                out[filled:end] = np.linalg.norm(block, axis=1)
            filled = end
        return out

    def raw_acc_g(self) -> np.ndarray:
        if self.tracked.raw_acc_g is None:
            raise KeyError(f"columns {RAW_ACC} were not kept (Drill.columns)")
        return self.tracked.raw_acc_g[self.rows]

    @cached_property
    def rows(self) -> slice | np.ndarray:
        """The span's rows: a slice where they run unbroken (the arrays taken with it are
        then views, not copies), else the mask."""
        first = int(np.argmax(self.inside))
        count = int(np.count_nonzero(self.inside))
        if self.inside[first : first + count].all():
            return slice(first, first + count)
        return self.inside
