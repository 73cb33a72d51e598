"""What the link's checks give: damage CRC-16 lets through, and what the decoder makes of it.

1. The CRC: frames of the real size (8 samples, 136 bytes) with random damage of
   4 to 16 flipped bits (fewer are all caught: HD 4); the fraction whose CRC-16
   still matches (theory for random damage: 2^-16 = 1.5e-5), and the same for
   CRC-32 (binascii.crc32, theory 2^-32: none expected in this many).
2. The decoder after a CRC escape: a damaged frame with its CRC made to match,
   amid a real stream. Per escape: rejected (hello, length, time or sequence
   checks), delivered with wrong counts (raw counts can take any value, so no
   check but the CRC can see them), delivered with a timestamp off by less than a
   sample period (the step check's tolerance), or anything else.

    python benchmarks/link_crc_escapes.py [--frames 2000000] [--escapes 20000]
"""

from __future__ import annotations

import argparse
import binascii
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "link"))
from wire import hello, sample_frames

from poise.link import LinkDecoder, SampleRun, encode
from poise.link.cobs import cobs_decode
from poise.link.crc import crc16
from poise.link.messages import frame

PER_FRAME = 8


def damage(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for bit in rng.sample(range(8 * len(out)), rng.randint(4, 16)):
        out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def crc_escapes(n_frames: int, rng: random.Random) -> tuple[int, int]:
    payload = bytes(rng.randrange(256) for _ in range(1 + 7 + 16 * PER_FRAME))
    with16 = payload + crc16(payload).to_bytes(2, "big")
    with32 = payload + binascii.crc32(payload).to_bytes(4, "little")
    escaped16 = escaped32 = 0
    for _ in range(n_frames):
        bad = damage(with16, rng)
        escaped16 += binascii.crc_hqx(bad, 0xFFFF) == 0
        bad = damage(with32, rng)
        escaped32 += binascii.crc32(bad[:-4]) == int.from_bytes(bad[-4:], "little")
    return escaped16, escaped32


def decoder_outcomes(n_escapes: int, rng: random.Random) -> dict[str, int]:
    frames, ticks, counts = sample_frames(20, PER_FRAME)
    head = encode(hello()) + b"".join(frames[:10])
    tail = b"".join(frames[11:])
    payload = cobs_decode(frames[10][:-1])[:-2]
    outcomes = {
        "rejected": 0,
        "wrong counts": 0,
        "time off by under a period": 0,
        "anything else": 0,
    }
    for _ in range(n_escapes):
        decoder = LinkDecoder()
        wire = head + frame(damage(payload, rng)) + tail
        runs = [m for m in decoder.feed(wire, 1.0) if isinstance(m, SampleRun)]
        seq = np.concatenate([r.seq for r in runs])
        t = np.concatenate([r.t_ticks for r in runs])
        got = np.concatenate([r.counts for r in runs])
        if not np.isin(np.arange(80, 88), seq).any() and len(seq) == 152:
            outcomes["rejected"] += 1
        elif len(seq) == 160 and np.array_equal(seq, np.arange(160)) and np.array_equal(t, ticks):
            outcomes["wrong counts" if not np.array_equal(got, counts) else "rejected"] += 1
        elif np.isin(seq, np.arange(160)).all() and np.abs(t - ticks[seq]).max() < 48:
            outcomes["time off by under a period"] += 1
        else:
            outcomes["anything else"] += 1
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=2_000_000)
    parser.add_argument("--escapes", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(20261202)
    e16, e32 = crc_escapes(args.frames, rng)
    print(f"damaged frames (136 bytes, 4-16 bits flipped): {args.frames}")
    print(f"  CRC-16 passed {e16} ({e16 / args.frames:.2e}; theory 2^-16 = {2**-16:.2e})")
    print(f"  CRC-32 passed {e32} ({e32 / args.frames:.2e}; theory 2^-32 = {2**-32:.2e})")
    outcomes = decoder_outcomes(args.escapes, rng)
    print(f"CRC escapes amid a real stream: {args.escapes}")
    for name, n in outcomes.items():
        print(f"  {name}: {n} ({n / args.escapes:.1%})")


if __name__ == "__main__":
    main()
