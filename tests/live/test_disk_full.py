"""The disk fills during `poise train`: on a real small file system (a tmpfs), filled by a
real file at a chosen moment, so the recording's write fails with ENOSPC and the store's
commit with SQLITE_FULL, as they do on a Pi's full card.

The tmpfs is one of these, tried in order: ``$POISE_SMALL_FS`` (a folder on a small file
system, which `.ci/run` mounts as root); a private mount in a user namespace (``unshare
-rm``, which works unprivileged on most Linux systems). Without either the tests skip,
saying why, unless ``$POISE_REQUIRE_DISK_FULL`` is set (`.ci/run` sets it): then they fail.
"""

from __future__ import annotations

import functools
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from poise.cli import main
from poise.formats.poise_csv import read_recording
from poise.store import Store
from poise_process import poise_env, train_config

#: Size of the namespace's tmpfs: room for the session, then filled on purpose.
TMPFS = "size=16m,mode=0700"

CONFIG = train_config("stance_s = 20.0", settle_s=3.0) + "[store]\nreserve_mb = 1.0\n"

#: Runs `poise train` in the small file system, fills it at the moment CASE names, then
#: frees it and copies what is left to OUT (a namespace's tmpfs ends with its process).
CHILD = """
    import errno, os, shutil, sys
    from pathlib import Path
    import poise.formats.poise_csv as poise_csv
    import poise.store.sqlite as sqlite
    from poise.cli import main

    fs, out, case, config = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
    filler = fs / "filler"
    events = open(out.parent / "events.txt", "w")

    def fill():
        with open(filler, "wb", buffering=0) as f:
            for chunk in (1 << 16, 1 << 12, 1 << 9, 1):
                try:
                    while f.write(bytes(chunk)):
                        pass
                except OSError as e:
                    assert e.errno == errno.ENOSPC, e
        events.write("filled\\n")

    def hook(real, when):
        def wrapper(self, *args, **kwargs):
            if when(self) and not filler.exists():
                fill()
            try:
                return real(self, *args, **kwargs)
            except Exception as e:
                events.write(f"{real.__name__}: {type(e).__name__}: {e}\\n")
                raise
        return wrapper

    if case == "recording":  # ten seconds in: well past the go beep, before the end
        writer = poise_csv.RecordingWriter
        writer.write = hook(writer.write, lambda w: w.samples_written >= 1040)
    else:  # the trial's last write: its result, into the store
        store = sqlite.Store
        store.finish_trial = hook(store.finish_trial, lambda s: True)
    code = main(["--config", config, "train", "stance", "--leg", "both", "--athlete", "ana"])
    events.close()
    filler.unlink(missing_ok=True)
    shutil.copytree(fs / "data", out, symlinks=True)
    sys.exit(code)
"""


@functools.cache
def _small_fs() -> tuple[list[str], str | None]:
    """How to run a command on a small file system: its command prefix, or why not."""
    shared = os.environ.get("POISE_SMALL_FS")
    if shared:
        return [], None
    unshare = shutil.which("unshare")
    if unshare is None:
        return [], "no unshare(1) to mount a private tmpfs, and $POISE_SMALL_FS is not set"
    probe = [unshare, "-rm", "sh", "-c", f"mount -t tmpfs -o {TMPFS} tmpfs /mnt"]
    done = subprocess.run(probe, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return [], f"cannot mount a private tmpfs ({reason}), and $POISE_SMALL_FS is not set"
    return [unshare, "-rm", "sh", "-c", f'mount -t tmpfs -o {TMPFS} tmpfs "$0" && exec "$@"'], None


@pytest.fixture
def small_fs(tmp_path):
    """A folder on a small file system for the child, and the command prefix that gives it."""
    prefix, why_not = _small_fs()
    if why_not:
        if os.environ.get("POISE_REQUIRE_DISK_FULL"):
            pytest.fail(f"the disk-full tests must run here: {why_not}")
        pytest.skip(why_not)
    if os.environ.get("POISE_SMALL_FS"):
        folder = Path(os.environ["POISE_SMALL_FS"]) / f"poise-test-{uuid.uuid4()}"
        folder.mkdir(mode=0o700)
        yield prefix, folder
        shutil.rmtree(folder)
    else:
        folder = tmp_path / "small"
        folder.mkdir()
        yield [*prefix, str(folder)], folder


def _train_until_full(tmp_path: Path, small_fs, case: str) -> subprocess.CompletedProcess:
    prefix, folder = small_fs
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    env = poise_env(folder / "data", tmp_path, this_path=True)
    command = [sys.executable, "-c", textwrap.dedent(CHILD), str(folder)]
    command += [str(tmp_path / "out"), case, str(config)]
    return subprocess.run(
        [*prefix, *command], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _trial_row(out: Path):
    with sqlite3.connect(out / "poise.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    with Store.open(out / "poise.sqlite3") as store:
        (trial,) = store.trials()  # the session stopped: no second trial
    return trial


def _stopped_in_one_line(done: subprocess.CompletedProcess, out: Path) -> str:
    """The one line `poise train` stopped with, checked; OUT is what it left."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("poise: ")
    assert done.stderr.rstrip().endswith("; the session stopped: free some space, then train again")
    assert "not written" not in done.stderr  # the reserve made room for every last write
    assert not list(out.glob("*.reserve"))
    return done.stderr


def _full_at(tmp_path: Path, small_fs, case: str):
    """`poise train` until the disk fills at CASE: the process, what it left (OUT), the
    line it stopped with (checked) and the child's events."""
    done = _train_until_full(tmp_path, small_fs, case)
    out = tmp_path / "out"
    error = _stopped_in_one_line(done, out)
    return done, out, error, (tmp_path / "events.txt").read_text().splitlines()


def _accounted_for(out: Path, capsys) -> None:
    """`poise store check` on what the session left finds nothing wrong."""
    assert main(["store", "check", "--store", str(out / "poise.sqlite3")]) == 0
    assert capsys.readouterr().out.endswith("all accounted for\n")


def test_a_disk_full_mid_trial_interrupts_it_and_keeps_its_samples_and_result(
    tmp_path, small_fs, capsys
):
    done, out, error, events = _full_at(tmp_path, small_fs, "recording")
    assert events == ["filled", "write: OSError: [Errno 28] No space left on device"]
    assert "» Trial interrupted: the disk is full." in done.stdout  # said aloud
    assert "» Session stopped: the disk is full." in done.stdout
    assert "Session complete" not in done.stdout

    trial = _trial_row(out)
    recording = read_recording(trial.recording)
    assert trial.status == "interrupted" and trial.notes == "the disk is full"
    n = len(recording.samples)
    folder = small_fs[1] / "data"
    assert error.startswith(
        f"poise: {folder}: the disk is full; stance right trial 1 interrupted, its {n} samples "
        f"kept in {folder / trial.recording.relative_to(out)}, scored;"
    )
    # The samples up to the block that failed, no torn row, and the end line after them.
    assert recording.complete and recording.notes == () and n >= 1040
    assert recording.end["status"] == "interrupted" and recording.end["scored"] is True
    go_s, end_s = recording.end["go_s"], recording.end["end_s"]
    assert go_s < end_s <= float(recording.samples.t_s[-1]) < go_s + 20.0  # cut short
    # The result over the span it reached, logged with its metrics.
    assert trial.result is not None
    assert trial.result["span_s"] == pytest.approx([go_s, end_s], abs=0.02)
    assert trial.metrics and all(v is not None for v in trial.metrics.values())
    _accounted_for(out, capsys)


def test_a_disk_full_as_the_result_is_logged_keeps_it_complete_with_its_result(
    tmp_path, small_fs, capsys
):
    done, out, error, events = _full_at(tmp_path, small_fs, "store")
    # The first commit failed on the full disk; the one after the reserve was freed held.
    assert events == ["filled", "finish_trial: OperationalError: database or disk is full"]
    trial = _trial_row(out)
    assert trial.status == "complete" and trial.result is not None and trial.metrics
    assert " stance right trial 1 complete, its " in error and ", scored;" in error
    assert read_recording(trial.recording).end["status"] == "complete"
    assert "» Session stopped: the disk is full." in done.stdout
    _accounted_for(out, capsys)
