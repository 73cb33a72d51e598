"""Saturation inferred from the data, for a file whose accelerometer range nobody gave.

A clipped axis sits at its rail: runs of equal values at the recording's
extreme. That extreme is taken as the full scale when it lies within
``RAIL_TOLERANCE`` under a range a MEMS accelerometer offers (``RANGES_G``;
the rail of a 16 g int16 chip is 32767 LSB, 15.9995 g) and some axis holds it
for at least ``MIN_RUN`` samples in a row (noise and a real peak never repeat
an extreme value exactly).
"""

from __future__ import annotations

import numpy as np

#: Full scales offered by MEMS accelerometers (LSM6DS, MPU-6050/9250, BMI, ICM, ADXL), g.
RANGES_G = (2.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 64.0, 100.0, 200.0, 400.0)
#: The rail is this fraction of the range or more (int16 counts, scale rounding), 1.
RAIL_TOLERANCE = 0.02
MIN_RUN = 2


def inferred_full_scale_g(acc_g: np.ndarray) -> float | None:
    """The accelerometer's full scale (g), where the samples show it clipped; else None.

    Args:
        acc_g: (n, 3) accelerometer samples as recorded, g.

    >>> acc = np.zeros((6, 3)); acc[2:4, 2] = 15.9995
    >>> inferred_full_scale_g(acc)
    16.0
    >>> acc[3, 2] = 15.7
    >>> inferred_full_scale_g(acc) is None
    True
    """
    a = np.abs(np.asarray(acc_g, dtype=float))
    finite = np.isfinite(a)
    if not finite.any():
        return None
    extreme = float(np.max(a[finite]))
    ranges = [r for r in RANGES_G if (1.0 - RAIL_TOLERANCE) * r <= extreme <= r * 1.0005]
    if not ranges:
        return None
    at_rail = a >= extreme * (1.0 - 1e-6)
    for axis in at_rail.T:
        runs = np.convolve(axis.astype(np.int32), np.ones(MIN_RUN, dtype=np.int32), "valid")
        if runs.size and runs.max() >= MIN_RUN:
            return ranges[0]
    return None
