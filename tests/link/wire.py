"""Test helpers: a simulated node's byte stream, frame by frame, and a node on a real pty."""

from __future__ import annotations

import os
import select
import threading
import tty
from pathlib import Path

import numpy as np

from poise.chips import LSM6DSO32
from poise.link import Hello, Samples, Status, encode

STREAM_ID = 0x5A17


def hello(stream_id: int = STREAM_ID, odr_hz: float = 833.0, version: int = 1) -> Hello:
    """The test node's hello; version 1 (CRC-16) unless told (the helpers frame in version 1)."""
    return Hello(
        version,
        stream_id,
        odr_hz,
        32,
        2000,
        LSM6DSO32.acc_lsb_g[32.0],
        LSM6DSO32.gyr_lsb_dps[2000.0],
        25.0,
        "LSM6DSO32",
        "test",
    )


def sample_frames(
    n_frames: int,
    per_frame: int = 8,
    seed: int = 0,
    first_seq: int = 0,
    first_tick: int = 1000,
    stream_id: int = STREAM_ID,
) -> tuple[list[bytes], np.ndarray, np.ndarray]:
    """(frames, ticks (n,), counts (n, 6)): random counts, 48-tick steps (833 Hz)."""
    rng = np.random.default_rng(seed)
    n = n_frames * per_frame
    counts = rng.integers(-40, 40, (n, 6)).astype(np.int16)  # small: many zero bytes to stuff
    counts[::5] = rng.integers(-32768, 32767, (len(counts[::5]), 6))
    ticks = (first_tick + 48 * np.arange(n, dtype=np.int64)) % (1 << 32)
    frames = [
        encode(
            Samples(
                stream_id,
                (first_seq + i) % (1 << 32),
                ticks[i : i + per_frame],
                counts[i : i + per_frame],
            )
        )
        for i in range(0, n, per_frame)
    ]
    return frames, ticks, counts


def status(overruns: int, i2c_errors: int, stream_id: int = STREAM_ID) -> bytes:
    return encode(Status(stream_id, 1000, overruns, i2c_errors))


class PtyNode:
    """A node on a real pseudo-terminal, reached through a stable path (a symlink).

    ``disappear()`` closes the pty (the host's reads fail, as when a cable is
    pulled) and removes the path; ``reappear()`` makes a new pty at the same
    path. The node answers every hello request with ``hello`` (a node without
    one never answers).
    """

    def __init__(self, folder: Path, node_hello: Hello | None) -> None:
        self.path = folder / "node"
        self.hello = node_hello
        self.hello_requests = 0
        self._lock = threading.Lock()
        self.master: int | None = None
        self.reappear()

    def reappear(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)
        name = os.ttyname(slave)
        os.close(slave)  # the host opens it by name
        with self._lock:
            self.master = master
        self.path.unlink(missing_ok=True)
        self.path.symlink_to(name)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._answer, args=(master,), daemon=True)
        self._thread.start()

    def _answer(self, master: int) -> None:
        buffer = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.02)
            if not ready:
                continue
            try:
                buffer += os.read(master, 4096)
            except OSError:
                continue  # no one has the other side open yet
            while encode_request() in buffer:
                buffer = buffer.replace(encode_request(), b"", 1)
                self.hello_requests += 1
                if self.hello is not None:
                    self.write(encode(self.hello))

    def write(self, data: bytes) -> None:
        with self._lock:
            if self.master is not None:
                os.write(self.master, data)

    def disappear(self) -> None:
        self._stop.set()
        self._thread.join()
        with self._lock:
            os.close(self.master)
            self.master = None
        self.path.unlink()

    def close(self) -> None:
        if self.master is not None:
            self.disappear()


def encode_request() -> bytes:
    from poise.link import HelloRequest

    return encode(HelloRequest())
