"""Limb symmetry: the left and right legs' results of one drill, compared metric by metric.

**Limb symmetry index (LSI)**, %, always oriented so that under 100 means the
worse side:

- with an involved (injured, operated) side: ``involved / uninvolved * 100``
  for a metric where higher is better (time held, range, hop height),
  ``uninvolved / involved * 100`` where lower is better (sway, time to
  stabilisation); over 100 means the involved side is the better one;
- without one: the worse side's performance over the better's, which for
  either direction is ``min(L, R) / max(L, R) * 100`` (at most 100), and the
  worse side is named.

An LSI under ``LSI_THRESHOLD_PCT`` (90%, the usual return-to-sport line) is
flagged, as is a left-right difference larger than the metric's minimal
detectable change (MDC95), the smallest difference between two measurements
that exceeds measurement error. The MDC is a test-retest figure; it carries to
two limbs because the difference of two independent measurements has the
same error, ``1.96 * sqrt(2) * SEM``, if both limbs are measured as well.
Where no published MDC fits Poise's measure the MDC is None and the metric is
flagged by LSI only. Flags judge the figures as reported (LSI to 0.1%, the
difference to 4 decimals), so a reported 90.0% is never flagged.

Sources: each MDC's study is named in its rule, in the drill's module
(:attr:`poise.drills.drill.Drill.symmetry`), and
docs/metrics.md says how well it fits; the LSI is the one of return-to-sport
hop testing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from poise.errors import InputError

Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")

#: An LSI below this is flagged, %.
LSI_THRESHOLD_PCT = 90.0

NO_MDC = "no published MDC for this measure; flag by LSI only"


@dataclass(frozen=True)
class MetricRule:
    """How one metric of a drill's result is compared between legs.

    ``name`` is the result's key, or, with ``landing_key``, the name given to
    the mean of that key over the result's ``landings`` (values that are None
    left out). ``mdc`` is in ``unit``; ``mdc_source`` says where it comes from
    (or why there is none).
    """

    name: str
    unit: str
    higher_is_better: bool
    mdc: float | None
    mdc_source: str
    landing_key: str | None = None


@dataclass(frozen=True)
class Lsi:
    """A limb symmetry index, %, the worse side, and why the index is missing if it is."""

    pct: float | None
    worse_side: Side | None
    reason: str | None = None


def limb_symmetry_index(
    left: float | None,
    right: float | None,
    higher_is_better: bool,
    involved: Side | None = None,
) -> Lsi:
    """LSI of a metric's left and right values, %, rounded to 0.1 (see the module's definition).

    Equal values (zeros included) are symmetric: 100% and no worse side. An
    index that would divide by zero (the reference side at 0) is None with a
    reason, as is one with a missing, non-finite or negative value.

    >>> limb_symmetry_index(30.0, 40.0, higher_is_better=True)
    Lsi(pct=75.0, worse_side='left', reason=None)
    >>> limb_symmetry_index(0.8, 1.0, higher_is_better=False, involved="right")
    Lsi(pct=80.0, worse_side='right', reason=None)
    """
    values = {"left": left, "right": right}
    missing = [side for side, v in values.items() if v is None or not math.isfinite(v)]
    if missing:
        return Lsi(None, None, f"no value for {' and '.join(missing)}")
    if left < 0 or right < 0:
        return Lsi(None, None, "negative value; a ratio of limbs needs values >= 0")
    if left == right:
        return Lsi(100.0, None)
    left_worse = (left < right) == higher_is_better
    worse_side: Side = "left" if left_worse else "right"
    if involved is None:
        return Lsi(round(100.0 * min(left, right) / max(left, right), 1), worse_side)
    other: Side = "right" if involved == "left" else "left"
    numerator, denominator = (involved, other) if higher_is_better else (other, involved)
    if values[denominator] == 0:
        return Lsi(None, worse_side, f"{denominator} side is 0; the index is undefined")
    return Lsi(round(100.0 * values[numerator] / values[denominator], 1), worse_side)


def compare_limbs(
    left: Mapping[str, Any],
    right: Mapping[str, Any],
    rules: Mapping[str, tuple[MetricRule, ...]],
    involved: Side | None = None,
) -> dict[str, Any]:
    """Symmetry of two results of one drill (from :func:`poise.analysis.analyze`), JSON-ready.

    Args:
        left, right: the left and right legs' results.
        rules: the metrics compared, per drill that compares legs
            (:data:`poise.drills.RULES`).
        involved: the injured or operated side, if there is one.

    Returns:
        ``{"drill", "involved", "metrics": [...]}``, one entry per rule of the
        drill with the values, ``lsi_pct``, ``worse_side``, ``difference``
        (left minus right, in ``unit``), ``mdc``, ``exceeds_mdc``,
        ``lsi_below_90`` and a ``note`` saying why an index is missing. A flag
        is None when its figure is.

    Raises:
        InputError: the drills differ or lack rules, or a result was recorded
            on the other leg's shank.
    """
    if involved not in (None, *SIDES):
        raise ValueError(f"involved must be 'left', 'right' or None, not {involved!r}")
    drill = left.get("drill")
    if right.get("drill") != drill:
        raise InputError(
            right.get("file") or "right",
            f"a {right.get('drill')} result cannot be compared with a {drill} result",
        )
    if drill not in rules:
        raise InputError(
            left.get("file") or "left",
            f"no symmetry rules for drill {drill!r} (only {', '.join(rules)})",
        )
    for side, result in zip(SIDES, (left, right), strict=True):
        other = "right" if side == "left" else "left"
        if result.get("placement") == f"{other}_shank":
            raise InputError(
                result.get("file") or side,
                f"given as the {side} leg but recorded on the {other}_shank",
            )
    return {
        "drill": drill,
        "involved": involved,
        "metrics": [_compare(rule, left, right, involved) for rule in rules[drill]],
    }


def _compare(
    rule: MetricRule, left: Mapping[str, Any], right: Mapping[str, Any], involved: Side | None
) -> dict[str, Any]:
    lv, rv = rule_value(left, rule), rule_value(right, rule)
    lsi = limb_symmetry_index(lv, rv, rule.higher_is_better, involved)
    difference = None
    if lv is not None and rv is not None and math.isfinite(lv - rv):
        difference = round(lv - rv, 4)
    return {
        "name": rule.name,
        "unit": rule.unit,
        "left": lv,
        "right": rv,
        "higher_is_better": rule.higher_is_better,
        "lsi_pct": lsi.pct,
        "worse_side": lsi.worse_side,
        "difference": difference,
        "mdc": rule.mdc,
        "exceeds_mdc": None
        if rule.mdc is None or difference is None
        else abs(difference) > rule.mdc,
        "lsi_below_90": None if lsi.pct is None else lsi.pct < LSI_THRESHOLD_PCT,
        "note": lsi.reason,
    }


def rule_value(result: Mapping[str, Any], rule: MetricRule) -> float | None:
    """The rule's value in a result: a key, or the mean of a key over the landings (4 decimals).

    >>> tts = MetricRule("mean_tts_s", "s", False, None, NO_MDC, landing_key="tts_s")
    >>> rule_value({"landings": [{"tts_s": 0.5}, {"tts_s": None}, {"tts_s": 0.7}]}, tts)
    0.6
    """
    if rule.landing_key is None:
        value = result.get(rule.name)
        return value if value is None or isinstance(value, int) else float(value)
    found = [
        float(landing[rule.landing_key])
        for landing in result.get("landings") or ()
        if landing.get(rule.landing_key) is not None
    ]
    return round(math.fsum(found) / len(found), 4) if found else None
