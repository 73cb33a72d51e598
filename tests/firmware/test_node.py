"""The node firmware under MicroPython, on a fake LSM6DSO32 serving simulated samples.

The host's decoder reads what the firmware wrote: the samples must be the
simulated raw counts exactly, with consistent sequence numbers and timestamps,
and every problem the chip or bus had must show in the node's status reports.
"""

from __future__ import annotations

import subprocess
import time

import numpy as np
import pytest
from node_host import run_node, simulated_counts, start_node, write_chip_data

from poise.link import HelloRequest, LinkDecoder, SampleRun, Status, encode
from poise.link.cobs import cobs_decode
from poise.link.messages import VERSION_2_TYPES, Hello

RATE_HZ = 833.0


@pytest.fixture(scope="module")
def sim_counts():
    return simulated_counts(RATE_HZ, 3.0)


def decode(output: bytes):
    decoder = LinkDecoder()
    messages = decoder.feed(output)
    runs = [m for m in messages if isinstance(m, SampleRun)]
    seq = np.concatenate([r.seq for r in runs])
    t_ticks = np.concatenate([r.t_ticks for r in runs])
    counts = np.concatenate([r.counts for r in runs])
    return decoder, messages, seq, t_ticks, counts


def test_node_streams_the_simulated_counts_exactly(micropython_exe, sim_counts, tmp_path):
    ticks, counts = sim_counts
    chip = write_chip_data(tmp_path, ticks, counts)
    output = run_node(chip, {"ODR_HZ": 833, "FRAME_SAMPLES": 7})
    decoder, messages, seq, t_ticks, got = decode(output)

    hello = messages[0]
    assert isinstance(hello, Hello) and hello.version == 2  # CRC-32 frames by default
    assert all(cobs_decode(f)[0] & VERSION_2_TYPES for f in output.split(b"\x00") if f)
    assert (hello.sensor_model, hello.odr_hz, hello.acc_range_g, hello.gyr_range_dps) == (
        "LSM6DSO32",
        833.0,
        32,
        2000,
    )
    assert hello.acc_g_per_lsb == pytest.approx(0.976e-3, rel=1e-7)
    assert hello.gyr_dps_per_lsb == pytest.approx(70e-3, rel=1e-7)
    assert hello.tick_us == 25.0
    np.testing.assert_array_equal(got, counts)
    np.testing.assert_array_equal(seq, np.arange(len(counts)))
    np.testing.assert_array_equal(t_ticks, ticks.astype(np.int64))
    s = decoder.stats
    assert s.bad_frames == s.seq_gaps == s.duplicates == s.overruns == s.i2c_errors == 0
    assert s.frames >= len(counts) // 7


def test_a_node_on_protocol_version_1_is_still_read(micropython_exe, sim_counts, tmp_path):
    ticks, counts = sim_counts
    chip = write_chip_data(tmp_path, ticks[:500], counts[:500])
    output = run_node(chip, {"ODR_HZ": 833, "PROTOCOL": 1, "STATUS_MS": 1})
    assert not any(cobs_decode(f)[0] & VERSION_2_TYPES for f in output.split(b"\x00") if f)
    decoder, messages, seq, _, got = decode(output)
    assert messages[0].version == 1
    np.testing.assert_array_equal(got, counts[:500])
    np.testing.assert_array_equal(seq, np.arange(500))
    assert decoder.stats.bad_frames == 0


def test_bus_errors_are_retried_counted_and_lose_nothing(micropython_exe, sim_counts, tmp_path):
    ticks, counts = sim_counts
    chip = write_chip_data(tmp_path, ticks[:1500], counts[:1500], i2c_error_every=5)
    output = run_node(chip, {"ODR_HZ": 833, "STATUS_MS": 1})
    decoder, messages, seq, _, got = decode(output)
    np.testing.assert_array_equal(got, counts[:1500])
    np.testing.assert_array_equal(seq, np.arange(1500))
    reported = [m.i2c_errors for m in messages if isinstance(m, Status)]
    assert reported and reported[-1] > 0
    assert decoder.stats.i2c_errors == reported[-1]


def test_samples_the_chip_lost_show_as_sequence_gaps(micropython_exe, sim_counts, tmp_path):
    ticks, counts = sim_counts
    dropped = [100, 101, 102, 700, 1999]
    chip = write_chip_data(tmp_path, ticks[:2000], counts[:2000], drop=dropped)
    output = run_node(chip, {"ODR_HZ": 833, "STATUS_MS": 1})
    decoder, _, seq, _, got = decode(output)
    kept = np.setdiff1d(np.arange(2000), dropped)
    np.testing.assert_array_equal(seq, kept[: len(seq)])
    np.testing.assert_array_equal(got, counts[kept][: len(seq)])
    # The last one lost is after the last sample: no later timestamp can reveal it.
    assert decoder.stats.seq_gaps == 2 and decoder.stats.samples_lost == 4
    assert decoder.stats.overruns >= 2


def read_for(process: subprocess.Popen, seconds: float) -> bytes:
    import os
    import select

    out = b""
    end = time.monotonic() + seconds
    fd = process.stdout.fileno()
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            out += chunk
    return out


def test_node_answers_a_hello_request(micropython_exe, sim_counts, tmp_path):
    ticks, counts = sim_counts
    chip = write_chip_data(tmp_path, ticks, counts, speed=1.0, odr_hz=RATE_HZ)
    with start_node(
        chip, {"ODR_HZ": 833}, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as process:
        before = read_for(process, 0.4)
        process.stdin.write(b"\x00garbage\x00" + encode(HelloRequest()))
        process.stdin.flush()
        after = read_for(process, 0.4)
        process.kill()
    decoder = LinkDecoder()
    hellos_before = [m for m in decoder.feed(before) if isinstance(m, Hello)]
    hellos_after = [m for m in decoder.feed(after) if isinstance(m, Hello)]
    assert len(hellos_before) == 1 and len(hellos_after) == 1
    assert hellos_after[0] == hellos_before[0]
    assert decoder.stats.samples > 0.5 * RATE_HZ and decoder.stats.bad_frames == 0


def test_node_without_its_chip_reports_and_keeps_trying(micropython_exe, sim_counts, tmp_path):
    ticks, counts = sim_counts
    chip = write_chip_data(tmp_path, ticks, counts, who_am_i=0x6B)
    with start_node(chip, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE) as process:
        output = read_for(process, 1.5)
        alive = process.poll() is None
        process.kill()
    messages = LinkDecoder().feed(output)
    statuses = [m for m in messages if isinstance(m, Status)]
    assert alive
    assert not any(isinstance(m, Hello | SampleRun) for m in messages)
    assert len(statuses) >= 2 and statuses[-1].i2c_errors >= 2
