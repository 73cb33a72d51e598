"""The simulator: a physically consistent athlete (or board) and a named IMU, seeded.

``simulate("stance", rate_hz=416, seed=1)`` builds the scenario's segment
motion on a fine grid, derives what an ideal IMU on it feels (one rigid-body
trajectory gives both gyroscope and accelerometer), passes that through the
chip's sensor model, and returns the recording with its ground truth.

The motion depends only on the scenario, its parameters and the seed; the
sensor's imperfections and noise come from separate streams of the same seed.
So the same seed at 104 Hz and at 833 Hz is the same athlete measured by two
configurations of the same chip.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from poise.checks import check_number
from poise.chips import chip as chip_spec
from poise.formats.poise_csv import write_recording
from poise.motion.frames import NAMED_MOUNTINGS, mounting_matrix, named_mounting
from poise.recording import Recording, RecordingMeta
from poise.sim import board, hip, hop, knee_bends, lunge, poses, stance
from poise.sim.imu_model import (
    SensorConfig,
    draw_errors,
    ideal_errors,
    sample_sensor,
    sensor_to_segment,
)
from poise.sim.kinematics import ideal_imu, up_in_segment
from poise.sim.truth import Truth

SCENARIOS = {
    "stance": (stance.StanceParams, stance.build),
    "hop": (hop.HopParams, hop.build),
    "lunge": (lunge.LungeParams, lunge.build),
    "board": (board.BoardParams, board.build),
    "hip": (hip.HipParams, hip.build),
    "poses": (poses.PosesParams, poses.build),
    "knee_bends": (knee_bends.KneeBendsParams, knee_bends.build),
}
#: The fine grid on which motion is generated; fixed so that every output rate
#: up to 1 kHz sees the same motion for the same seed.
FINE_RATE_HZ = 4000.0
PEAK_WINDOW_S = 0.1


@dataclass(frozen=True, eq=False)
class SimResult:
    """A simulated recording and its ground truth."""

    recording: Recording
    truth: Truth

    def write(self, path: str | Path, series: bool = False) -> list[Path]:
        """Write the recording, its ``.truth.json`` sidecar and optionally the true-angle series."""
        path = Path(path)
        write_recording(path, self.recording.samples, self.recording.meta)
        written = [path, truth_path(path)]
        self.truth.write_json(written[1])
        if series:
            written.append(path.with_suffix(".truth.csv"))
            self.truth.write_series(written[2])
        return written


def truth_path(recording_path: str | Path) -> Path:
    """Where the truth sidecar of a recording lives: ``s.csv`` -> ``s.truth.json``."""
    return Path(recording_path).with_suffix(".truth.json")


def scenario_parameters(scenario: str) -> dict[str, Any]:
    """The parameters a scenario takes, with their defaults."""
    params_type, _ = _scenario(scenario)
    return {f.name: f.default for f in fields(params_type)}


def simulate(
    scenario: str,
    *,
    rate_hz: float = 416.0,
    seed: int = 0,
    imu: str = "lsm6dso32",
    acc_range_g: float | None = None,
    gyr_range_dps: float | None = None,
    mounting: str = "+x+y+z",
    worn: str | None = None,
    misalignment_deg: float = 1.0,
    gyr_bias_dps: float | None = None,
    drop_probability: float = 2e-4,
    noise_factor: float = 1.0,
    ideal: bool = False,
    **params: Any,
) -> SimResult:
    """Simulate a scenario measured by a named IMU.

    Args:
        scenario: ``stance``, ``hop``, ``lunge``, ``board``, or ``poses`` (the
            sensor laid on each face in turn, for accelerometer calibration).
        rate_hz: output data rate, one the chip offers.
        seed: the one seed of motion, imperfections and noise.
        imu: chip name (``lsm6dso32`` or ``mpu6050``).
        acc_range_g, gyr_range_dps: full scales; the chip's widest when None.
        mounting: the mounting the recording declares (a spec such as ``"+y-x+z"``, or
            a name of :data:`~poise.motion.frames.NAMED_MOUNTINGS` for the leg).
        worn: how the sensor really sits, if not as declared (a spec or a name:
            ``front``, ``lateral``, ``upside_down``); the truth states both.
        misalignment_deg: size of the unknown mounting error.
        gyr_bias_dps: largest gyroscope bias per axis (the chip's typical zero-rate
            level when None).
        drop_probability: chance that a sample is lost.
        noise_factor: the sensor's white noise as a multiple of the chip's datasheet
            density (3 and 10 for the noise conditions of the accuracy matrix).
        ideal: a perfect sensor (no misalignment, offsets, scale errors, clock
            error, noise or drops): for tests that isolate one effect.
        **params: the scenario's parameters (see :func:`scenario_parameters`).

    Raises ValueError with a one-line message for a bad parameter.
    """
    params_type, build = _scenario(scenario)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a whole number of at least 0, not {seed!r}")
    check_number("misalignment_deg", misalignment_deg, 0.0, 45.0)
    if gyr_bias_dps is not None:
        check_number("gyr_bias_dps", gyr_bias_dps, 0.0, 250.0)
    names = {f.name for f in fields(params_type)}
    unknown = sorted(set(params) - names)
    if unknown:
        raise ValueError(
            f"scenario {scenario!r} has no parameter {unknown[0]!r}; "
            f"it takes {', '.join(sorted(names))}"
        )
    scenario_params = params_type(**params)
    leg = getattr(scenario_params, "leg", "right")
    declared = _mounting_spec(mounting, leg)
    worn_spec = declared if worn is None else _mounting_spec(worn, leg)
    spec = chip_spec(imu)
    default_acc, default_gyr = spec.widest_ranges
    config = SensorConfig(
        chip=spec,
        odr_hz=float(rate_hz),
        acc_range_g=float(acc_range_g or default_acc),
        gyr_range_dps=float(gyr_range_dps or default_gyr),
        mounting=worn_spec,
        drop_probability=0.0 if ideal else drop_probability,
        noise=not ideal,
        noise_factor=noise_factor,
    )
    motion_seed, error_seed, noise_seed = np.random.SeedSequence(seed).spawn(3)
    fine_hz = max(FINE_RATE_HZ, 4.0 * config.odr_hz)
    episode = build(scenario_params, fine_hz, np.random.default_rng(motion_seed))
    errors = (
        ideal_errors()
        if ideal
        else draw_errors(np.random.default_rng(error_seed), spec, misalignment_deg, gyr_bias_dps)
    )
    motion = episode.motion
    acc_true, gyr_true = ideal_imu(motion)
    out = sample_sensor(
        motion.t_s, acc_true, gyr_true, config, errors, np.random.default_rng(noise_seed)
    )

    ap = np.interp(out.t_true_s, motion.t_s, motion.ap_rad)
    ml = np.interp(out.t_true_s, motion.t_s, motion.ml_rad)
    # The posture Poise calibrates on: the mean true up-vector over the reference window.
    start, end = episode.windows["reference"][0]
    inside = (motion.t_s >= start) & (motion.t_s <= end)
    reference_up = up_in_segment(motion.ap_rad[inside], motion.ml_rad[inside]).mean(axis=0)
    factor = out.device_time[1]
    truth = Truth(
        header={
            "scenario": scenario,
            "seed": seed,
            "params": asdict(scenario_params),
            "sensor": {
                "chip": spec.name,
                "odr_hz": config.odr_hz,
                "acc_range_g": config.acc_range_g,
                "gyr_range_dps": config.gyr_range_dps,
                "mounting": worn_spec,
                "declared_mounting": declared,
                "lpf_hz": spec.lpf_for(config.odr_hz),
                "noise_factor": config.noise_factor,
                "fine_rate_hz": fine_hz,
                "errors": errors.to_dict(),
                "true_sensor_to_segment": sensor_to_segment(config, errors).round(8).tolist(),
                "dropped_samples": out.dropped,
            },
        },
        t_s=out.samples.t_s,
        up=up_in_segment(ap, ml),
        reference_up=reference_up / np.linalg.norm(reference_up),
        events=[],
        windows={
            name: [[float(out.to_device_time(a)), float(out.to_device_time(b))] for a, b in spans]
            for name, spans in episode.windows.items()
        },
        summary_window=episode.summary_window,
        facts=episode.facts,
    )
    events = []
    for event in episode.events:
        entry: dict[str, Any] = {"kind": event.kind, "t_s": float(out.to_device_time(event.t_s))}
        for key, value in event.details.items():
            if key.endswith("_t_s"):
                value = float(out.to_device_time(value))
            elif key.endswith("_s"):
                value = float(value) * factor
            entry[key] = value
        entry.update(_measured_extras(event.kind, event.t_s, entry, motion.t_s, acc_true, truth))
        events.append(entry)
    truth.events.extend(events)

    meta = RecordingMeta(
        rate_hz=config.odr_hz,
        sensor_model=spec.name,
        acc_range_g=config.acc_range_g,
        gyr_range_dps=config.gyr_range_dps,
        placement=episode.placement,
        mounting=declared,
        source={
            "kind": "sim",
            "scenario": scenario,
            "seed": seed,
            "params": asdict(scenario_params),
        },
    )
    recording = Recording(samples=out.samples, meta=meta, mounting_from="header")
    return SimResult(recording=recording, truth=truth)


def _measured_extras(
    kind: str,
    t_true: float,
    entry: dict[str, Any],
    t_fine: np.ndarray,
    acc_true: np.ndarray,
    truth: Truth,
) -> dict[str, Any]:
    """True figures that need the generated signals: landing peaks, hold means."""
    if kind == "landing":
        near = np.abs(t_fine - t_true) <= PEAK_WINDOW_S
        peak = float(np.linalg.norm(acc_true[near], axis=1).max())
        return {"true_peak_acc_g": round(peak, 4)}
    if kind == "hold" or kind.endswith("_rotation"):
        inside = (truth.t_s >= entry["t_s"]) & (truth.t_s <= entry["end_t_s"])
        _, _, from_vertical = truth.angles(from_vertical=True)
        return {
            "mean_inclination_deg": round(float(truth.inclination_deg[inside].mean()), 4),
            "mean_tilt_ap_deg": round(float(truth.tilt_ap_deg[inside].mean()), 4),
            "mean_inclination_from_vertical_deg": round(float(from_vertical[inside].mean()), 4),
        }
    return {}


def _mounting_spec(name_or_spec: str, leg: str) -> str:
    """A mounting spec from a spec or a named way of wearing the sensor on ``leg``."""
    if name_or_spec in NAMED_MOUNTINGS:
        return named_mounting(name_or_spec, leg)
    mounting_matrix(name_or_spec)
    return name_or_spec


def _scenario(name: str) -> tuple[type, Any]:
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}")
    return SCENARIOS[name]
