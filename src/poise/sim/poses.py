"""Scenario: the sensor laid still in turn on each face of a box, for accelerometer calibration.

The sensor (in its case, off the body) is turned by hand from one pose to the
next and left still for a few seconds on each: the six faces (every axis up,
then down), then two tilted poses. The hand's turns take 2 s; the resting
poses carry only a hand's tremor-free stillness (the table). Its
imperfections come from the same seed stream as every other scenario's, so
``poses`` and ``lunge`` with one seed and chip are one sensor unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poise.checks import check_number
from poise.sim.episode import Episode, EpisodeBuilder

# (ap, ml) in deg with R = Ry(ap) Rx(ml): which sensor axis ends up pointing up.
FACES = {
    "+z": (0.0, 0.0),
    "+x": (-90.0, 0.0),
    "-z": (0.0, 180.0),
    "-x": (90.0, 0.0),
    "+y": (0.0, 90.0),
    "-y": (0.0, -90.0),
    "tilt-1": (35.0, 30.0),
    "tilt-2": (-30.0, -40.0),
}


@dataclass(frozen=True)
class PosesParams:
    """Still poses for accelerometer calibration.

    Args:
        hold_s: how long each pose is held still, s.
        turn_s: how long each turn from pose to pose takes, s.
    """

    hold_s: float = 4.0
    turn_s: float = 2.0

    def __post_init__(self) -> None:
        check_number("hold_s", self.hold_s, 2.0, 60.0)
        check_number("turn_s", self.turn_s, 0.5, 10.0)


def build(params: PosesParams, rate_hz: float, rng: np.random.Generator) -> Episode:
    """The motion and truth of a pose sequence."""
    total = len(FACES) * (params.hold_s + params.turn_s) + params.hold_s
    b = EpisodeBuilder(total, rate_hz, rng)
    t = 0.0
    for name, (ap, ml) in FACES.items():
        if t > 0:
            b.ap_deg.move(t, params.turn_s, ap)
            b.ml_deg.move(t, params.turn_s, ml)
            b.yaw_deg.move(t, params.turn_s, float(rng.uniform(-30, 30)))
            t += params.turn_s
        b.window("poses", t + 0.2, t + params.hold_s - 0.2)
        b.event("pose", t, face=name, end_t_s=t + params.hold_s)
        t += params.hold_s
    b.window("reference", 0.0, params.hold_s)
    return b.episode("unknown", np.zeros(3), summary_window="poses", facts={"faces": list(FACES)})
