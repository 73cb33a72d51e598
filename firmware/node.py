# The sensor node: drain the IMU's FIFO, frame the samples, stream them to the host.
#
# Message layout: docs/link-protocol.md (the host's reader is src/poise/link).
# RAM: every buffer is allocated once here (about 1.5 KB in all, with the CRC
# table); the loop allocates only a memoryview per frame. An RP2040 has about
# 190 KB of MicroPython heap, so there is room to spare; the cost that matters
# is CPU time per sample (benchmarks/firmware_framing_cost.py).

import struct
import sys
import time

import framing
import lsm6dso32
from micropython import const

VERSION_2_TYPES = const(0x40)  # set in every type byte of a version 2 (CRC-32) frame
FIRMWARE_VERSION = "0.1.0"
TYPE_HELLO = const(0x01)
TYPE_SAMPLES = const(0x02)
TYPE_STATUS = const(0x03)
TYPE_HELLO_REQUEST = const(0x10)
SAMPLES_HEAD = const(8)  # type u8, stream id u16, first sequence number u32, count u8
RECORD = const(16)  # timestamp u32, gyro x y z int16, accel x y z int16
BURST_WORDS = const(24)  # FIFO words per I2C transfer (8 samples)
IN_MAX = const(32)  # longest host -> node frame kept


class Link:
    # Frames out (to USB CDC or a UART) and hello requests in.

    def __init__(self, cfg, machine):
        self.uart = None
        self.poller = None
        if cfg.OUTPUT == "uart":
            pin = machine.Pin
            self.uart = machine.UART(
                cfg.UART_ID, baudrate=cfg.UART_BAUD, tx=pin(cfg.UART_TX), rx=pin(cfg.UART_RX)
            )
            self.write = self.uart.write
        else:
            import select

            self.write = sys.stdout.buffer.write
            self.poller = select.poll()
            self.poller.register(sys.stdin, select.POLLIN)
        self.version = 2 if cfg.PROTOCOL == 2 else 1
        n = SAMPLES_HEAD + RECORD * cfg.FRAME_SAMPLES + 4
        self.payload = bytearray(max(n, 64))
        self.encoded = bytearray(len(self.payload) + len(self.payload) // 254 + 2)
        self.encoded_mv = memoryview(self.encoded)
        self.inbuf = bytearray(IN_MAX)
        self.indecoded = bytearray(IN_MAX)
        self.inlen = 0

    def send(self, n):
        # Send payload[0:n] as one frame: version 2 marks the type and appends a CRC-32
        # little-endian, version 1 a CRC-16 big-endian; COBS, 0x00.
        p = self.payload
        if self.version == 2:
            p[0] |= VERSION_2_TYPES
            framing.append_crc32(p, n)
            n += 4
        else:
            crc = framing.crc16(p, n)
            p[n] = crc >> 8
            p[n + 1] = crc & 0xFF
            n += 2
        m = framing.cobs_encode(p, n, self.encoded)
        self.write(self.encoded_mv[:m])

    def _read_byte(self):
        if self.uart is not None:
            return self.uart.read(1)[0] if self.uart.any() else -1
        if not self.poller.poll(0):
            return -1
        b = sys.stdin.buffer.read(1)
        if not b:  # input closed (host tests run the node with no stdin)
            self.poller.unregister(sys.stdin)
            self.poller = None
            return -1
        return b[0]

    def hello_requested(self):
        # True when a complete, valid hello request has arrived.
        requested = False
        while self.uart is not None or self.poller is not None:
            b = self._read_byte()
            if b < 0:
                break
            if b:
                if self.inlen < IN_MAX:
                    self.inbuf[self.inlen] = b
                self.inlen += 1
                continue
            n = self.inlen
            self.inlen = 0
            if 0 < n <= IN_MAX:
                m = framing.cobs_decode(self.inbuf, n, self.indecoded)
                if m == 3 and framing.crc16(self.indecoded, m) == 0:
                    requested = requested or self.indecoded[0] == TYPE_HELLO_REQUEST
        return requested


class Node:
    def __init__(self, cfg, machine):
        self.cfg = cfg
        self.link = Link(cfg, machine)
        self.led = machine.Pin(cfg.LED_PIN, machine.Pin.OUT)
        i2c = machine.I2C(
            cfg.I2C_ID, scl=machine.Pin(cfg.I2C_SCL), sda=machine.Pin(cfg.I2C_SDA),
            freq=cfg.I2C_FREQ,
        )  # fmt: skip
        addresses = i2c.scan()
        address = cfg.I2C_ADDRESS if cfg.I2C_ADDRESS in addresses or not addresses else addresses[0]
        self.imu = lsm6dso32.LSM6DSO32(i2c, address, cfg.ODR_HZ, cfg.ACC_RANGE_G, cfg.GYR_RANGE_DPS)
        self.stream_id = _random_u16()
        self.burst = bytearray(BURST_WORDS * lsm6dso32.WORD_BYTES)
        self.burst_mv = memoryview(self.burst)
        self.payload_mv = memoryview(self.link.payload)
        self.spare = bytearray(RECORD)
        self.i2c_errors = 0
        self.overruns = 0
        self.uptime_ms = 0
        self.samples_sent = 0
        # Sample assembly: the record being filled is slot `count` of the frame.
        self.count = 0
        self.first_seq = 0
        self.seq = -1  # sequence number of the last sample sent
        self.last_tick = 0
        self.have_ts = False
        self.have_gyr = False
        self.have_acc = False
        self.pending_step = 1
        self.period_ticks = 1

    def start_imu(self, sleep_ms):
        # Start the chip; on a bus error count it, report it, retry each second.
        while True:
            try:
                self.imu.start(sleep_ms)
                break
            except OSError:
                self.i2c_errors += 1
                self.send_status()
                sleep_ms(1000)
                self.uptime_ms += 1000
        self.period_ticks = max(1, round(1e6 / (self.imu.odr_hz * self.imu.tick_us)))

    def send_hello(self):
        imu = self.imu
        p = self.link.payload
        struct.pack_into(
            "<BBHfHHfff", p, 0, TYPE_HELLO, self.link.version, self.stream_id, imu.odr_hz,
            imu.acc_range_g, imu.gyr_range_dps, imu.acc_g_per_lsb, imu.gyr_dps_per_lsb,
            imu.tick_us,
        )  # fmt: skip
        n = 24
        for text in (imu.MODEL, FIRMWARE_VERSION):
            data = text.encode()
            p[n] = len(data)
            p[n + 1 : n + 1 + len(data)] = data
            n += 1 + len(data)
        self.link.send(n)

    def send_status(self):
        struct.pack_into(
            "<BHIII", self.link.payload, 0, TYPE_STATUS, self.stream_id,
            self.uptime_ms & 0xFFFFFFFF, self.overruns, self.i2c_errors,
        )  # fmt: skip
        self.link.send(15)

    def flush(self, carry=False):
        # Send the samples assembled so far as one frame. With carry, the record
        # being filled in slot `count` (not part of this frame) moves to slot 0.
        n = self.count
        if not n:
            return
        o = SAMPLES_HEAD + RECORD * n
        if carry:  # send() writes the CRC over the start of that slot: save it first
            self.spare[:] = self.payload_mv[o : o + RECORD]
        struct.pack_into(
            "<BHIB", self.link.payload, 0, TYPE_SAMPLES, self.stream_id,
            self.first_seq & 0xFFFFFFFF, n,
        )  # fmt: skip
        self.link.send(o)
        self.samples_sent += n
        self.count = 0
        if carry:
            self.payload_mv[SAMPLES_HEAD : SAMPLES_HEAD + RECORD] = self.spare

    def take_words(self, n_words):
        # Sort n_words FIFO words from the burst buffer into sample records.
        b = self.burst
        p = self.link.payload
        for w in range(0, n_words * 7, 7):
            tag = b[w] >> 3
            o = SAMPLES_HEAD + RECORD * self.count
            if tag == lsm6dso32.TAG_TIMESTAMP:
                tick = b[w + 1] | (b[w + 2] << 8) | (b[w + 3] << 16) | (b[w + 4] << 24)
                # The sequence number counts sample periods of the chip's clock, so
                # samples the FIFO lost to an overrun show as a gap on the host.
                if self.seq >= 0:
                    dt = (tick - self.last_tick) & 0xFFFFFFFF
                    step = (2 * dt + self.period_ticks) // (2 * self.period_ticks)
                    self.pending_step = step if step > 0 else 1
                self.last_tick = tick
                p[o] = b[w + 1]
                p[o + 1] = b[w + 2]
                p[o + 2] = b[w + 3]
                p[o + 3] = b[w + 4]
                self.have_ts = True
                self.have_gyr = self.have_acc = False
                continue
            if tag == lsm6dso32.TAG_GYRO:
                o += 4
                self.have_gyr = True
            elif tag == lsm6dso32.TAG_ACCEL:
                o += 10
                self.have_acc = True
            else:
                continue
            p[o] = b[w + 1]
            p[o + 1] = b[w + 2]
            p[o + 2] = b[w + 3]
            p[o + 3] = b[w + 4]
            p[o + 4] = b[w + 5]
            p[o + 5] = b[w + 6]
            if self.have_gyr and self.have_acc:
                if self.have_ts:
                    self.commit()
                self.have_ts = self.have_gyr = self.have_acc = False

    def commit(self):
        # The record in slot `count` is complete: keep it in this frame, or start a
        # new frame when its sequence number does not follow (frames are contiguous).
        seq = self.seq + self.pending_step if self.seq >= 0 else 0
        if self.count and seq != self.seq + 1:
            self.flush(carry=True)
        if self.count == 0:
            self.first_seq = seq
        self.seq = seq
        self.pending_step = 1
        self.count += 1
        if self.count == self.cfg.FRAME_SAMPLES:
            self.flush()

    def drain(self):
        # Read every word waiting in the FIFO, in bursts; send the samples.
        try:
            level, overrun = self.imu.fifo_status()
        except OSError:
            self.i2c_errors += 1
            return 0
        if overrun:
            self.overruns += 1
        left = level
        while left > 0:
            k = left if left < BURST_WORDS else BURST_WORDS
            try:
                if k == BURST_WORDS:
                    self.imu.read_words(self.burst)
                else:
                    self.imu.read_words(self.burst_mv[: k * lsm6dso32.WORD_BYTES])
            except OSError:
                self.i2c_errors += 1  # the words stay in the FIFO: read again next time
                break
            self.take_words(k)
            left -= k
        # A sample cut in two by this drain keeps its first words for the next one.
        self.flush(carry=self.have_ts or self.have_gyr or self.have_acc)
        return level

    def run(self, machine_time=time):
        sleep_ms = machine_time.sleep_ms
        ticks_ms = machine_time.ticks_ms
        ticks_diff = machine_time.ticks_diff
        self.link.write(b"\x00")  # ends whatever the port carried before (boot text)
        self.start_imu(sleep_ms)
        self.send_hello()
        last = ticks_ms()
        status_due = self.cfg.STATUS_MS
        limit = self.cfg.MAX_SAMPLES
        while not limit or self.samples_sent < limit:
            self.drain()
            if self.link.hello_requested():
                self.send_hello()
            now = ticks_ms()
            elapsed = ticks_diff(now, last)
            last = now
            self.uptime_ms += elapsed
            status_due -= elapsed
            if status_due <= 0:
                status_due += self.cfg.STATUS_MS
                self.send_status()
                self.led.toggle()
            sleep_ms(self.cfg.POLL_MS)


def _random_u16():
    try:
        import os

        return int.from_bytes(os.urandom(2), "little")
    except (ImportError, AttributeError):
        return time.ticks_us() & 0xFFFF


def run():
    import config
    import machine

    Node(config, machine).run()
