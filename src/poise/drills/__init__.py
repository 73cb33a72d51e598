"""Drills as guided trials: one module per drill says what is spoken, when, and for how long.

The trial's sequence (intro, calibration, countdown, trial, end) is common to
every drill and run by :class:`poise.drills.machine.TrialMachine`.
"""

from __future__ import annotations

from poise.drills import board, hop, lunge, stance
from poise.drills.protocol import DrillSpec

SPECS: dict[str, DrillSpec] = {s.name: s for s in (stance.SPEC, hop.SPEC, lunge.SPEC, board.SPEC)}
