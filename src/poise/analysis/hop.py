"""Hops: every flight and landing, with stabilisation, contact times and the side-hop count."""

from __future__ import annotations

from typing import Any

import numpy as np

from poise.analysis.prepare import Prepared
from poise.chips import known_chip
from poise.metrics.landing import Hop, hop_count, hops, with_stabilisation
from poise.metrics.sway import rms_2d
from poise.motion.lever_arm import pivot_specific_force

#: The single-leg baseline for time to stabilisation: this span before the first take-off, s
#: (it ends before the countermovement begins).
BASELINE_S = (3.6, 0.6)
SIDE_HOP_TEST_S = 30.0


def analyze_hops(p: Prepared, lever_m: np.ndarray, whole: Prepared | None = None) -> dict[str, Any]:
    """Every hop in the span (see :mod:`poise.metrics.landing`).

    On a shank the ankle's vertical specific force is used (the shank's own
    rotation taken out with the lever arm ``lever_m``), which is quiet in flight;
    elsewhere, the sensor's own. The single-leg baseline for time to
    stabilisation is taken before the first hop of ``whole`` (the whole
    recording; the span itself by default), so the span chosen does not change it.
    """
    found = _hops(p, lever_m)
    shank = p.placement.endswith("_shank")
    baseline = None
    if shank and whole is not None and whole is not p:
        first = _hops(whole, lever_m)
        baseline = _baseline_rms(whole, first[0].takeoff_t_s) if first else None
    elif shank and found:
        baseline = _baseline_rms(p, found[0].takeoff_t_s)
    found = with_stabilisation(found, p.t_s, p.tilt_deg, p.rate_hz, baseline)
    rebounds = [h for h in found if h.contact_s is not None]
    out: dict[str, Any] = {
        "landings": [h.to_dict() for h in found],
        "hop_count": len(found),
        "baseline_sway_rms_deg": None if baseline is None else round(baseline, 4),
        # A count for the side-hop test: hops in series (each contact a rebound).
        "side_hop_count_30s": hop_count(found, found[0].takeoff_t_s, SIDE_HOP_TEST_S)
        if rebounds
        else None,
        "mean_contact_s": round(float(np.mean([h.contact_s for h in rebounds])), 4)
        if rebounds
        else None,
        "mean_rsi": round(float(np.mean([h.rsi for h in rebounds])), 3) if rebounds else None,
    }
    return out


def _hops(p: Prepared, lever_m: np.ndarray) -> list[Hop]:
    on_shank = p.placement.endswith("_shank") and bool(np.any(lever_m))
    acc = (
        pivot_specific_force(p.t_s, p.acc_g, p.gyr_dps, lever_m, p.rate_hz) if on_shank else p.acc_g
    )
    spec = known_chip(p.recording.meta.sensor_model)
    return hops(
        p.t_s,
        np.sum(p.up * acc, axis=1),
        p.rate_hz,
        raw_t_s=p.raw_t_s,
        raw_acc_g=p.raw_acc_g,
        full_scale_g=p.recording.meta.acc_range_g,
        soft_landings=on_shank,
        lowpass_delay_s=spec.lpf_delay_s(p.rate_hz) if spec is not None else 0.0,
    )


def _baseline_rms(p: Prepared, first_takeoff_t_s: float) -> float | None:
    """2-D sway RMS of the single-leg stance before the first take-off, if the span holds it."""
    before, margin = BASELINE_S
    inside = (p.t_s >= first_takeoff_t_s - before) & (p.t_s <= first_takeoff_t_s - margin)
    if np.count_nonzero(inside) < p.rate_hz:  # under a second of baseline: none
        return None
    return rms_2d(p.tilt_deg[inside, 0], p.tilt_deg[inside, 1])
