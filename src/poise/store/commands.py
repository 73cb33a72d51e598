"""The ``poise store`` commands: ``check`` (store against recordings) and ``rebuild``.

Each prints plain lines, one per finding, each naming its file and what to do,
then a summary; the exit status is 0 when all is accounted for, 1 otherwise.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_store_commands(commands: Any) -> None:
    """Add ``store check`` and ``store rebuild`` to the command line's subcommands."""
    store = commands.add_parser(
        "store",
        help="check the store against its recordings, or rebuild it from them",
        description="The progression store and its recordings folder: `check` compares them "
        "(recordings missing, changed or in no trial; the store's own integrity); `rebuild` "
        "makes a new store from the recordings, never overwriting one.",
    )
    actions = store.add_subparsers(title="actions", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="compare the store with its recordings folder, and say what to do",
        description="Check the store (PRAGMA integrity_check) and every recording: each trial's "
        "is there, unchanged (SHA-256) and readable, and each file under recordings/ belongs "
        "to a trial. One line per finding; exit 1 if any is a problem.",
    )
    check.add_argument("--store", metavar="FILE", help="the store (default: the settings')")
    check.set_defaults(run=_cmd_check)
    rebuild = actions.add_parser(
        "rebuild",
        help="make a new store from a recordings folder (a lost or damaged one)",
        description="Log every trial again from its recording's header and end facts, scoring "
        "scored trials again over their span. The new store goes beside the folder, as "
        "poise.sqlite3 if that name is free, else poise-rebuilt-<time>.sqlite3: an existing "
        "store is never overwritten.",
    )
    rebuild.add_argument(
        "--from", dest="source", metavar="DIR", required=True, help="the recordings folder"
    )
    rebuild.add_argument(
        "-o", "--output", metavar="FILE", help="the new store's file, beside DIR (must be new)"
    )
    rebuild.set_defaults(run=_cmd_rebuild)


def _cmd_check(args: argparse.Namespace) -> int:
    from poise.settings import load_settings
    from poise.store.check import check

    store = args.store or load_settings(args.config).store.store_path()
    found = check(store)
    for line in found.lines:
        print(line)
    print(found.summary)
    return 1 if found.problems else 0


def _cmd_rebuild(args: argparse.Namespace) -> int:
    from pathlib import Path

    from poise.store.paths import STORE_FILE
    from poise.store.rebuild import NOT_IN_RECORDINGS, rebuild

    done = rebuild(args.source, args.output)
    usual = Path(done.store).with_name(STORE_FILE)
    for line in done.lines:
        print(line)
    print(
        NOT_IN_RECORDINGS + (f"; those of {usual} are still in it" if done.store != usual else "")
    )
    print(
        f"rebuilt {done.sessions} session(s), {done.trials} trial(s) ({done.rescored} scored "
        f"again) from {args.source} into {done.store}"
        + (f"; {done.kept_out} recording(s) kept out" if done.kept_out else "")
    )
    if done.store != usual:
        print(
            f"{usual} is taken, so it was left as it is; to use the new store, give "
            f"--store {done.store}, or move {usual} aside and rename {done.store} to it"
        )
    return 1 if done.kept_out else 0
