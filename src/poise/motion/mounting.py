"""Which mounting a recording is scored with, where it came from, and whether the data agree.

How the sensor sits on the shin decides which of its axes is forward and which
is sideways: a sensor strapped on the lateral side of the shin read as if it
were on the front swaps AP and ML sway; upside down, it flips their signs. So
the mounting is declared, and the result says by whom (precedence, highest
first):

1. ``command line``: ``--mounting SPEC`` on the command that reads the file;
2. ``header``: a Poise recording's own ``mounting`` field (with the functional
   calibration's ``mounting_found``, when a guided session found it);
3. ``config``: ``mounting`` in the ``[sensor]`` section of the settings file,
   for a file whose header says nothing (an imported CSV file).

Where none of them said, ``+x+y+z`` is assumed and the result carries
``mounting_unknown``. Where the still period puts gravity far from the declared
tibia axis (upside down, or the sensor's x or y up the shin), the data
contradict the mounting and the result carries ``mounting_contradicted``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from poise.motion.calibration import Calibration
from poise.motion.frames import mounting_matrix
from poise.recording import RecordingMeta
from poise.validity import ResultWarning

#: Where a mounting can come from, highest precedence first.
ORIGINS = ("command line", "header", "config")
#: Quiet standing (or a level board) puts the tibia (the board's normal) within this
#: of vertical; gravity farther from the declared axis contradicts the mounting, deg.
CONTRADICTION_DEG = 30.0


def resolve_mounting(
    meta: RecordingMeta,
    origin: str | None,
    command_line: str | None = None,
    config: str | None = None,
) -> tuple[RecordingMeta, str | None]:
    """The metadata with the mounting that wins, and where it came from.

    Args:
        meta: as read (a Poise recording's header, or an import's defaults).
        origin: ``"header"`` when ``meta.mounting`` is the file's own, else None.
        command_line: ``--mounting`` as given, if it was.
        config: ``[sensor] mounting`` of the settings file, if it names one.

    A declared mounting replaces any found one (``mounting_found``): it is a
    statement about this file. Raises ValueError naming the spec if it is unreadable.
    """
    for given, where in ((command_line, "command line"), (config, "config")):
        if given is None or (where == "config" and origin == "header"):
            continue
        mounting_matrix(given)  # a one-line ValueError for an unreadable spec
        return dataclasses.replace(meta, mounting=given.strip().lower(), mounting_found=None), where
    return meta, origin


def mounting_summary(meta: RecordingMeta, origin: str | None) -> dict[str, Any]:
    """What a result says of its mounting: the spec used, where it came from, and the
    functional calibration's findings (method, quality) if the header has them.
    ``from`` is None where nobody declared it (``+x+y+z`` assumed)."""
    found = meta.mounting_found
    return {
        "spec": meta.mounting,
        "from": origin,
        "found": found,
    }


def mounting_warnings(
    meta: RecordingMeta, origin: str | None, calibration: Calibration
) -> list[ResultWarning]:
    """``mounting_unknown`` where nobody declared the mounting and no calibration found
    it; ``mounting_contradicted`` where the still period's gravity is on another axis."""
    warnings = []
    if origin is None and meta.mounting_found is None:
        warnings.append(
            ResultWarning(
                "mounting_unknown",
                f"nobody said how the sensor sits; {meta.mounting} (on the front of the "
                "shin, z up) assumed: on the side of the shin AP and ML swap, upside down "
                "they change sign. Give --mounting (e.g. +y-x+z) or [sensor] mounting",
            )
        )
    standing = calibration.standing_from_vertical_deg()
    if standing is not None and standing[2] > CONTRADICTION_DEG:
        warnings.append(
            ResultWarning(
                "mounting_contradicted",
                f"in the still period gravity is {standing[2]:.0f} deg from the tibia axis "
                f"that mounting {meta.mounting} declares ({origin or 'assumed'}): the sensor "
                "does not sit that way; AP and ML may be swapped or of the wrong sign",
            )
        )
    return warnings
