"""A fake I2C bus with fake IMUs: registers, burst reads and FIFOs, on a fake clock.

The chips are emulated from their datasheets, independently of Poise's
drivers and chip tables (the tables here are typed in again on purpose, so a
wrong table in ``poise.chips`` or a wrong register code in a driver shows up as
a wrong reading). Samples are physical values (g, deg/s) with their device
times, e.g. from ``poise.sim.simulate``; the chip produces sample i when the
fake clock passes ``fifo_start + phase / ODR + (t_i - t_0)``, quantised at the full
scale its registers select, clipped at the int16 rails.

Emulated: WHO_AM_I, software reset, register auto-increment (IF_INC) and, on
the LSM6DS FIFO output registers, the roll-back to the first after the last;
ODR and full-scale codes; BDU; the FIFO in continuous mode with its level,
watermark and overrun flags; the LSM6DSO tagged words with TAG_CNT and 32-bit
timestamps (FREQ_FINE trim); the MPU's byte FIFO that overwrites its oldest
bytes; the LSM6DS3TR-C's pattern FIFO; I/O errors on demand.
"""

from __future__ import annotations

import errno
import os
from collections import deque

import numpy as np

from poise.samples import SampleBlock

ODR_HZ = {
    1: 12.5,
    2: 26.0,
    3: 52.0,
    4: 104.0,
    5: 208.0,
    6: 416.0,
    7: 833.0,
    8: 1666.0,
    9: 3332.0,
    10: 6664.0,
}
# LSM6DS gyroscope FS_G code -> (range dps, mdps/LSB): DS13181 Table 2.
LSM_GYR = {0: (250.0, 8.75), 1: (500.0, 17.5), 2: (1000.0, 35.0), 3: (2000.0, 70.0)}
LSM_GYR_125 = (125.0, 4.375)
# FS_XL code -> (range g, mg/LSB): DS13181 Table 2 / Table 53 (DSO32); DS12814 Table 2 (DSOX).
DSO32_ACC = {0: (4.0, 0.122), 1: (32.0, 0.976), 2: (8.0, 0.244), 3: (16.0, 0.488)}
DSOX_ACC = {0: (2.0, 0.061), 1: (16.0, 0.488), 2: (4.0, 0.122), 3: (8.0, 0.244)}
# MPU FS code -> (range, LSB per unit): PS-MPU-6000A-00 Tables 6.1 and 6.2.
MPU_ACC = {0: (2.0, 16384.0), 1: (4.0, 8192.0), 2: (8.0, 4096.0), 3: (16.0, 2048.0)}
MPU_GYR = {0: (250.0, 131.0), 1: (500.0, 65.5), 2: (1000.0, 32.8), 3: (2000.0, 16.4)}


class FakeClock:
    """Host time that moves only when someone sleeps or advances it."""

    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def sleep(self, dt: float) -> None:
        self.t += max(0.0, dt)

    advance = sleep


class FakeBus:
    """The smbus2 subset, routing to fake chips by address; I/O errors on demand.

    ``fail(errno, times)`` makes the next ``times`` transactions fail (None: all of them).
    """

    def __init__(self, clock: FakeClock, devices: dict) -> None:
        self.clock = clock
        self.devices = devices
        self.transactions = 0
        self._fail_errno = 0
        self._fail_left: int | None = 0

    def fail(self, code: int, times: int | None) -> None:
        self._fail_errno, self._fail_left = code, times

    def _chip(self, address: int):
        self.transactions += 1
        if self._fail_left is None or self._fail_left > 0:
            if self._fail_left is not None:
                self._fail_left -= 1
            raise OSError(self._fail_errno, os.strerror(self._fail_errno))
        if address not in self.devices:
            raise OSError(errno.EREMOTEIO, os.strerror(errno.EREMOTEIO))
        chip = self.devices[address]
        chip.run()
        return chip

    def read_byte_data(self, address: int, register: int) -> int:
        return self._chip(address).read(register, 1)[0]

    def write_byte_data(self, address: int, register: int, value: int) -> None:
        assert 0 <= value <= 0xFF, value
        self._chip(address).write(register, value)

    def read_i2c_block_data(self, address: int, register: int, length: int) -> list[int]:
        assert 1 <= length <= 32, f"SMBus block reads carry 1..32 bytes, not {length}"
        return list(self._chip(address).read(register, length))

    def close(self) -> None:
        pass


class FakeChip:
    """What every fake IMU shares: registers, the sample stream and its quantisation."""

    WHO_AM_I_REG = 0x0F
    WHO_AM_I = 0x00

    def __init__(
        self,
        clock: FakeClock,
        samples: SampleBlock | None = None,
        rate_hz: float | None = None,
        phase: float = 0.3,
    ) -> None:
        self.clock = clock
        self.samples = samples
        self.rate_hz = rate_hz
        self.phase = phase
        self.regs = bytearray(256)
        self.started_at: float | None = None
        self.produced = 0
        self.latest = (np.zeros(3, np.int64), np.zeros(3, np.int64))
        self.reset()

    # -- registers -------------------------------------------------------------------
    def reset(self) -> None:
        self.regs[:] = bytes(256)
        self.regs[self.WHO_AM_I_REG] = self.WHO_AM_I
        self.stop()

    def stop(self) -> None:
        self.started_at = None

    def read(self, register: int, n: int) -> bytes:
        out = []
        for _ in range(n):
            out.append(self.read_byte(register))
            register = self.next_register(register)
        return bytes(out)

    def read_byte(self, register: int) -> int:
        return self.regs[register]

    def next_register(self, register: int) -> int:
        return (register + 1) & 0xFF

    def write(self, register: int, value: int) -> None:
        self.regs[register] = value

    # -- samples ---------------------------------------------------------------------
    def start(self) -> None:
        """Start producing samples (FIFO enabled): the configured ODR must be the stream's."""
        odr = self.odr_hz()
        if self.samples is not None or self.rate_hz is not None:
            assert odr == self.rate_hz, f"chip configured for {odr} Hz, stream is {self.rate_hz}"
        self.rate_hz = odr
        self.started_at = self.clock.now()
        self.produced = 0

    def due_s(self, i: int) -> float:
        first_s = self.started_at + self.phase / self.rate_hz
        if self.samples is None:
            return first_s + i / self.rate_hz
        return first_s + (self.samples.t_s[i] - self.samples.t_s[0])

    def available(self) -> int:
        return 1 << 62 if self.samples is None else len(self.samples)

    def run(self) -> None:
        """Produce every sample due by now."""
        if self.started_at is None:
            return
        now = self.clock.now()
        while self.produced < self.available() and self.due_s(self.produced) <= now:
            if self.samples is None:
                acc, gyr = np.array([0.0, 0.0, 1.0]), np.zeros(3)
            else:
                acc, gyr = self.samples.acc_g[self.produced], self.samples.gyr_dps[self.produced]
            _, acc_lsb, _, gyr_lsb = self.scales()
            counts = (_counts(acc, acc_lsb), _counts(gyr, gyr_lsb))
            self.latest = counts
            self.push(self.produced, *counts)
            self.produced += 1

    def odr_hz(self) -> float:
        raise NotImplementedError

    def scales(self) -> tuple[float, float, float, float]:
        """(acc range g, g per count, gyr range dps, dps per count) the registers select."""
        raise NotImplementedError

    def push(self, index: int, acc: np.ndarray, gyr: np.ndarray) -> None:
        raise NotImplementedError


def _counts(values: np.ndarray, lsb: float) -> np.ndarray:
    return np.clip(np.rint(np.asarray(values) / lsb), -32768, 32767).astype(np.int64)


def _le(values: np.ndarray) -> bytes:
    return np.asarray(values, dtype="<i2").tobytes()


def _be(values: np.ndarray) -> bytes:
    return np.asarray(values, dtype=">i2").tobytes()


class _FakeLsm6ds(FakeChip):
    """LSM6DS registers shared by the family: CTRL1_XL/CTRL2_G/CTRL3_C and the output burst."""

    ACC_TABLE = DSO32_ACC

    def reset(self) -> None:
        super().reset()
        self.regs[0x12] = 0x04  # CTRL3_C: IF_INC on by default

    def next_register(self, register: int) -> int:
        if not self.regs[0x12] & 0x04:  # IF_INC off: the address stays
            return register
        return super().next_register(register)

    def read_byte(self, register: int) -> int:
        if 0x22 <= register <= 0x2D:
            acc, gyr = self.latest
            return (_le(gyr) + _le(acc))[register - 0x22]
        return super().read_byte(register)

    def write(self, register: int, value: int) -> None:
        if register == 0x12 and value & 0x01:  # SW_RESET
            self.reset()
            return
        super().write(register, value)

    def odr_hz(self) -> float:
        xl, g = self.regs[0x10] >> 4, self.regs[0x11] >> 4
        assert xl == g, "accelerometer and gyroscope ODRs differ"
        return ODR_HZ[xl]

    def scales(self) -> tuple[float, float, float, float]:
        acc_range, acc_mg = self.ACC_TABLE[(self.regs[0x10] >> 2) & 3]
        ctrl2 = self.regs[0x11]
        gyr_range, gyr_mdps = LSM_GYR_125 if ctrl2 & 0x02 else LSM_GYR[(ctrl2 >> 2) & 3]
        return acc_range, acc_mg * 1e-3, gyr_range, gyr_mdps * 1e-3

    @property
    def bdu(self) -> bool:
        return bool(self.regs[0x12] & 0x40)


class FakeLsm6dso32(_FakeLsm6ds):
    """LSM6DSO32: tagged FIFO of 7-byte words, 512 of them, with timestamps.

    Args (beyond FakeChip's):
        tick0: the timestamp counter when the stream's first sample is made
            (near 2**32 to test the wrap).
        freq_fine: INTERNAL_FREQ_FINE, the chip's ODR trim (counts of 0.15%).
        rollover: the FIFO output address rolls back from 0x7E to 0x78.
    """

    WHO_AM_I = 0x6C
    CAPACITY = 512

    def __init__(
        self, clock, samples=None, rate_hz=None, tick0=0, freq_fine=0, rollover=True, **kwargs
    ) -> None:
        self.tick0 = tick0
        self.freq_fine = freq_fine
        self.rollover = rollover
        self.fifo: deque = deque()
        self.lost: set[int] = set()
        self.ovr_latched = False
        self.word = bytes(7)
        super().__init__(clock, samples, rate_hz, **kwargs)

    def reset(self) -> None:
        super().reset()
        self.regs[0x63] = self.freq_fine & 0xFF
        self.fifo = deque()

    def write(self, register: int, value: int) -> None:
        super().write(register, value)
        if register == 0x0A:  # FIFO_CTRL4
            mode = value & 0b111
            if mode == 0b000:
                self.fifo.clear()
                self.stop()
            elif mode == 0b110 and self.started_at is None:
                bdr = self.regs[0x09]
                assert ODR_HZ[bdr & 0xF] == ODR_HZ[bdr >> 4] == self.odr_hz(), "BDR != ODR"
                self.start()

    def tick(self, i: int) -> int:
        lsb_s = 25e-6 / (1 + 0.0015 * self.freq_fine)
        t = self.samples.t_s if self.samples is not None else None
        offset_s = (t[i] - t[0]) if t is not None else i / self.rate_hz
        return (self.tick0 + round(offset_s / lsb_s)) % 2**32

    def push(self, index: int, acc: np.ndarray, gyr: np.ndarray) -> None:
        slot = (index % 4) << 1
        words = []
        if (self.regs[0x0A] >> 6) == 0b01 and self.regs[0x19] & 0x20:  # DEC_TS_BATCH, TIMESTAMP_EN
            words.append(
                bytes([0x04 << 3 | slot]) + self.tick(index).to_bytes(4, "little") + b"\0\0"
            )
        if self.regs[0x09] >> 4:
            words.append(bytes([0x01 << 3 | slot]) + _le(gyr))
        if self.regs[0x09] & 0xF:
            words.append(bytes([0x02 << 3 | slot]) + _le(acc))
        for word in words:
            if len(self.fifo) == self.CAPACITY:
                self.lost.add(self.fifo.popleft()[0])
                self.ovr_latched = True
            self.fifo.append((index, word))

    def read(self, register: int, n: int) -> bytes:
        if register == 0x78:
            return self._read_fifo(n)
        return super().read(register, n)

    def _read_fifo(self, n: int) -> bytes:
        out = bytearray()
        offset = 0
        for _ in range(n):
            if offset == 0:
                self.word = self.fifo.popleft()[1] if self.fifo else bytes(7)
            out.append(self.word[offset] if offset < 7 else 0)
            offset += 1
            if offset == 7 and self.rollover:
                offset = 0
        return bytes(out)

    def read_byte(self, register: int) -> int:
        level = len(self.fifo)
        if register == 0x3A:
            return level & 0xFF
        if register == 0x3B:
            watermark = self.regs[0x07] | (self.regs[0x08] & 1) << 8
            status = (level >> 8) & 0b11
            status |= 0x80 if watermark and level >= watermark else 0
            status |= 0x20 if level >= self.CAPACITY else 0
            status |= 0x48 if self.ovr_latched else 0
            self.ovr_latched = False
            return status
        return super().read_byte(register)


class FakeLsm6dsox(FakeLsm6dso32):
    """LSM6DSOX: the DSO32's registers and FIFO, with its own accelerometer scales."""

    ACC_TABLE = DSOX_ACC


class FakeLsm6ds3trc(_FakeLsm6ds):
    """LSM6DS3TR-C: a pattern FIFO of 16-bit words (gyro x, y, z, accel x, y, z), 2048 words."""

    WHO_AM_I = 0x6A
    ACC_TABLE = DSOX_ACC
    CAPACITY = 2048

    def __init__(self, clock, samples=None, rate_hz=None, **kwargs) -> None:
        self.fifo: deque = deque()
        self.popped = 0
        self.overrun = False
        self.lost: set[int] = set()
        super().__init__(clock, samples, rate_hz, **kwargs)

    def write(self, register: int, value: int) -> None:
        super().write(register, value)
        if register == 0x0A:  # FIFO_CTRL5
            if value & 0b111 == 0:
                self.lost.update(i for i, _ in self.fifo)
                self.fifo.clear()
                self.popped = 0
                self.overrun = False
            elif value & 0b111 == 0b110 and self.started_at is None:
                assert ODR_HZ[(value >> 3) & 0xF] == self.odr_hz(), "FIFO ODR != ODR"
                self.start()

    def push(self, index: int, acc: np.ndarray, gyr: np.ndarray) -> None:
        if self.regs[0x08] != 0b001001:  # gyro and accel without decimation
            return
        if len(self.fifo) + 6 > self.CAPACITY:
            for _ in range(6):
                self.lost.add(self.fifo.popleft()[0])
            self.overrun = True
        self.fifo.extend((index, int(v)) for v in (*gyr, *acc))

    def read(self, register: int, n: int) -> bytes:
        if register == 0x3E:
            out = bytearray()
            for k in range(n):
                if k % 2 == 0:
                    value = self.fifo.popleft()[1] if self.fifo else 0
                    self.popped += 1
                    pair = int(value).to_bytes(2, "little", signed=True)
                out.append(pair[k % 2])
            return bytes(out)
        return super().read(register, n)

    def read_byte(self, register: int) -> int:
        level = len(self.fifo)
        if register == 0x3A:
            return level & 0xFF
        if register == 0x3B:
            return (level >> 8) & 0b111 | (0x40 if self.overrun else 0) | (0x10 if not level else 0)
        if register in (0x3C, 0x3D):
            pattern = self.popped % 6
            return pattern & 0xFF if register == 0x3C else pattern >> 8
        return super().read_byte(register)


class FakeMpu6050(FakeChip):
    """MPU-6050: 1024-byte FIFO of 12-byte records that overwrites its oldest bytes."""

    WHO_AM_I_REG = 0x75
    WHO_AM_I = 0x68
    CAPACITY = 1024
    DIVIDER_NEEDS_DLPF = False

    def __init__(self, clock, samples=None, rate_hz=None, **kwargs) -> None:
        self.fifo: deque = deque()
        super().__init__(clock, samples, rate_hz, **kwargs)

    def reset(self) -> None:
        super().reset()
        self.regs[0x6B] = 0x40  # asleep after reset
        self.fifo = deque()

    def write(self, register: int, value: int) -> None:
        if register == 0x6B and value & 0x80:
            self.reset()
            return
        super().write(register, value)
        if register == 0x6A:  # USER_CTRL
            if value & 0x04:
                self.fifo.clear()
            if value & 0x40 and self.started_at is None:
                assert not self.regs[0x6B] & 0x40, "FIFO enabled while the chip sleeps"
                assert self.regs[0x23] == 0x78, "FIFO_EN must batch accel and gyro only"
                self.start()

    def odr_hz(self) -> float:
        cfg = self.regs[0x1A] & 0b111
        internal = 8000.0 if cfg in (0, 7) else 1000.0
        if self.DIVIDER_NEEDS_DLPF and cfg in (0, 7):
            return internal
        return internal / (1 + self.regs[0x19])

    def scales(self) -> tuple[float, float, float, float]:
        acc_range, acc_per_g = MPU_ACC[(self.regs[0x1C] >> 3) & 3]
        gyr_range, gyr_per_dps = MPU_GYR[(self.regs[0x1B] >> 3) & 3]
        return acc_range, 1 / acc_per_g, gyr_range, 1 / gyr_per_dps

    def push(self, index: int, acc: np.ndarray, gyr: np.ndarray) -> None:
        for byte in _be(acc) + _be(gyr):
            if len(self.fifo) == self.CAPACITY:
                self.fifo.popleft()
                self.regs[0x3A] |= 0x10  # FIFO_OFLOW_INT
            self.fifo.append(byte)

    def read(self, register: int, n: int) -> bytes:
        if register == 0x74:  # FIFO_R_W: no address increment
            return bytes(self.fifo.popleft() if self.fifo else 0 for _ in range(n))
        return super().read(register, n)

    def read_byte(self, register: int) -> int:
        if 0x3B <= register <= 0x48:
            acc, gyr = self.latest
            return (_be(acc) + b"\0\0" + _be(gyr))[register - 0x3B]
        if register == 0x3A:
            status, self.regs[0x3A] = self.regs[0x3A], 0
            return status
        if register in (0x72, 0x73):
            return len(self.fifo).to_bytes(2, "big")[register - 0x72]
        return super().read_byte(register)


class FakeMpu6500(FakeMpu6050):
    """MPU-6500: 512-byte FIFO; the sample-rate divider acts only with the DLPF on."""

    WHO_AM_I = 0x70
    CAPACITY = 512
    DIVIDER_NEEDS_DLPF = True
