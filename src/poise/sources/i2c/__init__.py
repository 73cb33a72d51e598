"""IMUs on the Raspberry Pi's own I2C bus: drivers per chip family, the live source, a scan.

- :class:`I2CSource`: the live-source contract (``meta``, ``blocks()``, ``stats``,
  ``close()``) over an LSM6DSO32, LSM6DSOX, LSM6DS3TR-C, MPU-6050 or MPU-6500;
- :func:`scan_i2c`: which IMUs answer on which buses (for ``poise sensors``).

Only :mod:`poise.sources.i2c.bus` touches smbus2, and only when a real bus is
opened; everything else takes any object with smbus2's three methods.
"""

from __future__ import annotations

from poise.sources.i2c.detect import FoundIMU, scan_i2c
from poise.sources.i2c.models import MODELS
from poise.sources.i2c.settings import I2CSettings
from poise.sources.i2c.source import I2CSource, I2CStats

__all__ = ["MODELS", "FoundIMU", "I2CSettings", "I2CSource", "I2CStats", "scan_i2c"]
