"""Human-readable text of an analysis result and of a left-right comparison."""

from __future__ import annotations

from typing import Any

from poise.analysis.ranges import LUNGE_THRESHOLD_DEG
from poise.metrics.symmetry import LSI_THRESHOLD_PCT


def format_analysis(r: dict[str, Any]) -> str:
    """The result of :func:`poise.analysis.analyze` as a short report."""
    lines = [
        f"{r['file'] or 'recording'}: {r['drill']} ({r['placement']}, {r['sensor_model']}), "
        f"{r['span_s'][0]:.2f}-{r['span_s'][1]:.2f} s, algorithm {r['algorithm_version']}"
    ]
    lines += _DRILLS[r["drill"]](r)
    calibration = r["calibration"]
    if calibration["found"]:
        start, end = calibration["reference_t_s"]
        lines.append(f"calibrated on the still period {start:.1f}-{end:.1f} s")
    else:
        lines.append("uncalibrated: no still period at the start; angles are the sensor's own")
    lines += [f"data: {problem}" for problem in r["problems"]] or ["data: no problems"]
    return "\n".join(lines)


def _stance(r: dict[str, Any]) -> list[str]:
    lines = [
        f"sway RMS {_v(r['sway_rms_deg'])} deg (AP {_v(r['ap_rms_deg'])}, "
        f"ML {_v(r['ml_rms_deg'])}), 95% ellipse {_v(r['sway_area95_deg2'], '.1f')} deg^2",
        f"sway velocity {_v(r['sway_velocity_dps'])} deg/s, path "
        f"{_v(r['path_length_deg'], '.0f')} deg, centroid {_v(r['centroid_hz'])} Hz, "
        f"F95 {_v(r['f95_hz'])} Hz",
        f"steadiness {_v(r['steadiness'], '.0f')}/100",
        f"losses of balance: {r['losses_of_balance']}",
    ]
    lines += [f"  {loss['t_s']:8.2f} s  {loss['kind']}" for loss in r["touchdowns"]]
    lines.append(f"time held {r['time_held_s']:.1f} s")
    return lines


def _hop(r: dict[str, Any]) -> list[str]:
    lines = [f"hops: {r['hop_count']}"]
    for h in r["landings"]:
        text = (
            f"  {h['t_s']:8.2f} s  flight {h['flight_s'] * 1000:.0f} ms, "
            f"height {h['height_m'] * 100:.1f} cm"
        )
        if h["peak_acc_g"] is not None:
            text += f", peak {h['peak_acc_g']:.1f} g" + (" (saturated)" if h["saturated"] else "")
        if h["contact_s"] is not None:
            text += f", contact {h['contact_s'] * 1000:.0f} ms, RSI {h['rsi']:.2f}"
        if h["tts_s"] is not None:
            text += f", stable after {h['tts_s']:.2f} s"
        lines.append(text)
    if r.get("mean_rsi") is not None:
        lines.append(
            f"mean contact {r['mean_contact_s'] * 1000:.0f} ms, mean RSI {r['mean_rsi']:.2f}"
        )
    if r["baseline_sway_rms_deg"] is not None:
        lines.append(f"single-leg baseline sway {r['baseline_sway_rms_deg']:.2f} deg RMS")
    return lines


def _lunge(r: dict[str, Any]) -> list[str]:
    if not r["reps"]:
        return [f"no held lunge found (a hold at least {LUNGE_THRESHOLD_DEG:g} deg from standing)"]
    lines = [f"  {rep['t_s']:8.2f} s  {rep['inclination_deg']:.1f} deg" for rep in r["reps"]]
    return [
        f"lunge repetitions: {len(r['reps'])}",
        *lines,
        f"best {r['max_inclination_deg']:.1f} deg, mean {r['mean_inclination_deg']:.1f} deg",
    ]


def _hip(r: dict[str, Any]) -> list[str]:
    lines = []
    for kind in ("internal", "external"):
        best = r[f"{kind}_rotation_deg"]
        reps = ", ".join(f"{rep['rotation_deg']:.1f}" for rep in r[f"{kind}_reps"])
        lines.append(
            f"{kind} rotation: "
            + (f"{best:.1f} deg (repetitions {reps})" if best is not None else "none held")
        )
    return lines


def _board(r: dict[str, Any]) -> list[str]:
    return [
        f"tilt RMS AP {_v(r['ap_rms_deg'])} deg, ML {_v(r['ml_rms_deg'])} deg",
        f"range forward {r['forward_deg']:.1f}, back {r['back_deg']:.1f}, "
        f"left {r['left_deg']:.1f}, right {r['right_deg']:.1f} deg",
        f"in the target zone {r['time_in_zone_s']:.1f} s ({r['time_in_zone_pct']:.0f}%)",
        f"edge touches: {r['edge_touch_count']}",
    ]


_DRILLS = {"stance": _stance, "hop": _hop, "lunge": _lunge, "hip": _hip, "board": _board}


def format_symmetry(c: dict[str, Any]) -> str:
    """A left-right comparison (:func:`poise.metrics.symmetry.compare_limbs`) as a table."""
    involved = f", involved side {c['involved']}" if c["involved"] else ""
    lines = [f"{c['drill']}: left against right{involved}"]
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
        lines.append(
            f"  {m['name']}: left {_v(m['left'], '.3g')}, right {_v(m['right'], '.3g')}"
            f"{'' if m['unit'] == '1' else ' ' + m['unit']}; "
            f"{lsi}{worse}" + (f"  [{'; '.join(flags)}]" if flags else "")
        )
    return "\n".join(lines)


def _v(x: float | None, spec: str = ".2f") -> str:
    """A figure for text, ``-`` where it could not be computed."""
    return "-" if x is None else format(x, spec)
