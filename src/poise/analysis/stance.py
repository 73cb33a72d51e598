"""Single-leg stance: sway of the shank, losses of balance, time held."""

from __future__ import annotations

from typing import Any

from poise.analysis.prepare import Prepared
from poise.metrics.balance_loss import balance_losses, time_held
from poise.metrics.sway import sway_metrics


def analyze_stance(p: Prepared) -> dict[str, Any]:
    """Sway metrics over the whole span, every loss of balance, and the time held.

    Time held counts from the start of the span or, when the span starts inside
    the reference still period (the athlete on both feet), from that period's end.
    """
    ap, ml = p.tilt_deg[:, 0], p.tilt_deg[:, 1]
    sway = sway_metrics(ap, ml, p.rate_hz)
    losses = balance_losses(p.t_s, ap, ml, p.acc_g, p.rate_hz)
    return {
        **{k: round(v, 4) for k, v in sway.to_dict().items()},
        "touchdowns": [loss.to_dict() for loss in losses],
        "losses_of_balance": len(losses),
        "time_held_s": round(time_held(_held_from(p), p.span_s[1], losses), 3),
    }


def _held_from(p: Prepared) -> float:
    start = p.span_s[0]
    if p.calibration.found and p.calibration.reference_t_s is not None:
        ref_start, ref_end = p.calibration.reference_t_s
        if ref_start <= start < ref_end:
            return min(ref_end, p.span_s[1])
    return start
