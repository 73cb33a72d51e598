"""Is a node's hello one Poise can convert samples with? Every field against the chip table.

A hello passes its CRC and its length check and can still be hostile (CRC-16
lets about 1 in 65,536 damaged frames through) or come from a node whose
firmware is wrong. The host converts every sample with the hello's rate,
sensitivities and tick, so each is checked against the datasheet facts in
:mod:`poise.chips` before the decoder takes it; a hello that fails is refused
(counted in ``LinkStats.hellos_refused``) with the one-line reason this gives.
"""

from __future__ import annotations

import math

from poise.chips import CHIPS, known_chip
from poise.link.messages import Hello

#: How far the timestamp tick may lie from the chip's nominal one. The LSM6DS clock trim
#: (INTERNAL_FREQ_FINE, -128..127 at 0.15 % a step, AN5473) gives 25 / (1 + 0.0015 f) us,
#: 20.9 to 30.9 us: within 25 % of 25 us.
TICK_TOLERANCE = 0.25
#: Relative difference allowed between a stated sensitivity and the datasheet's (the
#: firmware states the datasheet's own figure; a float32 keeps 7 digits).
SENSITIVITY_TOLERANCE = 1e-4
#: Longest text field shown in a refusal.
SHOWN_CHARS = 40


def hello_problem(hello: Hello) -> str | None:
    """Why ``hello`` is refused, in one line; None when every field fits its chip.

    >>> from poise.link.messages import Hello
    >>> good = Hello(1, 7, 416.0, 32, 2000, 0.976e-3, 70e-3, 25.0, "LSM6DSO32", "0.1.0")
    >>> hello_problem(good) is None
    True
    >>> import dataclasses
    >>> hello_problem(dataclasses.replace(good, tick_us=0.0))
    'tick_us 0 is not a LSM6DSO32 timestamp tick (18.75 to 31.25 us)'
    """
    model = _shown(hello.sensor_model)
    spec = known_chip(hello.sensor_model) if hello.sensor_model.isprintable() else None
    if spec is None:
        known = ", ".join(c.name for c in CHIPS.values())
        return f"sensor model {model} is not a chip Poise knows ({known})"
    if not hello.firmware.isprintable():
        return f"firmware version {_shown(hello.firmware)} has control characters"
    if spec.timestamp_lsb_s is None:
        return f"{spec.name} has no sample timestamps, which the node link needs"
    try:
        spec.check_odr(hello.odr_hz)
        spec.check_ranges(float(hello.acc_range_g), float(hello.gyr_range_dps))
    except ValueError as e:
        return str(e)
    for field, value, datasheet, full_scale in (
        ("acc_g_per_lsb", hello.acc_g_per_lsb, spec.acc_lsb_g[hello.acc_range_g],
         f"+-{hello.acc_range_g} g"),
        ("gyr_dps_per_lsb", hello.gyr_dps_per_lsb, spec.gyr_lsb_dps[hello.gyr_range_dps],
         f"+-{hello.gyr_range_dps} deg/s"),
    ):  # fmt: skip
        if not math.isclose(value, datasheet, rel_tol=SENSITIVITY_TOLERANCE):
            return f"{field} {value:g} is not the {spec.name}'s {datasheet:g} at {full_scale}"
    nominal_us = spec.timestamp_lsb_s * 1e6
    low, high = nominal_us * (1 - TICK_TOLERANCE), nominal_us * (1 + TICK_TOLERANCE)
    if not low <= hello.tick_us <= high:
        plausible = f"{low:g} to {high:g} us"
        return f"tick_us {hello.tick_us:g} is not a {spec.name} timestamp tick ({plausible})"
    return None


def _shown(text: str) -> str:
    """``text`` quoted, escaped (no control characters reach a terminal) and cut short."""
    shown = repr(text[:SHOWN_CHARS])
    return shown + "..." if len(text) > SHOWN_CHARS else shown
