"""Smooth scalar trajectories on the simulator's time grid.

A :class:`Track` starts at a value and changes only through smooth moves: a
minimum-jerk profile (Flash & Hogan 1985, ``s(u) = 10u^3 - 15u^4 + 6u^5``) has
zero velocity and acceleration at both ends, so a posture built from moves has
a continuous angular acceleration, and the accelerometer sees no step that a
real body could not make.
"""

from __future__ import annotations

import numpy as np


def minimum_jerk(u: np.ndarray) -> np.ndarray:
    """Minimum-jerk progress from 0 to 1 for ``u`` in [0, 1] (clipped outside)."""
    u = np.clip(u, 0.0, 1.0)
    return u * u * u * (10.0 - 15.0 * u + 6.0 * u * u)


def raised_cosine(u: np.ndarray) -> np.ndarray:
    """A smooth bump on [0, 1]: ``sin^2(pi u)``, zero with zero slope at both ends, area 1/2."""
    inside = (u >= 0.0) & (u <= 1.0)
    return np.where(inside, np.sin(np.pi * np.clip(u, 0.0, 1.0)) ** 2, 0.0)


class Track:
    """A scalar signal on a uniform time grid, built from smooth moves.

    >>> t = np.linspace(0.0, 3.0, 301)
    >>> track = Track(t, 5.0)
    >>> track.move(1.0, 1.0, 8.0).move(2.5, 0.5, 0.0)
    Track(value=0.0)
    >>> [round(float(track.values[i]), 3) for i in (0, 150, 200, 300)]
    [5.0, 6.5, 8.0, 0.0]
    """

    def __init__(self, t_s: np.ndarray, start: float = 0.0) -> None:
        self.t_s = t_s
        self.values = np.full(t_s.shape, float(start))
        self.value = float(start)
        self._rate_hz = (len(t_s) - 1) / (t_s[-1] - t_s[0]) if len(t_s) > 1 else 1.0

    def move(self, t0_s: float, duration_s: float, target: float) -> Track:
        """From the value current at ``t0_s`` to ``target`` over ``duration_s``, then hold."""
        delta = target - self.value
        i0 = self._index(t0_s)
        i1 = self._index(t0_s + duration_s)
        if i1 > i0:
            u = (self.t_s[i0:i1] - t0_s) / duration_s
            self.values[i0:i1] += delta * minimum_jerk(u)
        self.values[i1:] += delta
        self.value = float(target)
        return self

    def add(self, signal: np.ndarray) -> Track:
        """Add a signal of the grid's length (sway, a settling oscillation)."""
        self.values += signal
        return self

    def _index(self, t: float) -> int:
        return int(np.searchsorted(self.t_s, t, side="left"))

    def __repr__(self) -> str:
        return f"Track(value={self.value})"
