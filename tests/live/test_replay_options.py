"""`poise replay` of other people's files: --no-intro, --start/--end, and train's import options."""

import json
import subprocess
import sys

from conftest import recording_path

CMJ = ("--rate", "128", "--acc-unit", "m/s2", "--gyr-unit", "rad/s")


def poise(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "poise", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def one_line_error(result: subprocess.CompletedProcess, fragment: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and fragment in lines[0], result.stderr


def test_a_short_jump_without_a_still_start_replays_unguided_and_scores_as_analyze():
    path = str(recording_path("mlr_cmj_smartphone.csv"))
    guided = poise("replay", path, "--drill", "hop", "--leg", "right", *CMJ, "--json")
    (interrupted,) = json.loads(guided.stdout)
    assert interrupted is None  # 4.7 s, no still start: the guided trial never begins
    replay = poise("replay", path, "--drill", "hop", "--leg", "right", *CMJ, "--no-intro", "--json")
    assert replay.returncode == 0, replay.stderr
    (live,) = json.loads(replay.stdout)
    # The file does not say where the phone was: replayed, it stays "unknown".
    batch = json.loads(poise("analyze", path, "--drill", "hop", *CMJ, "--json").stdout)
    # The same numbers as the batch analysis of the file: one jump, the force plate's 0.470 s.
    assert live["hop_count"] == batch["hop_count"] == 1
    assert live["landings"] == batch["landings"]
    assert abs(live["landings"][0]["flight_s"] - 0.470) < 0.016
    assert not live["calibration"]["found"] and live["warnings"]


def test_a_span_without_the_still_start_is_scored_from_its_first_sample(tmp_path):
    made = poise("simulate", "stance", "-o", "s.csv", "--rate", "104", "--seed", "7", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    common = ("replay", "s.csv", "--drill", "stance", "--json", "--start", "12", "--end", "30")
    (result,) = json.loads(poise(*common, "--no-intro", cwd=tmp_path).stdout)
    assert 11.9 < result["span_s"][0] < 12.1 and 29.9 < result["span_s"][1] <= 30.0
    assert result["file"] == "s.csv"  # the file replayed, not the scratch copy that is gone
    text = poise(
        "replay", "s.csv", "--drill", "stance", "--no-intro", "--start", "12", cwd=tmp_path
    )
    assert "trial complete" in text.stdout and "raw recording" not in text.stdout
    one_line_error(poise(*common[:4], "--start", "400", cwd=tmp_path), "no samples between 400")
    one_line_error(poise(*common[:4], "--end", "nan", cwd=tmp_path), "--end must be a number")


def test_train_on_a_replayed_csv_takes_the_import_options(tmp_path):
    path = str(recording_path("mlr_cmj_smartphone.csv"))
    train = poise(
        "train", "hop", "--leg", "right", "--sensor", f"replay:{path}", *CMJ,
        "--store", str(tmp_path / "p.sqlite3"), "--audio", "null", "--rest", "0",
    )  # fmt: skip
    # Read with its units (not refused for them); as a guided trial it has no still start.
    assert "Traceback" not in train.stderr and "--acc-unit" not in train.stderr, train.stderr
    assert "Trial interrupted: the recording ended" in train.stdout


def test_replay_offers_no_rest_and_says_what_no_intro_does():
    help_text = poise("replay", "--help").stdout
    assert "--rest" not in help_text and "--no-intro" in help_text


def test_record_takes_any_source_the_factory_opens(tmp_path):
    made = poise("record", "--sensor", "sim", "-o", "sim.csv", "--seconds", "2", cwd=tmp_path)
    assert made.returncode == 0 and "Traceback" not in made.stderr, made.stderr
    copied = poise("record", "--sensor", "replay:sim.csv", "-o", "copy.csv", cwd=tmp_path)
    assert copied.returncode == 0, copied.stderr
    assert (tmp_path / "copy.csv").read_text().splitlines()[-50:] == (
        (tmp_path / "sim.csv").read_text().splitlines()[-50:]
    )
    one_line_error(
        poise("record", "--sensor", "replay:sim.csv", "-o", "copy.csv", cwd=tmp_path),
        "copy.csv: already exists; not overwritten",
    )
