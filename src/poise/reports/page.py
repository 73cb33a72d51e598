"""A visit's report as a page: HTML from one template, and PDF from that HTML.

The template (``templates/visit.html.j2``, Jinja2 with every value escaped) is
the only layout: the HTML file, the PDF (WeasyPrint renders the same HTML)
and the web view all use it. Plots are inline SVG (:mod:`poise.reports.figures`).
Nothing is fetched: fonts are the system's, styles are in the template.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poise import __version__
from poise.drills import DRILLS
from poise.errors import PoiseError
from poise.reports import figures
from poise.reports.svg import COLOURS, Plot
from poise.reports.traces import tilt_trace
from poise.reports.visit_history import change_words, mdc_words, trend_words
from poise.reports.visit_report import STATUS, Primary, VisitReport
from poise.store.reader import TrialRow

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Figure:
    """A plot for the page: its title, its SVG, what it shows in words, its width, px."""

    title: str
    svg: str
    caption: str
    width: int

    @classmethod
    def of(cls, plot: Plot, caption: str) -> Figure:
        return cls(plot.title, plot.svg(), caption, plot.width)


def render_html(report: VisitReport) -> str:
    """The report as one self-contained HTML page."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["value"] = _value
    return env.get_template("visit.html.j2").render(**_context(report))


def render_pdf(html: str) -> bytes:
    """The page as PDF (WeasyPrint; no network: every resource is in the page)."""
    import logging

    # WeasyPrint logs each CSS property it does not support; the template is ours.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    try:
        import weasyprint
    except OSError as e:  # its system libraries (Pango) are missing
        raise PoiseError(
            f"PDF needs Pango (apt install libpango-1.0-0 libpangoft2-1.0-0): {e}"
        ) from None
    # No protocol allowed: nothing is fetched, not http, not file:, not data:.
    fetcher = weasyprint.URLFetcher(allowed_protocols=())
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()


def _value(value: float | None, decimals: int = 1) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:.{decimals}f}"


def _context(report: VisitReport) -> dict[str, Any]:
    visit, battery = report.visit, report.battery
    return {
        "report": report,
        "athlete": report.athlete,
        "visit": visit,
        "battery": battery,
        "primaries": report.primaries,
        "more": report.more,
        "status_names": STATUS,
        "norm_notes": _norm_notes(report),
        "left_right": [_left_right(p, visit.involved) for p in report.primaries if p.symmetry],
        "trends": [_trend(p) for p in report.primaries],
        "change_text": change_text,
        "conditions": _conditions(report),
        "trials": [_trial_row(c, t) for c, t in report.trials],
        "warnings": _warnings(report),
        "notes": _notes(report),
        "algorithms": sorted({t.algorithm_version for _, t in report.trials}),
        "poise_version": __version__,
        "generated_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _norm_notes(report: VisitReport) -> list[str]:
    """Each norm used, with its source and caveats, and each reason a score was not
    placed, once each, in the order met."""
    notes: dict[str, None] = {}
    for p in report.primaries:
        for placement in p.norms.values():
            if placement.shown and placement.norm is not None:
                said = f"{placement.norm.title}, {placement.norm.source}"
                notes[" ".join([said, *placement.caveats])] = None
            else:
                notes[f"{p.condition}. {p.metric}: not placed, {placement.reason}"] = None
    return list(notes)


def _left_right(p: Primary, involved: str | None) -> Figure | None:
    s = p.symmetry
    if s is None or s.left is None or s.right is None:
        return None
    other = {"left": "right", "right": "left"}
    reference = other[involved] if involved in other else s.worse_side and other[s.worse_side]
    return Figure.of(
        figures.left_right(
            f"{p.condition}. {p.metric}",
            p.unit,
            (p.scaled(s.left), p.text(s.left)),
            (p.scaled(s.right), p.text(s.right)),
            reference,
            s.lsi_pct,
        ),
        f"{p.label}: {p.metric}, left against right; the dashed line is 90% of the "
        f"{'uninvolved' if involved in other else 'better'} leg",
    )


def _trend(p: Primary) -> Figure | None:
    """Each leg's score over the visits, with its personal normal range (the baseline
    mean +- the MDC) shaded once the baseline is complete, or else the baseline +- a
    published MDC; the caption says which MDC, and the trend's verdict."""
    legs = p.course.legs if p.course else ()
    if not legs:
        return None
    num, unit = figures_of(p)
    series = {c.leg: [(s.visit, p.scaled(s.value)) for s in c.scores] for c in legs}
    bands, words = {}, []
    for c in legs:
        band = c.normal_range
        if band is None and c.mdc.kind == "published" and c.baseline is not None:
            band = (c.baseline - c.mdc.value, c.baseline + c.mdc.value)
        if band is not None:
            bands[c.leg] = (p.scaled(band[0]), p.scaled(band[1]))
        said = f"{c.leg}: {mdc_words(c.mdc, num, unit)}"
        if c.normal_range is not None:
            low, high = c.normal_range
            said += f", normal range {num(low)} to {num(high)}{unit}"
        if c.trend is not None:
            said += f", {trend_words(c.trend, num, unit)}"
        words.append(said)
    shaded = "shaded: the baseline +- the MDC. " if bands else ""
    return Figure.of(
        figures.trend(f"{p.condition}. {p.metric} over visits", p.unit, series, bands),
        f"{p.label}: {p.metric}. {shaded}{'; '.join(words)}",
    )


def figures_of(p: Primary) -> tuple[Any, str]:
    """How the primary's figures are printed: the number and the unit after it."""
    return p.text, f" {p.unit}" if p.unit else ""


def change_text(p: Primary, leg: str) -> str:
    """The leg's score against the visit before: ``+1.2 s, better``, or why none."""
    course = p.leg_course(leg)
    if course is None or course.from_previous is None:
        return "first visit"
    return change_words(course.from_previous, *figures_of(p))


@dataclass(frozen=True)
class ConditionFigures:
    """The plots of one condition: per leg the scored trial's tilt, or its events."""

    label: str
    figures: tuple[Figure, ...]
    note: str


def _conditions(report: VisitReport) -> list[ConditionFigures]:
    out = []
    for number, condition in enumerate(report.battery.conditions, 1):
        drill = DRILLS[condition.drill]
        trials = [t for c, t in report.trials if c == number and _counted(t)]
        shown: list[Figure] = []
        notes: list[str] = []
        if drill.report_tilt:
            for leg in sorted({t.leg for t in trials}):
                trial = _scored_trial(report, number, leg, trials)
                if trial is not None:
                    shown += _tilt_figures(trial, notes)
        for list_key, key in drill.report_events:
            shown += _event_figures(drill, trials, list_key, key)
        out.append(ConditionFigures(report.condition_label(number), tuple(shown), "; ".join(notes)))
    return out


def _tilt_figures(trial: TrialRow, notes: list[str]) -> list[Figure]:
    """The trial's stabilogram and tilt against time; none, and a note, where its
    recording cannot be read."""
    what = f"{trial.leg} leg, trial {trial.number}"
    try:
        trace = tilt_trace(trial.recording, tuple(trial.result["span_s"]))
    except (PoiseError, OSError, KeyError, TypeError) as e:
        notes.append(f"{what}: no plot ({e})")
        return []
    if trace.default_settings:
        notes.append(
            f"{what}: its session's settings are not this Poise's; tracked with the defaults"
        )
    losses = [loss["t_s"] for loss in trial.result.get("touchdowns") or []]
    return [
        Figure.of(
            figures.stabilogram(trace, what, COLOURS[trial.leg]),
            f"{what}: sway path and its 95% ellipse",
        ),
        Figure.of(
            figures.tilt_time(trace, losses, f"{what}: tilt"),
            f"{what}: tilt against time, losses of balance marked",
        ),
    ]


def _event_figures(drill: Any, trials: Sequence[TrialRow], list_key: str, key: str) -> list[Figure]:
    """One figure of each event's ``key`` (a landing's TTS, a rep's angle), per leg."""
    resolution = drill.result.RESOLUTION.get(key)
    scale = resolution.scale if resolution else 1.0
    series = {
        leg: [
            None if (v := event.get(key)) is None else v * scale
            for t in trials
            if t.leg == leg
            for event in (t.result or {}).get(list_key) or []
        ]
        for leg in ("left", "right", "board")
        if any(t.leg == leg for t in trials)
    }
    if not any(v is not None for vs in series.values() for v in vs):
        return []
    title = f"{list_key.replace('_', ' ')}: {key}"
    unit = resolution.unit if resolution else ""
    return [
        Figure.of(figures.events(title, unit, series), f"{title}, every counted trial in order")
    ]


def _counted(t: TrialRow) -> bool:
    return t.status == "complete" and not t.invalid and t.result is not None


def _scored_trial(
    report: VisitReport, condition: int, leg: str, trials: Sequence[TrialRow]
) -> TrialRow | None:
    """The trial the leg's score came from (best: the one with that value; else the
    last counted), for its plots."""
    on_leg = [t for t in trials if t.leg == leg and t.recording is not None]
    if not on_leg:
        return None
    metric = report.battery.conditions[condition - 1].metrics[0]
    score = next(
        (p.left if leg == "left" else p.right for p in (*report.primaries, *report.more)
         if p.condition == condition and p.metric == metric),
        None,
    )  # fmt: skip
    if score is not None and score.value is not None:
        for t in on_leg:
            if t.metrics.get(metric) == score.value:
                return t
    return on_leg[-1]


@dataclass(frozen=True)
class Warned:
    """One warning's message, and the trials that have it (``1 left 2``)."""

    message: str
    trials: tuple[str, ...]


def _warnings(report: VisitReport) -> list[Warned]:
    """Each distinct warning once, with its trials: 36 trials warned alike are one row."""
    by_message: dict[str, list[str]] = {}
    for condition, t in report.trials:
        for w in (t.result or {}).get("warnings") or []:
            text = f"{w.get('severity', '')}: {w.get('message', w.get('code', ''))}"
            by_message.setdefault(text, []).append(f"{condition} {t.leg} {t.number}")
    return [Warned(m, tuple(trials)) for m, trials in by_message.items()]


def _notes(report: VisitReport) -> list[dict[str, str]]:
    """Each note with what it is on (the athlete, the visit, or a trial) and its date."""
    trials = {t.id: (c, t) for c, t in report.trials}
    out = []
    for n in report.notes:
        if n.trial_id in trials:
            c, t = trials[n.trial_id]
            on = f"trial: condition {c}, {t.leg} leg, trial {t.number}"
        elif n.visit_id is not None:
            on = f"visit {report.visit.number}"
        else:
            on = "the athlete"
        out.append({"on": on, "when": n.recorded_utc[:10], "text": n.text})
    return out


def _trial_row(condition: int, t: TrialRow) -> dict[str, Any]:
    health = (t.result or {}).get("health") or {}
    return {
        "condition": condition,
        "leg": t.leg,
        "number": t.number,
        "status": t.status,
        "verdict": STATUS.get(t.validity or "", "-"),
        "marked": t.marked_invalid,
        "samples": health.get("samples"),
        "rate_hz": health.get("measured_rate_hz"),
        "gaps": health.get("gaps"),
        "missing": health.get("missing_samples"),
        "saturated": (health.get("acc_saturated") or 0) + (health.get("gyr_saturated") or 0),
        "algorithm": t.algorithm_version,
        "recording": t.recording.name if t.recording else "-",
    }
