"""A stance recorded too slowly for its losses of balance to be heard says so."""

from __future__ import annotations

from poise.analysis import analyze
from poise.sim import simulate


def test_losses_below_100_hz_carry_event_timing_and_104_hz_does_not():
    slow = analyze(simulate("stance", rate_hz=52.0, seed=57, duration_s=10.0).recording, "stance")
    (warning,) = [w for w in slow["warnings"] if w["code"] == "event_timing"]
    assert "52 Hz" in warning["message"] and slow["validity"] == "attention"
    fast = analyze(simulate("stance", rate_hz=104.0, seed=57, duration_s=10.0).recording, "stance")
    assert "event_timing" not in [w["code"] for w in fast["warnings"]]
