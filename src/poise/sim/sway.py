"""Postural sway as coloured noise with a body-like spectrum.

Sway of a standing segment is modelled as the sum of three filtered white
noises, each scaled to a share of the variance:

- a slow drift (second-order low-pass at 0.15 Hz): shifts of weight;
- the main sway (second-order band-pass around 0.6 Hz): the inverted pendulum
  under feedback control, the bulk of quiet-standing sway (its power lies
  mostly below 1 Hz);
- fast corrections (band-pass 1.5-4 Hz): ankle and foot muscles, stronger in
  single-leg stance than on two feet.

A final 6 Hz low-pass keeps the angular acceleration band-limited, as muscle
dynamics do. The shares are model choices, not a physiological claim; the
accuracy tests compare against whatever the simulator generated.
"""

from __future__ import annotations

import numpy as np

# (kind, band edges in Hz, share of variance)
_COMPONENTS = (
    ("lowpass", (0.15,), 0.30),
    ("bandpass", (0.35, 1.0), 0.55),
    ("bandpass", (1.5, 4.0), 0.15),
)
_SMOOTHING_HZ = 6.0
_WARMUP_S = 30.0


def sway_noise(rng: np.random.Generator, n: int, rate_hz: float, rms: float) -> np.ndarray:
    """A sway signal of ``n`` samples at ``rate_hz`` whose RMS about zero is ``rms``.

    Every component is normalised over the returned samples, so the RMS is met
    exactly for the realisation, not just on average.
    """
    from scipy import signal  # lazy: the simulator is not on the Pi's start-up path

    warmup = int(_WARMUP_S * rate_hz)
    total = np.zeros(n)
    smooth = signal.butter(4, _SMOOTHING_HZ, "lowpass", fs=rate_hz, output="sos")
    for kind, band, share in _COMPONENTS:
        sos = signal.butter(
            2, band if kind == "bandpass" else band[0], kind, fs=rate_hz, output="sos"
        )
        x = signal.sosfilt(sos, rng.standard_normal(n + warmup))
        x = signal.sosfilt(smooth, x)[warmup:]
        x -= x.mean()
        total += np.sqrt(share) * x / x.std()
    total -= total.mean()
    return rms * total / total.std()
