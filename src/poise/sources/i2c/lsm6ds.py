"""Driver for the ST LSM6DS family: LSM6DSO32, LSM6DSOX, LSM6DS3TR-C.

Shared by all three (DS13181 section 9 for the DSO32; DS12814 section 9 for the
DSOX; the LSM6DS3TR-C datasheet section 9): WHO_AM_I at 0x0F; CTRL1_XL (0x10)
and CTRL2_G (0x11) hold ODR in bits 7:4 (0001 = 12.5 Hz ... 1010 = 6.66 kHz) and
the full scale in bits 3:2 (gyroscope +-125 dps through FS_125, bit 1);
CTRL3_C (0x12) holds BDU (bit 6: the two bytes of a value come from one sample)
and IF_INC (bit 2: burst reads auto-increment); the gyroscope output OUTX_L_G ..
OUTZ_H_G (0x22..0x27) is followed by the accelerometer's OUTX_L_A .. OUTZ_H_A
(0x28..0x2D), so one 12-byte burst reads a whole sample.

What differs:

- WHO_AM_I: 0x6C on the DSO32 and the DSOX (and the plain DSO): the register
  cannot tell them apart, so the model must be named when it is not the
  default DSO32. 0x6A on the LSM6DS3TR-C.
- Accelerometer full-scale codes (FS_XL 00/01/10/11): DSO32 +-4/32/8/16 g
  (DS13181 Table 53); DSOX and DS3TR-C +-2/16/4/8 g.
- FIFO. DSO32/DSOX: 3 kbyte FIFO of 7-byte words (a tag byte, 6 data bytes),
  batch data rates in FIFO_CTRL3 (0x09), continuous mode and timestamp batching
  in FIFO_CTRL4 (0x0A), the word count DIFF_FIFO and the overrun flags in
  FIFO_STATUS1/2 (0x3A/0x3B), words read at FIFO_DATA_OUT_TAG (0x78..0x7E). Each
  tag names the sensor (bits 7:3: 1 gyroscope, 2 accelerometer, 4 timestamp)
  and the 2-bit time slot TAG_CNT (bits 2:1) its data belong to; a timestamp word
  carries the 32-bit counter (25 us per count, trimmed by INTERNAL_FREQ_FINE at
  0x63, 0.15% per count: AN5192 section 6.4). DS3TR-C: 4 kbyte FIFO of 16-bit
  words in a fixed pattern (gyroscope x, y, z, then accelerometer x, y, z),
  FIFO_CTRL1..5 (0x06..0x0A; the FIFO ODR in FIFO_CTRL5), DIFF_FIFO in
  words, OVER_RUN and the pattern position in FIFO_STATUS1..4 (0x3A..0x3D), data
  at FIFO_DATA_OUT_L/H (0x3E/0x3F). Its timestamp is not used: it is timed by
  sample count like the MPU.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from poise.chips import LSM6DS3TRC, LSM6DSO32, LSM6DSOX, ChipSpec
from poise.errors import PoiseError
from poise.sources.i2c.bus import BLOCK_MAX, Device
from poise.sources.i2c.driver import FifoBatch, empty_counts
from poise.sources.i2c.scaling import int16_le

WHO_AM_I = 0x0F
CTRL1_XL = 0x10
CTRL2_G = 0x11
CTRL3_C = 0x12
CTRL10_C = 0x19
OUTX_L_G = 0x22
FIFO_STATUS1 = 0x3A
INTERNAL_FREQ_FINE = 0x63
FIFO_DATA_OUT_TAG = 0x78

BDU = 0x40
IF_INC = 0x04
SW_RESET = 0x01
FS_125 = 0x02
TIMESTAMP_EN = 0x20
FIFO_MODE_BYPASS = 0b000
FIFO_MODE_CONTINUOUS = 0b110
#: Gyroscope FS_G codes, the same on the whole family (+-125 dps is FS_125 instead).
GYR_FS_CODES = {250.0: 0b00, 500.0: 0b01, 1000.0: 0b10, 2000.0: 0b11}
#: Timestamp counts per second before the FREQ_FINE trim (25 us LSB).
TIMESTAMP_LSB_S = 25e-6
#: INTERNAL_FREQ_FINE step: the ODR and timestamp rate differ from typical by 0.15% per count.
FREQ_FINE_STEP = 0.0015


@dataclass(frozen=True)
class Lsm6dsModel:
    """One chip of the family: its spec, WHO_AM_I value and accelerometer FS_XL codes."""

    spec: ChipSpec
    who_am_i: int
    acc_fs_codes: dict[float, int]


LSM6DSO32_MODEL = Lsm6dsModel(LSM6DSO32, 0x6C, {4.0: 0b00, 32.0: 0b01, 8.0: 0b10, 16.0: 0b11})
LSM6DSOX_MODEL = Lsm6dsModel(LSM6DSOX, 0x6C, {2.0: 0b00, 16.0: 0b01, 4.0: 0b10, 8.0: 0b11})
LSM6DS3TRC_MODEL = Lsm6dsModel(LSM6DS3TRC, 0x6A, {2.0: 0b00, 16.0: 0b01, 4.0: 0b10, 8.0: 0b11})


def odr_code(spec: ChipSpec, rate_hz: float) -> int:
    """The 4-bit ODR (and FIFO batch-rate) code of ``rate_hz``: 1 for 12.5 Hz ... 10 for 6.66 kHz.

    >>> odr_code(LSM6DSO32, 416.0), odr_code(LSM6DSO32, 12.5)
    (6, 1)
    """
    spec.check_odr(rate_hz)
    return 1 + min(range(len(spec.odrs_hz)), key=lambda i: abs(spec.odrs_hz[i] - rate_hz))


def ctrl_values(
    model: Lsm6dsModel, rate_hz: float, acc_range_g: float, gyr_range_dps: float
) -> tuple[int, int]:
    """CTRL1_XL and CTRL2_G for a rate and full scales.

    >>> [f"{v:08b}" for v in ctrl_values(LSM6DSO32_MODEL, 416.0, 32.0, 125.0)]
    ['01100100', '01100010']
    """
    model.spec.check_ranges(acc_range_g, gyr_range_dps)
    odr = odr_code(model.spec, rate_hz) << 4
    gyr = FS_125 if gyr_range_dps == 125.0 else GYR_FS_CODES[gyr_range_dps] << 2
    return odr | model.acc_fs_codes[acc_range_g] << 2, odr | gyr


class _Lsm6ds:
    """What the family shares: reset, configuration, burst reads, power-down."""

    timestamp_lsb_s: float | None = None

    def __init__(
        self,
        device: Device,
        model: Lsm6dsModel,
        sleep: Callable[[float], None],
        words_per_read: int = 1,
    ) -> None:
        self.device = device
        self.model = model
        self.spec = model.spec
        self.sleep = sleep
        self.words_per_read = words_per_read
        self.rate_hz = 0.0

    def configure(self, rate_hz: float, acc_range_g: float, gyr_range_dps: float) -> None:
        ctrl1, ctrl2 = ctrl_values(self.model, rate_hz, acc_range_g, gyr_range_dps)
        self.device.write(CTRL3_C, IF_INC | SW_RESET)
        for _ in range(10):  # the reset takes about 50 us; SW_RESET clears itself
            self.sleep(0.001)
            if not self.device.read(CTRL3_C) & SW_RESET:
                break
        else:
            raise PoiseError(f"{self.device.where}: {self.spec.name} did not finish its reset")
        self.device.write(CTRL3_C, BDU | IF_INC)
        self.device.write(CTRL1_XL, ctrl1)
        self.device.write(CTRL2_G, ctrl2)
        self.rate_hz = rate_hz

    def read_sample(self) -> tuple[np.ndarray, np.ndarray]:
        gyr_acc = int16_le(self.device.read_block(OUTX_L_G, 12))
        return gyr_acc[1], gyr_acc[0]

    def power_down(self) -> None:
        self.device.write(CTRL1_XL, 0)
        self.device.write(CTRL2_G, 0)

    def _read_words(self, register: int, count: int, word_bytes: int) -> bytes:
        """``count`` FIFO words, ``words_per_read`` per transaction (more relies on the
        FIFO output registers' address rolling back to the first after the last)."""
        per_read = max(1, min(self.words_per_read, BLOCK_MAX // word_bytes))
        chunks = []
        for start in range(0, count, per_read):
            n = min(per_read, count - start)
            chunks.append(self.device.read_block(register, n * word_bytes))
        return b"".join(chunks)


class TaggedFifo:
    """Groups LSM6DSO/DSOX/DSO32 FIFO words into samples by their time slot (TAG_CNT).

    A sample is a slot with exactly one gyroscope, one accelerometer and one
    timestamp word. A slot cut by the end of a drain waits
    for the rest of its words; a slot that lost words to an overrun is dropped
    (the timestamps then show the gap). Other tags (temperature, configuration
    change) are skipped.

    >>> def word(sensor, slot, data):
    ...     return bytes([sensor << 3 | (slot % 4) << 1]) + data
    >>> fifo = TaggedFifo()
    >>> xyz = (1).to_bytes(2, "little") * 3
    >>> first = word(4, 0, (400).to_bytes(4, "little") + b"\\0\\0") + word(1, 0, xyz)
    >>> fifo.feed(first, overrun=False)[2].tolist()  # the accelerometer word is still to come
    []
    >>> gyr, acc, ticks = fifo.feed(word(2, 0, xyz), overrun=False)
    >>> gyr.tolist(), ticks.tolist()
    ([[1, 1, 1]], [400])
    """

    WORD_BYTES = 7
    TAG_GYRO, TAG_ACC, TAG_TIMESTAMP = 0x01, 0x02, 0x04

    def __init__(self) -> None:
        self.kinds = (self.TAG_GYRO, self.TAG_ACC, self.TAG_TIMESTAMP)
        self._pending = b""

    def feed(self, words: bytes, overrun: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Gyroscope counts, accelerometer counts and raw timestamps of the complete slots."""
        if overrun:  # the rest of a waiting slot may have been overwritten
            self._pending = b""
        raw = np.frombuffer(self._pending + words, dtype=np.uint8).reshape(-1, self.WORD_BYTES)
        if raw.shape[0] == 0:
            return empty_counts(), empty_counts(), np.empty(0, np.int64)
        sensor = raw[:, 0] >> 3
        slot = (raw[:, 0] >> 1) & 0b11
        group = np.concatenate(([0], np.cumsum(slot[1:] != slot[:-1])))
        n_groups = int(group[-1]) + 1
        where = np.zeros((n_groups, len(self.kinds)), dtype=np.int64)
        complete = np.ones(n_groups, dtype=bool)
        for k, kind in enumerate(self.kinds):
            rows = np.flatnonzero(sensor == kind)
            complete &= np.bincount(group[rows], minlength=n_groups) == 1
            where[group[rows], k] = rows
        self._pending = b"" if complete[-1] else raw[group == n_groups - 1].tobytes()
        rows = where[complete]
        data = raw[:, 1:]
        gyr = int16_le(data[rows[:, 0]].tobytes())
        acc = int16_le(data[rows[:, 1]].tobytes())
        ticks = np.frombuffer(data[rows[:, 2], :4].tobytes(), dtype="<u4").astype(np.int64)
        return gyr, acc, ticks


class Lsm6dsoDriver(_Lsm6ds):
    """LSM6DSO32 / LSM6DSOX: tagged FIFO with the chip's timestamps."""

    FIFO_CTRL1, FIFO_CTRL2, FIFO_CTRL3, FIFO_CTRL4 = 0x07, 0x08, 0x09, 0x0A
    #: DEC_TS_BATCH = 01: a timestamp word in every batch slot.
    DEC_TS_EVERY_SLOT = 0b01 << 6
    FIFO_OVR_IA, FIFO_OVR_LATCHED = 0x40, 0x08
    #: 3 kbytes of 6 data bytes (DS13181 section 6.5).
    FIFO_WORDS = 512

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._fifo = TaggedFifo()

    def start_fifo(self) -> None:
        dev = self.device
        dev.write(self.FIFO_CTRL4, FIFO_MODE_BYPASS)  # empties the FIFO
        freq_fine = int.from_bytes(bytes([dev.read(INTERNAL_FREQ_FINE)]), "little", signed=True)
        self.timestamp_lsb_s = TIMESTAMP_LSB_S / (1.0 + FREQ_FINE_STEP * freq_fine)
        dev.write(CTRL10_C, TIMESTAMP_EN)
        watermark = self.FIFO_WORDS // 2  # for an interrupt pin; the source polls the level
        dev.write(self.FIFO_CTRL1, watermark & 0xFF)
        dev.write(self.FIFO_CTRL2, watermark >> 8)
        bdr = odr_code(self.spec, self.rate_hz)
        dev.write(self.FIFO_CTRL3, bdr << 4 | bdr)
        dev.write(self.FIFO_CTRL4, self.DEC_TS_EVERY_SLOT | FIFO_MODE_CONTINUOUS)
        self._fifo = TaggedFifo()

    def read_fifo(self) -> FifoBatch:
        status = self.device.read_block(FIFO_STATUS1, 2)
        level = status[0] | (status[1] & 0b11) << 8
        overrun = bool(status[1] & (self.FIFO_OVR_IA | self.FIFO_OVR_LATCHED))
        words = self._read_words(FIFO_DATA_OUT_TAG, level, TaggedFifo.WORD_BYTES)
        gyr, acc, ticks = self._fifo.feed(words, overrun)
        return FifoBatch(acc, gyr, ticks, overrun)

    def power_down(self) -> None:
        self.device.write(self.FIFO_CTRL4, FIFO_MODE_BYPASS)
        super().power_down()


class Lsm6ds3trcDriver(_Lsm6ds):
    """LSM6DS3TR-C: pattern FIFO of 16-bit words, timed by sample count."""

    FIFO_CTRL3, FIFO_CTRL5 = 0x08, 0x0A
    FIFO_DATA_OUT_L = 0x3E
    #: DEC_FIFO_GYRO = DEC_FIFO_XL = 001: both in the FIFO, not decimated.
    NO_DECIMATION = 0b001 << 3 | 0b001
    OVER_RUN = 0x40
    PATTERN_WORDS = 6  # gyroscope x, y, z, accelerometer x, y, z

    def start_fifo(self) -> None:
        self._restart_fifo()
        self.device.write(self.FIFO_CTRL3, self.NO_DECIMATION)

    def _restart_fifo(self) -> None:
        odr = odr_code(self.spec, self.rate_hz) << 3
        self.device.write(self.FIFO_CTRL5, odr | FIFO_MODE_BYPASS)  # empties the FIFO
        self.device.write(self.FIFO_CTRL5, odr | FIFO_MODE_CONTINUOUS)

    def read_fifo(self) -> FifoBatch:
        status = self.device.read_block(FIFO_STATUS1, 4)
        level = status[0] | (status[1] & 0b111) << 8
        pattern = status[2] | (status[3] & 0b11) << 8
        if status[1] & self.OVER_RUN or pattern != 0:
            # Lost or misaligned words: without timestamps the only safe way on is a fresh FIFO.
            self._restart_fifo()
            return FifoBatch(empty_counts(), empty_counts(), None, overrun=True)
        n = level // self.PATTERN_WORDS
        data = self._read_words(self.FIFO_DATA_OUT_L, n * self.PATTERN_WORDS, 2)
        values = int16_le(data, 6)
        return FifoBatch(values[:, 3:], values[:, :3], None)

    def power_down(self) -> None:
        self.device.write(self.FIFO_CTRL5, FIFO_MODE_BYPASS)
        super().power_down()
