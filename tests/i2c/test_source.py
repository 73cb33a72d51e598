"""The I2C source against fake chips fed with simulated athletes: values, seq, time, losses."""

from __future__ import annotations

import errno

import numpy as np
import pytest
from fake_bus import (
    FakeBus,
    FakeClock,
    FakeLsm6ds3trc,
    FakeLsm6dso32,
    FakeLsm6dsox,
    FakeMpu6050,
    FakeMpu6500,
)

from conftest import simulated
from poise.errors import PoiseError
from poise.samples import SampleBlock
from poise.sources.i2c import I2CSource

# (fake chip, model, rate, address): each chip at a low and a high rate it offers.
CHIPS = [
    (FakeLsm6dso32, "lsm6dso32", 104.0, 0x6A),
    (FakeLsm6dso32, "lsm6dso32", 833.0, 0x6B),
    (FakeLsm6dsox, "lsm6dsox", 416.0, 0x6A),
    (FakeLsm6ds3trc, "lsm6ds3trc", 208.0, 0x6A),
    (FakeMpu6050, "mpu6050", 100.0, 0x68),
    (FakeMpu6050, "mpu6050", 1000.0, 0x69),
    (FakeMpu6500, "mpu6500", 1000.0, 0x68),
]


def stance(model: str, rate_hz: float, **kwargs: object) -> SampleBlock:
    args = {"imu": model, "rate_hz": rate_hz, "seed": 4, "duration_s": 5.0}
    args.update({"drop_probability": 0.0, **kwargs})
    return simulated("stance", **args).recording.samples


def rig(fake_type, rate_hz, samples, address=0x6A, **fake_args):
    clock = FakeClock()
    chip = fake_type(clock, samples, rate_hz, **fake_args)
    return clock, chip, FakeBus(clock, {address: chip})


def drain(source: I2CSource, until: int, max_polls: int = 100_000) -> SampleBlock:
    """Blocks until ``until`` samples arrived; asserts every block came within 0.1 s."""
    blocks, n = [], 0
    for _, block in zip(range(max_polls), source.blocks(), strict=False):
        blocks.append(block)
        n += len(block)
        if n >= until:
            break
    return SampleBlock.concat([b for b in blocks if len(b)])


def assert_same_samples(out: SampleBlock, sim: SampleBlock, spec, acc_range, gyr_range) -> None:
    assert np.abs(out.acc_g - sim.acc_g).max() <= spec.acc_lsb_g[acc_range]
    assert np.abs(out.gyr_dps - sim.gyr_dps).max() <= spec.gyr_lsb_dps[gyr_range]


@pytest.mark.parametrize(("fake_type", "model", "rate_hz", "address"), CHIPS)
def test_simulated_athlete_arrives_whole(fake_type, model, rate_hz, address) -> None:
    sim = stance(model, rate_hz)
    clock, chip, bus = rig(
        fake_type,
        rate_hz,
        sim,
        address,
        **(
            {"tick0": 2**32 - 20_000}
            if fake_type is not FakeMpu6050 and hasattr(fake_type, "tick")
            else {}
        ),
    )
    with I2CSource(
        bus,
        model=None if model == "lsm6dso32" else model,
        rate_hz=rate_hz,
        clock=clock.now,
        sleep=clock.sleep,
    ) as source:
        out = drain(source, len(sim))
        stats = source.stats
        meta = source.meta
        spec_range = chip.scales()
    assert (spec_range[0], spec_range[2]) == (meta.acc_range_g, meta.gyr_range_dps)
    assert meta.source == {"kind": "i2c", "bus": "FakeBus", "address": address}
    assert len(out) == len(sim) and (out.seq == sim.seq).all()
    np.testing.assert_allclose(out.t_s - out.t_s[0], sim.t_s - sim.t_s[0], rtol=0, atol=1e-9)
    assert_same_samples(out, sim, _spec(meta), meta.acc_range_g, meta.gyr_range_dps)
    assert stats.samples == len(sim) and stats.samples_lost == stats.fifo_overruns == 0
    assert stats.io_errors == 0
    if fake_type is not FakeMpu6050 and fake_type is not FakeMpu6500:
        assert chip.bdu, "block-data-update must be on"


def _spec(meta):
    from poise.chips import chip

    return chip(meta.sensor_model)


def test_timestamps_reproduce_the_chips_own_gaps_and_trim() -> None:
    # The simulated chip dropped samples; its timestamps must show exactly where.
    sim = stance("lsm6dso32", 416.0, drop_probability=0.01)
    assert sim.seq[-1] + 1 > len(sim)
    clock, _chip, bus = rig(FakeLsm6dso32, 416.0, sim, freq_fine=-25, tick0=2**32 - 3)
    with I2CSource(bus, rate_hz=416.0, clock=clock.now, sleep=clock.sleep) as source:
        out = drain(source, len(sim))
        assert (out.seq == sim.seq).all()
        assert source.stats.samples_lost == sim.seq[-1] + 1 - len(sim)
    # FREQ_FINE -25: a count is 25 us / (1 - 0.0375); untrimmed, 5 s would be 190 ms off.
    np.testing.assert_allclose(out.t_s - out.t_s[0], sim.t_s - sim.t_s[0], atol=30e-6)


def test_lsm6dso_overrun_loses_exactly_the_overwritten_samples() -> None:
    sim = stance("lsm6dso32", 833.0)
    clock, chip, bus = rig(FakeLsm6dso32, 833.0, sim)
    with I2CSource(bus, rate_hz=833.0, clock=clock.now, sleep=clock.sleep) as source:
        blocks = source.blocks()
        got = [next(blocks) for _ in range(50)]
        clock.advance(0.5)  # Python stalls: the 512-word FIFO holds 0.2 s at 833 Hz
        got += [next(blocks) for _ in range(150)]
        out = SampleBlock.concat([b for b in got if len(b)])
        stats = source.stats
    assert stats.fifo_overruns == 1
    lost_truth = len(chip.lost)
    assert lost_truth > 200 and stats.samples_lost == lost_truth
    assert set(out.seq.tolist()).isdisjoint(chip.lost)
    assert sorted([*out.seq.tolist(), *chip.lost]) == list(range(out.seq[-1] + 1))
    assert_same_samples(out, sim[out.seq], _spec(source.meta), 32.0, 2000.0)
    np.testing.assert_allclose(out.t_s - out.t_s[0], sim.t_s[out.seq] - sim.t_s[0], atol=1e-9)


@pytest.mark.parametrize(
    ("fake_type", "model", "rate_hz"),
    [
        (FakeMpu6050, "mpu6050", 1000.0),
        (FakeMpu6500, "mpu6500", 500.0),
        (FakeLsm6ds3trc, "lsm6ds3trc", 1666.0),
    ],
)
def test_count_timed_overrun_is_estimated_within_one_sample(fake_type, model, rate_hz) -> None:
    sim = stance(model, rate_hz)
    address = 0x68 if fake_type is not FakeLsm6ds3trc else 0x6A
    clock, chip, bus = rig(fake_type, rate_hz, sim, address)
    with I2CSource(bus, model=model, rate_hz=rate_hz, clock=clock.now, sleep=clock.sleep) as source:
        blocks = source.blocks()
        got = [next(blocks) for _ in range(20)]
        clock.advance(1.5)  # the FIFO holds 85 ms (6050), 43 ms (6500), 0.2 s (DS3TR-C)
        got += [next(blocks) for _ in range(20)]
        out = SampleBlock.concat([b for b in got if len(b)])
        stats = source.stats
    assert stats.fifo_overruns == 1
    made = chip.produced - len(chip.fifo) // (12 if fake_type is not FakeLsm6ds3trc else 6)
    assert abs(stats.samples_lost - (made - len(out))) <= 1
    assert stats.samples_lost > 0.9 * 1.5 * rate_hz
    assert (np.diff(out.seq) >= 1).all()
    np.testing.assert_allclose(out.t_s, out.seq / rate_hz)


def test_saturated_landings_are_counted_and_scaled_to_the_rail() -> None:
    sim = simulated(
        "hop",
        imu="lsm6dso32",
        rate_hz=416.0,
        seed=2,
        acc_range_g=4.0,
        gyr_range_dps=125.0,
        hops=2,
        drop_probability=0.0,
    ).recording.samples
    lsb = 0.122e-3
    acc_sat = int(np.isin(np.rint(sim.acc_g / lsb), [-32768, 32767]).any(axis=1).sum())
    gyr_sat = int(np.isin(np.rint(sim.gyr_dps / 4.375e-3), [-32768, 32767]).any(axis=1).sum())
    assert acc_sat > 0 and gyr_sat > 0
    clock, _chip, bus = rig(FakeLsm6dso32, 416.0, sim)
    with I2CSource(
        bus, rate_hz=416.0, acc_range_g=4.0, gyr_range_dps=125.0, clock=clock.now, sleep=clock.sleep
    ) as source:
        out = drain(source, len(sim))
        stats = source.stats
    assert (stats.acc_saturated, stats.gyr_saturated) == (acc_sat, gyr_sat)
    assert out.acc_g.min() == pytest.approx(-32768 * lsb)
    assert_same_samples(out, sim, _spec(source.meta), 4.0, 125.0)


@pytest.mark.parametrize("code", [errno.EREMOTEIO, errno.EIO])
def test_transient_io_errors_are_retried_and_counted(code: int) -> None:
    sim = stance("lsm6dso32", 104.0)
    clock, _chip, bus = rig(FakeLsm6dso32, 104.0, sim)
    with I2CSource(bus, rate_hz=104.0, clock=clock.now, sleep=clock.sleep) as source:
        blocks = source.blocks()
        got = [next(blocks) for _ in range(30)]
        bus.fail(code, times=3)
        got += [next(blocks) for _ in range(30)]
        bus.fail(code, times=2)
        rest = drain(source, len(sim) - sum(map(len, got)))
        out = SampleBlock.concat([b for b in got if len(b)] + [rest])
        assert source.stats.io_errors == 5 and source.connected
    assert len(out) == len(sim) and (out.seq == sim.seq).all()
    assert_same_samples(out, sim, _spec(source.meta), 32.0, 2000.0)


def test_a_persistent_io_error_ends_with_one_line() -> None:
    clock, _chip, bus = rig(FakeMpu6050, 100.0, None, 0x68)
    source = I2CSource(bus, rate_hz=100.0, clock=clock.now, sleep=clock.sleep, retries=3)
    blocks = source.blocks()
    next(blocks)
    bus.fail(errno.EREMOTEIO, times=None)
    with pytest.raises(PoiseError) as caught:
        next(blocks)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("I2C bus FakeBus address 0x68: read of register 0x3a failed 4 time")
    assert "Errno 121" in message
    assert source.stats.io_errors == 4 and not source.connected
    source.close()  # the chip is unreachable: closing must still work


def test_idle_source_yields_empty_blocks_at_the_poll_interval() -> None:
    sim = stance("lsm6dso32", 104.0)
    clock, _chip, bus = rig(FakeLsm6dso32, 104.0, sim[:20])  # 20 samples, then nothing
    with I2CSource(bus, rate_hz=104.0, clock=clock.now, sleep=clock.sleep) as source:
        times, sizes = [], []
        for _, block in zip(range(40), source.blocks(), strict=False):
            times.append(clock.now())
            sizes.append(len(block))
    assert sum(sizes) == 20 and sizes[-10:] == [0] * 10
    assert max(np.diff(times)) <= 0.1


def test_a_late_consumer_loses_nothing_while_the_fifo_holds() -> None:
    sim = stance("lsm6dso32", 104.0)
    clock, _chip, bus = rig(FakeLsm6dso32, 104.0, sim)
    with I2CSource(bus, rate_hz=104.0, clock=clock.now, sleep=clock.sleep) as source:
        got = []
        for block in source.blocks():
            got.append(block)
            clock.advance(0.3)  # the caller takes 0.3 s per block; the FIFO holds 1.6 s
            if sum(map(len, got)) >= len(sim):
                break
        assert source.stats.samples_lost == 0
    out = SampleBlock.concat(got)
    assert (out.seq == sim.seq).all()


def test_multi_word_fifo_reads_give_the_same_samples_in_fewer_transactions() -> None:
    sim = stance("lsm6dso32", 416.0)
    counts = []
    for words in (1, 4):
        clock, _chip, bus = rig(FakeLsm6dso32, 416.0, sim)
        with I2CSource(
            bus, rate_hz=416.0, fifo_words_per_read=words, clock=clock.now, sleep=clock.sleep
        ) as source:
            out = drain(source, len(sim))
        assert (out.seq == sim.seq).all()
        counts.append(bus.transactions)
    assert counts[1] < 0.4 * counts[0]
