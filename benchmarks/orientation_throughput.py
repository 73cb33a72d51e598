"""Throughput of calibration plus orientation on a 10-minute, 1 kHz recording.

Prints, for one simulated single-leg stance recording (MPU-6050 at 1000 Hz,
600 s, written to a temporary file and read back):

- the time to read the file;
- the time of Poise's calibration + lever-arm compensation + Fusion AHRS +
  angles (``track_tilt``), as a real-time factor, best of ``--repeat`` runs;
- the peak memory that step adds (traced in a separate run, so tracing does
  not slow the timed one);
- in the same run, the pure-Python Madgwick filter of the ``ahrs`` package on
  the same samples, and the ratio of the two.

    python benchmarks/orientation_throughput.py [--minutes 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from poise.formats import load_recording
from poise.motion.tilt import track_tilt
from poise.samples import STANDARD_GRAVITY_MPS2
from poise.sim import simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-madgwick", action="store_true")
    args = parser.parse_args()

    duration_s = args.minutes * 60.0
    print(f"simulating {duration_s:.0f} s of single-leg stance, 1 kHz (MPU-6050) ...", flush=True)
    sim = simulate(
        "stance",
        imu="mpu6050",
        rate_hz=1000.0,
        seed=1,
        duration_s=duration_s,
        eyes="closed",
        gyr_bias_dps=1.0,
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stance_1khz.csv"
        sim.write(path)
        size_mb = path.stat().st_size / 1e6
        start = time.perf_counter()
        recording = load_recording(path)
        load_s = time.perf_counter() - start
    n = len(recording.samples)
    span_s = recording.samples.duration_s

    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        tilt, calibration = track_tilt(recording)
        times.append(time.perf_counter() - start)
    poise_s = min(times)

    tracemalloc.start()
    track_tilt(recording)
    _, peak_bytes = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(
        f"recording:   {n} samples, {span_s:.1f} s, {size_mb:.1f} MB; read in {load_s:.2f} s "
        f"({span_s / load_s:.0f}x real time)"
    )
    print(
        f"poise:       calibration + orientation in {poise_s:.3f} s (best of {args.repeat}): "
        f"{span_s / poise_s:.0f}x real time, {poise_s / n * 1e6:.2f} us/sample, "
        f"peak memory added {peak_bytes / 1e6:.0f} MB (tracemalloc)"
    )
    assert calibration.found and len(tilt) == n

    if args.skip_madgwick:
        return
    from ahrs.filters import Madgwick

    gyr_rad = np.radians(recording.samples.gyr_dps)
    acc_mps2 = recording.samples.acc_g * STANDARD_GRAVITY_MPS2
    start = time.perf_counter()
    Madgwick(gyr=gyr_rad, acc=acc_mps2, frequency=recording.meta.rate_hz)
    madgwick_s = time.perf_counter() - start
    print(
        f"ahrs:        Madgwick (pure Python, orientation only) in {madgwick_s:.2f} s: "
        f"{span_s / madgwick_s:.0f}x real time"
    )
    ratio = madgwick_s / poise_s
    print(f"ratio:       poise is {ratio:.1f}x faster than ahrs.Madgwick on the same data")


if __name__ == "__main__":
    main()
