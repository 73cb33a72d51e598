"""Human-readable text of an analysis result."""

from __future__ import annotations

from typing import Any

from poise.drills import DRILLS


def format_analysis(r: dict[str, Any]) -> str:
    """The result of :func:`poise.analysis.analyze` as a short report (the drill's lines
    from its typed result)."""
    lines = [_verdict_line(r)]
    lines += [
        f"{r['file'] or 'recording'}: {r['drill']} ({r['placement']}, {r['sensor_model']}), "
        f"{r['span_s'][0]:.2f}-{r['span_s'][1]:.2f} s, algorithm {r['algorithm_version']}"
    ]
    lines += DRILLS[r["drill"]].result.from_dict(r).lines()
    mounting = r["mounting"]
    how = "found by the functional calibration, " if mounting["found"] else ""
    origin = mounting["from"] or "assumed: nobody declared it"
    lines.append(f"mounting {mounting['spec']} ({how}{origin})")
    calibration = r["calibration"]
    if calibration["found"]:
        start, end = calibration["reference_t_s"]
        lines.append(f"calibrated on the still period {start:.1f}-{end:.1f} s")
    else:
        lines.append("uncalibrated: no still period at the start; angles are the sensor's own")
    lines += [f"warning ({w['code']}): {w['message']}" for w in r["warnings"]]
    return "\n".join(lines)


def _verdict_line(r: dict[str, Any]) -> str:
    """The verdict, first: whether these numbers can be used, and why not."""
    validity = r["validity"]
    if validity == "valid":
        return "valid: no warnings"
    codes = ", ".join(dict.fromkeys(w["code"] for w in r["warnings"]))
    meaning = "do not use these figures" if validity == "invalid" else "read the warnings"
    return f"{validity.upper()}: {meaning} ({codes})"
