"""Athlete names: control characters and overlong names refused at every way in, one line
that does not echo them; escaped on the terminal and neutralised in CSV whatever is stored."""

from __future__ import annotations

import csv
import sqlite3

import pytest

from poise.cli import main
from poise.errors import PoiseError
from poise.live.session import SessionPlan
from poise.names import MAX_NAME_CHARS, athlete_name, csv_safe, terminal_safe
from poise.reports.history import run_history
from poise.store import Store

HOSTILE = {
    "newline": "Ana\nBen",
    "NUL": "Ana\x00",
    "ESC (colour)": "Ana\x1b[31m",
    "OSC 8 link": "\x1b]8;;http://x\x07Ana",
    "tab": "Ana\tBen",
    "DEL": "Ana\x7f",
    "C1 CSI": "Ana\x9b31m",
    "RTL override": "Ana\u202egnp.exe",
    "RTL isolate": "\u2067Ana",
    "line separator": "Ana\u2028Ben",
    "zero-width space": "An\u200ba",
}
#: The text a terminal would act on, none of which may reach it.
RAW = ("\x1b", "\x07", "\x00", "\x9b", "\u202e", "\u2067", "\u2028", "\x7f")


@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
def test_control_characters_are_refused_without_echoing_them(name):
    with pytest.raises(ValueError) as err:
        athlete_name(name)
    message = str(err.value)
    assert message.startswith("athlete name has a control character, \\")
    assert "\n" not in message and not any(c in message for c in RAW)


def test_names_people_have_pass_and_overlong_ones_do_not():
    for name in ("Zoë", "José María", "محمد\u200cرضا", "👩\u200d⚕️ Kim", "O'Neil-Smith"):
        assert athlete_name(f" {name} ") == name
    assert athlete_name("a" * MAX_NAME_CHARS) == "a" * MAX_NAME_CHARS
    with pytest.raises(ValueError, match="athlete name is 100000 characters long; at most 100"):
        athlete_name("a" * 100_000)


def test_every_way_in_refuses_a_hostile_name(tmp_path, capsys):
    with pytest.raises(ValueError, match="control character"):
        SessionPlan("stance", ("left",), athlete="Ana\x1b[2J")
    with Store.open(tmp_path / "poise.sqlite3") as store:
        for name in ("Ana\u202e", "x" * 101):
            with pytest.raises(PoiseError, match="athlete name"):
                store.start_session(name, {"kind": "sim"}, {})
            with pytest.raises(PoiseError, match="athlete name"):
                store.athlete_id(name)
        assert store.athletes() == []
    store = str(tmp_path / "poise.sqlite3")
    for argv in (
        ["train", "stance", "--athlete", "Ana\nBen", "--store", store, "--audio", "null"],
        ["history", "--athlete", "Ana\x1b[31m", "--store", store],
    ):
        assert main(argv) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and "athlete name has a control" in err
        assert not any(c in err for c in RAW)
    with Store.open(store) as opened:
        assert opened.athletes() == []  # train wrote no session


def _old_store_with(tmp_path, names):
    """A store where an older Poise let ``names`` in, each with one complete lunge."""
    path = tmp_path / "poise.sqlite3"
    with Store.open(path) as store:
        for i in range(len(names)):
            session = store.start_session(f"placeholder {i}", {"kind": "sim"}, {})
            trial = store.start_trial(session, "lunge", "left", "open", "firm", 1)
            trial.recording_path.write_text("samples\n")
            result = {"drill": "lunge", "max_inclination_deg": -3.5, "validity": "valid"}
            store.finish_trial(trial.id, "complete", result, {"max_inclination_deg": -3.5})
            store.end_session(session)
    with sqlite3.connect(path) as conn:  # as an older Poise wrote them, unchecked and unsealed
        for i, name in enumerate(names):
            conn.execute("UPDATE athletes SET name = ? WHERE id = ?", (name, i + 1))
        conn.execute("UPDATE trials SET checksum = NULL")
    return path


def test_stored_names_are_escaped_on_the_terminal(tmp_path):
    path = _old_store_with(tmp_path, list(HOSTILE.values()))
    text = run_history(path)
    assert not any(c in text for c in RAW)
    assert "\\x1b]8;;http://x\\x07Ana\n" in text and "Ana\\u202egnp.exe\n" in text
    assert text.count("lunge, left leg") == len(HOSTILE)  # every athlete shown, escaped
    assert terminal_safe("Zoë") == "Zoë"


def test_csv_cells_never_run_as_formulas(tmp_path):
    names = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\tTab"]
    path = _old_store_with(tmp_path, names)
    out = tmp_path / "h.csv"
    run_history(path, csv_path=out)
    rows = list(csv.DictReader(out.open(newline="")))
    assert sorted(r["athlete"] for r in rows) == sorted("'" + n for n in names)
    assert {r["value"] for r in rows} == {"-3.5"}  # numbers stay numbers
    assert csv_safe("Ana") == "Ana" and csv_safe("\rx") == "'\rx"
