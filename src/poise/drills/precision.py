"""What each printed figure resolves, and so how many places it is printed to.

Each drill's result names a :class:`Resolution` per figure
(``DrillResult.RESOLUTION``); the text report prints the figure to it and the
JSON keeps one place more, no further: a digit that only shows noise is not
printed. The steps and their grounds are tabled in docs/metrics.md
("Precision"), which a test holds to these. The kinds shared by several drills
are here; a drill's own are in its module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Resolution:
    """What a figure resolves, and so how it is printed.

    Args:
        decimals: places it is printed to, in ``unit``.
        unit: the unit it is printed in.
        basis: why that step: what the figure resolves, as measured.
        scale: the printed value per JSON value (1000 for seconds printed as ms).
    """

    decimals: int
    unit: str
    basis: str
    scale: float = 1.0

    @property
    def json_decimals(self) -> int:
        """Places the JSON keeps, in its own unit: one more than printed."""
        return self.decimals + 1 + round(math.log10(self.scale))

    @property
    def step(self) -> str:
        """The printed step with its unit, e.g. ``0.01 deg``."""
        step = f"{10.0**-self.decimals:.{self.decimals}f}"
        return step if self.unit == "1" else f"{step} {self.unit}"

    def text(self, value: float | None, sign: str = "") -> str:
        """The figure as printed, ``-`` where it could not be computed; ``sign="+"``
        for a change."""
        if value is None:
            return "-"
        # Rounded first, so that a change of -0.00001 is printed 0.0, never -0.0.
        shown = round(value * self.scale, self.decimals) + 0.0
        return f"{shown:{sign}.{self.decimals}f}"


def plain(value: float | None, sign: str = "") -> str:
    """A figure without a :class:`Resolution` (a count): three significant figures,
    ``-`` where there is none."""
    return "-" if value is None else format(value, f"{sign}.3g")


#: A tilt's RMS over a trial: within 10-15% on the simulator for sways of 0.3-4 deg,
#: above a noise floor of 0.005-0.08 deg; 0.01 deg is the floor's order.
SWAY_RMS = Resolution(2, "deg", "within 10-15% of 0.3-4 deg; the noise floor is 0.005-0.08 deg")
#: The noise floor itself, 0.005-0.08 deg on the chips supported.
NOISE_FLOOR = Resolution(3, "deg", "the floor itself is 0.005-0.08 deg")
#: An angle held still (a lunge's or hip's repetition): its noise is hundredths of a
#: degree, the AHRS's error between holds tenths; from vertical it is within 1.5 deg.
HELD_ANGLE = Resolution(1, "deg", "a hold's noise is 0.01 deg, the AHRS's drift tenths")
#: When an event happened in the recording: found within 0.1-0.3 s (a loss of
#: balance, a board's edge touch, a hold's edges where the turning stops).
EVENT_TIME = Resolution(1, "s", "events are found to within 0.1-0.3 s")
#: A duration of seconds (time held, time in the zone): the events bounding it.
DURATION = Resolution(1, "s", "bounded by events found to within 0.1-0.3 s")
