"""Still periods: windows where the sensor rests (on a table, or on a quietly standing athlete).

A window of samples is still when, over the window,

- every gyroscope axis varies by at most ``gyr_std_dps`` (standard deviation),
- every accelerometer axis varies by at most ``acc_std_g``,
- the mean acceleration has the magnitude of gravity within ``acc_norm_tolerance_g``.

The test is on spread, not on level, so a gyroscope bias of any size does not
hide a still period: the bias is what the still period is used to measure.
The spread is the motion's, not the sensor's own white noise: half the mean
squared sample-to-sample difference (the white noise's variance; slow motion
barely changes from one sample to the next) is taken off each axis's variance,
so a noisy chip, or one read at a high rate, still finds its still period.
The figures are over the window's usable samples: up to
``MAX_UNUSABLE_FRACTION`` of them may be missing (NaN: a bad sample masked, a
value the file lacks), so one bad sample does not move the reference period.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from poise.checks import check_number

#: Largest share of a still window's samples that may be unusable (NaN).
MAX_UNUSABLE_FRACTION = 0.01


@dataclass(frozen=True)
class StillSettings:
    """Thresholds of the still test.

    Args:
        window_s: length of a still window when still periods are listed (poise
            inspect) or poses are found (poise calibrate-accel), s. The reference
            still period uses [calibration] reference_s instead.
        gyr_std_dps: largest standard deviation of any gyroscope axis, deg/s. Quiet
            two-legged standing moves the shank by well under this; single-leg stance
            moves it by more.
        acc_std_g: largest standard deviation of any accelerometer axis, g (above
            the 8 mg of an MPU-6050's own noise at 1 kHz).
        acc_norm_tolerance_g: largest difference between the mean acceleration's
            magnitude and 1 g (wide enough for an uncalibrated MPU-6050: 80 mg
            offsets and 3% scale errors).
    """

    window_s: float = 1.0
    gyr_std_dps: float = 1.0
    acc_std_g: float = 0.02
    acc_norm_tolerance_g: float = 0.2

    def __post_init__(self) -> None:
        check_number("window_s", self.window_s, 0.1, 60.0)
        check_number("gyr_std_dps", self.gyr_std_dps, 0.0, 100.0, above=True)
        check_number("acc_std_g", self.acc_std_g, 0.0, 1.0, above=True)
        check_number("acc_norm_tolerance_g", self.acc_norm_tolerance_g, 0.0, 1.0, above=True)


class StillSearch:
    """Still windows of a stream, found block by block in constant work per sample.

    Running sums of the samples (centred on the first good row, so that
    E[x^2] - E[x]^2 does not cancel) are extended sequentially, exactly as one
    pass over the whole stream would compute them; a window's figures therefore
    do not depend on where the blocks were cut. Only the last ``window_len``
    running sums are kept.

    >>> search = StillSearch(3, StillSettings())
    >>> up = np.tile([0.0, 0.0, 1.0], (4, 1))
    >>> search.extend(up, np.zeros((4, 3))).tolist()  # windows starting at 0 and 1
    [True, True]
    >>> search.extend(up[:1], np.zeros((1, 3))).tolist()  # the window starting at 2
    [True]
    """

    def __init__(self, window_len: int, settings: StillSettings) -> None:
        self.window_len = max(2, int(window_len))
        self.settings = settings
        self.samples = 0  # samples seen so far
        self._centre: np.ndarray | None = None
        self._sums = np.zeros((1, 6))  # running sums of the centred values ...
        self._squares = np.zeros((1, 6))  # ... of their squares ...
        self._steps = np.zeros((1, 6))  # ... of their squared steps from the sample before ...
        self._bad = np.zeros(1)  # ... and of the unusable rows, up to the newest sample
        self._last: np.ndarray | None = None  # the newest centred row (the next step's start)

    def extend(self, acc_g: np.ndarray, gyr_dps: np.ndarray) -> np.ndarray:
        """Add samples; returns whether each window completed by them is still.

        The windows returned start at sample ``max(0, old - window_len + 1)`` up
        to ``new - window_len`` (global indices, ``old``/``new`` the sample counts
        before and after).
        """
        values = np.concatenate((acc_g, gyr_dps), axis=1)
        bad = ~np.isfinite(values).all(axis=1)
        if self._centre is None and (~bad).any():
            self._centre = values[np.argmax(~bad)].copy()
        centre = self._centre if self._centre is not None else np.zeros(6)
        values = np.where(bad[:, None], 0.0, values - centre)
        w = self.window_len
        before = np.vstack((values[:1] if self._last is None else self._last, values[:-1]))
        self._last = values[-1:].copy()
        step = values - before
        # Sequential sums continued from the last one: the same bits as one long cumsum.
        sums = np.cumsum(np.vstack((self._sums[-1:], values)), axis=0)
        squares = np.cumsum(np.vstack((self._squares[-1:], values * values)), axis=0)
        steps = np.cumsum(np.vstack((self._steps[-1:], step * step)), axis=0)
        bads = np.cumsum(np.concatenate((self._bad[-1:], bad.astype(float))))
        sums = np.vstack((self._sums[:-1], sums))
        squares = np.vstack((self._squares[:-1], squares))
        steps = np.vstack((self._steps[:-1], steps))
        bads = np.concatenate((self._bad[:-1], bads))
        # Row k of the kept sums is the sum over the first (self.samples - kept + 1 + k) samples.
        first_kept = self.samples + 1 - len(self._sums)
        self.samples += len(values)
        count = len(sums) - w  # windows that end within the kept rows
        if count <= 0:
            self._sums, self._squares, self._steps, self._bad = sums, squares, steps, bads
            return np.zeros(0, dtype=bool)
        missing = bads[w:] - bads[:-w]
        usable = np.maximum(w - missing, 1.0)[:, None]
        mean = (sums[w:] - sums[:-w]) / usable
        white = (steps[w:] - steps[:-w]) / (2 * usable)  # var of white noise: E[step^2] / 2
        variance = (squares[w:] - squares[:-w]) / usable - mean * mean - white
        std = np.sqrt(np.maximum(variance, 0.0))
        acc_norm = np.linalg.norm(mean[:, :3] + centre[:3], axis=1)
        still = (
            (std[:, :3] <= self.settings.acc_std_g).all(axis=1)
            & (std[:, 3:] <= self.settings.gyr_std_dps).all(axis=1)
            & (np.abs(acc_norm - 1.0) <= self.settings.acc_norm_tolerance_g)
            & (missing <= MAX_UNUSABLE_FRACTION * w)
        )
        # Windows already reported (those ending before this block) are left out.
        new_from = max(0, (self.samples - len(values)) - w + 1 - first_kept)
        self._sums, self._squares, self._steps = sums[-w:], squares[-w:], steps[-w:]
        self._bad = bads[-w:]
        return still[new_from:]


def still_windows(
    acc_g: np.ndarray, gyr_dps: np.ndarray, window_len: int, settings: StillSettings
) -> np.ndarray:
    """For each start index i, whether samples ``[i, i + window_len)`` are still.

    Returns a bool array of length ``n - window_len + 1`` (empty if n < window_len).
    A window with more than ``MAX_UNUSABLE_FRACTION`` of NaN rows is never still.
    """
    return StillSearch(window_len, settings).extend(acc_g, gyr_dps)


def still_mask(
    acc_g: np.ndarray, gyr_dps: np.ndarray, window_len: int, settings: StillSettings
) -> np.ndarray:
    """Per sample: whether it lies in at least one still window."""
    n = acc_g.shape[0]
    starts = still_windows(acc_g, gyr_dps, window_len, settings)
    # A sample is covered when a still window starts within window_len - 1 before it.
    marks = np.zeros(n + 1, dtype=int)
    idx = np.flatnonzero(starts)
    np.add.at(marks, idx, 1)
    np.add.at(marks, idx + window_len, -1)
    return np.cumsum(marks[:n]) > 0


def still_periods(t_s: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    """Runs of True in ``mask`` as (start, end) device times, s."""
    if not mask.any():
        return []
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return [(float(t_s[a]), float(t_s[b])) for a, b in zip(starts, ends, strict=True)]


class StillPeriods:
    """:func:`still_periods` of :func:`still_mask`, found block by block.

    The same windows as one pass over the whole stream (:class:`StillSearch`),
    merged into runs as they come: a window starting within ``window_len``
    samples of the last one extends its run. Memory: the last ``window_len``
    times, whatever the stream's length.

    >>> finder = StillPeriods(3, StillSettings())
    >>> up = np.tile([0.0, 0.0, 1.0], (4, 1))
    >>> finder.update(np.arange(4.0), up, np.zeros((4, 3)))
    >>> finder.update(np.array([4.0]), up[:1], np.zeros((1, 3)))
    >>> finder.finish()
    [(0.0, 4.0)]
    """

    def __init__(self, window_len: int, settings: StillSettings) -> None:
        self._search = StillSearch(window_len, settings)
        self.window_len = self._search.window_len
        self._t = np.empty(0)  # times of the samples from index self._t_first on
        self._t_first = 0
        self._run: tuple[int, float, int] | None = None  # first start, its time, last start
        self._periods: list[tuple[float, float]] = []
        self._end_t = 0.0  # time of the open run's last covered sample

    def update(self, t_s: np.ndarray, acc_g: np.ndarray, gyr_dps: np.ndarray) -> None:
        if len(t_s) == 0:
            return
        w = self.window_len
        still = self._search.extend(acc_g, gyr_dps)
        self._t = np.concatenate((self._t, t_s))
        starts = self._search.samples - w + 1 - len(still) + np.flatnonzero(still)
        if starts.size:
            # Consecutive starts further apart than w leave samples uncovered: a new run.
            last = -np.inf if self._run is None else self._run[2]
            previous = np.concatenate(([last], starts[:-1]))
            bounds = [*np.flatnonzero(starts > previous + w).tolist(), len(starts)]
            if bounds[0] != 0:  # the first starts extend the run already open
                self._extend(int(starts[bounds[0] - 1]))
            for a, b in itertools.pairwise(bounds):
                self._close()
                first = int(starts[a])
                self._run = (first, self._time(first), first)
                self._extend(int(starts[b - 1]))
        keep = max(0, self._search.samples - w)
        self._t = self._t[keep - self._t_first :]
        self._t_first = keep

    def _extend(self, last_start: int) -> None:
        """The open run now reaches the window starting at ``last_start``."""
        assert self._run is not None
        self._run = (self._run[0], self._run[1], last_start)
        self._end_t = self._time(last_start + self.window_len - 1)

    def _time(self, index: int) -> float:
        return float(self._t[index - self._t_first])

    def _close(self) -> None:
        if self._run is not None:
            self._periods.append((self._run[1], self._end_t))
            self._run = None

    def finish(self) -> list[tuple[float, float]]:
        """The still periods, as (start, end) device times, s."""
        self._close()
        return self._periods
