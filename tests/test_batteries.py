"""Test batteries as data: the shipped ones load and cite their source, a clinic's own
are found beside them, and every mistake in a file is one line naming the field."""

from __future__ import annotations

import pytest

from poise.batteries import batteries, battery, describe, load_battery
from poise.cli import main
from poise.drills import DRILLS
from poise.errors import InputError, PoiseError

GOOD = """
name = "{name}"
title = "A clinic's own"
source = "Our protocol, 2026"

[[conditions]]
drill = "stance"
eyes = "closed"
trials = 2
metrics = ["sway_rms_deg"]
score = "mean"
settings = {{ stance_s = 20.0 }}
"""


def test_the_shipped_batteries_load_cite_their_source_and_name_real_metrics():
    shipped = batteries()
    assert {"upst", "ankle", "hip"} <= set(shipped)
    for b in shipped.values():
        assert b.source and b.conditions
        for c in b.conditions:
            assert set(c.metrics) <= {rule.name for rule in DRILLS[c.drill].headline}
    upst = shipped["upst"]
    assert "Springer" in upst.source and "10.1519/00139143-200704000-00003" in upst.source
    assert [(c.eyes, c.trials, c.score, c.metrics) for c in upst.conditions] == [
        ("open", 3, "best", ("time_held_s",)),
        ("closed", 3, "best", ("time_held_s",)),
    ]
    assert upst.conditions[0].settings == {"stance_s": 45.0, "on_loss": "end"}


def test_list_and_show(capsys):
    assert main(["battery", "list"]) == 0
    listing = capsys.readouterr().out
    assert "upst: Unipedal stance test" in listing
    assert main(["battery", "show", "upst"]) == 0
    shown = capsys.readouterr().out
    assert "Springer" in shown and "score: best time_held_s" in shown
    assert main(["battery", "show", "nope"]) == 2
    error = capsys.readouterr().err
    assert (
        error.startswith("poise: no battery 'nope' (there are: ") and len(error.splitlines()) == 1
    )


def test_a_hostile_battery_cannot_write_to_the_terminal(tmp_path):
    text = GOOD.format(name="ours").replace("A clinic's own", "Ours\\u001b]8;;x\\u0007\\u001b[2J")
    (tmp_path / "ours.toml").write_text(text, encoding="utf-8")
    shown = describe(battery("ours", user=tmp_path))
    assert "\x1b" not in shown and "\x07" not in shown
    assert "Ours\\x1b]8;;x\\x07\\x1b[2J" in shown


def test_a_clinics_own_battery_is_found_and_may_not_take_a_shipped_name(tmp_path, monkeypatch):
    (tmp_path / "ours.toml").write_text(GOOD.format(name="ours"), encoding="utf-8")
    ours = battery("ours", user=tmp_path)
    assert ours.conditions[0].settings == {"stance_s": 20.0} and ours.legs == ("left", "right")
    assert "2 trials per leg; score: mean sway_rms_deg" in describe(ours)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "xdg" / "poise" / "batteries"
    folder.mkdir(parents=True)
    (folder / "upst.toml").write_text(GOOD.format(name="upst"), encoding="utf-8")
    with pytest.raises(InputError, match="a battery named 'upst' exists already"):
        batteries()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('name = "ours"', 'name = "other"'), "name: 'other' must be the file's name, 'ours'"),
        (('drill = "stance"', 'drill = "dance"'), "conditions[1].drill: 'dance' is not a drill"),
        (('["sway_rms_deg"]', '["flight_s"]'), "conditions[1].metrics: ['flight_s'], not a list"),
        (('eyes = "closed"', 'eyes = "shut"'), "conditions[1].eyes: 'shut' is not one of"),
        (("trials = 2", "trials = 0"), "conditions[1].trials: a whole number from 1 to 10"),
        (('score = "mean"', 'score = "worst"'), "conditions[1].score: 'worst' is not one of"),
        (("stance_s = 20.0", "hop_s = 20.0"), "conditions[1].settings: ['hop_s'] not stance's"),
        (("stance_s = 20.0", "stance_s = -5.0"), "conditions[1].settings: stance_s"),
        (("trials = 2", "trials = 2\ncolour = 1"), "conditions[1].colour: not a battery field"),
        (('source = "Our protocol, 2026"', 'source = ""'), "source: a non-empty text is required"),
        (("[[conditions]]", "[[conditions]"), "not TOML"),
    ],
)
def test_each_mistake_is_one_line_naming_the_file_and_field(tmp_path, change, message):
    path = tmp_path / "ours.toml"
    path.write_text(GOOD.format(name="ours").replace(*change), encoding="utf-8")
    with pytest.raises(PoiseError) as raised:
        load_battery(path)
    text = str(raised.value)
    assert text.startswith(str(path)) and message in text and "\n" not in text
