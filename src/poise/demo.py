"""The main job until the trainer exists: a simulated single-leg stance, tracked live.

The simulated sensor's blocks go through the same streaming path a live
sensor's will (health monitor, calibration, lever-arm compensation, AHRS), and
the calibrated tilt is summarised over the single-leg part of the trial, next
to what the simulator knows to be true. The trial is then scored as
``poise analyze`` scores a recording, next to the true losses of balance.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from poise.analysis import analyze
from poise.health import HealthMonitor
from poise.motion.angles import TiltBlock, flag_counts, summarize
from poise.motion.tilt import TiltTracker
from poise.settings import Settings
from poise.sim.stance import LOSS_KINDS
from poise.sources.sim import SimSource


def run_demo(
    settings: Settings,
    seed: int = 1,
    eyes: str = "open",
    surface: str = "firm",
    duration_s: float = 30.0,
) -> dict[str, Any]:
    """Simulate and track a single-leg stance; returns a JSON-ready report."""
    source = SimSource(
        "stance", settings.sensor, seed=seed, eyes=eyes, surface=surface, duration_s=duration_s
    )
    meta = source.meta
    monitor = HealthMonitor(meta.rate_hz, meta.acc_range_g, meta.gyr_range_dps)
    tracker = TiltTracker(
        meta.rate_hz, meta.mounting, meta.gyr_range_dps, meta.placement, settings.tilt
    )
    pieces = []
    for block in source.blocks():
        monitor.update(block)
        pieces.append(tracker.update(block))
    pieces.append(tracker.finish())
    tilt = TiltBlock.concat(pieces)
    truth = source.result.truth
    calibration = tracker.calibration
    assert calibration is not None

    single_leg = truth.mask("single_leg")
    measured = dict(
        zip(("tilt_ap_deg", "tilt_ml_deg", "inclination_deg"), tilt.angles(), strict=True)
    )
    true = {
        "tilt_ap_deg": truth.tilt_ap_deg,
        "tilt_ml_deg": truth.tilt_ml_deg,
        "inclination_deg": truth.inclination_deg,
    }
    angles = {}
    for name, values in measured.items():
        error = values[single_leg] - true[name][single_leg]
        angles[name] = {
            "measured": summarize(values[single_leg]),
            "true": summarize(true[name][single_leg]),
            "rms_error": float(np.sqrt(np.nanmean(error**2))),
        }
    trial = truth.windows["trial"][0]
    scored = analyze(
        source.result.recording, "stance", settings=settings.tilt, start_s=trial[0], end_s=trial[1]
    )
    true_losses = sorted(
        ({"t_s": round(e["t_s"], 3), "kind": k} for k in LOSS_KINDS for e in truth.events_of(k)),
        key=lambda loss: loss["t_s"],
    )
    return {
        "scenario": {
            "drill": "single-leg stance",
            "leg": meta.placement.split("_")[0],
            "eyes": eyes,
            "surface": surface,
            "seed": seed,
            "trial_s": trial,
            "single_leg_s": float(sum(end - start for start, end in truth.windows["single_leg"])),
        },
        "sensor": {"model": meta.sensor_model, "rate_hz": meta.rate_hz},
        "calibration": {
            **calibration.to_dict(),
            "true_gyr_bias_dps": truth.header["sensor"]["errors"]["gyr_bias_dps"],
        },
        "angles": angles,
        "score": {
            key: scored[key]
            for key in ("sway_rms_deg", "sway_velocity_dps", "steadiness", "time_held_s")
        }
        | {"losses": [{"t_s": x["t_s"], "kind": x["kind"]} for x in scored["touchdowns"]]},
        "true_losses": true_losses,
        "true_time_held_s": round(truth.facts["time_held_s"], 3),
        "ahrs_flags": flag_counts(tilt.flags),
        "health": monitor.health.to_dict(),
        "problems": monitor.health.problems(),
    }


def format_demo(report: dict[str, Any]) -> str:
    """The report as text for a person."""
    sc = report["scenario"]
    cal = report["calibration"]
    lines = [
        f"Poise demo: simulated {sc['drill']}, {sc['leg']} leg, eyes {sc['eyes']}, "
        f"{sc['surface']} surface (seed {sc['seed']})",
        f"sensor:       {report['sensor']['model']} at {report['sensor']['rate_hz']:g} Hz, "
        "streamed in 20 ms blocks",
    ]
    if cal["found"]:
        start, end = cal["reference_t_s"]
        bias = ", ".join(f"{x:+.3f}" for x in cal["gyr_bias_dps"])
        true_bias = ", ".join(f"{x:+.3f}" for x in cal["true_gyr_bias_dps"])
        lines.append(
            f"calibration:  still reference {start:.2f}-{end:.2f} s; gyro bias ({bias}) deg/s"
        )
        lines.append(f"              (the simulated chip's true bias: ({true_bias}) deg/s)")
    else:
        lines.append("calibration:  NO still reference found: angles are uncalibrated")
    t0, t1 = sc["trial_s"]
    lines.append(f"trial:        {t0:.1f}-{t1:.1f} s, {sc['single_leg_s']:.1f} s on one leg")
    lines.append("")
    lines.append(
        "calibrated tilt over single-leg stance (deg)   measured            true      rms error"
    )
    labels = {
        "tilt_ap_deg": "AP tilt (+ forward)",
        "tilt_ml_deg": "ML tilt (+ right)",
        "inclination_deg": "inclination",
    }
    for key, label in labels.items():
        a = report["angles"][key]
        m, t = a["measured"], a["true"]
        lines.append(
            f"  {label:<20} mean {m['mean']:+6.2f}  sway RMS {m['rms_about_mean']:5.2f}  "
            f"range {m['min']:+6.2f}..{m['max']:+6.2f}   "
            f"{t['mean']:+6.2f} / {t['rms_about_mean']:4.2f}   {a['rms_error']:.3f}"
        )
    score = report["score"]

    def losses(found: list[dict]) -> str:
        return ", ".join(f"{x['kind']} at {x['t_s']:.1f} s" for x in found) or "none"

    lines += [
        "",
        "score (poise analyze over the trial)",
        f"  sway RMS {score['sway_rms_deg']:.2f} deg, mean velocity "
        f"{score['sway_velocity_dps']:.2f} deg/s, steadiness {score['steadiness']:.0f}/100",
        f"  losses of balance: {losses(score['losses'])}  (true: {losses(report['true_losses'])})",
        f"  time held {score['time_held_s']:.1f} s  (true: {report['true_time_held_s']:.1f} s)",
    ]
    flags = {k: v for k, v in report["ahrs_flags"].items() if v}
    lines.append("")
    lines.append(f"data health:  {'; '.join(report['problems']) or 'no problems'}")
    lines.append(
        "AHRS flags:   "
        + (", ".join(f"{k} on {v} samples" for k, v in flags.items()) if flags else "none raised")
    )
    return "\n".join(lines)
