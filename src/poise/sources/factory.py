"""One factory for every source: ``open_source(spec, settings)`` opens what a spec names.

Specs (``--sensor`` on the command line, ``[sensor] source`` in the settings):

- ``sim``: the built-in simulator, a seeded athlete measured by the configured chip;
- ``replay:FILE``: a recording, read as a stream of blocks;
- ``serial:PORT``: a sensor node on a serial port
  (:class:`poise.sources.serial_link.SerialSource`);
- ``i2c``, ``i2c:BUS`` or ``i2c:BUS:ADDRESS``: an IMU on the Pi's own bus
  (:class:`poise.sources.i2c.I2CSource`);
- ``capture:FILE``: a node's raw bytes captured earlier, through the same decoder.

:func:`parse_source` checks a spec without opening anything, so a command can
refuse a bad one before it writes anything. The chip, rate, ranges,
placement and mounting come from ``[sensor]``; the bus's details from
``[i2c]``, the link's from ``[serial]``. Each source's module is imported only
when it is opened: pyserial, smbus2 and the simulator stay out of the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from poise.errors import PoiseError

if TYPE_CHECKING:
    from poise.recording import Recording
    from poise.settings import Settings
    from poise.sources import Source

#: What ``--sensor`` takes, for messages.
SPECS = "sim, replay:FILE, serial:PORT, i2c[:BUS[:ADDRESS]] or capture:FILE"
KINDS = ("sim", "replay", "serial", "i2c", "capture")


@dataclass(frozen=True)
class SourceSpec:
    """A parsed source spec: its kind and what follows the colon (a file, a port, a bus).

    >>> parse_source("serial:/dev/ttyACM0")
    SourceSpec(kind='serial', target='/dev/ttyACM0')
    >>> parse_source("i2c:3:0x6b").bus_address(1, 0)
    (3, 107)
    """

    kind: str
    target: str = ""

    @property
    def live(self) -> bool:
        """Whether samples come at a sensor's own pace (serial, I2C)."""
        return self.kind in ("serial", "i2c")

    def __str__(self) -> str:
        return f"{self.kind}:{self.target}" if self.target else self.kind

    def bus_address(self, default_bus: int, default_address: int) -> tuple[int, int | None]:
        """Bus and address of an ``i2c[:BUS[:ADDRESS]]`` spec (address 0: look for it)."""
        parts = self.target.split(":") if self.target else []
        try:
            bus = int(parts[0]) if parts and parts[0] else default_bus
            address = int(parts[1], 0) if len(parts) > 1 and parts[1] else default_address
        except ValueError:
            raise PoiseError(f"--sensor {self}: give i2c:BUS:ADDRESS, e.g. i2c:1:0x6a") from None
        return bus, address or None


def parse_source(spec: str) -> SourceSpec:
    """The kind and target of ``spec``; :class:`PoiseError`, one line, if it is not one.

    >>> parse_source("sim"), parse_source("i2c")
    (SourceSpec(kind='sim', target=''), SourceSpec(kind='i2c', target=''))
    """
    kind, _, target = spec.partition(":")
    if kind not in KINDS:
        raise PoiseError(f"--sensor {spec!r}: give {SPECS}")
    if kind == "sim" and target:
        raise PoiseError(f"--sensor {spec!r}: the simulator takes no argument (give sim)")
    if kind in ("replay", "serial", "capture") and not target:
        what = "a port, e.g. serial:/dev/ttyACM0" if kind == "serial" else "a file"
        raise PoiseError(f"--sensor {kind}:... needs {what}")
    if kind == "i2c" and target.count(":") > 1:
        raise PoiseError(f"--sensor {spec!r}: give i2c:BUS:ADDRESS, e.g. i2c:1:0x6a")
    parsed = SourceSpec(kind, target)
    if kind == "i2c":
        parsed.bus_address(1, 0)  # the numbers are checked now, not when the bus is opened
    return parsed


def open_source(
    spec: str | SourceSpec,
    settings: Settings,
    *,
    capture: str | None = None,
    recording: Recording | None = None,
    seed: int = 1,
) -> Source:
    """The source ``spec`` names, configured from ``settings`` (:class:`~poise.settings.Settings`).

    Args:
        capture: where a serial link's raw bytes are also kept, if anywhere.
        recording: for ``replay:FILE``, the recording already read (with its
            import options); else the file is read as a Poise recording or x-io CSV.
        seed: the simulator's seed (``sim`` simulates a single-leg stance).
    """
    parsed = spec if isinstance(spec, SourceSpec) else parse_source(spec)
    sensor = settings.sensor
    if parsed.kind == "sim":
        from poise.sources.sim import SimSource

        return SimSource("stance", sensor, seed=seed)
    if parsed.kind == "replay":
        from poise.formats import load_recording
        from poise.sources.replay import ReplaySource

        return ReplaySource(recording or load_recording(parsed.target))
    if parsed.kind == "i2c":
        from poise.sources.i2c import I2CSource

        i2c = settings.i2c
        bus, address = parsed.bus_address(i2c.bus, i2c.address)
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
    if parsed.kind == "serial":
        from poise.sources.serial_link import SerialSource

        return SerialSource(
            parsed.target,
            capture_path=capture,
            placement=sensor.placement,
            mounting=sensor.mounting,
            settings=settings.serial,
        )
    from poise.sources.serial_link import CaptureSource

    return CaptureSource(parsed.target, placement=sensor.placement, mounting=sensor.mounting)
