"""The noise floor of a scored span, and the ``noise`` warning of sway figures near it.

The floor (:mod:`poise.metrics.noise`) comes from the recording's reference
still period, or from its quietest second when it has none. A sway figure
within ``NOISE_MARGIN`` times its floor is warned about, with how much noise
can have inflated it at most.

``NOISE_MARGIN`` is 3: at 2.4 times its floor an RMS is inflated by at most
10% (the issue's limit for sway RMS; 2.0 for the 15% of AP and ML RMS, 2.45
for the 20% of the ellipse area), and 3 keeps those limits with a floor
measured up to 20% low (2 s of still data give its RMS to about that).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from poise.errors import PoiseError
from poise.metrics.noise import NoiseFloor, floor_of, inflation_bound, quietest_window
from poise.validity import ResultWarning

if TYPE_CHECKING:
    from poise.analysis import Span

NOISE_MARGIN = 3.0
_FROM = {"still_period": "still period", "quietest_second": "quietest second, no still period"}


def span_noise_floor(span: Span) -> NoiseFloor:
    """The floor of the recording the span was cut from (tilt, deg)."""
    from poise.analysis.prepare import cut  # lazy: the registry imports the drills

    calibration = span.prepared.calibration
    if calibration.found and calibration.reference_t_s is not None:
        try:
            still = cut(span.tracked, *calibration.reference_t_s)
        except PoiseError:  # a reference too short or gapped to cut: look for quiet instead
            pass
        else:
            return floor_of(
                still.tilt_deg[:, 0], still.tilt_deg[:, 1], still.rate_hz, "still_period"
            )
    whole = span.whole()
    ap, ml = whole.tilt_deg[:, 0], whole.tilt_deg[:, 1]
    quiet = quietest_window(ap, ml, whole.rate_hz)
    return floor_of(ap[quiet], ml[quiet], whole.rate_hz, "quietest_second")


def noise_warnings(
    figures: list[tuple[str, float | None, float]], floor_deg: float, source: str
) -> list[ResultWarning]:
    """A ``noise`` warning naming each figure within ``NOISE_MARGIN`` of its floor.

    Args:
        figures: (what, measured, its floor) per figure, in the figure's unit.
        floor_deg: the 2-D floor, deg, and ``source`` where it was measured.
    """
    close = []
    for name, measured, floor in figures:
        if measured is None or not floor > 0 or measured >= NOISE_MARGIN * floor:
            continue
        bound = inflation_bound(measured, floor)
        how = (
            "it may be all noise"
            if bound == float("inf")
            else f"noise may inflate it by up to {bound:.0%}"
        )
        close.append(f"{name} {measured:.3g} is {measured / floor:.1f}x its floor: {how}")
    if not close:
        return []
    return [
        ResultWarning(
            "noise",
            f"noise floor {floor_deg:.3g} deg ({_FROM[source]}): " + "; ".join(close),
        )
    ]
