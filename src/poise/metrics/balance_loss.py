"""Losses of balance in single-leg stance, seen from the stance leg's shin: one causal detector.

The losses the athlete hears live and the losses scored are the same ones, at
the same times and of the same kinds, because there is one detector
(:class:`LossDetector`): the live session feeds it block by block, the
scoring feeds it the span's samples at once, and its output depends only on
the samples, never on where blocks were cut. It looks only at the past, and
decides each loss a bounded time after it (at most ``SWING_AFTER_S`` +
``JOLT_PEAK_S``, 1 s; a touchdown 0.4 s after contact).

Two signatures, combined:

- a **jolt**: the free foot striking the floor (or the stance foot landing
  after a step) shakes the shin at 10-40 Hz, far above any sway; the
  accelerometer, band-passed there (a causal Butterworth, order 4: it falls
  off as steeply as an order-2 filter run both ways), shows it as a burst. It
  begins where the band-passed magnitude first reaches ``JOLT_MIN_G`` (the
  contact: a touchdown's time); when it reaches ``STEP_MIN_G`` within
  ``JOLT_PEAK_S`` it is a step (the stance foot's own landing, timed there),
  else a touchdown (a light tap through the body);
- a **large excursion**: the shank's tilt leaves its running mean (an
  exponential mean, time constant 2 s, as it was 0.8 s before) by more than ``max(6.5 deg, 3.6 x the
  robust 2-D sway so far)``. When a jolt follows within ``SWING_AFTER_S`` it was
  the swing before a touchdown or step, and the loss is that jolt; otherwise
  it is a loss caught without touching down, timed at its furthest point
  within that window. Excursions are judged once ``LEARN_S`` of sway is known.

Events closer than ``MERGE_S`` to the last loss are part of it. Time held is
the time from the start of the span to the first loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poise.metrics import filters

#: Band of the contact jolt, Hz (sway lies below 6 Hz; the upper edge stays
#: under the chip's low-pass at low output rates).
JOLT_BAND_HZ = (10.0, 40.0)
#: Order of the causal jolt band-pass.
JOLT_ORDER = 4
#: Smallest band-passed acceleration that counts as a contact, g.
JOLT_MIN_G = 0.12
#: A band-passed jolt at least this big is the stance foot landing (a step), g.
STEP_MIN_G = 0.7
#: A jolt's size is its peak over this long from its start, s: a step's take-off
#: already jolts the shin, its landing up to 0.3 s later is the step's peak.
JOLT_PEAK_S = 0.4
#: Smallest excursion that counts, deg, and its multiple of the robust sway. Set on
#: the simulator, eyes closed on foam: at 4.5x, 12 of 50 true excursions and
#: steps went unheard (the deviation from a lagged running mean spreads wider
#: than from a centred median); at 3.6x, 1 of 50, and six minutes of sway with no
#: loss crossed it never.
EXCURSION_MIN_DEG = 6.5
EXCURSION_SWAY_MULTIPLE = 3.6
#: Time constant of the running mean the excursion is measured from, s.
MEAN_TAU_S = 2.0
#: An excursion is measured from the running mean this long before it, s.
MEAN_LAG_S = 0.8
#: The robust sway is learnt over this long before excursions are judged, s.
LEARN_S = 2.0
#: Events closer than this to the last loss are that loss, s.
MERGE_S = 1.0
#: An excursion waits this long for the jolt of a touchdown, s; the swing before a
#: touchdown is looked for this far before its jolt, s.
SWING_AFTER_S, SWING_BEFORE_S = 0.6, 0.8


@dataclass(frozen=True)
class BalanceLoss:
    """One loss of balance: when (device time, s), what kind, how big (deg, g)."""

    t_s: float
    kind: str  # "touchdown", "step" or "excursion"
    excursion_deg: float
    jolt_g: float

    def to_dict(self) -> dict:
        return {
            "t_s": round(self.t_s, 4),
            "kind": self.kind,
            "excursion_deg": round(self.excursion_deg, 3),
            "jolt_g": round(self.jolt_g, 4),
        }


@dataclass
class _Pending:
    """A loss begun but not yet decided: by a jolt at ``t0_s`` or an excursion crossing.
    ``step_t_s`` is when its jolt first reached ``STEP_MIN_G`` (a landing), if it did."""

    jolt: bool
    t0_s: float
    deadline_s: float
    jolt_g: float
    excursion_deg: float
    furthest_t_s: float
    step_t_s: float | None = None


class LossDetector:
    """Causal loss-of-balance detection on a uniform-rate stream.

    Args:
        rate_hz: the stream's nominal rate, Hz.

    ``update`` takes a block's times (s), AP and ML tilt (deg) and specific force
    in segment axes (g) and returns the losses decided in it. Rows whose time,
    tilt or force is not finite, or whose time does not pass every earlier
    row's, are skipped, so any rows may be given.
    """

    def __init__(self, rate_hz: float) -> None:
        self.rate_hz = rate_hz
        high = min(JOLT_BAND_HZ[1], 0.42 * rate_hz)
        self._sos = (
            filters.butter(JOLT_ORDER, (JOLT_BAND_HZ[0], high), "bandpass", rate_hz)
            if high > JOLT_BAND_HZ[0]
            else None
        )
        self._zi: np.ndarray | None = None
        self._alpha = 1.0 - np.exp(-1.0 / (MEAN_TAU_S * rate_hz))
        self._mean_state: np.ndarray | None = None
        self._lag = max(1, round(MEAN_LAG_S * rate_hz))
        self._mean_hist = np.empty((0, 2))
        self._abs_dev_sum = np.zeros((1, 2))
        self._n = 0
        self._t_last = -np.inf
        self._last_loss_t = -np.inf
        self._pending: _Pending | None = None
        # Distances of the last SWING_BEFORE_S, for a touchdown's swing.
        self._recent_t = np.empty(0)
        self._recent_d = np.empty(0)

    def update(
        self, t_s: np.ndarray, ap_deg: np.ndarray, ml_deg: np.ndarray, acc_g: np.ndarray
    ) -> list[BalanceLoss]:
        t_s, tilt, acc_g = self._usable(t_s, np.column_stack((ap_deg, ml_deg)), acc_g)
        if len(t_s) == 0:
            return []
        jolt = self._jolt(acc_g)
        distance, over = self._excursions(tilt)
        t_all = np.concatenate((self._recent_t, t_s))
        d_all = np.concatenate((self._recent_d, distance))
        keep = t_all >= t_s[-1] - SWING_BEFORE_S
        self._recent_t, self._recent_d = t_all[keep], d_all[keep]
        return self._decide(t_s, jolt, distance, over, t_all, d_all)

    def _usable(
        self, t_s: np.ndarray, tilt: np.ndarray, acc_g: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows with finite values whose time passes every earlier usable row's."""
        finite = np.isfinite(t_s) & np.isfinite(tilt).all(axis=1) & np.isfinite(acc_g).all(axis=1)
        t = np.where(finite, t_s, -np.inf)
        before = np.concatenate(([self._t_last], np.maximum.accumulate(t)[:-1]))
        rows = finite & (t > np.maximum(before, self._t_last))
        if rows.any():
            self._t_last = float(t_s[rows][-1])
        return t_s[rows], tilt[rows], acc_g[rows]

    def _jolt(self, acc_g: np.ndarray) -> np.ndarray:
        """Band-passed specific force magnitude, g (zero when the rate is too low)."""
        if self._sos is None:
            return np.zeros(len(acc_g))
        if self._zi is None:
            # Start the filter settled on the first sample, as if it had always been so.
            self._zi = filters.sosfilt_zi(self._sos)[:, :, None] * acc_g[0][None, None, :]
        filtered, self._zi = filters.sosfilt(self._sos, acc_g, self._zi)
        return np.linalg.norm(filtered, axis=1)

    def _excursions(self, tilt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distance of the tilt from the running mean before it, deg, and where it is
        beyond the threshold (once the sway is learnt)."""
        a = self._alpha
        if self._mean_state is None:
            self._mean_state = (1.0 - a) * tilt[:1]  # the mean starts at the first sample
            self._mean_hist = np.repeat(tilt[:1], self._lag, axis=0)
        # m[k] = (1 - a) m[k-1] + a x[k], its state carried across blocks (bit for bit).
        means, state = filters.lfilter((a,), (1.0, a - 1.0), tilt, self._mean_state)
        self._mean_state = state
        # Measured from the mean as it was MEAN_LAG_S before: the mean of the posture
        # before a swing began, which the swing has not pulled along yet.
        history = np.vstack((self._mean_hist, means))
        before = history[: len(tilt)]
        self._mean_hist = history[len(tilt) :]
        deviation = tilt - before
        distance = np.hypot(deviation[:, 0], deviation[:, 1])
        # Robust sway so far: mean absolute deviation per axis, x 1.2533 for a Gaussian's
        # sigma; summed on from the previous total, in sample order, whatever the blocks.
        # Each deviation counts up to EXCURSION_MIN_DEG: larger ones are losses, which must
        # not raise the bar they are judged by.
        counted = np.minimum(np.abs(deviation), EXCURSION_MIN_DEG)
        sums = np.cumsum(np.vstack((self._abs_dev_sum, counted)), axis=0)[1:]
        counts = self._n + np.arange(1, len(tilt) + 1)
        sigma = 1.2533 * np.hypot(sums[:, 0], sums[:, 1]) / counts
        threshold = np.maximum(EXCURSION_MIN_DEG, EXCURSION_SWAY_MULTIPLE * sigma)
        learnt = counts > LEARN_S * self.rate_hz
        self._abs_dev_sum = sums[-1:]
        self._n += len(tilt)
        return distance, learnt & (distance > threshold)

    def _decide(
        self,
        t: np.ndarray,
        jolt: np.ndarray,
        distance: np.ndarray,
        over: np.ndarray,
        t_recent: np.ndarray,
        d_recent: np.ndarray,
    ) -> list[BalanceLoss]:
        """Walk the block's candidate rows in time order: begin, grow and decide losses."""
        out: list[BalanceLoss] = []
        contact = jolt >= JOLT_MIN_G
        candidates = np.flatnonzero(contact | over)
        i, n = 0, len(t)
        while i < n:
            p = self._pending
            if p is None:
                fresh = t[candidates] - self._last_loss_t >= MERGE_S
                later = candidates[(candidates >= i) & fresh]
                if later.size == 0:
                    break
                j = int(later[0])
                self._pending = self._begin(j, t, contact, distance, t_recent, d_recent)
                i = j
                continue
            end = int(np.searchsorted(t, p.deadline_s, side="right"))
            window = slice(i, end)
            if not p.jolt:
                hits = np.flatnonzero(contact[window])
                if hits.size:  # the swing before a touchdown or step: the loss is the jolt
                    j = i + int(hits[0])
                    furthest = max(p.excursion_deg, float(distance[i:j].max(initial=0.0)))
                    self._pending = self._begin(j, t, contact, distance, t_recent, d_recent)
                    self._pending.excursion_deg = max(self._pending.excursion_deg, furthest)
                    i = j
                    continue
            if end > i:
                k = i + int(np.argmax(distance[window]))
                if distance[k] > p.excursion_deg:
                    p.excursion_deg, p.furthest_t_s = float(distance[k]), float(t[k])
                p.jolt_g = max(p.jolt_g, float(jolt[window].max()))
                landed = np.flatnonzero(jolt[window] >= STEP_MIN_G)
                if p.jolt and p.step_t_s is None and landed.size:
                    p.step_t_s = float(t[i + int(landed[0])])
            if end >= n:  # the window runs on into the next block
                break
            out.append(self._loss(p))
            self._pending = None
            i = end
        return out

    def _begin(
        self,
        j: int,
        t: np.ndarray,
        contact: np.ndarray,
        distance: np.ndarray,
        t_recent: np.ndarray,
        d_recent: np.ndarray,
    ) -> _Pending:
        t0 = float(t[j])
        if contact[j]:
            swing = d_recent[(t_recent >= t0 - SWING_BEFORE_S) & (t_recent <= t0)]
            return _Pending(True, t0, t0 + JOLT_PEAK_S, 0.0, float(swing.max(initial=0.0)), t0)
        return _Pending(False, t0, t0 + SWING_AFTER_S, 0.0, float(distance[j]), t0)

    def _loss(self, p: _Pending) -> BalanceLoss:
        if p.jolt and p.step_t_s is not None:
            kind, t = "step", p.step_t_s  # the stance foot's landing
        elif p.jolt:
            kind, t = "touchdown", p.t0_s
        else:
            kind, t = "excursion", p.furthest_t_s
        self._last_loss_t = t
        return BalanceLoss(t, kind, p.excursion_deg, p.jolt_g)


def balance_losses(
    t_s: np.ndarray,
    ap_deg: np.ndarray,
    ml_deg: np.ndarray,
    acc_g: np.ndarray,
    rate_hz: float,
) -> list[BalanceLoss]:
    """Every loss of balance :class:`LossDetector` decides over these samples, in one block.

    Args:
        t_s: sample times, s (rows that are not usable are skipped).
        ap_deg, ml_deg: shank tilt, deg.
        acc_g: specific force in segment axes, g.
    """
    return LossDetector(rate_hz).update(t_s, ap_deg, ml_deg, acc_g)


def time_held(start_s: float, end_s: float, losses: list[BalanceLoss]) -> float:
    """Time from ``start_s`` to the first loss of balance after it (or ``end_s``), s; never
    negative (a loss before the hold began, in the reference stance, ends nothing).

    >>> early, late = BalanceLoss(1.5, "step", 0.0, 0.0), BalanceLoss(9.0, "step", 0.0, 0.0)
    >>> time_held(2.0, 30.0, [early, late])
    7.0
    """
    first = next((loss.t_s for loss in losses if loss.t_s >= start_s), end_s)
    return float(max(first - start_s, 0.0))
