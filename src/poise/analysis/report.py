"""Human-readable text of an analysis result and of a left-right comparison."""

from __future__ import annotations

from typing import Any

from poise.drills import DRILLS
from poise.metrics.symmetry import LSI_THRESHOLD_PCT
from poise.text import metric_words


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


def format_symmetry(c: dict[str, Any]) -> str:
    """A left-right comparison (:func:`poise.metrics.symmetry.compare_limbs`) as a table."""
    involved = f", involved side {c['involved']}" if c["involved"] else ""
    lines = [f"{c['drill']}: left against right{involved}"]
    drill = DRILLS[c["drill"]]
    for m in c["metrics"]:
        flags = [
            text
            for key, text in (
                ("lsi_below_90", f"LSI < {LSI_THRESHOLD_PCT:g}%"),
                ("exceeds_mdc", "difference > MDC"),
            )
            if m[key]
        ]
        lsi = f"LSI {m['lsi_pct']:.1f}%" if m["lsi_pct"] is not None else m["note"]
        worse = f", {m['worse_side']} worse" if m["worse_side"] else ""
        resolution = drill.resolution(m["name"])
        unit = m["unit"] if resolution is None else resolution.unit
        left, right = (
            ("-" if v is None else f"{v:g}") if resolution is None else resolution.text(v)
            for v in (m["left"], m["right"])
        )
        lines.append(
            f"  {metric_words(m['name'])}: left {left}, right {right}"
            f"{'' if unit == '1' else ' ' + unit}; "
            f"{lsi}{worse}" + (f"  [{'; '.join(flags)}]" if flags else "")
        )
    return "\n".join(lines)
