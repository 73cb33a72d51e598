"""Firmware tests run the node's code under the real MicroPython unix port."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from node_host import micropython, micropython_missing

# The fake `machine` module is MicroPython code for the node, not a test module.
collect_ignore = ["fake"]


@pytest.fixture(scope="session")
def micropython_exe() -> str:
    exe = micropython()
    if exe is None:
        pytest.skip(micropython_missing())
    return exe
