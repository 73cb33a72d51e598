"""Sequence numbers and device time for drained samples: pure bookkeeping, no bus.

Two ways, by what the chip offers:

- :class:`TickTimeline` (LSM6DSO, LSM6DSOX, LSM6DSO32): each sample carries the
  chip's 32-bit timestamp counter (25 us per count, DS13181 section 6.4 / AN5192,
  trimmed by INTERNAL_FREQ_FINE). The counter is unwrapped; the sequence number
  advances by the number of sample periods between two timestamps, so samples
  lost to a FIFO overrun show as a sequence gap of exactly their number. The
  period is learnt from the stream (the chip's ODR is off by up to +-1.5%, too
  much to divide a long gap by the nominal period).
- :class:`CountTimeline` (MPU-6050/6500, LSM6DS3TR-C): no timestamps; sample k
  is at k / ODR. After an overrun the FIFO is reset and the samples lost are
  estimated from the host clock (to +-1 sample and the chip's clock tolerance).
"""

from __future__ import annotations

import numpy as np

COUNTER_MODULUS = 2**32
#: Steps learnt before the measured period replaces the nominal one.
MIN_STEPS_FOR_PERIOD = 8


class TickTimeline:
    """Unwraps a 32-bit timestamp counter into device time and sequence numbers.

    Args:
        lsb_s: seconds per count.
        rate_hz: nominal output data rate, Hz.

    >>> timeline = TickTimeline(25e-6, 100.0)
    >>> seq, t_s, lost = timeline.place(np.array([2**32 - 400, 0, 800]))
    >>> seq.tolist(), lost
    ([0, 1, 3], 1)
    >>> (t_s - t_s[0]).round(6).tolist(), round(t_s[0])  # the counter was at 29.8 hours
    ([0.0, 0.01, 0.03], 107374)
    """

    def __init__(self, lsb_s: float, rate_hz: float) -> None:
        self.lsb_s = lsb_s
        self.nominal_period_ticks = 1.0 / (rate_hz * lsb_s)
        self._last_raw: int | None = None
        self._last_ticks = 0  # unwrapped
        self._last_seq = -1
        self._sum_ticks = 0
        self._sum_steps = 0

    @property
    def period_ticks(self) -> float:
        """The sample period in counts: measured once enough steps were seen, else nominal."""
        if self._sum_steps >= MIN_STEPS_FOR_PERIOD:
            return self._sum_ticks / self._sum_steps
        return self.nominal_period_ticks

    def place(self, raw_ticks: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """Sequence numbers, device times (s) and samples lost before and among ``raw_ticks``.

        The period is learnt from single steps (those within half a nominal
        period of it), each gap divided by what was learnt before it, so the
        result does not depend on how the stream is cut into blocks.
        """
        raw = np.asarray(raw_ticks, dtype=np.int64) % COUNTER_MODULUS
        if raw.size == 0:
            return np.empty(0, np.int64), np.empty(0), 0
        first = self._last_raw is None
        if first:  # device time starts where the chip's counter is
            self._last_raw = self._last_ticks = int(raw[0])
        dticks = np.diff(raw, prepend=self._last_raw) % COUNTER_MODULUS
        single = np.rint(dticks / self.nominal_period_ticks) == 1
        if first:
            single[0] = False
        sum_before = self._sum_ticks + np.cumsum(np.where(single, dticks, 0)) - dticks * single
        steps_before = self._sum_steps + np.cumsum(single) - single
        period = np.where(
            steps_before >= MIN_STEPS_FOR_PERIOD,
            sum_before / np.maximum(steps_before, 1),
            self.nominal_period_ticks,
        )
        steps = np.maximum(np.rint(dticks / period).astype(np.int64), 1)
        if first:
            steps[0] = 1  # the first sample is seq 0
        seq = self._last_seq + np.cumsum(steps)
        ticks = self._last_ticks + np.cumsum(dticks)
        self._sum_ticks += int(dticks[single].sum())
        self._sum_steps += int(single.sum())
        self._last_raw = int(raw[-1])
        self._last_ticks = int(ticks[-1])
        self._last_seq = int(seq[-1])
        return seq, ticks * self.lsb_s, int((steps - 1).sum())


class CountTimeline:
    """Numbers samples by count; after a FIFO reset, skips what the host clock says was lost.

    Args:
        rate_hz: the chip's output data rate, Hz.

    >>> timeline = CountTimeline(100.0)
    >>> timeline.start(host_s=10.0)
    >>> timeline.place(3)[0].tolist()
    [0, 1, 2]
    >>> timeline.restart(host_s=10.5)  # FIFO reset 0.5 s after the start: 50 made, 3 read
    47
    >>> timeline.place(1)
    (array([50]), array([0.5]))
    """

    def __init__(self, rate_hz: float) -> None:
        self.rate_hz = rate_hz
        self._next_seq = 0
        self._anchor_host_s = 0.0
        self._anchor_seq = 0

    def start(self, host_s: float) -> None:
        """The FIFO was emptied at host time ``host_s``: the next sample is seq 0."""
        self._next_seq = 0
        self._anchor_host_s = host_s
        self._anchor_seq = 0

    def restart(self, host_s: float) -> int:
        """The FIFO was reset at ``host_s`` after an overrun; returns the samples lost."""
        made = self._anchor_seq + round((host_s - self._anchor_host_s) * self.rate_hz)
        lost = max(0, made - self._next_seq)
        self._next_seq += lost
        self._anchor_host_s = host_s
        self._anchor_seq = self._next_seq
        return lost

    def place(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Sequence numbers and device times (s) of the next ``n`` samples."""
        seq = self._next_seq + np.arange(n, dtype=np.int64)
        self._next_seq += n
        return seq, seq / self.rate_hz
