"""Noise, drill fit and losses of balance against the simulator's truth (issue 10, 5, 6, 11).

On seeds no test or tuning used, prints:

1. stance sway against truth at 1x, 3x and 10x the chips' datasheet noise,
   52-1666 Hz, both chips: the worst error of each figure against its limit
   (sway RMS 10%, AP/ML RMS 15%, area and velocity 20%), the noise floor, and
   whether the result carries a warning where a figure is outside its limit;
2. drill fit: every simulated drill scored as every drill it is not (and as
   itself), the share marked ``drill_mismatch``;
3. losses of balance (eyes closed on foam): recall, precision and kinds within
   0.3 s of the truth, and the median timing error.

    python benchmarks/fit_and_noise.py [--seeds 2]
"""

from __future__ import annotations

import argparse

import numpy as np

from poise.analysis import analyze
from poise.errors import PoiseError
from poise.sim import simulate
from poise.sim.stance import LOSS_KINDS

RATES = [
    ("lsm6dso32", 52.0),
    ("lsm6dso32", 104.0),
    ("lsm6dso32", 833.0),
    ("lsm6dso32", 1666.0),
    ("mpu6050", 100.0),
    ("mpu6050", 1000.0),
]
LIMITS = {
    "sway_rms_deg": 0.10,
    "ap_rms_deg": 0.15,
    "ml_rms_deg": 0.15,
    "sway_area95_deg2": 0.20,
    "sway_velocity_dps": 0.20,
}
EXPLAINING = {"noise", "uncalibrated", "drill_mismatch"}
SCENARIOS = {
    "stance": ("stance", {"eyes": "closed", "surface": "foam", "losses": 3}),
    "board": ("board", {}),
    "lunge": ("lunge", {}),
    "hip": ("hip", {}),
    "hop": ("hop", {}),
    "repeated hops": ("hop", {"mode": "repeated"}),
}
DRILLS = ("stance", "board", "lunge", "hip")
SEED0 = 900


def codes(result: dict) -> set[str]:
    return {w["code"] for w in result["warnings"]}


def noise(seeds: int) -> None:
    print("1. stance sway against truth: worst error / its limit (>1 is outside)")
    print(
        f"   {'chip':10s} {'Hz':>5s} {'noise':>5s}  "
        + "  ".join(f"{k[:9]:>9s}" for k in LIMITS)
        + "  floor deg  outside, warned"
    )
    for imu, rate in RATES:
        for factor in (1.0, 3.0, 10.0):
            worst = dict.fromkeys(LIMITS, 0.0)
            floors, outside, warned = [], 0, 0
            for seed in range(SEED0, SEED0 + seeds):
                sim = simulate(
                    "stance", imu=imu, rate_hz=rate, seed=seed, losses=0, noise_factor=factor
                )
                ((start, end),) = sim.truth.windows["single_leg"]
                r = analyze(sim.recording, "stance", start_s=start, end_s=end)
                truth = sim.truth.sway(start, end, rate)
                ratios = {k: abs(r[k] / truth[k] - 1) / LIMITS[k] for k in LIMITS}
                worst = {k: max(worst[k], ratios[k]) for k in LIMITS}
                floors.append(r["noise_floor_deg"])
                if max(ratios.values()) > 1:
                    outside += 1
                    warned += bool(codes(r) & EXPLAINING)
            print(
                f"   {imu:10s} {rate:5.0f} {factor:4.0f}x  "
                + "  ".join(f"{worst[k]:9.2f}" for k in LIMITS)
                + f"  {max(floors):9.3f}  {outside}, {warned}"
            )


def fit(seeds: int) -> None:
    print("2. drill fit: share of results marked drill_mismatch (scenario scored as drill)")
    print("   " + f"{'':15s}" + "".join(f"{d:>9s}" for d in DRILLS))
    for name, (scenario, params) in SCENARIOS.items():
        marked = dict.fromkeys(DRILLS, 0)
        for k, seed in enumerate(range(SEED0 + 10, SEED0 + 10 + seeds)):
            imu, rate = RATES[k % len(RATES)]
            sim = simulate(scenario, imu=imu, rate_hz=rate, seed=seed, **params)
            for drill in DRILLS:
                try:
                    result = analyze(sim.recording, drill)
                except PoiseError:  # hip on a board: no leg to rotate
                    marked[drill] += 1
                    continue
                marked[drill] += "drill_mismatch" in codes(result)
        print("   " + f"{name:15s}" + "".join(f"{marked[d] / seeds:9.2f}" for d in DRILLS))


def losses(seeds: int, rates: list[tuple[str, float]], label: str) -> None:
    n_true = n_found = recall = precision = kinds = 0
    errors = []
    for k, seed in enumerate(range(SEED0 + 20, SEED0 + 20 + len(rates) * seeds)):
        imu, rate = rates[k % len(rates)]
        sim = simulate(
            "stance",
            imu=imu,
            rate_hz=rate,
            seed=seed,
            eyes="closed",
            surface="foam",
            losses=5,
            duration_s=60.0,
        )
        truth = [(e["t_s"], kind) for kind in LOSS_KINDS for e in sim.truth.events_of(kind)]
        found = analyze(sim.recording, "stance", start_s=sim.truth.windows["trial"][0][0])
        found = [(loss["t_s"], loss["kind"]) for loss in found["touchdowns"]]
        n_true, n_found = n_true + len(truth), n_found + len(found)
        for t, kind in truth:
            near = [(abs(f - t), fk) for f, fk in found if abs(f - t) <= 0.3]
            recall += bool(near)
            if near:
                errors.append(min(near)[0])
                kinds += min(near)[1] == kind
        precision += sum(any(abs(f - t) <= 0.3 for t, _ in truth) for f, _ in found)
    print(
        f"3. losses of balance, {label}, {n_true} true: recall {recall / n_true:.2f}, precision "
        f"{precision / n_found:.2f}, kind right {kinds / n_true:.2f}, timing error median "
        f"{1000 * np.median(errors):.0f} ms, 90th percentile "
        f"{1000 * np.quantile(errors, 0.9):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    noise(args.seeds)
    fit(args.seeds)
    losses(args.seeds, [r for r in RATES if r[1] >= 100], "100-1666 Hz")
    losses(args.seeds, [r for r in RATES if r[1] < 100], "52 Hz")


if __name__ == "__main__":
    main()
