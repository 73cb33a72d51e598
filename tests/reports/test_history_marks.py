"""History of trials marked invalid by hand (`poise trial invalid`): listed with the
reason, left out of latest, best, trend, change and left against right, counted again
once the mark is taken back."""

from __future__ import annotations

import csv

from poise.reports.history import export_csv, format_history, history
from poise.store import Store

INCL = "max_inclination_deg"


def _lunge(store: Store, leg: str, when: str, value: float) -> int:
    """A complete, valid lunge trial on ``when`` (09:00 UTC); its id."""
    session = store.start_session("Ana", {"kind": "sim"}, {}, started_utc=f"{when}T09:00:00Z")
    trial = store.start_trial(session, "lunge", leg, "open", "firm", 1, f"{when}T09:05:00Z")
    trial.recording_path.write_text(f"{leg} {when}")
    result = {"drill": "lunge", "placement": f"{leg}_shank", INCL: value, "validity": "valid"}
    store.finish_trial(trial.id, "complete", result, {INCL: value}, ended_utc=f"{when}T09:06:00Z")
    store.end_session(session, ended_utc=f"{when}T10:00:00Z")
    return trial.id


def test_a_marked_trial_is_listed_with_its_reason_and_left_out_until_the_mark_is_taken_back(
    tmp_path,
):
    with Store.open(tmp_path / "poise.sqlite3") as store:
        for when, value in [("2025-03-03", 38.0), ("2025-03-10", 40.0)]:
            _lunge(store, "left", when, value)
        # The heel came up: 52 deg, the best and latest if it counted.
        heel = _lunge(store, "left", "2025-03-17", 52.0)
        _lunge(store, "right", "2025-03-17", 44.0)
        store.mark_trial(heel, "heel off the floor")
        marked = history(store)
        export_csv(marked, tmp_path / "marked.csv")
        store.mark_trial(heel, None)
        unmarked = history(store)

    left = next(g for g in marked.groups if g.leg == "left")
    assert left.verdicts == {"valid": 2, "marked": 1}
    assert [t.id for t in left.left_out] == [heel]
    (m,) = left.metrics
    assert (m.n, m.latest, m.best, m.previous) == (2, 40.0, 40.0, 38.0)
    (sym,) = marked.symmetry
    (compared,) = sym.comparison["metrics"]
    assert (compared["left"], compared["right"]) == (40.0, 44.0)  # not the marked 52
    text = format_history(marked)
    assert (
        "lunge, left leg, eyes open, firm surface: 3 complete (1 marked invalid, left out)" in text
    )
    assert (
        "    left out, invalid: the trial of 2025-03-17 (marked invalid: heel off the floor)"
        in text
    )
    assert (
        "    left: the latest trial is invalid, not compared "
        "(marked invalid: heel off the floor, 2025-03-17)"
    ) in text

    left = next(g for g in unmarked.groups if g.leg == "left")
    assert left.verdicts == {"valid": 3} and left.left_out == ()
    (m,) = left.metrics
    assert (m.n, m.latest, m.best) == (3, 52.0, 52.0)
    assert "marked" not in format_history(unmarked)
    # The CSV says which trial was marked and why, so a spreadsheet can leave it out too.
    with (tmp_path / "marked.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["trial"]: r["marked_invalid"] for r in rows} == {
        str(t): ("heel off the floor" if t == heel else "") for t in {int(r["trial"]) for r in rows}
    }
