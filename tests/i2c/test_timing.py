"""Sequence numbers and device time from timestamps or counts; the LSM6DSO FIFO word grouping."""

from __future__ import annotations

import numpy as np
import pytest

from poise.sources.i2c.lsm6ds import TaggedFifo
from poise.sources.i2c.timing import CountTimeline, TickTimeline


def test_ticks_unwrap_and_gaps_count_exactly_with_a_fast_clock_and_any_blocking() -> None:
    rate_hz, lsb_s = 416.0, 25e-6
    period_ticks = 1.0 / (rate_hz * lsb_s) / 1.014  # the chip runs 1.4% fast
    n = 3000
    seq_true = np.arange(n)
    seq_true = seq_true[(seq_true < 1000) | (seq_true >= 1300)]  # 300 lost to an overrun
    seq_true = np.delete(seq_true, [5, 2000])  # and two more
    ticks = (2**32 - 10_000 + np.rint(seq_true * period_ticks).astype(np.int64)) % 2**32
    whole = TickTimeline(lsb_s, rate_hz).place(ticks)
    assert (whole[0] == seq_true).all()
    assert whole[2] == n - len(seq_true)
    assert np.all(np.diff(whole[1]) > 0)  # the wrap at 2**32 did not turn time back

    timeline = TickTimeline(lsb_s, rate_hz)
    cuts = np.sort(np.random.default_rng(3).choice(np.arange(1, len(ticks)), 40, replace=False))
    parts = [timeline.place(part) for part in np.split(ticks, cuts)]
    assert (np.concatenate([p[0] for p in parts]) == whole[0]).all()
    assert np.array_equal(np.concatenate([p[1] for p in parts]), whole[1])
    assert sum(p[2] for p in parts) == whole[2]


def test_counts_restart_after_a_fifo_reset_by_the_host_clock() -> None:
    timeline = CountTimeline(1000.0)
    timeline.start(host_s=5.0)
    assert timeline.place(10)[0].tolist() == list(range(10))
    assert timeline.restart(host_s=5.25) == 240
    seq, t_s = timeline.place(2)
    assert seq.tolist() == [250, 251] and t_s.tolist() == [0.25, 0.251]


def _word(sensor: int, slot: int, payload: int) -> bytes:
    return bytes([sensor << 3 | (slot % 4) << 1]) + payload.to_bytes(6, "little")


def _slot(i: int) -> list[bytes]:
    return [_word(4, i, 1000 + i), _word(1, i, i), _word(2, i, 100 + i)]


def test_tagged_fifo_joins_slots_split_between_drains_and_drops_broken_ones() -> None:
    fifo = TaggedFifo()
    words = [w for i in range(6) for w in _slot(i)]
    gyr, acc, ticks = fifo.feed(b"".join(words[:4]), overrun=False)  # slot 1 is cut
    assert ticks.tolist() == [1000]
    gyr, acc, ticks = fifo.feed(b"".join(words[4:]), overrun=False)
    assert ticks.tolist() == [1001, 1002, 1003, 1004, 1005]
    assert gyr[:, 0].tolist() == [1, 2, 3, 4, 5] and acc[:, 0].tolist() == [101, 102, 103, 104, 105]

    # An overrun overwrote slot 6's timestamp: its gyro and accel words cannot be timed.
    broken = _slot(6)[1:] + _slot(7)
    assert fifo.feed(b"".join(broken), overrun=True)[2].tolist() == [1007]


def test_tagged_fifo_forgets_a_waiting_slot_when_the_fifo_overran() -> None:
    fifo = TaggedFifo()
    assert len(fifo.feed(b"".join(_slot(0)[:2]), overrun=False)[2]) == 0
    # Four slots later the same TAG_CNT comes back: joining would mix two samples.
    gyr, _, ticks = fifo.feed(b"".join(_slot(4)[2:] + _slot(5)), overrun=True)
    assert ticks.tolist() == [1005] and gyr[:, 0].tolist() == [5]


@pytest.mark.parametrize("extra_tag", [0x03, 0x05])
def test_tagged_fifo_skips_other_sensors(extra_tag: int) -> None:
    fifo = TaggedFifo()
    words = [*_slot(0), _word(extra_tag, 0, 7), *_slot(1)]
    assert fifo.feed(b"".join(words), overrun=False)[2].tolist() == [1000, 1001]
