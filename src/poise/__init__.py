"""Poise: a sensor-driven balance trainer.

The data path, from any source of IMU samples to calibrated segment angles:
``sources`` deliver :class:`poise.samples.SampleBlock` objects in one unit system
(seconds, g, deg/s); ``motion`` calibrates them and estimates the tilt of the
shank or the wobble board.
"""

__version__ = "0.1.0"

import os

# Poise's matrix products are small (3x3 rotations, 32-sample filter blocks), so BLAS
# threads only contend with the AHRS loop and with `analyze --jobs`' own processes (on
# this loaded 2-core machine they made a filter 5x slower). Set before NumPy loads; a
# user's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
