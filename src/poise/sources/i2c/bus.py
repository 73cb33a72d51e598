"""The I2C bus edge: the smbus2 method subset the drivers use, and retries on I/O errors.

Drivers never import smbus2. They take any object with the three methods of
:class:`I2CBus` (an ``smbus2.SMBus`` has them; tests pass a fake bus), wrapped
in a :class:`Device` that retries the transient errors an I2C bus on a Pi
gives (``EREMOTEIO`` 121, a NACK: a loose wire or a chip busy resetting; ``EIO``
5), counts every failed attempt, and turns a persistent failure into one line
that names the bus, the address and the register.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from typing import Any, Protocol

from poise.errors import PoiseError

#: Errors worth retrying: a NACK (Remote I/O) or a bus error.
TRANSIENT_ERRNOS = (errno.EREMOTEIO, errno.EIO)
#: Longest block one SMBus/I2C-block transfer may carry (Linux I2C_SMBUS_BLOCK_MAX).
BLOCK_MAX = 32


class I2CBus(Protocol):
    """The subset of ``smbus2.SMBus`` Poise uses (7-bit addresses, 8-bit registers)."""

    def read_byte_data(self, i2c_addr: int, register: int) -> int: ...

    def write_byte_data(self, i2c_addr: int, register: int, value: int) -> None: ...

    def read_i2c_block_data(self, i2c_addr: int, register: int, length: int) -> list[int]: ...


def open_smbus(number: int) -> I2CBus:
    """Open ``/dev/i2c-<number>`` with smbus2 (imported here only, when a real bus is used).

    Raises PoiseError when the bus device is missing or not accessible.
    """
    try:
        from smbus2 import SMBus
    except ImportError:  # pragma: no cover - smbus2 is a dependency
        raise PoiseError("the I2C source needs the smbus2 package (pip install smbus2)") from None
    try:
        return SMBus(number)
    except FileNotFoundError:
        raise PoiseError(
            f"I2C bus {number}: /dev/i2c-{number} does not exist; enable I2C "
            "(sudo raspi-config nonint do_i2c 0) and reboot, see hardware/pi-setup.md"
        ) from None
    except PermissionError:
        raise PoiseError(
            f"I2C bus {number}: no permission to open /dev/i2c-{number}; "
            "add the user to the i2c group (sudo adduser $USER i2c) and log in again"
        ) from None


class Device:
    """One chip on one bus: register reads and writes with retries and error counts.

    Args:
        bus: the bus object (:class:`I2CBus`).
        address: the chip's 7-bit address.
        bus_name: how messages name the bus (``"1"`` for /dev/i2c-1).
        retries: further attempts after a transient error before giving up.
        sleep: waits between attempts (injected so tests run on a fake clock).
        retry_wait_s: wait before the first retry, s; doubled on each further one.

    ``io_errors`` counts failed attempts, ``reads`` successful read transactions.
    """

    def __init__(
        self,
        bus: I2CBus,
        address: int,
        bus_name: str,
        retries: int = 3,
        sleep: Callable[[float], None] | None = None,
        retry_wait_s: float = 0.002,
    ) -> None:
        self.bus = bus
        self.address = address
        self.bus_name = bus_name
        self.retries = retries
        self.retry_wait_s = retry_wait_s
        self._sleep = sleep or _no_wait
        self.io_errors = 0
        self.reads = 0

    @property
    def where(self) -> str:
        """``I2C bus 1 address 0x6a``: how every message starts."""
        return f"I2C bus {self.bus_name} address 0x{self.address:02x}"

    def read(self, register: int) -> int:
        """One register's byte."""
        return self._attempt(
            f"read of register 0x{register:02x}",
            lambda: self.bus.read_byte_data(self.address, register),
        )

    def read_block(self, register: int, length: int) -> bytes:
        """``length`` bytes (at most :data:`BLOCK_MAX`) from ``register`` in one transaction."""
        data = self._attempt(
            f"read of {length} bytes from register 0x{register:02x}",
            lambda: self.bus.read_i2c_block_data(self.address, register, length),
        )
        return bytes(data)

    def write(self, register: int, value: int) -> None:
        self._attempt(
            f"write of 0x{value:02x} to register 0x{register:02x}",
            lambda: self.bus.write_byte_data(self.address, register, value),
            read=False,
        )

    def _attempt(self, what: str, op: Callable[[], Any], read: bool = True) -> Any:
        wait_s = self.retry_wait_s
        failures = 0
        while True:
            try:
                result = op()
            except OSError as e:
                failures += 1
                self.io_errors += 1
                if e.errno not in TRANSIENT_ERRNOS or failures > self.retries:
                    reason = e.strerror or str(e)
                    raise PoiseError(
                        f"{self.where}: {what} failed {failures} time(s) "
                        f"([Errno {e.errno}] {reason}); check the sensor's wiring and power"
                    ) from None
                self._sleep(wait_s)
                wait_s *= 2
            else:
                self.reads += read
                return result


def _no_wait(_: float) -> None:
    return None
