"""Fault injection on the byte stream: nothing corrupted gets through, every fault is counted.

A stream of frames is damaged in the ways a serial link damages it (bit flips,
lost, repeated and extra bytes, cut frames, garbage, whole frames lost or
repeated). The decoder must deliver only samples equal to the ones sent, at
their sequence numbers; count each damaged frame; and find the next intact
frame right after the damage (resync within one frame).
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from wire import STREAM_ID, hello, sample_frames, status

from poise.link import LinkDecoder, SampleRun, encode
from poise.link.cobs import cobs_decode, cobs_encode
from poise.link.decoder import MAX_FRAME_BYTES

PER_FRAME = 8


def decode(chunks: list[bytes]) -> tuple[LinkDecoder, np.ndarray, np.ndarray, np.ndarray]:
    decoder = LinkDecoder()
    runs = []
    for chunk in chunks:
        runs += [m for m in decoder.feed(chunk) if isinstance(m, SampleRun)]
    if not runs:
        return decoder, np.empty(0, np.int64), np.empty(0, np.int64), np.empty((0, 6))
    return (
        decoder,
        np.concatenate([r.seq for r in runs]),
        np.concatenate([r.t_ticks for r in runs]),
        np.concatenate([r.counts for r in runs]),
    )


def check_delivered(seq, t_ticks, counts, sent_ticks, sent_counts) -> None:
    """Every delivered sample is the one sent at its sequence number, none twice."""
    assert len(np.unique(seq)) == len(seq)
    np.testing.assert_array_equal(counts, sent_counts[seq])
    np.testing.assert_array_equal(t_ticks, sent_ticks[seq])


def frames_delivered(seq: np.ndarray) -> set[int]:
    return set((seq // PER_FRAME).tolist())


def test_clean_stream_in_any_chunking_decodes_exactly():
    frames, ticks, counts = sample_frames(40, PER_FRAME)
    wire = encode(hello()) + b"".join(frames) + status(0, 0)
    rng = random.Random(3)
    cuts = sorted(rng.sample(range(1, len(wire)), 60))
    chunks = [wire[a:b] for a, b in zip([0, *cuts], [*cuts, len(wire)], strict=True)]
    for pieces in (chunks, [wire], [bytes([b]) for b in wire]):
        decoder, seq, t, got = decode(pieces)
        np.testing.assert_array_equal(seq, np.arange(len(counts)))
        check_delivered(seq, t, got, ticks, counts)
        assert decoder.stats.frames == 42 and decoder.stats.bad_frames == 0
        assert decoder.stats.bytes == len(wire) and decoder.stats.samples == len(counts)


def test_a_frame_split_at_every_byte_boundary():
    frames, ticks, counts = sample_frames(3, PER_FRAME)
    wire = b"".join(frames)
    for cut in range(len(wire) + 1):
        decoder, seq, t, got = decode([wire[:cut], wire[cut:]])
        np.testing.assert_array_equal(seq, np.arange(len(counts)))
        check_delivered(seq, t, got, ticks, counts)
        assert decoder.stats.bad_frames == 0


def flip_bit(frame: bytes, rng: random.Random) -> bytes:
    body = bytearray(frame)
    i = rng.randrange(len(body) - 1)  # not the delimiter
    body[i] ^= 1 << rng.randrange(8)
    return bytes(body)


def drop_byte(frame: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(frame) - 1)
    return frame[:i] + frame[i + 1 :]


def duplicate_byte(frame: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(frame) - 1)
    return frame[: i + 1] + frame[i:]


def insert_byte(frame: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(frame) - 1)
    return frame[:i] + bytes([rng.randrange(256)]) + frame[i:]


def truncate(frame: bytes, rng: random.Random) -> bytes:
    return frame[: rng.randrange(1, len(frame) - 1)] + b"\x00"


def garbage_before(frame: bytes, rng: random.Random) -> bytes:
    noise = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
    return noise + frame  # the garbage swallows this frame (no delimiter between)


@pytest.mark.parametrize(
    "damage", [flip_bit, drop_byte, duplicate_byte, insert_byte, truncate, garbage_before]
)
def test_damaged_frames_are_rejected_counted_and_resynced(damage):
    rng = random.Random(damage.__name__)
    frames, ticks, counts = sample_frames(300, PER_FRAME, seed=1)
    damaged = set(range(5, 295, 7))  # every 7th frame: two intact frames between faults
    sent = [damage(f, rng) if i in damaged else f for i, f in enumerate(frames)]
    decoder, seq, t, got = decode([encode(hello()), *sent])

    check_delivered(seq, t, got, ticks, counts)
    # Resync within one frame: every frame not damaged arrived.
    assert frames_delivered(seq) == set(range(300)) - damaged
    s = decoder.stats
    assert s.resyncs == len(damaged)
    # A damaged frame may split in two at a 0x00 the damage made: at least one count each.
    assert len(damaged) <= s.bad_frames <= 2 * len(damaged)
    assert s.seq_gaps == len(damaged) and s.samples_lost == len(damaged) * PER_FRAME
    assert s.samples == len(counts) - len(damaged) * PER_FRAME


def test_a_destroyed_delimiter_costs_the_two_frames_it_joined():
    frames, ticks, counts = sample_frames(20, PER_FRAME)
    frames[8] = frames[8][:-1] + b"\x55"
    decoder, seq, t, got = decode([b"".join(frames)])
    check_delivered(seq, t, got, ticks, counts)
    assert frames_delivered(seq) == set(range(20)) - {8, 9}
    assert decoder.stats.resyncs == 1 and decoder.stats.samples_lost == 16


def test_random_garbage_alone_delivers_nothing_and_is_counted():
    rng = np.random.default_rng(11)
    garbage = rng.integers(0, 256, 200_000, dtype=np.uint8).tobytes()
    decoder, seq, _, _ = decode([encode(hello()), garbage])
    assert len(seq) == 0
    s = decoder.stats
    # Every run between delimiters was rejected, one way or another.
    assert s.frames == 1 and s.bad_frames >= garbage.count(0) * 0.9
    assert s.discarded_bytes >= len(garbage) * 0.9


def test_a_long_run_without_delimiters_is_dropped_and_the_stream_recovers():
    frames, ticks, counts = sample_frames(10, PER_FRAME)
    noise = bytes(random.Random(2).randrange(1, 256) for _ in range(3 * MAX_FRAME_BYTES))
    pieces = [*frames[:4], noise[:5000], noise[5000:], *frames[4:]]
    decoder, seq, t, got = decode(pieces)
    check_delivered(seq, t, got, ticks, counts)
    # The noise swallows frame 4 (no delimiter between them); the rest arrive.
    assert frames_delivered(seq) == set(range(10)) - {4}
    assert decoder.stats.oversize >= 1 and decoder.stats.resyncs == 1


def test_lost_and_repeated_frames_are_gaps_and_duplicates():
    frames, ticks, counts = sample_frames(30, PER_FRAME)
    sent = frames[:5] + frames[6:12] + [frames[11], frames[10]] + frames[12:]
    decoder, seq, t, got = decode([b"".join(sent)])
    check_delivered(seq, t, got, ticks, counts)
    np.testing.assert_array_equal(seq, np.setdiff1d(np.arange(240), np.arange(40, 48)))
    s = decoder.stats
    assert (s.seq_gaps, s.samples_lost, s.duplicates, s.bad_frames) == (1, 8, 2, 0)


def test_an_overlapping_frame_delivers_only_its_new_samples():
    frames, ticks, counts = sample_frames(4, PER_FRAME)
    from poise.link import Samples

    overlap = encode(Samples(STREAM_ID, 28, ticks[28:32], counts[28:32]))
    more, _ticks2, counts2 = sample_frames(1, 12, first_seq=28, first_tick=int(ticks[28]))
    decoder, seq, _t, got = decode([*frames, overlap, *more])
    assert seq.tolist() == list(range(40))
    np.testing.assert_array_equal(got[32:], counts2[4:])
    assert decoder.stats.duplicates == 2


def test_sequence_numbers_and_timestamps_unwrap_past_u32():
    start_seq, start_tick = (1 << 32) - 20, (1 << 32) - 200
    frames, _ticks, counts = sample_frames(
        10, PER_FRAME, first_seq=start_seq, first_tick=start_tick
    )
    decoder, seq, t, got = decode([b"".join(frames)])
    np.testing.assert_array_equal(seq, start_seq + np.arange(80))
    np.testing.assert_array_equal(t, start_tick + 48 * np.arange(80))
    np.testing.assert_array_equal(got, counts)
    assert decoder.stats.seq_gaps == 0


def test_a_node_restart_continues_the_stream_forward():
    first, _, _ = sample_frames(5, PER_FRAME, first_tick=10**6)
    second, _, _ = sample_frames(5, PER_FRAME, first_tick=500, stream_id=0x0BAD)
    decoder = LinkDecoder()
    runs = decoder.feed(encode(hello()) + b"".join(first), host_t_s=10.0)
    runs += decoder.feed(encode(hello(stream_id=0x0BAD)) + b"".join(second), host_t_s=12.0)
    runs = [r for r in runs if isinstance(r, SampleRun)]
    seq = np.concatenate([r.seq for r in runs])
    t = np.concatenate([r.t_ticks for r in runs])
    np.testing.assert_array_equal(seq, np.arange(80))
    assert np.all(np.diff(t) > 0)
    gap_s = (t[40] - t[39]) * 25e-6
    assert gap_s == pytest.approx(2.0, abs=1e-4)  # the 2 s the host saw pass
    assert decoder.stats.restarts == 1


def test_node_error_counters_are_taken_once_and_across_restarts():
    decoder = LinkDecoder()
    decoder.feed(status(0, 0) + status(2, 5) + status(3, 5) + status(3, 9))
    # Restarted: a new stream id, taken once it is heard in a row; its counters start again.
    decoder.feed(status(1, 1, stream_id=77) * 3)
    assert (decoder.stats.overruns, decoder.stats.i2c_errors) == (4, 10)


def test_frames_of_a_newer_protocol_or_unknown_type_are_counted_not_misread():
    from poise.link.crc import append_crc

    newer = bytearray(encode(hello()))
    payload = bytearray(cobs_decode(bytes(newer[:-1]))[:-2])
    payload[1] = 3  # version 3
    unknown = cobs_encode(append_crc(bytes([0x3F, 1, 2, 3]))) + b"\x00"
    wrong_length = cobs_encode(append_crc(bytes([0x02, 1, 2, 3]))) + b"\x00"
    decoder = LinkDecoder()
    out = decoder.feed(cobs_encode(append_crc(bytes(payload))) + b"\x00" + unknown + wrong_length)
    assert out == [] and decoder.hello is None
    assert decoder.stats.unknown_types == 2 and decoder.stats.length_errors == 1
