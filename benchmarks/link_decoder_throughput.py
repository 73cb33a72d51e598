"""Throughput of the host's link decoder, against the link's top rate.

Encodes ``--minutes`` of simulated samples (LSM6DSO32 counts, 8 per frame, as
the node sends them) with the host encoder, then times ``LinkReceiver.feed``
(COBS, CRC, checks, unwrapping, conversion to Poise units) on 4 KB chunks, as
the serial reader delivers them. Prints MB/s, samples/s and the ratio to the
link's top rate: 1 kHz of 6-axis samples.

    python benchmarks/link_decoder_throughput.py [--minutes 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "firmware"))

from node_host import simulated_counts

from poise.chips import LSM6DSO32
from poise.link import Hello, LinkReceiver, Samples, encode

TOP_RATE_HZ = 1000.0
PER_FRAME = 8
CHUNK = 4096


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    n = int(args.minutes * 60 * TOP_RATE_HZ) // PER_FRAME * PER_FRAME
    _, counts10 = simulated_counts(833.0, 10.0)
    counts = np.resize(counts10, (n, 6))
    # 833 Hz, the LSM6DSO32's rate nearest 1 kHz (a hello must state a rate the chip has),
    # in 25 us ticks; the figures are per sample, whatever the rate.
    ticks = (48 * np.arange(n)).astype(np.uint32)
    hello = Hello(1, 1, 833.0, 32, 2000, 0.976e-3, 0.07, 25.0, "LSM6DSO32", "bench")
    wire = encode(hello) + b"".join(
        encode(Samples(1, i, ticks[i : i + PER_FRAME], counts[i : i + PER_FRAME]))
        for i in range(0, n, PER_FRAME)
    )
    chunks = [wire[i : i + CHUNK] for i in range(0, len(wire), CHUNK)]

    times = []
    for _ in range(args.repeat):
        receiver = LinkReceiver()
        start = time.perf_counter()
        blocks = [receiver.feed(c) for c in chunks]
        times.append(time.perf_counter() - start)
    best = min(times)
    got = sum(len(b) for b in blocks)
    assert got == n and receiver.stats.bad_frames == 0
    last = blocks[-1]
    np.testing.assert_array_equal(last.acc_g, counts[-len(last) :, 3:] * LSM6DSO32.acc_lsb_g[32.0])

    mb_s = len(wire) / best / 1e6
    samples_s = n / best
    print(
        f"stream:   {n} samples ({args.minutes:g} min at 1 kHz), {len(wire) / 1e6:.1f} MB, "
        f"{len(wire) / n:.1f} bytes/sample on the wire, {PER_FRAME} samples/frame"
    )
    print(
        f"decoder:  {best:.3f} s (best of {args.repeat}): {mb_s:.1f} MB/s, "
        f"{samples_s / 1e6:.2f} M samples/s, {best / n * 1e6:.2f} us/sample"
    )
    print(f"ratio:    {samples_s / TOP_RATE_HZ:.0f}x the link's top rate (1 kHz, 6 axes)")


if __name__ == "__main__":
    main()
