"""Single-leg hops: hop forward and stick the landing, or hop in series (side hops).

Scored as every flight and landing, with time to stabilisation, contact times
and the side-hop count (:mod:`poise.metrics.landing`); trained as hop and stick.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from poise.checks import check_number
from poise.chips import known_chip
from poise.drills.drill import Drill, DrillResult, NoOptions
from poise.drills.precision import SWAY_RMS, Resolution
from poise.drills.protocol import (
    MIN_REFERENCE_S,
    Condition,
    DrillSpec,
    TrialPlan,
    leg_phrase,
)
from poise.metrics.symmetry import NO_MDC, MetricRule
from poise.validity import ResultWarning

if TYPE_CHECKING:
    import numpy as np

    from poise.analysis import Span
    from poise.analysis.prepare import Prepared
    from poise.metrics.landing import Hop

#: The single-leg baseline for time to stabilisation: this span before the first take-off, s
#: (it ends before the countermovement begins).
BASELINE_S = (3.6, 0.6)
SIDE_HOP_TEST_S = 30.0
#: The simulated athlete takes off this long after the go beep, s.
REACTION_S = 0.6
#: Single-leg stance before the hop: the stabilisation baseline needs 3.6 s of it, s.
HOLD_S = 2.0
#: An unknown chip's low-pass is taken at this fraction of its output rate (MEMS IMUs
#: filter at ODR/2 to ODR/4; the LSM6DS family at about 0.4 ODR).
TYPICAL_LPF_FRACTION = 0.4
#: A landing peaking under this is soft: its rise is gentle, and its contact less sure
#: (flight up to 22 ms long at 208 Hz against the simulator, benchmarks/hop_conditions.py), g.
SOFT_PEAK_G = 5.5
#: A flight's edges, and the times between them: within max(5 ms, 1.5 samples)
#: on the simulator and 4 ms of a force plate (docs/metrics.md).
EDGE_TIME = Resolution(3, "s", "edges within max(5 ms, 1.5 samples)")
FLIGHT = Resolution(0, "ms", "edges within max(5 ms, 1.5 samples)", scale=1000.0)
#: The reactive strength index: 5 ms on a contact of 150-300 ms is 2-3% of it.
RSI = Resolution(2, "1", "5 ms on a 150-300 ms contact: 2-3%")
#: Time to stabilisation: its 95% interval is tenths of a second wide.
TTS = Resolution(1, "s", "its 95% interval tts_ci_s is tenths of a second wide")
#: In flight, the vertical specific force straying from 0 g by more than this (its
#: 90th percentile over a flight's middle, FLIGHT_EDGE_FRACTION off either end)
#: says the flight's edges may be misplaced (see :func:`_flight_stray_g`), g.
FLIGHT_STRAY_G = 0.25
FLIGHT_EDGE_FRACTION = 0.2


@dataclass(frozen=True)
class HopResult(DrillResult):
    """Every landing (:meth:`poise.metrics.landing.Hop.to_dict`, with the in-flight
    ``flight_stray_g`` of :func:`_flight_stray_g`), their count, the
    single-leg baseline sway (deg), the side-hop count and the rebounds' means (s, 1),
    and the accelerometer's full scale their ``saturated`` was judged against (g; from
    the ``metadata``, ``inferred`` from the data, or None: unknown)."""

    landings: tuple[dict[str, Any], ...]
    hop_count: int
    baseline_sway_rms_deg: float | None
    side_hop_count_30s: int | None
    mean_contact_s: float | None
    mean_rsi: float | None
    acc_full_scale_g: float | None = None
    full_scale_from: str | None = None

    RESOLUTION: ClassVar[Mapping[str, Resolution]] = {
        "t_s": EDGE_TIME,
        "takeoff_t_s": EDGE_TIME,
        "flight_s": FLIGHT,
        # h = g T^2 / 8: 5 ms of a 0.4 s flight is 5 mm of height.
        "height_m": Resolution(0, "cm", "5 ms of flight is 5 mm of height", scale=100.0),
        "peak_acc_g": Resolution(1, "g", "the recorded peak within 10%; it depends on the rate"),
        "tts_s": TTS,
        "tts_ci_s": TTS,
        "contact_s": FLIGHT,
        "rsi": RSI,
        "mean_contact_s": FLIGHT,
        "mean_rsi": RSI,
        "baseline_sway_rms_deg": SWAY_RMS,
        "acc_full_scale_g": Resolution(0, "g", "a chip's range, stated or inferred"),
        "flight_stray_g": Resolution(2, "g", "under 0.12 g where flight times held"),
    }

    def lines(self) -> list[str]:
        show = self.show
        lines = [f"hops: {self.hop_count}"]
        for h in self.landings:
            text = (
                f"  {show('t_s', h):>8} s  flight {show('flight_s', h)} ms, "
                f"height {show('height_m', h)} cm"
            )
            if h["peak_acc_g"] is not None:
                text += f", peak {show('peak_acc_g', h)} g" + (
                    " (saturated)" if h["saturated"] else ""
                )
            if h["contact_s"] is not None:
                text += f", contact {show('contact_s', h)} ms, RSI {show('rsi', h)}"
            if h["tts_s"] is not None:
                text += f", stable after {show('tts_s', h)} s"
                if h.get("tts_ci_s"):
                    low, high = (show("tts_ci_s", x) for x in h["tts_ci_s"])
                    text += f" ({low}-{high})"
            lines.append(text)
        if self.mean_rsi is not None:
            lines.append(f"mean contact {show('mean_contact_s')} ms, mean RSI {show('mean_rsi')}")
        if self.baseline_sway_rms_deg is not None:
            lines.append(f"single-leg baseline sway {show('baseline_sway_rms_deg')} deg RMS")
        return lines


def score(span: Span, options: NoOptions) -> HopResult:
    """Every hop in the span; its single-leg baseline from the whole recording's first hop."""
    p = span.prepared
    return analyze_hops(p, span.tilt.lever_arm.for_placement(p.placement), span.whole())


def analyze_hops(p: Prepared, lever_m: np.ndarray, whole: Prepared | None = None) -> HopResult:
    """Every hop in the span (see :mod:`poise.metrics.landing`).

    On a shank the ankle's vertical specific force is used (the shank's own
    rotation taken out with the lever arm ``lever_m``), which is quiet in flight;
    elsewhere, the sensor's own. The single-leg baseline for time to
    stabilisation is taken before the first hop of ``whole`` (the whole
    recording; the span itself by default), so the span chosen does not change it.
    """
    import numpy as np

    from poise.metrics.landing import hop_count, with_stabilisation

    full_scale_g, full_scale_from = _full_scale(p)
    # No other cut of the recording reads its samples after this one: each column's
    # samples go once resampled, and a long recording's are not held beside their copies.
    last = whole is None or whole is p
    sf_v = _vertical_sf_g(p, lever_m, last)
    p.forget("acc_g", "gyr_dps", "up")  # nine columns the rest does not read
    found = _hops(p, sf_v, full_scale_g)
    shank = p.placement.endswith("_shank")
    baseline = None
    if shank and whole is not None and whole is not p:
        first = _hops(whole, _vertical_sf_g(whole, lever_m, False), full_scale_g)
        whole.forget("acc_g", "gyr_dps", "up")
        baseline = _baseline_rms(whole, first[0].takeoff_t_s) if first else None
    elif shank and found:
        baseline = _baseline_rms(p, found[0].takeoff_t_s)
    tilt_deg = p.tilt_deg
    p.release("up")  # every tilt is resampled: nothing reads the up axis's samples now
    found = with_stabilisation(found, p.t_s, tilt_deg, p.rate_hz, baseline)
    rebounds = [h for h in found if h.contact_s is not None]
    return HopResult(
        landings=tuple(
            {**h.to_dict(), "flight_stray_g": _flight_stray_g(p.t_s, sf_v, h)} for h in found
        ),
        hop_count=len(found),
        baseline_sway_rms_deg=None if baseline is None else round(baseline, 4),
        # A count for the side-hop test: hops in series (each contact a rebound).
        side_hop_count_30s=hop_count(found, found[0].takeoff_t_s, SIDE_HOP_TEST_S)
        if rebounds
        else None,
        mean_contact_s=round(float(np.mean([h.contact_s for h in rebounds])), 4)
        if rebounds
        else None,
        mean_rsi=round(float(np.mean([h.rsi for h in rebounds])), 3) if rebounds else None,
        acc_full_scale_g=full_scale_g,
        full_scale_from=full_scale_from,
    )


def _full_scale(p: Prepared) -> tuple[float | None, str | None]:
    """The accelerometer's full scale, g, and where it came from: the recording's
    metadata, else the data's own clipping (:mod:`poise.metrics.saturation`)."""
    from poise.metrics.saturation import inferred_full_scale_g

    if p.recording.meta.acc_range_g:
        return float(p.recording.meta.acc_range_g), "metadata"
    inferred = inferred_full_scale_g(p.raw_acc_g)
    return (inferred, "inferred") if inferred is not None else (None, None)


def _vertical_sf_g(p: Prepared, lever_m: np.ndarray, last: bool) -> np.ndarray:
    """The earth-vertical specific force the hops are found on, g: the ankle's on a
    shank (the shank's rotation taken out with the lever arm ``lever_m``), else the
    sensor's own. The resampled columns are read one at a time; with ``last`` (no
    other cut of the recording will read them) the samples of each go once it is
    resampled, the specific force's size (:attr:`Prepared.acc_norm_g`, read by
    :func:`check`) taken first."""
    import numpy as np

    from poise.motion.lever_arm import pivot_vertical_sf_g

    gyr_dps = None
    if p.placement.endswith("_shank") and bool(np.any(lever_m)):
        gyr_dps = p.gyr_dps
        p.forget("gyr_dps")  # low-passed in place below: not the span's any more
    if last:
        p.release("gyr_dps")
    acc_g = p.acc_g
    if last:
        _ = p.acc_norm_g
        p.release("acc_g")
    if gyr_dps is not None:
        return pivot_vertical_sf_g(acc_g, gyr_dps, p.up, lever_m, p.rate_hz, overwrite_gyr=True)
    return np.sum(p.up * acc_g, axis=1)


def _hops(p: Prepared, sf_v: np.ndarray, full_scale_g: float | None) -> list[Hop]:
    from poise.metrics.landing import hops

    spec = known_chip(p.recording.meta.sensor_model)
    delay_s = spec.lpf_delay_s(p.rate_hz) if spec is not None else _typical_lpf_delay_s(p.rate_hz)
    return hops(
        p.t_s,
        sf_v,
        p.rate_hz,
        raw_t_s=p.raw_t_s,
        raw_acc_g=p.raw_acc_g,
        full_scale_g=full_scale_g,
        lowpass_delay_s=delay_s,
    )


def _typical_lpf_delay_s(rate_hz: float) -> float:
    """The group delay of a chip's low-pass when the chip is not known, s: a
    second-order Butterworth at ``TYPICAL_LPF_FRACTION`` of the rate, as the
    LSM6DS family's (:meth:`poise.chips.ChipSpec.lpf_delay_s`)."""
    return math.sqrt(2.0) / (2.0 * math.pi * TYPICAL_LPF_FRACTION * rate_hz)


def _baseline_rms(p: Prepared, first_takeoff_t_s: float) -> float | None:
    """2-D sway RMS of the single-leg stance before the first take-off, if the span holds it."""
    import numpy as np

    from poise.metrics.sway import rms_2d

    before, margin = BASELINE_S
    inside = (p.t_s >= first_takeoff_t_s - before) & (p.t_s <= first_takeoff_t_s - margin)
    if np.count_nonzero(inside) < p.rate_hz:  # under a second of baseline: none
        return None
    return rms_2d(p.tilt_deg[inside, 0], p.tilt_deg[inside, 1])


@dataclass(frozen=True)
class HopTrial:
    """Hop and stick trials.

    Args:
        hop_s: time after the go beep to hop, land and settle, s (covers the
            5 s stabilisation window).
    """

    hop_s: float = 8.0

    def __post_init__(self) -> None:
        check_number("hop_s", self.hop_s, 5.0, 60.0)


def _intro(c: Condition) -> str:
    return (
        f"{leg_phrase(c)}, hop {c.number}. Stand still on both feet. "
        "On the high beep, hop forward and stick the landing."
    )


def _move(c: Condition) -> str:
    return f"Stand on your {c.leg} leg. Hold still."


def _sim(c: Condition, plan: TrialPlan, settings: HopTrial) -> tuple[str, dict[str, Any]]:
    # The simulator's athlete lifts (0.8 s), stands for the baseline, then hops; not
    # before its shortest quiet standing (a short settle_s moves the prompt earlier).
    lift = max(plan.move_s, MIN_REFERENCE_S)
    return "hop", {
        "leg": c.leg,
        "mode": "stick",
        "hops": 1,
        "reference_s": lift,
        "baseline_s": plan.go_s + REACTION_S - lift - 0.8,
    }


def check(span: Span, result: HopResult) -> list[ResultWarning]:
    """Whether the span looks like hops (a flight ending on the ground), and what a
    saturated landing leaves standing."""
    from poise.drills.fit import mismatch
    from poise.metrics.fit import gait_rhythm

    if not result.landings:
        return [mismatch("hops", "no flight (free fall after a push, ending on the ground)")]
    p = span.prepared
    period = gait_rhythm(p.acc_norm_g, p.rate_hz) if result.mean_rsi is None else None
    if period is not None:  # hops in series have a rhythm of their own, and rebounds
        why = f"the acceleration has a gait rhythm (every {period:.2f} s) and no rebounds: a walk"
        return [mismatch("hops", why)]
    out = _flight_stray(result)
    soft = [h for h in result.landings if (h["peak_acc_g"] or SOFT_PEAK_G) < SOFT_PEAK_G]
    if soft:
        out.append(
            ResultWarning(
                "event_timing",
                f"{len(soft)} of {len(result.landings)} landings were soft (peak under "
                f"{SOFT_PEAK_G:g} g): their contact is the onset of a gentle rise, and their "
                "flight time can be up to 25 ms long",
            )
        )
    clipped = [h for h in result.landings if h["saturated"]]
    if not clipped:
        return out
    source = (
        "as the recording states"
        if result.full_scale_from == "metadata"
        else ("inferred from the samples clipped there")
    )
    return [
        *out,
        ResultWarning(
            "saturation",
            f"{len(clipped)} of {len(result.landings)} landings reached the accelerometer's "
            f"full scale ({result.acc_full_scale_g:g} g, {source}): their peak_acc_g is a "
            "lower bound; their contact is the onset of the rise, found before the "
            "clipping, so their flight time stands",
        ),
    ]


def _flight_stray_g(t_s: np.ndarray, sf_v: np.ndarray, hop: Hop) -> float | None:
    """How far the specific force strayed from free fall in a flight, g.

    In flight the vertical specific force the hops are found on is 0 g but for the
    rotation the lever arm does not take out: the 90th percentile of its size over
    the middle of the flight (``FLIGHT_EDGE_FRACTION`` off either end) measures that
    rest. Under 0.12 g wherever flight times held on the simulator (52-1666 Hz, both
    chips, noise x3, the sensor 9 cm forward, placement given or not); 0.4-3.4 g where
    the shank swung 10-25 deg about the knee in flight and flight times were 1.4-32
    times their tolerance off (``benchmarks/analysis_accuracy.py``). None for a flight
    of under three samples' middle.
    """
    import numpy as np

    margin = FLIGHT_EDGE_FRACTION * hop.flight_s
    inside = (t_s >= hop.takeoff_t_s + margin) & (t_s <= hop.contact_t_s - margin)
    if np.count_nonzero(inside) < 3:
        return None
    return float(np.percentile(np.abs(sf_v[inside]), 90))


def _flight_stray(result: HopResult) -> list[ResultWarning]:
    """``event_timing`` where a flight's specific force strayed from free fall by more
    than ``FLIGHT_STRAY_G`` (:func:`_flight_stray_g`)."""
    strayed = [
        h["flight_stray_g"]
        for h in result.landings
        if h["flight_stray_g"] is not None and h["flight_stray_g"] > FLIGHT_STRAY_G
    ]
    if not strayed:
        return []
    return [
        ResultWarning(
            "event_timing",
            f"in {len(strayed)} of {len(result.landings)} flights the specific force strayed "
            f"from free fall by up to {max(strayed):.1f} g: the shank turned in flight in a "
            "way the lever-arm correction does not take out (it swung about the knee, or "
            "the sensor sat away from where the correction assumes), or the strap was "
            "loose; their flight times may be off by tens of ms",
        )
    ]


def _summary(r: HopResult) -> str:
    if not r.landings:
        return "No hop found."
    h = r.landings[0]
    text = f"Hop of {h['height_m'] * 100:.0f} centimetres."
    if h["tts_s"] is not None:
        text += f" Stable after {h['tts_s']:.1f} seconds."
    return text


DRILL = Drill(
    name="hop",
    score=score,
    result=HopResult,
    symmetry=(
        MetricRule("mean_height_m", "m", True, None, NO_MDC, landing_key="height_m"),
        MetricRule(
            "mean_tts_s",
            "s",
            False,
            None,
            NO_MDC + " (the 124-172 ms reported are for force-plate TTS, not shank tilt)",
            landing_key="tts_s",
        ),
        MetricRule("mean_rsi", "1", True, None, NO_MDC, landing_key="rsi"),
        MetricRule("mean_contact_s", "s", False, None, NO_MDC, landing_key="contact_s"),
        MetricRule("side_hop_count_30s", "count", True, None, NO_MDC),
    ),
    followed=(
        MetricRule("mean_flight_s", "s", True, None, NO_MDC, landing_key="flight_s"),
        MetricRule(
            "mean_peak_acc_g",
            "g",
            False,
            None,
            NO_MDC + "; lower is a softer landing, the aim of impact retraining "
            "(Crowell & Davis 2011, Clin Biomech 26:78)",
            landing_key="peak_acc_g",
        ),
    ),
    live=DrillSpec(
        name="hop",
        intro=_intro,
        move=_move,
        hold_s=HOLD_S,
        trial_s=lambda s: s.hop_s,
        feedback=False,
        sim=_sim,
        summary=_summary,
        settings=HopTrial,
    ),
    check=check,
    columns=("tilt_deg", "up", "acc_g", "gyr_dps", "raw_acc_g"),
    report_events=(("landings", "tts_s"), ("landings", "height_m"), ("landings", "peak_acc_g")),
)
