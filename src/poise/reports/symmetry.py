"""Human-readable text of a left-right comparison (:func:`poise.metrics.symmetry.compare_limbs`).

Apart from the analysis, so that ``poise history`` prints it without loading the
scoring.
"""

from __future__ import annotations

from typing import Any

from poise.drills import DRILLS
from poise.drills.precision import plain
from poise.metrics.symmetry import LSI_THRESHOLD_PCT
from poise.text import metric_words


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
            plain(v) if resolution is None else resolution.text(v) for v in (m["left"], m["right"])
        )
        lines.append(
            f"  {metric_words(m['name'])}: left {left}, right {right}"
            f"{'' if unit == '1' else ' ' + unit}; "
            f"{lsi}{worse}" + (f"  [{'; '.join(flags)}]" if flags else "")
        )
    return "\n".join(lines)
