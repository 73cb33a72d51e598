"""The host's streaming decoder: bytes in any chunking -> checked messages and statistics.

``feed()`` takes whatever the port delivered (a byte, a frame and a half, a
megabyte) and returns every complete message in it. Bad frames (CRC, COBS,
length, unknown type) are counted and skipped; the next 0x00 delimiter starts
a fresh frame, so one fault costs at most the frame it hit (two when it
destroyed the delimiter between them).

Samples come out as :class:`SampleRun`: sequence numbers and timestamps
unwrapped from the wire's u32 to int64, duplicates dropped, gaps counted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from poise.link.cobs import CobsError, cobs_decode
from poise.link.crc import CRC_LEN, crc_ok
from poise.link.messages import (
    MAX_SAMPLES_PER_FRAME,
    SAMPLE_RECORD,
    SAMPLES_HEAD,
    Hello,
    HelloRequest,
    PayloadError,
    Samples,
    Status,
    parse_payload,
)
from poise.link.stats import LinkStats

WRAP = 1 << 32
#: The longest valid encoded frame: the largest samples payload plus CRC and COBS overhead.
MAX_FRAME_BYTES = (1 + SAMPLES_HEAD.size + MAX_SAMPLES_PER_FRAME * SAMPLE_RECORD.itemsize) + 20


@dataclass(frozen=True, eq=False)
class SampleRun:
    """Consecutive new samples of one stream, unwrapped.

    Args:
        seq: sequence numbers, int64, continuous across u32 wraps and node restarts.
        t_ticks: timestamps in ticks (:attr:`Hello.tick_us`), int64, unwrapped.
        counts: raw int16 counts, shape (n, 6): gyro x, y, z then accel x, y, z.
    """

    seq: np.ndarray
    t_ticks: np.ndarray
    counts: np.ndarray

    def __len__(self) -> int:
        return self.seq.shape[0]


DecodedMessage = Hello | SampleRun | Status | HelloRequest


class LinkDecoder:
    """Frames from a byte stream, checked, with :class:`LinkStats`.

    >>> from poise.link.messages import HelloRequest, encode
    >>> decoder = LinkDecoder()
    >>> wire = encode(HelloRequest())
    >>> decoder.feed(b"junk\\x00" + wire[:2]), decoder.feed(wire[2:])
    ([], [HelloRequest()])
    >>> decoder.stats.frames, decoder.stats.cobs_errors, decoder.stats.resyncs
    (1, 1, 1)
    """

    def __init__(self) -> None:
        self.stats = LinkStats()
        self.hello: Hello | None = None
        self._pending = b""
        self._skipping = False  # inside an oversize run: drop until the next delimiter
        self._in_error = False
        self._stream_id: int | None = None
        self._stream_started = False
        self._any_samples = False
        self._next_wire_seq = 0
        self._next_seq = 0
        self._last_tick = 0
        self._last_t_ticks = 0
        self._last_host_s = 0.0
        self._node_counters = (0, 0)  # (overruns, i2c errors) already counted from this stream

    def feed(self, data: bytes, host_t_s: float | None = None) -> list[DecodedMessage]:
        """Every complete message in ``data`` (after what earlier calls left over).

        ``host_t_s`` is the host's monotonic clock at arrival (default: now); it is
        used only to place the stream after a node restart (see docs/link-protocol.md).
        """
        self.stats.bytes += len(data)
        parts = (self._pending + data).split(b"\x00")
        self._pending = parts.pop()
        if len(self._pending) > MAX_FRAME_BYTES:
            self._reject_run(len(self._pending), "oversize")
            self._pending = b""
            self._skipping = True
        out: list[DecodedMessage] = []
        now = time.monotonic() if host_t_s is None else host_t_s
        for part in parts:
            if self._skipping:
                self._skipping = False
                self.stats.discarded_bytes += len(part) + 1
                continue
            if part:
                message = self._decode_frame(part, now)
                if message is not None:
                    out.append(message)
        return out

    def drop_partial(self) -> None:
        """Forget a partial frame (the port closed mid-frame); its bytes count as discarded."""
        if self._pending:
            self._reject_run(len(self._pending), None)
        self._pending = b""
        self._skipping = False

    def _reject_run(self, n_bytes: int, counter: str | None) -> None:
        if counter:
            setattr(self.stats, counter, getattr(self.stats, counter) + 1)
        self.stats.discarded_bytes += n_bytes
        self._in_error = True

    def _decode_frame(self, part: bytes, now: float) -> DecodedMessage | None:
        if len(part) > MAX_FRAME_BYTES:
            self._reject_run(len(part) + 1, "oversize")
            return None
        try:
            payload = cobs_decode(part)
        except CobsError:
            self._reject_run(len(part) + 1, "cobs_errors")
            return None
        if len(payload) < 1 + CRC_LEN:
            self._reject_run(len(part) + 1, "length_errors")
            return None
        if not crc_ok(payload):
            self._reject_run(len(part) + 1, "crc_errors")
            return None
        try:
            message = parse_payload(payload[:-CRC_LEN])
        except PayloadError as e:
            self._reject_run(len(part) + 1, "unknown_types" if e.unknown else "length_errors")
            return None
        self.stats.frames += 1
        if self._in_error:
            self._in_error = False
            self.stats.resyncs += 1
        if isinstance(message, Samples):
            return self._accept_samples(message, now)
        if isinstance(message, Hello):
            self._check_stream(message.stream_id, now)
            self.hello = message
        elif isinstance(message, Status):
            self._check_stream(message.stream_id, now)
            self._count_node_errors(message)
        return message

    def _check_stream(self, stream_id: int, now: float) -> None:
        """Follow the node's stream id; a new one after another means the node restarted."""
        if stream_id == self._stream_id:
            return
        if self._stream_id is not None:
            self.stats.restarts += 1
            # The node's clock restarted: continue after the last sample by the time
            # the host saw pass (the only clock that ran through the restart).
            tick_s = self.hello.tick_us / 1e6 if self.hello else 25e-6
            self._last_t_ticks += max(1, round((now - self._last_host_s) / tick_s))
        self._stream_id = stream_id
        self._stream_started = False
        self._node_counters = (0, 0)

    def _count_node_errors(self, status: Status) -> None:
        overruns, i2c = self._node_counters
        self.stats.overruns += max(0, status.fifo_overruns - overruns)
        self.stats.i2c_errors += max(0, status.i2c_errors - i2c)
        self._node_counters = (status.fifo_overruns, status.i2c_errors)

    def _accept_samples(self, samples: Samples, now: float) -> SampleRun | None:
        self._check_stream(samples.stream_id, now)
        ticks = samples.ticks.astype(np.int64)
        counts = samples.counts
        if self._stream_started:
            ahead = (samples.first_seq - self._next_wire_seq) % WRAP
            if ahead >= WRAP // 2:  # behind: some or all were delivered already
                behind = WRAP - ahead
                self.stats.duplicates += 1
                if behind >= len(ticks):
                    return None
                ticks, counts, ahead = ticks[behind:], counts[behind:], 0
            elif ahead:
                self.stats.seq_gaps += 1
                self.stats.samples_lost += ahead
            seq0 = self._next_seq + ahead
            t0 = self._last_t_ticks + (int(ticks[0]) - self._last_tick) % WRAP
        elif self._any_samples:  # the first samples after a node restart
            seq0, t0 = self._next_seq, self._last_t_ticks
        else:  # the very first samples: device time and sequence start where the node's do
            seq0, t0 = samples.first_seq, int(ticks[0])
        self._stream_started = self._any_samples = True
        t_ticks = np.empty(len(ticks), np.int64)
        t_ticks[0] = t0
        np.cumsum(np.diff(ticks) % WRAP, out=t_ticks[1:])
        t_ticks[1:] += t0
        seq = np.arange(seq0, seq0 + len(ticks), dtype=np.int64)
        self._next_seq = seq0 + len(ticks)
        self._next_wire_seq = (samples.first_seq + len(samples)) % WRAP
        self._last_tick = int(ticks[-1])
        self._last_t_ticks = int(t_ticks[-1])
        self._last_host_s = now
        self.stats.samples += len(seq)
        return SampleRun(seq, t_ticks, np.array(counts, dtype=np.int16))
