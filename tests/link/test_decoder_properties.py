"""Properties of the decoder (hypothesis): chunking never matters; hostile frames are harmless.

The hostile frames have a good CRC (what CRC-16 lets through about once in
65,536 damaged frames) and every field drawn from its extremes: zero, the
largest value, NaN, infinities, subnormals, a wrap's neighbours, and values
near the real stream's. Example counts are modest: the link tests run in CI on
a loaded machine.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wire import STREAM_ID, hello, sample_frames

from poise.link import LinkDecoder, SampleRun, encode
from poise.link.cobs import cobs_decode
from poise.link.crc import CRC_LEN
from poise.link.decoder import MAX_GAP_S
from poise.link.messages import (
    HELLO_HEAD,
    SAMPLES_HEAD,
    STATUS_BODY,
    TYPE_HELLO,
    TYPE_SAMPLES,
    TYPE_STATUS,
    frame,
)

PER_FRAME = 8
N_FRAMES = 30
#: Hostile frames go among the first real frames; the last ones show the stream recovered.
HOSTILE_WITHIN = 20
RECOVERED = 4
FRAMES, TICKS, COUNTS = sample_frames(N_FRAMES, PER_FRAME)
#: The same frames in each protocol version (1: CRC-16, 2: CRC-32).
FRAMES_BY_VERSION = {
    1: FRAMES,
    2: [frame(cobs_decode(f[:-1])[:-CRC_LEN], version=2) for f in FRAMES],
}
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

U16 = st.one_of(st.sampled_from([0, 1, STREAM_ID, 0x7FFF, 0x8000, 0xFFFF]), st.integers(0, 0xFFFF))
U32 = st.one_of(
    st.sampled_from([0, 1, 2**31 - 1, 2**31, 2**32 - 2, 2**32 - 1]), st.integers(0, 2**32 - 1)
)
F32 = st.one_of(
    st.sampled_from(
        [0.0, -0.0, float("nan"), float("inf"), -float("inf"), 1e-45, 1e-38, 3.4e38, -1.0]
    ),
    st.sampled_from([833.0, 416.0, 12.5, 25.0, 0.976e-3, 70e-3]),
    st.floats(width=32, allow_nan=True, allow_infinity=True),
)
TEXT = st.one_of(
    st.sampled_from(["LSM6DSO32", "MPU-6050", "", "\x1b[2J", "x" * 255]), st.text(max_size=40)
)


@st.composite
def near_real_seq(draw) -> int:
    """A sequence number at, just before or just after the real stream's (or anywhere)."""
    base = draw(st.integers(0, N_FRAMES * PER_FRAME))
    return (base + draw(st.sampled_from([0, 1, -1, 255, -255, 2**31, 2**32 - 1]))) % 2**32


@st.composite
def samples_payload(draw) -> bytes:
    n = draw(st.sampled_from([1, 2, PER_FRAME, 255]))
    seq = draw(st.one_of(U32, near_real_seq()))
    start = draw(st.one_of(U32, st.sampled_from([int(TICKS[0]), int(TICKS[-1]), 2**32 - 48])))
    step = draw(st.sampled_from([48, 0, 1, -1, 2**31, 2**32 - 1, 49, 47]))
    ticks = (start + step * np.arange(n, dtype=np.int64)) % 2**32
    counts = np.full((n, 6), draw(st.sampled_from([0, -32768, 32767, 1])), np.int16)
    records = np.empty(n, [("tick", "<u4"), ("counts", "<i2", (6,))])
    records["tick"], records["counts"] = ticks, counts
    head = SAMPLES_HEAD.pack(draw(U16), seq, n)
    return bytes([TYPE_SAMPLES]) + head + records.tobytes()


@st.composite
def hello_payload(draw) -> bytes:
    version = draw(st.sampled_from([1, 0, 2, 255]))
    head = HELLO_HEAD.pack(
        version, draw(U16), draw(F32), draw(U16), draw(U16), draw(F32), draw(F32), draw(F32)
    )
    texts = b""
    for _ in range(draw(st.integers(0, 2))):
        data = draw(TEXT).encode()[:255]
        texts += bytes([draw(st.sampled_from([len(data), 255, 0]))]) + data
    return bytes([TYPE_HELLO]) + head + texts


@st.composite
def status_payload(draw) -> bytes:
    return bytes([TYPE_STATUS]) + STATUS_BODY.pack(draw(U16), draw(U32), draw(U32), draw(U32))


ANY_PAYLOAD = st.binary(min_size=1, max_size=64)
HOSTILE = st.one_of(samples_payload(), hello_payload(), status_payload(), ANY_PAYLOAD)


@st.composite
def hostile_stream(draw) -> tuple[list[bytes], int, int]:
    """(frames on the wire, how many are hostile, the real stream's protocol version).

    A real stream in either version with hostile frames of either version among it.
    """
    version = draw(st.sampled_from([1, 2]))
    wire = [encode(hello(version=version)), *FRAMES_BY_VERSION[version]]
    hostile = draw(st.lists(st.tuples(HOSTILE, st.sampled_from([1, 2])), min_size=1, max_size=6))
    for payload, hostile_version in hostile:
        wire.insert(draw(st.integers(1, HOSTILE_WITHIN)), frame(payload, hostile_version))
    return wire, len(hostile), version


def decode(chunks) -> tuple[LinkDecoder, list[SampleRun]]:
    decoder = LinkDecoder()
    runs = []
    for chunk in chunks:
        runs += [m for m in decoder.feed(chunk, 1.0) if isinstance(m, SampleRun)]
    return decoder, runs


def cut(data: bytes, points: list[int]) -> list[bytes]:
    edges = [0, *sorted(points), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


@SETTINGS
@given(
    stream=hostile_stream(),
    points=st.lists(st.integers(0, 6000), max_size=40),
    noise=st.binary(max_size=300),
)
def test_any_chunking_gives_the_same_samples_and_counters(stream, points, noise):
    frames, _, _ = stream
    data = b"".join(frames[:10]) + noise + b"".join(frames[10:])
    whole, runs = decode([data])
    chunked, chunked_runs = decode(cut(data, [p % (len(data) + 1) for p in points]))
    assert chunked.stats.to_dict() == whole.stats.to_dict()
    assert len(runs) == len(chunked_runs)
    for a, b in zip(runs, chunked_runs, strict=True):
        np.testing.assert_array_equal(a.seq, b.seq)
        np.testing.assert_array_equal(a.t_ticks, b.t_ticks)
        np.testing.assert_array_equal(a.counts, b.counts)


@SETTINGS
@given(stream=hostile_stream())
def test_hostile_frames_never_raise_never_allocate_absurdly_and_are_counted(stream):
    frames, n_hostile, version = stream
    decoder, runs = decode([b"".join(frames)])
    s = decoder.stats
    # Every frame on the wire is counted once: taken, or rejected with its reason.
    assert s.frames + s.bad_frames == len(frames)
    delivered = sum(len(r) for r in runs)
    assert delivered == s.samples <= len(COUNTS) + n_hostile * 255
    if runs:
        seq = np.concatenate([r.seq for r in runs])
        t = np.concatenate([r.t_ticks for r in runs])
        counts = np.concatenate([r.counts for r in runs])
        assert np.all(np.diff(seq) > 0) and np.all(np.diff(t) > 0)
        # Time never jumps: no step longer than a gap one frame may make, and the span
        # is the real stream's plus at most that per hostile frame.
        span_s = (t[-1] - t[0]) * 25e-6
        real_span_s = (TICKS[-1] - TICKS[0]) * 25e-6
        assert span_s <= real_span_s + (n_hostile + 1) * MAX_GAP_S
        # Recovered: the last real frames arrived, exactly, at the end.
        np.testing.assert_array_equal(
            counts[-RECOVERED * PER_FRAME :], COUNTS[-RECOVERED * PER_FRAME :]
        )
        real = np.diff(TICKS[-RECOVERED * PER_FRAME :])
        np.testing.assert_array_equal(np.diff(t[-RECOVERED * PER_FRAME :]), real)
    # The stream's hello is the real one: no absurd or contradicting one was taken.
    assert decoder.hello == hello(version=version)
