"""The IMUs the I2C source knows: WHO_AM_I values, addresses, and their drivers.

WHO_AM_I values: LSM6DSO32 and LSM6DSOX 0x6C (DS13181 / DS12814 section 9:
the same value, as on the plain LSM6DSO), LSM6DS3TR-C 0x6A, MPU-6050 0x68,
MPU-6500 0x70. Addresses: the LSM6DS family answers at 0x6A (SA0/SDO low, the
Adafruit breakouts' default) or 0x6B (high, the Pololu and SparkFun boards'
default); the MPUs at 0x68 (AD0 low, most GY-521 boards) or 0x69.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from poise.chips import ChipSpec
from poise.sources.i2c import lsm6ds, mpu
from poise.sources.i2c.bus import Device
from poise.sources.i2c.driver import Driver


@dataclass(frozen=True)
class ChipModel:
    """A chip the I2C source can drive.

    Args:
        key: the model's name in settings (``lsm6dso32``).
        spec: its datasheet facts.
        who_am_i_register: where its identity is.
        who_am_i: the value there.
        addresses: the 7-bit addresses it can have, the board default first.
        make: builds its driver from a device, a sleep function and the FIFO words per read.
    """

    key: str
    spec: ChipSpec
    who_am_i_register: int
    who_am_i: int
    addresses: tuple[int, ...]
    make: Callable[[Device, Callable[[float], None], int], Driver]


LSM6DS_ADDRESSES = (0x6A, 0x6B)
MPU_ADDRESSES = (0x68, 0x69)


def _lsm(key: str, model: lsm6ds.Lsm6dsModel, driver: type) -> ChipModel:
    return ChipModel(
        key,
        model.spec,
        lsm6ds.WHO_AM_I,
        model.who_am_i,
        LSM6DS_ADDRESSES,
        lambda device, sleep, words: driver(device, model, sleep, words),
    )


def _mpu(key: str, model: mpu.MpuModel) -> ChipModel:
    return ChipModel(
        key,
        model.spec,
        mpu.WHO_AM_I,
        model.who_am_i,
        MPU_ADDRESSES,
        lambda device, sleep, _words: mpu.MpuDriver(device, model, sleep),
    )


#: In detection order: with model unset, WHO_AM_I 0x6C is taken for the LSM6DSO32.
MODELS = {
    m.key: m
    for m in (
        _lsm("lsm6dso32", lsm6ds.LSM6DSO32_MODEL, lsm6ds.Lsm6dsoDriver),
        _lsm("lsm6dsox", lsm6ds.LSM6DSOX_MODEL, lsm6ds.Lsm6dsoDriver),
        _lsm("lsm6ds3trc", lsm6ds.LSM6DS3TRC_MODEL, lsm6ds.Lsm6ds3trcDriver),
        _mpu("mpu6050", mpu.MPU6050_MODEL),
        _mpu("mpu6500", mpu.MPU6500_MODEL),
    )
}


def model_named(name: str) -> ChipModel:
    """A model by name, case, dashes and underscores ignored; ValueError naming the known ones."""
    key = name.lower().replace("-", "").replace("_", "")
    if key not in MODELS:
        raise ValueError(f"unknown I2C IMU {name!r}; known: {', '.join(MODELS)}")
    return MODELS[key]


def models_with_id(register: int, value: int) -> list[ChipModel]:
    """Every model whose WHO_AM_I register holds ``value`` (several share 0x6C)."""
    return [m for m in MODELS.values() if (m.who_am_i_register, m.who_am_i) == (register, value)]
