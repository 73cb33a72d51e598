"""The ``poise athlete`` and ``poise trial`` commands: profiles, notes and invalid marks.

``athlete add|edit|show|note`` keep an athlete's profile and notes; ``trial
invalid|valid`` mark a trial invalid with a reason, or take the mark back. Every
change is a new row of the store (nothing is changed or deleted: an edit is a
new row and the latest wins), in one transaction. Building the parser imports
nothing heavy: the store is loaded when a command runs.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_athlete_commands(commands: Any) -> None:
    """Add ``athlete add|edit|show|note`` and ``trial invalid|valid`` to the subcommands."""
    athlete = commands.add_parser(
        "athlete",
        help="an athlete's profile (birth year, sex, involved side) and notes",
        description="An athlete's profile, for norms and the limb symmetry index, and notes "
        "on the athlete, a visit or a trial. Kept in the store: every change is a new row, "
        "the latest wins, nothing is deleted.",
    )
    actions = athlete.add_subparsers(title="actions", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add an athlete with a profile (each field optional)")
    add.add_argument("name", metavar="NAME")
    _profile_options(add)
    add.set_defaults(run=_cmd_profile, adding=True)
    edit = actions.add_parser("edit", help="change fields of a profile; the others are kept")
    edit.add_argument("name", metavar="NAME")
    _profile_options(edit)
    edit.set_defaults(run=_cmd_profile, adding=False)
    show = actions.add_parser("show", help="a profile, the visits, trials marked invalid, notes")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true", help="one JSON object (every note)")
    show.add_argument(
        "--trials", action="store_true", help="every trial too: its id, condition, verdict, visit"
    )
    _store_option(show)
    show.set_defaults(run=_cmd_show)
    note = actions.add_parser(
        "note",
        help="write a note on an athlete, one of their visits or one of their trials",
        description="A note is one line of text, at most 1000 characters, kept with its "
        "time; a correction is a new note.",
    )
    note.add_argument("name", metavar="NAME")
    on = note.add_mutually_exclusive_group()
    on.add_argument(
        "--visit", type=_whole, metavar="N", help="on visit N (as numbered by `athlete show`)"
    )
    on.add_argument(
        "--trial",
        type=_whole,
        metavar="ID",
        help="on trial ID (`athlete show --trials` lists them)",
    )
    note.add_argument(
        "--battery", metavar="NAME", help="the battery of --visit N, if several have a visit N"
    )
    note.add_argument("text", metavar="TEXT", type=_note)
    _store_option(note)
    note.set_defaults(run=_cmd_note)

    trial = commands.add_parser(
        "trial",
        help="mark a trial invalid with a reason (history leaves it out), or take it back",
        description="A trial marked invalid is kept, never deleted: history lists it with the "
        "reason and leaves it out of latest, best, trend, change and left against right, as "
        "a visit's score does. `valid` takes the mark back (a trial whose own result is "
        "invalid stays left out).",
    )
    marks = trial.add_subparsers(title="actions", metavar="ACTION", required=True)
    invalid = marks.add_parser("invalid", help="mark trial ID invalid, saying why")
    invalid.add_argument("id", metavar="ID", type=_whole)
    invalid.add_argument("--reason", required=True, metavar="TEXT", type=_reason)
    _store_option(invalid)
    invalid.set_defaults(run=_cmd_invalid)
    valid = marks.add_parser("valid", help="take back the invalid mark of trial ID")
    valid.add_argument("id", metavar="ID", type=_whole)
    _store_option(valid)
    valid.set_defaults(run=_cmd_valid)


def _profile_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--birth-year", type=_birth_year, metavar="YEAR", help="for norms by age")
    sub.add_argument("--sex", choices=("female", "male"), help="for norms by sex")
    sub.add_argument(
        "--involved",
        choices=("left", "right", "none"),
        help="the injured or operated side (none: neither); a battery run's default",
    )
    _store_option(sub)


def _store_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--store", metavar="FILE", help="the store (default: the settings')")


def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def _birth_year(text: str) -> int:
    from poise.names import terminal_safe
    from poise.store.annotations import check_birth_year

    try:
        year: int | str = int(text)
    except ValueError:
        year = text  # refused below, named as typed
    try:
        return check_birth_year(year)
    except ValueError as e:
        raise argparse.ArgumentTypeError(
            terminal_safe(str(e).removeprefix("birth_year "))
        ) from None


def _text_type(what: str) -> Any:
    def checked(text: str) -> str:
        from poise.names import note_text

        try:
            return note_text(text, what)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e).removeprefix(f"{what} ")) from None

    return checked


_note = _text_type("note")
_reason = _text_type("reason")


def _store_path(args: argparse.Namespace, new: bool = False) -> Any:
    """The store to use: ``--store`` or the settings'; it must be there unless ``new``
    (only ``athlete add`` makes one), and a lost store beside recordings is refused."""
    from poise.errors import PoiseError
    from poise.store.preflight import check_recordings_have_store

    path = args.store
    if not path:  # the settings load the audio's defaults, and NumPy with them
        from poise.settings import load_settings

        path = load_settings(args.config).store.store_path()
    check_recordings_have_store(path)
    if not new and not _has_store(path):
        raise PoiseError(f"{path}: no progression store yet (add an athlete, or log a session)")
    return path


def _has_store(path: Any) -> bool:
    from pathlib import Path

    return Path(path).is_file() and Path(path).stat().st_size > 0


def _profile_changes(args: argparse.Namespace) -> dict[str, Any]:
    fields = {"birth_year": args.birth_year, "sex": args.sex, "involved": args.involved}
    return {k: v for k, v in fields.items() if v is not None}


def _cmd_profile(args: argparse.Namespace) -> int:
    """``athlete add`` (a first profile; the store made if new) or ``athlete edit``."""
    from poise.athletes.show import profile_words
    from poise.names import terminal_safe
    from poise.store.sqlite import Store

    with Store.open(_store_path(args, new=args.adding)) as store:
        change = store.add_profile if args.adding else store.edit_profile
        profile = change(args.name, **_profile_changes(args))
    print(f"{terminal_safe(args.name.strip(' '))}: {profile_words(profile)}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    import json

    from poise.athletes.show import athlete_dict, format_athlete
    from poise.store.sqlite import Store

    with Store.open_readonly(_store_path(args)) as store:
        shown = athlete_dict(store, args.name, every_trial=args.trials)
    print(json.dumps(shown) if args.json else format_athlete(shown))
    return 0


def _cmd_note(args: argparse.Namespace) -> int:
    from poise.athletes.show import visit_of
    from poise.errors import PoiseError
    from poise.names import terminal_safe
    from poise.store.sqlite import Store

    if args.battery is not None and args.visit is None:
        raise PoiseError("--battery names the battery of --visit N; give --visit too")
    with Store.open(_store_path(args)) as store:
        visit = None if args.visit is None else visit_of(store, args.name, args.visit, args.battery)
        store.add_note(args.name, args.text, visit_id=visit and visit.id, trial_id=args.trial)
    on = f"trial {args.trial}" if args.trial else "the athlete"
    if visit is not None:
        on = f"visit {visit.number} ({terminal_safe(visit.battery)})"
    print(f"{terminal_safe(args.name.strip(' '))}: a note on {on} kept")
    return 0


def _cmd_invalid(args: argparse.Namespace) -> int:
    from poise.athletes.show import trial_words
    from poise.store.sqlite import Store

    with Store.open(_store_path(args)) as store:
        store.mark_trial(args.id, args.reason)
        print(f"{trial_words(store, args.id)}: marked invalid; history leaves it out")
    return 0


def _cmd_valid(args: argparse.Namespace) -> int:
    from poise.athletes.show import trial_words
    from poise.store.sqlite import Store

    with Store.open(_store_path(args)) as store:
        store.mark_trial(args.id, None)
        print(f"{trial_words(store, args.id)}: its invalid mark taken back")
    return 0
