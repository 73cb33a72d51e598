"""Placing an athlete's value against a norm, or saying why it is not placed.

Pure: no files, no store. The athlete's condition is given as its facts
(:func:`condition_facts`: the drill and metric, eyes, surface, the score rule,
the drill's settings and the protocol facts), so a norm's protocol is matched
against a battery condition key by key, as data. A value is placed only when
every fact the norm's protocol states is the same in the condition; otherwise the
placement says what differs ("protocol differs: Poise scored the mean of 3, the
norm is the best of 3"). What the table holds decides what is shown: a
percentile band, a z-score ((value - mean) / SD), or only above or below the
band's mean or median, and the placement says which.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from poise.errors import PoiseError
from poise.norms.table import STATISTICS, Norm, NormRow

if TYPE_CHECKING:
    from poise.batteries import BatteryCondition

#: The facts of the test itself: a norm is for a test when these are equal.
_TEST_FACTS = ("drill", "metric", "eyes", "surface")


@dataclass(frozen=True)
class Age:
    """An age in whole years, known exactly (``low == high``) or, from a birth year
    alone, one of two (the birthday may not have come yet in the visit's year)."""

    low: int
    high: int

    @classmethod
    def exact(cls, years: int) -> Age:
        return cls(years, years)

    @classmethod
    def from_birth_year(cls, birth_year: int, on: date) -> Age:
        """The age on the day ``on`` of someone born in ``birth_year``.

        >>> Age.from_birth_year(1986, date(2026, 12, 3))
        Age(low=39, high=40)
        """
        years = on.year - birth_year
        if years < 0:
            raise PoiseError(f"birth year {birth_year} is after the visit ({on.isoformat()})")
        return cls(max(years - 1, 0), years)

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low} or {self.high}"


@dataclass(frozen=True)
class Placement:
    """Where a value falls in a norm, or why it is not placed.

    Args:
        value: the athlete's value, in the metric's unit.
        norm: the norm used, or the one that was considered; ``None``: no norm is for
            this test.
        row: the row used (its sex and age band), ``None`` when not placed.
        kind: what was shown: ``percentile`` (``band`` names the percentiles around
            the value), ``z`` (``z`` is the z-score), ``mean`` or ``median`` (``band``
            says above, below or at it); ``None`` when not placed.
        band: e.g. ``p25-p50``, ``below p5``, ``p95``, ``above the band's mean (41.9)``.
        z: (value - mean) / SD, for ``kind == "z"``.
        reason: why the value is not placed (``None`` when it is).
        caveats: what the reader should know of a placement (the source's subjects
            stood on a leg of their choice; the source does not state its score rule).
    """

    value: float | None
    norm: Norm | None
    row: NormRow | None = None
    kind: str | None = None
    band: str | None = None
    z: float | None = None
    reason: str | None = None
    caveats: tuple[str, ...] = ()

    @property
    def shown(self) -> bool:
        return self.kind is not None

    @property
    def text(self) -> str:
        """One line: ``p25-p50 of women 40-49: <the norm's title>``, or the reason."""
        if not self.shown:
            return f"no norm shown: {self.reason}"
        assert self.norm is not None and self.row is not None
        return f"{self.band} of {self.row.who}: {self.norm.title}"


def condition_facts(condition: BatteryCondition, metric: str) -> dict[str, Any]:
    """The facts of a battery condition that a norm's test and protocol are matched
    against: ``drill``, ``metric``, ``eyes``, ``surface``, ``score``, ``trials``, the
    condition's drill settings (``stance_s``, ``on_loss``) and protocol facts
    (``arms``). A drill setting the condition leaves to ``[train]`` is not a fact of
    the battery, so a norm that states it does not match."""
    return {
        "drill": condition.drill,
        "metric": metric,
        "eyes": condition.eyes,
        "surface": condition.surface,
        "score": condition.score,
        "trials": condition.trials,
        **condition.settings,
        **condition.protocol,
    }


def place(
    norms: Iterable[Norm],
    facts: Mapping[str, Any],
    value: float | None,
    *,
    sex: str | None = None,
    age: Age | None = None,
) -> Placement:
    """Place ``value`` (the condition's score of ``facts["metric"]``, in its unit)
    against the first of ``norms`` for the same test whose protocol matches and whose
    rows hold the athlete's ``sex`` (``female``, ``male``; ``None``: not given) and
    ``age``; if none can place it, the reason from the norm closest to doing so."""
    candidates = [n for n in norms if _same_test(n, facts)]
    if not candidates:
        what = ", ".join(f"{k} {facts.get(k)}" for k in _TEST_FACTS if facts.get(k) is not None)
        return Placement(value, None, reason=f"no norm for this test ({what})")
    tried = [_place_one(n, facts, value, sex, age) for n in candidates]
    # A protocol that matches says more (the age, the sex) than one that does not.
    tried.sort(key=lambda p: (not p.shown, (p.reason or "").startswith("protocol differs")))
    return tried[0]


def _same_test(norm: Norm, facts: Mapping[str, Any]) -> bool:
    test = norm.test
    wanted = {
        "drill": test.drill,
        "metric": test.metric,
        "eyes": test.eyes,
        "surface": test.surface,
    }
    return all(v is None or facts.get(k) == v for k, v in wanted.items())


def _place_one(
    norm: Norm, facts: Mapping[str, Any], value: float | None, sex: str | None, age: Age | None
) -> Placement:
    def refuse(reason: str) -> Placement:
        return Placement(value, norm, reason=reason)

    differs = _protocol_differences(norm.protocol, facts)
    if differs:
        return refuse("protocol differs: " + "; ".join(differs))
    if value is None or not math.isfinite(value):
        return refuse("no value to place")
    by_sex = {r.sex for r in norm.rows}
    if by_sex != {"any"} and sex is None:
        return refuse(f"no sex given: {norm.name}'s rows are by sex")
    rows = [r for r in norm.rows if r.sex in ("any", sex)]
    if not rows:
        return refuse(f"{norm.name} has no rows for {sex}")
    if age is None:
        return refuse("no age given")
    low, high = _row_for(rows, age.low), _row_for(rows, age.high)
    span = f"{min(r.age_low for r in rows)}-{max(r.age_high for r in rows)}"
    if low is None and high is None:
        return refuse(f"age {age} outside the table's {span}")
    if low is None or high is None:
        return refuse(f"age {age} (from the birth year) may be outside the table's {span}")
    if low is not high:
        return refuse(
            f"age {age} (from the birth year) is on the edge of the bands "
            f"{low.age_low}-{low.age_high} and {high.age_low}-{high.age_high}"
        )
    kind, band, z = _position(norm.statistic, low.values, value)
    return Placement(value, norm, low, kind, band, z, caveats=_caveats(norm, facts))


def _protocol_differences(protocol: Mapping[str, Any], facts: Mapping[str, Any]) -> list[str]:
    """What the condition does otherwise than the norm's protocol states, in words."""
    out = []
    rule = [k for k in ("score", "trials") if k in protocol]
    if any(facts.get(k) != protocol[k] for k in rule):
        out.append(f"Poise scored {_rule(facts)}, the norm is {_rule({**facts, **protocol})}")
    for key, wanted in protocol.items():
        if key in rule:
            continue
        have = facts.get(key)
        if have is None:
            out.append(f"the battery does not state {key}, the norm's is {wanted}")
        elif not _equal(have, wanted):
            out.append(f"{key} is {have} here, {wanted} in the norm")
    return out


def _rule(facts: Mapping[str, Any]) -> str:
    """``the best of 3``, ``the mean of 3``, ``the sum of 5``."""
    return f"the {facts.get('score')} of {facts.get('trials')}"


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _row_for(rows: list[NormRow], years: int) -> NormRow | None:
    return next((r for r in rows if r.age_low <= years <= r.age_high), None)


def _position(
    statistic: str, values: Mapping[str, float], value: float
) -> tuple[str, str, float | None]:
    """What is shown of ``value`` in a row holding ``statistic``."""
    if statistic == "percentiles":
        marks = [(k, values[k]) for k in STATISTICS[statistic] if k in values]
        if value < marks[0][1]:
            return "percentile", f"below {marks[0][0]}", None
        if value > marks[-1][1]:
            return "percentile", f"above {marks[-1][0]}", None
        at = [k for k, v in marks if v == value]
        if at:
            return "percentile", at[0] if len(at) == 1 else f"{at[0]}-{at[-1]}", None
        lower = max((m for m in marks if m[1] < value), key=lambda m: m[1])
        upper = min((m for m in marks if m[1] > value), key=lambda m: m[1])
        return "percentile", f"{lower[0]}-{upper[0]}", None
    if statistic == "mean_sd":
        z = round((value - values["mean"]) / values["sd"], 2)
        return "z", f"z = {z:+.2f} (mean {values['mean']:g}, SD {values['sd']:g})", z
    centre = values[statistic]
    side = "above" if value > centre else "below" if value < centre else "at"
    return statistic, f"{side} the band's {statistic} ({centre:g})", None


def _caveats(norm: Norm, facts: Mapping[str, Any]) -> tuple[str, ...]:
    out = []
    if norm.test.legs == "chosen":
        out.append("the source's subjects stood on a leg of their choice; each leg is placed")
    elif norm.test.legs == "unstated":
        out.append("the source does not say which legs it measured")
    if "score" not in norm.protocol:
        out.append(f"the source's score rule is not stated here; this value is {_rule(facts)}")
    return tuple(out)
