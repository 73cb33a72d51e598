"""Opening a live sensor from its name on the command line or in the settings.

``i2c``, ``i2c:BUS`` or ``i2c:BUS:ADDRESS`` is an IMU on the Pi's own bus
(:class:`poise.sources.i2c.I2CSource`); ``serial:PORT`` is a sensor node on a
serial port (:class:`poise.sources.serial_link.SerialSource`); ``capture:FILE`` is a
node's raw bytes captured earlier, through the same decoder. The chip, rate,
ranges, placement and mounting come from ``[sensor]``; the bus's details from
``[i2c]``, the link's from ``[serial]``.
"""

from __future__ import annotations

from typing import Any

from poise.errors import PoiseError


def parse_i2c(spec: str, default_bus: int, default_address: int) -> tuple[int, int | None]:
    """Bus and address from ``i2c[:BUS[:ADDRESS]]`` (an address of 0 means: look for it).

    >>> parse_i2c("i2c", 1, 0), parse_i2c("i2c:3:0x6b", 1, 0)
    ((1, None), (3, 107))
    """
    parts = spec.split(":")
    try:
        bus = int(parts[1]) if len(parts) > 1 and parts[1] else default_bus
        address = int(parts[2], 0) if len(parts) > 2 and parts[2] else default_address
    except ValueError:
        raise PoiseError(f"--sensor {spec!r}: give i2c:BUS:ADDRESS, e.g. i2c:1:0x6a") from None
    if len(parts) > 3:
        raise PoiseError(f"--sensor {spec!r}: give i2c:BUS:ADDRESS, e.g. i2c:1:0x6a")
    return bus, address or None


def open_live_source(spec: str, sensor: Any, settings: Any, capture: str | None = None) -> Any:
    """The live source ``spec`` names, configured from ``settings`` (a :class:`Settings`);
    a serial link's raw bytes also go to ``capture``, if given.

    ``capture:FILE`` replays such a capture through the same decoder.
    """
    kind, _, rest = spec.partition(":")
    if kind == "i2c":
        from poise.sources.i2c import I2CSource

        i2c = settings.i2c
        bus, address = parse_i2c(spec, i2c.bus, i2c.address)
        return I2CSource(
            bus=bus,
            address=address,
            model=sensor.model,
            rate_hz=sensor.rate_hz,
            acc_range_g=sensor.acc_range_g,
            gyr_range_dps=sensor.gyr_range_dps,
            placement=sensor.placement,
            mounting=sensor.mounting,
            poll_s=i2c.poll_s,
            retries=i2c.retries,
            fifo_words_per_read=i2c.fifo_words_per_read,
        )
    if kind == "serial":
        if not rest:
            raise PoiseError("--sensor serial:PORT needs a port, e.g. serial:/dev/ttyACM0")
        from poise.sources.serial_link import SerialSource

        return SerialSource(
            rest,
            capture_path=capture,
            placement=sensor.placement,
            mounting=sensor.mounting,
            settings=settings.serial,
        )
    if kind == "capture":
        from poise.sources.serial_link import CaptureSource

        return CaptureSource(rest, placement=sensor.placement, mounting=sensor.mounting)
    raise PoiseError(
        f"--sensor {spec!r}: not a live sensor (i2c[:BUS[:ADDRESS]], serial:PORT or capture:FILE)"
    )
