"""The CRCs of link frames: CRC-16/CCITT-FALSE (version 1) and CRC-32/ISO-HDLC (version 2).

CRC-16/CCITT-FALSE is also catalogued as CRC-16/IBM-3740.

Parameters (Greg Cook's CRC catalogue names): width 16, poly 0x1021, init 0xFFFF,
refin false, refout false, xorout 0x0000, check 0x29B1 (the CRC of ``b"123456789"``).
``binascii.crc_hqx(data, 0xFFFF)`` computes exactly this.

The CRC covers the whole unencoded payload (the message type byte and the body)
and is appended to it big-endian, before COBS encoding. Appended that way the CRC
of payload + CRC is zero, which is how :func:`crc_ok` checks a frame in one call.
The 0xFFFF init (not XMODEM's 0x0000) makes leading zero bytes change the CRC.
"""

from __future__ import annotations

import binascii

#: Initial register value; see the module docstring for the full parameter set.
CRC_INIT = 0xFFFF
#: Length of the CRC appended to each payload, bytes.
CRC_LEN = 2


def crc16(data: bytes | bytearray | memoryview) -> int:
    """CRC-16/CCITT-FALSE of ``data``.

    >>> hex(crc16(b"123456789"))
    '0x29b1'
    """
    return binascii.crc_hqx(data, CRC_INIT)


def append_crc(payload: bytes) -> bytes:
    """``payload`` followed by its CRC, big-endian.

    >>> append_crc(b"123456789")[-2:].hex()
    '29b1'
    """
    return payload + crc16(payload).to_bytes(CRC_LEN, "big")


def crc_ok(payload_with_crc: bytes | bytearray | memoryview) -> bool:
    """True when the last two bytes are the CRC of the rest (the residue is zero).

    >>> crc_ok(append_crc(b"abc")), crc_ok(b"abc\\x00\\x00")
    (True, False)
    """
    return len(payload_with_crc) > CRC_LEN and binascii.crc_hqx(payload_with_crc, CRC_INIT) == 0


#: Length of the CRC-32 appended to each version 2 payload, bytes.
CRC32_LEN = 4


def append_crc32(payload: bytes) -> bytes:
    """``payload`` followed by its CRC-32/ISO-HDLC, little-endian (protocol version 2).

    CRC-32/ISO-HDLC (the IEEE 802.3 CRC): poly 0x04C11DB7 reflected, init and
    xorout 0xFFFFFFFF, check 0xCBF43926; ``binascii.crc32`` computes exactly this.

    >>> append_crc32(b"123456789")[-4:].hex()
    '2639f4cb'
    """
    return payload + binascii.crc32(payload).to_bytes(CRC32_LEN, "little")


def crc32_ok(payload_with_crc: bytes | bytearray | memoryview) -> bool:
    """True when the last four bytes are the CRC-32 of the rest.

    >>> crc32_ok(append_crc32(b"abc")), crc32_ok(b"abc\\x00\\x00\\x00\\x00")
    (True, False)
    """
    data = memoryview(payload_with_crc)
    if len(data) <= CRC32_LEN:
        return False
    return binascii.crc32(data[:-CRC32_LEN]) == int.from_bytes(data[-CRC32_LEN:], "little")
