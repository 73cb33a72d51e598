# A fake `machine` module for running the node firmware under the MicroPython unix port.
#
# I2C emulates an LSM6DSO32: its registers, the FIFO in continuous mode with a
# timestamp word before each gyroscope and accelerometer pair, burst reads that
# need IF_INC, FIFO_STATUS1/2 with the latched overrun bit. The samples come from
# a file of 16-byte records (tick u32, gyro xyz int16, accel xyz int16) written by
# the test from the simulator; options come from the JSON file named by
# $POISE_FAKE_CHIP:
#   samples: path of the records; odr_hz: rate of the paced mode;
#   speed: 0 = serve as fast as the node reads, else a factor on real time;
#   i2c_error_every: make every n-th read fail with EIO (0: never);
#   drop: indices of samples the chip loses (an overrun just before each);
#   who_am_i: the identity register (0x6C for the real chip).
# When every sample has been read the next FIFO status read raises SystemExit.

import json
import os
import time

WORD = 7
FIFO_WORDS = 438  # 3 KB of 7-byte words (DS13181, FIFO)
TAG_GYRO = 0x01
TAG_ACCEL = 0x02
TAG_TS = 0x04

with open(os.getenv("POISE_FAKE_CHIP")) as _f:
    OPTIONS = json.load(_f)


class Pin:
    OUT = 1
    IN = 0

    def __init__(self, pin_id, mode=-1, value=None):
        self.pin_id = pin_id
        self._value = value or 0

    def value(self, v=None):
        if v is None:
            return self._value
        self._value = 1 if v else 0

    def toggle(self):
        self._value ^= 1

    def on(self):
        self._value = 1

    def off(self):
        self._value = 0


class I2C:
    def __init__(self, bus_id, scl=None, sda=None, freq=400000):
        self.regs = bytearray(128)
        self.fifo = bytearray()
        self.overrun = False
        with open(OPTIONS["samples"], "rb") as f:
            self.records = f.read()
        self.n_samples = len(self.records) // 16
        self.produced = 0
        self.t0 = None
        self.reads = 0
        self.drop = set(OPTIONS.get("drop", []))
        self.reset()

    def reset(self):
        for i in range(128):
            self.regs[i] = 0
        self.regs[0x12] = 0x04  # CTRL3_C: IF_INC is on after reset
        self.regs[0x0F] = OPTIONS.get("who_am_i", 0x6C)
        self.fifo = bytearray()
        self.t0 = None

    def scan(self):
        return [0x6A]

    def writeto_mem(self, addr, reg, buf):
        for i, b in enumerate(buf):
            r = reg + i if self.regs[0x12] & 0x04 else reg
            self.regs[r] = b
            if r == 0x12 and b & 0x01:
                self.reset()
            if r == 0x10 and b >> 4:
                self.t0 = time.ticks_us()

    def _streaming(self):
        r = self.regs
        odr = r[0x10] >> 4
        return (
            self.t0 is not None
            and odr
            and r[0x11] >> 4 == odr
            and r[0x09] == (odr << 4 | odr)
            and r[0x0A] & 0x07 == 0x06
            and r[0x0A] >> 6 == 1
            and r[0x19] & 0x20
        )

    def _produce(self):
        if not self._streaming():
            return
        speed = OPTIONS.get("speed", 0)
        if speed:
            due = int(time.ticks_diff(time.ticks_us(), self.t0) * OPTIONS["odr_hz"] * speed / 1e6)
        else:
            due = self.produced + (FIFO_WORDS - len(self.fifo) // WORD) // 3
        due = min(due, self.n_samples)
        while self.produced < due:
            i = self.produced
            self.produced += 1
            if i in self.drop:
                self.overrun = True
                continue
            rec = self.records[16 * i : 16 * i + 16]
            self.fifo += bytes([TAG_TS << 3]) + rec[0:4] + b"\x00\x00"
            self.fifo += bytes([TAG_GYRO << 3]) + rec[4:10]
            self.fifo += bytes([TAG_ACCEL << 3]) + rec[10:16]
        excess = len(self.fifo) - FIFO_WORDS * WORD
        if excess > 0:  # continuous mode: the oldest words are overwritten
            self.fifo = self.fifo[excess:]
            self.overrun = True

    def readfrom_mem_into(self, addr, reg, buf):
        self.reads += 1
        every = OPTIONS.get("i2c_error_every", 0)
        if every and self.reads % every == 0:
            raise OSError(5)
        n = len(buf)
        if reg == 0x3A:
            self._produce()
            if self.produced == self.n_samples and not self.fifo:
                raise SystemExit
            level = len(self.fifo) // WORD
            self.regs[0x3A] = level & 0xFF
            self.regs[0x3B] = (level >> 8) | (0x08 if self.overrun else 0)
            self.overrun = False
        if reg == 0x78:
            if not self.regs[0x12] & 0x04:
                n = min(n, 1)
            take = min(n, len(self.fifo))
            buf[0:take] = self.fifo[0:take]
            self.fifo = self.fifo[take:]
            return
        for i in range(n):
            buf[i] = self.regs[reg + i if self.regs[0x12] & 0x04 else reg]

    def readfrom_mem(self, addr, reg, n):
        buf = bytearray(n)
        self.readfrom_mem_into(addr, reg, buf)
        return buf
