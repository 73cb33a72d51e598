"""The ``poise norms`` commands: ``list`` the normative tables, ``show`` one.

Text by default, one line per fact; ``show --json`` prints the table as its file
holds it. Every text from a file goes to the terminal through
:func:`poise.names.terminal_safe`: a clinic's own file cannot send it controls.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from poise.norms.table import Norm


def add_norms_commands(commands: Any) -> None:
    """Add ``norms list`` and ``norms show NAME`` to the command line's subcommands."""
    group = commands.add_parser(
        "norms",
        help="the published normative tables: list them, show one",
        description="Normative tables as data (config/norms, and a clinic's own in "
        "~/.config/poise/norms): each names its test, the protocol a value must have been "
        "measured by to be placed, who was measured, its source and DOI, and its rows.",
    )
    actions = group.add_subparsers(title="actions", metavar="ACTION", required=True)
    actions.add_parser("list", help="every norm: name, title").set_defaults(run=_cmd_list)
    show = actions.add_parser("show", help="a norm's test, protocol, source and rows")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true", help="one JSON object instead of text")
    show.set_defaults(run=_cmd_show)


def _cmd_list(args: argparse.Namespace) -> int:
    from poise.names import terminal_safe
    from poise.norms.load import norms

    for n in norms().values():
        print(terminal_safe(f"{n.name}: {n.title}"))
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    from poise.norms.load import norm

    chosen = norm(args.name)
    print(json.dumps(norm_to_dict(chosen), ensure_ascii=True) if args.json else describe(chosen))
    return 0


def norm_to_dict(n: Norm) -> dict[str, Any]:
    """The norm as its file holds it (JSON-ready), rows with ``age: [from, to]``."""
    data = dataclasses.asdict(n)
    del data["path"]
    data["rows"] = [
        {"sex": r.sex, "age": [r.age_low, r.age_high], **r.values, **({"n": r.n} if r.n else {})}
        for r in n.rows
    ]
    return data


def describe(n: Norm) -> str:
    """The norm as text, for ``poise norms show``."""
    from poise.names import terminal_safe

    t = n.test
    condition = ", ".join(
        f"{k} {v}" for k, v in (("eyes", t.eyes), ("surface", t.surface), ("legs", t.legs)) if v
    )
    lines = [
        f"{n.name}: {n.title}",
        f"  test: {t.drill} {t.metric} ({condition})",
        "  protocol: " + (", ".join(f"{k} {v}" for k, v in n.protocol.items()) or "none stated"),
        f"  population: {n.population}; N = {n.n}",
        f"  source: {n.source}" + (f" doi:{n.doi}" if n.doi else " (no DOI confirmed)"),
        f"  checked: {n.checked}",
        f"  rows ({n.statistic}): {n.column}",
    ]
    for r in n.rows:
        values = ", ".join(f"{k} {v:g}" for k, v in r.values.items())
        lines.append(f"    {r.who}: {values}" + (f" (n = {r.n})" if r.n else ""))
    if n.notes:
        lines.append(f"  notes: {n.notes}")
    return "\n".join(terminal_safe(line) for line in lines)
