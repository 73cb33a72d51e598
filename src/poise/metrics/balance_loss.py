"""Losses of balance in single-leg stance, seen from the stance leg's shin.

Two signatures, combined:

- a **jolt**: the free foot striking the floor (or the stance foot landing
  after a step) shakes the shin at 10-40 Hz, far above any sway; the
  accelerometer, band-passed there, shows it as a burst. Its size tells a
  touchdown (a light tap through the body) from a step (the stance foot's
  own landing);
- a **large excursion**: the shank's tilt leaves its running median (4 s) by
  more than ``max(6.5 deg, 4.5 x the trial's robust 2-D sway)``. With a jolt
  close by it is the swing before a touchdown or step and is not counted
  again; alone, it is a loss of balance caught without touching down.

The time of a loss is the jolt (the contact) or, for an excursion, its peak.
Time held is the time from the start of the span to the first loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poise.metrics.filters import butter, running_max, running_median, sosfiltfilt

#: Band of the contact jolt, Hz (sway lies below 6 Hz; the upper edge stays
#: under the chip's low-pass at low output rates).
JOLT_BAND_HZ = (10.0, 40.0)
#: Smallest band-passed acceleration that counts as a contact, g.
JOLT_MIN_G = 0.12
#: A band-passed jolt at least this big is the stance foot landing (a step), g.
STEP_MIN_G = 0.7
#: Smallest excursion that counts, deg, and its multiple of the robust sway. The
#: robust deviation from a running median has heavier tails than a Gaussian: at
#: 3.5x, a minute of eyes-closed sway on foam crossed it now and then on the
#: simulator (5 false alarms in 120 losses); at 4.5x, none did.
EXCURSION_MIN_DEG = 6.5
EXCURSION_SWAY_MULTIPLE = 4.5
MEDIAN_WINDOW_S = 4.0
#: Excursions this close to the span's ends are not judged: the running median
#: has only one side there. A loss with a jolt is caught anywhere.
EDGE_S = 1.0
#: Events closer than this are one loss, s.
MERGE_S = 1.0
#: The swing before a touchdown is looked for this far around its jolt, s.
SWING_BEFORE_S, SWING_AFTER_S = 0.8, 0.6


@dataclass(frozen=True)
class BalanceLoss:
    """One loss of balance: when (device time, s), what kind, how big."""

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


def jolt_envelope(acc_g: np.ndarray, rate_hz: float) -> np.ndarray:
    """Band-passed (10-40 Hz) acceleration magnitude, with a 50 ms running maximum, g."""
    high = min(JOLT_BAND_HZ[1], 0.42 * rate_hz)
    if high <= JOLT_BAND_HZ[0] or len(acc_g) < 30:
        return np.zeros(len(acc_g))
    sos = butter(2, (JOLT_BAND_HZ[0], high), "bandpass", rate_hz)
    burst = np.linalg.norm(sosfiltfilt(sos, acc_g), axis=1)
    size = max(1, round(0.05 * rate_hz))
    return running_max(burst, size)


def excursion(ap_deg: np.ndarray, ml_deg: np.ndarray, rate_hz: float) -> tuple[np.ndarray, float]:
    """2-D distance of the tilt from its 4 s running median, and its threshold, deg."""
    size = max(3, round(MEDIAN_WINDOW_S * rate_hz) | 1)
    d_ap = ap_deg - running_median(ap_deg, size)
    d_ml = ml_deg - running_median(ml_deg, size)
    # Robust per-axis sway (median absolute deviation), so the losses themselves
    # do not raise the bar they are judged by.
    sigma = 1.4826 * np.hypot(np.median(np.abs(d_ap)), np.median(np.abs(d_ml)))
    return np.hypot(d_ap, d_ml), max(EXCURSION_MIN_DEG, EXCURSION_SWAY_MULTIPLE * sigma)


def _peaks(x: np.ndarray, threshold: float, separation: int) -> list[int]:
    """Indices of the highest sample of each run above ``threshold``; runs closer than
    ``separation`` samples are one run."""
    above = np.flatnonzero(x > threshold)
    if above.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(above) > separation)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [above.size - 1]))
    return [
        int(above[a] + np.argmax(x[above[a] : above[b] + 1]))
        for a, b in zip(starts, ends, strict=True)
    ]


def balance_losses(
    t_s: np.ndarray,
    ap_deg: np.ndarray,
    ml_deg: np.ndarray,
    acc_g: np.ndarray,
    rate_hz: float,
) -> list[BalanceLoss]:
    """Losses of balance in a single-leg stance span, on a uniform grid at ``rate_hz``.

    Args:
        t_s: times of the grid, s.
        ap_deg, ml_deg: shank tilt, deg.
        acc_g: specific force (any axes), g.
    """
    separation = round(MERGE_S * rate_hz)
    envelope = jolt_envelope(acc_g, rate_hz)
    jolts = _peaks(envelope, JOLT_MIN_G, separation)
    distance, threshold = excursion(ap_deg, ml_deg, rate_hz)
    swings = _peaks(distance, threshold, separation)

    losses = []
    for j in jolts:
        window = (t_s >= t_s[j] - SWING_BEFORE_S) & (t_s <= t_s[j] + SWING_AFTER_S)
        kind = "step" if envelope[j] >= STEP_MIN_G else "touchdown"
        losses.append(
            BalanceLoss(float(t_s[j]), kind, float(distance[window].max()), float(envelope[j]))
        )
    for s in swings:
        near_jolt = any(abs(t_s[j] - t_s[s]) < MERGE_S for j in jolts)
        near_edge = t_s[s] - t_s[0] < EDGE_S or t_s[-1] - t_s[s] < EDGE_S
        if not near_jolt and not near_edge:
            losses.append(
                BalanceLoss(float(t_s[s]), "excursion", float(distance[s]), float(envelope[s]))
            )
    return sorted(losses, key=lambda loss: loss.t_s)


def time_held(start_s: float, end_s: float, losses: list[BalanceLoss]) -> float:
    """Time from the start of the span to the first loss of balance (or the span's end), s."""
    return float((losses[0].t_s if losses else end_s) - start_s)
