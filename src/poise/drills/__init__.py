"""The drills: one module each, one :class:`~poise.drills.drill.Drill` per module.

:data:`DRILLS` is the registry, and the only list of drills: the command
line's choices, the store's validation, the headline metrics, the symmetry
rules and the live session all read it. Adding a drill is one new module
plus one line here.

A trial's sequence (intro, calibration, countdown, trial, end) is common to
every drill and run by :class:`poise.drills.machine.TrialMachine`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from poise.drills.drill import Drill
from poise.drills.protocol import DrillSpec, SessionTiming
from poise.metrics import symmetry
from poise.metrics.symmetry import MetricRule, Side

#: The drill modules, each with its ``DRILL``, in the order the command line lists them.
MODULES = (
    "stance",
    "hop",
    "lunge",
    "board",
    "hip",
)
DRILLS: dict[str, Drill] = {
    d.name: d for d in (import_module(f"poise.drills.{name}").DRILL for name in MODULES)
}

#: The drills a guided trial can run: their live parts.
LIVE: dict[str, DrillSpec] = {name: d.live for name, d in DRILLS.items() if d.live is not None}


@dataclass(frozen=True)
class TrainSettings(*(live.settings for live in reversed(LIVE.values())), SessionTiming):
    """How a guided session is timed.

    The ``[train]`` settings: the timing every trial shares
    (:class:`~poise.drills.protocol.SessionTiming`), then each live drill's own
    (:attr:`DrillSpec.settings <poise.drills.protocol.DrillSpec>`, in registry
    order), each key declared and checked in its drill's module.
    """

    def __post_init__(self) -> None:
        for part in type(self).__mro__[1:]:
            check = vars(part).get("__post_init__")
            if check is not None:
                check(self)


#: The metrics compared between legs, per drill that compares them.
RULES: dict[str, tuple[MetricRule, ...]] = {
    name: d.symmetry for name, d in DRILLS.items() if d.compares_legs
}


def compare_limbs(
    left: Mapping[str, Any], right: Mapping[str, Any], involved: Side | None = None
) -> dict[str, Any]:
    """:func:`poise.metrics.symmetry.compare_limbs` with the drills' own rules."""
    return symmetry.compare_limbs(left, right, RULES, involved)
