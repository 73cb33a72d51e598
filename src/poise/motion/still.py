"""Still periods: windows where the sensor rests (on a table, or on a quietly standing athlete).

A window of samples is still when, over the window,

- every gyroscope axis varies by at most ``gyr_std_dps`` (standard deviation),
- every accelerometer axis varies by at most ``acc_std_g``,
- the mean acceleration has the magnitude of gravity within ``acc_norm_tolerance_g``.

The test is on spread, not on level, so a gyroscope bias of any size does not
hide a still period: the bias is what the still period is used to measure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StillSettings:
    """Thresholds of the still test.

    Args:
        window_s: length of a still window, s.
        gyr_std_dps: largest standard deviation of any gyroscope axis, deg/s. Quiet
            two-legged standing moves the shank by well under this; single-leg stance
            moves it by more.
        acc_std_g: largest standard deviation of any accelerometer axis, g (above
            the 8 mg of an MPU-6050's own noise at 1 kHz).
        acc_norm_tolerance_g: largest difference between the mean acceleration's
            magnitude and 1 g (wide enough for an uncalibrated MPU-6050: 80 mg
            offsets and 3% scale errors).
    """

    window_s: float = 1.0
    gyr_std_dps: float = 1.0
    acc_std_g: float = 0.02
    acc_norm_tolerance_g: float = 0.2


def still_windows(
    acc_g: np.ndarray, gyr_dps: np.ndarray, window_len: int, settings: StillSettings
) -> np.ndarray:
    """For each start index i, whether samples ``[i, i + window_len)`` are still.

    Returns a bool array of length ``n - window_len + 1`` (empty if n < window_len).
    A window containing a NaN is never still.
    """
    n = acc_g.shape[0]
    if window_len < 2 or n < window_len:
        return np.zeros(max(n - window_len + 1, 0), dtype=bool)
    values = np.concatenate((acc_g, gyr_dps), axis=1)
    bad = ~np.isfinite(values).all(axis=1)
    # Centre on the first good row before the running sums, so E[x^2] - E[x]^2 does
    # not cancel; a window's figures then depend only on the samples before its end,
    # which keeps the result the same however the stream was cut into blocks.
    centre = values[np.argmax(~bad)]
    values = np.where(bad[:, None], 0.0, values - centre)
    s1 = _window_sums(values, window_len)
    s2 = _window_sums(values * values, window_len)
    mean = s1 / window_len
    std = np.sqrt(np.maximum(s2 / window_len - mean * mean, 0.0))
    acc_norm = np.linalg.norm(mean[:, :3] + centre[:3], axis=1)
    still = (
        (std[:, :3] <= settings.acc_std_g).all(axis=1)
        & (std[:, 3:] <= settings.gyr_std_dps).all(axis=1)
        & (np.abs(acc_norm - 1.0) <= settings.acc_norm_tolerance_g)
    )
    return still & (_window_sums(bad[:, None].astype(float), window_len)[:, 0] == 0)


def still_mask(
    acc_g: np.ndarray, gyr_dps: np.ndarray, window_len: int, settings: StillSettings
) -> np.ndarray:
    """Per sample: whether it lies in at least one still window."""
    n = acc_g.shape[0]
    starts = still_windows(acc_g, gyr_dps, window_len, settings)
    # A sample is covered when a still window starts within window_len - 1 before it.
    marks = np.zeros(n + 1, dtype=int)
    idx = np.flatnonzero(starts)
    np.add.at(marks, idx, 1)
    np.add.at(marks, idx + window_len, -1)
    return np.cumsum(marks[:n]) > 0


def still_periods(t_s: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    """Runs of True in ``mask`` as (start, end) device times, s."""
    if not mask.any():
        return []
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return [(float(t_s[a]), float(t_s[b])) for a, b in zip(starts, ends, strict=True)]


def _window_sums(x: np.ndarray, window_len: int) -> np.ndarray:
    c = np.cumsum(np.vstack((np.zeros((1, x.shape[1])), x)), axis=0)
    return c[window_len:] - c[:-window_len]
