"""Scenario: single-leg stance, with losses of balance.

The athlete, sensor on the stance leg's shin:

1. stands quietly on both feet (the reference still period);
2. lifts the free foot: the weight moves over the stance foot (the shank tilts
   a little towards the stance side) and sway grows to its single-leg level;
3. holds single-leg stance for the trial; now and then balance is lost, in
   one of three ways:
   - touchdown (60%): the shank swings out (4-7 deg over half a second) and the
     free foot touches down, which shifts weight back towards the free side and
     jolts the sensor; after 1.5-2.5 s on both feet the free foot lifts again;
   - step (20%): after the same swing the stance foot hops 10-15 cm to a new
     place and lands there, still on one leg;
   - excursion (20%): a swing far beyond normal sway (4.5 to 5.6 times the
     condition's sway RMS, at least 8 deg) and back, without touching down;
4. puts the free foot down at the end of the trial.

Sway RMS of the shank, single-leg, eyes open on a firm floor: 0.8 deg AP and
0.7 deg ML; eyes closed multiplies it by 2.2 (a Romberg ratio typical of
single-leg stance), foam by 1.5. Losses of balance come at a rate per 30 s of
0.3 (eyes open, firm), 1.0 (open, foam), 1.5 (closed, firm) and 3.0 (closed,
foam), unless a number is asked for. These are model settings chosen to be
plausible; the accuracy tests compare with whatever was generated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poise.checks import check_choice, check_count, check_number
from poise.sim.episode import Episode, EpisodeBuilder
from poise.sim.timeline import Track, minimum_jerk

SWAY_EO_FIRM_DEG = (0.8, 0.7)  # AP, ML RMS of single-leg sway, eyes open on a firm floor
EYES_FACTOR = {"open": 1.0, "closed": 2.2}
SURFACE_FACTOR = {"firm": 1.0, "foam": 1.5}
#: What a loss of balance is, and how often each kind comes.
LOSS_KINDS = ("touchdown", "step", "excursion")
LOSS_SHARES = (0.6, 0.2, 0.2)
LOSS_RATE_PER_30S = {
    ("open", "firm"): 0.3,
    ("open", "foam"): 1.0,
    ("closed", "firm"): 1.5,
    ("closed", "foam"): 3.0,
}
QUIET_LEVEL = 0.1  # two-legged quiet standing sways a tenth as much as single-leg (eyes open, firm)
YAW_SWAY_DEG = 0.3
ANKLE_HEIGHT_M = 0.08
#: Longest trial the simulator makes, s (memory grows with it: ~1 GB at 15 min).
MAX_DURATION_S = 900.0
#: Quiet two-legged standing: the shank leans 0-4 deg forward, up to 1.5 deg sideways.
STANDING_SHANK_DEG = (0.0, 4.0, 1.5)


def shin_lever(rng: np.random.Generator) -> np.ndarray:
    """Where the strap put the sensor: the front of the shin, 18-32 cm above the ankle.

    Drawn per simulation so that Poise's assumed lever arm (25 cm) is never exactly right.
    """
    return np.array([rng.uniform(0.03, 0.06), rng.uniform(-0.01, 0.01), rng.uniform(0.18, 0.32)])


@dataclass(frozen=True)
class StanceParams:
    """Single-leg stance trial.

    Args:
        leg: the stance leg, ``left`` or ``right`` (the sensor is on it).
        eyes: ``open`` or ``closed``.
        surface: ``firm`` or ``foam``.
        duration_s: length of the single-leg trial, s.
        reference_s: quiet two-legged standing before it, s.
        losses: number of losses of balance; None draws it from the condition's rate.
    """

    leg: str = "right"
    eyes: str = "open"
    surface: str = "firm"
    duration_s: float = 30.0
    reference_s: float = 3.0
    losses: int | None = None

    def __post_init__(self) -> None:
        check_choice("leg", self.leg, ("left", "right"))
        check_choice("eyes", self.eyes, tuple(EYES_FACTOR))
        check_choice("surface", self.surface, tuple(SURFACE_FACTOR))
        check_number("duration_s", self.duration_s, 5.0, MAX_DURATION_S)
        # The calibration needs 2 s of stillness inside the reference.
        check_number("reference_s", self.reference_s, 2.5, 60.0)
        if self.losses is not None:
            check_count("losses", self.losses, 0, 100)


def build(params: StanceParams, rate_hz: float, rng: np.random.Generator) -> Episode:
    """The motion and truth of one single-leg stance trial."""
    factor = EYES_FACTOR[params.eyes] * SURFACE_FACTOR[params.surface]
    sway_ap, sway_ml = (x * factor for x in SWAY_EO_FIRM_DEG)
    # Weight over the stance foot tilts its shank towards the stance side:
    # ML is positive to the athlete's right.
    side = 1.0 if params.leg == "right" else -1.0
    lift_shift_deg = 1.5 * side

    lift_s = 0.8
    trial_start = params.reference_s + lift_s
    trial_end = trial_start + params.duration_s
    total_s = trial_end + 3.0
    b = EpisodeBuilder(total_s, rate_hz, rng)
    b.stand(*STANDING_SHANK_DEG)
    lever = shin_lever(rng)
    # Quiet standing is the same whatever the trial's condition: the athlete
    # calibrates on two feet, eyes open, before the condition begins.
    quiet = QUIET_LEVEL / factor
    b.pivot_m[:, 2] = ANKLE_HEIGHT_M
    b.sway_level = Track(b.t_s, quiet)
    b.window("reference", 0.0, params.reference_s)
    b.window("trial", trial_start, trial_end)

    # Lift the free foot.
    b.event("lift", params.reference_s + lift_s / 2)
    b.ml_deg.move(params.reference_s, lift_s, b.ml_deg.value + lift_shift_deg)
    b.sway_level.move(params.reference_s, lift_s, 1.0)

    losses = _loss_times(params, trial_start, trial_end, rng)
    single_leg_from = trial_start
    for t_loss in losses:
        kind = str(rng.choice(LOSS_KINDS, p=LOSS_SHARES))
        direction = rng.uniform(0, 2 * np.pi)
        if kind == "excursion":
            # Far out and back without the free foot touching down.
            size = rng.uniform(1.0, 1.25) * max(8.0, 4.5 * float(np.hypot(sway_ap, sway_ml)))
            out_s, back_s = rng.uniform(0.4, 0.6), rng.uniform(0.7, 1.0)
            ex_ap, ex_ml = size * np.cos(direction), size * np.sin(direction)
            b.ap_deg.move(t_loss - out_s, out_s, b.ap_deg.value + ex_ap)
            b.ml_deg.move(t_loss - out_s, out_s, b.ml_deg.value + ex_ml)
            b.ap_deg.move(t_loss, back_s, b.ap_deg.value - ex_ap)
            b.ml_deg.move(t_loss, back_s, b.ml_deg.value - ex_ml)
            b.event("excursion", t_loss, excursion_deg=round(size, 3))
            b.window("single_leg", single_leg_from, t_loss - out_s)
            single_leg_from = t_loss + back_s
            continue
        excursion = rng.uniform(4.0, 7.0)
        ex_ap, ex_ml = excursion * np.cos(direction), excursion * np.sin(direction)
        swing_s = rng.uniform(0.4, 0.6)
        b.ap_deg.move(t_loss - swing_s, swing_s, b.ap_deg.value + ex_ap)
        b.ml_deg.move(t_loss - swing_s, swing_s, b.ml_deg.value + ex_ml)
        b.window("single_leg", single_leg_from, t_loss - swing_s)
        if kind == "step":
            # The stance foot hops to a new place (3 cm up, 10-15 cm over) and lands there.
            _step(b, t_loss, rng.uniform(0.10, 0.15), direction, rng)
            b.event("step", t_loss, excursion_deg=round(excursion, 3))
            b.ap_deg.move(t_loss, 0.6, b.ap_deg.value - ex_ap)
            b.ml_deg.move(t_loss, 0.6, b.ml_deg.value - ex_ml)
            single_leg_from = t_loss + 1.5
            continue
        # Touch down, recover on two feet, lift again.
        support_s = rng.uniform(1.5, 2.5)
        t_relift = t_loss + support_s
        b.event("touchdown", t_loss, excursion_deg=round(excursion, 3))
        b.jolt(
            t_loss,
            peak_g=rng.uniform(0.3, 0.6),
            freq_hz=18.0,
            damping=0.3,
            direction=np.array([0.3, 0.0, 1.0]),
        )
        b.ap_deg.move(t_loss, 0.6, b.ap_deg.value - ex_ap)
        b.ml_deg.move(t_loss, 0.6, b.ml_deg.value - ex_ml - 2.0 * lift_shift_deg)
        b.sway_level.move(t_loss, 0.3, 2 * quiet)
        b.ml_deg.move(t_relift, lift_s, b.ml_deg.value + 2.0 * lift_shift_deg)
        b.sway_level.move(t_relift, lift_s, 1.0)
        b.event("lift", t_relift + lift_s / 2)
        single_leg_from = t_relift + lift_s

    b.window("single_leg", single_leg_from, trial_end)
    b.event("trial_end", trial_end)
    b.ml_deg.move(trial_end, lift_s, b.ml_deg.value - lift_shift_deg)
    b.sway_level.move(trial_end, lift_s, quiet)
    b.add_sway(sway_ap, sway_ml, YAW_SWAY_DEG)
    placement = f"{params.leg}_shank"
    first_loss = losses[0] if losses else None
    return b.episode(
        placement,
        lever,
        summary_window="single_leg",
        facts={
            "sway_rms_deg": {"ap": sway_ap, "ml": sway_ml},
            "time_held_s": (first_loss - trial_start) if first_loss else params.duration_s,
        },
    )


def _step(
    b: EpisodeBuilder, t_land: float, distance_m: float, direction: float, rng: np.random.Generator
) -> None:
    """The stance foot hops over ``distance_m`` and lands at ``t_land``, with a jolt."""
    hop_s = 0.3
    i0, i1 = b.index(t_land - hop_s), b.index(t_land)
    u = (b.t_s[i0:] - (t_land - hop_s)) / hop_s
    shift = distance_m * minimum_jerk(u)
    b.pivot_m[i0:, 0] += shift * np.cos(direction)
    b.pivot_m[i0:, 1] += shift * np.sin(direction)
    b.pivot_m[i0:i1, 2] += 0.03 * np.sin(np.pi * u[: i1 - i0]) ** 2
    b.jolt(
        t_land,
        peak_g=rng.uniform(1.0, 2.0),
        freq_hz=20.0,
        damping=0.25,
        direction=np.array([0.3, 0.0, 1.0]),
    )


def _loss_times(
    params: StanceParams, start: float, end: float, rng: np.random.Generator
) -> list[float]:
    """Touchdown times, at least 6 s apart and clear of the trial's first 2 and last 5 s."""
    if params.losses is None:
        rate = LOSS_RATE_PER_30S[(params.eyes, params.surface)]
        count = int(rng.poisson(rate * params.duration_s / 30.0))
    else:
        count = params.losses
    room = (end - 5.0) - (start + 2.0)
    spacing = 6.0
    count = min(count, int(room // spacing) + 1 if room > 0 else 0)
    if count == 0:
        return []
    # Place the losses with at least `spacing` between them: draw the slack and share it out.
    slack = room - spacing * (count - 1)
    cuts = np.sort(rng.uniform(0, slack, count))
    return [float(start + 2.0 + cut + spacing * i) for i, cut in enumerate(cuts)]
