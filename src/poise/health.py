"""Data-health figures of a sample stream: what is wrong with the data, counted, never hidden.

Nothing here repairs data. Duplicate or backward timestamps, gaps, NaNs, all-zero
rows (a dead-sensor or export dropout: a real accelerometer always feels
gravity), bad samples (a value that is not finite or beyond any sensor's full
scale, :func:`bad_rows`) and samples at full scale are counted so that a result
computed on the stream can say how trustworthy it is. Scoring leaves bad
samples out (:func:`masked`): orientation steps over them and the metrics'
uniform grid interpolates across them.

:class:`HealthMonitor` is fed block by block and gives the same figures as one
call on the whole recording (live equals replay).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from poise.chips import MAX_ACC_RANGE_G, MAX_GYR_RANGE_DPS
from poise.samples import SampleBlock
from poise.text import plural
from poise.validity import ResultWarning

#: A step in time longer than this many nominal periods counts as a gap.
GAP_FACTOR = 1.5
#: A value at or beyond this fraction of full scale counts as saturated
#: (int16 full scale is -32768..32767 LSB, so the positive rail is one LSB short).
SATURATION_FRACTION = 0.999
#: Missing samples warn a result above this fraction of the stream ...
GAP_WARN_FRACTION = 0.005
#: ... or with one gap longer than this, s: a landing's impact lasts about 50 ms.
GAP_WARN_S = 0.05
#: Rows whose values are checked at a time.
ROW_SLICE = 65536


@dataclass(frozen=True)
class StreamHealth:
    """Counts of data problems in a stream; ``None`` where a figure cannot be known.

    A gap is a step in device time longer than ``GAP_FACTOR`` nominal periods;
    ``missing_samples`` estimates how many samples the gaps and sequence jumps
    lost. ``measured_rate_hz`` is the rate over the regular steps (gaps,
    duplicates and backward steps left out). ``bad_rows`` counts samples with a
    value that is not finite or beyond any sensor's full scale (``nan_rows`` those
    with a NaN among them), ``first_bad_t_s`` the time of the first. Saturation
    needs the sensor's ranges and is ``None`` without them.
    """

    samples: int
    duration_s: float
    nominal_rate_hz: float
    measured_rate_hz: float | None
    bad_timestamps: int
    duplicate_timestamps: int
    backward_timestamps: int
    gaps: int
    longest_gap_s: float
    missing_samples: int
    seq_jumps: int
    nan_rows: int
    bad_rows: int
    first_bad_t_s: float | None
    zero_rows: int
    acc_saturated: int | None
    gyr_saturated: int | None

    def problems(self) -> list[str]:
        """One short line per kind of problem found; empty when the stream is clean."""
        return [line for _, line in self._findings()]

    def warnings(self) -> list[ResultWarning]:
        """The problems as coded warnings (:mod:`poise.validity`), one per code.

        Gaps warn only when they can cost a figure (:meth:`gaps_matter`): a sample
        dropped now and then is counted in the health figures, not a doubt.
        """
        by_code: dict[str, list[str]] = {}
        for code, line in self._findings():
            if code == "gaps" and not self.gaps_matter():
                continue
            by_code.setdefault(code, []).append(line)
        return [ResultWarning(code, "; ".join(lines)) for code, lines in by_code.items()]

    def gaps_matter(self) -> bool:
        """Whether the missing samples can cost a figure: more than
        ``GAP_WARN_FRACTION`` of them, or one gap longer than ``GAP_WARN_S`` (an
        impact or a step can fall inside it), or any all-zero dropout row."""
        expected = self.samples + self.missing_samples
        return (
            self.missing_samples > GAP_WARN_FRACTION * max(expected, 1)
            or self.longest_gap_s > GAP_WARN_S
            or self.zero_rows > 0
        )

    def _findings(self) -> list[tuple[str, str]]:
        """(warning code, line) per kind of problem found."""
        out = []
        if self.bad_timestamps:
            out.append(
                ("bad_samples", f"{self.bad_timestamps} timestamps that are not finite numbers")
            )
        if self.duplicate_timestamps:
            out.append(("timestamps", plural(self.duplicate_timestamps, "duplicate timestamp")))
        if self.backward_timestamps:
            out.append(("timestamps", f"{self.backward_timestamps} timestamps that go backwards"))
        if self.gaps:
            out.append(
                (
                    "gaps",
                    f"{plural(self.gaps, 'gap')} (longest {self.longest_gap_s * 1000:.1f} ms, "
                    f"~{plural(self.missing_samples, 'sample')} missing)",
                )
            )
        elif self.missing_samples:
            missing = plural(self.missing_samples, "sample")
            out.append(("gaps", f"~{missing} missing (sequence jumps)"))
        if self.seq_jumps:
            out.append(("gaps", plural(self.seq_jumps, "sequence-number jump")))
        if self.bad_rows:
            first = "" if self.first_bad_t_s is None else f", the first at {self.first_bad_t_s:g} s"
            out.append(
                (
                    "bad_samples",
                    f"{plural(self.bad_rows, 'sample')} not finite "
                    "or beyond any sensor's full scale"
                    f"{first}; left out of the scoring",
                )
            )
        if self.zero_rows:
            out.append(("gaps", f"{self.zero_rows} all-zero rows (dropouts)"))
        if self.acc_saturated:
            out.append(("saturation", f"{self.acc_saturated} accelerometer samples at full scale"))
        if self.gyr_saturated:
            out.append(("saturation", f"{self.gyr_saturated} gyroscope samples at full scale"))
        return out

    def to_dict(self) -> dict:
        return asdict(self)


class HealthMonitor:
    """Accumulates :class:`StreamHealth` over a stream fed block by block.

    Memory and work per block are constant in the stream's length, so a
    monitor can run for a whole session.

    Args:
        nominal_rate_hz: the rate the stream claims; gaps are measured against it.
        acc_range_g: accelerometer full scale (+-g), or ``None`` if unknown.
        gyr_range_dps: gyroscope full scale (+-deg/s), or ``None`` if unknown.

    >>> import numpy as np
    >>> t = np.array([0.0, 0.01, 0.01, 0.05])
    >>> block = SampleBlock(t, np.arange(4), np.tile([0, 0, 1.0], (4, 1)), np.zeros((4, 3)))
    >>> monitor = HealthMonitor(nominal_rate_hz=100.0)
    >>> monitor.update(block)
    >>> h = monitor.health
    >>> h.duplicate_timestamps, h.gaps, h.missing_samples
    (1, 1, 3)
    """

    def __init__(
        self,
        nominal_rate_hz: float,
        acc_range_g: float | None = None,
        gyr_range_dps: float | None = None,
    ) -> None:
        if not nominal_rate_hz or nominal_rate_hz <= 0:
            raise ValueError("nominal_rate_hz must be positive")
        self.nominal_rate_hz = float(nominal_rate_hz)
        self.acc_range_g = acc_range_g
        self.gyr_range_dps = gyr_range_dps
        self._period_s = 1.0 / self.nominal_rate_hz
        self._n = 0
        self._t_first_finite: float | None = None
        self._t_last_finite: float | None = None
        self._t_last: float | None = None
        self._seq_last: int | None = None
        self._regular_steps = 0
        self._regular_time_s = 0.0
        self._bad_times = 0
        self._duplicates = 0
        self._backward = 0
        self._gaps = 0
        self._longest_gap_s = 0.0
        self._gap_missing = 0
        self._seq_jumps = 0
        self._seq_missing = 0
        self._nan = 0
        self._bad = 0
        self._first_bad_t_s: float | None = None
        self._zero = 0
        self._acc_sat = 0
        self._gyr_sat = 0

    def update(self, block: SampleBlock) -> None:
        """Count the problems in ``block``, including at its join with the previous one."""
        if len(block) == 0:
            return
        finite = block.t_s[np.isfinite(block.t_s)]
        if finite.size:
            if self._t_first_finite is None:
                self._t_first_finite = float(finite[0])
            self._t_last_finite = float(finite[-1])
        with np.errstate(invalid="ignore"):  # inf - inf: an unknown step, left out below
            if self._t_last is None:
                dt = np.diff(block.t_s)
                dseq = np.diff(block.seq)
            else:
                dt = np.diff(block.t_s, prepend=self._t_last)
                dseq = np.diff(block.seq, prepend=self._seq_last)

        # A NaN or infinite time makes its step unknown: counted, then left out.
        self._bad_times += int(np.count_nonzero(~np.isfinite(block.t_s)))
        dt, gap, regular = self._steps(dt)
        self._regular_steps += int(np.count_nonzero(regular))
        self._regular_time_s += float(dt[regular].sum())
        with np.errstate(invalid="ignore"):
            self._duplicates += int(np.count_nonzero(dt == 0))
            self._backward += int(np.count_nonzero(dt < 0))
        if gap.any():
            self._gaps += int(np.count_nonzero(gap))
            self._longest_gap_s = max(self._longest_gap_s, float(dt[gap].max()))
            self._gap_missing += int(np.sum(np.round(dt[gap] / self._period_s) - 1))

        jumps = dseq != 1
        self._seq_jumps += int(np.count_nonzero(jumps))
        self._seq_missing += int(np.sum(np.clip(dseq[jumps] - 1, 0, None)))

        # Counts of rows, a slice at a time: a whole recording needs no copy of its values.
        for lo in range(0, len(block), ROW_SLICE):
            acc, gyr = block.acc_g[lo : lo + ROW_SLICE], block.gyr_dps[lo : lo + ROW_SLICE]
            values = np.concatenate((acc, gyr), axis=1)
            self._nan += int(np.count_nonzero(np.isnan(values).any(axis=1)))
            bad = bad_rows(acc, gyr)
            if bad.any():
                self._bad += int(np.count_nonzero(bad))
                if self._first_bad_t_s is None:
                    t = float(block.t_s[lo + int(np.argmax(bad))])
                    self._first_bad_t_s = t if np.isfinite(t) else None
            self._zero += int(np.count_nonzero((values == 0.0).all(axis=1)))
            # A bad sample is not a reading at full scale: it is no reading at all.
            with np.errstate(invalid="ignore"):
                if self.acc_range_g:
                    limit = SATURATION_FRACTION * self.acc_range_g
                    at_scale = (np.abs(acc) >= limit).any(axis=1) & ~bad
                    self._acc_sat += int(np.count_nonzero(at_scale))
                if self.gyr_range_dps:
                    limit = SATURATION_FRACTION * self.gyr_range_dps
                    at_scale = (np.abs(gyr) >= limit).any(axis=1) & ~bad
                    self._gyr_sat += int(np.count_nonzero(at_scale))

        self._t_last = float(block.t_s[-1])
        self._seq_last = int(block.seq[-1])
        self._n += len(block)

    def _steps(self, dt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The steps (an unknown one as NaN), which are gaps and which are regular."""
        dt = np.where(np.isfinite(dt), dt, np.nan)
        with np.errstate(invalid="ignore"):
            gap = dt > GAP_FACTOR * self._period_s
            regular = (dt > 0) & ~gap
        return dt, gap, regular

    def summed_over(self, t_s: np.ndarray) -> StreamHealth:
        """:attr:`health`, the time of the regular steps summed over ``t_s`` (every time
        the monitor was fed, in order) as one array, as a monitor fed them all at once
        sums it: a sum of block sums can differ in its last bits, and a stream read a
        block at a time must give the measured rate a whole read gives."""
        with np.errstate(invalid="ignore"):  # inf - inf: an unknown step
            dt, _, regular = self._steps(np.diff(t_s))
        time_s = float(dt[regular].sum())
        return replace(
            self.health, measured_rate_hz=self._regular_steps / time_s if time_s > 0 else None
        )

    @property
    def health(self) -> StreamHealth:
        return StreamHealth(
            samples=self._n,
            duration_s=(
                self._t_last_finite - self._t_first_finite
                if self._t_first_finite is not None and self._t_last_finite is not None
                else 0.0
            ),
            nominal_rate_hz=self.nominal_rate_hz,
            measured_rate_hz=(
                self._regular_steps / self._regular_time_s if self._regular_time_s > 0 else None
            ),
            bad_timestamps=self._bad_times,
            duplicate_timestamps=self._duplicates,
            backward_timestamps=self._backward,
            gaps=self._gaps,
            longest_gap_s=self._longest_gap_s,
            # A lost sample shows as a time gap and as a sequence jump; count it once.
            missing_samples=max(self._gap_missing, self._seq_missing),
            seq_jumps=self._seq_jumps,
            nan_rows=self._nan,
            bad_rows=self._bad,
            first_bad_t_s=self._first_bad_t_s,
            zero_rows=self._zero,
            acc_saturated=self._acc_sat if self.acc_range_g else None,
            gyr_saturated=self._gyr_sat if self.gyr_range_dps else None,
        )


def bad_rows(acc_g: np.ndarray, gyr_dps: np.ndarray) -> np.ndarray:
    """Rows (n,) holding a value no sensor gives: not finite, or beyond the widest full
    scale of any IMU (:data:`poise.chips.MAX_ACC_RANGE_G`, ``MAX_GYR_RANGE_DPS``).

    >>> bad_rows(np.array([[0, 0, 1.0], [0, 0, 1e300]]), np.array([[0, 0, np.inf], [0, 0, 0]]))
    array([ True,  True])
    """
    with np.errstate(invalid="ignore"):
        acc_ok = (np.abs(acc_g) <= MAX_ACC_RANGE_G).all(axis=1)
        gyr_ok = (np.abs(gyr_dps) <= MAX_GYR_RANGE_DPS).all(axis=1)
    return ~(acc_ok & gyr_ok)


def masked(block: SampleBlock) -> SampleBlock:
    """``block`` with the values of its bad rows (:func:`bad_rows`) made NaN, as scoring
    takes them: a NaN row is stepped over, never integrated (``block`` itself when none is
    bad)."""
    bad = bad_rows(block.acc_g, block.gyr_dps)
    if not bad.any():
        return block
    acc, gyr = block.acc_g.copy(), block.gyr_dps.copy()
    acc[bad] = np.nan
    gyr[bad] = np.nan
    return SampleBlock(block.t_s, block.seq, acc, gyr)


def check(
    block: SampleBlock,
    nominal_rate_hz: float,
    acc_range_g: float | None = None,
    gyr_range_dps: float | None = None,
) -> StreamHealth:
    """Health figures of a whole recording in one call."""
    monitor = HealthMonitor(nominal_rate_hz, acc_range_g, gyr_range_dps)
    monitor.update(block)
    return monitor.health
