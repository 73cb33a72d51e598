# Link framing on the node: CRC-16/CCITT-FALSE and COBS, written for MicroPython.
#
# The node's own implementation (MicroPython has no binascii.crc_hqx); the host's
# decoder is separate (src/poise/link) and the tests hold the two against each other.
# CRC: poly 0x1021, init 0xFFFF, not reflected, no final xor; appended big-endian.
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
