"""The sensor model: what a named IMU chip makes of the true motion.

In order, on the fine grid of the true signals:

1. mounting: the sensor's axes are the segment's, turned by the configured
   mounting and by a small unknown misalignment (the strap is never perfect);
2. sensitivity error, cross-axis sensitivity and offset (gyroscope bias,
   accelerometer zero-g level);
3. white noise at the chip's noise density times ``noise_factor`` (per-sample
   sigma = factor * density * sqrt(fine rate / 2), so the density holds whatever
   the grid);
4. the chip's digital low-pass (second-order Butterworth at its bandwidth);
5. sampling at the chip's output data rate, on the chip's own clock (which
   runs fast or slow by up to its tolerance);
6. quantisation to the LSB of the configured range, clipped at full scale
   (saturation), as int16 counts;
7. occasional dropped samples (their sequence numbers are skipped);
8. device timestamps: the chip's timestamp counter (25 us on LSM6DS, trimmed
   by FREQ_FINE to a small residual error), or, for a chip without timestamps,
   the sample count over the nominal rate.

Every imperfection is drawn from the seed and written to the truth sidecar.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from poise.checks import check_number
from poise.chips import ChipSpec
from poise.motion.frames import axis_angle_matrix, mounting_matrix
from poise.samples import SampleBlock


@dataclass(frozen=True)
class SensorConfig:
    """How the simulated chip is configured.

    Args:
        chip: the chip's datasheet facts.
        odr_hz: output data rate, one the chip offers.
        acc_range_g: accelerometer full scale.
        gyr_range_dps: gyroscope full scale.
        mounting: segment axes in sensor axes (``"+x+y+z"``: sensor axes on segment axes).
        drop_probability: chance that any one sample is lost.
        noise: add the chip's white noise (off only for tests isolating an effect).
        noise_factor: the white noise's size as a multiple of the chip's datasheet
            density (1: the datasheet's; 3 or 10: a worse chip, a noisy board or supply).
    """

    chip: ChipSpec
    odr_hz: float
    acc_range_g: float
    gyr_range_dps: float
    mounting: str = "+x+y+z"
    drop_probability: float = 2e-4
    noise: bool = True
    noise_factor: float = 1.0

    def __post_init__(self) -> None:
        check_number("rate_hz", self.odr_hz, 0.0, above=True)
        self.chip.check_odr(self.odr_hz)
        check_number("acc_range_g", self.acc_range_g, 0.0, above=True)
        check_number("gyr_range_dps", self.gyr_range_dps, 0.0, above=True)
        self.chip.check_ranges(self.acc_range_g, self.gyr_range_dps)
        mounting_matrix(self.mounting)
        check_number("drop_probability", self.drop_probability, 0.0, 0.5)
        check_number("noise_factor", self.noise_factor, 0.0, 100.0)


@dataclass(frozen=True)
class SensorErrors:
    """The imperfections of one simulated sensor (all reported in the truth sidecar).

    Args:
        misalignment_rotvec_rad: rotation from the configured mounting to the real one.
        gyr_bias_dps, acc_offset_g: per-axis offsets in sensor axes.
        gyr_scale, acc_scale: per-axis sensitivity factors (1 is perfect).
        gyr_cross, acc_cross: cross-axis sensitivities, row i column j: the part of
            axis j's input that axis i reads (zero on the diagonal).
        clock_error: relative error of the sample clock (0.01: 1% fast).
        timestamp_error: relative error of the device timestamps.
    """

    misalignment_rotvec_rad: tuple[float, float, float]
    gyr_bias_dps: tuple[float, float, float]
    acc_offset_g: tuple[float, float, float]
    gyr_scale: tuple[float, float, float]
    acc_scale: tuple[float, float, float]
    gyr_cross: tuple[tuple[float, ...], ...]
    acc_cross: tuple[tuple[float, ...], ...]
    clock_error: float
    timestamp_error: float

    @property
    def misalignment_deg(self) -> float:
        return float(np.degrees(np.linalg.norm(self.misalignment_rotvec_rad)))

    def to_dict(self) -> dict:
        out = asdict(self)
        out["misalignment_deg"] = self.misalignment_deg
        return out


def draw_errors(
    rng: np.random.Generator,
    chip: ChipSpec,
    misalignment_deg: float = 1.0,
    gyr_bias_dps: float | None = None,
) -> SensorErrors:
    """Draw a sensor's imperfections within the chip's typical figures.

    Args:
        misalignment_deg: size of the mounting error (its axis is random).
        gyr_bias_dps: largest gyroscope bias per axis; the chip's typical
            zero-rate level when None.
    """
    axis = rng.standard_normal(3)
    axis /= np.linalg.norm(axis)
    bias_max = chip.gyr_offset_dps if gyr_bias_dps is None else gyr_bias_dps
    return SensorErrors(
        misalignment_rotvec_rad=tuple(float(x) for x in axis * np.radians(misalignment_deg)),
        gyr_bias_dps=tuple(float(x) for x in rng.uniform(-bias_max, bias_max, 3)),
        acc_offset_g=tuple(float(x) for x in rng.uniform(-1, 1, 3) * np.array(chip.acc_offset_g)),
        gyr_scale=tuple(float(x) for x in 1 + rng.uniform(-1, 1, 3) * chip.gyr_sensitivity_tol),
        acc_scale=tuple(float(x) for x in 1 + rng.uniform(-1, 1, 3) * chip.acc_sensitivity_tol),
        gyr_cross=_cross_axis(rng, chip.cross_axis),
        acc_cross=_cross_axis(rng, chip.cross_axis),
        clock_error=float(rng.uniform(-1, 1) * chip.clock_tol),
        timestamp_error=float(rng.uniform(-1, 1) * chip.timestamp_residual_tol),
    )


def _cross_axis(rng: np.random.Generator, size: float) -> tuple[tuple[float, ...], ...]:
    cross = rng.uniform(-size, size, (3, 3)) * (1.0 - np.eye(3))
    return tuple(tuple(float(x) for x in row) for row in cross)


def ideal_errors() -> SensorErrors:
    """A perfect sensor: for tests that isolate one effect."""
    zero3 = (0.0, 0.0, 0.0)
    return SensorErrors(
        misalignment_rotvec_rad=zero3,
        gyr_bias_dps=zero3,
        acc_offset_g=zero3,
        gyr_scale=(1.0, 1.0, 1.0),
        acc_scale=(1.0, 1.0, 1.0),
        gyr_cross=(zero3,) * 3,
        acc_cross=(zero3,) * 3,
        clock_error=0.0,
        timestamp_error=0.0,
    )


@dataclass(frozen=True, eq=False)
class SensorOutput:
    """What the simulated chip delivered.

    Args:
        samples: the sample block (device time, sequence numbers, g, deg/s).
        t_true_s: the true time of each delivered sample, s.
        device_time: ``(t0, factor)``: device time = (true time - t0) * factor.
        dropped: how many samples were lost.
    """

    samples: SampleBlock
    t_true_s: np.ndarray
    device_time: tuple[float, float]
    dropped: int

    def to_device_time(self, t_true_s: float | np.ndarray) -> float | np.ndarray:
        t0, factor = self.device_time
        return (np.asarray(t_true_s) - t0) * factor


def sensor_to_segment(config: SensorConfig, errors: SensorErrors) -> np.ndarray:
    """The real sensor-to-segment rotation: misalignment after the configured mounting."""
    rotvec = np.asarray(errors.misalignment_rotvec_rad)
    angle = float(np.linalg.norm(rotvec))
    misalign = axis_angle_matrix(rotvec, angle) if angle > 0 else np.eye(3)
    return misalign @ mounting_matrix(config.mounting)


def sample_sensor(
    t_fine_s: np.ndarray,
    acc_segment_g: np.ndarray,
    gyr_segment_dps: np.ndarray,
    config: SensorConfig,
    errors: SensorErrors,
    rng: np.random.Generator,
) -> SensorOutput:
    """Turn the true specific force and angular rate (segment axes, fine grid) into samples."""
    from scipy import signal  # lazy: the simulator is not on the Pi's start-up path

    chip = config.chip
    fine_hz = (len(t_fine_s) - 1) / float(t_fine_s[-1] - t_fine_s[0])
    to_sensor = sensor_to_segment(config, errors)  # v_seg = S v_sensor, so v_sensor = S^T v_seg
    acc = acc_segment_g @ to_sensor
    gyr = gyr_segment_dps @ to_sensor
    acc_sensitivity = np.diag(errors.acc_scale) + np.asarray(errors.acc_cross)
    gyr_sensitivity = np.diag(errors.gyr_scale) + np.asarray(errors.gyr_cross)
    acc = acc @ acc_sensitivity.T + np.asarray(errors.acc_offset_g)
    gyr = gyr @ gyr_sensitivity.T + np.asarray(errors.gyr_bias_dps)
    if config.noise:
        per_sample = config.noise_factor * np.sqrt(fine_hz / 2)
        acc = acc + rng.standard_normal(acc.shape) * chip.acc_noise_g_rthz * per_sample
        gyr = gyr + rng.standard_normal(gyr.shape) * chip.gyr_noise_dps_rthz * per_sample

    sos = signal.butter(2, chip.lpf_for(config.odr_hz), "lowpass", fs=fine_hz, output="sos")
    zi = signal.sosfilt_zi(sos)
    acc = np.column_stack([signal.sosfilt(sos, x, zi=zi * x[0])[0] for x in acc.T])
    gyr = np.column_stack([signal.sosfilt(sos, x, zi=zi * x[0])[0] for x in gyr.T])

    # The chip's clock: its samples come 1/(odr (1 + clock_error)) apart in true time,
    # starting at an arbitrary phase of the grid.
    period = 1.0 / (config.odr_hz * (1.0 + errors.clock_error))
    t0 = float(t_fine_s[0]) + rng.uniform(0.0, period)
    t_true = t0 + period * np.arange(int((t_fine_s[-1] - t0) / period) + 1)
    acc = np.column_stack([np.interp(t_true, t_fine_s, x) for x in acc.T])
    gyr = np.column_stack([np.interp(t_true, t_fine_s, x) for x in gyr.T])

    acc = _quantise(acc, chip.acc_lsb_g[config.acc_range_g])
    gyr = _quantise(gyr, chip.gyr_lsb_dps[config.gyr_range_dps])

    if chip.timestamp_lsb_s is None:
        factor = 1.0 + errors.clock_error
        t_device = np.arange(len(t_true)) / config.odr_hz
    else:
        factor = 1.0 + errors.timestamp_error
        lsb = chip.timestamp_lsb_s
        t_device = np.round((t_true - t0) * factor / lsb) * lsb

    keep = rng.random(len(t_true)) >= config.drop_probability
    seq = np.arange(len(t_true))
    samples = SampleBlock(t_s=t_device[keep], seq=seq[keep], acc_g=acc[keep], gyr_dps=gyr[keep])
    return SensorOutput(
        samples=samples,
        t_true_s=t_true[keep],
        device_time=(t0, factor),
        dropped=int(np.count_nonzero(~keep)),
    )


def _quantise(x: np.ndarray, lsb: float) -> np.ndarray:
    """To int16 counts of size ``lsb`` (clipped at the rails), back in physical units."""
    counts = np.clip(np.round(x / lsb), -32768, 32767)
    return counts * lsb
