"""Stance scoring: what a slow recording says, and losses found block by block."""

from __future__ import annotations

from poise.analysis import analyze
from poise.sim import simulate


def test_losses_below_100_hz_carry_event_timing_and_104_hz_does_not():
    slow = analyze(simulate("stance", rate_hz=52.0, seed=57, duration_s=10.0).recording, "stance")
    (warning,) = [w for w in slow["warnings"] if w["code"] == "event_timing"]
    assert "52 Hz" in warning["message"] and slow["validity"] == "attention"
    fast = analyze(simulate("stance", rate_hz=104.0, seed=57, duration_s=10.0).recording, "stance")
    assert "event_timing" not in [w["code"] for w in fast["warnings"]]


def test_losses_are_the_same_whatever_the_block_they_are_detected_in(monkeypatch):
    import poise.analysis.tracked as tracked

    recording = simulate("stance", seed=58, losses=4, eyes="closed", surface="foam").recording
    whole = analyze(recording, "stance")["touchdowns"]
    monkeypatch.setattr(tracked, "CHUNK_ROWS", 997)  # the blocks the detector is fed
    assert analyze(recording, "stance")["touchdowns"] == whole and len(whole) >= 2
