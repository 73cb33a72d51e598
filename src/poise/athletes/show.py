"""What ``poise athlete show`` gives: a profile, the visits, the trials marked invalid and
the notes, as a JSON-ready dict and as text for the terminal.

Whatever the store holds (an older Poise, or a file edited by hand, may hold any
text), every name, reason and note is escaped on the terminal
(:func:`poise.names.terminal_safe`); JSON escapes control characters itself.
"""

from __future__ import annotations

from typing import Any

from poise.errors import PoiseError
from poise.names import terminal_safe
from poise.store.annotations import Note, Profile
from poise.store.reader import TrialRow
from poise.store.sqlite import Store
from poise.store.visits import Visit

#: Notes shown by the text, the latest; ``--json`` gives all.
LATEST_NOTES = 10


def athlete_dict(store: Store, athlete: str, every_trial: bool = False) -> dict[str, Any]:
    """The athlete's profile (None: none given), visits, count of trials, trials marked
    invalid and notes (in the order written), JSON-ready; with ``every_trial``, each
    trial too (``trial_list``: its id, what it was, how it ended, its visit), so that
    its id can be given to ``poise trial invalid`` or ``poise athlete note --trial``.

    Raises:
        PoiseError: no such athlete, or the store is damaged where this reads.
    """
    store.known_athlete(athlete)
    name = athlete.strip(" ")
    profile = store.profile(name)
    visits = store.visits(name)
    reading = store.reading()
    trials = [t for t in reading.trials if t.athlete == name]
    notes, unreadable = store.notes(name)
    by_id = {v.id: v for v in visits}
    listed = {"trial_list": [_listed(t, visits) for t in trials]} if every_trial else {}
    return {
        "athlete": name,
        "profile": None if profile is None else _profile_dict(profile),
        "visits": [
            {
                "number": v.number,
                "battery": v.battery,
                "involved": v.involved,
                "started_utc": v.started_utc,
                "ended_utc": v.ended_utc,
            }
            for v in visits
        ],
        "trials": len(trials),
        "marked_invalid": [_trial_dict(t) for t in trials if t.marked_invalid is not None],
        "notes": [_note_dict(n, by_id) for n in notes],
        "unreadable": [f"a note cannot be read: {why}" for why in unreadable]
        + [f"trial {u.trial_id} cannot be read: {u.reason}" for u in reading.unreadable],
        **listed,
    }


def format_athlete(shown: dict[str, Any]) -> str:
    """:func:`athlete_dict` as lines for the terminal, every stored text escaped."""
    lines = [shown["athlete"]]
    profile = shown["profile"]
    lines.append(
        "  no profile yet (`poise athlete edit` gives one)"
        if profile is None
        else f"  {_profile_text(profile)} (as of {profile['recorded_utc'][:10]})"
    )
    visits = shown["visits"]
    lines.append(f"  visits: {len(visits)}" if visits else "  no visits yet")
    for v in visits:
        state = "open" if v["ended_utc"] is None else "whole"
        side = f", involved {v['involved']}" if v["involved"] else ""
        lines.append(
            f"    visit {v['number']} of {v['battery']}, {v['started_utc'][:10]}, {state}{side}"
        )
    marked = shown["marked_invalid"]
    lines.append(
        f"  trials: {shown['trials']}" + (f", {len(marked)} marked invalid" * bool(marked))
    )
    for t in marked:
        lines.append(f"    {_trial_text(t)}: {t['reason']}")
    for t in shown.get("trial_list", ()):
        visit = f", visit {t['visit']['number']} of {t['visit']['battery']}" if t["visit"] else ""
        verdict = t["validity"] or "validity unknown"
        mark = f"; marked invalid: {t['reason']}" if t["reason"] is not None else ""
        lines.append(f"    {_trial_text(t)}: {t['status']}, {verdict}{visit}{mark}")
    notes = shown["notes"]
    if notes:
        latest = notes[-LATEST_NOTES:]
        of = f" (the latest {len(latest)} of {len(notes)})" if len(latest) < len(notes) else ""
        lines.append(f"  notes{of}:")
        for n in latest:
            on = {"athlete": "", "trial": f" on trial {n.get('trial')}"}.get(n["on"])
            if on is None:
                visit = n["visit"]
                on = (
                    " on a visit"
                    if visit is None
                    else (f" on visit {visit['number']} of {visit['battery']}")
                )
            lines.append(f"    {n['recorded_utc'][:16].replace('T', ' ')}{on}: {n['text']}")
    lines += [f"  {why}" for why in shown["unreadable"]]
    return "\n".join(terminal_safe(line) for line in lines)


def profile_words(profile: Profile) -> str:
    """A profile in a few words: ``born 1990, female, involved side left``."""
    return terminal_safe(_profile_text(_profile_dict(profile)))


def visit_of(store: Store, athlete: str, number: int, battery: str | None) -> Visit:
    """The athlete's visit ``number`` (of ``battery``, needed only when visits of several
    batteries have that number).

    Raises:
        PoiseError: no such visit, or several and no battery to choose.
    """
    visits = store.visits(athlete)
    found = [v for v in visits if v.number == number and battery in (None, v.battery)]
    if len(found) == 1:
        return found[0]
    who = terminal_safe(athlete.strip(" "))
    if not found:
        last = {v.battery: v.number for v in visits}  # numbered from 1 in start order
        have = ", ".join(f"{b} 1" + (f"-{n}" if n > 1 else "") for b, n in sorted(last.items()))
        of = f" of {terminal_safe(battery)}" if battery else ""
        raise PoiseError(
            f"{who} has no visit {number}{of} (visits: {terminal_safe(have) or 'none yet'})"
        )
    choices = " or ".join(terminal_safe(v.battery) for v in found)
    raise PoiseError(f"{who} has a visit {number} of {choices}: give --battery")


def trial_words(store: Store, trial_id: int) -> str:
    """A trial in a few words, for a command's answer: ``trial 2 of ana (2026-12-03,
    stance, left leg, eyes open, firm)``; ``trial 2`` if it cannot be read."""
    trial = next((t for t in store.reading().trials if t.id == trial_id), None)
    if trial is None:
        return f"trial {trial_id}"
    _, what = _trial_text(_trial_dict(trial)).split(", ", 1)
    return terminal_safe(f"trial {trial_id} of {trial.athlete} ({what})")


def _profile_dict(profile: Profile) -> dict[str, Any]:
    return {
        "birth_year": profile.birth_year,
        "sex": profile.sex,
        "involved": profile.involved,
        "recorded_utc": profile.recorded_utc,
    }


def _profile_text(profile: dict[str, Any]) -> str:
    parts = [
        f"born {profile['birth_year']}" if profile["birth_year"] else "birth year not given",
        profile["sex"] or "sex not given",
        f"involved side {profile['involved']}" if profile["involved"] else "involved side not said",
    ]
    return ", ".join(parts)


def _trial_dict(t: TrialRow) -> dict[str, Any]:
    return {
        "trial": t.id,
        "started_utc": t.started_utc,
        "drill": t.drill,
        "leg": t.leg,
        "eyes": t.eyes,
        "surface": t.surface,
        "reason": t.marked_invalid,
    }


def _trial_text(t: dict[str, Any]) -> str:
    leg = "board" if t["leg"] == "board" else f"{t['leg']} leg"
    return (
        f"trial {t['trial']}, {t['started_utc'][:10]}, {t['drill']}, {leg}, "
        f"eyes {t['eyes']}, {t['surface']}"
    )


def _listed(t: TrialRow, visits: list[Visit]) -> dict[str, Any]:
    visit = next((v for v in visits if t.session_id in v.sessions), None)
    return {
        **_trial_dict(t),
        "status": t.status,
        "validity": t.validity,
        "visit": None if visit is None else {"battery": visit.battery, "number": visit.number},
    }


def _note_dict(note: Note, visits: dict[int, Visit]) -> dict[str, Any]:
    out: dict[str, Any] = {"text": note.text, "recorded_utc": note.recorded_utc, "uuid": note.uuid}
    if note.trial_id is not None:
        return {"on": "trial", "trial": note.trial_id, **out}
    if note.visit_id is None:
        return {"on": "athlete", **out}
    visit = visits.get(note.visit_id)  # None: a visit the store no longer reads
    shown = None if visit is None else {"battery": visit.battery, "number": visit.number}
    return {"on": "visit", "visit": shown, **out}
