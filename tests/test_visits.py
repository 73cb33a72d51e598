"""A visit's arithmetic: what remains of a battery, each condition's score by its rule,
left against right with the involved side."""

from __future__ import annotations

import dataclasses
import json

import pytest

from poise.batteries import Battery, BatteryCondition, battery, battery_from_dict, battery_to_dict
from poise.visits import Done, Step, remaining, scores, symmetry


def two_conditions(score: str = "best") -> Battery:
    return Battery(
        name="t",
        title="t",
        source="s",
        conditions=(
            BatteryCondition("stance", ("time_held_s",), trials=3, score=score),
            BatteryCondition("stance", ("sway_rms_deg",), eyes="closed", trials=2, score=score),
        ),
    )


def done(condition, leg, number, counts=True, **metrics):
    return Done(condition, leg, number, counts, metrics)


def test_what_remains_counts_only_counted_trials_and_numbers_after_every_one():
    b = two_conditions()
    trials = [
        done(1, "left", 1),
        done(1, "left", 2, counts=False),  # interrupted or invalid: another in its place
        done(1, "left", 3),
        *(done(1, "right", n) for n in (1, 2, 3)),
        done(2, "left", 1),
    ]
    assert remaining(b, trials) == [
        Step(1, "left", 4, 1),
        Step(2, "left", 2, 1),
        Step(2, "right", 1, 2),
    ]
    assert remaining(b, []) == [
        Step(1, "left", 1, 3),
        Step(1, "right", 1, 3),
        Step(2, "left", 1, 2),
        Step(2, "right", 1, 2),
    ]


@pytest.mark.parametrize(("rule", "held", "sway"), [("best", 40.0, 1.0), ("mean", 30.0, 1.5)])
def test_a_score_is_the_best_by_the_metrics_direction_or_the_mean(rule, held, sway):
    b = two_conditions(rule)
    trials = [
        done(1, "left", 1, time_held_s=20.0),
        done(1, "left", 2, time_held_s=40.0),
        done(1, "left", 3, time_held_s=30.0),
        done(1, "left", 4, counts=False, time_held_s=45.0),  # not counted: not scored
        done(2, "left", 1, sway_rms_deg=1.0),  # lower sway is better
        done(2, "left", 2, sway_rms_deg=2.0),
    ]
    by = {(s.condition, s.leg): s for s in scores(b, trials)}
    assert by[(1, "left")].value == pytest.approx(held) and by[(1, "left")].trials == 3
    assert by[(2, "left")].value == pytest.approx(sway)
    assert by[(1, "right")].value is None and by[(1, "right")].trials == 0


def test_left_against_right_puts_the_involved_side_over_the_other_and_flags_under_90():
    b = two_conditions()
    trials = [done(1, "left", 1, time_held_s=30.0), done(1, "right", 1, time_held_s=40.0)]
    scored = scores(b, trials)
    (held, sway) = symmetry(b, scored, involved="left")
    assert (held.lsi_pct, held.worse_side, held.flagged) == (75.0, "left", True)
    assert sway.lsi_pct is None and "no value" in sway.reason
    (held,) = [m for m in symmetry(b, scored, involved="right") if m.metric == "time_held_s"]
    assert held.lsi_pct == pytest.approx(133.3) and not held.flagged


def test_a_visit_keeps_the_battery_it_ran_field_for_field():
    shipped = battery("upst")
    again = battery_from_dict(json.loads(json.dumps(battery_to_dict(shipped))), "visit 1")
    assert again == dataclasses.replace(shipped, path=None)
