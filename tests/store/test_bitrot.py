"""Bit rot in a real store file: ``poise history`` works on what can be read and names the
rest, or says in one line that nothing can be; never a traceback, never a wrong row.

The store is made by Poise itself (athletes, sessions, trials with results, verdicts and
metrics), closed so that everything is in the main file, then damaged: random bits flipped
anywhere (hypothesis), or one whole page overwritten, page by page.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import random
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poise.cli import main
from poise.reports.history import history
from poise.store import Store, TrialRow

DRILLS = ("stance", "lunge", "hop")


def _build(folder: Path) -> Path:
    """A store of three athletes and 24 trials, as sessions leave them; its path."""
    path = folder / "poise.sqlite3"
    rng = random.Random(20261202)
    with Store.open(path) as store:
        for day in range(8):
            athlete = ("Ana", "Ben", "Chloé")[day % 3]
            session = store.start_session(
                athlete,
                {"kind": "sim", "seed": day},
                {},
                started_utc=f"2025-03-{day + 1:02d}T09:00Z",
            )
            for number, leg in enumerate(("left", "right", "left"), start=1):
                drill = DRILLS[(day + number) % 3]
                trial = store.start_trial(
                    session,
                    drill,
                    leg,
                    "open",
                    "firm",
                    number,
                    f"2025-03-{day + 1:02d}T09:0{number}Z",
                )
                trial.recording_path.write_text(f"{athlete} {drill} {leg} {day}\n")
                if number == 3 and day % 4 == 0:
                    store.finish_trial(trial.id, "interrupted", None, {})
                    continue
                value = round(rng.uniform(0.5, 40.0), 3)
                name = {"stance": "sway_rms_deg", "lunge": "max_inclination_deg"}.get(
                    drill, "mean_flight_s"
                )
                validity = rng.choice(("valid", "valid", "attention", "invalid"))
                codes = [] if validity == "valid" else [rng.choice(("noise", "saturation"))]
                result = {
                    "drill": drill,
                    "placement": f"{leg}_shank",
                    name: value,
                    "validity": validity,
                    "warnings": [{"code": c, "message": c, "severity": validity} for c in codes],
                    "notes": "x" * rng.randrange(50, 400),
                }
                store.finish_trial(trial.id, "complete", result, {name: value})
            store.end_session(session)
    assert not path.with_name(path.name + "-wal").exists()  # all in the main file
    return path


class Clean(tuple):
    """The undamaged store's bytes and every trial as it reads, by id (a short repr)."""

    def __repr__(self) -> str:
        return f"<a store of {len(self[0])} bytes, {len(self[1])} trials>"


def _as_read(trial: TrialRow, folder: Path) -> TrialRow:
    """The trial, its recording's path relative to the store (as the store keeps it)."""
    return dataclasses.replace(trial, recording=trial.recording.relative_to(folder))


@pytest.fixture(scope="module")
def clean():
    with tempfile.TemporaryDirectory() as folder:
        path = _build(Path(folder))
        with Store.open_readonly(path) as store:
            truth = {t.id: _as_read(t, Path(folder)) for t in store.trials()}
        yield Clean((path.read_bytes(), truth))


def _check_damaged(data: bytes, truth: dict) -> None:
    """History of ``data`` as a store file: one line, or only true rows and the rest named."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "poise.sqlite3"
        path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["history", "--store", str(path)])  # a traceback fails the test
        if code != 0:
            assert code == 2 and out.getvalue() == ""
            message = err.getvalue()
            assert message.startswith("poise: ") and message.count("\n") == 1, message
            return
        assert err.getvalue() == ""
        with Store.open_readonly(path) as store:
            h = history(store)
        for trial in h.trials:
            assert truth.get(trial.id) == _as_read(trial, Path(folder))  # never a wrong row
        named = {lost.trial_id for lost in h.unreadable}
        nameless = sum(lost.trial_id is None for lost in h.unreadable)  # "a trial cannot..."
        missing = set(truth) - {t.id for t in h.trials}
        # Each lost row is named (by its id where that is left), or the loss is said.
        assert len(missing - named) <= nameless or not h.complete
        if h.damaged:
            text = out.getvalue()
            assert text.startswith("the store is damaged") and "poise store rebuild" in text
        else:
            assert not missing


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_bit_flips_anywhere_give_true_rows_or_one_line(clean, data):
    original, truth = clean
    damaged = bytearray(original)
    bits = data.draw(st.lists(st.integers(0, 8 * len(original) - 1), min_size=1, max_size=6))
    for bit in bits:
        damaged[bit // 8] ^= 1 << (bit % 8)
    _check_damaged(bytes(damaged), truth)


def test_a_page_of_garbage_anywhere_gives_true_rows_or_one_line(clean):
    original, truth = clean
    page_size = int.from_bytes(original[16:18], "big")
    rng = random.Random(7)
    for start in range(0, len(original), page_size):
        damaged = bytearray(original)
        damaged[start : start + page_size] = rng.randbytes(page_size)
        _check_damaged(bytes(damaged), truth)


def test_a_flipped_digit_in_a_metric_names_the_trial_and_shows_the_others(clean, tmp_path):
    original, truth = clean
    path = tmp_path / "poise.sqlite3"
    path.write_bytes(original)
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        # What one flipped bit in a REAL does: a number still, and a wrong one.
        conn.execute("UPDATE metrics SET value = value + 1 WHERE trial_id = 5")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["history", "--store", str(path)]) == 0
    text = out.getvalue()
    assert text.startswith("the store is damaged; what could be read follows.\n")
    assert "  trial 5 cannot be read: its content does not match its checksum; left out\n" in text
    assert "`poise store rebuild --from DIR` recreates it from them." in text
    with Store.open_readonly(path) as store:
        shown = history(store).trials
    assert sorted(t.id for t in shown) == sorted(set(truth) - {5})
