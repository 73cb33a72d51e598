"""Poise: a sensor-driven balance trainer.

The data path, from any source of IMU samples to calibrated segment angles:
``sources`` deliver :class:`poise.samples.SampleBlock` objects in one unit system
(seconds, g, deg/s); ``motion`` calibrates them and estimates the tilt of the
shank or the wobble board.
"""

__version__ = "0.1.0"
