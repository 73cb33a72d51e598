"""Ranges: weight-bearing lunge, seated hip rotation, and wobble-board balance."""

from __future__ import annotations

from typing import Any

import numpy as np

from poise.analysis.prepare import Prepared
from poise.errors import PoiseError
from poise.metrics.holds import board_balance, holds

#: A lunge's end position is a hold at least this far from standing, deg.
LUNGE_THRESHOLD_DEG = 10.0
#: A hip rotation's end position is a hold at least this far from the hanging shank, deg.
HIP_THRESHOLD_DEG = 10.0


def analyze_lunge(p: Prepared) -> dict[str, Any]:
    """Inclination at each repetition's held end position; best and mean."""
    reps = holds(p.t_s, p.inclination_deg, p.gyr_dps, p.rate_hz, LUNGE_THRESHOLD_DEG)
    values = [rep.mean_deg for rep in reps]
    return {
        "reps": [rep.to_dict("inclination_deg") for rep in reps],
        "max_inclination_deg": round(max(values), 3) if values else None,
        "mean_inclination_deg": round(float(np.mean(values)), 3) if values else None,
    }


def analyze_hip(p: Prepared) -> dict[str, Any]:
    """Internal and external rotation of the hip, the shank hanging from a bent knee.

    The foot swings out in internal rotation; on the right leg the shank's top
    then leans left (ML < 0), on the left leg right.
    """
    if p.placement not in ("left_shank", "right_shank"):
        where = p.recording.path or "recording"
        if p.placement == "unknown":
            raise PoiseError(
                f"{where}: hip rotation needs to know the leg; give --placement "
                "left_shank or right_shank"
            )
        raise PoiseError(
            f"{where}: recorded on the {p.placement}; hip rotation needs a sensor on a shank"
        )
    inward = -1.0 if p.placement == "right_shank" else 1.0
    ml = p.tilt_deg[:, 1]
    found = {
        "internal": holds(p.t_s, ml, p.gyr_dps, p.rate_hz, inward * HIP_THRESHOLD_DEG),
        "external": holds(p.t_s, ml, p.gyr_dps, p.rate_hz, -inward * HIP_THRESHOLD_DEG),
    }
    out: dict[str, Any] = {}
    for kind, reps in found.items():
        angles = [abs(rep.mean_deg) for rep in reps]
        out[f"{kind}_reps"] = [
            {
                "t_s": round(r.start_t_s, 3),
                "end_t_s": round(r.end_t_s, 3),
                "rotation_deg": round(a, 3),
            }
            for r, a in zip(reps, angles, strict=True)
        ]
        out[f"{kind}_rotation_deg"] = round(max(angles), 3) if angles else None
    return out


def analyze_board(p: Prepared, max_tilt_deg: float, zone_deg: float) -> dict[str, Any]:
    """Board balance: tilt RMS and range per direction, time in the target zone, edge touches."""
    ap, ml = p.tilt_deg[:, 0], p.tilt_deg[:, 1]
    return board_balance(p.t_s, ap, ml, p.rate_hz, max_tilt_deg, zone_deg).to_dict()
