"""Losses of balance heard as they happen: a causal twin of :mod:`poise.metrics.balance_loss`.

The scored result of a trial comes from the batch detector over the whole span
(zero-phase filters, a running median on both sides). Live, only the past is
known, so the same two signatures are followed causally, sample by sample but
in NumPy blocks:

- the contact **jolt**: the same 10-40 Hz band, run forward only (at twice the
  order, for the same roll-off) with its state carried from block to block, and
  the same threshold;
- the **excursion**: distance of the tilt from an exponential running mean
  (time constant 2 s, the causal stand-in for the 4 s running median) beyond
  the same ``max(6.5 deg, 4.5 x robust sway)``, the sway taken from the trial
  so far.

Its state depends only on the samples, never on where blocks were cut, so a
replay in other block sizes hears the same losses at the same times.
"""

from __future__ import annotations

import numpy as np

from poise.metrics import filters
from poise.metrics.balance_loss import (
    EXCURSION_MIN_DEG,
    EXCURSION_SWAY_MULTIPLE,
    JOLT_BAND_HZ,
    JOLT_MIN_G,
    MERGE_S,
    STEP_MIN_G,
)

#: Order of the causal jolt band-pass: one pass of order 4 falls off as steeply as the
#: batch detector's order-2 filter run forwards and backwards (24 dB/octave), so sway
#: on foam, eyes closed, stays out of the band as it does there.
JOLT_ORDER = 4
#: Time constant of the running mean the excursion is measured from, s.
MEAN_TAU_S = 2.0
#: The robust sway is learnt over this long before excursions are judged, s.
LEARN_S = 2.0


class LiveLossDetector:
    """Causal loss-of-balance detection on a uniform-rate stream.

    Args:
        rate_hz: the stream's nominal rate, Hz.

    ``update`` takes a block's times (s), AP and ML tilt (deg) and specific
    force in segment axes (g) and returns the losses that begin in it, as
    ``(t_s, kind)``.
    """

    def __init__(self, rate_hz: float) -> None:
        self.rate_hz = rate_hz
        high = min(JOLT_BAND_HZ[1], 0.42 * rate_hz)
        self._sos = (
            filters.butter(JOLT_ORDER, (JOLT_BAND_HZ[0], high), "bandpass", rate_hz)
            if high > JOLT_BAND_HZ[0]
            else None
        )
        self._zi = None if self._sos is None else np.zeros((self._sos.shape[0], 2, 3))
        self._alpha = 1.0 - np.exp(-1.0 / (MEAN_TAU_S * rate_hz))
        self._mean_state: np.ndarray | None = None
        self._abs_dev_sum = np.zeros((1, 2))
        self._n = 0
        self._last_loss_t = -np.inf

    def update(
        self, t_s: np.ndarray, ap_deg: np.ndarray, ml_deg: np.ndarray, acc_g: np.ndarray
    ) -> list[tuple[float, str]]:
        if len(t_s) == 0:
            return []
        events: list[tuple[int, str]] = []
        jolt = self._jolt(acc_g)
        for i in np.flatnonzero(jolt >= JOLT_MIN_G):
            events.append((int(i), "step" if jolt[i] >= STEP_MIN_G else "touchdown"))
        for i in self._excursions(np.column_stack((ap_deg, ml_deg))):
            events.append((int(i), "excursion"))
        out = []
        for i, kind in sorted(events):
            t = float(t_s[i])
            if t - self._last_loss_t >= MERGE_S:
                self._last_loss_t = t
                out.append((t, kind))
        return out

    def _jolt(self, acc_g: np.ndarray) -> np.ndarray:
        if self._sos is None:
            return np.zeros(len(acc_g))
        if self._n == 0:
            # Start the filter settled on the first sample, as if it had always been so.
            self._zi = filters.sosfilt_zi(self._sos)[:, :, None] * acc_g[0][None, None, :]
        filtered, self._zi = filters.sosfilt(self._sos, acc_g, self._zi)
        return np.linalg.norm(filtered, axis=1)

    def _excursions(self, tilt: np.ndarray) -> np.ndarray:
        """Indices where the tilt first leaves the running mean by more than the threshold."""
        a = self._alpha
        if self._mean_state is None:
            self._mean_state = (1.0 - a) * tilt[:1]  # the mean starts at the first sample
        # m[k] = (1 - a) m[k-1] + a x[k], its state carried across blocks (bit for bit).
        means, state = filters.lfilter((a,), (1.0, a - 1.0), tilt, self._mean_state)
        before = np.vstack((self._mean_state / (1.0 - a), means[:-1]))
        self._mean_state = state
        deviation = tilt - before
        distance = np.hypot(deviation[:, 0], deviation[:, 1])
        # Robust sway so far: mean absolute deviation per axis, x 1.2533 for a Gaussian's
        # sigma; summed on from the previous total, in sample order, whatever the blocks.
        sums = np.cumsum(np.vstack((self._abs_dev_sum, np.abs(deviation))), axis=0)[1:]
        counts = self._n + np.arange(1, len(tilt) + 1)
        sigma = 1.2533 * np.hypot(sums[:, 0], sums[:, 1]) / counts
        threshold = np.maximum(EXCURSION_MIN_DEG, EXCURSION_SWAY_MULTIPLE * sigma)
        learnt = counts > LEARN_S * self.rate_hz
        self._abs_dev_sum = sums[-1:]
        self._n += len(tilt)
        return np.flatnonzero(learnt & (distance > threshold))
