"""Finding the IMU: which chip answers at which address, by its WHO_AM_I register.

:func:`detect` picks the chip for the I2C source and says in one line what is
wrong when it is missing or another chip answers; :func:`scan_i2c` lists every
IMU on the Pi's buses (for ``poise sensors``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from poise.errors import PoiseError
from poise.sources.i2c.bus import Device, I2CBus, open_smbus
from poise.sources.i2c.models import MODELS, ChipModel, model_named, models_with_id

#: Where the family of each WHO_AM_I register lives: (register, addresses), tried in order.
_PROBES = tuple(dict.fromkeys((m.who_am_i_register, m.addresses) for m in MODELS.values()).keys())


@dataclass(frozen=True)
class FoundIMU:
    """An IMU that answered a scan.

    Args:
        bus: the bus number (``/dev/i2c-<bus>``).
        address: its 7-bit address.
        model: the chip taken for it (``LSM6DSO32``).
        who_am_i: the value its WHO_AM_I register holds.
        alternatives: other chips with the same WHO_AM_I (0x6C is also an LSM6DSOX).
    """

    bus: int
    address: int
    model: str
    who_am_i: int
    alternatives: tuple[str, ...] = ()

    def __str__(self) -> str:
        line = f"i2c:{self.bus}:0x{self.address:02x}  {self.model} (WHO_AM_I 0x{self.who_am_i:02x})"
        if self.alternatives:
            line += f"; or {', '.join(self.alternatives)}: set the model if so"
        return line


def probe(device: Device, register: int) -> int | None:
    """The byte at ``register``, or None when nothing answers (one attempt, no retries)."""
    try:
        return device.read(register)
    except PoiseError:
        return None


def identify(device: Device, addresses_only: bool = False) -> tuple[ChipModel, int] | None:
    """The first known chip whose WHO_AM_I matches at ``device.address``, with the value read."""
    for register, addresses in _PROBES:
        if addresses_only and device.address not in addresses:
            continue
        value = probe(device, register)
        if value is not None and models_with_id(register, value):
            return models_with_id(register, value)[0], value
    return None


def detect(
    bus: I2CBus, bus_name: str, address: int | None, model: str | None, **device_args: object
) -> tuple[ChipModel, Device]:
    """The chip to use and a retrying :class:`Device` for it.

    With ``model`` set, its WHO_AM_I must match; without, any known chip will do
    (WHO_AM_I 0x6C is taken for an LSM6DSO32). Without ``address``, the model's
    (or every family's) usual addresses are tried in turn. Raises PoiseError
    with one line naming the bus, the address, the value read and the value expected.
    """
    wanted = model_named(model) if model else None
    if address is None:
        candidates = wanted.addresses if wanted else tuple(a for _, aa in _PROBES for a in aa)
    else:
        candidates = (address,)
    for addr in candidates:
        quiet = Device(bus, addr, bus_name, retries=0 if address is None else 2)
        if wanted is not None:
            value = probe(quiet, wanted.who_am_i_register)
            if value is None:
                continue
            if value != wanted.who_am_i:
                raise PoiseError(
                    f"{quiet.where}: WHO_AM_I (register 0x{wanted.who_am_i_register:02x}) reads "
                    f"0x{value:02x}, expected 0x{wanted.who_am_i:02x} for {wanted.spec.name}; "
                    "is another chip wired there, or is the model setting wrong?"
                )
            found = wanted
        else:
            hit = identify(quiet, addresses_only=address is None)
            if hit is None:
                if address is None:
                    continue
                raise PoiseError(
                    f"{quiet.where}: no supported IMU answers (expected WHO_AM_I "
                    f"{_expected()}); check the wiring and `i2cdetect -y {bus_name}`"
                )
            found = hit[0]
        return found, Device(bus, addr, bus_name, **device_args)
    tried = ", ".join(f"0x{a:02x}" for a in candidates)
    what = wanted.spec.name if wanted else "IMU"
    raise PoiseError(
        f"I2C bus {bus_name}: no {what} answers at {tried}; check the wiring and power "
        f"(hardware/wiring.md) and `i2cdetect -y {bus_name}`"
    )


def _expected() -> str:
    return ", ".join(
        f"0x{m.who_am_i:02x} at 0x{m.who_am_i_register:02x} ({m.spec.name})"
        for m in MODELS.values()
    )


def scan_i2c(
    bus_numbers: Iterable[int] = (1,),
    open_bus: Callable[[int], I2CBus] = open_smbus,
) -> list[FoundIMU]:
    """Every known IMU on the given buses, at the addresses its family can have.

    A bus that cannot be opened is skipped (the Pi may have only bus 1 enabled).
    """
    found = []
    for number in bus_numbers:
        try:
            bus = open_bus(number)
        except PoiseError:
            continue
        try:
            for _, addresses in _PROBES:
                for address in addresses:
                    hit = identify(Device(bus, address, str(number), retries=0), True)
                    if hit is None:
                        continue
                    model, value = hit
                    others = models_with_id(model.who_am_i_register, value)[1:]
                    found.append(
                        FoundIMU(
                            number,
                            address,
                            model.spec.name,
                            value,
                            tuple(m.spec.name for m in others),
                        )
                    )
        finally:
            close = getattr(bus, "close", None)
            if close is not None:
                close()
    return found
