"""The headline metrics of each drill: the numbers kept per trial and followed over time.

They are the drill's limb-symmetry rules (:data:`poise.metrics.symmetry.RULES`:
name, unit, which direction is better, the minimal detectable change and its
source) plus a few that are followed over time but not compared between legs
(:data:`EXTRA`): a hop's flight time and peak acceleration, and the wobble
board, which has no legs to compare. The rules are reused, not repeated, so a
metric's direction and MDC are one number in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from poise.metrics.symmetry import NO_MDC, RULES, MetricRule, rule_value

#: Headline metrics beyond the symmetry rules, per drill.
EXTRA: dict[str, tuple[MetricRule, ...]] = {
    "hop": (
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
    "board": (
        MetricRule("ap_rms_deg", "deg", False, None, NO_MDC),
        MetricRule("ml_rms_deg", "deg", False, None, NO_MDC),
        MetricRule("time_in_zone_pct", "%", True, None, NO_MDC),
        MetricRule("edge_touch_count", "count", False, None, NO_MDC),
    ),
}


def headline_rules(drill: str) -> tuple[MetricRule, ...]:
    """The headline metrics of ``drill``: its symmetry rules, then its extras.

    >>> [rule.name for rule in headline_rules("lunge")]
    ['max_inclination_deg']
    """
    return RULES.get(drill, ()) + EXTRA.get(drill, ())


def headline_rule(drill: str, name: str) -> MetricRule | None:
    """The rule of one headline metric, or None if ``name`` is not one of ``drill``'s."""
    return next((rule for rule in headline_rules(drill) if rule.name == name), None)


def headline_metrics(result: Mapping[str, Any]) -> dict[str, float | None]:
    """The headline metrics of an :func:`poise.analysis.analyze` result, for the store.

    Hop metrics are means over the landings that have the value; a metric the
    result could not compute is None.

    >>> headline_metrics({"drill": "lunge", "max_inclination_deg": 41.2})
    {'max_inclination_deg': 41.2}
    """
    values = {}
    for rule in headline_rules(result["drill"]):
        value = rule_value(result, rule)
        values[rule.name] = None if value is None else float(value)
    return values
