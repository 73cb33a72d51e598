"""Ground truth of a simulation, in the recording's own time base.

The sidecar (``<recording>.truth.json``) states what really happened: the
scenario and its parameters, the sensor's drawn imperfections, every true
event and window, and a summary of the true angles. Times are device times of
the recording (what any analysis of the file measures); durations are in the
same clock. The per-sample true angles are kept in memory for tests
(:class:`Truth`), and can be written next to the recording as CSV.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from poise.files import atomic_write_text
from poise.metrics.signals import uniform
from poise.metrics.sway import sway_metrics
from poise.motion.angles import summarize, tilt_from_vertical
from poise.motion.frames import rotation_between

TRUTH_VERSION = 1


def _stats(x: np.ndarray) -> dict[str, float | None]:
    return {k: (None if v is None else round(v, 4)) for k, v in summarize(x).items()}


@dataclass(frozen=True, eq=False)
class Truth:
    """What the simulator generated.

    Angles come in two frames. Poise's own definition (docs/orientation.md) puts
    zero at the segment's posture in the reference still period; the plain
    attributes ``tilt_ap_deg``, ``tilt_ml_deg`` and ``inclination_deg`` are in it,
    so they compare directly with what Poise reports. ``angles(from_vertical=True)``
    gives them from true vertical instead.

    Args:
        header: scenario, seed, parameters, sensor configuration and imperfections.
        t_s: device time of each recorded sample, s.
        up: world up in segment axes at each recorded sample (the true posture).
        reference_up: world up in segment axes, averaged over the reference window.
        events: true events (``kind``, ``t_s`` and details), device time.
        windows: named lists of [start, end] device times.
        summary_window: which windows the angle summary covers.
        facts: other true figures of the scenario.
    """

    header: dict[str, Any]
    t_s: np.ndarray
    up: np.ndarray
    reference_up: np.ndarray
    events: list[dict[str, Any]]
    windows: dict[str, list[list[float]]]
    summary_window: str
    facts: dict[str, Any]

    def angles(self, from_vertical: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(AP tilt, ML tilt, inclination) in deg, relative to the reference posture
        (Poise's definition) or, with ``from_vertical``, to true vertical."""
        if from_vertical:
            return tilt_from_vertical(self.up)
        to_reference = rotation_between(self.reference_up, np.array([0.0, 0.0, 1.0]))
        return tilt_from_vertical(self.up @ to_reference.T)

    @cached_property
    def _relative(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.angles()

    @property
    def tilt_ap_deg(self) -> np.ndarray:
        return self._relative[0]

    @property
    def tilt_ml_deg(self) -> np.ndarray:
        return self._relative[1]

    @property
    def inclination_deg(self) -> np.ndarray:
        return self._relative[2]

    def mask(self, name: str) -> np.ndarray:
        """Samples inside any of the named windows."""
        inside = np.zeros(self.t_s.shape, dtype=bool)
        for start, end in self.windows.get(name, []):
            inside |= (self.t_s >= start) & (self.t_s <= end)
        return inside

    def sway(self, start_s: float, end_s: float, rate_hz: float) -> dict[str, float]:
        """The true tilt's sway figures over [start_s, end_s] (device time, s), by the
        same pure functions Poise scores with (:func:`poise.metrics.sway.sway_metrics`) on
        the true AP and ML tilt put on a ``rate_hz`` grid: a comparison with them measures
        what sensing, calibration and orientation cost, not a difference of definitions."""
        ap, ml, _ = self.angles()
        inside = (self.t_s >= start_s) & (self.t_s <= end_s)
        _, tilt = uniform(self.t_s[inside], np.column_stack((ap, ml))[inside], rate_hz)
        return sway_metrics(tilt[:, 0], tilt[:, 1], rate_hz).to_dict()

    def events_of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["kind"] == kind]

    def summary(self) -> dict[str, Any]:
        """Mean, RMS about the mean and range of each true angle over the summary windows."""
        m = self.mask(self.summary_window)
        ap, ml = self.tilt_ap_deg[m], self.tilt_ml_deg[m]
        reference = tilt_from_vertical(self.reference_up[None, :])
        out = {
            "windows": self.summary_window,
            "samples": int(m.sum()),
            "angles": "relative to the reference posture",
            "reference_posture_from_vertical_deg": {
                name: round(float(value[0]), 4)
                for name, value in zip(
                    ("tilt_ap", "tilt_ml", "inclination"), reference, strict=True
                )
            },
            "tilt_ap_deg": _stats(ap),
            "tilt_ml_deg": _stats(ml),
            "inclination_deg": _stats(self.inclination_deg[m]),
        }
        if ap.size:
            out["sway_rms_deg"] = round(float(np.sqrt(ap.var() + ml.var())), 4)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "poise_truth": TRUTH_VERSION,
            **self.header,
            "time_base": "device time of the recording, s",
            "windows": self.windows,
            "events": self.events,
            "facts": self.facts,
            "summary": self.summary(),
        }

    def write_json(self, path: str | Path) -> None:
        """Write the sidecar atomically (temporary file, then rename)."""
        atomic_write_text(Path(path), json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")

    def write_series(self, path: str | Path) -> None:
        """Write the per-sample true angles as CSV: relative to the reference, then to vertical."""
        table = np.column_stack((self.t_s, *self._relative, *self.angles(from_vertical=True)))
        columns = ["t_s", "tilt_ap_deg", "tilt_ml_deg", "inclination_deg"]
        columns += [f"vertical_{name}" for name in columns[1:]]
        lines = [",".join(columns)]
        lines += ["%.6f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f" % tuple(row) for row in table.tolist()]
        atomic_write_text(Path(path), "\n".join(lines) + "\n")
