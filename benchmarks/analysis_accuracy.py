"""Accuracy of ``analyze`` against the simulator's truth, on seeds the tests do not use.

Prints, per drill, the worst error over chips (LSM6DSO32, MPU-6050), rates
(100 Hz to 1 kHz) and seeds, next to the figure the issue sets:

- stance: sway RMS, 95% ellipse area and mean velocity (relative error, over
  the single-leg window); losses of balance (recall, precision, timing);
- hops: landings missed or invented, flight time (worst error and its ratio
  to max(5 ms, 1.5 sample periods)), peak acceleration against the measured
  peak (and, for the record, what sampling leaves of the true continuous
  peak), contact time; TTS (Spearman across held landings of many trials, pooled);
- lunge and hip: worst error at a repetition, deg; board: tilt RMS.

    python benchmarks/analysis_accuracy.py [--seeds 3]
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.stats import spearmanr

from poise.analysis import analyze
from poise.metrics.signals import uniform
from poise.metrics.sway import sway_metrics
from poise.motion.accel_calibration import find_poses, fit_accel_calibration
from poise.motion.still import StillSettings
from poise.sim import simulate
from poise.sim.stance import LOSS_KINDS

RATES = [("lsm6dso32", 104.0), ("mpu6050", 100.0), ("lsm6dso32", 833.0), ("mpu6050", 1000.0)]
FIRST_SEED = 300
#: Losses of balance are scored on a minute of eyes-closed stance on foam with five losses.
LOSS_TRIAL = {"eyes": "closed", "surface": "foam", "losses": 5, "duration_s": 60.0}


def stance(seeds: list[int]) -> None:
    worst = {"sway_rms_deg": 0.0, "sway_area95_deg2": 0.0, "sway_velocity_dps": 0.0}
    n_true = n_found = true_found = found_true = 0
    dt = []
    for imu, rate in RATES:
        for seed in seeds:
            for eyes, surface in (("open", "firm"), ("closed", "foam")):
                sim = simulate(
                    "stance",
                    imu=imu,
                    rate_hz=rate,
                    seed=seed,
                    eyes=eyes,
                    surface=surface,
                    losses=0,
                )
                ((a, b),) = sim.truth.windows["single_leg"]
                measured = analyze(sim.recording, "stance", start_s=a, end_s=b)
                ap, ml, _ = sim.truth.angles()
                inside = (sim.truth.t_s >= a) & (sim.truth.t_s <= b)
                _, tilt = uniform(sim.truth.t_s[inside], np.column_stack((ap, ml))[inside], rate)
                truth = sway_metrics(tilt[:, 0], tilt[:, 1], rate).to_dict()
                for key in worst:
                    worst[key] = max(worst[key], abs(measured[key] / truth[key] - 1))
            sim = simulate("stance", imu=imu, rate_hz=rate, seed=seed, **LOSS_TRIAL)
            truth_t = [e["t_s"] for kind in LOSS_KINDS for e in sim.truth.events_of(kind)]
            start = sim.truth.windows["trial"][0][0]
            found = [
                x["t_s"] for x in analyze(sim.recording, "stance", start_s=start)["touchdowns"]
            ]
            n_true, n_found = n_true + len(truth_t), n_found + len(found)
            true_found += sum(any(abs(f - t) <= 0.3 for f in found) for t in truth_t)
            found_true += sum(any(abs(f - t) <= 0.3 for t in truth_t) for f in found)
            dt += [min(abs(f - t) for f in found) for t in truth_t if found]
    print(
        f"stance  sway worst error: RMS {100 * worst['sway_rms_deg']:.1f}% (limit 10), "
        f"area {100 * worst['sway_area95_deg2']:.1f}% (20), "
        f"velocity {100 * worst['sway_velocity_dps']:.1f}% (20)"
    )
    print(
        f"stance  losses of balance: {n_true} true, {n_found} found; recall "
        f"{true_found / n_true:.3f}, precision {found_true / n_found:.3f} (limits 0.95, within "
        f"0.3 s); median timing error {1000 * np.median(dt):.0f} ms"
    )


def hops(seeds: list[int]) -> None:
    modes = {"stick": {"hops": 5}, "repeated": {"hops": 8}, "side": {"duration_s": 30.0}}
    for mode, params in modes.items():
        for imu, rate in RATES:
            tolerance = max(0.005, 1.5 / rate)
            wrong = flight = peak = contact = 0.0
            sampled = []  # the measured peak over the true (continuous) one
            for seed in seeds:
                sim = simulate("hop", mode=mode, imu=imu, rate_hz=rate, seed=seed, **params)
                result = analyze(sim.recording, "hop")
                truth = sim.truth.events_of("landing")
                if len(truth) != len(result["landings"]):
                    wrong += abs(len(truth) - len(result["landings"]))
                    continue
                t, norm = (
                    sim.recording.samples.t_s,
                    np.linalg.norm(sim.recording.samples.acc_g, axis=1),
                )
                for e, h in zip(truth, result["landings"], strict=True):
                    flight = max(flight, abs(h["flight_s"] - e["flight_s"]))
                    measured_peak = norm[np.abs(t - e["t_s"]) <= 0.1].max()
                    peak = max(peak, abs(h["peak_acc_g"] / measured_peak - 1))
                    sampled.append(h["peak_acc_g"] / e["true_peak_acc_g"])
                    if "contact_s" in e:
                        contact = max(contact, abs(h["contact_s"] - e["contact_s"]))
            print(
                f"hop     {mode:8s} {imu} {rate:6.0f} Hz: missed/invented {wrong:.0f}, "
                f"flight worst "
                f"{1000 * flight:5.1f} ms ({flight / tolerance:.2f} of {1000 * tolerance:.1f} ms), "
                f"peak worst {100 * peak:.1f}% (10), {100 * min(sampled):.0f}-"
                f"{100 * max(sampled):.0f}% of the true peak"
                + (f", contact worst {1000 * contact:.1f} ms" if mode != "stick" else "")
            )


def stabilisation(trials: int) -> None:
    """TTS needs many distinct landings: one seed is one athlete's motion whatever the chip."""
    true_tts, found_tts = [], []
    for k in range(trials):
        imu, rate = RATES[k % len(RATES)]
        sim = simulate("hop", imu=imu, rate_hz=rate, seed=FIRST_SEED + 100 + k, hops=5)
        found = analyze(sim.recording, "hop")["landings"]
        for e, h in zip(sim.truth.events_of("landing"), found, strict=True):
            true_tts.append(e["tts_s"])
            found_tts.append(h["tts_s"])
    errors = np.abs(np.subtract(found_tts, true_tts))
    print(
        f"hop     TTS over {len(true_tts)} held landings: Spearman "
        f"{spearmanr(true_tts, found_tts).statistic:.2f} (limit 0.8); error median "
        f"{np.median(errors):.2f} s, 90th percentile {np.percentile(errors, 90):.2f} s"
    )


def ranges(seeds: list[int]) -> None:
    lunge = hip = board = 0.0
    for imu, rate in RATES:
        for seed in seeds:
            cal = None
            if imu == "mpu6050":
                poses = simulate("poses", imu=imu, rate_hz=rate, seed=seed).recording
                cal = fit_accel_calibration(find_poses(poses.samples, rate, StillSettings()))
            for variant in ("knee-bent", "knee-straight"):
                sim = simulate("lunge", imu=imu, rate_hz=rate, seed=seed, variant=variant)
                reps = analyze(sim.recording, "lunge", accel_calibration=cal)["reps"]
                truth = [e["mean_inclination_deg"] for e in sim.truth.events_of("hold")]
                if len(reps) != len(truth):
                    lunge = float("inf")
                    continue
                measured = [r["inclination_deg"] for r in reps]
                lunge = max(lunge, float(np.abs(np.subtract(measured, truth)).max()))
            sim = simulate("hip", imu=imu, rate_hz=rate, seed=seed)
            result = analyze(sim.recording, "hip", accel_calibration=cal)
            for kind in ("internal", "external"):
                truth = [e["mean_inclination_deg"] for e in sim.truth.events_of(f"{kind}_rotation")]
                measured = [r["rotation_deg"] for r in result[f"{kind}_reps"]]
                if len(measured) != len(truth):
                    hip = float("inf")
                    continue
                hip = max(hip, float(np.abs(np.subtract(measured, truth)).max()))
            sim = simulate("board", imu=imu, rate_hz=rate, seed=seed)
            result = analyze(sim.recording, "board", accel_calibration=cal)
            ap, ml, _ = sim.truth.angles()
            for key, true in (("ap_rms_deg", ap), ("ml_rms_deg", ml)):
                board = max(board, abs(result[key] / np.std(true) - 1))
    print(
        f"ranges  lunge worst {lunge:.2f} deg at a repetition (limit 1.5; MPU-6050 with its "
        f"six-pose calibration), hip worst {hip:.2f} deg, board tilt RMS worst {100 * board:.1f}%"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds per chip and rate")
    parser.add_argument("--tts-trials", type=int, default=30, help="hop trials of 5 for TTS")
    args = parser.parse_args()
    seeds = list(range(FIRST_SEED, FIRST_SEED + args.seeds))
    stance(seeds)
    hops(seeds)
    stabilisation(args.tts_trials)
    ranges(seeds)


if __name__ == "__main__":
    main()
