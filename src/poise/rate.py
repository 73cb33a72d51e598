"""A stream's sample rate from its timestamps: robust to jitter, coarse stamps, gaps and repeats.

The median time step alone is wrong on stamps rounded to a coarse clock: at
833 Hz (1.2 ms steps) stamps kept to 0.5 ms step by 1.0 or 1.5 ms, and the
median says 1000 Hz (416 Hz reads as 400, 104 Hz as 105.3). The median only
finds the scale; the rate is the mean of the regular steps (gaps, repeats
and steps back left out), which rounding does not bias. A file's nominal rate
is then that figure snapped to a rate the device can have: the chip's own
ODR table where the chip is known (:mod:`poise.chips`), else a rate IMU files
are commonly recorded at, when it is within tolerance.
"""

from __future__ import annotations

import numpy as np

from poise.chips import LSM6DSO32, ChipSpec

#: A step shorter than this many typical steps is regular (a longer one is a gap); wider
#: than health's 1.5 so that stamps rounded to a coarse clock (1.0 or 1.5 ms at 833 Hz)
#: are all counted, while one lost sample (2 steps) is not.
REGULAR_FACTOR = 1.75
#: The band, in median steps, of the first mean (see :func:`step_rate_hz`).
INITIAL_BAND = 3.0
#: Rates IMU files are commonly recorded at, Hz: the LSM6DS ODR table and the round
#: rates of data loggers, phones and MPU-6050 dividers.
COMMON_RATES_HZ = tuple(
    sorted(
        {*LSM6DSO32.odrs_hz}
        | {10.0, 20.0, 25.0, 50.0, 60.0, 100.0, 120.0, 128.0, 200.0, 250.0, 256.0}
        | {400.0, 500.0, 512.0, 800.0, 1000.0, 1024.0, 2000.0, 4000.0, 8000.0}
    )
)
#: A measured rate this close (relative) to a common rate is taken to be it; the nearest
#: two common rates differ by 2.4% (1000 and 1024 Hz), so the choice is never ambiguous.
SNAP_TOLERANCE = 0.01


def step_rate_hz(t_s: np.ndarray) -> float | None:
    """The rate of the regular time steps of ``t_s`` (s), Hz; None without a forward step.

    >>> t = np.round(np.arange(2000) / 833.0 / 0.0005) * 0.0005  # 833 Hz, 0.5 ms stamps
    >>> round(step_rate_hz(t)), round(1 / float(np.median(np.diff(t))))
    (833, 1000)
    """
    with np.errstate(invalid="ignore", over="ignore"):
        dt = np.diff(np.asarray(t_s, dtype=float))
        steps = dt[np.isfinite(dt) & (dt > 0)]
    if steps.size == 0:
        return None
    # The median is only the scale: on stamps rounded to nearly a period (1666 Hz kept
    # to 0.5 ms steps by 0.5 or 1.0 ms) it is the rounding's step, so a first mean over
    # a wide band starts the rounds; gaps (2 periods or more) then fall out of the band.
    median = float(np.median(steps))
    period = float(steps[steps < INITIAL_BAND * median].mean())
    for _ in range(3):  # the mean moves the band a little; three rounds settle it
        regular = steps[steps < REGULAR_FACTOR * period]
        period = float(regular.mean())
    return 1.0 / period


def nominal_rate_hz(measured_hz: float, chip: ChipSpec | None = None) -> float:
    """``measured_hz`` snapped to the nearest rate the device can have, when close enough.

    With a known ``chip``, its ODR table and its clock tolerance (at least
    ``SNAP_TOLERANCE``); otherwise :data:`COMMON_RATES_HZ` and ``SNAP_TOLERANCE``.
    A rate near none of them is returned as measured.

    >>> nominal_rate_hz(398.31), nominal_rate_hz(409.0), nominal_rate_hz(825.0, LSM6DSO32)
    (400.0, 409.0, 833.0)
    """
    table = chip.odrs_hz if chip is not None else COMMON_RATES_HZ
    tolerance = max(SNAP_TOLERANCE, chip.clock_tol) if chip is not None else SNAP_TOLERANCE
    nearest = min(table, key=lambda rate: abs(rate - measured_hz))
    return float(nearest) if abs(nearest - measured_hz) <= tolerance * nearest else measured_hz
