"""The store on a real SQLite file: trials, one-transaction endings, recovery, locks, WAL."""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from collections.abc import Iterator, Mapping

import pytest
from store_children import started_child

from poise.errors import PoiseError
from poise.store import Store


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    with Store.open(tmp_path / "poise.sqlite3") as opened:
        yield opened


def test_a_trial_is_stored_with_its_result_metrics_and_recording_hash(store, tmp_path):
    session = store.start_session(
        " Ana ", {"kind": "serial", "port": "/dev/ttyACM0"}, {"rate_hz": 416.0}
    )
    trial = store.start_trial(session, "stance", "left", "closed", "foam", 2)
    db = sqlite3.connect(tmp_path / "poise.sqlite3")
    session_uuid = db.execute("SELECT uuid FROM sessions WHERE id = ?", (session,)).fetchone()[0]
    trial_uuid = db.execute("SELECT uuid FROM trials WHERE id = ?", (trial.id,)).fetchone()[0]
    assert uuid.UUID(session_uuid).version == uuid.UUID(trial_uuid).version == 4
    assert trial.recording_path == tmp_path / "recordings" / session_uuid / (
        f"{trial_uuid}-stance-left.csv"
    )
    assert trial.recording_path.parent.is_dir()
    assert not trial.recording_path.exists()  # left to the writer, which creates it exclusively
    trial.recording_path.write_bytes(b"raw samples\n")
    result = {"drill": "stance", "algorithm_version": "1.7", "sway_rms_deg": 1.25}
    store.finish_trial(
        trial.id, "complete", result, {"sway_rms_deg": 1.25, "time_held_s": None}, notes="ok"
    )
    store.end_session(session)

    (row,) = store.trials(athlete="Ana")
    assert (row.athlete, row.drill, row.leg, row.eyes, row.surface, row.number) == (
        "Ana",
        "stance",
        "left",
        "closed",
        "foam",
        2,
    )
    assert row.status == "complete" and row.notes == "ok"
    assert row.algorithm_version == "1.7"
    assert row.result == result
    assert row.metrics == {"sway_rms_deg": 1.25, "time_held_s": None}
    assert row.recording == trial.recording_path
    assert row.recording_sha256 == hashlib.sha256(b"raw samples\n").hexdigest()
    assert row.started_utc <= row.ended_utc  # millisecond resolution
    stored = sqlite3.connect(tmp_path / "poise.sqlite3").execute("SELECT recording FROM trials")
    assert stored.fetchone()[0] == f"recordings/{session_uuid}/{trial_uuid}-stance-left.csv"
    assert store.athletes() == ["Ana"]


def test_trials_are_filtered_by_athlete_drill_and_leg(store):
    for athlete, drill, leg in [
        ("Ana", "hop", "left"),
        ("Ana", "hop", "right"),
        ("Ben", "hop", "left"),
    ]:
        session = store.start_session(athlete, {"kind": "sim"}, {})
        trial = store.start_trial(session, drill, leg, "open", "firm", 1)
        store.finish_trial(trial.id, "complete", None, {})
        store.end_session(session)
    assert [(t.athlete, t.leg) for t in store.trials(drill="hop", leg="left")] == [
        ("Ana", "left"),
        ("Ben", "left"),
    ]
    assert [t.leg for t in store.trials(athlete="Ana")] == ["left", "right"]
    assert store.trials(drill="lunge") == []
    assert store.athletes() == ["Ana", "Ben"]
    assert store.athlete_id("Ben") == store.athlete_id("Ben ") != store.athlete_id("Cy")


class _FailsOnSecondPass(Mapping):
    """Metrics that can be checked once and then break while being written."""

    def __init__(self) -> None:
        self.passes = 0

    def __getitem__(self, key):
        return {"a": 1.0, "b": 2.0}[key]

    def __len__(self):
        return 2

    def __iter__(self):
        self.passes += 1
        yield "a"
        if self.passes > 1:
            raise OSError("disk vanished while writing metrics")
        yield "b"


def test_finish_trial_is_one_transaction(store):
    """A failure while writing the metrics leaves the trial as it was: running, no metrics."""
    session = store.start_session("Ana", {"kind": "sim"}, {})
    trial = store.start_trial(session, "lunge", "left", "open", "firm", 1)
    with pytest.raises(OSError, match="disk vanished"):
        store.finish_trial(trial.id, "complete", {"drill": "lunge"}, _FailsOnSecondPass())
    (row,) = store.trials()
    assert (row.status, row.result, row.metrics, row.ended_utc) == ("running", None, {}, None)
    store.finish_trial(trial.id, "aborted", None, {})
    assert store.trials()[0].status == "aborted"


def test_a_trial_ends_once(store):
    session = store.start_session("Ana", {"kind": "sim"}, {})
    trial = store.start_trial(session, "lunge", "left", "open", "firm", 1)
    store.finish_trial(trial.id, "complete", None, {"x": 1.0})
    with pytest.raises(PoiseError, match=f"trial {trial.id}: not running"):
        store.finish_trial(trial.id, "complete", None, {"x": 2.0})
    assert store.trials()[0].metrics == {"x": 1.0}


def test_bad_arguments_are_refused_before_anything_is_written(store):
    session = store.start_session("Ana", {"kind": "sim"}, {})
    with pytest.raises(ValueError, match="leg must be one of left, right, board"):
        store.start_trial(session, "stance", "middle", "open", "firm", 1)
    with pytest.raises(ValueError, match="drill must be one of"):
        store.start_trial(session, "juggling", "left", "open", "firm", 1)
    with pytest.raises(ValueError, match="started_utc must say its time zone"):
        store.start_trial(session, "stance", "left", "open", "firm", 1, "2025-01-01T10:00:00")
    trial = store.start_trial(session, "stance", "left", "open", "firm", 1)
    with pytest.raises(ValueError, match="metric sway must be a finite number"):
        store.finish_trial(trial.id, "complete", None, {"sway": float("nan")})
    with pytest.raises(ValueError, match="status must be one of"):
        store.finish_trial(trial.id, "done", None, {})
    assert [t.status for t in store.trials()] == ["running"]
    with pytest.raises(PoiseError, match="no such open session"):
        store.start_trial(session + 1, "stance", "left", "open", "firm", 1)


def test_ending_a_session_interrupts_its_running_trials(store):
    session = store.start_session("Ana", {"kind": "sim"}, {})
    trial = store.start_trial(session, "hop", "right", "open", "firm", 1)
    trial.recording_path.write_text("partial")
    store.end_session(session)
    (row,) = store.trials()
    assert row.status == "interrupted"
    assert row.recording_sha256 == hashlib.sha256(b"partial").hexdigest()
    with pytest.raises(PoiseError, match="no such open session"):
        store.start_trial(session, "hop", "right", "open", "firm", 2)


def test_one_session_at_a_time_and_no_recovery_under_a_live_session(tmp_path):
    path = tmp_path / "poise.sqlite3"
    with Store.open(path) as live:
        session = live.start_session("Ana", {"kind": "sim"}, {})
        trial = live.start_trial(session, "stance", "right", "open", "firm", 1)
        with Store.open(path) as other:
            # Opening recovers nothing: the live session's trial is still running.
            assert other.recover() == []
            assert [t.status for t in other.trials()] == ["running"]
            with pytest.raises(PoiseError, match="another Poise session is running"):
                other.start_session("Ben", {"kind": "sim"}, {})
        live.finish_trial(trial.id, "complete", None, {})
        live.end_session(session)
        with Store.open(path) as other:
            other.end_session(other.start_session("Ben", {"kind": "sim"}, {}))
    with Store.open(path) as store:
        assert [t.status for t in store.trials()] == ["complete"]


def test_a_reader_never_waits_for_a_writer_in_another_process(tmp_path):
    """WAL: a reader with no busy timeout reads consistent snapshots while another process
    commits trial after trial, and opening the store does not recover the live trials."""
    path = tmp_path / "poise.sqlite3"
    Store.open(path).close()
    with started_child(
        """
        import sys
        from poise.store import Store
        with Store.open(sys.argv[1]) as store:
            session = store.start_session("Ana", {"kind": "sim"}, {})
            print("started", flush=True)
            for n in range(1, 101):
                trial = store.start_trial(session, "stance", "left", "open", "firm", n)
                trial.recording_path.write_text(str(n))
                metrics = {f"m{k}": float(n) for k in range(20)}
                store.finish_trial(trial.id, "complete", {"drill": "stance"}, metrics)
            store.end_session(session)
        """,
        path,
    ) as writer:
        assert writer.stdout.readline() == "started\n"
        reader = sqlite3.connect(path, timeout=0)  # any lock wait would raise "database is locked"
        seen = []
        while writer.poll() is None or len(seen) < 2:
            reader.execute("BEGIN")
            complete = reader.execute("SELECT count(*) FROM trials WHERE status = 'complete'")
            n_complete = complete.fetchone()[0]
            n_metrics = reader.execute("SELECT count(*) FROM metrics").fetchone()[0]
            reader.execute("COMMIT")
            assert n_metrics == 20 * n_complete  # a trial and its metrics arrive together
            seen.append(n_complete)
            with Store.open(path) as store:
                assert "interrupted" not in {t.status for t in store.trials()}
        assert writer.wait(timeout=30) == 0, writer.stderr.read()
        assert seen == sorted(seen) and len(set(seen)) > 2  # it read while the writer wrote
        with Store.open(path) as store:
            assert [t.status for t in store.trials()] == ["complete"] * 100
            assert store.integrity_check() == ["ok"]
