"""Where a session's samples come from, trial by trial: the simulator, a file, a live sensor.

A live sensor streams all session long; each trial takes the blocks that
arrive while it runs, and rest time drains the rest. The simulator makes one
athlete per trial who follows the trial's plan (the same cues a person hears).
A recorded file is one trial. All of them give the session the same thing: a
:class:`TrialFeed` with the recording's metadata and its blocks.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from poise.drills import TrainSettings
from poise.drills.protocol import Condition, DrillSpec, TrialPlan
from poise.recording import Recording, RecordingMeta
from poise.samples import SampleBlock
from poise.sources import DEFAULT_BLOCK_S, Source, block_length
from poise.sources.settings import SensorSettings


@dataclass
class TrialFeed:
    """One trial's stream: its metadata (placement set to the trial's leg) and blocks."""

    meta: RecordingMeta
    blocks: Iterator[SampleBlock]


class Stream(Protocol):
    """What a session reads samples from."""

    #: Whether blocks come at the sensor's own pace (a live sensor) or as fast as
    #: they are asked for (simulator, file).
    live: bool

    def trial(self, spec: DrillSpec, condition: Condition, plan: TrialPlan) -> TrialFeed: ...

    def calibration(self, condition: Condition) -> TrialFeed | None:
        """The functional calibration's stream (a still stand, two knee bends), or None
        where the stream cannot be asked to move (a recording)."""
        ...

    def rest(self, seconds: float) -> Iterator[SampleBlock]: ...

    def health(self) -> str | None: ...

    def close(self) -> None: ...


def paced(blocks: Iterator[SampleBlock], realtime: bool) -> Iterator[SampleBlock]:
    """The blocks, each held back until the wall clock has caught up with its device time."""
    if not realtime:
        yield from blocks
        return
    start_wall = start_t = None
    for block in blocks:
        if len(block):
            if start_wall is None:
                start_wall, start_t = time.monotonic(), float(block.t_s[0])
            wait = (float(block.t_s[-1]) - start_t) - (time.monotonic() - start_wall)
            if wait > 0:
                time.sleep(wait)
        yield block


class SimStream:
    """A simulated athlete per trial, following the trial's plan.

    Args:
        sensor: the simulated sensor (chip, rate, ranges, mounting).
        train: the session's timing (the simulated trial must cover it).
        seed: seed of the first trial; trial k uses ``seed + k``.
        realtime: pace blocks in real time (to be heard live) or deliver at once.
        worn: how the simulated athlete wears the sensor (``front``, ``lateral``,
            ``upside_down``) whatever ``sensor`` declares; None: as declared.
    """

    live = False

    def __init__(
        self,
        sensor: SensorSettings,
        train: TrainSettings,
        seed: int = 1,
        realtime: bool = False,
        block_s: float = DEFAULT_BLOCK_S,
        worn: str | None = None,
    ) -> None:
        self.sensor = sensor
        self.train = train
        self.worn = worn
        self.seed = seed
        self.realtime = realtime
        self.block_s = block_s
        self.trials = 0
        self.last: Any = None  # the latest simulation, truth included

    def trial(self, spec: DrillSpec, condition: Condition, plan: TrialPlan) -> TrialFeed:
        scenario, params = spec.sim(condition, plan, self.train)
        return self._simulated(scenario, condition, params)

    def calibration(self, condition: Condition) -> TrialFeed:
        return self._simulated("knee_bends", condition, {})

    def _simulated(self, scenario: str, condition: Condition, params: dict) -> TrialFeed:
        from poise.sources.sim import SimSource  # lazy: simulating needs scipy

        placement = "board" if condition.leg == "board" else f"{condition.leg}_shank"
        sensor = dataclasses.replace(self.sensor, placement=placement)
        if self.worn is not None and condition.leg != "board":
            params = {**params, "worn": self.worn}
        source = SimSource(scenario, sensor, seed=self.seed + self.trials, **params)
        self.trials += 1
        self.last = source.result
        return TrialFeed(source.meta, paced(source.blocks(), self.realtime))

    def rest(self, seconds: float) -> Iterator[SampleBlock]:
        if self.realtime:
            time.sleep(seconds)
        return iter(())

    def health(self) -> str | None:
        return None

    def close(self) -> None:
        pass


class FileStream:
    """A recording replayed as one trial, at full speed or paced in real time."""

    live = False

    def __init__(
        self, recording: Recording, realtime: bool = False, block_s: float = DEFAULT_BLOCK_S
    ) -> None:
        self.recording = recording
        self.realtime = realtime
        self.block_s = block_s
        self._used = False

    def trial(self, spec: DrillSpec, condition: Condition, plan: TrialPlan) -> TrialFeed:
        samples = self.recording.samples if not self._used else SampleBlock.empty()
        self._used = True
        blocks = samples.split(block_length(self.recording.meta.rate_hz, self.block_s))
        return TrialFeed(self.recording.meta, paced(iter(blocks), self.realtime))

    def calibration(self, condition: Condition) -> None:
        return None  # a recording cannot be asked to bend the knee: its header says

    def rest(self, seconds: float) -> Iterator[SampleBlock]:
        return iter(())

    def health(self) -> str | None:
        return None

    def close(self) -> None:
        pass


class SourceStream:
    """A live sensor: one stream for the whole session, cut into trials as they come.

    A source that is not live (a capture file) delivers as fast as it is read.
    """

    def __init__(self, source: Source) -> None:
        self.source = source
        self.live = source.live
        self._blocks = source.blocks()

    def trial(self, spec: DrillSpec, condition: Condition, plan: TrialPlan) -> TrialFeed:
        return self.trial_feed(condition)

    def calibration(self, condition: Condition) -> TrialFeed:
        return self.trial_feed(condition)

    def trial_feed(self, condition: Condition) -> TrialFeed:
        """The stream from now on, as the leg's (the calibration's and each trial's)."""
        meta = self.source.meta
        if meta.placement != "board" and condition.leg != "board":
            meta = dataclasses.replace(meta, placement=f"{condition.leg}_shank")
        return TrialFeed(meta, self._blocks)

    def rest(self, seconds: float) -> Iterator[SampleBlock]:
        """Blocks arriving during a rest (kept flowing so no buffer overflows)."""
        end = time.monotonic() + seconds
        for block in self._blocks:
            yield block
            if time.monotonic() >= end:
                return

    def health(self) -> str | None:
        stats = self.source.stats
        return stats.summary() if stats is not None else None

    def close(self) -> None:
        self.source.close()
