"""Scenario: weight-bearing lunge (knee to wall), sensor on the front of the tested shin.

After quiet standing the athlete steps into the lunge stance (the shank leans
a little forward), then for each repetition drives the knee towards the wall
until the heel is about to lift, holds that end position for 3 s, and comes
back. The foot stays flat, so the shank turns about the ankle.

End positions scatter about the athlete's maximum (1.5 deg SD), with a small
inward or outward knee drift (ML, up to +-2 deg); the hold sways a little. The
knee-straight (calf) variant reaches less far. The truth states each
repetition's hold window and its mean true inclination and AP tilt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poise.checks import check_choice, check_count, check_number
from poise.sim.episode import Episode, EpisodeBuilder
from poise.sim.stance import ANKLE_HEIGHT_M, shin_lever
from poise.sim.timeline import Track

VARIANTS = {"knee-bent": (36.0, 46.0), "knee-straight": (24.0, 32.0)}  # range of maxima, deg
START_AP_DEG = 8.0
HOLD_S = 3.0
HOLD_SWAY_DEG = (0.25, 0.2)
#: Quiet standing before the lunge: the shank leans 0-5 deg forward (AP), up to
#: 1.5 deg sideways (ML).
STANDING_LEAN_DEG = (0.0, 5.0, 1.5)


@dataclass(frozen=True)
class LungeParams:
    """Weight-bearing lunge repetitions.

    Args:
        leg: the tested leg (the sensor is on it).
        reps: number of repetitions.
        variant: ``knee-bent`` (knee to wall) or ``knee-straight`` (calf).
        max_deg: the athlete's maximum inclination; drawn from the variant's
            range when None.
        reference_s: quiet two-legged standing first, s.
        lean_deg: how far the shank leans forward from vertical in quiet standing,
            deg (0-5, as people stand); drawn in that range when None.
    """

    leg: str = "right"
    reps: int = 5
    variant: str = "knee-bent"
    max_deg: float | None = None
    reference_s: float = 3.0
    lean_deg: float | None = None

    def __post_init__(self) -> None:
        check_choice("leg", self.leg, ("left", "right"))
        check_choice("variant", self.variant, tuple(VARIANTS))
        check_count("reps", self.reps, 1, 30)
        if self.max_deg is not None:
            check_number("max_deg", self.max_deg, 5.0, 60.0)
        check_number("reference_s", self.reference_s, 2.5, 60.0)
        if self.lean_deg is not None:
            check_number("lean_deg", self.lean_deg, -10.0, 15.0)


def build(params: LungeParams, rate_hz: float, rng: np.random.Generator) -> Episode:
    """The motion and truth of a set of lunge repetitions."""
    low, high = VARIANTS[params.variant]
    maximum = params.max_deg if params.max_deg is not None else float(rng.uniform(low, high))
    step_in_s, rest_s, reach_s, back_s = 1.5, 1.5, 1.3, 1.0
    rep_s = reach_s + HOLD_S + back_s + 2.0
    total_s = params.reference_s + step_in_s + rest_s + params.reps * rep_s + step_in_s + 1.5

    b = EpisodeBuilder(total_s, rate_hz, rng)
    stand_ap, stand_ml = b.stand(*STANDING_LEAN_DEG)
    if params.lean_deg is not None:
        stand_ap = params.lean_deg
        b.ap_deg = Track(b.t_s, stand_ap)
    b.pivot_m[:, 2] = ANKLE_HEIGHT_M
    b.sway_level = Track(b.t_s, 0.3)
    b.window("reference", 0.0, params.reference_s)
    t = params.reference_s
    b.ap_deg.move(t, step_in_s, START_AP_DEG)
    b.sway_level.move(t, step_in_s, 0.5)
    t += step_in_s + rest_s
    for i in range(params.reps):
        target = float(np.clip(maximum - abs(rng.normal(0.0, 1.5)), 5.0, 60.0))
        drift = float(rng.uniform(-2.0, 2.0))
        b.ap_deg.move(t, reach_s, target)
        b.ml_deg.move(t, reach_s, stand_ml + drift)
        hold = (t + reach_s, t + reach_s + HOLD_S)
        b.sway_level.move(t + reach_s, 0.3, 1.0)
        b.sway_level.move(hold[1], 0.3, 0.5)
        b.window("holds", *hold)
        b.event("hold", hold[0], end_t_s=hold[1], target_ap_deg=round(target, 4), number=i + 1)
        b.ap_deg.move(hold[1], back_s, START_AP_DEG)
        b.ml_deg.move(hold[1], back_s, stand_ml)
        t += rep_s
    b.ap_deg.move(t, step_in_s, stand_ap)
    b.sway_level.move(t, step_in_s, 0.3)
    b.add_sway(*HOLD_SWAY_DEG, 0.2)
    return b.episode(
        f"{params.leg}_shank",
        shin_lever(rng),
        summary_window="holds",
        facts={"max_deg": maximum, "variant": params.variant},
    )
