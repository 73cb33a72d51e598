"""Link messages and their byte layout (docs/link-protocol.md has the tables).

Every frame carries one message: a payload of one type byte and a body, all
integers little-endian (the RP2040's and the LSM6DSO32's own order, so the
firmware copies sensor bytes straight into the frame), followed by the CRC
(:mod:`poise.link.crc`: CRC-16 in version 1, CRC-32 in version 2, whose type
bytes have :data:`VERSION_2_TYPES` set) and COBS-encoded (:mod:`poise.link.cobs`) with a 0x00 after.

Node -> host: :class:`Hello` (what the stream is), :class:`Samples` (a batch of
raw samples), :class:`Status` (a heartbeat with the node's error counters).
Host -> node: :class:`HelloRequest`.

The encoders here are the host's (for tests, benchmarks and tools); the node
encodes with its own code in firmware/framing.py.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from poise.link.cobs import cobs_encode
from poise.link.crc import append_crc, append_crc32

#: The newest version of the byte layout (sent in every hello). The host reads every
#: version in :data:`PROTOCOL_VERSIONS`: 1 (CRC-16) and 2 (the same with a CRC-32).
PROTOCOL_VERSION = 2
PROTOCOL_VERSIONS = (1, 2)
#: The bit set in every version 2 type byte (0x41 hello, 0x42 samples, 0x43 status): the
#: host knows which CRC to check before it reads the message.
VERSION_2_TYPES = 0x40

TYPE_HELLO = 0x01
TYPE_SAMPLES = 0x02
TYPE_STATUS = 0x03
TYPE_HELLO_REQUEST = 0x10

#: Hello body before its two length-prefixed strings: version u8, stream id u16,
#: ODR f32 Hz, acc full scale u16 g, gyr full scale u16 dps, acc f32 g/LSB,
#: gyr f32 dps/LSB, timestamp tick f32 us.
HELLO_HEAD = struct.Struct("<BHfHHfff")
#: Samples body head: stream id u16, sequence number of the first sample u32, count u8.
SAMPLES_HEAD = struct.Struct("<HIB")
#: One sample: timestamp u32 ticks, gyro x y z int16, accel x y z int16 (raw counts).
SAMPLE_RECORD = np.dtype([("tick", "<u4"), ("counts", "<i2", (6,))])
#: Status body: stream id u16, uptime u32 ms, FIFO overruns u32, I2C errors u32 (cumulative).
STATUS_BODY = struct.Struct("<HIII")
#: The most samples one frame can carry (the count is a u8).
MAX_SAMPLES_PER_FRAME = 255


@dataclass(frozen=True)
class Hello:
    """What the node streams: sent at start and whenever the host asks.

    Args:
        version: protocol version (one of :data:`PROTOCOL_VERSIONS`).
        stream_id: a number the node draws at boot; a new one means the node restarted.
        odr_hz: output data rate, Hz.
        acc_range_g: accelerometer full scale, +-g.
        gyr_range_dps: gyroscope full scale, +-deg/s.
        acc_g_per_lsb: accelerometer sensitivity, g per count.
        gyr_dps_per_lsb: gyroscope sensitivity, deg/s per count.
        tick_us: length of one timestamp tick, us (LSM6DSO32: 25 us trimmed by
            INTERNAL_FREQ_FINE, DS13181 section 6.4).
        sensor_model: the chip, e.g. ``"LSM6DSO32"``.
        firmware: the node's firmware version.
    """

    version: int
    stream_id: int
    odr_hz: float
    acc_range_g: int
    gyr_range_dps: int
    acc_g_per_lsb: float
    gyr_dps_per_lsb: float
    tick_us: float
    sensor_model: str
    firmware: str


@dataclass(frozen=True, eq=False)
class Samples:
    """A batch of consecutive raw samples as sent (before unwrapping).

    Args:
        stream_id: the stream they belong to (see :class:`Hello`).
        first_seq: sequence number of the first sample, u32.
        ticks: timestamps, u32 ticks of :attr:`Hello.tick_us`, shape (n,).
        counts: raw counts, int16, shape (n, 6): gyro x, y, z then accel x, y, z.
    """

    stream_id: int
    first_seq: int
    ticks: np.ndarray
    counts: np.ndarray

    def __len__(self) -> int:
        return self.ticks.shape[0]


@dataclass(frozen=True)
class Status:
    """The node's heartbeat (about once a second), with cumulative counters.

    Args:
        stream_id: the stream it belongs to.
        uptime_ms: node uptime, ms (u32, wraps after 49.7 days).
        fifo_overruns: times the chip's FIFO overflowed before the node drained it.
        i2c_errors: failed I2C transfers (each retried).
    """

    stream_id: int
    uptime_ms: int
    fifo_overruns: int
    i2c_errors: int


@dataclass(frozen=True)
class HelloRequest:
    """Host -> node: send a hello now."""


Message = Hello | Samples | Status | HelloRequest


def frame(payload: bytes, version: int = 1) -> bytes:
    """A payload made into one frame on the wire: CRC appended, COBS-encoded, 0x00 after.

    Version 2 sets :data:`VERSION_2_TYPES` in the type byte and appends a CRC-32.

    >>> frame(bytes([TYPE_HELLO_REQUEST])).hex()
    '0410f3c100'
    """
    if version == 2:
        return (
            cobs_encode(append_crc32(bytes([payload[0] | VERSION_2_TYPES]) + payload[1:])) + b"\x00"
        )
    return cobs_encode(append_crc(payload)) + b"\x00"


def encode(message: Message, version: int = 1) -> bytes:
    """One message as a frame on the wire (the host's encoder).

    A hello is framed in the version it states; other messages in ``version``.
    """
    if isinstance(message, Hello):
        version = message.version
    if isinstance(message, Samples):
        n = len(message)
        if not 0 < n <= MAX_SAMPLES_PER_FRAME:
            raise ValueError(f"a frame carries 1 to {MAX_SAMPLES_PER_FRAME} samples, not {n}")
        records = np.empty(n, SAMPLE_RECORD)
        records["tick"] = message.ticks
        records["counts"] = message.counts
        head = SAMPLES_HEAD.pack(message.stream_id, message.first_seq & 0xFFFFFFFF, n)
        return frame(bytes([TYPE_SAMPLES]) + head + records.tobytes(), version)
    if isinstance(message, Hello):
        head = HELLO_HEAD.pack(
            message.version,
            message.stream_id,
            message.odr_hz,
            message.acc_range_g,
            message.gyr_range_dps,
            message.acc_g_per_lsb,
            message.gyr_dps_per_lsb,
            message.tick_us,
        )
        return frame(
            bytes([TYPE_HELLO]) + head + _text(message.sensor_model) + _text(message.firmware),
            version,
        )
    if isinstance(message, Status):
        body = STATUS_BODY.pack(
            message.stream_id, message.uptime_ms, message.fifo_overruns, message.i2c_errors
        )
        return frame(bytes([TYPE_STATUS]) + body, version)
    return frame(bytes([TYPE_HELLO_REQUEST]), version)


def _text(value: str) -> bytes:
    data = value.encode("utf-8")[:255]
    return bytes([len(data)]) + data


class PayloadError(ValueError):
    """A payload whose CRC matched but whose content does not fit its type.

    ``unknown`` is True for a type or version this host does not read (rather
    than a length that does not fit a known type).
    """

    def __init__(self, message: str, unknown: bool = False) -> None:
        super().__init__(message)
        self.unknown = unknown


def parse_payload(payload: bytes, version: int = 1) -> Message:
    """The message in one payload of a frame of ``version`` (CRC checked and stripped).

    ``payload[0]`` is the type without :data:`VERSION_2_TYPES`. Raises
    :class:`PayloadError` for a wrong length, an unknown type, or a hello whose
    version is not the frame's. Bytes after a hello's or status's known fields
    are ignored: a later minor revision may append fields there.
    """
    kind = payload[0]
    body = memoryview(payload)[1:]
    if kind == TYPE_SAMPLES:
        if len(body) < SAMPLES_HEAD.size:
            raise PayloadError("samples message shorter than its head")
        stream_id, first_seq, n = SAMPLES_HEAD.unpack_from(body)
        expected = SAMPLES_HEAD.size + n * SAMPLE_RECORD.itemsize
        if n == 0 or len(body) != expected:
            raise PayloadError(f"samples message of {len(body)} bytes for {n} samples")
        records = np.frombuffer(body, SAMPLE_RECORD, n, SAMPLES_HEAD.size)
        return Samples(stream_id, first_seq, records["tick"], records["counts"])
    if kind == TYPE_STATUS:
        if len(body) < STATUS_BODY.size:
            raise PayloadError("status message too short")
        return Status(*STATUS_BODY.unpack_from(body))
    if kind == TYPE_HELLO:
        return _parse_hello(body, version)
    if kind == TYPE_HELLO_REQUEST:
        return HelloRequest()
    raise PayloadError(f"unknown message type 0x{kind:02x}", unknown=True)


def _parse_hello(body: memoryview, version: int) -> Hello:
    if len(body) < HELLO_HEAD.size + 2:
        raise PayloadError("hello message too short")
    head = HELLO_HEAD.unpack_from(body)
    if head[0] != version:
        raise PayloadError(f"protocol version {head[0]} in a version {version} frame", unknown=True)
    texts = []
    at = HELLO_HEAD.size
    for _ in range(2):
        if at >= len(body) or at + 1 + body[at] > len(body):
            raise PayloadError("hello message cut inside a text field")
        texts.append(bytes(body[at + 1 : at + 1 + body[at]]).decode("utf-8", "replace"))
        at += 1 + body[at]
    version, stream_id, odr_hz, acc_range_g, gyr_range_dps, acc_lsb, gyr_lsb, tick_us = head
    return Hello(
        version,
        stream_id,
        _decimal(odr_hz),
        acc_range_g,
        gyr_range_dps,
        _decimal(acc_lsb),
        _decimal(gyr_lsb),
        tick_us,
        *texts,
    )


def _decimal(value: float) -> float:
    """The 6-significant-digit decimal a float32 stands for.

    Every decimal of up to 6 significant digits survives a round trip through
    float32 (C's FLT_DIG), and datasheet rates and sensitivities have at most 4:
    so 0.976e-3 g/LSB sent as float32 reads back as exactly the float64 0.976e-3.
    (The timestamp tick is not rounded: the node computes it from a trim register.)

    >>> import struct
    >>> _decimal(struct.unpack("<f", struct.pack("<f", 0.976e-3))[0]) == 0.976e-3
    True
    """
    return float(f"{value:.6g}")
