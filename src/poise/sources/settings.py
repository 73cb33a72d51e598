"""The sensor a session uses: which source, which chip, how it is set and worn.

It belongs to the hardware edge: :func:`poise.sources.open_source` reads it
to open the source a spec names. :class:`poise.settings.Settings` keeps it as
its ``[sensor]`` part.
"""

from __future__ import annotations

from dataclasses import dataclass

from poise.checks import check_number
from poise.chips import chip
from poise.motion.frames import mounting_matrix
from poise.recording import PLACEMENTS

#: Kinds of live source a configuration may name (a file is replayed with `poise replay`).
SOURCE_KINDS = ("sim", "serial", "i2c")


@dataclass(frozen=True)
class SensorSettings:
    """The sensor a session uses.

    Args:
        source: where samples come from: ``sim`` (the built-in simulator),
            ``serial:PORT`` (a sensor node), ``i2c`` or ``i2c:BUS[:ADDRESS]``
            (an IMU on the Pi's own bus).
        model: IMU chip: ``lsm6dso32``, ``lsm6dsox``, ``lsm6ds3trc``, ``mpu6050``
            or ``mpu6500``.
        rate_hz: output data rate, Hz (one the chip offers).
        acc_range_g: accelerometer full scale, +-g.
        gyr_range_dps: gyroscope full scale, +-deg/s.
        placement: ``left_shank``, ``right_shank`` or ``board``.
        mounting: segment axes in sensor axes; ``+x+y+z`` is the sensor on the
            front of the shin, z up the tibia, x out of the skin.
    """

    source: str = "sim"
    model: str = "lsm6dso32"
    rate_hz: float = 416.0
    acc_range_g: float = 32.0
    gyr_range_dps: float = 2000.0
    placement: str = "right_shank"
    mounting: str = "+x+y+z"

    def __post_init__(self) -> None:
        kind = self.source.split(":", 1)[0]
        if kind not in SOURCE_KINDS:
            raise ValueError(
                f"source {self.source!r}: must be sim, serial:PORT, i2c or i2c:BUS[:ADDRESS]"
            )
        for name in ("rate_hz", "acc_range_g", "gyr_range_dps"):
            check_number(name, getattr(self, name), 0.0, above=True)
        spec = chip(self.model)
        spec.check_odr(self.rate_hz)
        spec.check_ranges(self.acc_range_g, self.gyr_range_dps)
        if self.placement not in PLACEMENTS:
            raise ValueError(f"placement must be one of {', '.join(PLACEMENTS)}")
        mounting_matrix(self.mounting)
