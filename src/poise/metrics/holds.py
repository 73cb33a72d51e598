"""Held positions: the end positions of lunges and hip rotations, and board balance figures.

A **hold** is a stretch of at least ``MIN_HOLD_S`` in which the segment is
both far from its reference posture (an angle beyond ``threshold``) and nearly
still (2-D angular rate, low-passed at 2 Hz, under ``STILL_DPS``); a break of
less than ``BRIDGE_S`` does not end it. Its value
is the mean angle over the hold without its first and last ``TRIM_S`` (the
settling in and the first move out).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from poise.metrics.signals import lowpass

MIN_HOLD_S = 1.0
STILL_DPS = 5.0
TRIM_S = 0.2
#: A hold broken for less than this (a twitch of the held leg) is one hold, s.
BRIDGE_S = 0.3


@dataclass(frozen=True)
class Hold:
    """A held position: its span (device time, s), mean and extreme angle, deg, and the
    index range ``core`` (start, stop) of the samples averaged, to average another
    signal over the same samples."""

    start_t_s: float
    end_t_s: float
    mean_deg: float
    peak_deg: float
    core: tuple[int, int]

    def to_dict(self, name: str = "angle_deg") -> dict:
        return {
            "t_s": round(self.start_t_s, 3),
            "end_t_s": round(self.end_t_s, 3),
            name: round(self.mean_deg, 3),
            "peak_" + name: round(self.peak_deg, 3),
        }


def holds(
    t_s: np.ndarray,
    angle_deg: np.ndarray,
    rate_dps: np.ndarray,
    rate_hz: float,
    threshold_deg: float,
) -> list[Hold]:
    """Holds of a signed angle beyond ``threshold_deg`` (its sign says which side).

    Args:
        angle_deg: the angle judged (inclination, or ML tilt for the hip).
        rate_dps: (n, 2) or (n, 3) angular rate, deg/s (its 2-D magnitude of the
            first two columns is used).
    """
    speed = lowpass(np.hypot(rate_dps[:, 0], rate_dps[:, 1]), rate_hz, 2.0)
    beyond = angle_deg >= threshold_deg if threshold_deg >= 0 else angle_deg <= threshold_deg
    held = _bridged(beyond & (speed < STILL_DPS), round(BRIDGE_S * rate_hz)) & beyond
    trim = round(TRIM_S * rate_hz)
    found = []
    for a, b in _runs(held):
        if (b - a) / rate_hz < MIN_HOLD_S:
            continue
        core = angle_deg[a + trim : b - trim]
        extreme = float(core.max() if threshold_deg >= 0 else core.min())
        found.append(
            Hold(
                float(t_s[a]),
                float(t_s[b - 1]),
                float(core.mean()),
                extreme,
                (int(a + trim), int(b - trim)),
            )
        )
    return found


@dataclass(frozen=True)
class BoardBalance:
    """Balance on a wobble or rocker board (deg, s, count)."""

    ap_rms_deg: float
    ml_rms_deg: float
    forward_deg: float
    back_deg: float
    left_deg: float
    right_deg: float
    time_in_zone_s: float
    time_in_zone_pct: float
    edge_touches: list[dict]

    def to_dict(self) -> dict:
        out = {k: round(v, 3) if isinstance(v, float) else v for k, v in self.__dict__.items()}
        out["edge_touch_count"] = len(self.edge_touches)
        return out


def board_balance(
    t_s: np.ndarray,
    ap_deg: np.ndarray,
    ml_deg: np.ndarray,
    rate_hz: float,
    max_tilt_deg: float,
    zone_deg: float,
) -> BoardBalance:
    """Board tilt figures: RMS about the mean per axis, range in each direction, time
    with inclination inside ``zone_deg``, and edge touches (inclination within 1.5 deg
    of ``max_tilt_deg``; touches closer than 0.5 s are one)."""
    inclination = np.hypot(ap_deg, ml_deg)  # small-angle: enough for the zone and the edge
    inside = inclination <= zone_deg
    touching = inclination >= max_tilt_deg - 1.5
    touches: list[dict] = []
    gap = round(0.5 * rate_hz)
    for a, b in _runs(touching):
        if touches and a - touches[-1]["_end"] < gap:
            touches[-1]["_end"] = b
            continue
        peak = a + int(np.argmax(inclination[a:b]))
        angle = np.degrees(np.arctan2(ml_deg[peak], ap_deg[peak]))
        direction = ("forward", "right", "back", "left")[int(((angle + 45) % 360) // 90)]
        touches.append({"t_s": round(float(t_s[peak]), 3), "direction": direction, "_end": b})
    for touch in touches:
        del touch["_end"]
    return BoardBalance(
        ap_rms_deg=float(np.std(ap_deg)),
        ml_rms_deg=float(np.std(ml_deg)),
        forward_deg=float(max(ap_deg.max(), 0.0)),
        back_deg=float(max(-ap_deg.min(), 0.0)),
        left_deg=float(max(-ml_deg.min(), 0.0)),
        right_deg=float(max(ml_deg.max(), 0.0)),
        time_in_zone_s=float(np.count_nonzero(inside) / rate_hz),
        time_in_zone_pct=float(100.0 * np.mean(inside)),
        edge_touches=touches,
    )


def _bridged(mask: np.ndarray, gap: int) -> np.ndarray:
    """``mask`` with every run of False shorter than ``gap`` between two runs of True set."""
    out = mask.copy()
    runs = _runs(mask)
    for (_, stop), (start, _) in itertools.pairwise(runs):
        if start - stop < gap:
            out[stop:start] = True
    return out


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index pairs of the runs of True in ``mask``, stop exclusive."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))
