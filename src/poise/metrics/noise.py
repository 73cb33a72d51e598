"""The noise floor of a tilt series: the sway a (nearly) still segment shows.

Measured over the reference still period (the athlete on both feet), or, when
there is none, over the quietest second of the recording. Either way it is an
upper bound of what sensor noise and the orientation filter add to the tilt:
it also holds whatever the segment really moved there.

Noise adds to sway in quadrature (independent processes add variances), so a
measured RMS ``m`` over a floor ``n`` comes from a true RMS of at least
``sqrt(m^2 - n^2)``: the figure is inflated by at most
``m / sqrt(m^2 - n^2) - 1`` (:func:`inflation_bound`). At ``m = 2.4 n`` that
is 10%, the issue's limit for sway RMS; an area (a product of two RMS) grows
by the square of the same factor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poise.metrics.signals import lowpass
from poise.metrics.sway import SWAY_LOWPASS_HZ, path_length

#: Length of the quiet window looked for when there is no still period, s.
QUIET_WINDOW_S = 1.0


@dataclass(frozen=True)
class NoiseFloor:
    """Sway of a still stretch of tilt: 2-D, AP and ML RMS about the mean (deg) and
    mean velocity of the 5 Hz low-passed path (deg/s); ``source`` says where from
    (``still_period`` or ``quietest_second``)."""

    rms_deg: float
    ap_deg: float
    ml_deg: float
    velocity_dps: float
    source: str


def floor_of(ap_deg: np.ndarray, ml_deg: np.ndarray, rate_hz: float, source: str) -> NoiseFloor:
    """The sway figures of a still window of tilt (uniform grid at ``rate_hz``), deg."""
    duration = (len(ap_deg) - 1) / rate_hz
    path = path_length(
        lowpass(ap_deg, rate_hz, SWAY_LOWPASS_HZ), lowpass(ml_deg, rate_hz, SWAY_LOWPASS_HZ)
    )
    ap, ml = float(np.std(ap_deg)), float(np.std(ml_deg))
    return NoiseFloor(
        rms_deg=float(np.hypot(ap, ml)),
        ap_deg=ap,
        ml_deg=ml,
        velocity_dps=path / duration if duration > 0 else float("nan"),
        source=source,
    )


def quietest_window(ap_deg: np.ndarray, ml_deg: np.ndarray, rate_hz: float) -> slice:
    """The second (``QUIET_WINDOW_S``) of least 2-D variance about its own mean, as a slice.

    Windows start every quarter window; the whole series when it is shorter.

    >>> x = np.concatenate((np.sin(np.arange(300.0)), np.zeros(100)))
    >>> quietest_window(x, x, 100.0)
    slice(300, 400, None)
    """
    n = max(2, round(QUIET_WINDOW_S * rate_hz))
    if len(ap_deg) <= n:
        return slice(0, len(ap_deg))
    # Running sums give every window's variance at once (centred first: no cancellation).
    x = np.column_stack((ap_deg - np.mean(ap_deg), ml_deg - np.mean(ml_deg)))
    s1 = np.vstack((np.zeros((1, 2)), np.cumsum(x, axis=0)))
    s2 = np.vstack((np.zeros((1, 2)), np.cumsum(x * x, axis=0)))
    starts = np.arange(0, len(x) - n + 1, max(1, n // 4))
    mean = (s1[starts + n] - s1[starts]) / n
    var = ((s2[starts + n] - s2[starts]) / n - mean**2).sum(axis=1)
    start = int(starts[np.argmin(var)])
    return slice(start, start + n)


def inflation_bound(measured: float, floor: float) -> float:
    """How much noise of RMS ``floor`` can have inflated an RMS of ``measured`` at most
    (a fraction; inf when the figure is no bigger than the floor).

    >>> round(inflation_bound(2.4, 1.0), 3), inflation_bound(1.0, 1.0)
    (0.1, inf)
    """
    if measured <= floor:
        return float("inf")
    return float(measured / np.sqrt(measured**2 - floor**2) - 1.0)
