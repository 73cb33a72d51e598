"""Finding the chip: WHO_AM_I, wrong or missing chips in one line, the bus scan."""

from __future__ import annotations

import pytest
from fake_bus import FakeBus, FakeClock, FakeLsm6ds3trc, FakeLsm6dso32, FakeMpu6050, FakeMpu6500

from poise.errors import PoiseError
from poise.sources.i2c import I2CSource, scan_i2c


def bus_with(**chips) -> tuple[FakeClock, FakeBus]:
    clock = FakeClock()
    return clock, FakeBus(clock, {int(k[1:], 16): c(clock) for k, c in chips.items()})


def open_source(bus: FakeBus, clock: FakeClock, **kwargs) -> I2CSource:
    return I2CSource(bus, clock=clock.now, sleep=clock.sleep, **kwargs)


def test_without_model_or_address_the_chip_is_found_by_its_who_am_i() -> None:
    clock, bus = bus_with(x6b=FakeLsm6ds3trc)
    with open_source(bus, clock, rate_hz=104.0) as source:
        assert source.meta.sensor_model == "LSM6DS3TR-C"
        assert source.meta.source["address"] == 0x6B
        assert source.meta.acc_range_g == 16.0


def test_a_wrong_chip_is_named_with_the_value_read_and_expected() -> None:
    clock, bus = bus_with(x6a=FakeLsm6ds3trc)
    with pytest.raises(PoiseError) as caught:
        open_source(bus, clock, address=0x6A, model="lsm6dso32")
    assert str(caught.value) == (
        "I2C bus FakeBus address 0x6a: WHO_AM_I (register 0x0f) reads 0x6a, expected 0x6c "
        "for LSM6DSO32; is another chip wired there, or is the model setting wrong?"
    )


def test_a_missing_chip_names_the_bus_and_the_addresses_tried() -> None:
    clock, bus = bus_with()
    with pytest.raises(
        PoiseError,
        match=r"^I2C bus FakeBus: no IMU answers at 0x6a, 0x6b, "
        r"0x68, 0x69; check the wiring",
    ):
        open_source(bus, clock)
    with pytest.raises(
        PoiseError, match=r"^I2C bus FakeBus: no MPU-6500 answers at 0x68; check the wiring"
    ):
        open_source(bus, clock, address=0x68, model="mpu6500")


def test_a_setting_the_chip_does_not_offer_is_one_line() -> None:
    clock, bus = bus_with(x68=FakeMpu6050)
    with pytest.raises(PoiseError, match=r"^I2C sensor: MPU-6050 has no 416 Hz rate; it offers"):
        open_source(bus, clock, rate_hz=416.0)
    with pytest.raises(PoiseError, match=r"^I2C sensor: MPU-6050 has no \+-32 g range"):
        open_source(bus, clock, rate_hz=100.0, acc_range_g=32.0)
    with pytest.raises(PoiseError, match=r"^I2C sensor: unknown I2C IMU 'bmi160'"):
        open_source(bus, clock, model="bmi160")


def test_scan_lists_every_imu_on_every_bus_that_opens() -> None:
    clock = FakeClock()
    buses = {
        1: FakeBus(clock, {0x6A: FakeLsm6dso32(clock), 0x68: FakeMpu6500(clock)}),
        3: FakeBus(clock, {0x69: FakeMpu6050(clock)}),
    }

    def open_bus(number: int) -> FakeBus:
        if number not in buses:
            raise PoiseError(f"I2C bus {number}: /dev/i2c-{number} does not exist")
        return buses[number]

    found = scan_i2c([0, 1, 3], open_bus=open_bus)
    assert [(f.bus, f.address, f.model, f.who_am_i) for f in found] == [
        (1, 0x6A, "LSM6DSO32", 0x6C),
        (1, 0x68, "MPU-6500", 0x70),
        (3, 0x69, "MPU-6050", 0x68),
    ]
    assert str(found[0]) == (
        "i2c:1:0x6a  LSM6DSO32 (WHO_AM_I 0x6c); or LSM6DSOX: set the model if so"
    )
    assert str(found[2]) == "i2c:3:0x69  MPU-6050 (WHO_AM_I 0x68)"


def test_settings_refuse_what_the_bus_cannot_have() -> None:
    from poise.sources.i2c import I2CSettings

    assert I2CSettings().address == 0
    with pytest.raises(ValueError, match="address must be a whole number from 8 to 119"):
        I2CSettings(address=0x80)
    with pytest.raises(ValueError, match=r"poll_s must be a number from 0\.001 to 0\.1"):
        I2CSettings(poll_s=0.5)
