"""Cost of draining an IMU's FIFO over I2C: samples decoded and scaled per CPU second.

Drives the I2C source against the fake bus of the tests (tests/i2c/fake_bus.py),
so the figure is Poise's own work per sample (the driver's transactions,
FIFO parsing, timestamps, scaling into a SampleBlock) plus the fake chip's
emulation, which a real bus replaces with kernel and wire time. Prints, per
chip and FIFO read size, samples per CPU second and its ratio to 1 kHz (how
many 1 kHz streams one core could drain), and bus transactions per sample.

    PYTHONPATH=src python benchmarks/i2c_fifo_drain.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "i2c"))

from fake_bus import FakeBus, FakeClock, FakeLsm6dso32, FakeMpu6050

from poise.sources.i2c import I2CSource

CASES = [
    ("LSM6DSO32 833 Hz, 1 word/read", FakeLsm6dso32, 0x6A, 833.0, 1),
    ("LSM6DSO32 833 Hz, 4 words/read", FakeLsm6dso32, 0x6A, 833.0, 4),
    ("MPU-6050 1 kHz", FakeMpu6050, 0x68, 1000.0, 1),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="device time per case")
    args = parser.parse_args()
    for name, fake_type, address, rate_hz, words in CASES:
        clock = FakeClock()
        bus = FakeBus(clock, {address: fake_type(clock)})
        source = I2CSource(
            bus, rate_hz=rate_hz, fifo_words_per_read=words, clock=clock.now, sleep=clock.sleep
        )
        polls = int(args.seconds / source.poll_s)
        blocks = source.blocks()
        start = time.process_time()
        samples = sum(len(next(blocks)) for _ in range(polls))
        cpu_s = time.process_time() - start
        per_s = samples / cpu_s
        print(
            f"{name:32s} {samples:6d} samples in {cpu_s:.3f} CPU s: {per_s:9.0f} samples/s "
            f"= {per_s / 1000.0:5.1f}x 1 kHz; {bus.transactions / samples:.2f} transactions/sample"
        )
        assert source.stats.samples_lost == 0
        source.close()


if __name__ == "__main__":
    main()
