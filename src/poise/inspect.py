"""What is in a recording: duration, rate, data health, value ranges, saturation, still periods.

``poise inspect`` prints this for any file Poise can read, before anyone
trusts a number computed from it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from poise.motion.still import StillSettings, still_mask, still_periods
from poise.recording import Recording


def inspect_recording(recording: Recording, still: StillSettings | None = None) -> dict[str, Any]:
    """A JSON-ready description of a recording and its data health."""
    still = still or StillSettings()
    meta = recording.meta
    samples = recording.samples
    health = recording.health()
    window = max(2, round(still.window_s * meta.rate_hz))
    periods = still_periods(samples.t_s, still_mask(samples.acc_g, samples.gyr_dps, window, still))

    def ranges(values: np.ndarray) -> dict[str, list[float] | None]:
        out: dict[str, list[float] | None] = {}
        for i, axis in enumerate("xyz"):
            column = values[:, i][np.isfinite(values[:, i])]
            out[axis] = (
                [round(float(column.min()), 4), round(float(column.max()), 4)]
                if column.size
                else None
            )
        return out

    return {
        "file": recording.path,
        "kind": meta.source.get("kind", "unknown"),
        "complete": recording.complete,
        "notes": list(recording.notes),
        "sensor_model": meta.sensor_model,
        "acc_range_g": meta.acc_range_g,
        "gyr_range_dps": meta.gyr_range_dps,
        "placement": meta.placement,
        "mounting": meta.mounting,
        "samples": len(samples),
        "duration_s": round(health.duration_s, 4),
        "rate_hz": meta.rate_hz,
        "rate_estimated": meta.rate_estimated,
        "measured_rate_hz": round(health.measured_rate_hz, 3) if health.measured_rate_hz else None,
        "health": health.to_dict(),
        "problems": health.problems(),
        "acc_g": ranges(samples.acc_g),
        "gyr_dps": ranges(samples.gyr_dps),
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
        + ("" if report["complete"] else ", NOT CLOSED: writer interrupted")
        + ")",
        f"sensor:      {report['sensor_model']}, {scale(report['acc_range_g'], 'g')}, "
        f"{scale(report['gyr_range_dps'], 'deg/s')}",
        f"placement:   {report['placement']}, mounting {report['mounting']}",
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
