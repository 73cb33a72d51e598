"""Scenario: the functional calibration's movement, a still stand then forward knee bends.

The athlete stands still on both feet (the reference), then, as prompted,
bends the knee forward and straightens it again, twice: the foot stays flat,
so the shank turns about the ankle in the sagittal plane, 15-30 deg forward
each time, with a little sideways wander (up to 2 deg) as real bends have.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poise.checks import check_choice, check_count, check_number
from poise.sim.episode import Episode, EpisodeBuilder
from poise.sim.lunge import STANDING_LEAN_DEG
from poise.sim.stance import ANKLE_HEIGHT_M, shin_lever
from poise.sim.timeline import Track

BEND_S, BACK_S, PAUSE_S = 0.9, 0.9, 0.6


@dataclass(frozen=True)
class KneeBendsParams:
    """A still stand, then forward knee bends (the functional calibration).

    Args:
        leg: the leg the sensor is on.
        bends: how many bends.
        reference_s: still standing first, s.
    """

    leg: str = "right"
    bends: int = 2
    reference_s: float = 3.0

    def __post_init__(self) -> None:
        check_choice("leg", self.leg, ("left", "right"))
        check_count("bends", self.bends, 1, 10)
        check_number("reference_s", self.reference_s, 2.5, 60.0)


def build(params: KneeBendsParams, rate_hz: float, rng: np.random.Generator) -> Episode:
    """The motion and truth of a still stand and the knee bends after it."""
    total_s = params.reference_s + params.bends * (BEND_S + BACK_S + PAUSE_S) + 1.0
    b = EpisodeBuilder(total_s, rate_hz, rng)
    stand_ap, stand_ml = b.stand(*STANDING_LEAN_DEG)
    b.pivot_m[:, 2] = ANKLE_HEIGHT_M
    b.sway_level = Track(b.t_s, 0.2)
    b.window("reference", 0.0, params.reference_s)
    t = params.reference_s
    for i in range(params.bends):
        depth = float(rng.uniform(15.0, 30.0))
        wander = float(rng.uniform(-2.0, 2.0))
        b.ap_deg.move(t, BEND_S, stand_ap + depth)
        b.ml_deg.move(t, BEND_S, stand_ml + wander)
        b.event("bend", t, depth_deg=round(depth, 3), number=i + 1)
        b.ap_deg.move(t + BEND_S, BACK_S, stand_ap)
        b.ml_deg.move(t + BEND_S, BACK_S, stand_ml)
        t += BEND_S + BACK_S + PAUSE_S
    b.window("bends", params.reference_s, t)
    b.add_sway(0.25, 0.2, 0.2)
    return b.episode(f"{params.leg}_shank", shin_lever(rng), summary_window="bends")
