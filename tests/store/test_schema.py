"""Schema migrations on real SQLite files: from nothing, from an older store, and refusals."""

from __future__ import annotations

import sqlite3

import pytest

from poise.errors import PoiseError
from poise.store import Store
from poise.store.schema import APPLICATION_ID, MIGRATIONS, Migration, migrate


def _connect(path):
    return sqlite3.connect(path, isolation_level=None)


def _tables(path) -> set[str]:
    with _connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_new_store_gets_every_migration(tmp_path):
    path = tmp_path / "deep" / "folder" / "poise.sqlite3"
    with Store.open(path):
        pass
    conn = _connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"athletes", "sessions", "trials", "metrics"} <= _tables(path)
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"metrics_by_name", "trials_by_drill", "sessions_by_athlete"} <= indexes


def test_an_empty_file_becomes_a_store(tmp_path):
    path = tmp_path / "poise.sqlite3"
    path.touch()
    with Store.open(path) as store:
        assert store.athletes() == []
    assert "trials" in _tables(path)


def test_a_version_1_store_is_upgraded_keeping_its_trials(tmp_path):
    path = tmp_path / "poise.sqlite3"
    conn = _connect(path)
    assert migrate(conn, str(path), MIGRATIONS[:1]) == 1
    conn.execute("INSERT INTO athletes (name) VALUES ('Ana')")
    conn.execute(
        "INSERT INTO sessions (athlete_id, started_utc, source_kind, source_json, settings_json,"
        " poise_version) VALUES (1, '2025-01-06T09:00:00.000Z', 'sim', '{}', '{}', '0.0.1')"
    )
    conn.execute(
        "INSERT INTO trials (session_id, drill, leg, eyes, surface, number, status,"
        " algorithm_version, started_utc, result_json) VALUES (1, 'lunge', 'left', 'open',"
        " 'firm', 1, 'complete', '1.0', '2025-01-06T09:01:00.000Z', '{\"drill\": \"lunge\"}')"
    )
    conn.close()
    assert "metrics" not in _tables(path)

    with Store.open(path) as store:
        (trial,) = store.trials()
        assert (trial.athlete, trial.drill, trial.status, trial.metrics) == (
            "Ana",
            "lunge",
            "complete",
            {},
        )
    assert "metrics" in _tables(path)
    assert _connect(path).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_a_failing_migration_leaves_the_store_at_its_last_whole_version(tmp_path):
    path = tmp_path / "poise.sqlite3"
    conn = _connect(path)
    broken = Migration("half-done", ("CREATE TABLE extra (x)", "CREATE TABLE athletes (y)"))
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        migrate(conn, str(path), (*MIGRATIONS, broken))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert "extra" not in _tables(path)


def test_a_store_from_a_newer_poise_is_refused(tmp_path):
    path = tmp_path / "poise.sqlite3"
    Store.open(path).close()
    with _connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(PoiseError, match=r"written by a newer Poise .*update Poise"):
        Store.open(path)


def test_another_programs_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.sqlite3"
    with _connect(path) as conn:
        conn.execute("CREATE TABLE songs (title)")
    before = path.read_bytes()
    with pytest.raises(PoiseError, match="not a Poise store"):
        Store.open(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "poise.sqlite3"
    path.write_bytes(b"this is a text file, not a database\n" * 200)
    with pytest.raises(PoiseError, match=r"poise\.sqlite3: not a Poise store"):
        Store.open(path)
