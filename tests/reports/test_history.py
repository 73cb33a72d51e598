"""History of a real store filled with weeks of synthetic trials, checked against hand-computed
numbers: latest, best, trend per week, change against the MDC, LSI, CSV export."""

from __future__ import annotations

import csv

import pytest

from poise.drills import RULES
from poise.errors import PoiseError
from poise.metrics import ALGORITHM_VERSION
from poise.reports.history import (
    CSV_COLUMNS,
    build_history,
    export_csv,
    format_history,
    history,
    metric_history,
    run_history,
)
from poise.store import Store

LUNGE = RULES["lunge"][0]  # max_inclination_deg, higher is better, MDC 4.7 deg
SWAY = RULES["stance"][0]  # sway_rms_deg, lower is better, no MDC


def _log(
    store,
    athlete,
    drill,
    leg,
    when,
    status,
    values,
    eyes="open",
    placement=None,
    validity="valid",
    codes=(),
):
    """One trial on ``when`` (YYYY-MM-DD, 09:00 UTC) whose result and metrics are ``values``,
    its verdict ``validity`` (None: a result without one) with warnings of ``codes``."""
    session = store.start_session(athlete, {"kind": "sim"}, {}, started_utc=f"{when}T09:00:00Z")
    trial = store.start_trial(session, drill, leg, eyes, "firm", 1, started_utc=f"{when}T09:05:00Z")
    trial.recording_path.write_text(f"{athlete} {drill} {leg} {when}")
    if status == "complete":
        result = {"drill": drill, "placement": placement or f"{leg}_shank", **values}
        if validity is not None:
            warnings = [{"code": c, "message": c, "severity": "attention"} for c in codes]
            result.update(validity=validity, warnings=warnings)
        store.finish_trial(trial.id, status, result, values, ended_utc=f"{when}T09:06:00Z")
    else:
        store.finish_trial(trial.id, status, None, {}, ended_utc=f"{when}T09:06:00Z")
    store.end_session(session, ended_utc=f"{when}T10:00:00Z")


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "poise.sqlite3") as opened:
        incl = "max_inclination_deg"
        for when, value in [("2025-03-03", 38.0), ("2025-03-10", 40.0), ("2025-03-17", 45.0)]:
            _log(opened, "Ana", "lunge", "left", when, "complete", {incl: value})
        _log(opened, "Ana", "lunge", "left", "2025-03-20", "interrupted", {})
        _log(opened, "Ana", "lunge", "left", "2025-03-21", "aborted", {})
        _log(opened, "Ana", "lunge", "right", "2025-03-03", "complete", {incl: 44.0})
        _log(opened, "Ana", "lunge", "right", "2025-03-04", "complete", {incl: 44.5})
        for when, value in [("2025-03-01", 1.0), ("2025-03-03", 1.2), ("2025-03-06", 1.0)]:
            _log(opened, "Ana", "stance", "left", when, "complete", {"sway_rms_deg": value})
        _log(opened, "Ana", "stance", "right", "2025-03-06", "complete", {"sway_rms_deg": 1.25})
        _log(
            opened,
            "Ana",
            "stance",
            "right",
            "2025-03-07",
            "complete",
            {"sway_rms_deg": 0.5},
            eyes="closed",
        )
        _log(opened, "Ben", "lunge", "left", "2025-03-05", "complete", {incl: 30.0})
        yield opened


def _group(h, drill, leg, eyes="open"):
    (group,) = [g for g in h.groups if (g.drill, g.leg, g.eyes) == (drill, leg, eyes)]
    return group


def test_latest_best_trend_and_change_against_hand_computed_values(store):
    h = history(store, "Ana")
    left = _group(h, "lunge", "left")
    assert left.counts == {"complete": 3, "interrupted": 1, "aborted": 1}
    (m,) = left.metrics
    assert (m.n, m.latest, m.latest_utc[:10], m.best, m.previous) == (
        3,
        45.0,
        "2025-03-17",
        45.0,
        40.0,
    )
    # weeks 0, 1, 2 against 38, 40, 45: slope = ((-1)(-3) + 0 + (1)(4)) / 2 = 3.5 deg/week;
    # residuals 0.5, -1, 0.5: SE = sqrt(1.5 / 1 / 2), t(0.975, 1) = 12.706: CI 3.5 +- 11.0
    assert m.trend.per_week == pytest.approx(3.5)
    assert m.trend.ci95 == pytest.approx((3.5 - 11.0039, 3.5 + 11.0039), abs=1e-4)
    # 7 deg over the two weeks is beyond the MDC, but the interval holds zero: not a trend
    assert (m.trend.over_span, m.trend.verdict) == (7.0, "no detectable change")
    assert (m.change.change, m.change.verdict, m.mdc.value, m.mdc.kind) == (
        5.0,
        "better",
        4.7,
        "published",
    )

    (right,) = _group(h, "lunge", "right").metrics
    assert right.trend is None
    assert right.trend_note == "only 2 complete trials (a trend needs 3)"
    assert (right.change.change, right.change.verdict) == (0.5, "no detectable change")

    (sway,) = _group(h, "stance", "left").metrics
    assert (sway.latest, sway.best, sway.best_utc[:10]) == (
        1.0,
        1.0,
        "2025-03-01",
    )  # first to reach it
    assert sway.trend is None
    assert sway.trend_note == "the complete trials span 5 days (a trend needs 7 days)"
    # No published MDC, and one trial a session gives no personal one: not judged.
    assert (sway.change.change, sway.change.verdict, sway.mdc.value) == (-0.2, None, None)
    assert sway.mdc.note.startswith("no published MDC; a personal one needs 4 degrees")


def test_trend_needs_a_week_and_is_a_least_squares_slope():
    days = ["2025-01-01T00:00:00Z", "2025-01-04T12:00:00Z", "2025-01-08T00:00:00Z"]
    h = metric_history(SWAY, list(zip(days, [2.0, 1.0, 1.5], strict=True)))
    # t = 0, 0.5, 1 week: slope = ((-0.5)(0.5) + 0 + (0.5)(0)) / 0.5 = -0.5 deg/week
    assert h.trend.per_week == pytest.approx(-0.5)
    assert (h.best, h.change.change, h.change.verdict) == (1.0, 0.5, None)  # no MDC
    short = metric_history(
        SWAY, list(zip([days[0], days[1], "2025-01-07T23:00:00Z"], [2.0, 1.0, 1.5], strict=True))
    )
    assert short.trend is None
    assert short.trend_note.startswith("the complete trials span 6.96 days")


def test_a_personal_mdc_from_the_first_sessions_judges_the_change():
    # Three sessions of three trials, each with variance 0.01: SEM 0.1 deg on 6 degrees of
    # freedom, MDC95 = 1.96 * sqrt(2) * 0.1 = 0.2772 deg. Sway: lower is better.
    baseline = [[1.0, 1.1, 1.2], [1.2, 1.3, 1.4], [0.9, 1.0, 1.1]]
    day1, day2 = "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z"
    h = metric_history(SWAY, [(day1, 1.2), (day2, 0.9)], baseline)
    assert (h.mdc.kind, h.mdc.df) == ("personal", 6)
    assert h.mdc.sem == pytest.approx(0.1) and h.mdc.value == pytest.approx(0.27719, abs=1e-5)
    assert (h.change.change, h.change.verdict) == (-0.3, "better")
    assert metric_history(SWAY, [(day1, 1.2), (day2, 1.4)], baseline).change.verdict == (
        "no detectable change"
    )


def test_mdc_judges_the_change_as_reported():
    # 44.7 - 40.0 is 4.700000000000003 in floating point: at 4 decimals it is the MDC, not beyond.
    h = metric_history(LUNGE, [("2025-01-01T00:00:00Z", 40.0), ("2025-01-02T00:00:00Z", 44.7)])
    assert (h.change.change, h.change.verdict) == (4.7, "no detectable change")


def test_left_against_right_uses_the_latest_complete_trial_of_each_leg(store):
    h = history(store, "Ana")
    by_drill = {(s.drill, s.eyes): s for s in h.symmetry}
    assert set(by_drill) == {("lunge", "open"), ("stance", "open")}  # eyes closed: right only
    stance = by_drill["stance", "open"]
    (sway,) = [m for m in stance.comparison["metrics"] if m["name"] == "sway_rms_deg"]
    assert (sway["left"], sway["right"]) == (1.0, 1.25)
    assert (sway["lsi_pct"], sway["worse_side"], sway["lsi_below_90"]) == (80.0, "right", True)
    lunge = by_drill["lunge", "open"]
    (incl,) = lunge.comparison["metrics"]
    assert (incl["left"], incl["right"], incl["lsi_pct"]) == (45.0, 44.5, 98.9)
    assert (incl["lsi_below_90"], incl["exceeds_mdc"]) == (False, False)


def test_a_result_recorded_on_the_other_leg_is_noted_not_compared(tmp_path):
    with Store.open(tmp_path / "poise.sqlite3") as s:
        _log(s, "Cy", "lunge", "left", "2025-03-03", "complete", {"max_inclination_deg": 40.0})
        _log(
            s,
            "Cy",
            "lunge",
            "right",
            "2025-03-03",
            "complete",
            {"max_inclination_deg": 41.0},
            placement="left_shank",
        )
        (sym,) = history(s).symmetry
    assert sym.comparison is None and "recorded on the left_shank" in sym.note


def test_terminal_text(store):
    text = format_history(history(store))
    assert text.startswith(
        "Ana\n  lunge, left leg, eyes open, firm surface: 3 complete, 1 interrupted, 1 aborted\n"
    )
    # A 3.5 deg/week slope whose interval holds zero is not called better any more; the
    # 5 deg change beyond the published MDC is.
    assert (
        "    max inclination: 45.0 deg on 2025-03-17; best 45.0 deg on 2025-03-17; "
        "trend +3.5 deg a week (95% CI -7.5 to +14.5, +7.0 deg over 2 weeks), no detectable "
        "change; change from the previous trial +5.0 deg, better; MDC 4.7 deg (published)\n" in text
    )
    assert (
        "no trend, only 2 complete trials (a trend needs 3); change from the previous trial "
        "+0.5 deg, no detectable change; MDC 4.7 deg (published)" in text
    )
    # Sway has no published MDC and one trial a session gives no personal one: not judged.
    assert (
        "change from the previous trial -0.20 deg, not judged; no published MDC; a personal "
        "one needs 4 degrees of freedom of baseline trials, 0 so far" in text
    )
    assert "sway rms: left 1.00, right 1.25 deg; LSI 80.0%, right worse  [LSI < 90%]" in text
    assert "\n\nBen\n  lunge, left leg" in text
    assert format_history(build_history([])) == "no trials logged yet"


def test_one_athlete_and_an_unknown_one(store):
    assert {g.athlete for g in history(store, "Ben").groups} == {"Ben"}
    with pytest.raises(PoiseError, match=r"no athlete called 'Dan' \(known: Ana, Ben\)"):
        history(store, "Dan")


def test_csv_export_has_one_row_per_trial_and_metric(store, tmp_path):
    path = tmp_path / "out" / "history.csv"
    path.parent.mkdir()
    n = export_csv(store, path)
    rows = list(csv.DictReader(path.open()))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert n == len(rows) == 13  # 13 trials, each with one metric or none
    assert [p.name for p in path.parent.iterdir()] == ["history.csv"]  # no temporary left
    interrupted = [r for r in rows if r["status"] == "interrupted"]
    assert interrupted == [
        {
            "trial": interrupted[0]["trial"],
            "athlete": "Ana",
            "date": "2025-03-20T09:05:00.000Z",
            "drill": "lunge",
            "leg": "left",
            "eyes": "open",
            "surface": "firm",
            "status": "interrupted",
            "battery": "",
            "visit": "",
            "condition": "",
            "session": interrupted[0]["session"],
            "trial_number": "1",
            "metric": "",
            "value": "",
            "unit": "",
            "algorithm_version": ALGORITHM_VERSION,
            "validity": "",
            "warnings": "",
            "marked_invalid": "",
        }
    ]
    latest = [r for r in rows if r["date"].startswith("2025-03-17")]
    assert [(r["metric"], float(r["value"]), r["unit"]) for r in latest] == [
        ("max_inclination_deg", 45.0, "deg")
    ]
    with pytest.raises(PoiseError, match=r"history\.csv: already exists; not overwritten"):
        export_csv(history(store, "Ben"), path)
    assert len(list(csv.DictReader(path.open()))) == 13  # the first export, untouched
    assert export_csv(history(store, "Ben"), path.with_name("ben.csv")) == 1
    assert [r["athlete"] for r in csv.DictReader(path.with_name("ben.csv").open())] == ["Ben"]


def test_run_history_prints_and_exports(store, tmp_path, monkeypatch):
    store.close()
    out = tmp_path / "h.csv"
    text = run_history(store.path, "Ana", out)
    assert text.startswith("Ana\n") and text.endswith(f"{out}: 12 rows (one per trial and metric)")
    assert out.is_file()
    with pytest.raises(PoiseError, match=r"h\.csv/x\.csv: cannot write: Not a directory"):
        run_history(store.path, None, out / "x.csv")
    monkeypatch.setenv("POISE_DATA_DIR", str(tmp_path / "empty"))
    with pytest.raises(PoiseError, match=r"empty/poise\.sqlite3: no progression store yet"):
        run_history()
    assert not (tmp_path / "empty").exists()  # looking does not create a store


def test_invalid_trials_are_named_and_left_out_of_trends_and_progression(tmp_path):
    incl = "max_inclination_deg"
    with Store.open(tmp_path / "poise.sqlite3") as s:
        for when, value in [("2025-03-03", 38.0), ("2025-03-10", 40.0), ("2025-03-17", 45.0)]:
            _log(s, "Ana", "lunge", "left", when, "complete", {incl: value})
        # A walk scored as a lunge: 80 deg, the best and latest if it counted.
        _log(
            s,
            "Ana",
            "lunge",
            "left",
            "2025-03-24",
            "complete",
            {incl: 80.0},
            validity="invalid",
            codes=("drill_mismatch",),
        )
        _log(s, "Ana", "lunge", "left", "2025-03-25", "complete", {incl: 44.0}, validity=None)
        h = history(s)
    (group,) = h.groups
    assert group.verdicts == {"valid": 3, "invalid": 1, "unknown": 1}
    assert [t.started_utc[:10] for t in group.left_out] == ["2025-03-24"]
    (m,) = group.metrics
    assert (m.n, m.best, m.latest, m.previous) == (4, 45.0, 44.0, 45.0)
    text = format_history(h)
    assert "5 complete (1 invalid, left out; 1 validity unknown)" in text
    assert "    left out, invalid: the trial of 2025-03-24 (invalid: drill_mismatch)\n" in text
    assert "max inclination: 44.0 deg on 2025-03-25; best 45.0 deg on 2025-03-17" in text


def test_attention_is_marked_and_symmetry_does_not_compare_an_invalid_trial(tmp_path):
    incl = "max_inclination_deg"
    with Store.open(tmp_path / "poise.sqlite3") as s:
        _log(s, "Ana", "lunge", "left", "2025-03-03", "complete", {incl: 40.0})
        _log(
            s,
            "Ana",
            "lunge",
            "left",
            "2025-03-04",
            "complete",
            {incl: 20.0},
            validity="invalid",
            codes=("saturation",),
        )
        _log(
            s,
            "Ana",
            "lunge",
            "right",
            "2025-03-03",
            "complete",
            {incl: 42.0},
            validity="attention",
            codes=("noise",),
        )
        _log(
            s,
            "Ana",
            "stance",
            "left",
            "2025-03-03",
            "complete",
            {"sway_rms_deg": 1.0},
            validity="invalid",
            codes=("drill_mismatch",),
        )
        _log(s, "Ana", "stance", "right", "2025-03-03", "complete", {"sway_rms_deg": 1.1})
        h = history(s)
    by_drill = {sym.drill: sym for sym in h.symmetry}
    lunge = by_drill["lunge"]
    (compared,) = lunge.comparison["metrics"]
    assert (compared["left"], compared["right"]) == (40.0, 42.0)  # not the invalid 20
    assert lunge.flags == (
        "left: the latest trial is invalid, not compared (invalid: saturation, 2025-03-04)",
        "right: the trial compared needs attention (attention: noise)",
    )
    stance = by_drill["stance"]
    assert stance.comparison is None and stance.left_utc is None
    assert stance.note == "no left trial that is not invalid to compare"
    text = format_history(h)
    assert "    the latest trial, of 2025-03-03, needs attention (noise)\n" in text
    assert (
        "  stance, left against right, eyes open, firm surface (latest trials 2025-03-03):\n"
        in text
    )
    assert "    no left trial that is not invalid to compare" in text
