"""Sway of a segment's tilt: amplitude, area, speed, smoothness and frequency.

Inputs are the AP and ML tilt (deg) of the shank or the board on a uniform
time grid (:func:`poise.metrics.signals.uniform`). Amplitude metrics use the
signals as they are; speed, jerk and frequency metrics use them low-passed at
``SWAY_LOWPASS_HZ`` (zero phase), because sensor noise differentiated at 1 kHz
would otherwise dominate and the figures would depend on the sample rate.

Sources: RMS, path length and mean velocity as in Prieto et al. (1996, IEEE
Trans Biomed Eng 43:956) and the review of Quijoux et al. (2021, Physiol Rep
9:e15067); the 95% prediction ellipse ``pi * 5.991 * sqrt(l1 * l2)`` of
Schubert & Kirchner (2014, Gait Posture 39:518); centroidal frequency and F95
from Prieto et al.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from poise.metrics.filters import CHUNK_ROWS, welch
from poise.metrics.signals import lowpass

#: Low-pass applied before path length, velocity, jerk and spectra, Hz. Shank sway
#: lies below 5 Hz; sensor noise and strap wobble above it are left out.
SWAY_LOWPASS_HZ = 5.0
#: Neighbours either side a third derivative (three central differences) depends on.
JERK_MARGIN = 3
#: chi-square with 2 degrees of freedom at 95%: the ellipse that holds 95% of samples.
CHI2_95_2DOF = 5.991
#: Degrees of 2-D sway RMS over which the steadiness score halves.
STEADINESS_HALVING_DEG = 1.0


def rms_2d(ap_deg: np.ndarray, ml_deg: np.ndarray) -> float:
    """2-D RMS about the mean, deg: ``sqrt(var(AP) + var(ML))``."""
    return float(np.sqrt(np.var(ap_deg) + np.var(ml_deg)))


def rms_about_mean(x: np.ndarray) -> float:
    """RMS of one axis about its mean (its standard deviation), same unit as x."""
    return float(np.std(x))


def ellipse_area95(ap_deg: np.ndarray, ml_deg: np.ndarray) -> float:
    """Area of the 95% prediction ellipse, deg^2 (Schubert & Kirchner 2014).

    ``pi * 5.991 * sqrt(l1 * l2)`` with ``l1, l2`` the eigenvalues of the
    (n - 1) covariance matrix of the two series.

    >>> t = np.linspace(0, 2 * np.pi, 1000, endpoint=False)
    >>> round(ellipse_area95(np.cos(t), 2 * np.sin(t)), 2)  # variances ~1/2 and ~2
    18.84
    """
    # np.cov(ap_deg, ml_deg)'s own steps, to its bits, in one (2, n) array: np.cov
    # copies the first series and then stacks the two (three series' worth at once).
    rows = np.empty((2, len(ap_deg)))
    rows[0], rows[1] = ap_deg, ml_deg
    rows -= np.average(rows, axis=1)[:, None]
    cov = np.dot(rows, rows.T)
    cov *= np.true_divide(1, len(ap_deg) - 1)
    del rows
    eig = np.linalg.eigvalsh(cov)
    return float(np.pi * CHI2_95_2DOF * np.sqrt(max(eig[0], 0.0) * max(eig[1], 0.0)))


def path_length(x: np.ndarray, y: np.ndarray) -> float:
    """Length of the 2-D trajectory, in the unit of x and y."""
    steps = np.empty(max(len(x) - 1, 0))
    # The steps' lengths a chunk at a time (the bits of hypot(diff(x), diff(y))), summed
    # as one array: a long trial needs one temporary of its length, not three.
    for lo in range(0, len(steps), CHUNK_ROWS):
        hi = min(len(steps), lo + CHUNK_ROWS)
        steps[lo:hi] = np.hypot(np.diff(x[lo : hi + 1]), np.diff(y[lo : hi + 1]))
    return float(np.sum(steps))


def jerk_rms(ap_deg: np.ndarray, ml_deg: np.ndarray, rate_hz: float) -> float:
    """RMS of the 2-D third time derivative of the tilt, deg/s^3 (smaller is smoother).

    Each derivative is ``np.gradient``'s (central differences, one-sided at the
    ends). A sample's third derivative depends on its three neighbours either side
    only, so it is taken a chunk at a time with three samples of margin: the bits of
    whole arrays, in one temporary of the trial's length instead of eight.
    """

    def third(x: np.ndarray) -> np.ndarray:
        return np.gradient(np.gradient(np.gradient(x, 1 / rate_hz), 1 / rate_hz), 1 / rate_hz)

    n = len(ap_deg)
    if n < 2:  # np.gradient's own error
        return float(np.sqrt(np.mean(third(ap_deg) ** 2 + third(ml_deg) ** 2)))
    total = np.empty(n)
    for lo in range(0, n, CHUNK_ROWS):
        hi = min(n, lo + CHUNK_ROWS)
        a, b = max(0, lo - JERK_MARGIN), min(n, hi + JERK_MARGIN)
        ap = third(ap_deg[a:b])[lo - a : hi - a]
        ml = third(ml_deg[a:b])[lo - a : hi - a]
        total[lo:hi] = ap**2 + ml**2
    return float(np.sqrt(np.mean(total)))


def spectrum_summary(ap_deg: np.ndarray, ml_deg: np.ndarray, rate_hz: float) -> tuple[float, float]:
    """(centroidal frequency, F95), Hz, of the summed AP and ML power spectra.

    Welch's method on 10 s Hann segments (or the whole series if shorter),
    means removed. Centroidal frequency ``sqrt(mu2 / mu0)`` with ``mu_k`` the
    k-th spectral moment ``sum f^k G(f)``, and F95 the frequency below which
    95% of the power lies, both as Prieto et al. (1996) define them.

    >>> t = np.arange(0, 60, 0.01)
    >>> two_tones = np.sin(2 * np.pi * 0.4 * t) + np.sin(2 * np.pi * 2 * t)
    >>> round(spectrum_summary(two_tones, 0 * t, 100)[0], 2)  # sqrt((0.4^2 + 2^2) / 2)
    1.44
    """
    n = len(ap_deg)
    if n < 16:
        return float("nan"), float("nan")
    segment = min(n, int(10 * rate_hz))
    power = 0.0
    for x in (ap_deg, ml_deg):
        f, p = welch(x - np.mean(x), rate_hz, segment)
        power = power + p
    f, power = f[1:], power[1:]  # the DC bin carries the mean's residue only
    total = float(np.sum(power))
    if total <= 0:
        return float("nan"), float("nan")
    centroid = float(np.sqrt(np.sum(f * f * power) / total))
    cumulative = np.cumsum(power) / total
    f95 = float(f[np.searchsorted(cumulative, 0.95)])
    return centroid, f95


def steadiness(rms_deg: float) -> float:
    """Athlete-facing 0-100 score: 100 for no sway, halving per degree of 2-D sway RMS.

    Strictly decreasing in sway, so a better score always means less sway; the
    raw metrics stay the ones to compare.

    >>> steadiness(0.0), steadiness(1.0), round(steadiness(0.5), 1)
    (100.0, 50.0, 70.7)
    """
    return float(100.0 * 2.0 ** (-rms_deg / STEADINESS_HALVING_DEG))


@dataclass(frozen=True)
class SwayMetrics:
    """Sway of one span of tilt (deg, deg^2, deg/s, deg/s^3, Hz, s)."""

    duration_s: float
    sway_rms_deg: float
    ap_rms_deg: float
    ml_rms_deg: float
    sway_area95_deg2: float
    path_length_deg: float
    sway_velocity_dps: float
    jerk_dps3: float
    centroid_hz: float
    f95_hz: float
    steadiness: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def sway_metrics(ap_deg: np.ndarray, ml_deg: np.ndarray, rate_hz: float) -> SwayMetrics:
    """All sway metrics of tilt series on a uniform grid at ``rate_hz``."""
    duration = (len(ap_deg) - 1) / rate_hz
    # The amplitudes first: their temporaries then never meet the low-passed series.
    rms = rms_2d(ap_deg, ml_deg)
    ap_rms, ml_rms = rms_about_mean(ap_deg), rms_about_mean(ml_deg)
    area = ellipse_area95(ap_deg, ml_deg)
    smooth_ap = lowpass(ap_deg, rate_hz, SWAY_LOWPASS_HZ)
    smooth_ml = lowpass(ml_deg, rate_hz, SWAY_LOWPASS_HZ)
    path = path_length(smooth_ap, smooth_ml)
    centroid, f95 = spectrum_summary(smooth_ap, smooth_ml, rate_hz)
    return SwayMetrics(
        duration_s=float(duration),
        sway_rms_deg=rms,
        ap_rms_deg=ap_rms,
        ml_rms_deg=ml_rms,
        sway_area95_deg2=area,
        path_length_deg=path,
        sway_velocity_dps=path / duration if duration > 0 else float("nan"),
        jerk_dps3=jerk_rms(smooth_ap, smooth_ml, rate_hz),
        centroid_hz=centroid,
        f95_hz=f95,
        steadiness=steadiness(rms),
    )


def ellipse95(ap_deg: np.ndarray, ml_deg: np.ndarray) -> tuple[float, float, float, float, float]:
    """The 95% prediction ellipse of :func:`ellipse_area95`, to draw: its centre (ML,
    AP), deg, its semi-axes (major, minor), deg, and the major axis's angle from ML
    towards AP, deg.

    >>> t = np.linspace(0, 2 * np.pi, 1000, endpoint=False)
    >>> [round(v, 2) + 0.0 for v in ellipse95(np.cos(t), 2 * np.sin(t))]  # AP var 1/2, ML 2
    [0.0, 0.0, 3.46, 1.73, 0.0]
    """
    cov = np.cov(ml_deg, ap_deg)
    eig, vectors = np.linalg.eigh(cov)
    major = vectors[:, 1]
    angle_deg = float(np.degrees(np.arctan2(major[1], major[0])))
    # An axis has no direction: keep the angle in (-90, 90].
    if angle_deg > 90.0:
        angle_deg -= 180.0
    elif angle_deg <= -90.0:
        angle_deg += 180.0
    return (
        float(np.mean(ml_deg)),
        float(np.mean(ap_deg)),
        float(np.sqrt(CHI2_95_2DOF * max(eig[1], 0.0))),
        float(np.sqrt(CHI2_95_2DOF * max(eig[0], 0.0))),
        angle_deg + 0.0,
    )
