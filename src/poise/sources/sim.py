"""The simulator as a source: a seeded athlete delivered block by block like a live sensor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from poise.samples import SampleBlock
from poise.sim import SimResult, scenario_parameters, simulate
from poise.sources import DEFAULT_BLOCK_S, block_length
from poise.sources.settings import SensorSettings


class SimSource:
    """A simulated scenario, measured by the configured chip, as a stream of blocks.

    The truth stays available (``source.result.truth``) for comparison.

    >>> source = SimSource("stance", SensorSettings(rate_hz=104.0), seed=1, duration_s=5.0)
    >>> source.meta.sensor_model, source.meta.rate_hz
    ('LSM6DSO32', 104.0)
    """

    live = False
    stats = None

    def __init__(
        self,
        scenario: str,
        sensor: SensorSettings,
        seed: int = 0,
        block_s: float = DEFAULT_BLOCK_S,
        **params: Any,
    ) -> None:
        # The simulated athlete uses the leg the sensor is configured on.
        if sensor.placement.endswith("_shank") and "leg" in scenario_parameters(scenario):
            params.setdefault("leg", sensor.placement.split("_")[0])
        self.result: SimResult = simulate(
            scenario,
            rate_hz=sensor.rate_hz,
            seed=seed,
            imu=sensor.model,
            acc_range_g=sensor.acc_range_g,
            gyr_range_dps=sensor.gyr_range_dps,
            mounting=sensor.mounting,
            **params,
        )
        self.meta = self.result.recording.meta
        self.block_s = block_s

    def blocks(self) -> Iterator[SampleBlock]:
        samples = self.result.recording.samples
        yield from samples.split(block_length(self.meta.rate_hz, self.block_s))

    def close(self) -> None:
        """Nothing to release: the simulation is in memory."""
