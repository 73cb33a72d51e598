"""End to end without hardware: the node firmware under MicroPython, a pty, `poise train`.

The fake chip serves a simulated single-leg stance; the firmware frames it onto a
real pseudo-terminal; `poise train --sensor serial:PTY` runs a guided trial on it,
scores it and logs it; `poise record` keeps the same stream as a recording.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tty

import numpy as np
import pytest
from node_host import micropython, micropython_missing, start_node, write_chip_data

from poise.chips import LSM6DSO32
from poise.formats import read_recording
from poise.sim import simulate
from poise.store.sqlite import Store

RATE_HZ = 416.0
CONFIG = """
[sensor]
rate_hz = 416.0
[train]
stance_s = 5.0
settle_s = 2.0
countdown = 1
[cues]
words_per_minute = 400
sink = "null"
"""


def _stance_counts() -> tuple[np.ndarray, np.ndarray]:
    """Ticks and counts (gyro, accel) of a simulated stance with no sample dropped."""
    # The node streams from its start, 4x real time, whenever poise connects: 6 s of
    # quiet standing leave a still period for a `poise train` that starts a second late
    # (a loaded machine), instead of one that starts with the athlete already on one leg.
    sim = simulate(
        "stance",
        rate_hz=RATE_HZ,
        seed=4,
        reference_s=6.0,
        duration_s=10.0,
        imu="lsm6dso32",
        drop_probability=0.0,
    )
    samples = sim.recording.samples
    acc_lsb, gyr_lsb = LSM6DSO32.acc_lsb_g[32.0], LSM6DSO32.gyr_lsb_dps[2000.0]
    counts = np.hstack([np.rint(samples.gyr_dps / gyr_lsb), np.rint(samples.acc_g / acc_lsb)])
    ticks = np.rint(samples.t_s / LSM6DSO32.timestamp_lsb_s) + 1_000_000
    return ticks.astype(np.uint32), counts.astype(np.int16)


@pytest.fixture
def node_on_a_pty(tmp_path):
    """The firmware streaming a simulated stance (at 4x real time) into a pty; its port."""
    if micropython() is None:
        pytest.skip(micropython_missing())
    ticks, counts = _stance_counts()
    chip = write_chip_data(tmp_path, ticks, counts, speed=4.0, odr_hz=RATE_HZ)
    leader, follower = os.openpty()
    tty.setraw(leader)
    tty.setraw(follower)
    node = start_node(chip, {"ODR_HZ": 416}, stdin=leader, stdout=leader)
    yield os.ttyname(follower), counts
    node.kill()
    node.wait()
    os.close(leader)
    os.close(follower)


def _poise(tmp_path, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "c.toml").write_text(CONFIG)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return subprocess.run(
        [sys.executable, "-m", "poise", "--config", str(tmp_path / "c.toml"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_train_runs_a_guided_trial_on_the_node_through_a_pty(tmp_path, node_on_a_pty):
    port, _ = node_on_a_pty
    store = tmp_path / "p.sqlite3"
    result = _poise(
        tmp_path, "train", "stance", "--leg", "right", "--sensor", f"serial:{port}",
        "--store", str(store), "--capture", str(tmp_path / "raw.bin"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout
    assert "trial complete" in result.stdout
    with Store.open(store) as s:
        (trial,) = s.trials()
    assert trial.status == "complete" and trial.result["sensor_model"] == "LSM6DSO32"
    raw = read_recording(trial.recording)
    assert raw.meta.firmware == "0.1.0" and raw.meta.source["kind"] == "serial"
    assert raw.health().to_dict()["gaps"] == 0  # nothing lost on the link
    # The captured bytes replay through the same decoder into the same samples.
    replay = _poise(
        tmp_path,
        "record",
        "--sensor",
        f"capture:{tmp_path / 'raw.bin'}",
        "-o",
        str(tmp_path / "again.csv"),
    )
    assert replay.returncode == 0, replay.stderr
    nowhere = _poise(
        tmp_path, "record", "--sensor", f"capture:{tmp_path / 'raw.bin'}", "-o", "/no/x.csv"
    )
    assert nowhere.returncode == 2
    assert (
        nowhere.stderr.startswith("poise: /no/x.csv: cannot write")
        and "Traceback" not in nowhere.stderr
    )


def test_record_keeps_the_node_stream_exactly(tmp_path, node_on_a_pty):
    port, counts = node_on_a_pty
    out = tmp_path / "rec.csv"
    result = _poise(
        tmp_path, "record", "--sensor", f"serial:{port}", "-o", str(out), "--seconds", "3"
    )
    assert result.returncode == 0, result.stderr
    samples = read_recording(out).samples
    assert samples.duration_s >= 3.0
    # Every sample from the first one heard, none lost, each exactly the chip's counts
    # (the node numbers them from its start; the host joined the stream later).
    np.testing.assert_array_equal(np.diff(samples.seq), 1)
    served = counts[samples.seq]
    np.testing.assert_allclose(samples.acc_g, served[:, 3:] * LSM6DSO32.acc_lsb_g[32.0], atol=5e-7)
    np.testing.assert_allclose(
        samples.gyr_dps, served[:, :3] * LSM6DSO32.gyr_lsb_dps[2000.0], atol=5e-5
    )


def test_sensors_shows_a_node_streams_and_its_link_health(node_on_a_pty):
    """What `poise sensors` prints under a node it found (ports here are ptys, which
    pyserial's port listing does not show, so the node's port is given)."""
    from poise.cli import _live_health
    from poise.settings import Settings

    port, _ = node_on_a_pty
    line = _live_health(f"serial:{port}", Settings(), 1.0)
    assert line.startswith("health over 1 s: ")
    per_s = float(line.split("(")[1].split("/s")[0])
    assert per_s > 0.9 * RATE_HZ  # the fake chip streams at 4x real time
    assert "0 bad frames, 0 lost" in line
