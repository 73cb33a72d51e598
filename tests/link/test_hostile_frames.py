"""Frames with a good CRC that are still hostile: absurd hellos, steps, sequence numbers, nodes.

CRC-16 lets about 1 in 65,536 damaged frames through, so the decoder must not
trust a frame because its CRC matched: every field is checked against the
stream it claims to belong to, every fault is counted, and the stream goes on
within a frame or two.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from wire import STREAM_ID, hello, sample_frames, status

from poise.link import LinkDecoder, LinkReceiver, SampleRun, Samples, Status, encode
from poise.link.cobs import cobs_decode
from poise.link.decoder import MAX_FRAME_BYTES, MAX_GAP_S
from poise.link.messages import frame

PER_FRAME = 8
PERIOD_TICKS = 48  # sample_frames: 833 Hz at 25 us


def runs_of(messages) -> list[SampleRun]:
    return [m for m in messages if isinstance(m, SampleRun)]


def joined(runs: list[SampleRun]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.concatenate([r.seq for r in runs]),
        np.concatenate([r.t_ticks for r in runs]),
        np.concatenate([r.counts for r in runs]),
    )


HOSTILE_HELLOS = {
    "tick 0": {"tick_us": 0.0},
    "tick NaN": {"tick_us": float("nan")},
    "tick subnormal": {"tick_us": 1e-45},
    "tick infinite": {"tick_us": float("inf")},
    "tick negative": {"tick_us": -25.0},
    "odr 0": {"odr_hz": 0.0},
    "odr NaN": {"odr_hz": float("nan")},
    "odr 1e30": {"odr_hz": 1e30},
    "odr not the chip's": {"odr_hz": 1000.0},
    "acc sensitivity NaN": {"acc_g_per_lsb": float("nan")},
    "gyr sensitivity 0": {"gyr_dps_per_lsb": 0.0},
    "acc sensitivity of another range": {"acc_g_per_lsb": 0.488e-3},
    "acc range the chip lacks": {"acc_range_g": 65535},
    "gyr range 0": {"gyr_range_dps": 0},
    "unknown chip": {"sensor_model": "BMI270"},
    "control characters in the model": {"sensor_model": "LSM6DSO32\x1b[2J"},
    "control characters in the firmware": {"firmware": "0.1\n0"},
    "chip without timestamps": {"sensor_model": "MPU-6050"},
}


@pytest.mark.parametrize("fields", HOSTILE_HELLOS.values(), ids=HOSTILE_HELLOS.keys())
def test_a_hostile_hello_is_refused_in_one_counted_line_and_never_raises(fields):
    frames, ticks, counts = sample_frames(4, PER_FRAME)
    bad = dataclasses.replace(hello(), **fields)
    receiver = LinkReceiver()
    block = receiver.feed(encode(bad) + b"".join(frames[:2]), 1.0)
    assert len(block) == 0 and receiver.hello is None  # nothing converted with it
    assert receiver.stats.hellos_refused == 1 and receiver.stats.bad_frames == 1
    refusal = receiver.decoder.refusal
    assert refusal.startswith("hello refused: ") and "\n" not in refusal and "\x1b" not in refusal
    # The node's next hello (it answers every request) is taken; nothing was lost meanwhile.
    block = receiver.feed(encode(hello()) + b"".join(frames[2:]), 1.1)
    np.testing.assert_array_equal(block.seq, np.arange(len(counts)))
    np.testing.assert_array_equal(block.t_s, ticks * 25e-6)


def test_a_hostile_hello_mid_stream_leaves_the_stream_as_it_was():
    frames, ticks, counts = sample_frames(6, PER_FRAME)
    receiver = LinkReceiver()
    hostile = encode(dataclasses.replace(hello(), tick_us=0.0, odr_hz=float("nan")))
    wire = encode(hello()) + b"".join(frames[:3]) + hostile + b"".join(frames[3:])
    block = receiver.feed(wire, 1.0)
    assert receiver.hello == hello() and receiver.stats.hellos_refused == 1
    np.testing.assert_array_equal(block.t_s, ticks * 25e-6)
    np.testing.assert_array_equal(block.acc_g, counts[:, 3:] * hello().acc_g_per_lsb)


def test_a_hello_that_contradicts_its_stream_is_refused():
    """A valid hello with the stream's id but another rate: a node states its stream once."""
    frames, ticks, _ = sample_frames(4, PER_FRAME)
    other = encode(dataclasses.replace(hello(), odr_hz=416.0))
    receiver = LinkReceiver()
    block = receiver.feed(encode(hello()) + frames[0] + other + b"".join(frames[1:]), 1.0)
    assert receiver.hello == hello() and receiver.stats.hellos_refused == 1
    assert "contradicts" in receiver.decoder.refusal
    np.testing.assert_array_equal(block.t_s, ticks * 25e-6)


def samples_frame(first_seq: int, ticks, counts=None) -> bytes:
    ticks = np.asarray(ticks, np.int64) % (1 << 32)
    if counts is None:
        counts = np.zeros((len(ticks), 6), np.int16)
    return encode(Samples(STREAM_ID, first_seq % (1 << 32), ticks, counts))


def decode_all(wire: bytes, host_t_s: float = 1.0) -> tuple[LinkDecoder, list[SampleRun]]:
    decoder = LinkDecoder()
    return decoder, runs_of(decoder.feed(wire, host_t_s))


def test_one_tick_backwards_is_a_counted_fault_not_a_29_hour_wrap():
    frames, ticks, counts = sample_frames(20, PER_FRAME)
    last = int(ticks[10 * PER_FRAME - 1])
    # A frame that follows in sequence but whose timestamp is one tick before the last one.
    backwards = samples_frame(10 * PER_FRAME, last - 1 + PERIOD_TICKS * np.arange(PER_FRAME))
    decoder, runs = decode_all(
        encode(hello()) + b"".join(frames[:10]) + backwards + b"".join(frames[10:])
    )
    seq, t, got = joined(runs)
    np.testing.assert_array_equal(seq, np.arange(len(counts)))  # every real sample, in place
    np.testing.assert_array_equal(t, ticks)
    np.testing.assert_array_equal(got, counts)
    assert decoder.stats.jumps == 1 and decoder.stats.samples_lost == 0
    assert np.diff(t).max() * 25e-6 < 0.01  # time never jumped


def test_a_step_backwards_inside_a_frame_drops_that_frame_counted():
    frames, ticks, counts = sample_frames(10, PER_FRAME)
    inside = ticks[40:48].copy()
    inside[3] = inside[2] - 1  # one sample one tick before the one it follows
    bad = samples_frame(40, inside, counts[40:48])
    decoder, runs = decode_all(encode(hello()) + b"".join(frames[:5]) + bad + b"".join(frames[6:]))
    seq, t, _ = joined(runs)
    np.testing.assert_array_equal(seq, np.setdiff1d(np.arange(80), np.arange(40, 48)))
    np.testing.assert_array_equal(t, ticks[seq])
    s = decoder.stats
    assert (s.time_faults, s.seq_gaps, s.samples_lost) == (1, 1, 8)


def test_a_real_u32_wrap_is_still_unwrapped():
    start = (1 << 32) - 100
    frames, _, _ = sample_frames(6, PER_FRAME, first_tick=start)
    decoder, runs = decode_all(encode(hello()) + b"".join(frames))
    _, t, _ = joined(runs)
    np.testing.assert_array_equal(t, start + PERIOD_TICKS * np.arange(48))
    assert decoder.stats.jumps == decoder.stats.time_faults == 0


@pytest.mark.parametrize(
    "seq_ahead, ticks_ahead",
    [(10**6, 0), (10**6, 10**6 * PERIOD_TICKS), (2**31 + 5, 7), (-(10**5), 0), (0, 2**31 - 1)],
    ids=["seq only", "seq and time together", "seq half the u32", "far behind", "time only"],
)
def test_a_frame_that_jumps_away_costs_only_itself(seq_ahead, ticks_ahead):
    """The issue's case: one frame far ahead made every later real frame a duplicate."""
    frames, ticks, counts = sample_frames(30, PER_FRAME)
    n = 10 * PER_FRAME
    hostile = samples_frame(n + seq_ahead, ticks[n : n + PER_FRAME] + ticks_ahead)
    decoder, runs = decode_all(
        encode(hello()) + b"".join(frames[:10]) + hostile + b"".join(frames[10:])
    )
    seq, t, got = joined(runs)
    np.testing.assert_array_equal(seq, np.arange(len(counts)))
    np.testing.assert_array_equal(t, ticks)
    np.testing.assert_array_equal(got, counts)
    s = decoder.stats
    assert (s.jumps, s.duplicates, s.seq_gaps, s.samples_lost, s.stream_resets) == (1, 0, 0, 0, 0)


def test_a_reboot_that_draws_the_same_stream_id_recovers_within_one_frame():
    old, _, old_counts = sample_frames(10, PER_FRAME, first_seq=5000, first_tick=10**7)
    new, _, new_counts = sample_frames(10, PER_FRAME, first_seq=0, first_tick=300, seed=2)
    decoder = LinkDecoder()
    runs = runs_of(decoder.feed(encode(hello()) + b"".join(old), host_t_s=100.0))
    runs += runs_of(decoder.feed(encode(hello()) + b"".join(new), host_t_s=103.0))
    seq, t, got = joined(runs)
    np.testing.assert_array_equal(seq, 5000 + np.arange(160))  # continued, nothing dropped
    np.testing.assert_array_equal(got, np.concatenate([old_counts, new_counts]))
    assert np.all(np.diff(t) > 0)
    assert (t[80] - t[79]) * 25e-6 == pytest.approx(3.0, abs=1e-3)  # the host's clock
    s = decoder.stats
    assert (s.jumps, s.stream_resets, s.duplicates, s.samples_lost) == (1, 1, 0, 0)


def test_a_long_gap_is_taken_once_the_next_frame_confirms_it():
    """A node out of range for a minute, seen whole: a gap, counted exactly."""
    gap = 60 * 833
    frames, ticks, counts = sample_frames(20, PER_FRAME)
    later, later_ticks, later_counts = sample_frames(
        5, PER_FRAME, first_seq=160 + gap, first_tick=int(ticks[-1]) + (gap + 1) * PERIOD_TICKS
    )
    decoder, runs = decode_all(encode(hello()) + b"".join(frames) + b"".join(later))
    seq, t, got = joined(runs)
    np.testing.assert_array_equal(seq, np.concatenate([np.arange(160), 160 + gap + np.arange(40)]))
    np.testing.assert_array_equal(t, np.concatenate([ticks, later_ticks]))
    np.testing.assert_array_equal(got, np.concatenate([counts, later_counts]))
    s = decoder.stats
    assert (s.seq_gaps, s.samples_lost, s.jumps, s.stream_resets) == (1, gap, 1, 1)


def test_one_frame_alone_never_moves_time_by_more_than_the_longest_gap():
    frames, ticks, _ = sample_frames(10, PER_FRAME)
    far = round(3 * 3600 / 25e-6)  # three hours ahead, sequence and time agreeing
    hostile = samples_frame(80 + far // PERIOD_TICKS, ticks[-1] + far + PERIOD_TICKS * np.arange(8))
    decoder, runs = decode_all(encode(hello()) + b"".join(frames) + hostile)
    _, t, _ = joined(runs)
    assert np.diff(t).max() * 25e-6 <= MAX_GAP_S and decoder.stats.jumps == 1


def test_an_oversize_run_is_counted_once_however_the_bytes_arrive():
    frames, _, _ = sample_frames(4, PER_FRAME)
    noise = bytes(range(1, 256)) * (10 * MAX_FRAME_BYTES // 255)
    wire = encode(hello()) + frames[0] + noise + b"\x00" + b"".join(frames[1:]) + noise
    stats = []
    for size in (len(wire), 4096, 61, 7, 1):
        decoder = LinkDecoder()
        for i in range(0, len(wire), size):
            decoder.feed(wire[i : i + size], 1.0)
        decoder.drop_partial()
        stats.append(decoder.stats.to_dict())
    assert all(s == stats[0] for s in stats)
    assert stats[0]["oversize"] == 2 and stats[0]["samples"] == 32


def node_status(overruns: int, i2c: int, uptime_ms: int) -> bytes:
    return encode(Status(STREAM_ID, uptime_ms, overruns, i2c))


def test_falling_status_counters_are_never_counted_twice():
    decoder = LinkDecoder()
    decoder.feed(node_status(5, 5, 100_000) + node_status(3, 2, 99_000))  # a stale report
    decoder.feed(node_status(6, 5, 101_000))
    assert (decoder.stats.overruns, decoder.stats.i2c_errors) == (6, 5)
    # A reboot that drew the same id: uptime and counters start again.
    decoder.feed(node_status(1, 0, 1_500) + node_status(2, 0, 2_500) + node_status(2, 0, 2_500))
    assert (decoder.stats.overruns, decoder.stats.i2c_errors) == (8, 5)


def test_two_nodes_on_one_port_are_reported_and_never_merged():
    ours, ticks, counts = sample_frames(40, PER_FRAME)
    theirs, _, _ = sample_frames(40, PER_FRAME, first_tick=7, stream_id=0x0BAD, seed=3)
    other_hello = encode(hello(stream_id=0x0BAD))
    wire = encode(hello()) + other_hello
    for mine, other in zip(ours, theirs, strict=True):
        wire += mine + other
    decoder, runs = decode_all(wire + status(0, 0, stream_id=0x0BAD))
    seq, t, got = joined(runs)
    np.testing.assert_array_equal(seq, np.arange(len(counts)))  # only the followed node's
    np.testing.assert_array_equal(got, counts)
    np.testing.assert_array_equal(t, ticks)
    s = decoder.stats
    assert s.other_nodes == 1 and s.restarts == 0
    assert s.foreign_frames == len(theirs) + 2 and decoder.hello == hello()
    assert "2 nodes on one port" in s.summary()


def test_a_version_2_stream_reads_as_version_1_does():
    frames, _, _ = sample_frames(6, PER_FRAME)
    v1 = encode(hello()) + b"".join(frames)
    v2 = encode(hello(version=2))
    for f in frames:
        payload = cobs_decode(f[:-1])[:-2]
        v2 += frame(payload, version=2)
    one, runs1 = decode_all(v1)
    two, runs2 = decode_all(v2)
    assert two.hello == hello(version=2) and two.stats.bad_frames == 0
    for a, b in zip(joined(runs1), joined(runs2), strict=True):
        np.testing.assert_array_equal(a, b)
    assert one.stats.frames == two.stats.frames == 7


def test_a_version_1_frame_amid_a_version_2_stream_is_refused():
    """A damaged CRC-32 frame must not get in through CRC-16's weaker check."""
    frames, _, _ = sample_frames(6, PER_FRAME)
    wire = encode(hello(version=2))
    for i, f in enumerate(frames):
        payload = cobs_decode(f[:-1])[:-2]
        wire += f if i == 3 else frame(payload, version=2)
    decoder, runs = decode_all(wire)
    seq, _, _ = joined(runs)
    np.testing.assert_array_equal(seq, np.setdiff1d(np.arange(48), np.arange(24, 32)))
    assert decoder.stats.unknown_types == 1 and decoder.stats.samples_lost == 8
