"""Normative tables as data: the shipped ones load and cite their source, a mistake in
a file is one line naming the field, and a value is placed only when the athlete's
condition ran the norm's protocol, with the reason when it is not."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from datetime import date

import pytest

from poise.batteries import battery
from poise.drills import DRILLS
from poise.errors import InputError, PoiseError
from poise.norms.load import load_norm, norm, norms
from poise.norms.place import Age, condition_facts, place

#: A clinic's own table: percentiles by sex for the eyes-closed UPST, best of 3.
GOOD = """
name = "{name}"
title = "Our clinic's eyes-closed stance"
source = "Our clinic, 2026"
doi = "10.1234/our.clinic.2026"
population = "our athletes"
n = 80
statistic = "percentiles"
column = "each athlete's best of 3 trials, s"
checked = "our own data"

[test]
drill = "stance"
metric = "time_held_s"
eyes = "closed"
surface = "firm"
legs = "each"

[protocol]
score = "best"
trials = 3
stance_s = 45.0

[[rows]]
sex = "female"
age = [18, 39]
p5 = 2.0
p25 = 5.0
p50 = 10.0
p75 = 20.0
p95 = 45.0

[[rows]]
sex = "male"
age = [18, 39]
p5 = 1.0
p50 = 8.0
p95 = 40.0
"""


def _facts(name: str, eyes: str = "open", metric: str = "time_held_s", **change):
    """The facts of the shipped battery ``name``'s condition with ``eyes``, changed."""
    condition = next(c for c in battery(name).conditions if c.eyes == eyes)
    return condition_facts(dataclasses.replace(condition, **change), metric)


def test_every_shipped_norm_loads_names_a_real_metric_and_cites_its_source():
    shipped = norms()
    assert {"springer2007-eyes-open", "kouyoumdjian2012-seated-ir"} <= set(shipped)
    for n in shipped.values():
        assert n.source and n.checked and n.column and n.rows and n.n > 0
        assert n.test.metric in {rule.name for rule in DRILLS[n.test.drill].headline}
    springer = shipped["springer2007-eyes-open"]
    assert springer.doi == "10.1519/00139143-200704000-00003" and springer.n == 549
    assert [(r.age_low, r.age_high, r.values["mean"]) for r in springer.rows] == [
        (18, 39, 44.7), (40, 49, 41.9), (50, 59, 41.2), (60, 69, 32.1), (70, 79, 21.5),
        (80, 99, 9.4),
    ]  # fmt: skip
    assert springer.protocol["score"] == "best" and springer.protocol["trials"] == 3
    hip = shipped["kouyoumdjian2012-seated-ir"]
    assert hip.protocol == {"position": "seated"} and hip.rows[0].values == {"mean": 37.9}


def test_the_shipped_batteries_run_the_protocol_of_the_shipped_norms():
    upst = place(norms().values(), _facts("upst"), 38.0, age=Age.exact(45))
    assert upst.shown and upst.kind == "mean" and upst.norm.name == "springer2007-eyes-open"
    assert (upst.row.age_low, upst.band) == (40, "below the band's mean (41.9)")
    assert "a leg of their choice" in upst.caveats[0]
    hip = place(
        norms().values(), _facts("hip", metric="internal_rotation_deg"), 40.0, age=Age.exact(30)
    )
    assert hip.shown and hip.band == "above the band's mean (37.9)"
    assert hip.caveats == (
        "the source's score rule is not stated here; this value is the best of 1",
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"score": "mean"},
            "protocol differs: Poise scored the mean of 3, the norm is the best of 3",
        ),
        ({"trials": 1}, "protocol differs: Poise scored the best of 1, the norm is the best of 3"),
        (
            {"settings": {"stance_s": 30.0, "on_loss": "end"}},
            "stance_s is 30.0 here, 45.0 in the norm",
        ),
        (
            {"protocol": {"arms": "free", "footwear": "barefoot"}},
            "arms is free here, crossed in the norm",
        ),
        (
            {"protocol": {"arms": "crossed"}},
            "the battery does not state footwear, the norm's is barefoot",
        ),
        (
            {"surface": "foam"},
            "no norm for this test (drill stance, metric time_held_s, eyes open, surface foam)",
        ),
    ],
)  # fmt: skip
def test_a_condition_that_ran_another_protocol_is_not_placed_and_says_why(change, reason):
    placed = place(norms().values(), _facts("upst", **change), 44.0, age=Age.exact(30))
    assert not placed.shown and placed.row is None and reason in placed.reason
    assert placed.text == f"no norm shown: {placed.reason}"


def test_the_eyes_closed_upst_has_no_shipped_norm():
    placed = place(norms().values(), _facts("upst", eyes="closed"), 10.0, age=Age.exact(30))
    assert placed.reason.startswith(
        "no norm for this test (drill stance, metric time_held_s, eyes closed"
    )


@pytest.mark.parametrize(
    ("age", "shown", "words"),
    [
        (Age.exact(18), "adults 18-39", None),
        (Age.exact(39), "adults 18-39", None),
        (Age.exact(40), "adults 40-49", None),
        (Age.exact(99), "adults 80-99", None),
        (Age.exact(17), None, "age 17 outside the table's 18-99"),
        (Age.exact(12), None, "age 12 outside the table's 18-99"),
        (Age.exact(100), None, "age 100 outside the table's 18-99"),
        (None, None, "no age given"),
        (
            Age.from_birth_year(1986, date(2026, 12, 3)), None,
            "age 39 or 40 (from the birth year) is on the edge of the bands 18-39 and 40-49",
        ),
        (Age.from_birth_year(1980, date(2026, 12, 3)), "adults 40-49", None),
        (
            Age.from_birth_year(2008, date(2026, 1, 2)), None,
            "age 17 or 18 (from the birth year) may be outside the table's 18-99",
        ),
    ],
)  # fmt: skip
def test_the_age_picks_the_band_and_an_edge_or_a_gap_is_said(age, shown, words):
    placed = place(norms().values(), _facts("upst"), 30.0, age=age)
    assert (placed.row.who if placed.shown else None) == shown
    assert placed.reason == words


def test_a_birth_year_after_the_visit_is_refused():
    with pytest.raises(PoiseError, match=r"birth year 2030 is after the visit \(2026-12-03\)"):
        Age.from_birth_year(2030, date(2026, 12, 3))


def test_percentiles_by_sex_are_placed_only_with_the_sex(tmp_path):
    (tmp_path / "ours.toml").write_text(GOOD.format(name="ours"), encoding="utf-8")
    ours = [norm("ours", user=tmp_path)]
    facts = _facts("upst", eyes="closed")
    young = Age.exact(25)
    cases = {
        ("female", 12.0): "p50-p75",
        ("female", 10.0): "p50",
        ("female", 1.0): "below p5",
        ("female", 45.0): "p95",
        ("male", 45.0): "above p95",
        ("male", 12.0): "p50-p95",
    }
    for (sex, value), band in cases.items():
        placed = place(ours, facts, value, sex=sex, age=young)
        assert (placed.kind, placed.band, placed.row.sex) == ("percentile", band, sex)
    assert place(ours, facts, 12.0, age=young).reason == "no sex given: ours's rows are by sex"
    assert place(ours, facts, None, sex="male", age=young).reason == "no value to place"
    mean = place(ours, {**facts, "score": "mean"}, 12.0, sex="male", age=young)
    assert mean.reason == "protocol differs: Poise scored the mean of 3, the norm is the best of 3"


def test_a_mean_and_sd_table_gives_a_z_score(tmp_path):
    text = GOOD.format(name="ours").replace('"percentiles"', '"mean_sd"')
    text = (
        text.split("[[rows]]")[0] + '[[rows]]\nsex = "any"\nage = [18, 39]\nmean = 10.0\nsd = 4.0\n'
    )
    (tmp_path / "ours.toml").write_text(text, encoding="utf-8")
    placed = place(
        [load_norm(tmp_path / "ours.toml")], _facts("upst", eyes="closed"), 4.0, age=Age.exact(20)
    )
    assert (placed.kind, placed.z) == ("z", -1.5) and placed.band.startswith("z = -1.50")


def test_of_several_norms_for_a_test_the_one_that_places_is_used(tmp_path):
    (tmp_path / "ours.toml").write_text(GOOD.format(name="ours"), encoding="utf-8")
    mean_of_3 = dataclasses.replace(
        norm("ours", user=tmp_path), name="mean3", protocol={"score": "mean", "trials": 3}
    )
    both = [mean_of_3, norm("ours", user=tmp_path)]
    facts = _facts("upst", eyes="closed")
    assert place(both, facts, 12.0, sex="female", age=Age.exact(30)).norm.name == "ours"
    # Neither places: the reason is the one of the norm whose protocol matched.
    assert place(both, facts, 12.0, sex="female", age=Age.exact(50)).reason == (
        "age 50 outside the table's 18-39"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('name = "ours"', 'name = "other"'), "name: 'other' must be the file's name, 'ours'"),
        (('drill = "stance"', 'drill = "dance"'), "test.drill: 'dance' is not a drill"),
        (
            ('metric = "time_held_s"', 'metric = "flight_s"'),
            "test.metric: 'flight_s' is not stance's",
        ),
        (('eyes = "closed"', 'eyes = "shut"'), "test.eyes: 'shut' is not one of"),
        (
            ('legs = "each"', 'legs = "both"'),
            "test.legs: 'both' is not one of each, chosen, unstated",
        ),
        (('score = "best"', 'score = "worst"'), "protocol.score: 'worst' is not one of"),
        (("trials = 3", "trials = 0"), "protocol.trials: a whole number from 1 to 10"),
        (("stance_s = 45.0", "stance_s = -5.0"), "protocol: stance_s"),
        (("stance_s = 45.0", "hop_s = 2.0"), "protocol.hop_s: not a norm protocol field"),
        (("stance_s = 45.0", 'arms = "waving"'), "protocol.arms: 'waving' is not one of"),
        (('doi = "10.1234/our.clinic.2026"', 'doi = "our paper"'), "doi: 'our paper' is not a DOI"),
        (("n = 80", "n = 0"), "n: a whole number of people, 1 or more"),
        (('"percentiles"', '"deciles"'), "statistic: 'deciles' is not one of"),
        (('source = "Our clinic, 2026"', 'source = ""'), "source: a non-empty text is required"),
        (('checked = "our own data"', ""), "checked: a non-empty text is required"),
        (('sex = "male"', 'sex = "men"'), "rows[2].sex: 'men' is not one of female, male, any"),
        (
            ("age = [18, 39]\np5 = 1.0", "age = [39, 18]\np5 = 1.0"),
            "rows[2].age: [from, to] in whole years",
        ),
        (
            ('sex = "male"', 'sex = "female"'),
            "rows[2].age: female 18-39 overlaps rows[1] (female 18-39)",
        ),
        (("p5 = 1.0", "p5 = 9.0"), "rows[2]: the percentiles must not decrease ([9.0, 8.0, 40.0])"),
        (("p5 = 1.0", 'p5 = "x"'), "rows[2].p5: a number is required, not 'x'"),
        (("p5 = 1.0", "mean = 1.0"), "rows[2].mean: not a percentiles row field"),
        (("trials = 3", "trials = 3\ncolour = 1"), "protocol.colour: not a norm protocol field"),
        (('n = 80', 'n = 80\nauthor = "x"'), "author: not a norm field"),
        (("[test]", "[tests]"), "tests: not a norm field"),
        (("[[rows]]", "[[rows]"), "not TOML"),
    ],
)  # fmt: skip
def test_each_mistake_is_one_line_naming_the_file_and_field(tmp_path, change, message):
    path = tmp_path / "ours.toml"
    path.write_text(GOOD.format(name="ours").replace(*change), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_norm(path)
    text = str(raised.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text


def test_a_mean_table_needs_its_mean_and_an_sd_above_zero(tmp_path):
    path = tmp_path / "ours.toml"
    text = GOOD.format(name="ours").replace('"percentiles"', '"mean_sd"').split("[[rows]]")[0]
    for row, message in (
        ("mean = 3.0", "rows[1].sd: required by statistic 'mean_sd'"),
        ("mean = 3.0\nsd = 0.0", "rows[1].sd: a standard deviation above 0"),
    ):
        path.write_text(text + f'[[rows]]\nsex = "any"\nage = [18, 39]\n{row}\n', encoding="utf-8")
        with pytest.raises(InputError, match=re.escape(message)):
            load_norm(path)


def test_a_clinics_own_norm_is_found_and_may_not_take_a_shipped_name(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    folder = tmp_path / "poise" / "norms"
    folder.mkdir(parents=True)
    (folder / "ours.toml").write_text(GOOD.format(name="ours"), encoding="utf-8")
    assert "ours" in norms() and norm("ours").rows[0].values["p50"] == 10.0
    (folder / "springer2007-eyes-open.toml").write_text(
        GOOD.format(name="springer2007-eyes-open"), encoding="utf-8"
    )
    with pytest.raises(InputError, match="a norm named 'springer2007-eyes-open' exists already"):
        norms()


def _poise(*args: str, env_home=None) -> subprocess.CompletedProcess:
    env = None
    if env_home is not None:
        import os

        env = {**os.environ, "XDG_CONFIG_HOME": str(env_home)}
    return subprocess.run(
        [sys.executable, "-m", "poise", *args], capture_output=True, text=True, env=env
    )


def test_the_norms_commands_as_a_process(tmp_path):
    listed = _poise("norms", "list")
    assert listed.returncode == 0 and listed.stderr == ""
    assert "springer2007-eyes-open: Unipedal stance eyes open, best of 3" in listed.stdout
    shown = _poise("norms", "show", "springer2007-eyes-open")
    assert shown.returncode == 0
    assert "doi:10.1519/00139143-200704000-00003" in shown.stdout
    assert (
        "protocol: score best, trials 3, stance_s 45.0, on_loss end, arms crossed" in shown.stdout
    )
    assert "adults 40-49: mean 41.9" in shown.stdout
    as_json = json.loads(_poise("norms", "show", "kouyoumdjian2012-seated-ir", "--json").stdout)
    assert as_json["rows"] == [{"sex": "any", "age": [20, 60], "mean": 37.9}]
    assert as_json["protocol"] == {"position": "seated"} and as_json["n"] == 120
    missing = _poise("norms", "show", "nope")
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.startswith("poise: no norm 'nope' (there are: ")
    assert len(missing.stderr.splitlines()) == 1
    # A broken file of the clinic's: one line naming it and the field, no traceback.
    folder = tmp_path / "poise" / "norms"
    folder.mkdir(parents=True)
    (folder / "ours.toml").write_text(GOOD.format(name="ours").replace("n = 80", "n = -1"))
    broken = _poise("norms", "list", env_home=tmp_path)
    assert broken.returncode == 2
    assert (
        broken.stderr
        == f"poise: {folder / 'ours.toml'}: n: a whole number of people, 1 or more, not -1\n"
    )


def test_a_hostile_norm_cannot_write_to_the_terminal(tmp_path, monkeypatch):
    from poise.norms.commands import describe

    text = GOOD.format(name="ours").replace("our athletes", "ours\\u001b]8;;x\\u0007\\u001b[2J")
    (tmp_path / "ours.toml").write_text(text, encoding="utf-8")
    shown = describe(norm("ours", user=tmp_path))
    assert "\x1b" not in shown and "\x07" not in shown and "ours\\x1b]8;;x" in shown
