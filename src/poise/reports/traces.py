"""A trial's tilt over time, from its recording, for the report's plots.

The store keeps a trial's numbers, not its samples; the plots of a stance
(the stabilogram, tilt against time) are drawn from the recording the trial
was scored from, tracked again with its session's settings over the span it
was scored on, as ``poise store rebuild`` scores it. The numbers printed
beside a plot are always the store's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Most points a plotted line keeps: a 45 s trial is drawn from 500 block means
#: (11 a second: sway lies under 5 Hz, and a printed line 10 cm long has no more room).
PLOT_POINTS = 500


@dataclass(frozen=True)
class Trace:
    """The AP and ML tilt of a trial's span, deg, against time from its start, s
    (block means, at most :data:`PLOT_POINTS`), and its 95% ellipse (ML, AP centre,
    semi-axes, angle; :func:`poise.metrics.sway.ellipse95`) over every sample;
    ``default_settings`` where the session's recorded settings are not this Poise's
    and the defaults were used instead (the plot may then differ from the score)."""

    t_s: np.ndarray
    tilt_ap_deg: np.ndarray
    tilt_ml_deg: np.ndarray
    start_s: float
    ellipse: tuple[float, float, float, float, float]
    default_settings: bool = False


def tilt_trace(recording: Path, span_s: tuple[float, float]) -> Trace:
    """The tilt of ``recording`` over ``span_s`` (device time, s), as it was scored.

    Raises :class:`~poise.errors.PoiseError` naming the file when it cannot be read or tracked.
    """
    from poise.analysis.prepare import cut
    from poise.analysis.tracked import track
    from poise.formats.poise_csv import read_recording
    from poise.metrics.sway import ellipse95
    from poise.settings import Settings, session_settings

    loaded = read_recording(recording)
    settings = session_settings(loaded.meta.store)
    tracked = track(loaded, (settings or Settings()).tilt, columns=("tilt_deg",))
    p = cut(tracked, span_s[0], span_s[1])
    ap, ml = p.tilt_deg[:, 0], p.tilt_deg[:, 1]
    return Trace(
        t_s=_block_means(p.t_s) - p.span_s[0],
        tilt_ap_deg=_block_means(ap),
        tilt_ml_deg=_block_means(ml),
        start_s=p.span_s[0],
        ellipse=ellipse95(ap, ml),
        default_settings=settings is None,
    )


def _block_means(x: np.ndarray) -> np.ndarray:
    """``x`` as the means of consecutive blocks, at most :data:`PLOT_POINTS` of them (the
    last block may be shorter); averaging, not picking, so that nothing aliases."""
    step = max(1, -(-len(x) // PLOT_POINTS))
    whole = len(x) // step * step
    means = x[:whole].reshape(-1, step).mean(axis=1)
    if whole < len(x):
        means = np.append(means, x[whole:].mean())
    return means
