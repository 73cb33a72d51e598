"""Scenario: single-leg hop-and-stick landings, sensor on the hopping leg's shin.

Each hop, after a quiet start and a single-leg baseline:

1. countermovement: the knee bends, the shank leans forward;
2. push-off: the ground's push (specific force of the ankle) rises to about
   3 g and falls to zero at take-off, giving the take-off velocity ``v0``;
3. flight: the ankle is ballistic (the accelerometer reads almost nothing), so
   flight time ``T = 2 v0 / g`` and height ``h = g T^2 / 8`` hold exactly;
4. landing: at contact an impact spike (20-35 ms, carrying 45-65% of the
   velocity change) and a slower absorption (60-90 ms) bring the ankle to rest; the strap
   and skin wobble at 20-25 Hz; the shank's tilt is kicked forward and settles
   as a damped oscillation about the stick posture;
5. stick: the athlete holds single-leg stance, then puts the free foot down.

The true time to stabilisation of a landing is the time from contact until
the envelope of that damped oscillation (AP and ML together) falls below the
athlete's baseline single-leg sway RMS (docs/simulator.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poise.checks import check_choice, check_count, check_number
from poise.samples import STANDARD_GRAVITY_MPS2 as G
from poise.sim.episode import Episode, EpisodeBuilder, pulse
from poise.sim.stance import (
    ANKLE_HEIGHT_M,
    QUIET_LEVEL,
    STANDING_SHANK_DEG,
    SWAY_EO_FIRM_DEG,
    YAW_SWAY_DEG,
    shin_lever,
)
from poise.sim.timeline import Track, raised_cosine

STANCE_AP_DEG = 2.0  # single-leg posture before a hop, forward of standing
STICK_AP_DEG = 8.0  # posture the landing settles to, forward of standing
AIR_AP_DEG = 5.0  # shank lean at contact, forward of standing
KICK_S = 0.03  # duration of the shank's forward kick at contact


@dataclass(frozen=True)
class HopParams:
    """Hop-and-stick trial.

    Args:
        leg: the hopping leg (the sensor is on it), ``left`` or ``right``.
        hops: number of hops.
        reference_s: quiet two-legged standing first, s.
        baseline_s: single-leg stance before the first hop, s (the TTS reference).
    """

    leg: str = "right"
    hops: int = 5
    reference_s: float = 3.0
    baseline_s: float = 4.0

    def __post_init__(self) -> None:
        check_choice("leg", self.leg, ("left", "right"))
        check_count("hops", self.hops, 1, 50)
        check_number("reference_s", self.reference_s, 2.5, 60.0)
        check_number("baseline_s", self.baseline_s, 1.0, 60.0)


@dataclass(frozen=True)
class _Hop:
    flight_s: float
    push_s: float
    forward_mps: float
    absorb_s: float
    spike_s: float
    spike_share: float
    kick_ap_dps: float
    kick_ml_dps: float
    settle_hz: float
    settle_damping: float
    jolt_g: float

    @classmethod
    def draw(cls, rng: np.random.Generator) -> _Hop:
        return cls(
            flight_s=rng.uniform(0.28, 0.45),
            push_s=rng.uniform(0.18, 0.24),
            forward_mps=rng.uniform(0.8, 1.6),
            absorb_s=rng.uniform(0.06, 0.09),
            spike_s=rng.uniform(0.02, 0.035),
            spike_share=rng.uniform(0.45, 0.65),
            kick_ap_dps=rng.uniform(40.0, 100.0),
            kick_ml_dps=rng.uniform(-30.0, 30.0),
            settle_hz=rng.uniform(1.0, 2.0),
            settle_damping=rng.uniform(0.08, 0.35),
            jolt_g=rng.uniform(2.0, 4.0),
        )


def build(params: HopParams, rate_hz: float, rng: np.random.Generator) -> Episode:
    """The motion and truth of a series of hop-and-stick landings."""
    hops = [_Hop.draw(rng) for _ in range(params.hops)]
    sway_ap, sway_ml = SWAY_EO_FIRM_DEG
    baseline_rms = float(np.hypot(sway_ap, sway_ml))
    side = 1.0 if params.leg == "right" else -1.0
    lift_shift = 1.5 * side
    lift_s = 0.8

    # Lay the hops out in time first: each hold lasts until well after it has settled.
    plan = []
    t = params.reference_s + lift_s + params.baseline_s
    for hop in hops:
        t_cm = t
        t_push = t_cm + 0.35
        t_off = t_push + hop.push_s
        t_contact = t_off + hop.flight_s
        tts = _settling_time(hop, baseline_rms)
        hold_s = max(3.0, tts + 2.0)
        plan.append((hop, t_cm, t_push, t_off, t_contact, tts))
        t = t_contact + hold_s + 2.0 + lift_s + 1.5  # stick, two feet, lift, single-leg
    total_s = t + 1.0

    b = EpisodeBuilder(total_s, rate_hz, rng)
    stand_ap, stand_ml = b.stand(*STANDING_SHANK_DEG)
    b.sway_level = Track(b.t_s, QUIET_LEVEL)
    b.window("reference", 0.0, params.reference_s)
    b.ml_deg.move(params.reference_s, lift_s, stand_ml + lift_shift)
    b.ap_deg.move(params.reference_s, lift_s, stand_ap + STANCE_AP_DEG)
    b.sway_level.move(params.reference_s, lift_s, 1.0)
    b.window(
        "baseline", params.reference_s + lift_s, params.reference_s + lift_s + params.baseline_s
    )

    acc_z = np.zeros(len(b))
    acc_x = np.zeros(len(b))
    t_s = b.t_s
    for i, (hop, t_cm, t_push, t_off, t_contact, tts) in enumerate(plan):
        v0 = G * hop.flight_s / 2
        # Countermovement, push-off, flight.
        b.ap_deg.move(t_cm, 0.35, stand_ap + STANCE_AP_DEG + 12.0)
        b.ap_deg.move(t_push, hop.push_s, stand_ap - 4.0)
        b.ap_deg.move(t_off, hop.flight_s, stand_ap + AIR_AP_DEG)
        u = (t_s - t_push) / hop.push_s
        on_push = (u >= 0) & (u <= 1)
        push_peak = 2 * v0 / hop.push_s + G
        acc_z[on_push] += G * (np.cos(np.pi * u[on_push] / 2) ** 2 - 1) + push_peak * raised_cosine(
            u[on_push]
        )
        acc_x += pulse(t_s, t_push, hop.push_s, hop.forward_mps)
        in_flight = (t_s > t_off) & (t_s < t_contact)
        acc_z[in_flight] -= G
        # Landing: spike plus absorption; the ground's push ramps back to 1 g.
        u = (t_s - t_contact) / hop.absorb_s
        on_land = (u >= 0) & (u <= 1)
        impulse = v0 + G * hop.absorb_s / 2
        acc_z[on_land] += G * (np.sin(np.pi * u[on_land] / 2) ** 2 - 1)
        acc_z += pulse(t_s, t_contact, hop.spike_s, hop.spike_share * impulse)
        acc_z += pulse(t_s, t_contact, hop.absorb_s, (1 - hop.spike_share) * impulse)
        acc_x += pulse(t_s, t_contact, hop.spike_s, -hop.spike_share * hop.forward_mps)
        acc_x += pulse(t_s, t_contact, hop.absorb_s, -(1 - hop.spike_share) * hop.forward_mps)
        b.jolt(t_contact, hop.jolt_g, rng.uniform(20.0, 25.0), 0.2, np.array([0.4, 0.0, 1.0]))
        # Settling: a damped oscillation about the stick posture, kicked at contact.
        b.ap_deg.move(t_contact, 0.0, stand_ap + STICK_AP_DEG)
        b.ap_deg.add(_settling(t_s, t_contact, hop, AIR_AP_DEG - STICK_AP_DEG, hop.kick_ap_dps))
        b.ml_deg.add(_settling(t_s, t_contact, hop, 0.0, hop.kick_ml_dps))
        b.event(
            "landing",
            t_contact,
            takeoff_t_s=t_off,
            flight_s=hop.flight_s,
            height_m=G * hop.flight_s**2 / 8,
            tts_s=tts,
            number=i + 1,
        )
        b.event("takeoff", t_off, number=i + 1)
        t_down = t_contact + max(3.0, tts + 2.0)
        b.window("stick", t_contact, t_down)
        # Free foot down, then up again for the next hop.
        b.ap_deg.move(t_down, lift_s, stand_ap)
        b.ml_deg.move(t_down, lift_s, stand_ml)
        b.sway_level.move(t_down, lift_s, QUIET_LEVEL)
        b.event("touchdown", t_down + lift_s / 2)
        t_lift = t_down + 2.0
        b.ap_deg.move(t_lift, lift_s, stand_ap + STANCE_AP_DEG)
        b.ml_deg.move(t_lift, lift_s, stand_ml + lift_shift)
        b.sway_level.move(t_lift, lift_s, 1.0)

    b.pivot_m[:, 0] = _integrate_twice(acc_x, 1.0 / rate_hz)
    b.pivot_m[:, 2] = ANKLE_HEIGHT_M + _integrate_twice(acc_z, 1.0 / rate_hz)
    b.add_sway(sway_ap, sway_ml, YAW_SWAY_DEG)
    return b.episode(
        f"{params.leg}_shank",
        shin_lever(rng),
        summary_window="baseline",
        facts={"baseline_sway_rms_deg": {"ap": sway_ap, "ml": sway_ml, "total": baseline_rms}},
    )


def _settling(
    t_s: np.ndarray, t_contact: float, hop: _Hop, d0_deg: float, kick_dps: float
) -> np.ndarray:
    """Deviation from the stick posture after contact, deg (zero before contact).

    The response of ``d'' + 2 z w d' + w^2 d = u(t)`` from ``d(0) = d0``, ``d'(0) = 0``,
    where ``u`` is a raised-cosine kick of ``KICK_S`` whose integral is ``kick_dps``.
    """
    w = 2 * np.pi * hop.settle_hz
    z = hop.settle_damping
    wd = w * np.sqrt(1 - z * z)
    out = np.zeros_like(t_s)
    i0 = int(np.searchsorted(t_s, t_contact))
    tau = t_s[i0:] - t_contact
    decay = np.exp(-z * w * tau)
    free = d0_deg * decay * (np.cos(wd * tau) + z * w / wd * np.sin(wd * tau))
    dt = float(t_s[1] - t_s[0])
    kick = pulse(tau, 0.0, KICK_S, kick_dps)
    n_kick = int(np.ceil(KICK_S / dt)) + 1
    impulse_response = decay * np.sin(wd * tau) / wd
    forced = np.convolve(kick[:n_kick], impulse_response)[: tau.size] * dt
    out[i0:] = free + forced
    return out


def _settling_time(hop: _Hop, baseline_rms_deg: float) -> float:
    """True time to stabilisation: contact until the settling envelope < baseline RMS, s."""
    rate = 4000.0
    t_s = np.arange(0.0, 15.0, 1.0 / rate)
    ap = _settling(t_s, 0.0, hop, AIR_AP_DEG - STICK_AP_DEG, hop.kick_ap_dps)
    ml = _settling(t_s, 0.0, hop, 0.0, hop.kick_ml_dps)
    w = 2 * np.pi * hop.settle_hz
    z = hop.settle_damping
    wd = w * np.sqrt(1 - z * z)
    envelope = np.zeros_like(t_s)
    for d in (ap, ml):
        dd = np.gradient(d, 1.0 / rate)
        envelope += d * d + ((dd + z * w * d) / wd) ** 2
    envelope = np.sqrt(envelope)
    after_kick = t_s >= KICK_S
    above = np.flatnonzero(after_kick & (envelope >= baseline_rms_deg))
    return float(t_s[above[-1]]) if above.size else KICK_S


def _integrate_twice(acc: np.ndarray, dt: float) -> np.ndarray:
    """Position from acceleration (trapezoidal rule twice), starting at rest at zero."""
    vel = np.concatenate(([0.0], np.cumsum((acc[1:] + acc[:-1]) * dt / 2)))
    return np.concatenate(([0.0], np.cumsum((vel[1:] + vel[:-1]) * dt / 2)))
