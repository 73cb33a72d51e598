"""The command line as a user meets it: real processes, real files, one-line errors."""

import json
import subprocess
import sys

import pytest

from conftest import RECORDINGS, recording_path
from poise.formats import load_recording


def poise(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "poise", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("poise: "), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_help_lists_the_commands():
    result = poise("--help")
    assert result.returncode == 0
    for command in ("train", "simulate", "inspect", "angles", "calibrate-accel", "config"):
        assert command in result.stdout


def test_simulate_then_angles(tmp_path):
    sim = poise(
        "simulate", "stance", "-o", "s.csv", "--rate", "104", "--duration-s", "10", cwd=tmp_path
    )
    assert sim.returncode == 0, sim.stderr
    assert "wrote s.csv" in sim.stdout and (tmp_path / "s.truth.json").exists()
    angles = poise("angles", "s.csv", cwd=tmp_path)
    assert angles.returncode == 0, angles.stderr
    rows = angles.stdout.splitlines()
    assert rows[0] == "t_s,seq,tilt_ap_deg,tilt_ml_deg,inclination_deg,flags"
    assert len(rows) - 1 == len(load_recording(tmp_path / "s.csv").samples)
    as_json = json.loads(poise("angles", "s.csv", "--json", cwd=tmp_path).stdout)
    assert len(as_json["tilt_ap_deg"]) == len(rows) - 1
    assert as_json["calibration"]["found"] is True


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("fusion_sensor_data.csv", []),
        ("gait_tracking_short_walk.csv", []),
        (
            "mobgap_HA001_Test5_Trial1.csv",
            ["--rate", "100", "--acc-unit", "g", "--gyr-unit", "dps"],
        ),
        ("mlr_cmj_smartphone.csv", ["--rate", "128", "--acc-unit", "m/s2", "--gyr-unit", "rad/s"]),
    ],
)
def test_inspect_every_real_imu_recording(name, options):
    path = recording_path(name)
    result = poise("inspect", str(path), *options, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    expected = {
        "fusion_sensor_data.csv": 13514,
        "gait_tracking_short_walk.csv": 16539,
        "mobgap_HA001_Test5_Trial1.csv": 1246,
        "mlr_cmj_smartphone.csv": 600,
    }
    assert report["samples"] == expected[name]
    text = poise("inspect", str(path), *options)
    assert "health:" in text.stdout and "still:" in text.stdout


def test_inspect_reports_the_gait_files_quirks():
    report = json.loads(
        poise("inspect", str(recording_path("gait_tracking_short_walk.csv")), "--json").stdout
    )
    assert report["health"]["duplicate_timestamps"] == 205
    assert any("duplicate" in p for p in report["problems"])


def test_user_mistakes_are_one_line(tmp_path):
    assert_one_line_error(
        poise("inspect", "nothere.csv", cwd=tmp_path), "nothere.csv", "No such file"
    )
    assert_one_line_error(
        poise("inspect", str(recording_path("mobgap_HA001_Test5_Trial1.csv"))), "--acc-unit"
    )
    assert_one_line_error(
        poise("inspect", str(RECORDINGS / "jythen_forceplate_standing.csv")),
        "jythen_forceplate_standing.csv:35",
        "not an IMU file",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("t,ax,ay,az,gx,gy,gz\n0,0,0,1,0,0,0\n0.01,0,zero,1,0,0,0\n")
    assert_one_line_error(
        poise("angles", str(bad), "--acc-unit", "g", "--gyr-unit", "dps"),
        "bad.csv:3: column 'ay': cannot read 'zero'",
    )
    assert_one_line_error(
        poise("simulate", "stance", "-o", "x.csv", "--eyes", "shut", cwd=tmp_path),
        "eyes must be one of",
    )
    assert_one_line_error(
        poise("simulate", "hop", "-o", "x.csv", "--rate", "100", cwd=tmp_path), "no 100 Hz rate"
    )
    assert_one_line_error(
        poise("simulate", "lunge", "-o", str(tmp_path / "no" / "x.csv")), "cannot write"
    )
    config = tmp_path / "c.toml"
    config.write_text("[orientation]\ngain = 'x'\n")
    assert_one_line_error(poise("--config", str(config), "config"), "c.toml: [orientation] gain")


def test_calibrate_accel_and_use_it(tmp_path):
    assert (
        poise(
            "simulate", "poses", "-o", "p.csv", "--imu", "mpu6050", "--rate", "100", cwd=tmp_path
        ).returncode
        == 0
    )
    result = poise("calibrate-accel", "p.csv", "-o", "cal.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "8 poses" in result.stdout
    cal = json.loads((tmp_path / "cal.json").read_text())
    assert cal["sensor_model"] == "MPU-6050" and len(cal["accelerometer"]["offset_g"]) == 3
    assert (
        poise(
            "simulate", "lunge", "-o", "l.csv", "--imu", "mpu6050", "--rate", "100", cwd=tmp_path
        ).returncode
        == 0
    )
    assert (
        poise("angles", "l.csv", "--accel-cal", "cal.json", "-o", "a.csv", cwd=tmp_path).returncode
        == 0
    )
    assert (tmp_path / "a.csv").read_text().startswith("t_s,")
    assert_one_line_error(
        poise("calibrate-accel", "l.csv", "-o", "x.json", cwd=tmp_path), "orientations"
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["simulate", "stance", "-o", "x.csv", "--gyro-bias", "-1"], "--gyro-bias must be"),
        (
            ["simulate", "stance", "-o", "x.csv", "--losses", "-3"],
            "--losses must be a whole number",
        ),
        (["simulate", "stance", "-o", "x.csv", "--seed", "-1"], "--seed must be"),
        (["simulate", "poses", "-o", "x.csv", "--drop-probability", "2"], "--drop-probability"),
        (["simulate", "hop", "-o", "x.csv", "--imu", "mpu6050", "--rate", "3.9"], "..., 4 Hz"),
        (["inspect", "x.csv", "--skip-rows", "-1"], "--skip-rows must be"),
        (["inspect", "x.csv", "--delimiter", ""], "--delimiter must be one character"),
        (["inspect", "x.csv", "--rate", "0"], "--rate must be a number above 0"),
    ],
)
def test_bad_options_name_the_option(tmp_path, args, fragment):
    (tmp_path / "x.csv").write_text("t,ax,ay,az,gx,gy,gz\n0,0,0,1,0,0,0\n")
    assert_one_line_error(poise(*args, cwd=tmp_path), fragment)


def test_damaged_recordings_are_one_line_errors_or_read(tmp_path):
    assert poise("simulate", "lunge", "-o", "r.csv", "--rate", "104", cwd=tmp_path).returncode == 0
    text = (tmp_path / "r.csv").read_text()
    header = (
        text[: text.index("seq,t_s")]
        + "seq,t_s,acc_x_g,acc_y_g,acc_z_g,gyr_x_dps,gyr_y_dps,gyr_z_dps\n"
    )
    (tmp_path / "empty.csv").write_text(header)
    result = poise("angles", "empty.csv", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.count("\n") == 1  # the column names only
    assert poise("inspect", "empty.csv", cwd=tmp_path).returncode == 0
    (tmp_path / "mount.csv").write_text(
        text.replace('"mounting": "+x+y+z"', '"mounting": "+x+x+z"')
    )
    assert_one_line_error(poise("angles", "mount.csv", cwd=tmp_path), "metadata field 'mounting'")
    rows = text.splitlines()
    first = next(i for i, row in enumerate(rows) if row.startswith("seq,")) + 1
    rows[first + 2] = "2.5" + rows[first + 2][1:]
    (tmp_path / "seq.csv").write_text("\n".join(rows) + "\n")
    assert_one_line_error(
        poise("angles", "seq.csv", cwd=tmp_path), f"seq.csv:{first + 3}: column 'seq'"
    )
    rows[first + 2] = rows[first + 2].replace("2.5,", "2,", 1)
    rows[first + 5] = rows[first + 5].split(",", 1)[0] + ",inf," + rows[first + 5].split(",", 2)[2]
    (tmp_path / "inf.csv").write_text("\n".join(rows) + "\n")
    report = json.loads(poise("inspect", "inf.csv", "--json", cwd=tmp_path).stdout)
    assert report["health"]["bad_timestamps"] == 1


CONTRACT = {
    "stance": (
        "sway_rms_deg",
        "sway_area95_deg2",
        "sway_velocity_dps",
        "touchdowns",
        "time_held_s",
    ),
    "hop": ("landings",),
    "lunge": ("max_inclination_deg", "reps"),
    "board": ("ap_rms_deg", "ml_rms_deg", "time_in_zone_s", "edge_touches"),
    "hip": ("internal_rotation_deg", "external_rotation_deg"),
}
ITEM_KEYS = {
    "touchdowns": ("t_s",),
    "landings": ("t_s", "flight_s", "height_m", "peak_acc_g", "tts_s"),
    "reps": ("inclination_deg",),
}


@pytest.mark.parametrize("drill", list(CONTRACT))
def test_analyze_gives_the_contract_keys_for_every_drill(tmp_path, drill):
    extra = {"stance": ["--losses", "1"], "hop": ["--hops", "2"]}.get(drill, [])
    scenario = poise("simulate", drill, "-o", "r.csv", "--rate", "104", *extra, cwd=tmp_path)
    assert scenario.returncode == 0, scenario.stderr
    result = poise("analyze", "r.csv", "--drill", drill, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)  # one JSON object, nothing else on stdout
    assert out["drill"] == drill and out["algorithm_version"]
    assert {"samples", "gaps", "nan_rows", "acc_saturated"} <= set(out["health"])
    assert out["validity"] in ("valid", "attention", "invalid")
    assert all({"code", "message"} <= set(w) for w in out["warnings"])
    for key in CONTRACT[drill]:
        assert out[key] is not None, key
        if key in ITEM_KEYS:
            assert out[key], f"{key} is empty"
            for item in out[key]:
                assert set(ITEM_KEYS[key]) <= set(item)
    text = poise("analyze", "r.csv", "--drill", drill, cwd=tmp_path)
    # The verdict comes first, then what was scored.
    verdict, heading = text.stdout.splitlines()[:2]
    assert text.returncode == 0 and verdict.startswith(("valid", "ATTENTION", "INVALID"))
    assert heading.startswith("r.csv: " + drill)
    assert "calibrated on the still period" in text.stdout


def test_analyze_mistakes_are_one_line(tmp_path):
    assert poise("simulate", "board", "-o", "b.csv", "--rate", "104", cwd=tmp_path).returncode == 0
    assert_one_line_error(
        poise("analyze", "b.csv", "--drill", "stance", "--start", "9", "--end", "3", cwd=tmp_path),
        "--start (9 s) must be before --end (3 s)",
    )
    assert_one_line_error(
        poise("analyze", "b.csv", "--drill", "stance", "--start", "90", cwd=tmp_path),
        "b.csv: no samples between 90 and",
    )
    assert_one_line_error(
        poise("analyze", "b.csv", "--drill", "board", "--zone", "20", cwd=tmp_path),
        "--zone must be",
    )
    phone = recording_path("mlr_cmj_smartphone.csv")
    options = ["--rate", "128", "--acc-unit", "m/s2", "--gyr-unit", "rad/s"]
    assert_one_line_error(
        poise("analyze", str(phone), "--drill", "hip", *options), "give --placement"
    )


def test_symmetry_of_left_and_right_legs(tmp_path):
    for leg, seed in (("left", "1"), ("right", "2")):
        made = poise(
            "simulate", "lunge", "-o", f"{leg}.csv", "--leg", leg, "--seed", seed, cwd=tmp_path
        )
        assert made.returncode == 0, made.stderr
    result = poise("symmetry", "left.csv", "right.csv", "--drill", "lunge", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (metric,) = json.loads(result.stdout)["metrics"]
    assert metric["name"] == "max_inclination_deg" and 0 < metric["lsi_pct"] <= 100
    worse = min(("left", metric["left"]), ("right", metric["right"]), key=lambda x: x[1])[0]
    assert metric["worse_side"] == worse
    text = poise("symmetry", "left.csv", "right.csv", "--drill", "lunge", cwd=tmp_path)
    assert "LSI" in text.stdout and "left against right" in text.stdout
    assert_one_line_error(
        poise("symmetry", "right.csv", "left.csv", "--drill", "lunge", cwd=tmp_path),
        "right.csv: given as the left leg but recorded on the right_shank",
    )


def test_analyze_refuses_what_it_cannot_score_and_says_where(tmp_path):
    assert poise("simulate", "hop", "-o", "h.csv", "--hops", "1", cwd=tmp_path).returncode == 0
    assert_one_line_error(
        poise(
            "analyze", "h.csv", "--drill", "stance", "--start", "10", "--end", "10.5", cwd=tmp_path
        ),
        "h.csv: too little between 10 and 10.5 s to score (at least 1 s",
    )
    rows = (tmp_path / "h.csv").read_text().splitlines()
    first = next(i for i, row in enumerate(rows) if row.startswith("seq,")) + 1
    last = max(i for i, row in enumerate(rows) if row[:1].isdigit())

    def with_time(index: int, t_s: str, name: str) -> str:
        changed = list(rows)
        fields = changed[index].split(",")
        changed[index] = ",".join([fields[0], t_s, *fields[2:]])
        (tmp_path / name).write_text("\n".join(changed) + "\n")
        return name

    # One glitched timestamp at the end is skipped; at the start it would hide the rest.
    late = poise("analyze", with_time(last, "1.0", "late.csv"), "--drill", "hop", cwd=tmp_path)
    assert late.returncode == 0, late.stderr
    assert "hops: 1" in late.stdout
    assert_one_line_error(
        poise("analyze", with_time(first, "60", "early.csv"), "--drill", "hop", cwd=tmp_path),
        "early.csv: time goes back at sample 2",
    )
    assert_one_line_error(
        poise("analyze", with_time(last, "1e6", "gap.csv"), "--drill", "hop", cwd=tmp_path),
        "gap.csv: no samples for",
        "--start and --end",
    )


def test_symmetry_takes_csv_files_as_the_legs_they_are_given_as(tmp_path):
    options = [
        "--time-column",
        "t_s",
        "--acc-columns",
        "acc_x_g,acc_y_g,acc_z_g",
        "--gyr-columns",
        "gyr_x_dps,gyr_y_dps,gyr_z_dps",
        "--acc-unit",
        "g",
        "--gyr-unit",
        "dps",
    ]
    for leg in ("left", "right"):
        assert (
            poise("simulate", "hip", "-o", f"{leg}.csv", "--leg", leg, cwd=tmp_path).returncode == 0
        )
        rows = (tmp_path / f"{leg}.csv").read_text().splitlines()
        header = next(i for i, row in enumerate(rows) if row.startswith("seq,"))
        data = [row for row in rows[header:] if not row.startswith("#")]
        (tmp_path / f"{leg}_plain.csv").write_text("\n".join(data) + "\n")
    result = poise(
        "symmetry",
        "left_plain.csv",
        "right_plain.csv",
        "--drill",
        "hip",
        "--json",
        *options,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    names = [m["name"] for m in json.loads(result.stdout)["metrics"]]
    assert names == ["internal_rotation_deg", "external_rotation_deg"]
    assert_one_line_error(
        poise("analyze", "left_plain.csv", "--drill", "hip", *options, cwd=tmp_path),
        "give --placement left_shank or right_shank",
    )


def test_train_replay_and_history_end_to_end(tmp_path):
    """A short simulated session logged; its recording replayed to a WAV; the history."""
    config = tmp_path / "c.toml"
    config.write_text("[sensor]\nrate_hz = 104.0\n[train]\nstance_s = 8.0\nrest_s = 0.0\n")
    env_args = ("--config", str(config))
    store = tmp_path / "p.sqlite3"
    train = poise(*env_args, "train", "stance", "--athlete", "Ana", "--store", str(store))
    assert train.returncode == 0, train.stderr
    assert train.stdout.count("trial complete") == 2 and "Session complete" in train.stdout

    history = poise(
        "history", "--store", str(store), "--athlete", "Ana", "--csv", "h.csv", cwd=tmp_path
    )
    assert history.returncode == 0, history.stderr
    assert "stance, left against right" in history.stdout
    assert (tmp_path / "h.csv").read_text().count("sway_rms_deg") == 2

    raw = next((tmp_path / "recordings").rglob("*-stance-right.csv"))
    replay = poise(
        *env_args,
        "replay",
        str(raw),
        "--drill",
        "stance",
        "--audio",
        "r.wav",
        "--json",
        cwd=tmp_path,
    )
    assert replay.returncode == 0, replay.stderr
    (result,) = json.loads(replay.stdout.strip().splitlines()[-1])
    assert result["drill"] == "stance" and result["placement"] == "right_shank"
    assert (tmp_path / "r.wav").stat().st_size > 100_000
    # (In a folder of its own: beside p.sqlite3's recordings a missing store is refused.)
    assert_one_line_error(
        poise("history", "--store", str(tmp_path / "new" / "none.sqlite3")), "no progression store"
    )
    assert_one_line_error(poise(*env_args, "train", "stance", "--sensor", "usb"), "--sensor 'usb'")
    assert_one_line_error(poise(*env_args, "train", "stance", "--trials", "0"), "--trials must be")


def test_sensors_and_firmware_install_without_hardware():
    sensors = poise("sensors", "--bus", "97", "--timeout", "0.1")
    assert sensors.returncode == 0, sensors.stderr
    assert "IMUs on I2C buses 97:\n  none found" in sensors.stdout
    assert "sensor nodes on serial ports:" in sensors.stdout
    assert_one_line_error(poise("firmware", "install", "/dev/no-such-pico"), "no-such-pico")
    assert_one_line_error(poise("record", "--sensor", "i2c:97", "-o", "x.csv"), "i2c-97")
