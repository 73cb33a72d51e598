"""Schema version 6 on real SQLite files: profiles, notes and invalid marks as append-only
rows, a real version 5 store migrated, marks that leave the trial's row alone, a flipped
bit named, and a process killed mid-write."""

from __future__ import annotations

import gzip
import os
import signal
import sqlite3
from pathlib import Path

import pytest
from store_children import started_child

from poise.errors import PoiseError
from poise.store.annotations import checksum
from poise.store.reader import Unreadable
from poise.store.schema import MIGRATIONS
from poise.store.sqlite import Store

#: A store written by Poise at schema version 5 (main at c13a3bf): `poise battery run
#: small --athlete ana --involved left` (one condition, two stance trials per leg) and
#: `poise train stance --leg right --athlete bo`, on the simulator, then VACUUM INTO.
V5 = Path(__file__).parent / "data" / "v5.sqlite3.gz"


def _v5(tmp_path: Path) -> Path:
    path = tmp_path / "poise.sqlite3"
    path.write_bytes(gzip.decompress(V5.read_bytes()))
    return path


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def _trial_rows(path: Path) -> list[tuple]:
    with _raw(path) as conn:
        return conn.execute("SELECT * FROM trials ORDER BY id").fetchall()


def test_a_real_version_5_store_is_read_as_it_is_then_migrated_keeping_every_trial(tmp_path):
    path = _v5(tmp_path)
    assert _raw(path).execute("PRAGMA user_version").fetchone()[0] == 5
    before_rows = _trial_rows(path)
    with Store.open_readonly(path) as store:  # no migration: read as version 5
        before = store.trials()
        assert store.profile("ana") is None and store.notes("ana") == ([], [])
        (visit,) = store.visits("ana")
    assert _raw(path).execute("PRAGMA user_version").fetchone()[0] == 5
    assert len(before) == 5 and {t.validity for t in before} == {"valid"}
    assert all(t.marked_invalid is None and t.added_notes == () for t in before)

    with Store.open(path) as store:
        assert store.trials() == before  # every checksum of version 5 still holds
        assert store.profile("ana") is None
        store.add_profile("ana", birth_year=1990, sex="female")
        store.mark_trial(before[0].id, "touched down with a hand")
        store.add_note("ana", "tired after the drive", visit_id=visit.id)
        assert store.integrity_check() == ["ok"]
    conn = _raw(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) == 6
    assert _trial_rows(path) == before_rows  # a mark is not in the trial's row
    with Store.open_readonly(path) as store:
        after = store.trials()
    assert after[0].marked_invalid == "touched down with a hand" and after[0].invalid
    assert after[1:] == before[1:]


def test_a_profile_is_added_once_and_each_edit_is_a_new_row_the_latest_winning(tmp_path):
    path = tmp_path / "poise.sqlite3"
    with Store.open(path) as store:
        first = store.add_profile(" Ana ", birth_year=1990)
        assert (first.birth_year, first.sex, first.involved) == (1990, None, None)
        with pytest.raises(PoiseError, match="Ana has a profile already; `poise athlete edit`"):
            store.add_profile("Ana", sex="female")
        store.edit_profile("Ana", sex="female")
        latest = store.edit_profile("Ana", involved="left")
        assert (latest.birth_year, latest.sex, latest.involved) == (1990, "female", "left")
        assert store.profile("Ana") == latest
        with pytest.raises(PoiseError, match=r"no athlete called 'Bo' \(known: Ana\)"):
            store.edit_profile("Bo", sex="male")
        with pytest.raises(PoiseError, match="nothing to change"):
            store.edit_profile("Ana")
        for bad, match in (
            ({"birth_year": 1850}, "birth_year must be a year from 1900 to"),
            ({"birth_year": 2999}, "birth_year must be a year from 1900 to"),
            ({"sex": "x"}, "sex must be one of female, male"),
            ({"involved": "both"}, "involved must be one of left, right, none"),
        ):
            with pytest.raises(PoiseError, match=match):
                store.edit_profile("Ana", **bad)
        assert store.profile("Ana") == latest
    rows = _raw(path).execute("SELECT birth_year, sex, involved FROM profiles ORDER BY id")
    assert rows.fetchall() == [(1990, None, None), (1990, "female", None), (1990, "female", "left")]


def test_the_schema_itself_refuses_what_poise_would_not_write(tmp_path):
    path = tmp_path / "poise.sqlite3"
    with Store.open(path) as store:
        store.add_profile("Ana")
    conn = _raw(path)
    conn.execute("PRAGMA foreign_keys = ON")
    for statement in (
        "INSERT INTO profiles (athlete_id, sex, recorded_utc, uuid, checksum)"
        " VALUES (1, 'other', 't', 'u1', 'c')",
        "INSERT INTO profiles (athlete_id, birth_year, recorded_utc, uuid, checksum)"
        " VALUES (1, 1800, 't', 'u2', 'c')",
        "INSERT INTO profiles (athlete_id, involved, recorded_utc, uuid, checksum)"
        " VALUES (1, 'both', 't', 'u3', 'c')",
        "INSERT INTO notes (athlete_id, text, recorded_utc, uuid, checksum)"
        " VALUES (1, '  ', 't', 'u4', 'c')",
        "INSERT INTO trial_marks (trial_id, invalid, reason, recorded_utc, uuid, checksum)"
        " VALUES (7, 1, 'x', 't', 'u5', 'c')",  # no such trial
    ):
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(statement)


def _one_trial(store: Store, athlete: str = "Ana") -> int:
    session = store.start_session(athlete, {"kind": "sim"}, {})
    trial = store.start_trial(session, "stance", "left", "open", "firm", 1)
    trial.recording_path.write_text("samples")
    result = {"drill": "stance", "validity": "valid", "warnings": []}
    store.finish_trial(trial.id, "complete", result, {"sway_rms_deg": 1.5})
    store.end_session(session)
    return trial.id


def test_a_mark_and_its_taking_back_are_rows_of_their_own_and_never_touch_the_trial(tmp_path):
    path = tmp_path / "poise.sqlite3"
    with Store.open(path) as store:
        trial_id = _one_trial(store)
        untouched = _trial_rows(path)
        mark = store.mark_trial(trial_id, " the strap slipped ")
        assert (mark.invalid, mark.reason) == (True, "the strap slipped")
        (trial,) = store.trials()
        assert trial.marked_invalid == "the strap slipped" and trial.invalid
        assert trial.validity == "valid"  # its result's own verdict, as it was
        store.mark_trial(trial_id, None)
        (trial,) = store.trials()
        assert trial.marked_invalid is None and not trial.invalid
        with pytest.raises(PoiseError, match="not marked invalid; nothing to take back"):
            store.mark_trial(trial_id, None)
        with pytest.raises(PoiseError, match="trial 99: no such trial"):
            store.mark_trial(99, "x")
        with pytest.raises(PoiseError, match=r"reason has a control character, \\x1b"):
            store.mark_trial(trial_id, "bad\x1b[2J")
        store.mark_trial(trial_id, "on second thoughts, the strap slipped")
        (trial,) = store.trials()
        assert trial.marked_invalid == "on second thoughts, the strap slipped"
    assert _trial_rows(path) == untouched
    marks = _raw(path).execute("SELECT invalid, reason FROM trial_marks ORDER BY id").fetchall()
    assert marks == [
        (1, "the strap slipped"),
        (0, None),
        (1, "on second thoughts, the strap slipped"),
    ]


def test_notes_go_on_an_athlete_a_visit_or_a_trial_of_theirs_only(tmp_path):
    with Store.open(tmp_path / "poise.sqlite3") as store:
        trial_id = _one_trial(store)
        bos = _one_trial(store, "Bo")
        visit_id = store.start_visit("Ana", {"name": "upst"})
        store.add_note("Ana", "first visit after surgery")
        store.add_note("Ana", "slept badly", visit_id=visit_id)
        store.add_note("Ana", "dizzy at the end", trial_id=trial_id)
        with pytest.raises(PoiseError, match=f"trial {bos}: no trial of Ana"):
            store.add_note("Ana", "x", trial_id=bos)
        with pytest.raises(PoiseError, match=f"visit {visit_id}: no visit of Bo"):
            store.add_note("Bo", "x", visit_id=visit_id)
        with pytest.raises(PoiseError, match="no athlete called 'Cy'"):
            store.add_note("Cy", "x")
        with pytest.raises(PoiseError, match=r"note has a control character, \\x0a"):
            store.add_note("Ana", "two\nlines")
        with pytest.raises(PoiseError, match="note is 1001 characters long; at most 1000"):
            store.add_note("Ana", "x" * 1001)
        notes, unreadable = store.notes("Ana")
        assert unreadable == []
        assert [(n.text, n.visit_id, n.trial_id) for n in notes] == [
            ("first visit after surgery", None, None),
            ("slept badly", visit_id, None),
            ("dizzy at the end", None, trial_id),
        ]
        trial = next(t for t in store.trials() if t.id == trial_id)
        assert [n.text for n in trial.added_notes] == ["dizzy at the end"]
        assert all(len(n.uuid) == 36 and n.recorded_utc.endswith("Z") for n in notes)


def test_a_flipped_bit_in_a_mark_or_note_names_its_trial_instead_of_showing_it(tmp_path):
    path = tmp_path / "poise.sqlite3"
    with Store.open(path) as store:
        marked, noted, sound = (_one_trial(store) for _ in range(3))
        store.mark_trial(marked, "strap slipped")
        store.add_note("Ana", "fine", trial_id=noted)
    with _raw(path) as conn:  # what a bit flipped on the card does: the text changes
        conn.execute("UPDATE trial_marks SET reason = 'strap slippeD'")
        conn.execute("UPDATE notes SET text = 'fina'")
    with Store.open_readonly(path) as store:
        reading = store.reading()
    assert [t.id for t in reading.trials] == [sound]
    reasons = {u.trial_id: u.reason for u in reading.unreadable}
    assert reasons == {
        marked: "one of its invalid marks cannot be read: its content does not match its checksum",
        noted: "one of its notes cannot be read: its content does not match its checksum",
    }


def test_a_row_sealed_by_another_writer_as_poise_seals_is_read(tmp_path):
    """The checksum is over the row's fields as stored (a later sync writes rows so)."""
    path = tmp_path / "poise.sqlite3"
    with Store.open(path) as store:
        trial_id = _one_trial(store)
    fields = {
        "trial_id": trial_id,
        "invalid": 1,
        "reason": "by hand",
        "recorded_utc": "2026-01-01T00:00:00.000Z",
        "uuid": "u",
    }
    with _raw(path) as conn:
        conn.execute(
            "INSERT INTO trial_marks (trial_id, invalid, reason, recorded_utc, uuid, checksum)"
            " VALUES (?, 1, 'by hand', ?, 'u', ?)",
            (trial_id, fields["recorded_utc"], checksum(fields)),
        )
    with Store.open_readonly(path) as store:
        (trial,) = store.trials()  # sealed as Poise seals: read
    assert trial.marked_invalid == "by hand"


WRITER = """
    import sys
    from poise.store import Store

    store = Store.open(sys.argv[1])
    session = store.start_session("Ana", {"kind": "sim"}, {})
    trial = store.start_trial(session, "stance", "left", "open", "firm", 1)
    store.finish_trial(trial.id, "complete", {"drill": "stance"}, {"sway_rms_deg": 1.0})
    store.end_session(session)
    store.add_profile("Ana", birth_year=1990)
    for k in range(1_000_000):
        store.mark_trial(trial.id, f"reason {k}")
        store.add_note("Ana", f"note {k}", trial_id=trial.id)
        store.edit_profile("Ana", involved=("left", "right")[k % 2])
        print(k + 1, flush=True)
"""


def test_a_process_killed_while_writing_marks_and_notes_leaves_a_sound_store(tmp_path):
    path = tmp_path / "poise.sqlite3"
    with started_child(WRITER, path) as child:
        for line in child.stdout:
            if int(line) >= 40:
                break
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    printed = int(line)
    conn = _raw(path)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    counts = [
        conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("trial_marks", "notes")
    ]
    conn.close()
    with Store.open(path) as store:
        reading = store.reading()
        (trial,) = reading.trials
        profile = store.profile("Ana")
    assert reading.unreadable == () and reading.complete  # every row whole, every checksum
    # Each write is one transaction: the last one printed is in, at most one more after it.
    marks, notes = counts
    assert printed <= marks <= printed + 1 and marks - 1 <= notes <= marks
    assert trial.marked_invalid == f"reason {marks - 1}"
    assert [n.text for n in trial.added_notes] == [f"note {k}" for k in range(notes)]
    assert profile.birth_year == 1990 and profile.involved in ("left", "right")


def test_a_mark_whose_trial_id_rotted_is_named_on_its_own(tmp_path):
    path = tmp_path / "poise.sqlite3"
    with Store.open(path) as store:
        trial_id = _one_trial(store)
        store.mark_trial(trial_id, "strap slipped")
    with _raw(path) as conn:  # a flipped bit in the trial id: the mark points at no trial
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("UPDATE trial_marks SET trial_id = ?", (trial_id + 64,))
    with Store.open_readonly(path) as store:
        reading = store.reading()
    (trial,) = reading.trials
    assert trial.marked_invalid is None  # it lost its mark; the store says it is damaged:
    assert reading.unreadable == (
        Unreadable(
            None, "one of the invalid marks cannot be read: its content does not match its checksum"
        ),
    )
