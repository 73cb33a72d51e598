"""Tilt accuracy against the simulator's truth, over the conditions of the accuracy tests.

Prints the RMS error of AP and ML tilt over single-leg stance (and board and
hop baselines), and the worst per-hold RMS error of inclination at lunge end
positions (with the accelerometer calibrated from the same unit's poses and,
for comparison, raw), for both chips at 100 Hz to 1 kHz, gyro bias up to
1 deg/s, 1 deg misalignment, several seeds.

    python benchmarks/tilt_accuracy.py [--seeds 3]
"""

from __future__ import annotations

import argparse

import numpy as np

from poise.motion.accel_calibration import find_poses, fit_accel_calibration
from poise.motion.tilt import track_tilt
from poise.sim import simulate

RATES = [
    ("lsm6dso32", 104.0),
    ("lsm6dso32", 416.0),
    ("lsm6dso32", 833.0),
    ("mpu6050", 100.0),
    ("mpu6050", 1000.0),
]
IMPERFECT = {"gyr_bias_dps": 1.0, "misalignment_deg": 1.0}


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x**2)))


def tilt_errors(sim, window: str) -> float:
    tilt, _ = track_tilt(sim.recording)
    ap, ml, _ = tilt.angles()
    m = sim.truth.mask(window)
    return max(rms(ap[m] - sim.truth.tilt_ap_deg[m]), rms(ml[m] - sim.truth.tilt_ml_deg[m]))


def lunge_errors(imu: str, rate: float, seed: int) -> tuple[float, float]:
    poses = simulate("poses", imu=imu, rate_hz=rate, seed=seed, **IMPERFECT)
    cal = fit_accel_calibration(find_poses(poses.recording.samples, rate))
    worst = []
    for accel_cal in (cal, None):
        sim = simulate("lunge", imu=imu, rate_hz=rate, seed=seed, **IMPERFECT)
        _, _, inc = track_tilt(sim.recording, accel_calibration=accel_cal)[0].angles()
        holds = []
        for hold in sim.truth.events_of("hold"):
            inside = (sim.truth.t_s >= hold["t_s"]) & (sim.truth.t_s <= hold["end_t_s"])
            holds.append(rms(inc[inside] - sim.truth.inclination_deg[inside]))
        worst.append(max(holds))
    return worst[0], worst[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    seeds = range(parser.parse_args().seeds)
    print("worst RMS tilt error over seeds, deg (AP or ML, whichever is larger)")
    print(
        f"{'chip':<10} {'rate':>6}  {'stance EO firm':>14} {'stance EC foam':>14} {'board':>7} "
        f"{'hop base':>8}  {'lunge cal':>9} {'lunge raw':>9}"
    )
    overall = {"stance": 0.0, "lunge": 0.0}
    for imu, rate in RATES:
        row = []
        for eyes, surface in (("open", "firm"), ("closed", "foam")):
            sims = [
                simulate(
                    "stance", imu=imu, rate_hz=rate, seed=s, eyes=eyes, surface=surface, **IMPERFECT
                )
                for s in seeds
            ]
            errs = [tilt_errors(sim, "single_leg") for sim in sims]
            row.append(max(errs))
        overall["stance"] = max(overall["stance"], *row)
        for scenario in ("board", "hop"):
            errs = []
            for s in seeds:
                sim = simulate(scenario, imu=imu, rate_hz=rate, seed=s, **IMPERFECT)
                errs.append(tilt_errors(sim, sim.truth.summary_window))
            row.append(max(errs))
        lunges = [lunge_errors(imu, rate, s) for s in seeds]
        row += [max(c for c, _ in lunges), max(r for _, r in lunges)]
        overall["lunge"] = max(overall["lunge"], row[-2])
        print(
            f"{imu:<10} {rate:6.0f}  {row[0]:14.3f} {row[1]:14.3f} {row[2]:7.3f} {row[3]:8.3f}  "
            f"{row[4]:9.3f} {row[5]:9.3f}"
        )
    print(f"worst single-leg stance: {overall['stance']:.3f} deg (requirement 0.3)")
    print(f"worst lunge hold, calibrated: {overall['lunge']:.3f} deg (requirement 1.0)")


if __name__ == "__main__":
    main()
