# LSM6DSO32 driver for MicroPython: FIFO in continuous mode with timestamps, burst reads.
#
# Register addresses and fields: STMicroelectronics DS13181 (LSM6DSO32 datasheet),
# section 9; FIFO and timestamp use: application note AN5473.

from micropython import const

WHO_AM_I = const(0x0F)
WHO_AM_I_VALUE = const(0x6C)
FIFO_CTRL3 = const(0x09)  # BDR_GY[7:4], BDR_XL[3:0]
FIFO_CTRL4 = const(0x0A)  # DEC_TS_BATCH[7:6], FIFO_MODE[2:0]
CTRL1_XL = const(0x10)  # ODR_XL[7:4], FS_XL[3:2]
CTRL2_G = const(0x11)  # ODR_G[7:4], FS_G[3:2], FS_125[1]
CTRL3_C = const(0x12)  # BDU[6], IF_INC[2], SW_RESET[0]
CTRL10_C = const(0x19)  # TIMESTAMP_EN[5]
FIFO_STATUS1 = const(0x3A)  # DIFF_FIFO[7:0]; FIFO_STATUS2 follows: OVR_LATCHED[3], DIFF_FIFO[9:8]
INTERNAL_FREQ_FINE = const(0x63)  # signed trim of the internal clock, 0.15 % per LSB
FIFO_DATA_OUT_TAG = const(0x78)  # tag byte, then 6 data bytes (0x79..0x7E)

WORD_BYTES = const(7)
TAG_GYRO = const(0x01)  # TAG_SENSOR values (DS13181, FIFO_DATA_OUT_TAG)
TAG_ACCEL = const(0x02)
TAG_TIMESTAMP = const(0x04)

BDU_IF_INC = const(0x44)
SW_RESET = const(0x01)
TIMESTAMP_EN = const(0x20)
FIFO_CONTINUOUS_TS_EVERY_BATCH = const(0x46)  # DEC_TS_BATCH = 01, FIFO_MODE = 110
OVR_LATCHED = const(0x08)

ODR_CODES = {12.5: 1, 26: 2, 52: 3, 104: 4, 208: 5, 416: 6, 833: 7, 1666: 8, 3332: 9, 6664: 10}
# (FS_XL code, sensitivity g/LSB): DS13181 mechanical characteristics;
# the DSO32's FS_XL codes are not in range order.
ACC_FS = {4: (0, 0.122e-3), 8: (2, 0.244e-3), 16: (3, 0.488e-3), 32: (1, 0.976e-3)}
# (CTRL2_G FS bits incl. FS_125, sensitivity dps/LSB): DS13181 mechanical characteristics.
GYR_FS = {125: (0x02, 4.375e-3), 250: (0, 8.75e-3), 500: (4, 17.5e-3), 1000: (8, 35e-3),
          2000: (12, 70e-3)}  # fmt: skip


class LSM6DSO32:
    # One chip on an I2C bus. Samples go through the FIFO: at each sample the chip
    # stores a timestamp word, then the gyroscope and accelerometer words
    # (AN5473 section 9), so a slow or paused reader loses nothing until the
    # 3 KB FIFO (about 146 samples) is full.

    MODEL = "LSM6DSO32"

    def __init__(self, i2c, address, odr_hz, acc_range_g, gyr_range_dps):
        if odr_hz not in ODR_CODES or acc_range_g not in ACC_FS or gyr_range_dps not in GYR_FS:
            raise ValueError("unsupported ODR or full scale")
        self.i2c = i2c
        self.address = address
        self.odr_hz = odr_hz
        self.acc_range_g = acc_range_g
        self.gyr_range_dps = gyr_range_dps
        self.acc_g_per_lsb = ACC_FS[acc_range_g][1]
        self.gyr_dps_per_lsb = GYR_FS[gyr_range_dps][1]
        self.tick_us = 25.0
        self._one = bytearray(1)
        self._status = bytearray(2)

    def _write(self, register, value):
        self._one[0] = value
        self.i2c.writeto_mem(self.address, register, self._one)

    def _read(self, register):
        self.i2c.readfrom_mem_into(self.address, register, self._one)
        return self._one[0]

    def start(self, sleep_ms):
        # Reset, check the chip, configure and start the FIFO. Raises OSError on bus errors.
        if self._read(WHO_AM_I) != WHO_AM_I_VALUE:
            raise OSError("no LSM6DSO32 at 0x%02x" % self.address)
        self._write(CTRL3_C, SW_RESET)
        sleep_ms(10)
        self._write(CTRL3_C, BDU_IF_INC)  # no torn 16-bit reads; burst reads auto-increment
        self._write(CTRL10_C, TIMESTAMP_EN)
        code = ODR_CODES[self.odr_hz]
        self._write(FIFO_CTRL3, (code << 4) | code)  # batch both sensors at the ODR
        self._write(FIFO_CTRL4, FIFO_CONTINUOUS_TS_EVERY_BATCH)
        fine = self._read(INTERNAL_FREQ_FINE)
        fine = fine - 256 if fine > 127 else fine
        # Timestamp resolution 1 / (40000 (1 + 0.0015 FREQ_FINE)) s (AN5473, timestamp section).
        self.tick_us = 25.0 / (1.0 + 0.0015 * fine)
        self._write(CTRL2_G, (code << 4) | GYR_FS[self.gyr_range_dps][0])
        self._write(CTRL1_XL, (code << 4) | (ACC_FS[self.acc_range_g][0] << 2))

    def fifo_status(self):
        # (words waiting in the FIFO, True if it overran since the last call).
        s = self._status
        self.i2c.readfrom_mem_into(self.address, FIFO_STATUS1, s)
        return s[0] | ((s[1] & 0x03) << 8), bool(s[1] & OVR_LATCHED)

    def read_words(self, buf):
        # Fill buf (a multiple of 7 bytes) with FIFO words in one transfer: the
        # address wraps from 0x7E back to 0x78 at each word.
        self.i2c.readfrom_mem_into(self.address, FIFO_DATA_OUT_TAG, buf)
