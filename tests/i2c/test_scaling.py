"""Counts to g and deg/s against the datasheets' LSB tables, typed in again in fake_bus."""

from __future__ import annotations

import numpy as np
import pytest
from fake_bus import DSO32_ACC, DSOX_ACC, LSM_GYR, LSM_GYR_125, MPU_ACC, MPU_GYR

from poise.chips import LSM6DS3TRC, LSM6DSO32, LSM6DSOX, MPU6050, MPU6500
from poise.sources.i2c import lsm6ds, mpu
from poise.sources.i2c.scaling import (
    counts_to_dps,
    counts_to_g,
    int16_be,
    int16_le,
    saturated_rows,
)

LSM_MODELS = [
    (lsm6ds.LSM6DSO32_MODEL, DSO32_ACC),
    (lsm6ds.LSM6DSOX_MODEL, DSOX_ACC),
    (lsm6ds.LSM6DS3TRC_MODEL, DSOX_ACC),
]


@pytest.mark.parametrize(("model", "table"), LSM_MODELS, ids=lambda m: getattr(m, "spec", m))
def test_lsm6ds_full_scale_codes_and_lsb_follow_the_datasheet(model, table) -> None:
    for range_g, code in model.acc_fs_codes.items():
        expected_range, mg_per_lsb = table[code]
        assert range_g == expected_range
        assert counts_to_g(np.array([1000]), model.spec, range_g)[0] == pytest.approx(mg_per_lsb)
    for range_dps, mdps in [*LSM_GYR.values(), LSM_GYR_125]:
        assert counts_to_dps(np.array([1000]), model.spec, range_dps)[0] == pytest.approx(mdps)
    ctrl1, ctrl2 = lsm6ds.ctrl_values(model, 104.0, max(model.acc_fs_codes), 125.0)
    assert (ctrl1 >> 4, ctrl2 >> 4, ctrl2 & 0x0F) == (4, 4, 0b0010)


@pytest.mark.parametrize("spec", [MPU6050, MPU6500], ids=lambda s: s.name)
def test_mpu_lsb_follow_the_datasheet(spec) -> None:
    for code, (range_g, lsb_per_g) in MPU_ACC.items():
        assert mpu.ACC_FS_CODES[range_g] == code
        assert counts_to_g(np.array([lsb_per_g]), spec, range_g)[0] == pytest.approx(1.0)
    for code, (range_dps, lsb_per_dps) in MPU_GYR.items():
        assert mpu.GYR_FS_CODES[range_dps] == code
        assert counts_to_dps(np.array([lsb_per_dps]), spec, range_dps)[0] == pytest.approx(1.0)


def test_the_int16_rail_is_at_or_a_little_beyond_the_nominal_range() -> None:
    # Accelerometers and MPU gyros: the rail is the range within rounding; the LSM6DS
    # gyros keep ~15% headroom (70 mdps/LSB * 32768 = 2294 deg/s at +-2000).
    for spec in (LSM6DSO32, LSM6DSOX, LSM6DS3TRC, MPU6050, MPU6500):
        for range_g in spec.acc_lsb_g:
            rail_g = -counts_to_g(np.array([-32768]), spec, range_g)[0]
            assert 0.995 <= rail_g / range_g <= 1.005
        for range_dps in spec.gyr_lsb_dps:
            rail_dps = counts_to_dps(np.array([32767]), spec, range_dps)[0]
            assert 0.995 <= rail_dps / range_dps <= 1.15


def test_int16_decoding_in_both_byte_orders() -> None:
    values = np.array([[0, 1, -1], [32767, -32768, 12345]])
    assert (int16_le(values.astype("<i2").tobytes()) == values).all()
    assert (int16_be(values.astype(">i2").tobytes()) == values).all()
    assert int16_le(bytes(0)).shape == (0, 3)


def test_saturation_is_either_rail_on_any_axis() -> None:
    rows = np.array([[32767, 0, 0], [0, 0, -32768], [32766, -32767, 0]])
    assert saturated_rows(rows).tolist() == [True, True, False]
