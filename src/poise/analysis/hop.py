"""Hops: every flight and landing, with stabilisation, contact times and the side-hop count."""

from __future__ import annotations

from typing import Any

import numpy as np

from poise.analysis.prepare import Prepared
from poise.chips import known_chip
from poise.metrics.landing import hop_count, hops, with_stabilisation
from poise.metrics.sway import rms_2d
from poise.motion.lever_arm import pivot_specific_force

#: The single-leg baseline for time to stabilisation: this span before the first take-off, s
#: (it ends before the countermovement begins).
BASELINE_S = (3.6, 0.6)
SIDE_HOP_TEST_S = 30.0


def analyze_hops(p: Prepared, lever_m: np.ndarray) -> dict[str, Any]:
    """Every hop in the span (see :mod:`poise.metrics.landing`).

    On a shank the ankle's vertical specific force is used (the shank's own
    rotation taken out with the lever arm ``lever_m``), which is quiet in flight;
    elsewhere, the sensor's own.
    """
    on_shank = p.placement.endswith("_shank") and bool(np.any(lever_m))
    acc = (
        pivot_specific_force(p.t_s, p.acc_g, p.gyr_dps, lever_m, p.rate_hz) if on_shank else p.acc_g
    )
    vertical = np.sum(p.up * acc, axis=1)
    spec = known_chip(p.recording.meta.sensor_model)
    delay_s = spec.lpf_delay_s(p.rate_hz) if spec is not None else 0.0
    found = hops(
        p.t_s,
        vertical,
        p.rate_hz,
        peak_t_s=p.raw_t_s,
        peak_acc_g=p.raw_acc_norm_g,
        full_scale_g=p.recording.meta.acc_range_g,
        soft_landings=on_shank,
        lowpass_delay_s=delay_s,
    )
    # The single-leg stance before the first hop is the baseline; only a shank's tilt has one.
    shank = p.placement.endswith("_shank")
    baseline = _baseline_rms(p, found[0].takeoff_t_s) if found and shank else None
    found = with_stabilisation(found, p.t_s, p.tilt_deg, p.rate_hz, baseline)
    out: dict[str, Any] = {
        "landings": [h.to_dict() for h in found],
        "hop_count": len(found),
        "baseline_sway_rms_deg": None if baseline is None else round(baseline, 4),
    }
    if found:
        out["side_hop_count_30s"] = hop_count(found, found[0].takeoff_t_s, SIDE_HOP_TEST_S)
        rebounds = [h for h in found if h.contact_s is not None]
        if rebounds:
            out["mean_contact_s"] = round(float(np.mean([h.contact_s for h in rebounds])), 4)
            out["mean_rsi"] = round(float(np.mean([h.rsi for h in rebounds])), 3)
    return out


def _baseline_rms(p: Prepared, first_takeoff_s: float) -> float | None:
    """2-D sway RMS of the single-leg stance before the first take-off, if the span holds it."""
    before, margin = BASELINE_S
    inside = (p.t_s >= first_takeoff_s - before) & (p.t_s <= first_takeoff_s - margin)
    if np.count_nonzero(inside) < p.rate_hz:  # under a second of baseline: none
        return None
    return rms_2d(p.tilt_deg[inside, 0], p.tilt_deg[inside, 1])
