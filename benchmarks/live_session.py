"""Real-time figures of a guided session at 1 kHz input: latency, CPU, start-up.

Prints, for a stance trial (eyes closed, biofeedback on) on a simulated
MPU-6050 at 1000 Hz, delivered in 20 ms blocks as a live sensor's FIFO would:

- processing latency per block, from its arrival to the updated cue (raw
  recording written, calibration and AHRS, live loss detector, trial machine,
  feedback tone, audio rendered to the sink): p50, p99 and worst, over a
  session run at full speed; and the CPU time of that work (thread time), which
  leaves out the moments the shared machine ran something else;
- CPU of the same session paced in real time: process CPU time over wall time,
  as a share of one core;
- start-up of ``poise train`` to its first spoken prompt, as a new process,
  with the speech cache cold and warm.

    python benchmarks/live_session.py [--trial-s 30] [--skip-realtime]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from poise.cues.biofeedback import FeedbackSettings
from poise.cues.player import Cues
from poise.cues.sinks import NullSink, WavSink
from poise.cues.speech import Speech
from poise.drills import TrainSettings
from poise.live.display import Display
from poise.live.session import Session, SessionPlan
from poise.live.streams import FileStream, SimStream
from poise.motion.tilt import TiltSettings
from poise.sources.settings import SensorSettings

SENSOR = SensorSettings(model="mpu6050", rate_hz=1000.0, acc_range_g=16.0)


def run(stream, train: TrainSettings, folder: Path, wav: bool) -> Session:
    # A new WAV per run: the sink never overwrites one.
    sink = (
        WavSink(folder / f"heard-{len(list(folder.glob('heard-*.wav')))}.wav")
        if wav
        else NullSink()
    )
    cues = Cues(sink, Speech(folder / "speech"), FeedbackSettings(mode="continuous"))
    session = Session(
        SessionPlan("stance", ("right",), eyes="closed"),
        stream,
        cues,
        None,
        train,
        TiltSettings(),
        Display(quiet=True),
        scratch_dir=folder,
    )
    session.run()
    cues.close()
    return session


def percentiles(latencies_s: list[float]) -> str:
    ms = np.array(latencies_s) * 1000.0
    p50, p99 = np.percentile(ms, [50, 99])
    return f"p50 {p50:.3f} ms, p99 {p99:.3f} ms, worst {ms.max():.2f} ms over {ms.size} blocks"


def startup_s(folder: Path, cache: Path, sensor: str) -> float:
    """Seconds from starting `poise train` to its first prompt on stdout."""
    env = {**os.environ, "POISE_DATA_DIR": str(folder / "data"), "XDG_CACHE_HOME": str(cache)}
    command = [sys.executable, "-m", "poise", "train", "stance", "--leg", "right"]
    command += ["--audio", "null", "--fast", "--rest", "0", "--sensor", sensor]
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    for line in child.stdout:
        if "\u00bb" in line:
            elapsed = time.perf_counter() - start
            break
    child.kill()
    child.wait()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trial-s", type=float, default=30.0)
    parser.add_argument("--skip-realtime", action="store_true")
    args = parser.parse_args()
    train = TrainSettings(stance_s=args.trial_s, rest_s=0.0)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # The trial as the simulated athlete does it, made once and replayed as a live feed.
        first = run(SimStream(SENSOR, train, seed=1), train, folder, wav=False)
        from poise.formats import read_recording

        recording = read_recording(first.outcomes[0].recording)
        minutes = recording.samples.duration_s / 60
        print(f"stance trial, eyes closed, MPU-6050 at 1000 Hz, 20 ms blocks, {minutes:.1f} min")

        for wav in (False, True):
            fast = run(FileStream(recording), train, folder, wav=wav)
            sink = "WAV file" if wav else "null sink"
            print(
                f"latency, block arrival to updated cue ({sink}): {percentiles(fast.latencies_s)}"
            )
            print(f"  CPU time of that work per block: {percentiles(fast.block_cpu_s)}")

        if not args.skip_realtime:
            paced = FileStream(recording, realtime=True)
            wall, cpu = time.perf_counter(), time.process_time()
            run(paced, train, folder, wav=True)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(
                f"paced in real time (WAV sink): {cpu:.2f} s CPU over {wall:.1f} s wall = "
                f"{100 * cpu / wall:.1f}% of one core"
            )

        # A recorded file stands in for a live sensor: its first block is there at once.
        live = f"replay:{first.outcomes[0].recording}"
        cache = folder / "cache"
        cold = startup_s(folder, cache, live)
        warm = startup_s(folder, cache, live)
        print(
            f"start-up of `poise train` to the first prompt, sensor ready: {cold:.2f} s "
            f"(speech cache cold), {warm:.2f} s (warm)"
        )
        sim = startup_s(folder, cache, "sim")
        print(f"  on the simulator (which first simulates the whole trial at 1 kHz): {sim:.2f} s")


if __name__ == "__main__":
    main()
