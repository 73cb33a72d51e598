"""``poise report``: a visit's report, as an HTML page or a PDF for the patient file."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from poise.errors import PoiseError

#: What ``-o`` may end with, and what it is written as.
KINDS = (".html", ".pdf")


def add_report_command(commands: Any) -> None:
    """Add ``report`` to the command line's subcommands."""
    report = commands.add_parser(
        "report",
        help="a visit's report with plots, as HTML or PDF",
        description="The report of one visit of a test battery (the latest by default): at "
        "most nine primary results with their validity and left against right on the first "
        "page, then the trends over visits, the sway path and tilt of each condition's scored "
        "trial, landings and reps, and every trial's verdict, warnings and data health. "
        "The file is new: an existing one is never overwritten.",
    )
    report.add_argument("--athlete", required=True, metavar="NAME", help="whose visit")
    report.add_argument(
        "--visit", type=_visit_number, metavar="N", help="the visit's number (default: latest)"
    )
    report.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="FILE.html or FILE.pdf"
    )
    report.add_argument("--store", metavar="FILE", help="the store (default: the settings')")
    report.set_defaults(run=_cmd_report)


def _visit_number(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a visit number, not {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def _cmd_report(args: argparse.Namespace) -> int:
    from poise.files import create_exclusive, writing
    from poise.names import terminal_safe
    from poise.norms.load import norms
    from poise.reports.page import render_html, render_pdf
    from poise.reports.visit_report import visit_report
    from poise.settings import load_settings
    from poise.store.sqlite import Store

    output = Path(args.output)
    kind = output.suffix.lower()
    if kind not in KINDS:
        raise PoiseError(f"{output}: the report is written as .html or .pdf, not {kind or '?'}")
    if os.path.lexists(output):
        raise PoiseError(f"{output}: already exists; not overwritten")
    store_path = args.store or load_settings(args.config).store.store_path()
    tables = norms().values()
    with Store.open_readonly(store_path) as store:
        report = visit_report(
            store.visits(args.athlete),
            store.trials(args.athlete),
            args.athlete,
            args.visit,
            norms=tables,
            profile=store.profile(args.athlete),
            notes=store.notes(args.athlete)[0],
        )
    html = render_html(report)
    data = render_pdf(html) if kind == ".pdf" else html.encode("utf-8")
    writing(output, lambda: os.close(create_exclusive(output, data)))
    print(
        terminal_safe(
            f"{output}: visit {report.visit.number} of {report.athlete}, {report.battery.name}"
        )
    )
    return 0
