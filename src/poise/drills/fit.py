"""Drill fit: the ``drill_mismatch`` warnings a drill gives data that do not look like it.

Each drill's :attr:`~poise.drills.drill.Drill.check` tests its own
signatures (docs/metrics.md, "Drill fit"); what they share is here: the gait
rhythm none of them has (:func:`poise.metrics.fit.gait_rhythm`), the mean tilt
over a hold, and the warning itself, always ``invalid``: figures of one drill
computed on another's data are not that drill's figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from poise.metrics.fit import gait_rhythm, longest_flight_s
from poise.validity import ResultWarning

if TYPE_CHECKING:
    from poise.analysis import Span


def mismatch(drill: str, why: str) -> ResultWarning:
    """The ``invalid`` warning that the data do not look like ``drill``, and why."""
    return ResultWarning("drill_mismatch", f"this does not look like {drill}: {why}", "invalid")


#: A flight this long is a jump, s (the shortest hop's flight is about 0.2 s).
MIN_FLIGHT_S = 0.1


def motion_mismatch(span: Span, drill: str) -> list[ResultWarning]:
    """Mismatches for what none of the drills but the hop does: a gait rhythm (walking,
    running) or a flight (a jump)."""
    p = span.prepared
    out = []
    period = gait_rhythm(p.acc_norm_g, p.rate_hz)
    if period is not None:
        out.append(
            mismatch(drill, f"the acceleration has a gait rhythm (every {period:.2f} s): a walk")
        )
    flight = longest_flight_s(p.acc_norm_g, p.rate_hz)
    if flight >= MIN_FLIGHT_S:
        out.append(mismatch(drill, f"the sensor was in free fall for {flight:.2f} s: a jump"))
    return out


def hold_tilt_deg(span: Span, start_s: float, end_s: float) -> tuple[float, float]:
    """Mean AP and ML tilt over ``[start_s, end_s]`` of the span, deg."""
    p = span.prepared
    inside = (p.t_s >= start_s) & (p.t_s <= end_s)
    ap, ml = p.tilt_deg[inside, 0], p.tilt_deg[inside, 1]
    return float(np.mean(ap)), float(np.mean(ml))
