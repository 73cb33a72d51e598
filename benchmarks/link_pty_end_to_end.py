"""Samples lost or corrupted, and the latency SerialSource adds, at 833 Hz through a real pty.

A writer thread plays the node: it sends simulated LSM6DSO32 samples (host
encoder, 4 samples a frame as the node sends them at 833 Hz every 4.8 ms)
into a pseudo-terminal, paced in real time, noting when each frame was
written. SerialSource reads the other end; the consumer compares every
sample with what was sent and notes when it was delivered. Prints samples
lost and corrupted (both must be 0) and the added latency, frame written ->
sample delivered by ``blocks()``, p50 / p99 / max.

    python benchmarks/link_pty_end_to_end.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import tty
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "firmware"))

from node_host import simulated_counts

from poise.chips import LSM6DSO32
from poise.link import Hello, HelloRequest, Samples, encode
from poise.sources.serial_link import SerialSource

RATE_HZ = 833.0
PER_FRAME = 4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()

    ticks, counts = simulated_counts(RATE_HZ, max(5.0, args.seconds))
    n = int(args.seconds * RATE_HZ) // PER_FRAME * PER_FRAME
    ticks, counts = ticks[:n], counts[:n]
    hello = Hello(1, 9, RATE_HZ, 32, 2000, 0.976e-3, 0.07, 25.0, "LSM6DSO32", "bench")
    frames = [
        encode(Samples(9, i, ticks[i : i + PER_FRAME], counts[i : i + PER_FRAME]))
        for i in range(0, n, PER_FRAME)
    ]

    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    written_at = np.zeros(len(frames))
    go = threading.Event()

    def node() -> None:
        request = encode(HelloRequest())
        buffer = b""
        while request not in buffer:
            buffer += os.read(master, 64)
        os.write(master, encode(hello))
        go.wait()
        start = time.perf_counter()
        for k, f in enumerate(frames):
            due = start + (k + 1) * PER_FRAME / RATE_HZ
            while (delay := due - time.perf_counter()) > 0:
                time.sleep(delay)
            os.write(master, f)
            written_at[k] = time.perf_counter()

    writer = threading.Thread(target=node, daemon=True)
    writer.start()
    delivered_at = np.full(n, np.nan)
    got_acc = np.full((n, 3), np.nan)
    got_gyr = np.full((n, 3), np.nan)
    print(f"streaming {n} samples at {RATE_HZ:g} Hz for {args.seconds:g} s through a pty ...")
    with SerialSource(os.ttyname(slave)) as source:
        go.set()
        received = 0
        deadline = time.monotonic() + args.seconds + 5
        for block in source.blocks():
            now = time.perf_counter()
            if len(block):
                seq = block.seq
                delivered_at[seq] = now
                got_acc[seq] = block.acc_g
                got_gyr[seq] = block.gyr_dps
                received += len(block)
            if received >= n or time.monotonic() > deadline:
                break
        stats = source.stats
    os.close(master)
    os.close(slave)

    arrived = ~np.isnan(delivered_at)
    want_acc = counts[:, 3:] * LSM6DSO32.acc_lsb_g[32.0]
    want_gyr = counts[:, :3] * LSM6DSO32.gyr_lsb_dps[2000.0]
    corrupted = int(
        np.sum(
            arrived & (np.any(got_acc != want_acc, axis=1) | np.any(got_gyr != want_gyr, axis=1))
        )
    )
    latency_ms = (delivered_at[arrived] - np.repeat(written_at, PER_FRAME)[arrived]) * 1e3
    print(f"samples:  {n} sent, {int(arrived.sum())} delivered, {n - int(arrived.sum())} lost, "
          f"{corrupted} corrupted")  # fmt: skip
    print(f"link:     {stats.summary()}")
    print(
        f"latency:  frame written -> sample delivered: p50 {np.percentile(latency_ms, 50):.2f} ms, "
        f"p99 {np.percentile(latency_ms, 99):.2f} ms, max {latency_ms.max():.2f} ms"
    )


if __name__ == "__main__":
    main()
