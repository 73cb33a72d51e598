"""The node firmware's cost per sample under the MicroPython interpreter here.

Runs firmware/node.py's own code under the MicroPython unix port (the fake
`machine` of tests/firmware serves a simulated chip): times sorting FIFO words
into records (``Node.take_words``) and framing (``Link.send``: the CRC of
the protocol version, CRC-32 for 2 or CRC-16 for 1, and COBS) of frames of 4
samples, the size the node sends at 833 Hz, writing to nowhere. Prints
us/sample for each and their share of the 1.2 ms sample period at 833 Hz on
this machine. The RP2040 (Cortex-M0+ at 125 MHz) runs
MicroPython far slower than a desktop CPU: multiply by the ratio measured
for your board (the printed figure is for this machine).

    python benchmarks/firmware_framing_cost.py [--frames 20000] [--protocol 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "firmware"))

from node_host import FAKE, FIRMWARE, micropython, simulated_counts, write_chip_data

PER_FRAME = 4
SCRIPT = """
import time, config, machine, node
n_frames = {frames}
config.ODR_HZ = 833
config.PROTOCOL = {protocol}
nd = node.Node(config, machine)
nd.link.write = lambda data: None
nd.imu.start(time.sleep_ms)
level, _ = nd.imu.fifo_status()
words = min(level, node.BURST_WORDS) // 3 * 3
nd.imu.read_words(nd.burst_mv[: words * 7])
take_us = 0
send_us = 0
for i in range(n_frames):
    t0 = time.ticks_us()
    nd.take_words({per_frame} * 3)
    t1 = time.ticks_us()
    nd.count = {per_frame}
    nd.flush()
    t2 = time.ticks_us()
    take_us += time.ticks_diff(t1, t0)
    send_us += time.ticks_diff(t2, t1)
print(take_us / (n_frames * {per_frame}), send_us / (n_frames * {per_frame}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20000)
    parser.add_argument("--protocol", type=int, choices=(1, 2), default=2)
    args = parser.parse_args()
    exe = micropython()
    if exe is None:
        sys.exit("micropython (the MicroPython unix port) not found")
    ticks, counts = simulated_counts(833.0, 5.0)
    with tempfile.TemporaryDirectory() as tmp:
        chip = write_chip_data(Path(tmp), ticks, counts)
        script = SCRIPT.format(frames=args.frames, per_frame=PER_FRAME, protocol=args.protocol)
        result = subprocess.run(
            [exe, "-c", script],
            env={"MICROPYPATH": f"{FAKE}:{FIRMWARE}", "POISE_FAKE_CHIP": str(chip.options_path)},
            cwd=FIRMWARE,
            capture_output=True,
            text=True,
            check=True,
        )
    take_us, send_us = (float(x) for x in result.stdout.split())
    period_us = 1e6 / 833.0
    print(f"micropython: {exe} ({args.frames} frames of {PER_FRAME} samples)")
    print(f"FIFO words -> records (take_words): {take_us:.2f} us/sample")
    crc = "CRC-32" if args.protocol == 2 else "CRC-16"
    print(f"framing ({crc} + COBS, send):      {send_us:.2f} us/sample")
    total = take_us + send_us
    print(
        f"total:                              {total:.2f} us/sample, "
        f"{100 * total / period_us:.2f}% of the 833 Hz sample period here"
    )


if __name__ == "__main__":
    main()
