"""Throughput of ``analyze`` on 10-minute, 1 kHz recordings: a stance and a hop series.

For each recording (MPU-6050 at 1000 Hz, simulated, written to a temporary
file and read back, as ``poise analyze FILE`` would) prints:

- the time of the whole analysis (calibration, orientation, resampling and the
  drill's metrics), best of ``--repeat`` runs, as a real-time factor;
- in the same run, the time of calibration + orientation alone
  (``track_tilt``), so the scoring's own share is visible;
- the peak memory the analysis adds (traced in a separate run).

    python benchmarks/analyze_throughput.py [--minutes 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

from poise.analysis import analyze
from poise.formats import load_recording
from poise.motion.tilt import track_tilt
from poise.sim import simulate


def best_of(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    duration_s = args.minutes * 60.0
    # A hop-and-stick trial takes about 12 s per hop (hop, 6 s held, feet down, lift).
    cases = [
        ("stance", "stance", {"duration_s": duration_s, "eyes": "closed", "losses": 10}),
        ("hop", "hop", {"hops": max(1, min(50, round(duration_s / 12.3)))}),
    ]
    for scenario, drill, params in cases:
        print(f"simulating {scenario} {params}, 1 kHz (MPU-6050) ...", flush=True)
        sim = simulate(scenario, imu="mpu6050", rate_hz=1000.0, seed=1, **params)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{scenario}.csv"
            sim.write(path)
            recording = load_recording(path)
        del sim
        n = len(recording.samples)
        span_s = recording.samples.duration_s
        analyze_s = best_of(args.repeat, lambda r=recording, d=drill: analyze(r, d))
        tilt_s = best_of(args.repeat, lambda r=recording: track_tilt(r))
        tracemalloc.start()
        result = analyze(recording, drill)
        _, peak_bytes = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        found = (
            f"{len(result['landings'])} landings"
            if drill == "hop"
            else f"{result['losses_of_balance']} losses"
        )
        print(
            f"{drill:7s} {n} samples ({span_s:.0f} s): analyze {analyze_s:.2f} s "
            f"(best of {args.repeat}) = {span_s / analyze_s:.0f}x real time, "
            f"{analyze_s / n * 1e6:.2f} us/sample; of which calibration + orientation "
            f"{tilt_s:.2f} s ({100 * tilt_s / analyze_s:.0f}%); "
            f"peak memory added {peak_bytes / 1e6:.0f} MB; found {found}",
            flush=True,
        )


if __name__ == "__main__":
    main()
