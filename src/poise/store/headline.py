"""The headline metrics of each drill: the numbers kept per trial and followed over time.

They are the drill's own (:attr:`poise.drills.drill.Drill.headline`): its
limb-symmetry rules (name, unit, which direction is better, the minimal
detectable change and its source), then those followed over time but not
compared between legs (a hop's flight time and peak acceleration; the wobble
board's, which has no legs to compare). Each is one rule in the drill's
module, so a metric's direction and MDC are one number in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from poise.drills import DRILLS
from poise.metrics.symmetry import MetricRule, rule_value


def headline_rules(drill: str) -> tuple[MetricRule, ...]:
    """The headline metrics of ``drill``: its symmetry rules, then the ones only followed.

    >>> [rule.name for rule in headline_rules("lunge")]
    ['max_inclination_deg']
    """
    found = DRILLS.get(drill)
    return found.headline if found is not None else ()


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
