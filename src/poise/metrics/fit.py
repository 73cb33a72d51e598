"""Signatures that tell whether a span looks like the drill it is scored as.

None of Poise's drills walks: single-leg stance, the lunge, the wobble board
and seated hip rotation all keep the segment in place. Walking (or running)
shows as a **gait rhythm**: the magnitude of the specific force swings by
tenths of a g at the step or stride period, 0.4-2 s (cadence 30-150 strides
a minute; Grieve & Gear 1966, Ergonomics 9:379), again and again. A jump
shows as a **flight**: the specific force near zero for a tenth of a second
or more (the shortest hop's flight is about 0.2 s). Magnitudes are taken so
that neither test needs calibration or mounting.
"""

from __future__ import annotations

import numpy as np

from poise.metrics.signals import lowpass

#: Periods of a walking or running rhythm, s: a step to a slow stride.
GAIT_PERIOD_S = (0.4, 2.0)
#: Below this RMS of the low-passed acceleration magnitude there is no gait, g. Quiet
#: stance, a lunge, a board or a seated rotation move it by hundredths of a g.
GAIT_MIN_G = 0.08
#: A rhythm's normalised autocorrelation at its period must reach this.
GAIT_MIN_CORRELATION = 0.4
#: The magnitude is low-passed here before the rhythm is looked for, Hz: the contact
#: jolts of a stance (10-40 Hz) are left out, the step's own swing kept.
GAIT_LOWPASS_HZ = 5.0
#: Specific force under this is free fall, g (a flight's; the simulated stance's hop
#: step dips under it for at most 10 ms).
FLIGHT_MAX_G = 0.3


def longest_flight_s(acc_norm_g: np.ndarray, rate_hz: float) -> float:
    """The longest run of samples whose specific force's size (n,) is under
    ``FLIGHT_MAX_G``, s.

    >>> longest_flight_s(np.array([1.0, 0.1, 0.0, 1.0]), 10.0)
    0.2
    """
    low = np.concatenate(([False], acc_norm_g < FLIGHT_MAX_G, [False]))
    edges = np.flatnonzero(np.diff(low.astype(np.int8)))
    return float((edges[1::2] - edges[::2]).max() / rate_hz) if edges.size else 0.0


def gait_rhythm(acc_norm_g: np.ndarray, rate_hz: float) -> float | None:
    """The period of a gait rhythm in the size of a span's specific force (n,), s; None
    without one.

    A rhythm is a lag in ``GAIT_PERIOD_S`` where the normalised autocorrelation of
    the low-passed magnitude (mean removed) reaches ``GAIT_MIN_CORRELATION``,
    while that magnitude varies by at least ``GAIT_MIN_G`` RMS. Spans shorter
    than two of the longest periods have none.

    >>> t = np.arange(0, 20, 0.01)
    >>> walk = 1 + 0.3 * np.sin(2 * np.pi * t / 1.1)
    >>> round(gait_rhythm(walk, 100.0), 2), gait_rhythm(walk * 0 + 1, 100.0)
    (1.1, None)
    """
    lo, hi = (round(p * rate_hz) for p in GAIT_PERIOD_S)
    magnitude = acc_norm_g[np.isfinite(acc_norm_g)]
    n = len(magnitude)
    if n < 2 * hi:
        return None
    x = lowpass(magnitude, rate_hz, GAIT_LOWPASS_HZ)
    del magnitude
    x -= np.mean(x)  # in place: the FFTs below need tens of MB of their own on a long span
    if np.sqrt(np.mean(x * x)) < GAIT_MIN_G:
        return None
    spectrum = np.fft.rfft(x, 2 * n)  # zero-padded: the linear, not circular, correlation
    del x
    # |X|^2 as re^2 + im^2 (X * conj(X) to 1e-14 relative), written over the spectrum's
    # real parts, its imaginary parts zeroed: the inverse FFT then takes the complex
    # array as it is, where a real one would be copied to a complex one first.
    imag_sq = np.square(spectrum.imag)
    power = spectrum.real
    np.square(power, out=power)
    power += imag_sq
    del imag_sq
    spectrum.imag = 0.0
    correlation = np.fft.irfft(spectrum)[: hi + 1]
    del spectrum, power
    # Normalised per lag by the overlap, so long lags are not penalised for it.
    correlation = correlation / correlation[0] * n / (n - np.arange(hi + 1))
    lag = lo + int(np.argmax(correlation[lo:]))
    return lag / rate_hz if correlation[lag] >= GAIT_MIN_CORRELATION else None
