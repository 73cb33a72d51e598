"""From link bytes to :class:`poise.samples.SampleBlock` in Poise units: the unit boundary.

The one place where the node's raw counts and ticks become g, deg/s and
seconds, using the sensitivities the node stated in its hello (so the host
needs no table of chips). Live ports and replayed captures both go through
:class:`LinkReceiver`, so a capture decodes exactly as it did live.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from poise.link.decoder import LinkDecoder, SampleRun
from poise.link.messages import Hello
from poise.link.stats import LinkStats
from poise.samples import SampleBlock

#: Samples kept while waiting for the first hello (about 5 s at 833 Hz); older ones are dropped.
MAX_SAMPLES_BEFORE_HELLO = 4096


def runs_to_block(runs: Sequence[SampleRun], hello: Hello) -> SampleBlock:
    """Samples in Poise units: t_s from ticks, acc_g and gyr_dps from counts.

    >>> import numpy as np
    >>> from poise.link.messages import Hello
    >>> hello = Hello(1, 7, 416.0, 32, 2000, 0.000976, 0.07, 25.0, "LSM6DSO32", "0.1.0")
    >>> run = SampleRun(np.array([5]), np.array([400]), np.array([[10, 0, 0, 0, 0, 1024]]))
    >>> block = runs_to_block([run], hello)
    >>> float(block.t_s[0]), float(block.seq[0])
    (0.01, 5.0)
    >>> round(float(block.gyr_dps[0, 0]), 6), round(float(block.acc_g[0, 2]), 6)
    (0.7, 0.999424)
    """
    if not runs:
        return SampleBlock.empty()
    counts = np.concatenate([r.counts for r in runs]) if len(runs) > 1 else runs[0].counts
    t_ticks = np.concatenate([r.t_ticks for r in runs]) if len(runs) > 1 else runs[0].t_ticks
    seq = np.concatenate([r.seq for r in runs]) if len(runs) > 1 else runs[0].seq
    return SampleBlock(
        t_s=t_ticks * (float(hello.tick_us) / 1e6),
        seq=seq,
        acc_g=counts[:, 3:] * float(hello.acc_g_per_lsb),
        gyr_dps=counts[:, :3] * float(hello.gyr_dps_per_lsb),
    )


class LinkReceiver:
    """A decoder plus the hello it needs to convert samples to Poise units.

    Samples that arrive before the first hello (the node was already streaming
    when the host connected) are kept, up to :data:`MAX_SAMPLES_BEFORE_HELLO`,
    and delivered once the hello arrives; older ones are counted in
    ``stats.samples_dropped``.
    """

    def __init__(self) -> None:
        self.decoder = LinkDecoder()
        self._waiting: list[SampleRun] = []

    @property
    def stats(self) -> LinkStats:
        return self.decoder.stats

    @property
    def hello(self) -> Hello | None:
        return self.decoder.hello

    def feed(self, data: bytes, host_t_s: float | None = None) -> SampleBlock:
        """All new samples in ``data`` as one block (empty when there are none or no hello yet)."""
        runs = [m for m in self.decoder.feed(data, host_t_s) if isinstance(m, SampleRun)]
        hello = self.decoder.hello
        if hello is None:
            self._waiting.extend(runs)
            while sum(len(r) for r in self._waiting) > MAX_SAMPLES_BEFORE_HELLO:
                self.stats.samples_dropped += len(self._waiting.pop(0))
            return SampleBlock.empty()
        if self._waiting:
            runs = self._waiting + runs
            self._waiting = []
        return runs_to_block(runs, hello)
