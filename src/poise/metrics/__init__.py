"""The science: pure functions from arrays to the numbers athletes train by.

Every function takes arrays (device time in s, angles in deg, specific force
in g, angular rate in deg/s) and returns numbers or small dataclasses; none
reads files or keeps state. docs/metrics.md defines each metric with its
formula, units and source.

``ALGORITHM_VERSION`` is written into every result. Its major number changes
when a metric's definition changes (old and new numbers are not comparable),
its minor number when a default (a threshold, a window) changes.
"""

ALGORITHM_VERSION = "2.0"
