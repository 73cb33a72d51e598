"""Every drill's full result on a fixed simulation, pinned.

A change in any figure fails here; if it is meant, update the snapshots
(POISE_UPDATE_SNAPSHOTS=1), review the diff, and raise ALGORITHM_VERSION when a
metric's meaning or value changes, so stored results stay comparable.
"""

import pytest

from conftest import check_snapshot, simulated
from poise.analysis import analyze
from poise.metrics import ALGORITHM_VERSION

CASES = {
    "stance": ("stance", {"losses": 3, "eyes": "closed"}),
    "hop": ("hop", {"hops": 3}),
    "repeated_hops": ("hop", {"mode": "repeated", "hops": 5}),
    "lunge": ("lunge", {}),
    "board": ("board", {"edge_touches": 2}),
    "hip": ("hip", {}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_snapshot_of_every_drill(case):
    scenario, params = CASES[case]
    result = analyze(simulated(scenario, seed=7, **params).recording, scenario)
    assert result["algorithm_version"] == ALGORITHM_VERSION
    check_snapshot(f"analyze_{case}", result, rel=1e-4, abs_=1e-6)
