"""Hops and landings: take-off, flight, contact, height, impact, stabilisation.

Input is the earth-vertical specific force ``sf_v`` (g: 1 standing still, 0
in free fall), which needs the sensor's tilt, on a uniform grid.

- **Flight** begins once ``sf_v`` falls below ``FREE_FALL_G`` after a push
  (``sf_v`` above ``PUSH_G`` within the 0.5 s before) and ends at the first sign
  of the ground: a rise above ``IMPACT_G`` (a mid-air bump of the arms or the
  strap stays below it), or ``SUSTAINED_GROUND_S`` above ``GROUND_G`` (a soft
  landing; the push after a dip inside a contact) unless the entry overshot
  below ``-TRUNK_OVERSHOOT_G`` (a trunk sensor, whose arms swing in flight) and
  did not come within ``RECOIL_S`` of a landing's impact (a hard landing's
  recoil, which overshoots too, is inside a contact). The data tell these apart,
  not the placement: the rules are the same with or without ``--placement``. A
  candidate shorter than ``MIN_FLIGHT_S`` is a dip inside a ground contact (or a
  recoil after a landing); one with no ground within ``MAX_FLIGHT_S`` is no
  flight, and the search goes on from the next entry (never from an impact
  seconds later, which would skip the real take-off before it).
- Edges are located on ``sf_v`` interpolated (band-limited, polyphase) to at
  least ``EDGE_RATE_HZ``, so that at 100 Hz a sample period does not set the
  resolution; the chip's own low-pass makes the samples band-limited enough.
- **Take-off** is where the push's fall in ``sf_v`` ends. On the shank the
  fall stops in a corner as free fall begins: take-off is where the line
  through the fall's steepest part (the signal smoothed over
  ``SLOPE_SMOOTHING_S``, its steps smoothed again so noise cannot pick the
  steepest) meets the free-fall level. A low-pass moves that corner later by
  its group delay, so the take-off is moved back by it: the chip's filter's
  (:meth:`poise.chips.ChipSpec.lpf_delay_s`), or a typical one where the chip is
  not known (:mod:`poise.drills.hop`). On the trunk, whose
  specific force overshoots below zero as the legs tuck, take-off is the bottom
  of that overshoot, which marks the feet leaving the ground (checked against a
  force plate on a real countermovement jump: docs/metrics.md).
- **Contact** (landing) is the onset of the rise to the impact: the earlier
  of the line through the rise's steepest step extended back to the
  free-fall level (an impact that is steep from its start; a low-pass hardly
  delays the leading edge of a rise many g high) and the point where the rise
  first clears the free-fall level by ``ONSET_RISE_G`` (a rise that starts
  gently, cushioned by the legs, as a trunk sensor feels it).
- Flight time is contact minus take-off; height ``h = g T^2 / 8`` (ballistic
  flight; Bosco et al. 1983; My Jump, Balsalobre-Fernandez et al. 2015).
- **Peak acceleration** is the largest raw resultant specific force (g, as
  measured, gravity included) within +-100 ms of contact.
- **Time to stabilisation** (a landing held on one leg) is read from the
  decay of the landing's perturbation, within a fixed window of
  ``TTS_WINDOW_S`` after contact (trial length changes TTS by ~100%, Fransz
  et al. 2015). The tilt is high-passed at ``TTS_HIGHPASS_HZ`` (the landing's
  oscillation is faster than the slow weight shifts that would mask its end)
  and its amplitude envelope (AP and ML together) taken; a straight line is
  fitted to the envelope's logarithm from its peak until it first falls under
  ``TTS_FIT_END_MULTIPLE`` times the athlete's single-leg sway RMS (the
  baseline; without one, the window's last second stands in). TTS is where
  that fitted exponential decay reaches the baseline. Fitting a curve to the
  post-landing signal and taking its crossing with a threshold follows Colby
  et al. (1999); fitting the decay rather than waiting for the last
  threshold crossing keeps the result from hinging on one chance excursion of
  ordinary sway, which is as large as the threshold itself.
- **Repeated hops**: ground contact time is the next take-off minus contact;
  the reactive strength index is the next flight time over the contact time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from poise.metrics.filters import resample_poly
from poise.metrics.signals import envelope, highpass
from poise.samples import STANDARD_GRAVITY_MPS2

FREE_FALL_G = 0.35
PUSH_G = 1.2
IMPACT_G = 2.5
#: This long above GROUND_G is the ground carrying the athlete (a soft landing, the
#: push-off after a dip inside a contact), s.
GROUND_G = 0.6
SUSTAINED_GROUND_S = 0.06
MIN_FLIGHT_S = 0.12
MAX_FLIGHT_S = 1.2
#: A contact shorter than this between a landing and the next take-off is a rebound.
MAX_CONTACT_S = 1.0
PEAK_WINDOW_S = 0.1
TTS_WINDOW_S = 5.0
TTS_HIGHPASS_HZ = 0.8
#: The decay is fitted until the envelope first falls under this multiple of the baseline.
TTS_FIT_END_MULTIPLE = 1.5
#: The envelope's peak is looked for this long after contact, s (after the impact's jolt).
TTS_PEAK_SEARCH_S = (0.1, 1.0)
#: Independent values a second in the envelope of the settling (see stabilisation), Hz.
TTS_INDEPENDENT_HZ = 2.0
#: The method's own error, SD, s: against the simulator's true settling its 90th
#: percentile is 0.63 s (docs/metrics.md), 1.645 SD of a normal error.
TTS_METHOD_SD_S = 0.38
#: Tilt before contact that the high-pass starts on, so its start-up is over by contact, s.
TTS_LEAD_IN_S = 1.0
#: Edges are located on the signal interpolated to at least this rate, Hz (see find_flights).
EDGE_RATE_HZ = 1000.0
#: Smoothing before the take-off's slope is judged, s.
SLOPE_SMOOTHING_S = 0.02
#: The push's fall has ended where it has slowed to this fraction of its steepest rate.
FALL_END_FRACTION = 0.1
#: How long the free-fall level is taken over, after the fall and before an impact, s.
FLOOR_S = 0.03
#: A rise this far above the free-fall level is the ground's, g.
ONSET_RISE_G = 0.15
#: An excursion this soon before the rise proper is its start (the strap's first
#: wobble), s; looked for at sampling rates from BRIDGE_MIN_RATE_HZ, Hz.
BRIDGE_S = 0.015
BRIDGE_MIN_RATE_HZ = 400.0
#: Below this, a trunk sensor's specific force has overshot free fall, g.
OVERSHOOT_G = 0.5
#: An overshoot this deep, within OVERSHOOT_S of the entry into free fall, is a trunk
#: sensor's as the legs tuck (-3 g on the phone of the countermovement jump in
#: ../shared/data/recordings); a shank turning in flight, its lever arm misjudged,
#: reads -0.5 g at most, g.
TRUNK_OVERSHOOT_G = 1.0
OVERSHOOT_S = 0.1
#: An entry into free fall within this after a landing's impact is its recoil,
#: which follows the impact within a few tens of ms, s.
RECOIL_S = 0.05


@dataclass(frozen=True)
class Hop:
    """One hop: times in device time (s), flight and contact in s, height m, peak g."""

    takeoff_t_s: float
    contact_t_s: float
    peak_acc_g: float | None
    saturated: bool
    tts_s: float | None = None
    contact_s: float | None = None
    rsi: float | None = None
    tts_ci_s: tuple[float, float] | None = None

    @property
    def flight_s(self) -> float:
        return self.contact_t_s - self.takeoff_t_s

    @property
    def height_m(self) -> float:
        return STANDARD_GRAVITY_MPS2 * self.flight_s**2 / 8.0

    def to_dict(self) -> dict:
        def r(x: float | None, digits: int = 4) -> float | None:
            return None if x is None else round(float(x), digits)

        return {
            "t_s": r(self.contact_t_s),
            "takeoff_t_s": r(self.takeoff_t_s),
            "flight_s": r(self.flight_s),
            "height_m": r(self.height_m),
            "peak_acc_g": r(self.peak_acc_g, 3),
            "saturated": self.saturated,
            # Printed to 0.1 s, kept to 0.01 s: its uncertainty is tenths of a second.
            "tts_s": r(self.tts_s, 2),
            "tts_ci_s": None if self.tts_ci_s is None else [r(x, 2) for x in self.tts_ci_s],
            "contact_s": r(self.contact_s),
            "rsi": r(self.rsi, 3),
        }


def find_flights(
    sf_v: np.ndarray, rate_hz: float, lowpass_delay_s: float = 0.0
) -> list[tuple[float, float]]:
    """(take-off, contact) of every flight, as fractional sample indices.

    ``lowpass_delay_s``: the sensor's low-pass group delay, s, taken off a take-off
    found as the fall's corner (not off a trunk's overshoot, placed by the force
    plate as it is).

    The same rules wherever the sensor is, told apart by the data alone (see the
    module's definition): a flight ends at an impact, or, unless the signal
    overshot below ``-TRUNK_OVERSHOOT_G`` as it entered free fall (a trunk sensor, whose
    arms swing in flight), at ``SUSTAINED_GROUND_S`` above ``GROUND_G``; the
    contact is then found by walking back to the rise's onset, so the wait does
    not delay it. A candidate that finds no ground within a flight's length is
    no flight, and the search goes on from the next entry.
    """
    factor = max(1, int(np.ceil(EDGE_RATE_HZ / rate_hz)))
    if factor > 1:
        sf_v = resample_poly(np.asarray(sf_v, dtype=float), factor, 1)
        rate_hz *= factor
    n = len(sf_v)
    width = max(1, round(SLOPE_SMOOTHING_S * rate_hz))
    smooth = _moving_average(sf_v, width)
    # The step from each sample to the next, averaged again so noise cannot pick the steepest.
    steps = _moving_average(np.diff(smooth), width)
    look_back = round(0.5 * rate_hz)
    floor_span = max(2, round(FLOOR_S * rate_hz))
    sustained = max(2, round(SUSTAINED_GROUND_S * rate_hz))
    longest = round((MAX_FLIGHT_S + SUSTAINED_GROUND_S) * rate_hz)
    overshoot_span = round(OVERSHOOT_S * rate_hz)
    recoil_span = max(1, round(RECOIL_S * rate_hz))
    delay = lowpass_delay_s * rate_hz
    # Below BRIDGE_MIN_RATE_HZ the wobble is not resolved, and what stands before a
    # sharp impact is the interpolation's ringing.
    bridge = round(BRIDGE_S * rate_hz) if rate_hz / factor >= BRIDGE_MIN_RATE_HZ else 0
    entries = np.flatnonzero((sf_v[1:] < FREE_FALL_G) & (sf_v[:-1] >= FREE_FALL_G)) + 1
    flights = []
    resume = 0
    last_impact = -recoil_span - 1
    for i in entries:
        if i < resume or sf_v[max(0, i - look_back) : i].max() < PUSH_G:
            continue
        # The first rise above IMPACT_G ends the candidate. Within a ground contact
        # the specific force can dip below free-fall level between the impact and
        # the push-off; that push then ends a candidate too short to be a flight,
        # and the search goes on from it.
        # A hard landing's recoil can overshoot below -1 g too: an entry just after the
        # last landing's impact is a recoil inside its contact, not a trunk's take-off
        # (a trunk's push can pass IMPACT_G too, so the impact must be a landing's).
        recoil = i - last_impact <= recoil_span
        trunk = not recoil and sf_v[i : i + overshoot_span].min() < -TRUNK_OVERSHOOT_G
        found = _first_contact(sf_v, i, min(n, i + longest), None if trunk else sustained)
        if found is None:
            continue  # no ground within a flight's length: not a flight; try the next entry
        impact, ground = found
        last_impact = impact
        contact = _onset(sf_v, impact, floor_span, bridge)
        takeoff = _takeoff(smooth, steps, i, int(contact), floor_span, delay)
        if takeoff is not None and MIN_FLIGHT_S <= (contact - takeoff) / rate_hz <= MAX_FLIGHT_S:
            flights.append((takeoff / factor, contact / factor))
        # From where the ground was first felt: a dip inside a contact ends there, and the
        # real take-off after it is the next entry.
        resume = ground + 1
    return flights


def hops(
    t_s: np.ndarray,
    sf_v: np.ndarray,
    rate_hz: float,
    *,
    raw_t_s: np.ndarray | None = None,
    raw_acc_g: np.ndarray | None = None,
    full_scale_g: float | None = None,
    lowpass_delay_s: float = 0.0,
) -> list[Hop]:
    """Every hop in a uniform-grid series, with its flight, impact and rebound.

    Args:
        t_s: grid times, s.
        sf_v: vertical specific force (of the ankle, or of the sensor), g.
        raw_t_s, raw_acc_g: the recording's own samples (device time, s; the
            accelerometer as measured, (n, 3), g), for the peak (resampling would
            blunt it); without them no peak is given.
        full_scale_g: accelerometer range, to flag a peak where an axis clipped.
        lowpass_delay_s: group delay of the sensor's own low-pass, s; take-offs
            at the fall's corner are moved back by it (see the module's definition).

    Time to stabilisation is added by :func:`with_stabilisation`.
    """
    index = np.arange(len(t_s))
    times = [
        (float(np.interp(a, index, t_s)), float(np.interp(b, index, t_s)))
        for a, b in find_flights(sf_v, rate_hz, lowpass_delay_s)
    ]
    found = []
    for k, (takeoff, contact) in enumerate(times):
        peak, saturated = None, False
        if raw_t_s is not None and raw_acc_g is not None:
            near = raw_acc_g[np.abs(raw_t_s - contact) <= PEAK_WINDOW_S]
            if near.size:
                peak = float(np.nanmax(np.linalg.norm(near, axis=1)))
                # Saturation is per axis: the resultant can pass the range with no axis clipped.
                clipped = np.nanmax(np.abs(near)) >= 0.999 * full_scale_g if full_scale_g else False
                saturated = bool(clipped)
        contact_s = rsi = None
        if k + 1 < len(times) and times[k + 1][0] - contact <= MAX_CONTACT_S:
            contact_s = times[k + 1][0] - contact
            rsi = (times[k + 1][1] - times[k + 1][0]) / contact_s
        found.append(Hop(takeoff, contact, peak, saturated, None, contact_s, rsi))
    return found


def with_stabilisation(
    found: list[Hop],
    t_s: np.ndarray,
    tilt_deg: np.ndarray,
    rate_hz: float,
    baseline_rms_deg: float | None,
) -> list[Hop]:
    """The hops, each held landing (one not followed by a rebound) with its time to
    stabilisation and its 95% interval (:func:`stabilisation`); ``tilt_deg`` (n, 2) on
    the grid ``t_s``."""
    index = np.arange(len(t_s))
    out = []
    for h in found:
        if h.contact_s is None:
            contact = round(float(np.interp(h.contact_t_s, t_s, index)))
            tts, ci = stabilisation(tilt_deg, contact, rate_hz, baseline_rms_deg)
            h = replace(h, tts_s=tts, tts_ci_s=ci)
        out.append(h)
    return out


def time_to_stabilisation(
    tilt_deg: np.ndarray, contact_index: int, rate_hz: float, baseline_rms_deg: float | None
) -> float | None:
    """Time from contact until the tilt has settled (see the module's definition), s;
    :func:`stabilisation` without its interval."""
    return stabilisation(tilt_deg, contact_index, rate_hz, baseline_rms_deg)[0]


def stabilisation(
    tilt_deg: np.ndarray, contact_index: int, rate_hz: float, baseline_rms_deg: float | None
) -> tuple[float | None, tuple[float, float] | None]:
    """Time from contact until the tilt has settled (see the module's definition), s,
    and its 95% interval (s) where a decay was fitted.

    The interval propagates the fit's covariance to the crossing (delta method),
    the covariance scaled up by the samples per independent one (the envelope of a
    1-2 Hz settling holds about ``TTS_INDEPENDENT_HZ`` independent values a second),
    so it does not narrow with the sampling rate, and the method's own error
    against the simulator's true settling (``TTS_METHOD_SD_S``) added to it.

    Args:
        tilt_deg: (n, 2) AP and ML tilt, deg, on a uniform grid.
        contact_index: the grid index of the landing's contact.
        baseline_rms_deg: the athlete's single-leg 2-D sway RMS, deg.

    Returns None when the recording ends before the fixed window does. A decay
    that never reaches the baseline within the window gives the window's length.
    """
    window = round(TTS_WINDOW_S * rate_hz)
    end = contact_index + window
    if end > len(tilt_deg):
        return None, None
    start = max(0, contact_index - round(TTS_LEAD_IN_S * rate_hz))
    segment = tilt_deg[start:end]
    last = segment[-round(rate_hz) :]
    reference = baseline_rms_deg
    if reference is None or not np.isfinite(reference) or reference <= 0:
        reference = float(np.sqrt(np.sum(np.var(last, axis=0))))
    amplitude = envelope(highpass(segment - last.mean(axis=0), rate_hz, TTS_HIGHPASS_HZ))
    amplitude = amplitude[contact_index - start :]
    t_s = np.arange(len(amplitude)) / rate_hz
    lo, hi = (round(s * rate_hz) for s in TTS_PEAK_SEARCH_S)
    peak = lo + int(np.argmax(amplitude[lo:hi]))
    if amplitude[peak] <= reference:
        return 0.0, None  # the landing never stirred the tilt beyond ordinary sway
    under = np.flatnonzero(amplitude[peak:] < TTS_FIT_END_MULTIPLE * reference)
    stop = peak + (int(under[0]) if under.size else len(amplitude) - peak)
    if stop - peak < max(5, round(0.1 * rate_hz)):
        return float(t_s[min(stop, len(t_s) - 1)]), None  # too short to fit: it fell at once
    (slope, intercept), cov = np.polyfit(
        t_s[peak:stop], np.log(amplitude[peak:stop]), 1, cov="unscaled"
    )
    if slope >= 0:
        return TTS_WINDOW_S, None
    tts = (np.log(reference) - intercept) / slope
    # The samples' residual variance, the covariance widened by the samples per
    # independent value (they are correlated).
    n = stop - peak
    fitted = slope * t_s[peak:stop] + intercept
    sigma2 = float(np.sum((np.log(amplitude[peak:stop]) - fitted) ** 2)) / (n - 2)
    independent = max(3.0, n / rate_hz * TTS_INDEPENDENT_HZ)
    scale = sigma2 * n / independent
    var_mm, var_mb, var_bb = cov[0, 0] * scale, cov[0, 1] * scale, cov[1, 1] * scale
    fit_var = max(var_bb + 2 * tts * var_mb + tts * tts * var_mm, 0.0) / slope**2
    sd = float(np.sqrt(fit_var + TTS_METHOD_SD_S**2))
    low, high = (float(np.clip(x, 0.0, TTS_WINDOW_S)) for x in (tts - 1.96 * sd, tts + 1.96 * sd))
    return float(np.clip(tts, 0.0, TTS_WINDOW_S)), (low, high)


def hop_count(hops_found: list[Hop], start_s: float, duration_s: float) -> int:
    """Landings within ``duration_s`` of ``start_s`` (the side-hop test counts them)."""
    return sum(start_s <= h.contact_t_s <= start_s + duration_s for h in hops_found)


def _moving_average(x: np.ndarray, width: int) -> np.ndarray:
    if width <= 1:
        return np.asarray(x, dtype=float)
    kernel = np.ones(width) / width
    return np.convolve(
        np.pad(x, (width // 2, width - 1 - width // 2), mode="edge"), kernel, "valid"
    )


def _first_contact(
    sf_v: np.ndarray, start: int, stop: int, sustained: int | None
) -> tuple[int, int] | None:
    """First sign of ground contact in ``[start, stop)``: a rise above ``IMPACT_G``, or
    ``sustained`` samples in a row above ``GROUND_G`` (a soft landing, or the push-off
    that follows a dip inside a contact); None if neither comes.

    Returns (where the rise is judged from, where the ground was first felt): the
    impact's first sample above ``IMPACT_G`` for both, or the first sample of the
    sustained run, and the first above ``GROUND_G`` before that impact.
    """
    segment = sf_v[start:stop]
    hits = np.flatnonzero(segment > IMPACT_G)
    first = int(hits[0]) if hits.size else None
    above = (segment > GROUND_G).astype(np.int32)
    if sustained is not None and above.size >= sustained:
        runs = np.convolve(above, np.ones(sustained, dtype=np.int32), "valid")
        full = np.flatnonzero(runs == sustained)
        if full.size and (first is None or full[0] < first):
            first = int(full[0])
    if first is None:
        return None
    ground = first
    while ground > 0 and above[ground - 1]:
        ground -= 1
    return start + first, start + ground


def _onset(sf_v: np.ndarray, impact: int, floor_span: int, bridge: int) -> float:
    """Onset of the rise to the impact at ``impact``, as a fractional index: the earlier of

    - the secant through the rise's steepest pair of samples, extended back to the
      free-fall level (the same construction as the take-off's corner, so a low-pass
      delays both edges alike); right for an impact that rises steeply from the start;
    - the point where the rise first clears the free-fall level by ``ONSET_RISE_G``;
      right for a rise that starts gently (a soft landing, a sensor on the trunk
      cushioned by the legs), whose steepest part comes late. A clear excursion
      (twice that) less than ``bridge`` samples before it is where the rise began:
      the strap's first wobble as the foot touches, ahead of the main rise.
    """
    j = impact
    while j > 0 and sf_v[j - 1] >= FREE_FALL_G:
        j -= 1
    if j == 0:
        return 0.0
    # The free-fall level is read from flight before the rise's foot, which a gentle
    # rise spends tens of ms in.
    gap = floor_span * 2 // 3
    first = max(j - gap - floor_span, 0)
    floor = float(np.median(sf_v[first : max(j - gap, first + 1)]))
    lo = j - 1
    steps = np.diff(sf_v[lo : impact + 1])
    k = lo + int(np.argmax(steps))
    if steps.max() <= 0:
        return float(j)
    secant = k + (floor - sf_v[k]) / steps.max()
    level = floor + ONSET_RISE_G
    c = j
    while True:
        while c > first and sf_v[c] > level:
            c -= 1
        # The strap's first wobble can stand clear of flight just before the rise
        # proper, with a sample or two back under the level between them: it is the
        # ground's too (without a bridge, no earlier excursion is looked for).
        before = max(first, c - bridge)
        earlier = np.flatnonzero(sf_v[before:c] > level + ONSET_RISE_G)
        if not bridge or not earlier.size:
            break
        c = before + int(earlier[0])
    rise = sf_v[c + 1] - sf_v[c]
    cleared = c + (level - sf_v[c]) / rise if rise > 0 else float(c)
    return float(np.clip(min(secant, cleared), first, impact))


def _takeoff(
    smooth: np.ndarray,
    steps_all: np.ndarray,
    entry: int,
    contact: int,
    floor_span: int,
    delay: float,
) -> float | None:
    """Where the push's fall ends (see the module's definition), as a fractional index.

    The fall's end is the first step at or after ``entry`` where the smoothed fall
    has slowed to ``FALL_END_FRACTION`` of its steepest step. If the signal then
    sits near free fall (a sensor near the foot), take-off is the corner: the
    secant through the steepest pair of samples meets the free-fall level there
    (a two-point secant, not a centred difference, whose span would straddle the
    corner at low rates and flatten the slope). If it has overshot below
    ``-OVERSHOOT_G`` (a trunk sensor as the legs tuck), take-off is the bottom
    of the overshoot.
    """
    start = max(entry - floor_span, 0)
    stop = min(contact, len(smooth) - 1)
    steps = steps_all[start:stop]
    steepest = end = None
    for offset, step in enumerate(steps):
        if steepest is None or step < steps[steepest]:
            steepest = offset
        if (
            start + offset >= entry
            and steps[steepest] < 0
            and step >= FALL_END_FRACTION * steps[steepest]
        ):
            end = start + offset
            break
    if end is None or steepest is None:
        return None
    after = smooth[end : min(end + floor_span, contact)]
    if after.size and after.min() < -OVERSHOOT_G:
        return _parabolic_minimum(smooth, end + int(np.argmin(after)))
    floor = float(np.median(after)) if after.size else float(smooth[end])
    k = start + steepest
    corner = k + (floor - smooth[k]) / steps[steepest]
    return float(np.clip(corner, start, end)) - delay


def _parabolic_minimum(x: np.ndarray, i: int) -> float:
    """Sub-sample position of the minimum at ``i`` from a parabola through i-1, i, i+1."""
    if i <= 0 or i >= len(x) - 1:
        return float(i)
    a, b, c = x[i - 1], x[i], x[i + 1]
    denominator = a - 2 * b + c
    return float(i + 0.5 * (a - c) / denominator) if denominator > 0 else float(i)
