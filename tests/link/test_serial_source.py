"""SerialSource on a real pseudo-terminal: streaming, idling, losing the port, capture replay."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from wire import PtyNode, hello, sample_frames

from poise.errors import InputError, PoiseError
from poise.link import encode
from poise.link.receiver import runs_to_block
from poise.sources.nodes import firmware_dir, install_firmware, probe_node
from poise.sources.serial_link import CaptureSource, SerialLinkSettings, SerialSource

PER_FRAME = 8


@pytest.fixture
def node(tmp_path):
    node = PtyNode(tmp_path, hello())
    yield node
    node.close()


def collect(source: SerialSource, n_samples: int, timeout_s: float = 5.0) -> tuple[list, int]:
    """Blocks until ``n_samples`` arrived; also the number of empty blocks seen."""
    got, empties = [], 0
    end = time.monotonic() + timeout_s
    for block in source.blocks():
        if len(block):
            got.append(block)
        else:
            empties += 1
        if sum(len(b) for b in got) >= n_samples or time.monotonic() > end:
            break
    return got, empties


def expected_block(ticks, counts):
    from poise.link import SampleRun

    run = SampleRun(np.arange(len(ticks)), ticks.astype(np.int64), counts)
    return runs_to_block([run], hello())


def test_stream_through_a_pty_equals_what_was_sent(node, tmp_path):
    frames, ticks, counts = sample_frames(50, PER_FRAME)
    with SerialSource(str(node.path), capture_path=tmp_path / "cap.bin") as source:
        assert node.hello_requests == 1 and source.connected
        assert source.meta.rate_hz == 833.0 and source.meta.sensor_model == "LSM6DSO32"
        assert source.meta.source["kind"] == "serial" and source.meta.firmware == "test"
        for f in frames:
            node.write(f)
        got, _ = collect(source, len(counts))
        # Idle: empty blocks at least every 0.1 s.
        start = time.monotonic()
        idle = [next(source.blocks()) for _ in range(3)]
        assert all(len(b) == 0 for b in idle) and time.monotonic() - start < 0.5
        stats = source.stats.to_dict()
    block = type(got[0]).concat(got)
    want = expected_block(ticks, counts)
    np.testing.assert_array_equal(block.seq, want.seq)
    np.testing.assert_array_equal(block.acc_g, want.acc_g)
    np.testing.assert_array_equal(block.gyr_dps, want.gyr_dps)
    np.testing.assert_array_equal(block.t_s, want.t_s)
    assert stats["samples"] == len(counts) and stats["crc_errors"] == stats["samples_lost"] == 0

    # The capture replays through the same decoder to the same samples and counters.
    with CaptureSource(tmp_path / "cap.bin") as replay:
        assert replay.meta.rate_hz == 833.0
        replayed = type(block).concat(list(replay.blocks()))
        assert replay.stats.samples == stats["samples"] and replay.stats.frames == stats["frames"]
    np.testing.assert_array_equal(replayed.acc_g, block.acc_g)
    np.testing.assert_array_equal(replayed.t_s, block.t_s)


def test_the_source_reconnects_when_the_port_comes_back(node):
    frames, ticks, counts = sample_frames(20, PER_FRAME)
    settings = SerialLinkSettings(reconnect_interval_s=0.05)
    with SerialSource(str(node.path), settings=settings) as source:
        for f in frames[:10]:
            node.write(f)
        first, _ = collect(source, 80)
        node.disappear()
        blocks = source.blocks()
        lost = [next(blocks) for _ in range(4)]  # the stream goes on, empty, while the port is gone
        assert all(len(b) == 0 for b in lost) and not source.connected
        node.reappear()
        deadline = time.monotonic() + 5
        while node.hello_requests < 2 and time.monotonic() < deadline:
            next(blocks)
        for f in frames[10:]:
            node.write(f)
        second, _ = collect(source, 80)
        stats = source.stats
    assert source.stats.reconnects == 1 and stats.io_errors >= 1
    seq = np.concatenate([b.seq for b in first + second])
    np.testing.assert_array_equal(seq, np.arange(160))
    np.testing.assert_array_equal(
        np.concatenate([b.acc_g for b in first + second]), expected_block(ticks, counts).acc_g
    )


def test_a_slow_consumer_loses_blocks_counted_never_stalls_the_reader(node):
    frames, _, _ = sample_frames(200, PER_FRAME)
    with SerialSource(str(node.path), settings=SerialLinkSettings(queue_blocks=3)) as source:
        for f in frames:
            node.write(f)
            time.sleep(0.0005)  # frame by frame, so the reader sees many small blocks
        deadline = time.monotonic() + 5
        while source.stats.samples < 1600 and time.monotonic() < deadline:
            time.sleep(0.01)
        stats = source.stats
        blocks = source.blocks()
        kept = [next(blocks) for _ in range(3)]
    assert stats.samples == 1600 and stats.queue_overflows > 0
    delivered = sum(len(b) for b in kept)
    assert delivered + stats.samples_dropped == 1600


def test_no_hello_is_a_one_line_error(tmp_path):
    silent = PtyNode(tmp_path, None)
    try:
        start = time.monotonic()
        with pytest.raises(PoiseError, match="no hello from a Poise node"):
            SerialSource(str(silent.path), settings=SerialLinkSettings(hello_timeout_s=0.3))
        assert time.monotonic() - start < 2
    finally:
        silent.close()


def test_missing_port_and_capture_errors_are_one_line(tmp_path):
    with pytest.raises(PoiseError, match="cannot open serial port"):
        SerialSource(str(tmp_path / "nothing"))
    (tmp_path / "empty.bin").write_bytes(b"\x00garbage\x00")
    with pytest.raises(InputError, match="no hello message"):
        CaptureSource(tmp_path / "empty.bin")
    with pytest.raises(InputError, match=r"empty\.binx"):
        CaptureSource(tmp_path / "empty.binx")


def test_probe_finds_the_node_and_not_a_silent_port(node, tmp_path):
    assert probe_node(str(node.path), timeout_s=1.0) == hello()
    assert probe_node(str(tmp_path / "nothing"), timeout_s=0.1) is None


def test_install_firmware_runs_mpremote_with_every_file(tmp_path, node):
    record = tmp_path / "argv"
    fake = tmp_path / "mpremote"
    fake.write_text(f'#!/bin/sh\necho "$@" > {record}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    copied = install_firmware(str(node.path), mpremote=str(fake))
    assert {"main.py", "node.py", "framing.py", "lsm6dso32.py", "config.py"} <= set(copied)
    argv = record.read_text().split()
    assert argv[:4] == ["connect", str(node.path), "fs", "cp"] and argv[-3:] == [":", "+", "reset"]
    assert all(os.path.isfile(a) for a in argv[4:-3])

    fake.write_text("#!/bin/sh\necho 'failed to access port' >&2\nexit 1\n")
    with pytest.raises(PoiseError, match=r"mpremote failed on .*: failed to access port"):
        install_firmware(str(node.path), mpremote=str(fake))
    with pytest.raises(PoiseError, match="mpremote not found"):
        install_firmware(str(node.path), mpremote=str(tmp_path / "no-mpremote"))
    with pytest.raises(PoiseError, match="does not exist"):
        install_firmware(str(tmp_path / "ttyACM9"), mpremote=str(fake))


def test_the_firmware_batteries_and_norms_are_found_in_a_checkout_and_ship_in_the_wheel(tmp_path):
    assert (firmware_dir() / "main.py").is_file()
    root = Path(__file__).resolve().parents[2]
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(root)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("poise-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(n).name for n in names if n.startswith("poise/firmware/")}
    checkout = {p.name for p in (root / "firmware").glob("*.py")}
    assert checkout and checkout <= shipped
    for kind in ("batteries", "norms"):
        shipped = {Path(n).name for n in names if n.startswith(f"poise/config/{kind}/")}
        assert shipped and shipped == {p.name for p in (root / "config" / kind).glob("*.toml")}


def test_a_reader_thread_that_fails_ends_the_stream_with_one_line(node):
    frames, _, _ = sample_frames(4, PER_FRAME)
    with SerialSource(str(node.path)) as source:

        def broken(data, host_t_s=None):
            raise ZeroDivisionError("float division by zero\nsecond line")

        source.receiver.feed = broken  # whatever fails in the reader thread
        node.write(b"".join(frames))
        start = time.monotonic()
        with pytest.raises(PoiseError) as failure:
            for _ in source.blocks():
                assert time.monotonic() - start < 5, "the stream hung"
    message = str(failure.value)
    assert "\n" not in message
    assert message.startswith(f"the link on {node.path} failed: ZeroDivisionError: float division")


def _record(tmp_path, port: str, timeout_s: float = 30.0) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return subprocess.run(
        [sys.executable, "-m", "poise", "record", "--sensor", f"serial:{port}",
         "-o", str(tmp_path / "rec.csv"), "--seconds", "3"],
        capture_output=True, text=True, env=env, timeout=timeout_s,
    )  # fmt: skip


def test_record_on_a_node_with_a_hostile_hello_ends_in_one_line(tmp_path):
    import dataclasses

    hostile = PtyNode(tmp_path, dataclasses.replace(hello(), tick_us=0.0))
    try:
        start = time.monotonic()
        result = _record(tmp_path, str(hostile.path))
        took_s = time.monotonic() - start
    finally:
        hostile.close()
    assert result.returncode == 2 and took_s < 20
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "hello refused: tick_us 0 is not a LSM6DSO32 timestamp tick" in result.stderr
    assert not (tmp_path / "rec.csv").exists()


def test_record_goes_on_past_a_hostile_hello_mid_stream(tmp_path, node):
    import dataclasses
    import threading

    frames, _, _ = sample_frames(400, PER_FRAME)  # 3.8 s at 833 Hz
    hostile = encode(dataclasses.replace(hello(), tick_us=float("nan"), odr_hz=0.0))

    def stream() -> None:
        deadline = time.monotonic() + 20
        while node.hello_requests < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # the host has taken the hello
        node.write(b"".join(frames[:100]) + hostile + b"".join(frames[100:]))

    writer = threading.Thread(target=stream, daemon=True)
    writer.start()
    result = _record(tmp_path, str(node.path))
    writer.join()
    assert result.returncode == 0, result.stderr
    assert "1 hello refused" in result.stdout and "0 lost" in result.stdout
