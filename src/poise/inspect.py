"""What is in a recording: duration, rate, data health, value ranges, saturation, still periods.

``poise inspect`` prints this for any file Poise can read, before anyone
trusts a number computed from it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from poise.health import HealthMonitor, masked
from poise.motion.still import StillPeriods, StillSettings
from poise.recording import Recording, RecordingMeta
from poise.samples import SampleBlock


def inspect_recording(recording: Recording, still: StillSettings | None = None) -> dict[str, Any]:
    """A JSON-ready description of a recording and its data health."""
    inspector = Inspector(recording.meta, still)
    inspector.update(recording.samples)
    return inspector.report(
        recording.path, recording.complete, recording.notes, recording.mounting_from
    )


def inspect_stream(stream: Any, still: StillSettings | None = None) -> dict[str, Any]:
    """:func:`inspect_recording` of a recording read block by block (from
    :func:`poise.formats.stream_recording`: a Poise recording then takes memory
    independent of its length).

    Health figures are then summed block by block, as a live monitor sums them:
    ``measured_rate_hz`` may differ from a whole read's in its last digits.
    """
    inspector = Inspector(stream.meta, still)
    for block in stream.blocks():
        inspector.update(block)
    path = None if stream.path is None else str(stream.path)
    return inspector.report(path, stream.complete, stream.notes, stream.mounting_from)


class Inspector:
    """The figures of :func:`inspect_recording`, gathered block by block."""

    def __init__(self, meta: RecordingMeta, still: StillSettings | None = None) -> None:
        still = still or StillSettings()
        self.meta = meta
        self._health = HealthMonitor(meta.rate_hz, meta.acc_range_g, meta.gyr_range_dps)
        self._still = StillPeriods(max(2, round(still.window_s * meta.rate_hz)), still)
        self._low = np.full(6, np.inf)
        self._high = np.full(6, -np.inf)
        self._seen = np.zeros(6, dtype=bool)

    def update(self, block: SampleBlock) -> None:
        if len(block) == 0:
            return
        self._health.update(block)
        still = masked(block)  # a bad sample is missing, not motion, to the still test
        self._still.update(still.t_s, still.acc_g, still.gyr_dps)
        for i, values in enumerate((*block.acc_g.T, *block.gyr_dps.T)):
            column = values[np.isfinite(values)]
            if column.size:
                self._seen[i] = True
                self._low[i] = min(self._low[i], column.min())
                self._high[i] = max(self._high[i], column.max())

    def _ranges(self, first: int) -> dict[str, list[float] | None]:
        return {
            axis: [round(float(self._low[i]), 4), round(float(self._high[i]), 4)]
            if self._seen[i]
            else None
            for axis, i in zip("xyz", range(first, first + 3), strict=True)
        }

    def report(
        self,
        path: str | None,
        complete: bool,
        notes: tuple[str, ...],
        mounting_from: str | None = None,
    ) -> dict[str, Any]:
        """The figures; ``mounting_from``: who declared the mounting
        (:attr:`poise.recording.Recording.mounting_from`)."""
        meta = self.meta
        health = self._health.health
        periods = self._still.finish()
        return {
            "file": path,
            "kind": meta.source.get("kind", "unknown"),
            "complete": complete,
            "notes": list(notes),
            "sensor_model": meta.sensor_model,
            "acc_range_g": meta.acc_range_g,
            "gyr_range_dps": meta.gyr_range_dps,
            "placement": meta.placement,
            "mounting": meta.mounting,
            "mounting_from": mounting_from,
            "samples": health.samples,
            "duration_s": round(health.duration_s, 4),
            "rate_hz": meta.rate_hz,
            "rate_estimated": meta.rate_estimated,
            "measured_rate_hz": round(health.measured_rate_hz, 3)
            if health.measured_rate_hz
            else None,
            "health": health.to_dict(),
            "problems": health.problems(),
            "acc_g": self._ranges(0),
            "gyr_dps": self._ranges(3),
            "still_periods_s": [[round(a, 3), round(b, 3)] for a, b in periods],
        }


def format_inspection(report: dict[str, Any]) -> str:
    """The report as text for a person."""

    def span(r: dict[str, list[float] | None]) -> str:
        return "  ".join(
            f"{axis} {v[0]:+.3f}..{v[1]:+.3f}" if v else f"{axis} -" for axis, v in r.items()
        )

    def scale(value: float | None, unit: str) -> str:
        return f"+-{value:g} {unit}" if value else f"range unknown ({unit})"

    rate = (
        f"{report['rate_hz']:.2f} Hz estimated"
        if report["rate_estimated"]
        else f"{report['rate_hz']:g} Hz nominal"
    )
    measured = report["measured_rate_hz"]
    health = report["health"]
    saturation = []
    for name, key in (("accelerometer", "acc_saturated"), ("gyroscope", "gyr_saturated")):
        count = health[key]
        saturation.append(f"{name} {'unknown (no range)' if count is None else count}")
    still = ", ".join(f"{a:.2f}-{b:.2f} s" for a, b in report["still_periods_s"]) or "none"
    lines = [
        f"file:        {report['file']} ({report['kind']}"
        + ("" if report["complete"] else ", NOT COMPLETE: see the notes")
        + ")",
        f"sensor:      {report['sensor_model']}, {scale(report['acc_range_g'], 'g')}, "
        f"{scale(report['gyr_range_dps'], 'deg/s')}",
        f"placement:   {report['placement']}, mounting {report['mounting']} "
        f"({report['mounting_from'] or 'assumed: nobody declared it'})",
        f"samples:     {report['samples']} over {report['duration_s']:.3f} s",
        f"rate:        {rate}" + (f", {measured:.2f} Hz measured" if measured else ""),
        f"health:      {'; '.join(report['problems']) or 'no problems found'}",
        f"acc (g):     {span(report['acc_g'])}",
        f"gyr (deg/s): {span(report['gyr_dps'])}",
        f"saturated:   {', '.join(saturation)}",
        f"still:       {still}",
    ]
    lines += [f"note:        {note}" for note in report["notes"]]
    return "\n".join(lines)
