"""The drill registry: the only list of drills, cheap to import, and every drill whole."""

from __future__ import annotations

import subprocess
import sys

import pytest

from poise.drills import DRILLS, LIVE, RULES


def test_importing_the_store_does_not_import_the_ahrs():
    """The store and the registry it validates against keep imufusion out of their imports."""
    check = (
        "import poise.store.sqlite, poise.drills, sys; "
        "assert 'imufusion' not in sys.modules, 'imufusion imported'"
    )
    subprocess.run([sys.executable, "-c", check], check=True)


@pytest.mark.parametrize("name", list(DRILLS))
def test_every_drill_is_named_as_registered_and_reports_its_headline_keys(name):
    drill = DRILLS[name]
    assert drill.name == name
    keys = set(drill.result.__dataclass_fields__)
    for rule in drill.headline:
        # A rule reads a key of the result, or a key of each of its landings.
        assert (rule.name if rule.landing_key is None else "landings") in keys
    if drill.live is not None:
        assert drill.live.name == name and LIVE[name] is drill.live
    assert (name in RULES) == drill.compares_legs
