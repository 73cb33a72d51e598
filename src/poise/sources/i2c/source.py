"""The I2C source: an IMU on the Raspberry Pi's own I2C bus, as a live stream of sample blocks.

The chip's FIFO runs in continuous mode, so no sample is lost when Python is
late; :meth:`I2CSource.blocks` drains it every ``poll_s`` (20 ms: about 8
samples at 416 Hz, far from the 170 the LSM6DSO32's FIFO holds at that rate)
and yields what it held, empty blocks included, so a stalled chip is noticed.
Counts become g and deg/s here and nowhere else.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from poise.errors import PoiseError
from poise.recording import RecordingMeta
from poise.samples import SampleBlock
from poise.sources.i2c.bus import I2CBus, open_smbus
from poise.sources.i2c.detect import detect
from poise.sources.i2c.scaling import counts_to_dps, counts_to_g, saturated_rows
from poise.sources.i2c.timing import CountTimeline, TickTimeline

#: How often the FIFO is drained, s: well inside the contract's 0.1 s for empty blocks.
DEFAULT_POLL_S = 0.02


@dataclass(frozen=True)
class I2CStats:
    """Bus and FIFO health counters of an I2C source.

    Args:
        polls: FIFO drains.
        reads: successful read transactions on the bus.
        samples: samples delivered.
        fifo_overruns: drains that found the FIFO had overflowed.
        samples_lost: samples the chip made that never arrived (sequence gaps).
        io_errors: failed bus transactions (each retry that failed counts).
        acc_saturated: samples with an accelerometer axis at full scale.
        gyr_saturated: samples with a gyroscope axis at full scale.
    """

    polls: int = 0
    reads: int = 0
    samples: int = 0
    fifo_overruns: int = 0
    samples_lost: int = 0
    io_errors: int = 0
    acc_saturated: int = 0
    gyr_saturated: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    def summary(self) -> str:
        """One line for the live display."""
        return (
            f"{self.samples} samples, {self.samples_lost} lost, {self.fifo_overruns} overruns, "
            f"{self.io_errors} I/O errors, {self.acc_saturated + self.gyr_saturated} saturated"
        )


class I2CSource:
    """An IMU on an I2C bus, configured, its FIFO drained block by block.

    Args:
        bus: the bus number (``/dev/i2c-<bus>``; 1 is the 40-pin header's
            GPIO2/GPIO3), or a bus object with smbus2's ``read_byte_data``,
            ``write_byte_data`` and ``read_i2c_block_data`` (tests pass a fake).
        address: the chip's 7-bit address; None tries the usual ones.
        model: ``lsm6dso32``, ``lsm6dsox``, ``lsm6ds3trc``, ``mpu6050`` or
            ``mpu6500``; None takes what WHO_AM_I says (0x6C: LSM6DSO32).
        rate_hz: output data rate, one the chip offers.
        acc_range_g: accelerometer full scale (+-g); None for the chip's widest.
        gyr_range_dps: gyroscope full scale (+-deg/s); None for the chip's widest.
        placement: where the sensor is worn (see :data:`poise.recording.PLACEMENTS`).
        mounting: segment axes in sensor axes (see :func:`poise.motion.frames.mounting_matrix`).
        poll_s: interval between FIFO drains, s.
        retries: attempts after a transient I/O error (errno 121 or 5) before giving up.
        fifo_words_per_read: FIFO words per bus transaction on the LSM6DS family.
            1 is safe everywhere; more relies on the FIFO output registers'
            address rolling back to their first after their last.
        clock: monotonic host clock, s (injected for tests).
        sleep: waits, s (injected for tests).

    Raises PoiseError, one line, when the chip is missing or not the one named,
    a setting is not one the chip offers, or the bus fails for good.

    On a Pi with an LSM6DSO32 at 0x6A on bus 1::

        with I2CSource(1, rate_hz=416.0, placement="left_shank") as source:
            for block in source.blocks():
                print(len(block), source.stats.summary())
    """

    live = True

    def __init__(
        self,
        bus: int | I2CBus = 1,
        address: int | None = None,
        model: str | None = None,
        rate_hz: float = 416.0,
        acc_range_g: float | None = None,
        gyr_range_dps: float | None = None,
        placement: str = "right_shank",
        mounting: str = "+x+y+z",
        *,
        poll_s: float = DEFAULT_POLL_S,
        retries: int = 3,
        fifo_words_per_read: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._owns_bus = isinstance(bus, int)
        self._bus = open_smbus(bus) if isinstance(bus, int) else bus
        bus_name = str(bus) if isinstance(bus, int) else type(bus).__name__
        self._clock = clock
        self._sleep = sleep
        self.poll_s = poll_s
        self._closed = False
        try:
            chip, self.device = detect(
                self._bus, bus_name, address, model, retries=retries, sleep=sleep
            )
            self.spec = chip.spec
            default_acc, default_gyr = self.spec.widest_ranges
            self.acc_range_g = float(acc_range_g or default_acc)
            self.gyr_range_dps = float(gyr_range_dps or default_gyr)
            self.meta = RecordingMeta(
                rate_hz=float(rate_hz),
                sensor_model=self.spec.name,
                acc_range_g=self.acc_range_g,
                gyr_range_dps=self.gyr_range_dps,
                placement=placement,
                mounting=mounting,
                source={
                    "kind": "i2c",
                    "bus": bus if self._owns_bus else bus_name,
                    "address": self.device.address,
                },
                started_utc=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            self.driver = chip.make(self.device, sleep, fifo_words_per_read)
            self.driver.configure(self.meta.rate_hz, self.acc_range_g, self.gyr_range_dps)
            self.driver.start_fifo()
        except ValueError as e:
            self._close_bus()
            raise PoiseError(f"I2C sensor: {e}") from None
        except PoiseError:
            self._close_bus()
            raise
        lsb_s = self.driver.timestamp_lsb_s
        self._ticks = TickTimeline(lsb_s, self.meta.rate_hz) if lsb_s else None
        self._counts = CountTimeline(self.meta.rate_hz)
        self._counts.start(self._clock())
        self.connected = True
        self._polls = self._samples = self._overruns = self._lost = 0
        self._acc_sat = self._gyr_sat = 0

    @property
    def stats(self) -> I2CStats:
        return I2CStats(
            polls=self._polls,
            reads=self.device.reads,
            samples=self._samples,
            fifo_overruns=self._overruns,
            samples_lost=self._lost,
            io_errors=self.device.io_errors,
            acc_saturated=self._acc_sat,
            gyr_saturated=self._gyr_sat,
        )

    def poll(self) -> SampleBlock:
        """Drain the FIFO once: the samples it held, in Poise units (maybe none)."""
        try:
            batch = self.driver.read_fifo()
        except PoiseError:
            self.connected = False
            raise
        self._polls += 1
        self._overruns += batch.overrun
        if self._ticks is not None and batch.ticks is not None:
            seq, t_s, lost = self._ticks.place(batch.ticks)
        else:
            lost = self._counts.restart(self._clock()) if batch.overrun else 0
            seq, t_s = self._counts.place(len(batch))
        self._lost += lost
        self._samples += len(batch)
        self._acc_sat += int(saturated_rows(batch.acc_counts).sum())
        self._gyr_sat += int(saturated_rows(batch.gyr_counts).sum())
        return SampleBlock(
            t_s=t_s,
            seq=seq,
            acc_g=counts_to_g(batch.acc_counts, self.spec, self.acc_range_g),
            gyr_dps=counts_to_dps(batch.gyr_counts, self.spec, self.gyr_range_dps),
        )

    def blocks(self) -> Iterator[SampleBlock]:
        """Blocks every ``poll_s`` until :meth:`close`; empty ones while the FIFO is empty."""
        next_poll_s = self._clock()
        while not self._closed:
            yield self.poll()
            next_poll_s += self.poll_s
            wait_s = next_poll_s - self._clock()
            if wait_s > 0:
                self._sleep(wait_s)
            else:  # the consumer was late: the FIFO kept the samples; do not try to catch up
                next_poll_s = self._clock()

    def close(self) -> None:
        """Stop the chip and release the bus; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self.connected = False
        with contextlib.suppress(PoiseError):  # a chip that is gone needs no stopping
            self.driver.power_down()
        self._close_bus()

    def _close_bus(self) -> None:
        if self._owns_bus:
            self._bus.close()

    def __enter__(self) -> I2CSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
