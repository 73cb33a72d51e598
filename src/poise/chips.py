"""Datasheet facts about the IMU chips Poise supports: ranges, LSB sizes, rates, noise, offsets.

The simulator's sensor model and (later) the I2C drivers read these, so a
chip's numbers live in one place. Values are typical figures from the
manufacturers' datasheets; where a datasheet gives no figure the value is
marked as our assumption.

Sources:
- LSM6DSO32: STMicroelectronics DS13181 (sensitivities, ODR table, zero-g and
  zero-rate levels, 25 us timestamp LSB); noise densities as in docs/ and the
  design brief (80 ug/sqrt(Hz), 3.8 mdps/sqrt(Hz)).
- LSM6DSOX: STMicroelectronics DS12814 (Table 2: sensitivities; noise 70 ug/sqrt(Hz)
  and 3.8 mdps/sqrt(Hz)); the same ODRs, FREQ_FINE trim and 25 us timestamp as the DSO32.
- LSM6DS3TR-C: STMicroelectronics LSM6DS3TR-C datasheet (Table 3: sensitivities; noise
  90 ug/sqrt(Hz) and 5 mdps/sqrt(Hz)). It has a 24-bit timestamp, but only as a FIFO data set whose
  layout Poise does not use, so its samples are timed by count (timestamp_lsb_s None).
- MPU-6050: InvenSense PS-MPU-6000A-00 rev 3.4 (sensitivities, 400 ug/sqrt(Hz),
  0.005 dps/sqrt(Hz), +-50 mg x/y and +-80 mg z zero-g offset, +-20 dps ZRO,
  +-3% sensitivity tolerance, +-2% cross-axis sensitivity, 1 kHz / (1 + SMPLRT_DIV)
  with the DLPF on, DLPF bandwidths 260..5 Hz).
- MPU-6500: InvenSense PS-MPU-6500A-01 rev 1.1 (the same sensitivities; 300 ug/sqrt(Hz),
  0.01 dps/sqrt(Hz), +-5 dps ZRO, +-60/+-80 mg zero-g); its sample-rate divider only
  acts with the DLPF on (DLPF_CFG 1..6), so its bandwidths offered are 184..5 Hz.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ChipSpec:
    """What a sensor model or a driver needs to know about a chip.

    Args:
        name: the chip's name as printed on it.
        acc_lsb_g: accelerometer LSB size in g for each full scale (+-g).
        gyr_lsb_dps: gyroscope LSB size in deg/s for each full scale (+-deg/s).
        odrs_hz: output data rates the chip offers, Hz.
        acc_noise_g_rthz: accelerometer noise density, g/sqrt(Hz).
        gyr_noise_dps_rthz: gyroscope noise density, deg/s/sqrt(Hz).
        acc_offset_g: typical zero-g offset per axis (x, y, z), g.
        gyr_offset_dps: typical zero-rate offset, deg/s.
        acc_sensitivity_tol: typical relative sensitivity error of the accelerometer.
        gyr_sensitivity_tol: typical relative sensitivity error of the gyroscope.
        cross_axis: typical cross-axis sensitivity (the fraction of one axis's input
            read by another), both sensors.
        clock_tol: relative error of the chip's sample clock.
        timestamp_lsb_s: resolution of the chip's sample timestamps, or None if
            it has none (time is then the sample count over the nominal rate).
        timestamp_residual_tol: relative error left in timestamps after the
            driver's trim (LSM6DS: FREQ_FINE); 0 for chips without timestamps.
        lpf_hz: digital low-pass bandwidth for an ODR, Hz (see :meth:`lpf_for`).
    """

    name: str
    acc_lsb_g: dict[float, float]
    gyr_lsb_dps: dict[float, float]
    odrs_hz: tuple[float, ...]
    acc_noise_g_rthz: float
    gyr_noise_dps_rthz: float
    acc_offset_g: tuple[float, float, float]
    gyr_offset_dps: float
    acc_sensitivity_tol: float
    gyr_sensitivity_tol: float
    cross_axis: float
    clock_tol: float
    timestamp_lsb_s: float | None
    timestamp_residual_tol: float
    lpf_fraction_of_odr: float | None = None
    dlpf_options_hz: tuple[float, ...] = ()

    @property
    def widest_ranges(self) -> tuple[float, float]:
        """The widest accelerometer (+-g) and gyroscope (+-deg/s) full scales: the default."""
        return max(self.acc_lsb_g), max(self.gyr_lsb_dps)

    def lpf_for(self, odr_hz: float) -> float:
        """Bandwidth of the chip's digital low-pass at ``odr_hz``, Hz.

        LSM6DS: a fixed fraction of the ODR (LPF1 at about ODR/2, modelled at
        0.4 ODR). MPU-6050: the widest DLPF setting under half the ODR.
        """
        if self.lpf_fraction_of_odr is not None:
            return self.lpf_fraction_of_odr * odr_hz
        fitting = [bw for bw in self.dlpf_options_hz if bw < 0.5 * odr_hz]
        return max(fitting) if fitting else min(self.dlpf_options_hz)

    def lpf_delay_s(self, odr_hz: float) -> float:
        """Group delay of the digital low-pass at ``odr_hz`` for slow signals, s.

        Modelled as a second-order Butterworth at :meth:`lpf_for`, whose delay
        at low frequency is ``sqrt(2) / (2 pi f_c)`` (for the MPU-6050's 44 Hz
        DLPF that is 5.1 ms; its register map gives 4.9 ms).
        """
        return math.sqrt(2.0) / (2.0 * math.pi * self.lpf_for(odr_hz))

    def check_odr(self, odr_hz: float) -> None:
        """Raise ValueError naming the offered rates when ``odr_hz`` is not one of them."""
        if not any(abs(odr_hz - r) < 0.01 * r for r in self.odrs_hz):
            rates = [f"{r:.4g}" for r in self.odrs_hz]
            offered = ", ".join(rates if len(rates) <= 12 else [*rates[:6], "...", rates[-1]])
            raise ValueError(f"{self.name} has no {odr_hz:g} Hz rate; it offers {offered} Hz")

    def check_ranges(self, acc_range_g: float, gyr_range_dps: float) -> None:
        if acc_range_g not in self.acc_lsb_g:
            offered = ", ".join(f"{r:g}" for r in self.acc_lsb_g)
            raise ValueError(f"{self.name} has no +-{acc_range_g:g} g range; it offers {offered}")
        if gyr_range_dps not in self.gyr_lsb_dps:
            offered = ", ".join(f"{r:g}" for r in self.gyr_lsb_dps)
            raise ValueError(
                f"{self.name} has no +-{gyr_range_dps:g} deg/s range; it offers {offered}"
            )


LSM6DSO32 = ChipSpec(
    name="LSM6DSO32",
    acc_lsb_g={4.0: 0.122e-3, 8.0: 0.244e-3, 16.0: 0.488e-3, 32.0: 0.976e-3},
    gyr_lsb_dps={125.0: 4.375e-3, 250.0: 8.75e-3, 500.0: 17.5e-3, 1000.0: 35e-3, 2000.0: 70e-3},
    odrs_hz=(12.5, 26.0, 52.0, 104.0, 208.0, 416.0, 833.0, 1666.0, 3332.0, 6664.0),
    acc_noise_g_rthz=80e-6,
    gyr_noise_dps_rthz=3.8e-3,
    acc_offset_g=(0.02, 0.02, 0.02),
    gyr_offset_dps=1.0,
    acc_sensitivity_tol=0.01,  # assumption: the datasheet gives no typical figure
    gyr_sensitivity_tol=0.01,  # assumption
    cross_axis=0.01,  # assumption
    clock_tol=0.015,  # FREQ_FINE spans about +-1.5% (0.15% steps of 8 bits, typ. small)
    timestamp_lsb_s=25e-6,
    timestamp_residual_tol=0.00075,  # half a 0.15% FREQ_FINE step
    lpf_fraction_of_odr=0.4,
)

MPU6050 = ChipSpec(
    name="MPU-6050",
    acc_lsb_g={2.0: 1 / 16384, 4.0: 1 / 8192, 8.0: 1 / 4096, 16.0: 1 / 2048},
    gyr_lsb_dps={250.0: 1 / 131, 500.0: 1 / 65.5, 1000.0: 1 / 32.8, 2000.0: 1 / 16.4},
    odrs_hz=tuple(1000.0 / (1 + div) for div in range(0, 256) if (1000.0 / (1 + div)) >= 4),
    acc_noise_g_rthz=400e-6,
    gyr_noise_dps_rthz=0.005,
    acc_offset_g=(0.05, 0.05, 0.08),
    gyr_offset_dps=20.0,
    acc_sensitivity_tol=0.03,
    gyr_sensitivity_tol=0.03,
    cross_axis=0.02,
    clock_tol=0.01,  # assumption: internal oscillator, +-1%
    timestamp_lsb_s=None,
    timestamp_residual_tol=0.0,
    dlpf_options_hz=(260.0, 184.0, 94.0, 44.0, 21.0, 10.0, 5.0),
)

LSM6DSOX = ChipSpec(
    name="LSM6DSOX",
    acc_lsb_g={2.0: 0.061e-3, 4.0: 0.122e-3, 8.0: 0.244e-3, 16.0: 0.488e-3},
    gyr_lsb_dps=LSM6DSO32.gyr_lsb_dps,
    odrs_hz=LSM6DSO32.odrs_hz,
    acc_noise_g_rthz=70e-6,
    gyr_noise_dps_rthz=3.8e-3,
    acc_offset_g=(0.02, 0.02, 0.02),
    gyr_offset_dps=1.0,
    acc_sensitivity_tol=0.01,  # assumption, as for the DSO32
    gyr_sensitivity_tol=0.01,  # assumption
    cross_axis=0.01,  # assumption
    clock_tol=0.015,
    timestamp_lsb_s=25e-6,
    timestamp_residual_tol=0.00075,
    lpf_fraction_of_odr=0.4,
)

LSM6DS3TRC = ChipSpec(
    name="LSM6DS3TR-C",
    acc_lsb_g=LSM6DSOX.acc_lsb_g,
    gyr_lsb_dps=LSM6DSO32.gyr_lsb_dps,
    odrs_hz=LSM6DSO32.odrs_hz,
    acc_noise_g_rthz=90e-6,
    gyr_noise_dps_rthz=5e-3,
    acc_offset_g=(0.04, 0.04, 0.04),
    gyr_offset_dps=10.0,  # assumption: the datasheet's +-10 dps is a maximum
    acc_sensitivity_tol=0.01,  # assumption
    gyr_sensitivity_tol=0.01,  # assumption
    cross_axis=0.01,  # assumption
    clock_tol=0.015,  # assumption: the same internal oscillator as the DSO family
    timestamp_lsb_s=None,
    timestamp_residual_tol=0.0,
    lpf_fraction_of_odr=0.4,
)

MPU6500 = ChipSpec(
    name="MPU-6500",
    acc_lsb_g=MPU6050.acc_lsb_g,
    gyr_lsb_dps=MPU6050.gyr_lsb_dps,
    odrs_hz=MPU6050.odrs_hz,
    acc_noise_g_rthz=300e-6,
    gyr_noise_dps_rthz=0.01,
    acc_offset_g=(0.06, 0.06, 0.08),
    gyr_offset_dps=5.0,
    acc_sensitivity_tol=0.03,
    gyr_sensitivity_tol=0.03,
    cross_axis=0.02,
    clock_tol=0.01,  # assumption, as for the MPU-6050
    timestamp_lsb_s=None,
    timestamp_residual_tol=0.0,
    dlpf_options_hz=(184.0, 92.0, 41.0, 20.0, 10.0, 5.0),
)

#: Physical limits of any IMU a recording could come from, whatever its chip: the fastest
#: output data rate and the widest full scales on the market. A header value or a sample
#: beyond them is not a measurement (it is corrupt), so readers refuse such a header and
#: the health figures count such a sample as bad. Sources: 10 kHz is above the fastest
#: ODR of the chips here (6664 Hz, LSM6DSO32); +-400 g is the widest MEMS accelerometer
#: range (ST H3LIS331DL datasheet); +-20 000 deg/s the widest MEMS gyroscope range
#: (Analog Devices ADXRS649 datasheet).
MAX_RATE_HZ = 10_000.0
MAX_ACC_RANGE_G = 400.0
MAX_GYR_RANGE_DPS = 20_000.0

CHIPS = {
    "lsm6dso32": LSM6DSO32,
    "lsm6dsox": LSM6DSOX,
    "lsm6ds3trc": LSM6DS3TRC,
    "mpu6050": MPU6050,
    "mpu6500": MPU6500,
}


def known_chip(name: str) -> ChipSpec | None:
    """The spec of a chip by name, or None for a device Poise has no spec of (a phone)."""
    return CHIPS.get(name.lower().replace("-", "").replace("_", ""))


def chip(name: str) -> ChipSpec:
    """The spec of a chip by name (case and dashes ignored)."""
    spec = known_chip(name)
    if spec is None:
        raise ValueError(
            f"unknown IMU {name!r}; known: {', '.join(c.name for c in CHIPS.values())}"
        )
    return spec
