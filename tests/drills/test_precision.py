"""Every figure is printed to what it resolves and kept in the JSON to one place more,
from one table per drill, which docs/metrics.md quotes."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from conftest import simulated
from poise.analysis import analyze
from poise.analysis.report import format_analysis
from poise.drills import DRILLS

#: Figures in the JSON only: the text report leaves them out.
NOT_PRINTED = {
    "duration_s",
    "jerk_dps3",
    "max_tilt_deg",
    "max_inclination_rel_standing_deg",
    "acc_full_scale_g",
    "flight_stray_g",
}
DOCS = Path(__file__).parents[2] / "docs" / "metrics.md"
CASES = {
    "stance": ("stance", {"losses": 2, "seed": 651}),
    "hop": ("hop", {"mode": "repeated", "hops": 3, "seed": 651}),
    "lunge": ("lunge", {"seed": 651}),
    "board": ("board", {"edge_touches": 1, "seed": 651}),
    "hip": ("hip", {"seed": 651}),
}


def floats(name: str, value: object):
    """(name, value) of every float in a result's figure, into its events."""
    if isinstance(value, float):
        yield name, value
    elif isinstance(value, dict):
        for key, v in value.items():
            yield from floats(key, v)
    elif isinstance(value, list):
        for v in value:
            yield from floats(name, v)


def places(x: float) -> int:
    text = repr(x)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


@pytest.mark.parametrize("drill", list(DRILLS))
def test_every_figure_has_a_step_and_the_json_one_place_more_at_most(drill):
    scenario, params = CASES[drill]
    result = analyze(simulated(scenario, **params).recording, drill)
    table = DRILLS[drill].result.RESOLUTION
    seen = set()
    for f in fields(DRILLS[drill].result):
        for name, x in floats(f.name, result[f.name]):
            assert name in table, f"{drill}: {name} has no Resolution"
            assert places(x) <= table[name].json_decimals, f"{drill}: {name} = {x}"
            seen.add(name)
    assert seen, "no figure was checked"
    # The text prints each field's figure to its step: no more places than that.
    text = format_analysis(result)
    printed = seen & {f.name for f in fields(DRILLS[drill].result)} - NOT_PRINTED
    missing = [n for n in printed if table[n].text(result[n]) not in text]
    assert not missing, f"{drill}: printed otherwise: {missing}"


def test_docs_quote_every_step():
    rows = set(re.findall(r"^\| (\w+) \| `(\w+)` \| ([^|]+) \| (\d+) \|", DOCS.read_text(), re.M))
    code = {
        (drill, name, r.step, str(r.json_decimals))
        for drill, d in DRILLS.items()
        for name, r in d.result.RESOLUTION.items()
    }
    assert code == {(d, n, step.strip(), j) for d, n, step, j in rows}


def test_a_height_is_printed_in_whole_cm_and_a_flight_in_ms():
    result = analyze(simulated(*CASES["hop"][:1], **CASES["hop"][1]).recording, "hop")
    text = format_analysis(result)
    h = result["landings"][0]
    assert f"flight {h['flight_s'] * 1000:.0f} ms, height {h['height_m'] * 100:.0f} cm" in text
    assert re.search(r"height \d+\.\d cm", text) is None
