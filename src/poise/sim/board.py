"""Scenario: balancing on a wobble board, sensor fixed to the board.

The board (frame x forward, y left, z up) rests on a dome of 0.25 m radius of
curvature that rolls on the floor, so the dome's centre moves by ``r * tilt``
as the board tilts. After it is held level for the reference period, the
athlete balances: the tilt wanders (3.5 deg AP, 3 deg ML RMS, softly kept off
the edge), and now and then the edge touches the floor at the board's
maximum tilt, with a small bounce. A rocker board (``axis="ap"`` or ``"ml"``)
tilts about one axis only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poise.checks import check_choice, check_count, check_number
from poise.sim.episode import Episode, EpisodeBuilder
from poise.sim.stance import MAX_DURATION_S
from poise.sim.timeline import Track

DOME_RADIUS_M = 0.25
DECK_HEIGHT_M = 0.07
SENSOR_ON_DECK_M = 0.1  # the sensor sits anywhere within 10 cm of the deck centre (x and y)
SWAY_DEG = (3.5, 3.0)
EDGE_RATE_PER_30S = 2.0
DIRECTIONS = {"forward": 0.0, "left": -np.pi / 2, "back": np.pi, "right": np.pi / 2}


@dataclass(frozen=True)
class BoardParams:
    """Wobble or rocker board balance trial.

    Args:
        duration_s: length of the balance trial, s.
        max_tilt_deg: tilt at which the board's edge touches the floor.
        axis: ``both`` (wobble board), ``ap`` or ``ml`` (rocker board).
        edge_touches: number of edge touches; None draws it (2 per 30 s on average).
        reference_s: board held level first, s.
    """

    duration_s: float = 30.0
    max_tilt_deg: float = 15.0
    axis: str = "both"
    edge_touches: int | None = None
    reference_s: float = 3.0

    def __post_init__(self) -> None:
        check_choice("axis", self.axis, ("both", "ap", "ml"))
        check_number("max_tilt_deg", self.max_tilt_deg, 5.0, 30.0)
        check_number("duration_s", self.duration_s, 10.0, MAX_DURATION_S)
        if self.edge_touches is not None:
            check_count("edge_touches", self.edge_touches, 0, 100)
        check_number("reference_s", self.reference_s, 2.5, 60.0)


def build(params: BoardParams, rate_hz: float, rng: np.random.Generator) -> Episode:
    """The motion and truth of a board balance trial."""
    start = params.reference_s + 1.0
    end = start + params.duration_s
    b = EpisodeBuilder(end + 2.0, rate_hz, rng)
    # The board held "level" under the athlete's feet is level to within a degree;
    # balancing then wanders about true level.
    b.stand(-1.0, 1.0, 1.0)
    b.ap_deg.move(params.reference_s, 1.0, 0.0)
    b.ml_deg.move(params.reference_s, 1.0, 0.0)
    b.window("reference", 0.0, params.reference_s)
    b.window("trial", start, end)
    # Propped level for the reference (or steadied by the athlete's hands), the board
    # barely moves: 0.01 of the balancing sway. At 0.03 its 1.5-4 Hz part alone kept
    # some boards from ever looking still, and calibration failed.
    b.sway_level = Track(b.t_s, 0.01)
    b.sway_level.move(params.reference_s, 1.0, 1.0)
    b.sway_level.move(end, 1.0, 0.01)
    b.add_sway(*SWAY_DEG, 0.0)
    # Keep wandering tilt off the edge: soft-limit its size to 3 deg under the maximum.
    ap, ml = b.ap_deg.values, b.ml_deg.values
    size = np.hypot(ap, ml)
    limit = params.max_tilt_deg - 3.0
    scale = np.where(size > 0, limit * np.tanh(size / limit) / np.maximum(size, 1e-12), 1.0)
    ap *= scale
    ml *= scale

    count = params.edge_touches
    if count is None:
        count = int(rng.poisson(EDGE_RATE_PER_30S * params.duration_s / 30.0))
    count = min(count, int((params.duration_s - 4.0) // 4.0))
    slack = params.duration_s - 4.0 - 4.0 * max(count - 1, 0)
    times = np.sort(rng.uniform(0, slack, count)) + start + 2.0 + 4.0 * np.arange(count)
    allowed = {"both": list(DIRECTIONS), "ap": ["forward", "back"], "ml": ["left", "right"]}
    for t_touch in times:
        name = str(rng.choice(allowed[params.axis]))
        _edge_touch(b, float(t_touch), DIRECTIONS[name], params.max_tilt_deg)
        b.event("edge_touch", float(t_touch), direction=name)

    if params.axis == "ap":
        b.ml_deg.values[:] = 0.0
    elif params.axis == "ml":
        b.ap_deg.values[:] = 0.0
    tilt_ap = np.radians(b.ap_deg.values)
    tilt_ml = np.radians(b.ml_deg.values)
    b.pivot_m[:, 0] = DOME_RADIUS_M * tilt_ap
    b.pivot_m[:, 1] = -DOME_RADIUS_M * tilt_ml
    b.pivot_m[:, 2] = DOME_RADIUS_M
    on_deck = rng.uniform(-SENSOR_ON_DECK_M, SENSOR_ON_DECK_M, 2)
    lever = np.array([*on_deck, DECK_HEIGHT_M - DOME_RADIUS_M])
    return b.episode(
        "board", lever, summary_window="trial", facts={"max_tilt_deg": params.max_tilt_deg}
    )


def _edge_touch(b: EpisodeBuilder, t_touch: float, direction: float, max_tilt: float) -> None:
    """Tilt to the edge by ``t_touch``, bounce, rest on it briefly, come back.

    The tilt is blended from its wandering towards the edge position
    (``max_tilt`` in the touch direction) with a minimum-jerk weight, so while
    the edge rests on the floor the board is exactly there, whatever the
    wandering was doing.
    """
    u = np.array([np.cos(direction), np.sin(direction)])  # (AP, ML) of the edge direction
    reach, rest, back = 0.35, 0.3, 0.5
    weight = Track(b.t_s)
    weight.move(t_touch - reach, reach, 1.0).move(t_touch + rest, back, 0.0)
    s = weight.values
    tau = b.t_s - t_touch
    # The bounce: the board rebounds off the floor by a fraction of a degree at 12 Hz.
    after = np.maximum(tau, 0.0)  # before the touch exp(-tau) would overflow, and is unused
    bounce = np.where(
        tau > 0, 0.4 * np.exp(-after / 0.05) * np.abs(np.sin(2 * np.pi * 12 * tau)), 0.0
    )
    for track, k in ((b.ap_deg, 0), (b.ml_deg, 1)):
        edge = u[k] * (max_tilt - bounce)
        track.values[:] = (1.0 - s) * track.values + s * edge
