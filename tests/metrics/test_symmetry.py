"""Limb symmetry: direction, LSI values, the 90% and MDC flags, missing values, bad input."""

from __future__ import annotations

import json

import pytest

from poise.drills import RULES, compare_limbs
from poise.errors import InputError
from poise.metrics.symmetry import Lsi, limb_symmetry_index


def stance(side: str, **values: object) -> dict:
    base = {
        "drill": "stance",
        "file": f"{side}.csv",
        "placement": f"{side}_shank",
        "sway_rms_deg": 1.0,
        "sway_area95_deg2": 10.0,
        "sway_velocity_dps": 2.0,
        "time_held_s": 45.0,
        "losses_of_balance": 0,
    }
    return {**base, **values}


def by_name(report: dict) -> dict[str, dict]:
    return {m["name"]: m for m in report["metrics"]}


# --- limb_symmetry_index --------------------------------------------------------------


def test_lower_is_better_with_left_smaller_makes_right_the_worse_side() -> None:
    lsi = limb_symmetry_index(0.8, 1.0, higher_is_better=False)
    assert lsi == Lsi(80.0, "right")


def test_higher_is_better_with_left_smaller_makes_left_the_worse_side() -> None:
    assert limb_symmetry_index(30.0, 40.0, higher_is_better=True) == Lsi(75.0, "left")


def test_without_involved_side_the_index_never_exceeds_100() -> None:
    for hib in (True, False):
        assert limb_symmetry_index(4.0, 5.0, hib).pct == 80.0
        assert limb_symmetry_index(5.0, 4.0, hib).pct == 80.0


def test_involved_side_higher_is_better_is_involved_over_uninvolved() -> None:
    # Involved left 36 deg, uninvolved right 40 deg: 36 / 40 = 90%.
    assert limb_symmetry_index(36.0, 40.0, True, involved="left") == Lsi(90.0, "left")
    # The involved side better: over 100, and the worse side is the uninvolved one.
    assert limb_symmetry_index(44.0, 40.0, True, involved="left") == Lsi(110.0, "right")


def test_involved_side_lower_is_better_is_uninvolved_over_involved() -> None:
    # Involved right takes 1.25 s to stabilise, uninvolved left 1.0 s: 1.0 / 1.25 = 80%.
    assert limb_symmetry_index(1.0, 1.25, False, involved="right") == Lsi(80.0, "right")
    # Involved left is the steadier one: 1.25 / 1.0 = 125%.
    assert limb_symmetry_index(1.0, 1.25, False, involved="left") == Lsi(125.0, "right")


def test_equal_values_are_symmetric_zeros_included() -> None:
    assert limb_symmetry_index(0.0, 0.0, False) == Lsi(100.0, None)
    assert limb_symmetry_index(2.0, 2.0, True, involved="right") == Lsi(100.0, None)


def test_zero_reference_side_gives_no_index_and_a_reason() -> None:
    # Higher is better, uninvolved side 0: involved / 0.
    lsi = limb_symmetry_index(3.0, 0.0, True, involved="left")
    assert lsi.pct is None and lsi.worse_side == "right"
    assert "right side is 0" in lsi.reason
    # Lower is better, involved side 0 (no losses of balance): uninvolved / 0.
    lsi = limb_symmetry_index(0.0, 2.0, False, involved="left")
    assert lsi.pct is None and "left side is 0" in lsi.reason


def test_zero_on_the_worse_side_is_a_valid_zero_index() -> None:
    assert limb_symmetry_index(0.0, 12.0, True).pct == 0.0
    assert limb_symmetry_index(0.0, 2.0, False, involved="right").pct == 0.0


@pytest.mark.parametrize(
    ("left", "right", "reason"),
    [
        (None, 1.0, "no value for left"),
        (1.0, None, "no value for right"),
        (None, None, "no value for left and right"),
        (float("nan"), 1.0, "no value for left"),
        (-1.0, 1.0, "negative"),
    ],
)
def test_missing_or_invalid_values_give_no_index(left, right, reason) -> None:
    lsi = limb_symmetry_index(left, right, True, involved="left")
    assert lsi.pct is None and lsi.worse_side is None
    assert reason in lsi.reason


# --- compare_limbs ----------------------------------------------------------------------


def test_flags_at_the_90_percent_boundary() -> None:
    # time_held_s, higher is better: 40.5 / 45 = 90.0% (not flagged), 40.4 / 45 = 89.8%.
    at = by_name(compare_limbs(stance("left", time_held_s=40.5), stance("right")))
    below = by_name(compare_limbs(stance("left", time_held_s=40.4), stance("right")))
    assert at["time_held_s"]["lsi_pct"] == 90.0
    assert at["time_held_s"]["lsi_below_90"] is False
    assert below["time_held_s"]["lsi_pct"] == 89.8
    assert below["time_held_s"]["lsi_below_90"] is True
    assert below["time_held_s"]["worse_side"] == "left"


def test_stance_direction_and_values() -> None:
    report = compare_limbs(stance("left", sway_rms_deg=0.9), stance("right", sway_rms_deg=1.2))
    sway = by_name(report)["sway_rms_deg"]
    assert sway["higher_is_better"] is False
    assert sway["worse_side"] == "right"
    assert sway["lsi_pct"] == 75.0  # 0.9 / 1.2
    assert sway["difference"] == pytest.approx(-0.3)
    assert sway["mdc"] is None and sway["exceeds_mdc"] is None
    assert [m["name"] for m in report["metrics"]] == [r.name for r in RULES["stance"]]


def test_exceeds_mdc_for_the_lunge() -> None:
    def lunge(side: str, deg: float) -> dict:
        return {"drill": "lunge", "placement": f"{side}_shank", "max_inclination_deg": deg}

    within = by_name(compare_limbs(lunge("left", 40.0), lunge("right", 44.7)))
    beyond = by_name(compare_limbs(lunge("left", 40.0), lunge("right", 44.8)))
    assert within["max_inclination_deg"]["mdc"] == 4.7
    assert within["max_inclination_deg"]["exceeds_mdc"] is False  # |-4.7| is not > 4.7
    assert beyond["max_inclination_deg"]["exceeds_mdc"] is True
    # 40 / 44.8 = 89.3%: both flags.
    assert beyond["max_inclination_deg"]["lsi_below_90"] is True


def test_exceeds_mdc_applies_to_either_direction_of_difference() -> None:
    def hip(internal: float) -> dict:
        return {"drill": "hip", "internal_rotation_deg": internal, "external_rotation_deg": 40}

    report = by_name(compare_limbs(hip(45.0), hip(38.0)))
    assert report["internal_rotation_deg"]["difference"] == 7.0
    assert report["internal_rotation_deg"]["exceeds_mdc"] is True  # MDC 5.4 deg
    assert report["internal_rotation_deg"]["worse_side"] == "right"
    assert report["external_rotation_deg"]["exceeds_mdc"] is False


def test_hop_metrics_are_means_over_landings_with_none_left_out() -> None:
    def landing(height: float, tts: float | None, contact: float | None, rsi: float | None):
        return {"height_m": height, "tts_s": tts, "contact_s": contact, "rsi": rsi}

    left = {
        "drill": "hop",
        "landings": [landing(0.20, 1.0, 0.25, 1.6), landing(0.10, None, None, None)],
        "side_hop_count_30s": 36,
    }
    right = {
        "drill": "hop",
        "landings": [landing(0.20, 0.8, 0.20, 2.0), landing(0.20, 1.2, None, None)],
        "side_hop_count_30s": 40,
    }
    m = by_name(compare_limbs(left, right, involved="left"))
    assert m["mean_height_m"]["left"] == 0.15 and m["mean_height_m"]["right"] == 0.2
    assert m["mean_height_m"]["lsi_pct"] == 75.0  # 0.15 / 0.20
    assert m["mean_tts_s"]["left"] == 1.0 and m["mean_tts_s"]["right"] == 1.0
    assert m["mean_tts_s"]["lsi_pct"] == 100.0 and m["mean_tts_s"]["worse_side"] is None
    # Contact time, lower is better, involved left: 0.20 / 0.25 = 80%.
    assert m["mean_contact_s"]["lsi_pct"] == 80.0
    assert m["mean_rsi"]["lsi_pct"] == 80.0  # 1.6 / 2.0
    assert m["side_hop_count_30s"]["lsi_pct"] == 90.0  # 36 / 40
    assert m["side_hop_count_30s"]["lsi_below_90"] is False


def test_missing_keys_and_empty_landings_give_none_without_crashing() -> None:
    left = {"drill": "hop", "landings": []}
    right = {"drill": "hop"}  # no landings at all, no side-hop count
    for m in compare_limbs(left, right)["metrics"]:
        assert m["left"] is None and m["right"] is None
        assert m["lsi_pct"] is None and m["lsi_below_90"] is None
        assert m["difference"] is None and m["exceeds_mdc"] is None
        assert m["note"] == "no value for left and right"


def test_one_sided_none_names_the_missing_side() -> None:
    left = {"drill": "lunge", "max_inclination_deg": None}
    right = {"drill": "lunge", "max_inclination_deg": 42.0}
    m = by_name(compare_limbs(left, right))["max_inclination_deg"]
    assert m["note"] == "no value for left"
    assert m["exceeds_mdc"] is None


def test_report_is_json_ready() -> None:
    report = compare_limbs(stance("left"), stance("right", losses_of_balance=2), "right")
    assert json.loads(json.dumps(report)) == report
    assert report["drill"] == "stance" and report["involved"] == "right"
    losses = by_name(report)["losses_of_balance"]
    assert losses["lsi_pct"] == 0.0 and losses["lsi_below_90"] is True  # 0 / 2
    assert losses["right"] == 2 and isinstance(losses["right"], int)  # counts stay counts


def test_mismatched_drills_are_an_input_error() -> None:
    hop = {"drill": "hop", "file": "right_hop.csv"}
    with pytest.raises(InputError, match=r"^right_hop\.csv: a hop result cannot be compared"):
        compare_limbs(stance("left"), hop)


def test_drill_without_rules_is_an_input_error() -> None:
    board = {"drill": "board", "file": "b.csv"}
    with pytest.raises(InputError, match="no symmetry rules for drill 'board'"):
        compare_limbs(board, board)


def test_results_swapped_between_legs_are_an_input_error() -> None:
    with pytest.raises(InputError, match="given as the left leg but recorded on the right_shank"):
        compare_limbs(stance("right"), stance("right"))


def test_bad_involved_side_is_refused() -> None:
    with pytest.raises(ValueError, match="involved"):
        compare_limbs(stance("left"), stance("right"), involved="both")  # type: ignore[arg-type]
