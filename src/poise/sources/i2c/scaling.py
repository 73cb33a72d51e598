"""Raw register bytes to Poise units: pure functions, no bus.

The chips give each axis as a two's-complement 16-bit count: little-endian on
the LSM6DS family (OUTX_L first), big-endian on the MPU-6050/6500 (ACCEL_XOUT_H
first). One count is the LSB size of the configured full scale, which
:mod:`poise.chips` holds per chip with its datasheet table:

- LSM6DSO32: DS13181 Table 2 (LA_So 0.122/0.244/0.488/0.976 mg/LSB at +-4/8/16/32 g;
  G_So 4.375/8.75/17.5/35/70 mdps/LSB at +-125/250/500/1000/2000 dps);
- LSM6DSOX: DS12814 Table 2 and LSM6DS3TR-C datasheet Table 3 (0.061..0.488 mg/LSB
  at +-2..16 g; the same gyroscope LSBs);
- MPU-6050: PS-MPU-6000A-00 Tables 6.1/6.2 (16384/8192/4096/2048 LSB/g;
  131/65.5/32.8/16.4 LSB/(deg/s)); MPU-6500: PS-MPU-6500A-01 Tables 3.1/3.2 (the same).

A count at either rail (-32768 or +32767) is a saturated reading: the true
value may lie beyond full scale.
"""

from __future__ import annotations

import numpy as np

from poise.chips import ChipSpec

#: The int16 rails: a count here may be clipped.
COUNT_MIN, COUNT_MAX = -32768, 32767


def int16_le(data: bytes, columns: int = 3) -> np.ndarray:
    """Little-endian int16 values as an (n, ``columns``) int64 array.

    >>> int16_le(bytes([0x01, 0x00, 0xFF, 0xFF, 0x00, 0x80])).tolist()
    [[1, -1, -32768]]
    """
    return np.frombuffer(data, dtype="<i2").astype(np.int64).reshape(-1, columns)


def int16_be(data: bytes, columns: int = 3) -> np.ndarray:
    """Big-endian int16 values as an (n, ``columns``) int64 array.

    >>> int16_be(bytes([0x40, 0x00, 0x7F, 0xFF, 0x80, 0x00])).tolist()
    [[16384, 32767, -32768]]
    """
    return np.frombuffer(data, dtype=">i2").astype(np.int64).reshape(-1, columns)


def counts_to_g(counts: np.ndarray, spec: ChipSpec, acc_range_g: float) -> np.ndarray:
    """Accelerometer counts to g at the full scale ``acc_range_g`` (+-g).

    >>> from poise.chips import MPU6050
    >>> counts_to_g(np.array([16384, -2048]), MPU6050, 2.0).tolist()
    [1.0, -0.125]
    """
    return np.asarray(counts, dtype=np.float64) * spec.acc_lsb_g[acc_range_g]


def counts_to_dps(counts: np.ndarray, spec: ChipSpec, gyr_range_dps: float) -> np.ndarray:
    """Gyroscope counts to deg/s at the full scale ``gyr_range_dps`` (+-deg/s).

    >>> from poise.chips import LSM6DSO32
    >>> counts_to_dps(np.array([1000]), LSM6DSO32, 2000.0).tolist()
    [70.0]
    """
    return np.asarray(counts, dtype=np.float64) * spec.gyr_lsb_dps[gyr_range_dps]


def saturated_rows(counts: np.ndarray) -> np.ndarray:
    """Per row of an (n, 3) count array: True where any axis sits on an int16 rail.

    >>> saturated_rows(np.array([[0, 32767, 5], [1, 2, 3], [-32768, 0, 0]])).tolist()
    [True, False, True]
    """
    counts = np.asarray(counts)
    return ((counts <= COUNT_MIN) | (counts >= COUNT_MAX)).any(axis=1)
