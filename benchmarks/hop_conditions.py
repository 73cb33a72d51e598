"""Hop landings and flight times over the conditions of issue 10, on seeds no test used.

For each rate (52-1666 Hz, LSM6DSO32) and condition (soft and hard landings,
saturation on a 16 g range, dips inside ground contact, a sensor elsewhere than
the assumed lever arm with the shank swinging in flight, gyroscope bias, 3x the
chip's noise), with
and without the placement (a file imported without ``--placement``, chip and
range unknown), prints the landings' recall and precision, the worst flight-time
error against max(5 ms, 1.5 samples), and how many saturated landings were
flagged. Then TTS: Spearman across held landings at several settling severities.

    python benchmarks/hop_conditions.py [--seeds 1] [--rates 52,104,...]
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np
from scipy.stats import spearmanr

from poise.analysis import analyze
from poise.recording import Recording
from poise.sim import simulate

FIRST_SEED = 700
RATES = (52.0, 104.0, 208.0, 416.0, 833.0, 1666.0)
CONDITIONS = {
    "default": {},
    "soft 4 g": {"landing_peak_g": 4.0},
    "hard 22 g, 32 g chip": {"landing_peak_g": 22.0, "acc_range_g": 32.0},
    "hard 22 g, 16 g chip": {"landing_peak_g": 22.0, "acc_range_g": 16.0},
    "17 g on 16 g chip": {"landing_peak_g": 17.0, "acc_range_g": 16.0},
    "dip 0.1 g in contact": {"contact_dip_g": 0.1},
    "swing 25 deg, sensor 9 cm fwd": {"flight_swing_deg": 25.0, "sensor_forward_m": 0.09},
    "gyro bias 3 dps": {"gyr_bias_dps": 3.0},
    "noise x3": {"noise_factor": 3.0},
}
MODES = {"stick": {"hops": 3}, "repeated": {"hops": 5}}


def imported(recording: Recording) -> Recording:
    """The recording as a CSV imported without --placement: placement, chip and range unknown."""
    meta = dataclasses.replace(
        recording.meta, placement="unknown", sensor_model="unknown", acc_range_g=None
    )
    return Recording(samples=recording.samples, meta=meta)


def landings(rates: tuple[float, ...], seeds: list[int]) -> None:
    print(
        f"{'condition':32} {'rate':>6} {'placement':>9} {'recall':>7} {'prec':>6} "
        f"{'flight err ms':>13} {'limit':>6} {'sat flagged':>11}"
    )
    for name, condition in CONDITIONS.items():
        for rate in rates:
            for placed in (True, False):
                n_true = n_found = hit = 0
                worst = 0.0
                sat_true = sat_flagged = 0
                for seed in seeds:
                    for mode, params in MODES.items():
                        sim = simulate(
                            "hop", mode=mode, rate_hz=rate, seed=seed, **params, **condition
                        )
                        recording = sim.recording if placed else imported(sim.recording)
                        found = analyze(recording, "hop")["landings"]
                        truth = sim.truth.events_of("landing")
                        n_true += len(truth)
                        n_found += len(found)
                        full_scale = sim.recording.meta.acc_range_g
                        for e in truth:
                            near = [h for h in found if abs(h["t_s"] - e["t_s"]) < 0.05]
                            if not near:
                                continue
                            hit += 1
                            worst = max(worst, abs(near[0]["flight_s"] - e["flight_s"]))
                            if e["true_peak_acc_g"] > full_scale:
                                sat_true += 1
                                sat_flagged += bool(near[0]["saturated"])
                limit = max(0.005, 1.5 / rate)
                print(
                    f"{name:32} {rate:6.0f} {'given' if placed else 'none':>9} "
                    f"{hit / n_true:7.3f} {hit / max(n_found, 1):6.3f} {worst * 1000:13.1f} "
                    f"{limit * 1000:6.1f} {f'{sat_flagged}/{sat_true}':>11}",
                    flush=True,
                )


def stabilisation(seeds: list[int]) -> None:
    true_tts, found_tts, inside_ci = [], [], 0
    for k, scale in enumerate((0.5, 1.0, 2.0)):
        for peak in (5.0, 12.0, 20.0):
            for seed in seeds:
                sim = simulate(
                    "hop",
                    seed=seed + 31 * k,
                    hops=3,
                    settle_scale=scale,
                    landing_peak_g=peak,
                    rate_hz=208.0,
                )
                found = analyze(sim.recording, "hop")["landings"]
                for e in sim.truth.events_of("landing"):
                    near = [h for h in found if abs(h["t_s"] - e["t_s"]) < 0.05]
                    if near and near[0]["tts_s"] is not None:
                        true_tts.append(e["tts_s"])
                        found_tts.append(near[0]["tts_s"])
                        low, high = near[0].get("tts_ci_s") or (np.nan, np.nan)
                        inside_ci += bool(low <= e["tts_s"] <= high)
    error = np.abs(np.subtract(found_tts, true_tts))
    print(
        f"TTS over {len(true_tts)} held landings (settling x0.5, 1, 2; peaks 5-20 g): "
        f"Spearman {spearmanr(true_tts, found_tts).statistic:.3f}, "
        f"median |error| {np.median(error):.2f} s, "
        f"truth inside tts_ci_s {inside_ci}/{len(true_tts)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--rates", default=",".join(f"{r:g}" for r in RATES))
    parser.add_argument("--no-tts", action="store_true")
    args = parser.parse_args()
    seeds = list(range(FIRST_SEED, FIRST_SEED + args.seeds))
    landings(tuple(float(r) for r in args.rates.split(",")), seeds)
    if not args.no_tts:
        stabilisation(seeds)


if __name__ == "__main__":
    main()
