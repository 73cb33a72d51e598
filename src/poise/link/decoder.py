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
from poise.link.crc import CRC32_LEN, CRC_LEN, crc32_ok, crc_ok
from poise.link.hello_check import hello_problem
from poise.link.messages import (
    MAX_SAMPLES_PER_FRAME,
    SAMPLE_RECORD,
    SAMPLES_HEAD,
    VERSION_2_TYPES,
    Hello,
    HelloRequest,
    Message,
    PayloadError,
    Samples,
    Status,
    parse_payload,
)
from poise.link.stats import LinkStats

WRAP = 1 << 32
HALF = 1 << 31
#: The longest valid encoded frame: the largest samples payload plus CRC and COBS overhead.
MAX_FRAME_BYTES = (1 + SAMPLES_HEAD.size + MAX_SAMPLES_PER_FRAME * SAMPLE_RECORD.itemsize) + 20
#: A step forward in sequence and time longer than this (s) is held until the next frame
#: confirms it: one hostile frame can never move the stream's time by more.
MAX_GAP_S = 10.0
#: The most samples a frame may lie behind the stream and be a repeat (a duplicate);
#: further behind, it is a jump.
MAX_BEHIND = 4 * MAX_SAMPLES_PER_FRAME
#: Slack on the number of sample periods a timestamp step stands for: a step of ``d``
#: ticks fits ``s`` periods of ``p`` ticks when ``|d / p - s| <= 0.5 + STEP_SLACK |s|``
#: (the node numbers samples by ``round(d / p)``; the slack covers its integer ``p``).
STEP_SLACK = 0.05
#: Messages in a row from a new stream id before it is taken for the node restarted.
SWITCH_MESSAGES = 3
#: Times one stream id must interrupt the followed stream before it counts as another node.
OTHER_NODE_AFTER = 2
#: Node uptime below which falling STATUS counters are taken for a reboot, ms.
BOOT_UPTIME_MS = 60_000
#: Timestamp tick assumed before any hello, s (the LSM6DS family's nominal 25 us).
DEFAULT_TICK_S = 25e-6
#: Bounds of one sample period, ticks, before any hello: every rate and trimmed tick the
#: chip table allows (6664 Hz at 31 us to 12.5 Hz at 19 us).
PERIOD_TICKS_BOUNDS = (4.0, 4300.0)


def _signed(step: int) -> int:
    """A u32 difference as the signed step it stands for: only a step near 2^32 is a wrap."""
    step %= WRAP
    return step - WRAP if step >= HALF else step


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

    The decoder follows one stream (one node's stream id). Within it, a frame
    whose sequence number and timestamp do not step forward together (see
    :data:`STEP_SLACK`, :data:`MAX_GAP_S`, :data:`MAX_BEHIND`) is a jump: held
    until the next frame either follows it (the stream is re-based on it) or
    follows the stream (it is dropped). A new stream id is a node restart once
    :data:`SWITCH_MESSAGES` of its messages came in a row; one that keeps
    interrupting the followed stream is another node on the same port, and its
    frames are dropped and counted, never merged.

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
        #: Why the last refused hello was refused (one line), or None.
        self.refusal: str | None = None
        self._pending = b""
        self._skipping = False  # inside an oversize run: drop until the next delimiter
        self._in_error = False
        self._stream_id: int | None = None
        self._switch: tuple[int, list[Hello | Samples | Status]] | None = None
        self._interruptions: dict[int, int] = {}
        self._other_nodes: set[int] = set()
        self._stream_started = False
        self._any_samples = False
        self._jump: Samples | None = None  # a frame that jumped away, waiting for the next
        self._next_wire_seq = 0
        self._next_seq = 0
        self._last_tick = 0
        self._last_t_ticks = 0
        self._last_host_s = 0.0
        self._node_counters = (0, 0)  # (overruns, i2c errors) already counted from this stream
        self._uptime_ms = 0
        self._hello_fixed = False  # the followed stream's hello is taken; another is refused

    @property
    def needs_hello(self) -> bool:
        """True while the stream followed has no hello (the host should ask for one)."""
        return not self._hello_fixed

    def feed(self, data: bytes, host_t_s: float | None = None) -> list[DecodedMessage]:
        """Every complete message in ``data`` (after what earlier calls left over).

        ``host_t_s`` is the host's monotonic clock at arrival (default: now); it is
        used only to place the stream after a node restart (see docs/link-protocol.md).
        Counters do not depend on how the bytes were cut into calls.
        """
        self.stats.bytes += len(data)
        if self._skipping:  # an oversize run goes on to the next delimiter, whatever the chunks
            zero = data.find(0)
            if zero < 0:
                self.stats.discarded_bytes += len(data)
                return []
            self.stats.discarded_bytes += zero + 1
            data = data[zero + 1 :]
            self._skipping = False
        parts = (self._pending + data).split(b"\x00")
        self._pending = parts.pop()
        out: list[DecodedMessage] = []
        now = time.monotonic() if host_t_s is None else host_t_s
        for part in parts:
            if part:
                out += self._decode_frame(part, now)
        if len(self._pending) > MAX_FRAME_BYTES:  # after the frames before it, as they came
            self._reject_run(len(self._pending), "oversize")
            self._pending = b""
            self._skipping = True
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

    def _decode_frame(self, part: bytes, now: float) -> list[DecodedMessage]:
        if len(part) > MAX_FRAME_BYTES:
            self._reject_run(len(part) + 1, "oversize")
            return []
        try:
            payload = cobs_decode(part)
        except CobsError:
            self._reject_run(len(part) + 1, "cobs_errors")
            return []
        version, crc_len, check = (
            (2, CRC32_LEN, crc32_ok)
            if payload and payload[0] & VERSION_2_TYPES
            else (1, CRC_LEN, crc_ok)
        )
        if len(payload) < 1 + crc_len:
            self._reject_run(len(part) + 1, "length_errors")
            return []
        if not check(payload):
            self._reject_run(len(part) + 1, "crc_errors")
            return []
        try:
            message = parse_payload(
                bytes([payload[0] & ~VERSION_2_TYPES]) + payload[1:-crc_len], version
            )
        except PayloadError as e:
            self._reject_run(len(part) + 1, "unknown_types" if e.unknown else "length_errors")
            return []
        if self._other_version(message, version):
            # Once a stream states its version, a frame of it in another is damage: a
            # version 2 stream never falls back to CRC-16's weaker check.
            self._reject_run(len(part) + 1, "unknown_types")
            return []
        if isinstance(message, Hello):
            problem = hello_problem(message)
            if problem is None and self._contradicts(message):
                # A node states its stream once; only a reboot (a new stream) changes it.
                problem = f"it contradicts the hello stream {message.stream_id} already gave"
            if problem is not None:
                self.refusal = f"hello refused: {problem}"
                self._reject_run(len(part) + 1, "hellos_refused")
                return []
        elif isinstance(message, Samples) and not self._steps_one_period(message.ticks):
            self._reject_run(len(part) + 1, "time_faults")
            return []
        self.stats.frames += 1
        if self._in_error:
            self._in_error = False
            self.stats.resyncs += 1
        if isinstance(message, HelloRequest):
            return [message]
        return self._route(message, now)

    def _other_version(self, message: Message, version: int) -> bool:
        """True for a message of the followed stream framed in another version than its hello's."""
        stream_id = getattr(message, "stream_id", None)
        return self._hello_fixed and stream_id == self._stream_id and version != self.hello.version

    def _contradicts(self, hello: Hello) -> bool:
        """True for a hello of the followed stream that differs from the one it gave."""
        return self._hello_fixed and hello.stream_id == self._stream_id and hello != self.hello

    # -- streams: which node a message is from ------------------------------------------

    def _route(self, message: Hello | Samples | Status, now: float) -> list[DecodedMessage]:
        """Messages of the followed stream are taken; another stream's are held or dropped."""
        sid = message.stream_id
        if self._stream_id is None:
            self._stream_id = sid  # the first stream heard is followed
        if sid == self._stream_id:
            if self._switch is not None:
                self._interrupted()
            return self._take(message, now)
        if sid in self._other_nodes:
            self.stats.foreign_frames += 1
            return []
        if self._switch is None or self._switch[0] != sid:
            if self._switch is not None:
                self.stats.foreign_frames += len(self._switch[1])
            self._switch = (sid, [])
        self._switch[1].append(message)
        if len(self._switch[1]) < SWITCH_MESSAGES:
            return []
        sid, held = self._switch
        self._switch = None
        self._restart(sid, now)
        out: list[DecodedMessage] = []
        for m in held:
            out += self._take(m, now)
        return out

    def _interrupted(self) -> None:
        """The followed stream went on while another id was arriving: that id is not a restart."""
        sid, held = self._switch
        self._switch = None
        self.stats.foreign_frames += len(held)
        self._interruptions[sid] = self._interruptions.get(sid, 0) + 1
        if self._interruptions[sid] >= OTHER_NODE_AFTER and sid not in self._other_nodes:
            self._other_nodes.add(sid)
            self.stats.other_nodes += 1

    def _restart(self, stream_id: int, now: float) -> None:
        """The node restarted (a new stream id): its clock, sequence and counters start again."""
        self.stats.restarts += 1
        # Continue after the last sample by the time the host saw pass (the only clock
        # that ran through the restart).
        self._last_t_ticks += self._host_ticks(now)
        self._stream_id = stream_id
        self._stream_started = False
        self._jump = None
        self._hello_fixed = False
        self._node_counters = (0, 0)
        self._uptime_ms = 0

    def _take(self, message: Hello | Samples | Status, now: float) -> list[DecodedMessage]:
        if isinstance(message, Samples):
            return self._accept_samples(message, now)
        if isinstance(message, Hello):
            self.hello = message
            self._hello_fixed = True
        else:
            self._count_node_errors(message)
        return [message]

    def _count_node_errors(self, status: Status) -> None:
        """Add the increase of the node's cumulative counters, each counted once.

        A counter below what was already counted is a stale or repeated report
        (ignored), unless the node's uptime fell to a boot's: then it rebooted with
        the same stream id and its counters start again from zero.
        """
        counted = self._node_counters
        if status.uptime_ms < min(self._uptime_ms, BOOT_UPTIME_MS):
            counted = (0, 0)
        self._uptime_ms = status.uptime_ms
        reported = (status.fifo_overruns, status.i2c_errors)
        self.stats.overruns += max(0, reported[0] - counted[0])
        self.stats.i2c_errors += max(0, reported[1] - counted[1])
        self._node_counters = (max(reported[0], counted[0]), max(reported[1], counted[1]))

    # -- samples: sequence and time ----------------------------------------------------

    def _period_bounds(self) -> tuple[float, float]:
        """One sample period in ticks, as (shortest, longest): the hello's, else any plausible."""
        if self.hello is None:
            return PERIOD_TICKS_BOUNDS
        period = 1e6 / (self.hello.odr_hz * self.hello.tick_us)
        return period, period

    def _fits(self, d_ticks: int, periods: int) -> bool:
        """True when a timestamp step of ``d_ticks`` stands for ``periods`` sample periods."""
        low, high = self._period_bounds()
        slack = 0.5 + STEP_SLACK * abs(periods)
        least = min((periods - slack) * low, (periods - slack) * high)
        most = max((periods + slack) * low, (periods + slack) * high)
        return least <= d_ticks <= most

    def _steps_one_period(self, ticks: np.ndarray) -> bool:
        """True when the samples of one frame are one period apart, each (they are consecutive).

        ``ticks`` are the wire's u32: their differences wrap as the counter does, and a
        step backwards becomes one near 2^32, far above any period.
        """
        if len(ticks) < 2:
            return True
        steps = np.diff(ticks)
        low, high = self._period_bounds()
        slack = 0.5 + STEP_SLACK
        return (1 - slack) * low <= int(steps.min()) and int(steps.max()) <= (1 + slack) * high

    def _tick_s(self) -> float:
        return self.hello.tick_us / 1e6 if self.hello is not None else DEFAULT_TICK_S

    def _host_ticks(self, now: float) -> int:
        """Ticks the host's clock saw pass since the last sample (at least one)."""
        elapsed_s = max(0.0, now - self._last_host_s) if self._any_samples else 0.0
        return max(1, round(elapsed_s / self._tick_s()))

    def _relation(
        self, samples: Samples, next_wire_seq: int, last_tick: int
    ) -> tuple[int, int, str]:
        """(samples skipped, ticks stepped, kind) of a frame after a point of the stream.

        kind is ``"follows"`` (sequence and time agree, forward, within :data:`MAX_GAP_S`),
        ``"repeats"`` (they agree, up to :data:`MAX_BEHIND` samples back) or ``"jumps"``.
        """
        skipped = _signed(samples.first_seq - next_wire_seq)
        d_ticks = _signed(int(samples.ticks[0]) - last_tick)
        if self._fits(d_ticks, skipped + 1):
            if skipped >= 0 and d_ticks * self._tick_s() <= MAX_GAP_S:
                return skipped, d_ticks, "follows"
            if -MAX_BEHIND <= skipped < 0:
                return skipped, d_ticks, "repeats"
        return skipped, d_ticks, "jumps"

    def _accept_samples(self, samples: Samples, now: float) -> list[DecodedMessage]:
        if not self._stream_started:
            if self._any_samples:  # the first samples after a node restart
                return [self._deliver(samples, 0, self._next_seq, self._last_t_ticks, now)]
            # The very first samples: device time and sequence start where the node's do.
            return [self._deliver(samples, 0, samples.first_seq, int(samples.ticks[0]), now)]
        skipped, d_ticks, kind = self._relation(samples, self._next_wire_seq, self._last_tick)
        if kind == "follows":
            self._jump = None  # a held jump the stream did not follow was a bad frame: dropped
            return [self._deliver_after(samples, skipped, d_ticks, now)]
        if kind == "repeats":
            self.stats.duplicates += 1
            if -skipped >= len(samples):
                return []
            return [self._deliver_after(samples, skipped, d_ticks, now)]
        held, self._jump = self._jump, None
        if held is not None:
            end = (held.first_seq + len(held)) % WRAP
            if self._relation(samples, end, int(held.ticks[-1]))[2] == "follows":
                return self._reset_on(held, samples, now)
        self.stats.jumps += 1
        self._jump = samples
        return []

    def _reset_on(self, held: Samples, samples: Samples, now: float) -> list[DecodedMessage]:
        """Two frames agree on a jump: re-base the stream on the first and go on."""
        self.stats.stream_resets += 1
        self._hello_fixed = False  # a reboot with the same id may state a new hello
        skipped, d_ticks, _ = self._relation(held, self._next_wire_seq, self._last_tick)
        if skipped > 0 and self._fits(d_ticks, skipped + 1):
            first = self._deliver_after(held, skipped, d_ticks, now)  # a long gap, seen whole
        else:  # sequence and clock started again (the same id drawn at a reboot): as a restart
            t0 = self._last_t_ticks + self._host_ticks(now)
            first = self._deliver(held, 0, self._next_seq, t0, now)
        skipped, d_ticks, _ = self._relation(samples, self._next_wire_seq, self._last_tick)
        return [first, self._deliver_after(samples, skipped, d_ticks, now)]

    def _deliver_after(self, samples: Samples, skipped: int, d_ticks: int, now: float) -> SampleRun:
        """Deliver a frame that follows the stream by ``skipped`` samples and ``d_ticks`` ticks."""
        drop = max(0, -skipped)  # a repeat: its first samples were delivered already
        if skipped > 0:
            self.stats.seq_gaps += 1
            self.stats.samples_lost += skipped
        t0 = self._last_t_ticks + d_ticks
        if drop:
            t0 += int((samples.ticks[drop].astype(np.int64) - samples.ticks[0]) % WRAP)
        return self._deliver(samples, drop, self._next_seq + max(0, skipped), t0, now)

    def _deliver(self, samples: Samples, drop: int, seq0: int, t0: int, now: float) -> SampleRun:
        """Samples ``drop:`` of a frame as a run starting at ``seq0`` and ``t0`` (unwrapped)."""
        ticks = samples.ticks[drop:]  # u32: their differences wrap as the counter does
        n = len(ticks)
        t_ticks = np.empty(n, np.int64)
        t_ticks[0] = t0
        np.cumsum(np.diff(ticks), dtype=np.int64, out=t_ticks[1:])
        t_ticks[1:] += t0
        seq = np.arange(seq0, seq0 + n, dtype=np.int64)
        self._stream_started = self._any_samples = True
        self._next_seq = seq0 + n
        self._next_wire_seq = (samples.first_seq + len(samples)) % WRAP
        self._last_tick = int(ticks[-1])
        self._last_t_ticks = int(t_ticks[-1])
        self._last_host_s = now
        self.stats.samples += n
        return SampleRun(seq, t_ticks, np.array(samples.counts[drop:], dtype=np.int16))
