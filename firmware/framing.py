# Link framing on the node: CRC-16/CCITT-FALSE, CRC-32/ISO-HDLC and COBS, for MicroPython.
#
# The node's own implementation (MicroPython has no binascii.crc_hqx, and its crc32
# is not in every port); the host's decoder is separate (src/poise/link) and the
# tests hold the two against each other.
# CRC-16 (protocol version 1): poly 0x1021, init 0xFFFF, not reflected, no final xor;
# appended big-endian.
# CRC-32 (version 2): poly 0x04C11DB7 reflected (0xEDB88320), init and final xor
# 0xFFFFFFFF; appended little-endian. The register is kept as two 16-bit halves:
# MicroPython's small integers end at 2^30 on the RP2040, and a 32-bit register
# would allocate a big integer at every byte.
# COBS: Cheshire & Baker 1999; a 0x00 ends every frame.
# Everything works in preallocated buffers: no allocation per sample.

from array import array

try:
    from micropython import const
except ImportError:  # CPython, for tools

    def const(x):
        return x


CRC_INIT = const(0xFFFF)


def _crc_table():
    table = array("H", bytes(512))
    for i in range(256):
        c = i << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021) if c & 0x8000 else (c << 1)
        table[i] = c & 0xFFFF
    return table


CRC_TABLE = _crc_table()


def crc16(buf, n, crc=CRC_INIT):
    # CRC-16/CCITT-FALSE of buf[0:n], table-driven (one lookup per byte).
    table = CRC_TABLE
    for i in range(n):
        crc = ((crc << 8) & 0xFFFF) ^ table[(crc >> 8) ^ buf[i]]
    return crc


def _crc32_tables():
    # Two tables of 16-bit halves: entry i is the CRC-32 register after byte i.
    high = array("H", bytes(512))
    low = array("H", bytes(512))
    for i in range(256):
        h, lo = 0, i
        for _ in range(8):
            carry = lo & 1
            lo = (lo >> 1) | ((h & 1) << 15)
            h >>= 1
            if carry:
                h ^= 0xEDB8
                lo ^= 0x8320
        high[i] = h
        low[i] = lo
    return high, low


CRC32_HIGH, CRC32_LOW = _crc32_tables()


def append_crc32(buf, n):
    # Write the CRC-32 of buf[0:n] into buf[n:n + 4], little-endian; no allocation.
    high = CRC32_HIGH
    low = CRC32_LOW
    h = 0xFFFF
    lo = 0xFFFF
    for i in range(n):
        k = (lo ^ buf[i]) & 0xFF
        lo = ((lo >> 8) | ((h & 0xFF) << 8)) ^ low[k]
        h = (h >> 8) ^ high[k]
    lo ^= 0xFFFF
    h ^= 0xFFFF
    buf[n] = lo & 0xFF
    buf[n + 1] = lo >> 8
    buf[n + 2] = h & 0xFF
    buf[n + 3] = h >> 8


def cobs_encode(src, n, out):
    # COBS-encode src[0:n] into out, then a 0x00; returns the bytes written.
    # out needs n + n // 254 + 2 bytes.
    code_at = 0
    code = 1
    o = 1
    for i in range(n):
        b = src[i]
        if b:
            out[o] = b
            o += 1
            code += 1
            if code == 0xFF:
                out[code_at] = 0xFF
                code_at = o
                o += 1
                code = 1
        else:
            out[code_at] = code
            code_at = o
            o += 1
            code = 1
    out[code_at] = code
    out[o] = 0
    return o + 1


def cobs_decode(src, n, out):
    # Decode the COBS frame src[0:n] (no delimiter) into out; length, or -1 if invalid.
    i = 0
    o = 0
    while i < n:
        code = src[i]
        if code == 0 or i + code > n:
            return -1
        end = i + code
        i += 1
        while i < end:
            out[o] = src[i]
            o += 1
            i += 1
        if code != 0xFF and i < n:
            out[o] = 0
            o += 1
    return o
