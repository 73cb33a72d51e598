"""Orientation from gyroscope and accelerometer: the one adapter around x-io Fusion (imufusion).

No other module imports imufusion. Its Python API was renamed several times in
2025-26; it is pinned in pyproject.toml and every call to it is in this file.

Fusion is a complementary filter (Madgwick's thesis, chapter 7): the gyroscope
is integrated and the accelerometer pulls the estimate towards its measurement
of inclination with a strength set by ``gain``, except when the two disagree by
more than ``acceleration_rejection_deg`` (linear acceleration, an impact), when
the accelerometer is ignored for that sample.

Time steps come from the device timestamps, sample by sample, so uneven
sampling and gaps are integrated over the time that really passed.
"""

from __future__ import annotations

from dataclasses import dataclass

import imufusion
import numpy as np

from poise.checks import check_number
from poise.motion.angles import (
    FLAG_ACC_IGNORED,
    FLAG_ACC_RECOVERY,
    FLAG_RATE_RECOVERY,
    FLAG_STARTUP,
)


@dataclass(frozen=True)
class OrientationSettings:
    """Settings of the AHRS, with Fusion's documented defaults where they suit.

    Args:
        gain: weight of the accelerometer against the gyroscope (Fusion default 0.5).
            Lower trusts the gyroscope more: less error from the shank's own
            acceleration, more from any uncorrected gyroscope bias.
        acceleration_rejection_deg: ignore the accelerometer for a sample when it
            disagrees with the estimate by more than this (Fusion recommends 10).
        recovery_trigger_s: how long the accelerometer may be ignored before it is
            forced back in (Fusion recommends 5 s).
        gravity_gate_g: the accelerometer is given to the AHRS only while its
            magnitude is within this of 1 g; in free fall or at an impact it says
            nothing about which way is down, and repeated hops would otherwise
            keep it rejected until Fusion forces it back in, tilting the estimate
            by tens of degrees.
    """

    gain: float = 0.5
    acceleration_rejection_deg: float = 10.0
    recovery_trigger_s: float = 5.0
    gravity_gate_g: float = 0.4

    def __post_init__(self) -> None:
        check_number("gain", self.gain, 0.0, 10.0)
        check_number("acceleration_rejection_deg", self.acceleration_rejection_deg, 0.0, 180.0)
        check_number("recovery_trigger_s", self.recovery_trigger_s, 0.0, 600.0)
        check_number("gravity_gate_g", self.gravity_gate_g, 0.0, 1.0, above=True)


class OrientationFilter:
    """Fusion's AHRS in Poise's units, fed block by block.

    Args:
        settings: the filter settings.
        rate_hz: nominal sample rate (sets Fusion's timing of start-up and recovery).
        gyr_range_dps: gyroscope full scale; rates beyond 98% of it start Fusion's
            angular-rate recovery. ``None`` disables that check.

    >>> import numpy as np
    >>> f = OrientationFilter(OrientationSettings(), rate_hz=100.0)
    >>> f.start(np.array([1.0, 0.0, 0.0, 0.0]), t_s=0.0)
    >>> quat, flags = f.update(np.arange(1, 101) / 100, np.tile([0, 0, 1.0], (100, 1)),
    ...                        np.zeros((100, 3)), np.ones(100, bool))
    >>> np.round(quat[-1], 6).tolist(), int(flags.max())
    ([1.0, 0.0, 0.0, 0.0], 0)
    """

    def __init__(
        self, settings: OrientationSettings, rate_hz: float, gyr_range_dps: float | None = None
    ) -> None:
        self.settings = settings
        self.rate_hz = float(rate_hz)
        self._ahrs = imufusion.Ahrs()
        self._ahrs.set_settings(
            imufusion.AhrsSettings(
                sample_rate=self.rate_hz,
                convention=imufusion.CONVENTION_NWU,
                gain=settings.gain,
                gyroscope_range=float(gyr_range_dps or 0.0),
                acceleration_rejection=settings.acceleration_rejection_deg,
                magnetic_rejection=0.0,
                rejection_timeout=settings.recovery_trigger_s,
            )
        )
        self._t_last: float | None = None
        self._period_s = 1.0 / self.rate_hz
        self._bits = 0  # flags of the last update, repeated by samples that do not update

    def start(self, quat: np.ndarray | None, t_s: float) -> None:
        """Begin at ``quat`` at time ``t_s`` (no start-up ramp), or with Fusion's
        start-up ramp from the first accelerometer samples when ``quat`` is None."""
        self._ahrs.restart()
        self._bits = 0
        if quat is not None:
            self._ahrs.set_quaternion(np.asarray(quat, dtype=float))
            self._ahrs.skip_startup()
        self._t_last = t_s

    def update(
        self, t_s: np.ndarray, acc_g: np.ndarray, gyr_dps: np.ndarray, usable: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Run the filter over a block; returns quaternions (n, 4) and flag bits (n,).

        Samples that are not ``usable`` (or whose time does not move forward) do
        not update the filter; they repeat the previous orientation.
        """
        n = t_s.shape[0]
        ahrs = self._ahrs
        update = ahrs.update_no_magnetometer
        set_period = ahrs.set_sample_period
        get_quaternion, get_flags = ahrs.get_quaternion, ahrs.get_flags
        get_states = ahrs.get_internal_states
        period = self._period_s
        # Time steps are measured from the last sample the filter used, so a skipped
        # sample's interval is integrated by the next one.
        t_prev = t_s[0] - period if self._t_last is None else self._t_last
        # Outside the gravity gate the accelerometer is withheld: Fusion skips a zero
        # vector entirely (no correction, no count towards its recovery trigger).
        norm = np.linalg.norm(acc_g, axis=1)
        gated = (np.abs(norm - 1.0) > self.settings.gravity_gate_g).tolist()
        no_acc = np.zeros(3)
        current = get_quaternion()
        bits = self._bits
        # Rows as views made in one go, results gathered in lists and stacked once:
        # the per-sample work is the filter's own calls.
        gyr_rows, acc_rows = list(gyr_dps), list(acc_g)
        quats, bit_list = [], []
        add_quat, add_bits = quats.append, bit_list.append
        for now, ok, gate, gyr, acc in zip(
            t_s.tolist(), usable.tolist(), gated, gyr_rows, acc_rows, strict=True
        ):
            dt = now - t_prev
            if ok and dt > 0:
                if dt != period:
                    set_period(dt)
                    period = dt
                update(gyr, no_acc if gate else acc)
                t_prev = now
                current = get_quaternion()
                f = get_flags()
                ignored = gate or get_states().accelerometer_ignored
                bits = (
                    (FLAG_STARTUP if f.startup else 0)
                    | (FLAG_RATE_RECOVERY if f.overrange_recovery else 0)
                    | (FLAG_ACC_RECOVERY if f.acceleration_recovery else 0)
                    | (FLAG_ACC_IGNORED if ignored else 0)
                )
            add_quat(current)
            add_bits(bits)
        quat = np.array(quats, dtype=float).reshape(n, 4)
        flags = np.array(bit_list, dtype=np.uint8)
        self._period_s = period
        self._t_last = t_prev
        self._bits = bits
        return quat, flags
