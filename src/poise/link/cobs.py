"""Consistent Overhead Byte Stuffing (Cheshire & Baker, IEEE/ACM Trans. Networking 7(2), 1999).

COBS rewrites a byte string so that it contains no 0x00; a 0x00 then marks the
end of each frame on the wire. The encoded data is split into blocks, each
starting with a code byte ``c`` (1..255): ``c - 1`` data bytes follow, then an
implied 0x00 unless ``c`` is 0xFF (a full run of 254 non-zero bytes) or the block
ends the frame. Overhead is one byte, plus one per 254 bytes without a zero.

This is the host's implementation; the firmware has its own (firmware/framing.py)
and tests hold the two against each other.
"""

from __future__ import annotations

#: Longest run of data bytes one code byte can cover.
MAX_RUN = 254


class CobsError(ValueError):
    """An encoded frame that no COBS encoder could have produced."""


def cobs_encode(data: bytes | bytearray | memoryview) -> bytes:
    """``data`` COBS-encoded, without the trailing 0x00 delimiter.

    >>> cobs_encode(b"\\x11\\x00\\x22").hex(), cobs_encode(b"").hex()
    ('02110222', '01')
    """
    out = bytearray()
    data = bytes(data)
    start = 0
    n = len(data)
    while True:
        zero = data.find(0, start, start + MAX_RUN)
        if zero < 0:
            end = min(start + MAX_RUN, n)
            out.append(end - start + 1)
            out += data[start:end]
            if end == n:
                return bytes(out)
            start = end  # a full run: code 0xFF, no implied zero
        else:
            out.append(zero - start + 1)
            out += data[start:zero]
            start = zero + 1


def cobs_decode(frame: bytes | bytearray | memoryview) -> bytes:
    """The data of one COBS-encoded frame (given without its 0x00 delimiter).

    Raises :class:`CobsError` for a frame that contains 0x00 or whose last
    block runs past its end.

    >>> cobs_decode(bytes.fromhex("02110222"))
    b'\\x11\\x00"'
    """
    out = bytearray(frame)
    n = len(out)
    if n == 0:
        raise CobsError("empty frame")
    zero = out.find(0)
    if zero >= 0:
        raise CobsError(f"0x00 inside a frame at byte {zero}")
    # Walk the chain of code bytes, turning each into the 0x00 it stands for.
    # The first code and every code after a full 0xFF block stand for nothing:
    # they are cut out at the end (rare, so the cost of ``del`` does not matter).
    cut = [0]
    i = 0
    code = out[0]
    while True:
        i += code
        if i >= n:
            break
        next_code = out[i]
        if code == 0xFF:
            cut.append(i)
        else:
            out[i] = 0
        code = next_code
    if i != n:
        raise CobsError(f"last block runs {i - n} bytes past the end of the frame")
    for position in reversed(cut):
        del out[position]
    return bytes(out)
