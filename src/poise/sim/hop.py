"""Scenario: single-leg hops, sensor on the hopping leg's shin.

Three protocols (``mode``):

- ``stick``: hop and stick. After a quiet start and a single-leg baseline,
  each hop is a countermovement, a push-off, a flight and a landing the
  athlete holds on one leg for at least ``STICK_MIN_S`` before putting the
  free foot down;
- ``repeated``: hops in place without a pause; each ground contact both
  absorbs the landing and pushes off the next hop; the last landing is held;
- ``side``: the side-hop test (Gustavsson et al. 2006): hopping sideways over
  two lines 40 cm apart as often as possible for ``duration_s``.

Physics of one hop:

1. push-off: the ground's push (the ankle's vertical specific force) rises
   and then falls to zero at take-off with a finite slope (a half-sine on top
   of the unloading of body weight), giving the take-off velocity ``v0``;
2. flight: the ankle is ballistic (the accelerometer reads almost nothing), so
   flight time ``T = 2 v0 / g`` and height ``h = g T^2 / 8`` hold exactly;
3. landing: an impact spike (20-35 ms, carrying 45-65% of the velocity change)
   and a slower absorption; the strap and skin wobble at 20-25 Hz; after a
   stick landing the shank's tilt is kicked forward and settles as a damped
   oscillation about the stick posture.

The true time to stabilisation of a stick landing is the time from contact
until the envelope of that damped oscillation (AP and ML together) falls below
the athlete's baseline single-leg sway RMS (docs/simulator.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

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
from poise.sim.timeline import Track, minimum_jerk

STANCE_AP_DEG = 2.0  # single-leg posture before a hop, forward of standing
STICK_AP_DEG = 8.0  # posture the landing settles to, forward of standing
AIR_AP_DEG = 5.0  # shank lean at contact, forward of standing
KICK_S = 0.03  # duration of the shank's forward kick at contact
#: A stick landing is held at least this long: longer than the 5 s window that
#: time to stabilisation is measured in, so the window never sees the foot go down.
STICK_MIN_S = 6.0
SIDE_HOP_DISTANCE_M = 0.40
MODES = ("stick", "repeated", "side")
#: Knee to ankle, m: the shank swings about the knee in flight (``flight_swing_deg``).
SHANK_LENGTH_M = 0.40
#: A dip inside a ground contact (``contact_dip_g``) lasts this long, s, and is
#: made up by a push over twice that, so the contact's velocity change is kept.
DIP_S = 0.03


@dataclass(frozen=True)
class HopParams:
    """Single-leg hop trial.

    Args:
        leg: the hopping leg (the sensor is on it), ``left`` or ``right``.
        mode: ``stick`` (hop and stick), ``repeated`` (hops in place) or ``side``
            (the side-hop test).
        hops: number of hops (``stick`` and ``repeated``).
        duration_s: length of the side-hop test, s.
        reference_s: quiet two-legged standing first, s.
        baseline_s: single-leg stance before the first hop, s (the TTS reference).
        landing_peak_g: the impact's peak of the ankle's vertical specific force, g,
            the same at every landing: 4 is a soft landing, 22 a hard one (the
            impact spike is made shorter for a harder landing); None draws the
            usual 6-15 g.
        contact_dip_g: after each impact, inside the ground contact, the ankle's
            vertical specific force dips to this level, g (a heel-to-forefoot
            rebound; below 0.35 g it looks like the start of a flight); None: no dip.
        sensor_forward_m, sensor_left_m, sensor_up_m: where the sensor sits from
            the ankle, segment axes, m (Poise assumes 4 cm forward, 25 cm up); each
            None draws it: the front of the shin, 3-6 cm forward, +-1 cm to the
            side, 18-32 cm up.
        flight_swing_deg: the shank swings back about the knee in flight (the knee
            bends after take-off and straightens for the landing), by this much at
            its widest, deg; 0 keeps the shank turning only slowly in flight.
        settle_scale: how long stick landings take to settle: the damping of
            their settling is divided by it (2 doubles the true TTS, roughly).
    """

    leg: str = "right"
    mode: str = "stick"
    hops: int = 5
    duration_s: float = 30.0
    reference_s: float = 3.0
    baseline_s: float = 4.0
    landing_peak_g: float | None = None
    contact_dip_g: float | None = None
    sensor_forward_m: float | None = None
    sensor_left_m: float | None = None
    sensor_up_m: float | None = None
    flight_swing_deg: float = 0.0
    settle_scale: float = 1.0

    def __post_init__(self) -> None:
        check_choice("leg", self.leg, ("left", "right"))
        check_choice("mode", self.mode, MODES)
        check_count("hops", self.hops, 1, 50)
        check_number("duration_s", self.duration_s, 5.0, 120.0)
        check_number("reference_s", self.reference_s, 2.5, 60.0)
        check_number("baseline_s", self.baseline_s, 1.0, 60.0)
        if self.landing_peak_g is not None:
            check_number("landing_peak_g", self.landing_peak_g, 3.0, 40.0)
        if self.contact_dip_g is not None:
            check_number("contact_dip_g", self.contact_dip_g, -1.0, 0.9)
        for name, low, high in (
            ("sensor_forward_m", -0.15, 0.15),
            ("sensor_left_m", -0.15, 0.15),
            ("sensor_up_m", 0.0, 0.45),
        ):
            if getattr(self, name) is not None:
                check_number(name, getattr(self, name), low, high)
        check_number("flight_swing_deg", self.flight_swing_deg, 0.0, 60.0)
        check_number("settle_scale", self.settle_scale, 0.25, 4.0)


@dataclass(frozen=True)
class _Landing:
    """How one landing is absorbed, and (for a stick landing) how it settles."""

    absorb_s: float
    spike_s: float
    spike_share: float
    kick_ap_dps: float
    kick_ml_dps: float
    settle_hz: float
    settle_damping: float
    jolt_g: float

    @classmethod
    def draw(cls, rng: np.random.Generator, params: HopParams) -> _Landing:
        """A landing drawn from the usual spread; ``params`` slows its settling and can
        set its hardness (:meth:`with_peak`)."""
        drawn = cls(
            absorb_s=rng.uniform(0.06, 0.09),
            spike_s=rng.uniform(0.02, 0.035),
            spike_share=rng.uniform(0.45, 0.65),
            kick_ap_dps=rng.uniform(40.0, 100.0),
            kick_ml_dps=rng.uniform(-30.0, 30.0),
            settle_hz=rng.uniform(1.0, 2.0),
            settle_damping=rng.uniform(0.08, 0.35),
            jolt_g=rng.uniform(2.0, 4.0),
        )
        return replace(drawn, settle_damping=drawn.settle_damping / params.settle_scale)

    def with_peak(self, peak_of: Callable[[float], float], peak_g: float | None) -> _Landing:
        """This landing with its impact spike as short as a vertical peak of ``peak_g``
        needs (``peak_of(spike_s)``: the peak, g, that a spike of that length gives;
        shorter is higher), and the strap's wobble scaled with it, so a soft landing is
        not all wobble. Unchanged when ``peak_g`` is None."""
        if peak_g is None:
            return self
        short, long = 0.004, 0.2
        for _ in range(30):  # bisection on the spike's length
            middle = 0.5 * (short + long)
            short, long = (middle, long) if peak_of(middle) > peak_g else (short, middle)
        return replace(self, spike_s=long, jolt_g=min(self.jolt_g, 0.1 * peak_g))


class _Ankle:
    """The ankle's acceleration, m/s^2 (world x forward, y left, z up), built phase by phase."""

    def __init__(self, t_s: np.ndarray) -> None:
        self.t_s = t_s
        self.x = np.zeros_like(t_s)
        self.y = np.zeros_like(t_s)
        self.z = np.zeros_like(t_s)
        self.flights: list[tuple[float, float]] = []

    def push_off(
        self, start: float, duration: float, v0: float, horizontal: tuple[float, float]
    ) -> None:
        """From standing (1 g) to take-off (0 g, falling with a finite slope): vertical speed v0.

        Specific force ``g (1 - s(u)) + A sin(pi u)`` with ``s`` the minimum-jerk
        unloading; ``A`` is set so the push adds ``v0``: ``A = pi (v0 / T + g / 2) / 2``.
        """
        u = (self.t_s - start) / duration
        on = (u >= 0) & (u <= 1)
        amplitude = np.pi * (v0 / duration + G / 2) / 2
        self.z[on] += -G * minimum_jerk(u[on]) + amplitude * np.sin(np.pi * u[on])
        self.x += pulse(self.t_s, start, duration, horizontal[0])
        self.y += pulse(self.t_s, start, duration, horizontal[1])

    def flight(self, start: float, end: float) -> None:
        self.z[(self.t_s > start) & (self.t_s < end)] -= G
        self.flights.append((start, end))

    def dip(self, start: float, to_g: float | None) -> None:
        """The vertical specific force dips to ``to_g`` (g) over ``DIP_S`` from ``start``,
        then a push over ``2 DIP_S`` makes the velocity lost up (nothing if None)."""
        if to_g is None:
            return
        centre = int(np.searchsorted(self.t_s, start + DIP_S / 2))
        depth = (self.z[centre] / G + 1.0 - to_g) * G
        if depth <= 0:
            return
        area = depth * DIP_S / 2  # a raised cosine's peak is twice its area over its length
        self.z -= pulse(self.t_s, start, DIP_S, area)
        self.z += pulse(self.t_s, start + DIP_S, 2 * DIP_S, area)

    def stick(
        self, contact: float, v_land: float, landing: _Landing, horizontal: tuple[float, float]
    ) -> None:
        """From free fall to standing: stop a fall at ``v_land`` with a spike and an absorption."""
        u = (self.t_s - contact) / landing.absorb_s
        on = (u >= 0) & (u <= 1)
        impulse = v_land + G * landing.absorb_s / 2
        self.z[on] += G * (np.sin(np.pi * u[on] / 2) ** 2 - 1)
        self._impact(contact, landing, impulse, landing.absorb_s, horizontal)

    @staticmethod
    def stick_peak_g(v_land: float, landing: _Landing, spike_s: float) -> float:
        """The vertical peak of :meth:`stick` with a spike of ``spike_s``, g."""
        ankle = _Ankle(np.arange(0.0, 0.3, 1e-4))
        ankle.stick(0.0, v_land, replace(landing, spike_s=spike_s), (0.0, 0.0))
        return float(ankle.z.max() / G + 1.0)

    @staticmethod
    def bounce_peak_g(
        v_land: float, v_off: float, duration: float, landing: _Landing, spike_s: float
    ) -> float:
        """The vertical peak of :meth:`bounce` with a spike of ``spike_s``, g."""
        ankle = _Ankle(np.arange(0.0, duration + 0.01, 1e-4))
        ankle.bounce(0.0, duration, v_land, v_off, replace(landing, spike_s=spike_s), (0, 0))
        return float(ankle.z.max() / G + 1.0)

    def bounce(
        self,
        contact: float,
        duration: float,
        v_land: float,
        v_off: float,
        landing: _Landing,
        horizontal: tuple[float, float],
    ) -> None:
        """A ground contact from free fall to free fall: stop ``v_land``, push off at ``v_off``.

        Specific force: the impact spike plus a half sine over the contact, zero
        at both ends; ``-g`` of free fall is replaced by the ground's push.
        """
        u = (self.t_s - contact) / duration
        on = (u >= 0) & (u <= 1)
        self.z[on] -= G
        impulse = v_land + v_off + G * duration
        spike = landing.spike_share * 0.6 * impulse
        self.z += pulse(self.t_s, contact, landing.spike_s, spike)
        amplitude = (impulse - spike) * np.pi / (2 * duration)
        self.z[on] += amplitude * np.sin(np.pi * u[on])
        self.x += pulse(self.t_s, contact, duration, horizontal[0])
        self.y += pulse(self.t_s, contact, duration, horizontal[1])

    def _impact(
        self,
        contact: float,
        landing: _Landing,
        impulse: float,
        absorb_s: float,
        horizontal: tuple[float, float],
    ) -> None:
        spike = landing.spike_share * impulse
        self.z += pulse(self.t_s, contact, landing.spike_s, spike)
        self.z += pulse(self.t_s, contact, absorb_s, impulse - spike)
        for axis, v in ((self.x, horizontal[0]), (self.y, horizontal[1])):
            axis += pulse(self.t_s, contact, landing.spike_s, landing.spike_share * v)
            axis += pulse(self.t_s, contact, absorb_s, (1 - landing.spike_share) * v)


def build(params: HopParams, rate_hz: float, rng: np.random.Generator) -> Episode:
    """The motion and truth of a hop trial."""
    sway_ap, sway_ml = SWAY_EO_FIRM_DEG
    baseline_rms = float(np.hypot(sway_ap, sway_ml))
    side = 1.0 if params.leg == "right" else -1.0
    lift_shift = 1.5 * side
    lift_s = 0.8
    start = params.reference_s + lift_s + params.baseline_s

    if params.mode == "stick":
        plan = _plan_stick(params, start, baseline_rms, rng)
    else:
        plan = _plan_series(params, start, baseline_rms, rng)
    total_s = plan["end_s"] + 1.0

    b = EpisodeBuilder(total_s, rate_hz, rng)
    stand_ap, stand_ml = b.stand(*STANDING_SHANK_DEG)
    b.sway_level = Track(b.t_s, QUIET_LEVEL)
    b.window("reference", 0.0, params.reference_s)
    b.ml_deg.move(params.reference_s, lift_s, stand_ml + lift_shift)
    b.ap_deg.move(params.reference_s, lift_s, stand_ap + STANCE_AP_DEG)
    b.sway_level.move(params.reference_s, lift_s, 1.0)
    b.window("baseline", params.reference_s + lift_s, start)
    ankle = _Ankle(b.t_s)
    posture = (stand_ap, stand_ml, lift_shift)
    if params.mode == "stick":
        _build_stick(b, ankle, plan, posture, params)
    else:
        _build_series(b, ankle, plan, posture, params)

    if params.flight_swing_deg:
        _swing(b, ankle, params.flight_swing_deg)
    b.pivot_m[:, 0] = _integrate_twice(ankle.x, 1.0 / rate_hz)
    b.pivot_m[:, 1] = _integrate_twice(ankle.y, 1.0 / rate_hz)
    b.pivot_m[:, 2] = ANKLE_HEIGHT_M + _integrate_twice(ankle.z, 1.0 / rate_hz)
    b.add_sway(sway_ap, sway_ml, YAW_SWAY_DEG)
    drawn = shin_lever(rng)  # drawn whatever is set, so a set one leaves the rest of the seed
    given = (params.sensor_forward_m, params.sensor_left_m, params.sensor_up_m)
    lever = np.array([d if g is None else g for d, g in zip(drawn, given, strict=True)])
    return b.episode(
        f"{params.leg}_shank",
        lever,
        summary_window="baseline",
        facts={
            "mode": params.mode,
            "baseline_sway_rms_deg": {"ap": sway_ap, "ml": sway_ml, "total": baseline_rms},
            **({"hop_count": plan["count"]} if params.mode == "side" else {}),
        },
    )


def _plan_stick(
    params: HopParams, start: float, baseline_rms: float, rng: np.random.Generator
) -> dict:
    """Lay the hop-and-stick hops out in time: each hold lasts well past its settling."""
    hops = []
    t = start
    for _ in range(params.hops):
        flight = rng.uniform(0.28, 0.45)
        push = rng.uniform(0.18, 0.24)
        landing = _Landing.draw(rng, params)
        landing = landing.with_peak(
            partial(_Ankle.stick_peak_g, G * flight / 2, landing), params.landing_peak_g
        )
        t_cm = t
        t_push = t_cm + 0.35
        t_off = t_push + push
        t_contact = t_off + flight
        tts = _settling_time(landing, baseline_rms)
        hold = max(STICK_MIN_S, tts + 2.0)
        hops.append(
            {
                "cm": t_cm,
                "push": t_push,
                "push_s": push,
                "off": t_off,
                "contact": t_contact,
                "flight": flight,
                "landing": landing,
                "tts": tts,
                "hold": hold,
                "forward": rng.uniform(0.8, 1.6),
            }
        )
        t = t_contact + hold + 2.0 + 0.8 + 1.5  # stick, two feet, lift, single-leg
    return {"hops": hops, "end_s": t}


def _build_stick(
    b: EpisodeBuilder, ankle: _Ankle, plan: dict, posture: tuple, params: HopParams
) -> None:
    stand_ap, stand_ml, lift_shift = posture
    lift_s = 0.8
    for i, hop in enumerate(plan["hops"]):
        v0 = G * hop["flight"] / 2
        b.ap_deg.move(hop["cm"], 0.35, stand_ap + STANCE_AP_DEG + 12.0)
        b.ap_deg.move(hop["push"], hop["push_s"], stand_ap - 4.0)
        b.ap_deg.move(hop["off"], hop["flight"], stand_ap + AIR_AP_DEG)
        ankle.push_off(hop["push"], hop["push_s"], v0, (hop["forward"], 0.0))
        ankle.flight(hop["off"], hop["contact"])
        landing = hop["landing"]
        ankle.stick(hop["contact"], v0, landing, (-hop["forward"], 0.0))
        ankle.dip(hop["contact"] + landing.spike_s, params.contact_dip_g)
        _settle(b, hop["contact"], landing, stand_ap)
        b.event(
            "landing",
            hop["contact"],
            takeoff_t_s=hop["off"],
            flight_s=hop["flight"],
            height_m=G * hop["flight"] ** 2 / 8,
            tts_s=hop["tts"],
            number=i + 1,
        )
        b.event("takeoff", hop["off"], number=i + 1)
        t_down = hop["contact"] + hop["hold"]
        b.window("stick", hop["contact"], t_down)
        # Free foot down, then up again for the next hop.
        b.ap_deg.move(t_down, lift_s, stand_ap)
        b.ml_deg.move(t_down, lift_s, stand_ml)
        b.sway_level.move(t_down, lift_s, QUIET_LEVEL)
        b.event("touchdown", t_down + lift_s / 2)
        t_lift = t_down + 2.0
        b.ap_deg.move(t_lift, lift_s, stand_ap + STANCE_AP_DEG)
        b.ml_deg.move(t_lift, lift_s, stand_ml + lift_shift)
        b.sway_level.move(t_lift, lift_s, 1.0)


def _plan_series(
    params: HopParams, start: float, baseline_rms: float, rng: np.random.Generator
) -> dict:
    """Lay out hops without pauses: repeated hops in place, or side hops for a set time."""
    side = params.mode == "side"
    t = start
    push = rng.uniform(0.18, 0.24)
    flights, contacts = [], []
    t_off = t + 0.35 + push
    t_land = t_off
    end_test = t_off + params.duration_s if side else np.inf
    while True:
        flight = rng.uniform(0.16, 0.26) if side else rng.uniform(0.22, 0.36)
        flights.append(flight)
        t_land = t_off + flight
        done = len(flights) >= params.hops if not side else t_land + 0.5 > end_test
        if done:
            break
        contact = rng.uniform(0.17, 0.26) if side else rng.uniform(0.18, 0.30)
        contacts.append(contact)
        t_off = t_land + contact
    landings = [_Landing.draw(rng, params) for _ in flights]
    v = [G * f / 2 for f in flights]
    landings = [
        landing.with_peak(
            partial(_Ankle.bounce_peak_g, v[i], v[i + 1], contacts[i], landing)
            if i < len(contacts)
            else partial(_Ankle.stick_peak_g, v[i], landing),
            params.landing_peak_g,
        )
        for i, landing in enumerate(landings)
    ]
    final_tts = _settling_time(landings[-1], baseline_rms)
    landing_times = (
        start + 0.35 + push + np.cumsum(flights) + np.concatenate(([0.0], np.cumsum(contacts)))
    )
    return {
        "cm": start,
        "push": start + 0.35,
        "push_s": push,
        "flights": flights,
        "contacts": contacts,
        "landings": landings,
        "final_tts": final_tts,
        "count": int(np.count_nonzero(landing_times <= end_test)),
        "test_end": end_test,
        "end_s": t_land + max(STICK_MIN_S, final_tts + 2.0) + 1.0,
    }


def _build_series(
    b: EpisodeBuilder, ankle: _Ankle, plan: dict, posture: tuple, params: HopParams
) -> None:
    stand_ap, stand_ml, _ = posture
    side = params.mode == "side"
    lateral = SIDE_HOP_DISTANCE_M if side else 0.0
    lean_ml = 4.0 if side else 0.0  # the shank leans into each side hop
    b.ap_deg.move(plan["cm"], 0.35, stand_ap + STANCE_AP_DEG + 12.0)
    b.ap_deg.move(plan["push"], plan["push_s"], stand_ap - 4.0)
    t_off = plan["push"] + plan["push_s"]
    first_off = t_off
    direction = 1.0
    v_y = lateral / plan["flights"][0] * direction
    ankle.push_off(plan["push"], plan["push_s"], G * plan["flights"][0] / 2, (0.0, v_y))
    count = len(plan["flights"])
    for i, flight in enumerate(plan["flights"]):
        t_land = t_off + flight
        v_land = G * flight / 2
        ankle.flight(t_off, t_land)
        b.ap_deg.move(t_off, flight, stand_ap + AIR_AP_DEG)
        b.ml_deg.move(t_off, flight, stand_ml - lean_ml * direction)
        b.event("takeoff", t_off, number=i + 1)
        landing = plan["landings"][i]
        details = {
            "takeoff_t_s": t_off,
            "flight_s": flight,
            "height_m": G * flight**2 / 8,
            "number": i + 1,
        }
        if i + 1 < count:
            contact = plan["contacts"][i]
            next_flight = plan["flights"][i + 1]
            new_direction = -direction if side else direction
            v_y_next = lateral / next_flight * new_direction
            ankle.bounce(
                t_land, contact, v_land, G * next_flight / 2, landing, (0.0, v_y_next - v_y)
            )
            ankle.dip(t_land + landing.spike_s, params.contact_dip_g)
            b.jolt(t_land, landing.jolt_g * 0.7, 22.0, 0.2, np.array([0.4, 0.0, 1.0]))
            b.ap_deg.move(t_land, contact, stand_ap + AIR_AP_DEG + 6.0)
            b.ml_deg.move(t_land, contact, stand_ml + lean_ml * new_direction)
            details.update(contact_s=contact, rsi=next_flight / contact)
            b.event("landing", t_land, **details)
            t_off = t_land + contact
            direction, v_y = new_direction, v_y_next
        else:
            ankle.stick(t_land, v_land, landing, (0.0, -v_y))
            ankle.dip(t_land + landing.spike_s, params.contact_dip_g)
            b.ml_deg.move(t_land, 0.3, stand_ml)
            _settle(b, t_land, landing, stand_ap)
            details.update(tts_s=plan["final_tts"])
            b.event("landing", t_land, **details)
            b.window("stick", t_land, t_land + max(STICK_MIN_S, plan["final_tts"] + 2.0))
    if side:
        b.window("trial", first_off, plan["test_end"])


def _settle(b: EpisodeBuilder, contact: float, landing: _Landing, stand_ap: float) -> None:
    """The stick landing's kick and settling about the stick posture."""
    b.ap_deg.move(contact, 0.0, stand_ap + STICK_AP_DEG)
    b.ap_deg.add(_settling(b.t_s, contact, landing, AIR_AP_DEG - STICK_AP_DEG, landing.kick_ap_dps))
    b.ml_deg.add(_settling(b.t_s, contact, landing, 0.0, landing.kick_ml_dps))
    b.jolt(contact, landing.jolt_g, 22.0, 0.2, np.array([0.4, 0.0, 1.0]))


def _settling(
    t_s: np.ndarray, t_contact: float, landing: _Landing, d0_deg: float, kick_dps: float
) -> np.ndarray:
    """Deviation from the stick posture after contact, deg (zero before contact).

    The response of ``d'' + 2 z w d' + w^2 d = u(t)`` from ``d(0) = d0``, ``d'(0) = 0``,
    where ``u`` is a raised-cosine kick of ``KICK_S`` whose integral is ``kick_dps``.
    """
    w = 2 * np.pi * landing.settle_hz
    z = landing.settle_damping
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


def _settling_time(landing: _Landing, baseline_rms_deg: float) -> float:
    """True time to stabilisation: contact until the settling envelope < baseline RMS, s."""
    rate = 4000.0
    t_s = np.arange(0.0, 15.0, 1.0 / rate)
    ap = _settling(t_s, 0.0, landing, AIR_AP_DEG - STICK_AP_DEG, landing.kick_ap_dps)
    ml = _settling(t_s, 0.0, landing, 0.0, landing.kick_ml_dps)
    w = 2 * np.pi * landing.settle_hz
    z = landing.settle_damping
    wd = w * np.sqrt(1 - z * z)
    envelope = np.zeros_like(t_s)
    for d in (ap, ml):
        dd = np.gradient(d, 1.0 / rate)
        envelope += d * d + ((dd + z * w * d) / wd) ** 2
    envelope = np.sqrt(envelope)
    after_kick = t_s >= KICK_S
    above = np.flatnonzero(after_kick & (envelope >= baseline_rms_deg))
    return float(t_s[above[-1]]) if above.size else KICK_S


def _swing(b: EpisodeBuilder, ankle: _Ankle, swing_deg: float) -> None:
    """The shank swings about the knee in each flight: its AP tilt gains
    ``swing_deg sin^2(pi u)`` (u from take-off to contact), and the ankle, which
    hangs ``SHANK_LENGTH_M`` below the ballistic knee, moves with it (the
    acceleration of that motion is added to the ankle's)."""
    for start, end in ankle.flights:
        on = (b.t_s > start) & (b.t_s < end)
        u = (b.t_s[on] - start) / (end - start)
        delta = np.zeros_like(b.t_s)
        delta[on] = swing_deg * np.sin(np.pi * u) ** 2
        theta = np.radians(b.ap_deg.values)
        b.ap_deg.add(delta)
        swung = theta + np.radians(delta)
        dt = 1.0 / b.rate_hz
        # The ankle from the knee: -L (sin theta, cos theta) in (forward, up).
        for axis, f in ((ankle.x, np.sin), (ankle.z, np.cos)):
            shift = -SHANK_LENGTH_M * (f(swung) - f(theta))
            axis += np.gradient(np.gradient(shift, dt), dt)


def _integrate_twice(acc: np.ndarray, dt: float) -> np.ndarray:
    """Position from acceleration (trapezoidal rule twice), starting at rest at zero."""
    vel = np.concatenate(([0.0], np.cumsum((acc[1:] + acc[:-1]) * dt / 2)))
    return np.concatenate(([0.0], np.cumsum((vel[1:] + vel[:-1]) * dt / 2)))
