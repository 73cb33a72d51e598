"""Schema version 4 on real SQLite files: each trial keeps its result's verdict and warning
codes; a version 3 store is migrated, its trials of unknown validity."""

from __future__ import annotations

import json
import sqlite3

import pytest

from poise.errors import PoiseError
from poise.store import Store
from poise.store.reader import trial_checksum, trial_fields
from poise.store.schema import MIGRATIONS, migrate


def _result(validity, *codes):
    warnings = [{"code": c, "message": f"{c} here", "severity": "attention"} for c in codes]
    return {"drill": "stance", "validity": validity, "warnings": warnings, "sway_rms_deg": 1.5}


def _finished(store, result, number=1):
    session = store.start_session("Ana", {"kind": "sim"}, {})
    trial = store.start_trial(session, "stance", "left", "open", "firm", number)
    trial.recording_path.write_text("samples\n")
    store.finish_trial(trial.id, "complete", result, {"sway_rms_deg": 1.5})
    store.end_session(session)
    return trial.id


def test_each_trial_keeps_its_verdict_and_warning_codes(tmp_path):
    with Store.open(tmp_path / "poise.sqlite3") as store:
        _finished(store, _result("invalid", "drill_mismatch", "noise"))
        _finished(store, _result("valid"))
        _finished(store, None)  # not scored: no verdict
        rows = store.trials()
    assert [(t.validity, t.warning_codes) for t in rows] == [
        ("invalid", ("drill_mismatch", "noise")),
        ("valid", ()),
        (None, ()),
    ]
    raw = sqlite3.connect(tmp_path / "poise.sqlite3")
    assert raw.execute("SELECT validity, warning_codes FROM trials ORDER BY id").fetchall() == [
        ("invalid", '["drill_mismatch", "noise"]'),
        ("valid", "[]"),
        (None, None),
    ]
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint"):
        raw.execute("UPDATE trials SET validity = 'fine' WHERE id = 1")


def test_a_verdict_the_store_does_not_know_is_refused_before_anything_is_written(tmp_path):
    with Store.open(tmp_path / "poise.sqlite3") as store:
        session = store.start_session("Ana", {"kind": "sim"}, {})
        trial = store.start_trial(session, "stance", "left", "open", "firm", 1)
        with pytest.raises(ValueError, match="result validity must be one of valid, attention"):
            store.finish_trial(trial.id, "complete", {**_result("valid"), "validity": "ok"}, {})
        with pytest.raises(ValueError, match="every result warning needs a code"):
            store.finish_trial(trial.id, "complete", {**_result("valid"), "warnings": [{}]}, {})
        assert [t.status for t in store.trials()] == ["running"]


def test_every_write_seals_the_trial_with_a_checksum_of_what_it_holds(tmp_path):
    with Store.open(tmp_path / "poise.sqlite3") as store:
        trial_id = _finished(store, _result("attention", "saturation"))
        conn = store._conn
        (stored,) = conn.execute("SELECT checksum FROM trials").fetchone()
        assert stored == trial_checksum(trial_fields(conn, trial_id))
        conn.execute("UPDATE metrics SET value = 1.6")  # what a flipped bit would do
        with pytest.raises(PoiseError, match="trial 1: its content does not match its checksum"):
            store.trials()


def test_a_version_3_store_is_migrated_and_its_trials_are_of_unknown_validity(tmp_path):
    path = tmp_path / "poise.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, str(path), MIGRATIONS[:3]) == 3
    conn.execute("INSERT INTO athletes (name) VALUES ('Ana')")
    conn.execute(
        "INSERT INTO sessions (athlete_id, started_utc, source_kind, source_json, settings_json,"
        " poise_version) VALUES (1, '2025-01-06T09:00:00.000Z', 'sim', '{}', '{}', '0.3.0')"
    )
    result = json.dumps({"drill": "stance", "sway_rms_deg": 1.1})
    conn.execute(
        "INSERT INTO trials (session_id, drill, leg, eyes, surface, number, status,"
        " algorithm_version, started_utc, result_json) VALUES (1, 'stance', 'left', 'open',"
        " 'firm', 1, 'complete', '1.0', '2025-01-06T09:01:00.000Z', ?)",
        (result,),
    )
    conn.execute("INSERT INTO metrics VALUES (1, 'sway_rms_deg', 1.1)")
    conn.close()

    with Store.open(path) as store:
        (old,) = store.trials()
        _finished(store, _result("valid"), number=2)
        new = store.trials()[-1]
    assert (old.validity, old.warning_codes, old.metrics) == (None, (), {"sway_rms_deg": 1.1})
    assert new.validity == "valid"
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    # The old trial has no checksum (it was not written by this Poise); the new one has.
    assert [r[0] is None for r in raw.execute("SELECT checksum FROM trials ORDER BY id")] == [
        True,
        False,
    ]
