"""Settings of the I2C source (the ``[i2c]`` section the lead registers in Settings)."""

from __future__ import annotations

from dataclasses import dataclass

from poise.checks import check_count, check_number


@dataclass(frozen=True)
class I2CSettings:
    """Where the IMU is on the Pi's I2C bus and how its FIFO is drained.

    Args:
        bus: the bus number, ``/dev/i2c-<bus>``; 1 is the 40-pin header's GPIO2/GPIO3.
        address: the chip's 7-bit address; 0 tries the usual ones (0x6A, 0x6B, 0x68, 0x69).
        poll_s: interval between FIFO drains, s (the FIFO holds 0.2 s at 833 Hz).
        retries: attempts after an I/O error (errno 121 or 5) before the source gives up.
        fifo_words_per_read: LSM6DS FIFO words per bus transaction; 1 is safe on
            every board, 4 needs the FIFO output registers' address roll-back.
    """

    bus: int = 1
    address: int = 0
    poll_s: float = 0.02
    retries: int = 3
    fifo_words_per_read: int = 1

    def __post_init__(self) -> None:
        check_count("bus", self.bus, 0, 99)
        if self.address != 0:
            check_count("address", self.address, 0x08, 0x77)
        check_number("poll_s", self.poll_s, 0.001, 0.1)
        check_count("retries", self.retries, 0, 20)
        check_count("fifo_words_per_read", self.fifo_words_per_read, 1, 4)
