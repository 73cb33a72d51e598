"""Hop edges and time to stabilisation on signals built from their definitions."""

import numpy as np
import pytest

from poise.metrics.landing import (
    TTS_WINDOW_S,
    find_flights,
    hop_count,
    hops,
    time_to_stabilisation,
)

FINE_HZ = 20_000.0
TAKEOFF_S, CONTACT_S = 1.0, 1.4


def vertical_sf(t: np.ndarray, overshoot: bool = False) -> np.ndarray:
    """Standing at 1 g, a push to 2.5 g falling linearly to 0 g at take-off, free fall,
    then a 30 ms raised-cosine impact of 6 g at contact and the absorption (over 1 g,
    settling back to it)."""
    sf = np.ones_like(t)
    push = (t >= 0.6) & (t < 0.8)
    sf[push] = 1 + 1.5 * (t[push] - 0.6) / 0.2
    fall = (t >= 0.8) & (t < TAKEOFF_S)
    sf[fall] = 2.5 * (TAKEOFF_S - t[fall]) / 0.2
    flight = (t >= TAKEOFF_S) & (t < CONTACT_S)
    sf[flight] = 0.0
    if overshoot:  # a trunk sensor as the legs tuck: below zero just after take-off
        dip = (t >= TAKEOFF_S) & (t < TAKEOFF_S + 0.1)
        sf[dip] = -1.0 * np.sin(np.pi * (t[dip] - TAKEOFF_S) / 0.1)
    after = t >= CONTACT_S
    u = (t[after] - CONTACT_S) / 0.03
    absorbing = np.where(u < 1, u, 1.0 + 0.8 * np.exp(-(u - 1) / 3))
    sf[after] = np.where(u < 1, 3.0 * (1 - np.cos(2 * np.pi * u)), 0.0) + absorbing
    return sf


@pytest.mark.parametrize("rate_hz", [100.0, 104.0, 416.0, 1000.0])
def test_flight_edges_of_a_sampled_hop(rate_hz):
    fine_t = np.arange(0, 3.0, 1 / FINE_HZ)
    t = np.arange(0, 3.0, 1 / rate_hz) + 0.37 / rate_hz  # samples fall anywhere on the edges
    sf = np.interp(t, fine_t, vertical_sf(fine_t))
    raw = np.column_stack((0.1 * sf, 0.2 * sf, sf))  # the resultant is 1.025 sf
    (hop,) = hops(t, sf, rate_hz, raw_t_s=t, raw_acc_g=raw, full_scale_g=16.0)
    tolerance = max(0.005, 1.5 / rate_hz)
    assert hop.takeoff_t_s == pytest.approx(TAKEOFF_S, abs=tolerance)
    assert hop.contact_t_s == pytest.approx(CONTACT_S, abs=tolerance)
    assert hop.flight_s == pytest.approx(CONTACT_S - TAKEOFF_S, abs=tolerance)
    assert hop.height_m == pytest.approx(9.80665 * 0.4**2 / 8, abs=9.81 * 0.4 * tolerance / 4)
    assert hop.peak_acc_g == pytest.approx(np.sqrt(1.05) * sf.max())
    assert not hop.saturated and hop.contact_s is None and hop.rsi is None
    # Saturation is an axis at its range, not a resultant beyond it.
    (clipped,) = hops(t, sf, rate_hz, raw_t_s=t, raw_acc_g=raw, full_scale_g=sf.max())
    assert clipped.saturated
    (resultant,) = hops(t, sf, rate_hz, raw_t_s=t, raw_acc_g=raw, full_scale_g=1.01 * sf.max())
    assert not resultant.saturated and resultant.peak_acc_g > 1.01 * sf.max()


def test_trunk_take_off_is_the_bottom_of_the_overshoot():
    rate = 128.0
    fine_t = np.arange(0, 3.0, 1 / FINE_HZ)
    t = np.arange(0, 3.0, 1 / rate)
    sf = np.interp(t, fine_t, vertical_sf(fine_t, overshoot=True))
    ((takeoff, contact),) = find_flights(sf, rate)
    assert takeoff / rate == pytest.approx(TAKEOFF_S + 0.05, abs=1.5 / rate)
    assert contact / rate == pytest.approx(CONTACT_S, abs=1.5 / rate)


def test_a_dip_inside_a_contact_or_a_bump_in_flight_is_not_a_hop():
    rate = 500.0
    t = np.arange(0, 3.0, 1 / rate)
    sf = np.ones_like(t)
    sf[(t > 0.9) & (t < 1.0)] = 2.0
    sf[(t > 1.0) & (t < 1.05)] = 0.1  # a 50 ms unloading, shorter than any flight...
    sf[(t >= 1.05) & (t < 1.08)] = 3.0  # ...ended by a jolt that looks like an impact
    assert find_flights(sf, rate) == []
    fine_t = np.arange(0, 3.0, 1 / FINE_HZ)
    hop = np.interp(t, fine_t, vertical_sf(fine_t))
    hop[(t > 1.15) & (t < 1.2)] = 1.5  # the arms swing in flight: below the impact level
    assert len(find_flights(hop, rate)) == 1


def test_rebounds_get_contact_time_and_reactive_strength():
    rate = 1000.0
    fine_t = np.arange(0, 3.0, 1 / FINE_HZ)
    one = vertical_sf(fine_t)
    # A second hop 0.9 s later: the first contact lasts until its take-off.
    sf = np.where(fine_t < 1.5, one, np.interp(fine_t - 0.9, fine_t, one))
    t = np.arange(0, 3.0, 1 / rate)
    first, second = hops(t, np.interp(t, fine_t, sf), rate)
    assert first.contact_s == pytest.approx(TAKEOFF_S + 0.9 - CONTACT_S, abs=0.005)
    assert first.rsi == pytest.approx(0.4 / 0.5, rel=0.02)  # the next flight over the contact
    assert hop_count([first, second], 0.0, 30.0) == 2 and hop_count([first, second], 0, 2) == 1


def hard_landing_then_a_hop(t: np.ndarray) -> np.ndarray:
    """A hop landing at 1.4 s with a 20 ms impact of 22 g whose recoil rings to -1.5 g,
    then 0.45 s on the ground and a second hop: take-off 1.85 s, contact 2.25 s."""
    sf = np.ones_like(t)
    for takeoff, contact in ((1.0, 1.4), (1.85, 2.25)):
        rise = (t >= takeoff - 0.4) & (t < takeoff - 0.2)
        sf[rise] = 1 + (t[rise] - (takeoff - 0.4)) / 0.2
        fall = (t >= takeoff - 0.2) & (t < takeoff)
        sf[fall] = 2.0 * (takeoff - t[fall]) / 0.2
        sf[(t >= takeoff) & (t < contact)] = 0.0
    u = (t - 1.4) / 0.02
    sf[(u >= 0) & (u < 1)] = 11.0 * (1 - np.cos(2 * np.pi * u[(u >= 0) & (u < 1)]))
    recoil = (u >= 1) & (u < 1.75)
    sf[recoil] = -1.5 * np.sin(np.pi * (u[recoil] - 1) / 0.75)
    u = (t - 2.25) / 0.03
    sf[(u >= 0) & (u < 1)] = 1 + 3.0 * (1 - np.cos(2 * np.pi * u[(u >= 0) & (u < 1)]))
    return sf


@pytest.mark.parametrize("rate_hz", [104.0, 416.0, 1000.0])
def test_the_recoil_of_a_hard_landing_is_not_a_trunk_take_off(rate_hz):
    """The recoil overshoots below -1 g as a trunk's take-off does; taken for one, it
    disabled the soft-landing rule and the next flight began at the recoil."""
    fine_t = np.arange(0, 3.5, 1 / FINE_HZ)
    t = np.arange(0, 3.5, 1 / rate_hz)
    sf = np.interp(t, fine_t, hard_landing_then_a_hop(fine_t))
    tolerance = max(0.005, 1.5 / rate_hz)
    flights = np.array(find_flights(sf, rate_hz)) / rate_hz
    np.testing.assert_allclose(flights, [[1.0, 1.4], [1.85, 2.25]], atol=tolerance)


def settling(rate_hz: float, damping: float, baseline_deg: float, seed: int) -> np.ndarray:
    """Tilt after a landing at index rate_hz (1 s in): a damped 1.5 Hz oscillation of
    10 deg on top of white sway of RMS ``baseline_deg`` (both axes together)."""
    rng = np.random.default_rng(seed)
    t = np.arange(0, 1 + TTS_WINDOW_S + 1, 1 / rate_hz) - 1.0
    w = 2 * np.pi * 1.5
    oscillation = np.where(t >= 0, 10.0 * np.exp(-damping * w * t) * np.cos(w * t), 0.0)
    sway = rng.standard_normal((t.size, 2)) * baseline_deg / np.sqrt(2)
    return np.column_stack((oscillation, np.zeros_like(t))) + sway


def test_time_to_stabilisation_follows_the_decay():
    rate, baseline = 200.0, 0.5
    found, truth = [], []
    for k, damping in enumerate((0.05, 0.08, 0.12, 0.2, 0.3)):
        tilt = settling(rate, damping, baseline, seed=k)
        found.append(time_to_stabilisation(tilt, int(rate), rate, baseline))
        truth.append(np.log(10.0 / baseline) / (damping * 2 * np.pi * 1.5))
    assert found == sorted(found, reverse=True)
    assert np.abs(np.subtract(found, truth)).max() < 0.25 * max(truth)
    # A trial that ends inside the window has no TTS; one that never moved has 0.
    assert (
        time_to_stabilisation(settling(rate, 0.1, baseline, 9)[:-300], int(rate), rate, 0.5) is None
    )
    still = np.random.default_rng(1).standard_normal((int(7 * rate), 2)) * 0.1
    assert time_to_stabilisation(still, int(rate), rate, 0.5) == 0.0
