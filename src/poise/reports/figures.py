"""The report's plots, as SVG (:mod:`poise.reports.svg`): one function per kind.

Each takes the numbers it draws and returns the drawn :class:`Plot`, whose
``svg()`` is one ``<svg>`` element with a ``data-plot`` naming the kind, so a test
(or the web view) can find it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from poise.reports.svg import COLOURS, Plot, padded
from poise.reports.traces import Trace
from poise.visits import LSI_FLAG_PCT


def stabilogram(trace: Trace, title: str, colour: str) -> Plot:
    """AP against ML tilt, the path and its 95% prediction ellipse, equal scales."""
    ml, ap = trace.tilt_ml_deg, trace.tilt_ap_deg
    cx, cy, major, minor, angle = trace.ellipse
    reach = max(major, 0.5)
    plot = Plot(
        title,
        padded(min(float(ml.min()), cx - reach), max(float(ml.max()), cx + reach)),
        padded(min(float(ap.min()), cy - reach), max(float(ap.max()), cy + reach)),
        x_label="ML tilt, deg",
        y_label="AP tilt, deg",
        width=250,
        height=230,
        equal=True,
        name="stabilogram",
    )
    plot.line(ml.tolist(), ap.tolist(), colour, width=0.8)
    plot.ellipse(cx, cy, major, minor, angle, COLOURS["line"])
    return plot


def tilt_time(trace: Trace, losses_t_s: Sequence[float], title: str) -> Plot:
    """AP and ML tilt against time from the trial's start, each loss of balance a red line."""
    t = trace.t_s
    both = [*trace.tilt_ap_deg.tolist(), *trace.tilt_ml_deg.tolist()]
    plot = Plot(
        title,
        (0.0, max(float(t[-1]), 1.0)),
        padded(min(both), max(both)),
        x_label="time, s",
        y_label="tilt, deg",
        width=420,
        height=200,
        name="tilt-time",
    )
    plot.line(t.tolist(), trace.tilt_ap_deg.tolist(), COLOURS["left"], width=0.8)
    plot.line(t.tolist(), trace.tilt_ml_deg.tolist(), COLOURS["right"], width=0.8)
    for at in losses_t_s:
        plot.vline(at - trace.start_s, COLOURS["mark"], dashed=False)
    plot.legend([(COLOURS["left"], "AP"), (COLOURS["right"], "ML"), (COLOURS["mark"], "loss")])
    return plot


def trend(
    title: str,
    unit: str,
    series: Mapping[str, Sequence[tuple[int, float]]],
    bands: Mapping[str, tuple[float, float]],
) -> Plot:
    """Each leg's score over visits (visit number, value), and per leg its band (the
    personal normal range, or the baseline +- the MDC) shaded in its colour."""
    values = [v for points in series.values() for _, v in points]
    values += [v for band in bands.values() for v in band]
    visits = sorted({n for points in series.values() for n, _ in points})
    lo, hi = min(values), max(values)
    first, last = visits[0], visits[-1]
    plot = Plot(
        title,
        (first - 0.5, last + 0.5),
        # At least a fifth of the value tall: a change of a hundredth is not a cliff.
        padded(lo, hi, 0.15, least=0.2 * max(abs(lo), abs(hi))),
        x_label="visit",
        y_label=unit,
        width=300,
        height=200,
        x_ticks=[(float(n), str(n)) for n in visits],
        name="trend",
    )
    for leg, (low, high) in bands.items():
        plot.band(first - 0.5, last + 0.5, low, high, COLOURS[leg], opacity=0.12)
    for leg, points in series.items():
        xs = [float(n) for n, _ in points]
        ys = [v for _, v in points]
        plot.line(xs, ys, COLOURS[leg])
        plot.points(xs, ys, COLOURS[leg])
    plot.legend([(COLOURS[leg], leg) for leg in series])
    return plot


def left_right(
    title: str,
    unit: str,
    left: tuple[float, str],
    right: tuple[float, str],
    reference: str | None,
    lsi_pct: float | None,
) -> Plot:
    """Left and right bars (each a value and its printed text), the LSI above them, and
    the 90% line of the reference leg (the uninvolved, or the better when none is named)."""
    (left_v, left_text), (right_v, right_text) = left, right
    top = max(left_v, right_v, 1e-9)
    plot = Plot(
        title,
        (0.0, 2.0),
        (0.0, top * 1.25),
        y_label=unit,
        width=200,
        height=200,
        x_ticks=[(0.5, "left"), (1.5, "right")],
        name="left-right",
    )
    plot.bar(0.15, 0.85, left_v, COLOURS["left"], left_text)
    plot.bar(1.15, 1.85, right_v, COLOURS["right"], right_text)
    if reference is not None:
        line = (left_v if reference == "left" else right_v) * LSI_FLAG_PCT / 100.0
        plot.hline(line, COLOURS["mark"], f"{LSI_FLAG_PCT:.0f}% of {reference}")
    if lsi_pct is not None and math.isfinite(lsi_pct):
        plot.text(1.0, top * 1.2, f"LSI {lsi_pct:.1f}%", anchor="middle")
    return plot


def events(title: str, unit: str, series: Mapping[str, Sequence[float | None]]) -> Plot:
    """One figure per event (a landing, a rep) in order, per leg: dots joined by a line."""
    values = [v for vs in series.values() for v in vs if v is not None and math.isfinite(v)]
    count = max((len(vs) for vs in series.values()), default=1)
    plot = Plot(
        title,
        (0.5, count + 0.5),
        padded(min(values, default=0.0), max(values, default=1.0), 0.15),
        x_label="in order",
        y_label=unit,
        width=300,
        height=190,
        x_ticks=[(float(n), str(n)) for n in range(1, count + 1)],
        name="events",
    )
    for leg, vs in series.items():
        xs = [float(n) for n, v in enumerate(vs, 1) if v is not None]
        ys = [float(v) for v in vs if v is not None]
        plot.line(xs, ys, COLOURS[leg])
        plot.points(xs, ys, COLOURS[leg])
    plot.legend([(COLOURS[leg], leg) for leg in series])
    return plot
