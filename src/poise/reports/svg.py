"""A small SVG plot: axes with round ticks, lines, points, bands, bars and labels.

The report's figures are few and simple (a path, an ellipse, a trend, two bars),
and a Pi builds a dozen for one visit: drawn here as SVG text in a few
milliseconds each, with no plotting library to import (matplotlib costs more to
import on a Pi than the whole report may take). The same SVG goes into the HTML
page, the PDF and the web view. Every text is escaped; colours are presentation
attributes, which every SVG renderer reads.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

#: Left and right, and the lines drawn over them (colour-blind safe: Okabe-Ito).
COLOURS = {
    "left": "#0072B2",
    "right": "#D55E00",
    "board": "#009E73",
    "mark": "#CC3311",
    "line": "#333333",
}


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round values (1, 2 or 5 times a power of ten) spanning [lo, hi].

    >>> nice_ticks(0.0, 43.0)
    [0.0, 10.0, 20.0, 30.0, 40.0]
    >>> nice_ticks(-2.6, 3.1)
    [-2.0, 0.0, 2.0]
    """
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9)
    ticks = [round(k * step, 10) for k in range(first, math.floor(hi / step + 1e-9) + 1)]
    return [t + 0.0 for t in ticks]


def padded(lo: float, hi: float, fraction: float = 0.08, least: float = 0.0) -> tuple[float, float]:
    """[lo, hi] widened by ``fraction`` of its width each side, and to at least ``least``
    wide in all (to 2 when it has no width), so that noise is not drawn as a cliff."""
    width = hi - lo
    if width < least:
        middle = (lo + hi) / 2
        lo, hi, width = middle - least / 2, middle + least / 2, least
    if width <= 0:
        return lo - 1.0, hi + 1.0
    return lo - fraction * width, hi + fraction * width


def _number(v: float) -> str:
    return f"{v:.1f}"


def _label(v: float) -> str:
    return f"{v:g}"


@dataclass
class Plot:
    """One plot area, ``width`` by ``height`` px, data ranges ``x_range`` and ``y_range``.

    ``equal`` keeps one unit the same length on both axes (a stabilogram), widening
    the shorter range. Draw with the methods, then :meth:`svg`. The ``title`` is the
    SVG's ``<title>``, not drawn: the page prints it above the plot as its own text
    (a PDF renderer lays out SVG text letter by letter, page text by the line).
    """

    title: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    x_label: str = ""
    y_label: str = ""
    width: int = 320
    height: int = 220
    equal: bool = False
    x_ticks: Sequence[tuple[float, str]] | None = None
    name: str = "plot"
    _parts: list[str] = field(default_factory=list, repr=False)

    left: int = 52
    right: int = 10
    top: int = 18
    bottom: int = 34

    def __post_init__(self) -> None:
        if self.equal:
            self._equalise()

    def _equalise(self) -> None:
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        w_px, h_px = self._inner()
        per_px = max((x1 - x0) / w_px, (y1 - y0) / h_px)
        xc, yc = (x0 + x1) / 2, (y0 + y1) / 2
        self.x_range = (xc - per_px * w_px / 2, xc + per_px * w_px / 2)
        self.y_range = (yc - per_px * h_px / 2, yc + per_px * h_px / 2)

    def _inner(self) -> tuple[float, float]:
        return self.width - self.left - self.right, self.height - self.top - self.bottom

    def x(self, v: float) -> float:
        """Pixel column of data value ``v``."""
        x0, x1 = self.x_range
        return self.left + (v - x0) / (x1 - x0) * self._inner()[0]

    def y(self, v: float) -> float:
        """Pixel row of data value ``v`` (up is up)."""
        y0, y1 = self.y_range
        return self.top + (1.0 - (v - y0) / (y1 - y0)) * self._inner()[1]

    def line(
        self, xs: Sequence[float], ys: Sequence[float], colour: str, width: float = 1.2
    ) -> None:
        """A polyline through the finite points."""
        points = " ".join(
            f"{_number(self.x(a))},{_number(self.y(b))}"
            for a, b in zip(xs, ys, strict=True)
            if math.isfinite(a) and math.isfinite(b)
        )
        if points:
            self._parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" '
                f'stroke-width="{width}" stroke-linejoin="round" data-series="line"/>'
            )

    def points(
        self, xs: Sequence[float], ys: Sequence[float], colour: str, radius: float = 2.5
    ) -> None:
        """A dot at each finite point."""
        for a, b in zip(xs, ys, strict=True):
            if math.isfinite(a) and math.isfinite(b):
                self._parts.append(
                    f'<circle cx="{_number(self.x(a))}" cy="{_number(self.y(b))}" '
                    f'r="{radius}" fill="{colour}" data-series="point"/>'
                )

    def ellipse(
        self, cx: float, cy: float, rx: float, ry: float, angle_deg: float, colour: str
    ) -> None:
        """An ellipse in data units, its ``rx`` axis turned ``angle_deg`` from x (counter-
        clockwise as the data runs; SVG's rows run down, hence the sign)."""
        self._parts.append(
            f'<ellipse cx="0" cy="0" rx="{_number(self._px_x(rx))}" '
            f'ry="{_number(self._px_y(ry))}" fill="none" stroke="{colour}" stroke-width="1.5" '
            f'stroke-dasharray="4 2" data-series="ellipse" transform="translate('
            f'{_number(self.x(cx))} {_number(self.y(cy))}) rotate({-angle_deg:.1f})"/>'
        )

    def _px_x(self, dx: float) -> float:
        return dx / (self.x_range[1] - self.x_range[0]) * self._inner()[0]

    def _px_y(self, dy: float) -> float:
        return dy / (self.y_range[1] - self.y_range[0]) * self._inner()[1]

    def band(
        self, x0: float, x1: float, y0: float, y1: float, colour: str, opacity: float = 0.35
    ) -> None:
        """A shaded rectangle in data units (a normal range, an MDC band)."""
        lo_x, hi_x = sorted((self.x(x0), self.x(x1)))
        lo_y, hi_y = sorted((self.y(y0), self.y(y1)))
        self._parts.append(
            f'<rect x="{_number(lo_x)}" y="{_number(lo_y)}" width="{_number(hi_x - lo_x)}" '
            f'height="{_number(hi_y - lo_y)}" fill="{colour}" fill-opacity="{opacity}" '
            f'data-series="band"/>'
        )

    def bar(self, x0: float, x1: float, top: float, colour: str, label: str = "") -> None:
        """A bar from zero (or the bottom of the range) to ``top``, between x0 and x1."""
        base = max(0.0, self.y_range[0])
        self.band(x0, x1, base, top, colour, opacity=0.9)
        if label:
            self.text((x0 + x1) / 2, top, label, anchor="middle", dy=-3)

    def hline(self, y: float, colour: str, label: str = "", dashed: bool = True) -> None:
        """A horizontal line across the plot at data value ``y``, labelled at the right."""
        self._rule(self.left, self.y(y), self.width - self.right, self.y(y), colour, dashed)
        if label:
            self._parts.append(
                f'<text x="{self.width - self.right - 2}" y="{_number(self.y(y) - 3)}" '
                f'font-size="9" text-anchor="end" fill="{colour}">{escape(label)}</text>'
            )

    def vline(self, x: float, colour: str, dashed: bool = True) -> None:
        """A vertical line over the plot at data value ``x`` (an event)."""
        self._rule(self.x(x), self.top, self.x(x), self.height - self.bottom, colour, dashed)

    def _rule(self, x0: float, y0: float, x1: float, y1: float, colour: str, dashed: bool) -> None:
        dash = ' stroke-dasharray="3 3"' if dashed else ""
        self._parts.append(
            f'<line x1="{_number(x0)}" y1="{_number(y0)}" x2="{_number(x1)}" y2="{_number(y1)}" '
            f'stroke="{colour}" stroke-width="1"{dash} data-series="rule"/>'
        )

    def text(self, x: float, y: float, words: str, anchor: str = "start", dy: float = 0.0) -> None:
        """``words`` at data point (x, y)."""
        self._parts.append(
            f'<text x="{_number(self.x(x))}" y="{_number(self.y(y) + dy)}" font-size="9" '
            f'text-anchor="{anchor}" fill="{COLOURS["line"]}">{escape(words)}</text>'
        )

    def legend(self, entries: Sequence[tuple[str, str]]) -> None:
        """A row of (colour, name) swatches at the top right."""
        x = self.width - self.right
        for colour, name in reversed(entries):
            x -= 6 + 5.5 * len(name)
            self._parts.append(
                f'<rect x="{x:.1f}" y="5" width="8" height="8" fill="{colour}"/>'
                f'<text x="{x + 11:.1f}" y="12.5" font-size="9" fill="{COLOURS["line"]}">'
                f"{escape(name)}</text>"
            )
            x -= 14

    def svg(self) -> str:
        """The plot as one ``<svg>`` element, axes and labels included."""
        w, h = self.width, self.height
        frame = (
            f'<rect x="{self.left}" y="{self.top}" width="{w - self.left - self.right}" '
            f'height="{h - self.top - self.bottom}" fill="none" stroke="#999999"/>'
        )
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
            f'viewBox="0 0 {w} {h}" font-family="DejaVu Sans, sans-serif" '
            f'data-plot="{escape(self.name)}" role="img" aria-label="{escape(self.title)}">'
            f"<title>{escape(self.title)}</title>"
            f"{frame}{self._axes()}{''.join(self._parts)}</svg>"
        )

    def _axes(self) -> str:
        # Tick marks as one path: a renderer's cost is per element, and a report has 40 plots.
        parts, marks = [], []
        bottom = self.height - self.bottom
        x_ticks = self.x_ticks
        if x_ticks is None:
            x_ticks = [(t, _label(t)) for t in nice_ticks(*self.x_range)]
        for value, text in x_ticks:
            px = self.x(value)
            marks.append(f"M{_number(px)} {bottom}v3")
            parts.append(
                f'<text x="{_number(px)}" y="{bottom + 12}" font-size="9" '
                f'text-anchor="middle" fill="{COLOURS["line"]}">{escape(text)}</text>'
            )
        for value in nice_ticks(*self.y_range):
            py = self.y(value)
            marks.append(f"M{self.left - 3} {_number(py)}h3")
            parts.append(
                f'<text x="{self.left - 5}" y="{_number(py + 3)}" font-size="9" '
                f'text-anchor="end" fill="{COLOURS["line"]}">{escape(_label(value))}</text>'
            )
        if self.x_label:
            parts.append(
                f'<text x="{(self.left + self.width - self.right) / 2:.1f}" '
                f'y="{self.height - 4}" font-size="9" text-anchor="middle" '
                f'fill="{COLOURS["line"]}">{escape(self.x_label)}</text>'
            )
        if self.y_label:
            middle = (self.top + bottom) / 2
            parts.append(
                f'<text x="10" y="{middle:.1f}" font-size="9" text-anchor="middle" '
                f'transform="rotate(-90 10 {middle:.1f})" fill="{COLOURS["line"]}">'
                f"{escape(self.y_label)}</text>"
            )
        return f'<path d="{"".join(marks)}" stroke="#999999" fill="none"/>' + "".join(parts)
