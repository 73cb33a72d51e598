"""Scenario: seated hip rotation with the shank as a pointer, sensor on the front of the shin.

The athlete sits on a high table, thigh supported, knee bent to 90 deg, shank
hanging. Turning the hip in (internal rotation) swings the foot outwards and
the shank leans, in the frontal plane, the other way at the top; turning it out
(external rotation) swings the foot inwards. The shank's ML tilt is the hip's
rotation angle (the goniometer method with the tibia as the arm).

After a still reference (shank hanging), each repetition rotates in to the
athlete's internal-rotation maximum, holds 2 s, returns, rests, then rotates out
to the external-rotation maximum, holds and returns. The shank turns about the
knee; the sensor sits 20 cm below it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poise.checks import check_choice, check_count, check_number
from poise.sim.episode import Episode, EpisodeBuilder
from poise.sim.timeline import Track

HOLD_S = 2.0
KNEE_HEIGHT_M = 0.55  # seated on a table


@dataclass(frozen=True)
class HipParams:
    """Seated hip rotation range.

    Args:
        leg: the tested leg (the sensor is on it).
        reps: number of in-and-out repetitions.
        internal_deg, external_deg: the athlete's maximal rotations; drawn
            (25-45 and 30-50 deg) when None.
        reference_s: still sitting first, s.
    """

    leg: str = "right"
    reps: int = 3
    internal_deg: float | None = None
    external_deg: float | None = None
    reference_s: float = 3.0

    def __post_init__(self) -> None:
        check_choice("leg", self.leg, ("left", "right"))
        check_count("reps", self.reps, 1, 10)
        for name in ("internal_deg", "external_deg"):
            if getattr(self, name) is not None:
                check_number(name, getattr(self, name), 5.0, 70.0)
        check_number("reference_s", self.reference_s, 2.5, 60.0)


def build(params: HipParams, rate_hz: float, rng: np.random.Generator) -> Episode:
    """The motion and truth of seated hip rotation repetitions."""
    internal = params.internal_deg or float(rng.uniform(25.0, 45.0))
    external = params.external_deg or float(rng.uniform(30.0, 50.0))
    # ML is + when the top of the shank leans right. The foot swings out (laterally)
    # in internal rotation: on the right leg the top then leans left (ML < 0).
    inward_sign = -1.0 if params.leg == "right" else 1.0
    turn_s, back_s, rest_s = 1.2, 1.0, 1.0
    rep_s = 2 * (turn_s + HOLD_S + back_s + rest_s)
    b = EpisodeBuilder(params.reference_s + 1.0 + params.reps * rep_s + 1.0, rate_hz, rng)
    b.stand(-1.0, 1.0, 1.0)  # the hanging shank is within a degree of vertical
    stand_ml = b.ml_deg.value
    b.sway_level = Track(b.t_s, 0.05)
    b.pivot_m[:, 2] = KNEE_HEIGHT_M
    b.window("reference", 0.0, params.reference_s)
    t = params.reference_s + 1.0
    for i in range(params.reps):
        for kind, size, sign in (
            ("internal", internal, inward_sign),
            ("external", external, -inward_sign),
        ):
            reached = size - abs(float(rng.normal(0.0, 1.0)))
            b.ml_deg.move(t, turn_s, stand_ml + sign * reached)
            hold = (t + turn_s, t + turn_s + HOLD_S)
            b.window("holds", *hold)
            b.event(
                f"{kind}_rotation",
                hold[0],
                end_t_s=hold[1],
                target_deg=round(reached, 4),
                number=i + 1,
            )
            b.ml_deg.move(hold[1], back_s, stand_ml)
            t = hold[1] + back_s + rest_s
    b.add_sway(0.2, 0.2, 0.2)
    lever = np.array([rng.uniform(0.03, 0.05), 0.0, -rng.uniform(0.15, 0.25)])  # below the knee
    return b.episode(
        f"{params.leg}_shank",
        lever,
        summary_window="holds",
        facts={"internal_deg": internal, "external_deg": external},
    )
