"""Driver for the InvenSense MPU-6050 and MPU-6500.

Registers (PS-MPU-6000A-00 / RM-MPU-6000A-00 rev 4.2 for the 6050;
PS-MPU-6500A-01 / RM-MPU-6500A-00 for the 6500; the same addresses):
SMPLRT_DIV 0x19, CONFIG 0x1A (DLPF_CFG bits 2:0), GYRO_CONFIG 0x1B and
ACCEL_CONFIG 0x1C (full scale in bits 4:3), ACCEL_CONFIG2 0x1D (6500 only: the
accelerometer's own DLPF), FIFO_EN 0x23, INT_STATUS 0x3A (FIFO_OFLOW_INT bit 4,
cleared by reading), ACCEL_XOUT_H 0x3B .. GYRO_ZOUT_L 0x48 (big-endian, with
the temperature between them; one 14-byte burst reads a whole sample, and the
data registers are shadowed while the interface is busy, so a burst is never
torn), USER_CTRL 0x6A (FIFO_EN bit 6, FIFO_RESET bit 2), PWR_MGMT_1 0x6B
(DEVICE_RESET bit 7; the chip wakes up asleep, bit 6), FIFO_COUNTH/L 0x72/0x73,
FIFO_R_W 0x74, WHO_AM_I 0x75 (0x68 on the 6050, 0x70 on the 6500).

Rate: ODR = internal rate / (1 + SMPLRT_DIV); the internal rate is 1 kHz with
the DLPF on (DLPF_CFG 1..6) and 8 kHz with it off (0). On the 6050 the divider
acts either way; on the 6500 only with the DLPF on (RM-MPU-6500 SMPLRT_DIV), so
there DLPF_CFG is always 1..6.

FIFO: 12-byte records (accelerometer x, y, z, gyroscope x, y, z, big-endian),
1024 bytes on the 6050 and 512 on the 6500, no timestamps. When full it
overwrites its oldest bytes, so records lose their alignment: after an overflow
the driver resets the FIFO and the source counts the loss by the host clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from poise.chips import MPU6050, MPU6500, ChipSpec
from poise.errors import PoiseError
from poise.sources.i2c.bus import Device
from poise.sources.i2c.driver import FifoBatch, empty_counts
from poise.sources.i2c.scaling import int16_be

SMPLRT_DIV = 0x19
CONFIG = 0x1A
GYRO_CONFIG = 0x1B
ACCEL_CONFIG = 0x1C
ACCEL_CONFIG2 = 0x1D
FIFO_EN = 0x23
INT_STATUS = 0x3A
ACCEL_XOUT_H = 0x3B
USER_CTRL = 0x6A
PWR_MGMT_1 = 0x6B
FIFO_COUNTH = 0x72
FIFO_R_W = 0x74
WHO_AM_I = 0x75

DEVICE_RESET = 0x80
CLKSEL_PLL_X = 0x01  # the gyroscope's PLL: more stable than the internal oscillator
FIFO_OFLOW_INT = 0x10
USER_FIFO_EN = 0x40
USER_FIFO_RESET = 0x04
FIFO_ACCEL_AND_GYRO = 0x78  # XG_FIFO_EN | YG_FIFO_EN | ZG_FIFO_EN | ACCEL_FIFO_EN
RECORD_BYTES = 12
#: Two records per transaction: the most that fit in one SMBus block of 32 bytes.
RECORDS_PER_READ = 2
ACC_FS_CODES = {2.0: 0, 4.0: 1, 8.0: 2, 16.0: 3}
GYR_FS_CODES = {250.0: 0, 500.0: 1, 1000.0: 2, 2000.0: 3}


@dataclass(frozen=True)
class MpuModel:
    """One chip: its spec, WHO_AM_I value, the DLPF_CFG of its first DLPF option, FIFO size."""

    spec: ChipSpec
    who_am_i: int
    first_dlpf_cfg: int
    fifo_bytes: int


MPU6050_MODEL = MpuModel(MPU6050, 0x68, first_dlpf_cfg=0, fifo_bytes=1024)
MPU6500_MODEL = MpuModel(MPU6500, 0x70, first_dlpf_cfg=1, fifo_bytes=512)


def rate_registers(model: MpuModel, rate_hz: float) -> tuple[int, int]:
    """(DLPF_CFG, SMPLRT_DIV) for ``rate_hz``, with the DLPF the chip spec models at that rate.

    >>> rate_registers(MPU6050_MODEL, 1000.0), rate_registers(MPU6500_MODEL, 1000.0)
    ((0, 7), (1, 0))
    >>> rate_registers(MPU6050_MODEL, 100.0)
    (3, 9)
    """
    spec = model.spec
    spec.check_odr(rate_hz)
    dlpf_cfg = model.first_dlpf_cfg + spec.dlpf_options_hz.index(spec.lpf_for(rate_hz))
    internal_hz = 8000.0 if dlpf_cfg == 0 else 1000.0
    return dlpf_cfg, round(internal_hz / rate_hz) - 1


class MpuDriver:
    """MPU-6050 / MPU-6500 on one bus address."""

    timestamp_lsb_s = None

    def __init__(self, device: Device, model: MpuModel, sleep: Callable[[float], None]) -> None:
        self.device = device
        self.model = model
        self.spec = model.spec
        self.sleep = sleep

    def configure(self, rate_hz: float, acc_range_g: float, gyr_range_dps: float) -> None:
        self.spec.check_ranges(acc_range_g, gyr_range_dps)
        dlpf_cfg, divider = rate_registers(self.model, rate_hz)
        dev = self.device
        dev.write(PWR_MGMT_1, DEVICE_RESET)
        for _ in range(20):  # the reset bit clears itself (RM-MPU-6000A: wait 100 ms)
            self.sleep(0.01)
            if not dev.read(PWR_MGMT_1) & DEVICE_RESET:
                break
        else:
            raise PoiseError(f"{dev.where}: {self.spec.name} did not finish its reset")
        dev.write(PWR_MGMT_1, CLKSEL_PLL_X)  # awake (SLEEP = 0)
        dev.write(CONFIG, dlpf_cfg)
        dev.write(SMPLRT_DIV, divider)
        dev.write(GYRO_CONFIG, GYR_FS_CODES[gyr_range_dps] << 3)
        dev.write(ACCEL_CONFIG, ACC_FS_CODES[acc_range_g] << 3)
        if self.model is MPU6500_MODEL:
            dev.write(ACCEL_CONFIG2, dlpf_cfg)  # A_DLPF_CFG: the same bandwidth step

    def start_fifo(self) -> None:
        self.device.write(FIFO_EN, FIFO_ACCEL_AND_GYRO)
        self._reset_fifo()

    def _reset_fifo(self) -> None:
        self.device.write(USER_CTRL, USER_FIFO_EN | USER_FIFO_RESET)
        self.device.read(INT_STATUS)  # clears a stale overflow flag

    def read_fifo(self) -> FifoBatch:
        if self.device.read(INT_STATUS) & FIFO_OFLOW_INT:
            self._reset_fifo()
            return FifoBatch(empty_counts(), empty_counts(), None, overrun=True)
        count = int.from_bytes(self.device.read_block(FIFO_COUNTH, 2), "big")
        records = count // RECORD_BYTES
        chunks = []
        for start in range(0, records, RECORDS_PER_READ):
            n = min(RECORDS_PER_READ, records - start)
            chunks.append(self.device.read_block(FIFO_R_W, n * RECORD_BYTES))
        values = int16_be(b"".join(chunks), 6)
        return FifoBatch(values[:, :3], values[:, 3:], None)

    def read_sample(self) -> tuple[np.ndarray, np.ndarray]:
        values = int16_be(self.device.read_block(ACCEL_XOUT_H, 14), 7)[0]
        return values[:3], values[4:]

    def power_down(self) -> None:
        self.device.write(USER_CTRL, 0)
        self.device.write(PWR_MGMT_1, 0x40)  # SLEEP
