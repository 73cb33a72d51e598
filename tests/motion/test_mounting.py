"""How the sensor sits: declared on the command line, in the header or the settings; found
from the data; and said in every result, with a warning where nobody declared it."""

import dataclasses
import json

import numpy as np
import pytest

from conftest import simulated
from poise.analysis import analyze
from poise.cli import main
from poise.motion.frames import mounting_matrix, named_mounting, nearest_mounting
from poise.motion.mounting import resolve_mounting
from poise.motion.tilt import track_tilt
from poise.recording import RecordingMeta


def imported(recording):
    """The recording as an imported file would be: nobody says how the sensor sits."""
    meta = dataclasses.replace(recording.meta, mounting="+x+y+z")
    return dataclasses.replace(recording, meta=meta, mounting_from=None)


def codes(result):
    return {w["code"] for w in result["warnings"]}


@pytest.mark.parametrize("leg", ["left", "right"])
@pytest.mark.parametrize("name", ["front", "lateral", "upside_down"])
def test_named_mountings_are_rotations_that_put_the_sensor_where_named(leg, name):
    m = mounting_matrix(named_mounting(name, leg))
    sensor_x_in_segment = m @ np.array([1.0, 0.0, 0.0])  # out of the skin
    sensor_z_in_segment = m @ np.array([0.0, 0.0, 1.0])
    outward = {"front": [1, 0, 0], "lateral": [0, 1 if leg == "left" else -1, 0]}
    assert sensor_x_in_segment.tolist() == outward.get(name, [1, 0, 0])
    assert sensor_z_in_segment[2] == (-1.0 if name == "upside_down" else 1.0)
    assert nearest_mounting(m) == named_mounting(name, leg)


def test_nearest_mounting_of_a_slightly_turned_rotation():
    from poise.motion.frames import axis_angle_matrix

    turned = axis_angle_matrix([0.3, -0.2, 1.0], np.radians(12.0)) @ mounting_matrix("+y-x+z")
    assert nearest_mounting(turned) == "+y-x+z"
    assert nearest_mounting(axis_angle_matrix([0, 0, 1.0], np.radians(50.0))) == "-y+x+z"


def test_precedence_command_line_then_header_then_config():
    meta = RecordingMeta(rate_hz=100.0, mounting="+x-y-z")
    assert resolve_mounting(meta, "header", "+y-x+z", "-y+x+z")[0].mounting == "+y-x+z"
    assert resolve_mounting(meta, "header", "+y-x+z")[1] == "command line"
    assert resolve_mounting(meta, "header", None, "-y+x+z") == (meta, "header")
    chosen, origin = resolve_mounting(RecordingMeta(rate_hz=100.0), None, None, "-y+x+z")
    assert (chosen.mounting, origin) == ("-y+x+z", "config")
    assert resolve_mounting(RecordingMeta(rate_hz=100.0), None) == (RecordingMeta(100.0), None)
    with pytest.raises(ValueError, match=r"mounting '\+x\+x\+z'"):
        resolve_mounting(meta, "header", "+x+x+z")


def test_a_declared_mounting_replaces_a_found_one():
    found = {"sensor_to_segment": mounting_matrix("+y-x+z").tolist(), "method": "functional"}
    meta = RecordingMeta(rate_hz=100.0, mounting="+y-x+z", mounting_found=found)
    chosen, origin = resolve_mounting(meta, "header", "+x+y+z")
    assert (chosen.mounting, chosen.mounting_found, origin) == ("+x+y+z", None, "command line")


def test_a_found_mounting_must_agree_with_the_header_mounting():
    found = {"sensor_to_segment": mounting_matrix("+y-x+z").tolist()}
    with pytest.raises(ValueError, match=r"mounting_found.*nearest \+y-x\+z, not"):
        RecordingMeta(rate_hz=100.0, mounting="+x+y+z", mounting_found=found)
    with pytest.raises(ValueError, match="not a rotation"):
        RecordingMeta(rate_hz=100.0, mounting_found={"sensor_to_segment": np.eye(3) * 2})


def sway(result):
    return result["ap_rms_deg"], result["ml_rms_deg"]


def true_sway(sim):
    m = sim.truth.mask("single_leg")
    return float(sim.truth.tilt_ap_deg[m].std()), float(sim.truth.tilt_ml_deg[m].std())


def correlations(recording, sim):
    """Correlation of the measured AP and ML tilt with the true AP and ML, single-leg."""
    tilt, _ = track_tilt(recording)
    ap, ml, _ = tilt.angles()
    m = sim.truth.mask("single_leg") & np.isfinite(ap)
    truth = (sim.truth.tilt_ap_deg[m], sim.truth.tilt_ml_deg[m])
    return np.array([[np.corrcoef(x[m], t)[0, 1] for t in truth] for x in (ap, ml)])


STANCE = {"eyes": "closed", "losses": 0, "duration_s": 20.0}


@pytest.mark.parametrize(("worn", "seed"), [("lateral", 61), ("upside_down", 62)])
def test_undeclared_mounting_is_flagged_and_declaring_it_gives_ap_and_ml(worn, seed):
    sim = simulated("stance", seed=seed, worn=worn, mounting=worn, **STANCE)
    declared = analyze(sim.recording, "stance")
    spec = named_mounting(worn, "right")
    assert declared["mounting"] == {"spec": spec, "from": "header", "found": None}
    assert not codes(declared) & {"mounting_unknown", "mounting_contradicted"}
    truth_ap, truth_ml = true_sway(sim)
    ap, ml = sway(declared)
    assert ap == pytest.approx(truth_ap, rel=0.15) and ml == pytest.approx(truth_ml, rel=0.15)
    r = correlations(sim.recording, sim)
    assert r[0, 0] > 0.95 and r[1, 1] > 0.95  # AP is AP, ML is ML, the right way up

    undeclared = analyze(imported(sim.recording), "stance")
    assert "mounting_unknown" in codes(undeclared)
    assert undeclared["validity"] != "valid" and undeclared["mounting"]["from"] is None
    if worn == "upside_down":  # gravity on the sensor's -z: the data say so
        assert "mounting_contradicted" in codes(undeclared)


def test_lateral_read_as_front_swaps_ap_and_ml():
    """What the warning is for: the same data, AP and ML the wrong way round."""
    sim = simulated("stance", seed=63, worn="lateral", **STANCE)  # the header says front
    r = correlations(sim.recording, sim)
    assert abs(r[0, 1]) > 0.95 and abs(r[1, 0]) > 0.95 and abs(r[0, 0]) < 0.3


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A lateral sensor's stance written as a Poise recording that wrongly declares the
    front, and as a plain CSV file that declares nothing."""
    folder = tmp_path_factory.mktemp("mounting")
    sim = simulated("stance", seed=63, worn="lateral", **STANCE)
    poise_file = folder / "front.csv"
    sim.write(poise_file)
    s = sim.recording.samples
    table = np.column_stack((s.t_s, s.acc_g, s.gyr_dps))
    plain = folder / "plain.csv"
    rows = "\n".join(",".join(f"{x:.6f}" for x in row) for row in table.tolist())
    plain.write_text("time,ax,ay,az,gx,gy,gz\n" + rows + "\n")
    config = folder / "config.toml"
    config.write_text('[sensor]\nmounting = "+y-x+z"\n')
    return {"poise": str(poise_file), "plain": str(plain), "config": str(config), "sim": sim}


UNITS = ["--acc-unit", "g", "--gyr-unit", "dps"]


def run_json(capsys, *argv):
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_analyze_takes_the_mounting_from_the_command_line_header_or_config(files, capsys):
    truth_ap, truth_ml = true_sway(files["sim"])
    stance = ["--drill", "stance", "--json"]
    header = run_json(capsys, "analyze", files["poise"], *stance)
    assert header["mounting"]["from"] == "header"
    given = run_json(capsys, "analyze", files["poise"], *stance, "--mounting", "+y-x+z")
    assert given["mounting"] == {"spec": "+y-x+z", "from": "command line", "found": None}
    assert given["ap_rms_deg"] == pytest.approx(truth_ap, rel=0.15)
    # The settings file declares it for a file that does not, never over a header.
    config = run_json(
        capsys, "--config", files["config"], "analyze", files["plain"], *stance, *UNITS
    )
    assert config["mounting"]["from"] == "config" and "mounting_unknown" not in codes(config)
    assert config["ml_rms_deg"] == pytest.approx(truth_ml, rel=0.15)
    over_header = run_json(capsys, "--config", files["config"], "analyze", files["poise"], *stance)
    assert over_header["mounting"] == header["mounting"]
    plain = run_json(capsys, "analyze", files["plain"], *stance, *UNITS)
    assert "mounting_unknown" in codes(plain) and plain["mounting"]["from"] is None


def test_every_reading_command_takes_mounting(files, capsys):
    report = run_json(capsys, "inspect", files["poise"], "--json", "--mounting", "+y-x+z")
    assert (report["mounting"], report["mounting_from"]) == ("+y-x+z", "command line")
    angles = {}
    for spec in ("+x+y+z", "+y-x+z"):
        assert main(["angles", files["poise"], "--mounting", spec]) == 0
        rows = capsys.readouterr().out.splitlines()[1:]
        angles[spec] = np.array([[float(x) for x in r.split(",")[2:4]] for r in rows])
    # Read as lateral, the front reading's AP is the ML (and its ML minus the AP).
    assert np.allclose(angles["+y-x+z"][:, 0], -angles["+x+y+z"][:, 1], atol=0.2)
    # symmetry and train read it as analyze does (a bad one is refused before scoring).
    for argv in (
        ["symmetry", files["plain"], files["plain"], "--drill", "stance", *UNITS],
        ["train", "stance", "--sensor", f"replay:{files['poise']}", "--store", "", "--quiet"],
    ):
        assert main([*argv, "--mounting", "+x+x+z"]) == 2
        assert "poise: --mounting '+x+x+z': each sensor axis" in capsys.readouterr().err
    replayed = run_json(
        capsys,
        "replay",
        files["poise"],
        "--drill",
        "stance",
        "--no-intro",
        "--json",
        "--mounting",
        "+y-x+z",
    )
    assert replayed[0]["mounting"]["spec"] == "+y-x+z"


def test_a_bad_mounting_is_one_line(files, capsys):
    assert main(["analyze", files["poise"], "--drill", "stance", "--mounting", "+x+y"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("poise: --mounting '+x+y'")
