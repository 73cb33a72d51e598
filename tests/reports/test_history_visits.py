"""`poise history` over a real store of four visits, each made by the real `poise battery
run upst --sensor sim --fast`: visit scores, the personal MDC from the baseline visits'
trials, changes, LSI, --json, --drill/--since/--until and the CSV, checked against numbers
computed here from the store's own trials."""

from __future__ import annotations

import csv
import json
import math
import shutil
import sqlite3
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from poise.change import BASELINE_VISITS
from poise.reports.history import CSV_COLUMNS, Filters, history
from poise.reports.visit_history import TREND_KEYS
from poise.store.sqlite import Store
from poise_process import poise_env, train_config

#: An athlete whose name a spreadsheet would run as a formula.
ATHLETE = "=ana"
VISITS = 4


@pytest.fixture(scope="module")
def clinic(tmp_path_factory) -> Path:
    """Four visits of upst for ATHLETE, left involved, each on its own simulator seed."""
    folder = tmp_path_factory.mktemp("clinic")
    (folder / "config.toml").write_text(train_config())
    for seed in range(1, VISITS + 1):
        args = ["--athlete", ATHLETE, "--involved", "left", "--sensor", "sim", "--fast"]
        done = _poise(folder, "battery", "run", "upst", *args, "--seed", str(seed), "--quiet")
        assert done.returncode == 0, done.stderr
    return folder


def _poise(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "poise", "--config", str(folder / "config.toml"), *args,
         "--store", str(folder / "poise.sqlite3")],
        env=poise_env(folder / "data", folder / "cache", this_path=True),
        capture_output=True, text=True, timeout=600, cwd=folder,
    )  # fmt: skip


def _trial_values(store_path: Path) -> dict[tuple[int, int, str], list[float]]:
    """time_held_s of every counted trial, by (visit number, condition, leg), read here."""
    with Store.open_readonly(store_path) as store:
        visits = store.visits(ATHLETE)
        trials = store.trials(ATHLETE)
    out: dict[tuple[int, int, str], list[float]] = {}
    for visit in visits:
        for t in trials:
            if t.session_id in visit.sessions and t.status == "complete":
                assert t.validity != "invalid"
                key = (visit.number, visit.sessions[t.session_id], t.leg)
                out.setdefault(key, []).append(t.metrics["time_held_s"])
    return out


def test_visits_are_compared_by_their_scores_with_a_personal_mdc(clinic):
    values = _trial_values(clinic / "poise.sqlite3")
    with Store.open_readonly(clinic / "poise.sqlite3") as store:
        h = history(store, ATHLETE)
    assert not h.groups  # every trial belongs to a visit
    courses = {(c.condition, c.metric): c for c in h.visits}
    assert set(courses) == {(1, "time_held_s"), (2, "time_held_s")}
    for (condition, _), course in courses.items():
        assert (course.battery, course.score, course.trials) == ("upst", "best", 3)
        for leg in course.legs:
            best = [max(values[(v, condition, leg.leg)]) for v in range(1, VISITS + 1)]
            assert [s.value for s in leg.scores] == best
            assert [s.visit for s in leg.scores] == list(range(1, VISITS + 1))
            # SEM: the within-visit SD pooled over the baseline visits, computed here.
            repeats = [values[(v, condition, leg.leg)] for v in range(1, BASELINE_VISITS + 1)]
            pooled = sum(statistics.variance(r) * (len(r) - 1) for r in repeats) / sum(
                len(r) - 1 for r in repeats
            )
            if pooled == 0:
                assert leg.mdc.value is None
                continue
            assert leg.mdc.kind == "personal" and leg.mdc.df == 6
            assert leg.mdc.value == pytest.approx(1.96 * math.sqrt(2) * math.sqrt(pooled))
            change = round(best[-1] - best[-2], 4)
            assert leg.from_previous.change == change
            expected = (
                "no detectable change"
                if abs(change) <= leg.mdc.value
                else ("better" if change > 0 else "worse")  # time held: higher is better
            )
            assert leg.from_previous.verdict == expected
            baseline = sum(best[:BASELINE_VISITS]) / BASELINE_VISITS
            assert leg.baseline == pytest.approx(baseline)
            assert leg.from_baseline.change == round(best[-1] - baseline, 4)
            assert leg.normal_range == pytest.approx(
                (baseline - leg.mdc.value, baseline + leg.mdc.value)
            )
            assert leg.trend is None and "span" in leg.trend_note  # minutes apart
            assert leg.involved == (leg.leg == "left")
        s = course.symmetry
        left, right = (max(values[(VISITS, condition, leg)]) for leg in ("left", "right"))
        assert (s.visit, s.involved, s.left, s.right) == (VISITS, "left", left, right)
        assert s.lsi_pct == round(100 * left / right, 1)  # involved over uninvolved: time held
        assert s.lsi_below_90 == (s.lsi_pct < 90)
        assert s.difference == round(left - right, 4)
        assert s.exceeds_mdc == (abs(s.difference) > s.mdc.value)  # both legs' baseline SEM
        assert s.mdc.df == 12


def test_a_trend_over_weeks_of_visits(clinic, tmp_path):
    """The visits made a week apart (their stored start moved; the trials' are sealed by
    their checksums and stay): a trend with its interval, over the visits' dates."""
    path = tmp_path / "poise.sqlite3"
    shutil.copy(clinic / "poise.sqlite3", path)
    with sqlite3.connect(path) as conn:
        for number, (visit_id,) in enumerate(conn.execute("SELECT id FROM visits ORDER BY id")):
            conn.execute(
                "UPDATE visits SET started_utc = ? WHERE id = ?",
                (f"2026-01-{1 + 7 * number:02d}T09:00:00.000Z", visit_id),
            )
    with Store.open_readonly(path) as store:
        h = history(store, ATHLETE)
    for course in h.visits:
        for leg in course.legs:
            t = leg.trend
            scores = [s.value for s in leg.scores]
            weeks = [0.0, 1.0, 2.0, 3.0]
            slope = statistics.linear_regression(weeks, scores).slope
            assert t.per_week == pytest.approx(slope) and t.n == VISITS
            assert t.span_weeks == pytest.approx(3.0)
            assert t.ci95[0] <= slope <= t.ci95[1]
            certain = t.ci95[0] > 0 or t.ci95[1] < 0
            if leg.mdc.value is not None and not (certain and abs(t.over_span) > leg.mdc.value):
                assert t.verdict == "no detectable change"
    days = [s.started_utc[:10] for s in h.visits[0].legs[0].scores]
    assert days == ["2026-01-01", "2026-01-08", "2026-01-15", "2026-01-22"]
    with Store.open_readonly(path) as store:
        shown = history(store, ATHLETE, Filters(since="2026-01-08", until="2026-01-15"))
    for course in shown.visits:
        for leg in course.legs:
            assert [s.visit for s in leg.scores] == [2, 3]
            assert leg.baseline_visits == (1, 2, 3)  # the baseline is still the first visits


def test_history_json_has_stable_keys(clinic):
    done = _poise(clinic, "history", "--json", "--athlete", ATHLETE)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert list(doc) == ["store", "filters", "baseline_visits", "athletes"]
    assert doc["filters"] == {"athlete": ATHLETE, "drill": None, "since": None, "until": None}
    assert doc["store"]["damaged"] is False and doc["baseline_visits"] == BASELINE_VISITS
    (athlete,) = doc["athletes"]
    assert list(athlete) == ["athlete", "visits", "trials", "symmetry"]
    assert athlete["athlete"] == ATHLETE and athlete["trials"] == []
    course = athlete["visits"][0]
    assert list(course) == [
        "battery", "condition", "drill", "eyes", "surface", "score", "trials", "metric",
        "unit", "higher_is_better", "legs", "symmetry",
    ]  # fmt: skip
    leg = course["legs"][0]
    assert list(leg) == [
        "leg", "involved", "scores", "mdc", "from_previous", "from_baseline", "trend",
        "normal_range", "normal_range_note",
    ]  # fmt: skip
    assert list(leg["scores"][0]) == ["visit", "started_utc", "value", "trials", "of", "open"]
    assert list(leg["mdc"]) == ["value", "kind", "sem", "df", "note"]
    assert list(leg["from_previous"]) == ["visit", "change", "verdict", "why"]
    assert list(leg["from_baseline"]) == ["visits", "baseline", "change", "verdict", "why"]
    assert tuple(leg["trend"]) == TREND_KEYS and leg["trend"]["per_week"] is None
    assert set(course["symmetry"]) >= {"lsi_pct", "involved", "difference", "exceeds_mdc"}


def test_drill_since_and_until_choose_what_is_shown(clinic):
    hop = json.loads(_poise(clinic, "history", "--json", "--drill", "hop").stdout)
    assert hop["athletes"] == [] and hop["filters"]["drill"] == "hop"
    stance = _poise(clinic, "history", "--drill", "stance")
    assert stance.returncode == 0 and "upst (Unipedal stance test" in stance.stdout
    later = _poise(clinic, "history", "--since", "2999-01-01")
    assert later.returncode == 0, later.stderr
    assert later.stdout.strip() == "no trial or visit of the drill and dates asked for"
    for args, error in [
        (("--drill", "skiing"), "poise: --drill 'skiing' is not a drill (stance, hop, lunge"),
        (("--since", "2026-13-01"), "poise: --since must be an ISO date (YYYY-MM-DD), not"),
        (("--until", "yesterday"), "poise: --until must be an ISO date (YYYY-MM-DD), not"),
        (("--since", "2026-02-01", "--until", "2026-01-01"), "poise: --since 2026-02-01 is after"),
    ]:
        done = _poise(clinic, "history", *args)
        assert done.returncode == 2 and done.stderr.startswith(error), done.stderr
        assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


def test_csv_has_visit_session_and_trial_numbers_and_every_number(clinic):
    out = clinic / "visits.csv"
    done = _poise(clinic, "history", "--csv", str(out))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open(newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {r["athlete"] for r in rows} == {"'" + ATHLETE}  # never a formula
    assert {r["battery"] for r in rows} == {"upst"}
    assert {(r["visit"], r["condition"]) for r in rows} == {
        (str(v), str(c)) for v in range(1, VISITS + 1) for c in (1, 2)
    }
    assert {r["trial_number"] for r in rows} == {"1", "2", "3"}
    trials = {r["trial"] for r in rows}
    assert len(trials) == VISITS * 2 * 2 * 3
    one = [r for r in rows if r["trial"] == min(trials, key=int)]
    names = [r["metric"] for r in one]
    # the headline metrics first, with units; then the rest of the result, its unit in its name
    assert names[:5] == [
        "sway_rms_deg", "sway_area95_deg2", "sway_velocity_dps", "time_held_s",
        "losses_of_balance",
    ]  # fmt: skip
    assert {"path_length_deg", "ap_rms_deg", "f95_hz", "noise_floor_deg"} <= set(names)
    assert [r["unit"] for r in one[:5]] == ["deg", "deg^2", "deg/s", "s", "count"]
    assert len(names) == len(set(names))
    values = [r["value"] for r in rows if r["value"]]
    assert all(math.isfinite(float(v)) for v in values)


def test_a_visit_whose_battery_cannot_be_read_is_named_and_its_trials_shown_alone(clinic, tmp_path):
    path = tmp_path / "poise.sqlite3"
    shutil.copy(clinic / "poise.sqlite3", path)
    with sqlite3.connect(path) as conn:  # as a newer or broken writer might leave it
        conn.execute('UPDATE visits SET battery_json = \'{"name": "upst"}\' WHERE id = 1')
    with Store.open_readonly(path) as store:
        h = history(store, ATHLETE)
    (why,) = h.skipped
    assert why.startswith(f"{ATHLETE}'s upst visit 1: visit 1: title: a non-empty text")
    assert {s.visit for c in h.visits for leg in c.legs for s in leg.scores} == {2, 3, 4}
    assert sum(g.counts["complete"] for g in h.groups) == 12  # visit 1's trials, as trials
