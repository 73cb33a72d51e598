"""Schema version 5 on real SQLite files: visits, and the sessions that name them."""

from __future__ import annotations

import sqlite3

import pytest

from poise.batteries import battery, battery_to_dict
from poise.errors import PoiseError
from poise.store.schema import MIGRATIONS, migrate
from poise.store.sqlite import Store

UPST = battery_to_dict(battery("upst"))


def test_a_version_4_store_is_migrated_and_its_sessions_belong_to_no_visit(tmp_path):
    path = tmp_path / "poise.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, str(path), MIGRATIONS[:4]) == 4
    conn.execute("INSERT INTO athletes (name) VALUES ('Ana')")
    conn.execute(
        "INSERT INTO sessions (athlete_id, started_utc, source_kind, source_json, settings_json,"
        " poise_version) VALUES (1, '2025-01-06T09:00:00.000Z', 'sim', '{}', '{}', '0.3.0')"
    )
    conn.close()
    with Store.open(path) as store:
        assert store.visits() == []
        visit_id = store.start_visit("Ana", UPST, "right")
        (visit,) = store.visits("Ana")
    assert (visit.id, visit.battery, visit.involved) == (visit_id, "upst", "right")
    assert visit.open
    assert visit.battery_fields == UPST and visit.sessions == {}
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert raw.execute("SELECT visit_id, condition FROM sessions").fetchall() == [(None, None)]


def test_sessions_name_their_visit_and_condition_and_visits_are_numbered_per_battery(tmp_path):
    with Store.open(tmp_path / "poise.sqlite3") as store:
        first = store.start_visit("Ana", UPST)
        session = store.start_session("Ana", {"kind": "sim"}, {}, visit=(first, 2))
        store.end_session(session)
        store.end_visit(first)
        second = store.start_visit("Ana", UPST, "left")
        store.start_visit("Bo", UPST)
        visits = store.visits("Ana")
        assert [(v.id, v.number, v.open) for v in visits] == [(first, 1, False), (second, 2, True)]
        assert visits[0].sessions == {session: 2}
        with pytest.raises(PoiseError, match="no such open visit"):
            store.start_session("Ana", {"kind": "sim"}, {}, visit=(first, 1))  # it has ended
        with pytest.raises(PoiseError, match="another athlete's"):
            store.start_session("Bo", {"kind": "sim"}, {}, visit=(second, 1))
        with pytest.raises(PoiseError, match="no such open visit"):
            store.end_visit(first)
