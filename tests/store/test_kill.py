"""A session killed with SIGKILL mid-trial: the store stays sound and nothing finished is lost."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3

from store_children import run_child, started_child

from poise.formats.poise_csv import read_recording
from poise.store import Store

SESSION = """
    import sys
    import numpy as np
    from poise.formats.poise_csv import RecordingWriter
    from poise.recording import RecordingMeta
    from poise.samples import SampleBlock
    from poise.store import Store

    RATE_HZ, BLOCK = 416.0, 104  # 0.25 s blocks

    def block(k):
        seq = k * BLOCK + np.arange(BLOCK)
        acc = np.tile([0.0, 0.0, 1.0], (BLOCK, 1)) + 0.001 * np.sin(seq)[:, None]
        return SampleBlock(seq / RATE_HZ, seq, acc, np.zeros((BLOCK, 3)))

    meta = RecordingMeta(rate_hz=RATE_HZ, sensor_model="LSM6DSO32", placement="left_shank")
    store = Store.open(sys.argv[1])
    session = store.start_session("Ana", {"kind": "sim", "seed": 1}, {"rate_hz": RATE_HZ})
    for number in (1, 2):
        trial = store.start_trial(session, "stance", "left", "open", "firm", number)
        with RecordingWriter(trial.recording_path, meta) as writer:
            for k in range(8):
                writer.write(block(k))
        result = {"drill": "stance", "sway_rms_deg": 1.0 + number}
        store.finish_trial(trial.id, "complete", result, {"sway_rms_deg": 1.0 + number})
        print("finished", trial.id, flush=True)
    trial = store.start_trial(session, "stance", "left", "open", "firm", 3)
    writer = RecordingWriter(trial.recording_path, meta)
    for k in range(1_000_000):
        writer.write(block(k))
        print("block", k + 1, flush=True)
"""


def test_sigkill_mid_trial_leaves_a_sound_store_and_a_readable_recording(tmp_path):
    path = tmp_path / "poise.sqlite3"
    with started_child(SESSION, path) as child:
        finished = []
        for line in child.stdout:
            word, number = line.split()
            if word == "finished":
                finished.append(int(number))
            elif int(number) >= 20:  # well into the third trial's recording
                break
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    assert finished == [1, 2]

    # Before anything repairs it: sound, two trials complete, the third still "running".
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert raw.execute("SELECT id, status FROM trials ORDER BY id").fetchall() == [
        (1, "complete"),
        (2, "complete"),
        (3, "running"),
    ]
    raw.close()

    with Store.open(path) as store:  # opening recovers the killed trial
        assert store.integrity_check() == ["ok"]
        trials = store.trials()
        assert [t.status for t in trials] == ["complete", "complete", "interrupted"]
        for trial in trials:
            content = trial.recording.read_bytes()
            assert trial.recording_sha256 == hashlib.sha256(content).hexdigest()
        assert [t.metrics for t in trials] == [{"sway_rms_deg": 2.0}, {"sway_rms_deg": 3.0}, {}]
        assert trials[2].ended_utc is not None and trials[2].result is None
        assert store.recover() == []  # nothing left running

    done = read_recording(trials[1].recording)
    assert done.complete and len(done.samples) == 8 * 104
    killed = read_recording(trials[2].recording)
    assert not killed.complete
    assert len(killed.samples) >= 20 * 104
    assert (killed.samples.seq == range(len(killed.samples))).all()


def test_recover_interrupts_what_a_process_that_died_meanwhile_left_running(tmp_path):
    path = tmp_path / "poise.sqlite3"
    with Store.open(path) as store:  # e.g. the history open while a session crashes
        child = run_child(
            """
            import os, sys
            from poise.store import Store
            store = Store.open(sys.argv[1])
            session = store.start_session("Ana", {"kind": "sim"}, {})
            store.start_trial(session, "hop", "right", "open", "firm", 1)  # nothing recorded
            os._exit(0)  # gone without ending anything
            """,
            str(path),
        )
        assert child.returncode == 0, child.stderr
        assert [t.status for t in store.trials()] == ["running"]
        assert store.recover() == [1]
        (trial,) = store.trials()
    assert (trial.status, trial.recording_sha256, trial.ended_utc) == ("interrupted", None, None)
