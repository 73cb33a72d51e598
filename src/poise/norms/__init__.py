"""Published norms as data, and placing an athlete's value against them.

:mod:`poise.norms.table` is the shape of a table, :mod:`poise.norms.load` reads
and checks the files (``config/norms/*.toml``, and a clinic's own in
``~/.config/poise/norms``), :mod:`poise.norms.place` places a value (pure).
docs/norms.md lists the shipped tables, their sources and what was left out.
"""

from poise.norms.load import load_norm, norm, norms
from poise.norms.place import Age, Placement, condition_facts, place
from poise.norms.table import Norm, NormRow, NormTest

__all__ = [
    "Age",
    "Norm",
    "NormRow",
    "NormTest",
    "Placement",
    "condition_facts",
    "load_norm",
    "norm",
    "norms",
    "place",
]
