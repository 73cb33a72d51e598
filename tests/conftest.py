"""Shared fixtures: the real recordings, and simulations cached for the whole session."""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from poise.sim import SimResult, simulate

ROOT = Path(__file__).resolve().parents[1]
# No test, nor any process a test starts, reads or writes the user's own store and
# settings: a command run without --store gets a data folder of the test run's own.
_HOME = tempfile.mkdtemp(prefix="poise-tests-")
os.chmod(_HOME, 0o700)
os.environ["POISE_DATA_DIR"] = os.path.join(_HOME, "data")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ.pop("POISE_CONFIG", None)
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)
# The real recordings live beside the project (../shared/data/recordings) or where
# $POISE_RECORDINGS says (CI points it there when the clone is elsewhere).
RECORDINGS = Path(
    os.environ.get("POISE_RECORDINGS") or ROOT.parent / "shared" / "data" / "recordings"
)
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
#: The chips and rates accuracy is held at: the lowest and highest each offers in use.
RATES = [("lsm6dso32", 104.0), ("mpu6050", 100.0), ("lsm6dso32", 833.0), ("mpu6050", 1000.0)]


def recording_path(name: str) -> Path:
    """A real recording from ../shared/data/recordings; skips when the folder is absent."""
    path = RECORDINGS / name
    if not path.is_file():
        pytest.skip(f"real recording {name} not found in {RECORDINGS}")
    return path


@functools.cache
def _simulated(scenario: str, items: tuple) -> SimResult:
    return simulate(scenario, **dict(items))


def simulated(scenario: str, **kwargs: object) -> SimResult:
    """``poise.sim.simulate`` with the result shared between tests (it is deterministic)."""
    return _simulated(scenario, tuple(sorted(kwargs.items())))


def check_snapshot(name: str, values: dict, rel: float = 1e-6, abs_: float = 1e-9) -> None:
    """Compare ``values`` with the stored snapshot ``tests/snapshots/<name>.json``.

    A missing snapshot fails the test (so nothing passes by accident); set
    POISE_UPDATE_SNAPSHOTS=1 to write it, then review and commit it.
    """
    path = SNAPSHOTS / f"{name}.json"
    if os.environ.get("POISE_UPDATE_SNAPSHOTS") == "1":
        path.write_text(json.dumps(values, indent=2, sort_keys=True) + "\n")
        return
    if not path.exists():
        pytest.fail(
            f"snapshot {path.name} is missing; run with POISE_UPDATE_SNAPSHOTS=1 and review it"
        )
    expected = json.loads(path.read_text())
    _compare(expected, json.loads(json.dumps(values)), name, rel, abs_)


def _compare(expected: object, actual: object, where: str, rel: float, abs_: float) -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) == set(expected), f"{where}: keys differ"
        for key in expected:
            _compare(expected[key], actual[key], f"{where}.{key}", rel, abs_)
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{where}: length differs"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            _compare(e, a, f"{where}[{i}]", rel, abs_)
    elif isinstance(expected, float) and isinstance(actual, int | float):
        assert np.isclose(actual, expected, rtol=rel, atol=abs_), f"{where}: {actual} != {expected}"
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"
