"""Signal helpers shared by the metrics: a uniform time grid, zero-phase filters, envelopes."""

from __future__ import annotations

import numpy as np

from poise.metrics.filters import butter, hilbert_envelope, sosfiltfilt

#: Fewer samples than this are not filtered (the forward-backward pass pads the ends).
MIN_FILTER_LEN = 30


def increasing(t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """``t_s`` made strictly increasing, and the order that does it (None: it already is).

    Out-of-order or repeated times are sorted (stably), and a repeated time keeps
    its first sample: what :func:`uniform` interpolates.

    >>> increasing(np.array([0.0, 0.2, 0.1, 0.2]))
    (array([0. , 0.1, 0.2]), array([0, 2, 1]))
    """
    if not np.any(np.diff(t_s) <= 0):
        return t_s, None
    order = np.argsort(t_s, kind="stable")
    t = t_s[order]
    keep = np.concatenate(([True], np.diff(t) > 0))
    return t[keep], order[keep]


def uniform(t_s: np.ndarray, x: np.ndarray, rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """Resample onto a uniform grid at ``rate_hz`` by linear interpolation of the finite samples.

    Filters and spectra assume equal steps; device time is rarely exactly that
    (gaps, dropped or repeated samples). ``x`` may be (n,) or (n, k). Columns
    are interpolated one at a time into the output, so a long recording is
    not copied whole again and again.
    """
    columns = x.reshape(len(t_s), -1)
    good = np.isfinite(t_s) & np.all(np.isfinite(columns), axis=1)
    t = t_s[good]
    t, order = increasing(t)
    if len(t) < 2:
        picked = columns[good] if order is None else columns[good][order]
        return t, picked.reshape((len(t), *x.shape[1:]))
    grid = t[0] + np.arange(int(np.floor((t[-1] - t[0]) * rate_hz)) + 1) / rate_hz
    out = np.empty((len(grid), columns.shape[1]))
    for j in range(columns.shape[1]):
        column = columns[good, j]
        out[:, j] = np.interp(grid, t, column if order is None else column[order])
    return grid, out.reshape((len(grid), *x.shape[1:]))


def lowpass(
    x: np.ndarray, rate_hz: float, cutoff_hz: float, overwrite_x: bool = False
) -> np.ndarray:
    """Zero-phase 4th-order Butterworth low-pass (second-order sections, forward and back).

    Zero phase keeps events in place; it needs the whole series, which metrics
    of a finished trial have. ``x`` is returned as it is when the cutoff is at
    or above 0.45 of the rate (nothing to remove) or ``x`` is too short to
    filter (under ``MIN_FILTER_LEN`` samples). With ``overwrite_x`` (``x`` float64 and
    contiguous) the result is ``x`` itself, filtered in place.
    """
    if cutoff_hz >= 0.45 * rate_hz or len(x) < MIN_FILTER_LEN:
        return x if overwrite_x else np.array(x, dtype=float)
    return sosfiltfilt(butter(2, cutoff_hz, "lowpass", rate_hz), x, overwrite_x)


def highpass(x: np.ndarray, rate_hz: float, cutoff_hz: float) -> np.ndarray:
    """Zero-phase 4th-order Butterworth high-pass along axis 0.

    Raises ValueError for a cutoff at or above 0.45 of the rate, or ``x`` under
    ``MIN_FILTER_LEN`` samples: unlike a low-pass, there is nothing sensible to
    return unchanged.
    """
    if cutoff_hz >= 0.45 * rate_hz or len(x) < MIN_FILTER_LEN:
        raise ValueError(f"cannot high-pass {len(x)} samples at {cutoff_hz:g} Hz of {rate_hz:g} Hz")
    return sosfiltfilt(butter(2, cutoff_hz, "highpass", rate_hz), x)


def envelope(x: np.ndarray) -> np.ndarray:
    """Amplitude envelope of the rows of x (n,) or (n, k): the analytic signal's magnitude.

    For several columns the amplitudes add as a vector (an AP and an ML
    oscillation of 1 deg each give 1.41 deg). The analytic signal is the
    Hilbert transform's (Oppenheim & Schafer, Discrete-Time Signal Processing).
    """
    analytic = hilbert_envelope(x)
    return analytic if analytic.ndim == 1 else np.sqrt(np.sum(analytic**2, axis=1))
