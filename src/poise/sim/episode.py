"""What a scenario produces: a segment's motion and the true events and windows in it.

Scenario builders (``poise.sim.stance`` and friends) fill an :class:`EpisodeBuilder`
with posture moves, sway and impacts on the fine grid; the result is an
:class:`Episode`. All times here are true time, s; the truth sidecar converts
them to the recording's device time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from poise.sim.kinematics import Motion
from poise.sim.sway import sway_noise
from poise.sim.timeline import Track, raised_cosine


@dataclass(frozen=True)
class Event:
    """A true event: ``kind`` at time ``t_s``, with details.

    Detail keys ending in ``_t_s`` are times and ``_s`` durations; the truth
    sidecar converts both to the recording's time base. Other details (angles,
    heights, directions) are kept as they are.
    """

    kind: str
    t_s: float
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Episode:
    """A scenario's motion with its truth.

    Args:
        motion: the segment trajectory on the fine grid.
        placement: where the sensor is (``right_shank``, ``board`` ...).
        events: true events in time order.
        windows: named lists of (start, end) true times, e.g. ``reference``,
            ``trial``, ``single_leg``, ``holds``.
        summary_window: the name of the windows the true-angle summary covers.
        facts: other true figures of the scenario (sway levels, targets).
    """

    motion: Motion
    placement: str
    events: list[Event]
    windows: dict[str, list[tuple[float, float]]]
    summary_window: str
    facts: dict[str, Any] = field(default_factory=dict)


class EpisodeBuilder:
    """Accumulates a segment's motion on a fine grid of ``duration_s`` at ``rate_hz``.

    Angles are tracks in degrees (``ap_deg``, ``ml_deg``, ``yaw_deg``, for
    ``R = Rz(yaw) Ry(ap) Rx(ml)``); sway is added with a piecewise level
    (``sway_level``) that changes smoothly, so one noise realisation serves the
    whole episode.
    """

    def __init__(self, duration_s: float, rate_hz: float, rng: np.random.Generator) -> None:
        self.rng = rng
        self.rate_hz = rate_hz
        n = round(duration_s * rate_hz) + 1
        self.t_s = np.arange(n) / rate_hz
        self.ap_deg = Track(self.t_s)
        self.ml_deg = Track(self.t_s)
        self.yaw_deg = Track(self.t_s)
        self.sway_level = Track(self.t_s, 0.0)
        self.pivot_m = np.zeros((n, 3))
        self.tissue_m = np.zeros((n, 3))
        self.events: list[Event] = []
        self.windows: dict[str, list[tuple[float, float]]] = {}

    def __len__(self) -> int:
        return self.t_s.shape[0]

    def index(self, t_s: float) -> int:
        return int(np.clip(np.searchsorted(self.t_s, t_s), 0, len(self) - 1))

    def stand(
        self, ap_low_deg: float, ap_high_deg: float, ml_max_deg: float
    ) -> tuple[float, float]:
        """Draw the posture the episode starts in (and calibrates on); returns (AP, ML), deg.

        Nobody stands with the shank exactly vertical (or holds a board exactly
        level): AP is drawn in [ap_low_deg, ap_high_deg], ML in +-ml_max_deg.
        """
        ap = float(self.rng.uniform(ap_low_deg, ap_high_deg))
        ml = float(self.rng.uniform(-ml_max_deg, ml_max_deg))
        self.ap_deg = Track(self.t_s, ap)
        self.ml_deg = Track(self.t_s, ml)
        return ap, ml

    def event(self, kind: str, t_s: float, **details: Any) -> None:
        self.events.append(Event(kind, float(t_s), details))

    def window(self, name: str, start_s: float, end_s: float) -> None:
        self.windows.setdefault(name, []).append((float(start_s), float(end_s)))

    def add_sway(self, ap_rms_deg: float, ml_rms_deg: float, yaw_rms_deg: float) -> None:
        """Add sway scaled by ``sway_level`` (1 = the given RMS)."""
        n = len(self)
        level = self.sway_level.values
        self.ap_deg.add(level * sway_noise(self.rng, n, self.rate_hz, ap_rms_deg))
        self.ml_deg.add(level * sway_noise(self.rng, n, self.rate_hz, ml_rms_deg))
        self.yaw_deg.add(level * sway_noise(self.rng, n, self.rate_hz, yaw_rms_deg))

    def jolt(
        self, t_s: float, peak_g: float, freq_hz: float, damping: float, direction: np.ndarray
    ) -> None:
        """A soft-tissue wobble of the sensor after an impact at ``t_s``.

        A damped oscillation of the sensor relative to the bone, in segment axes
        along ``direction``, whose acceleration peaks near ``peak_g``. It starts
        smoothly (over a quarter period) so its acceleration has no step.
        """
        i0 = self.index(t_s)
        omega = 2 * np.pi * freq_hz
        span = min(len(self) - i0, int(10.0 / (damping * omega) * self.rate_hz) + 1)
        tau = self.t_s[i0 : i0 + span] - self.t_s[i0]
        ramp = np.clip(tau * 4 * freq_hz, 0.0, 1.0)
        ramp = ramp * ramp * (3 - 2 * ramp)
        amplitude_m = peak_g * 9.80665 / omega**2
        wobble = amplitude_m * ramp * np.exp(-damping * omega * tau) * np.sin(omega * tau)
        unit = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
        self.tissue_m[i0 : i0 + span] += wobble[:, None] * unit[None, :]

    def episode(
        self,
        placement: str,
        lever_m: np.ndarray,
        summary_window: str,
        facts: dict[str, Any] | None = None,
    ) -> Episode:
        motion = Motion(
            t_s=self.t_s,
            ap_rad=np.radians(self.ap_deg.values),
            ml_rad=np.radians(self.ml_deg.values),
            yaw_rad=np.radians(self.yaw_deg.values),
            pivot_m=self.pivot_m,
            lever_m=np.asarray(lever_m, dtype=float),
            tissue_m=self.tissue_m,
        )
        return Episode(
            motion=motion,
            placement=placement,
            events=sorted(self.events, key=lambda e: e.t_s),
            windows=self.windows,
            summary_window=summary_window,
            facts=facts or {},
        )


def pulse(t_s: np.ndarray, start_s: float, duration_s: float, area: float) -> np.ndarray:
    """A raised-cosine pulse starting at ``start_s`` whose integral over time is ``area``."""
    return (2.0 * area / duration_s) * raised_cosine((t_s - start_s) / duration_s)
