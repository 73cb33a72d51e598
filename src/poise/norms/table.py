"""A normative table: what test it is for, under what protocol, and its rows.

A norm is published data to place an athlete's value against: the test (a
drill's headline metric, with the eyes, surface and how legs were taken), the
protocol its values depend on (the score rule, the trial count, a cap, arms,
position), who was measured (population, N), its source with DOI, and rows per
sex and age band. A row holds what the source gives and no more: percentiles
(p5..p95), or a mean and SD, or only a mean or a median, and the table says
what each number is (``column``: e.g. each subject's best of 3 trials, then the
band's mean of those).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: What a table's rows hold: which keys a row has.
STATISTICS: dict[str, tuple[str, ...]] = {
    "percentiles": ("p5", "p10", "p25", "p50", "p75", "p90", "p95"),
    "mean_sd": ("mean", "sd"),
    "mean": ("mean",),
    "median": ("median",),
}
#: A row is for one sex, or for everyone (the source pooled them).
SEXES = ("female", "male", "any")
#: How the source took the legs: each measured and reported, one of the subject's
#: choosing, or not said.
LEG_HANDLING = ("each", "chosen", "unstated")


@dataclass(frozen=True)
class NormTest:
    """The test a norm is for.

    Args:
        drill, metric: a drill of the registry and one of its headline metrics
            (``stance``, ``time_held_s``), in the metric's own unit.
        eyes, surface: as a battery condition has them; ``None``: the test has no
            such condition (the hip's seated rotation).
        legs: :data:`LEG_HANDLING`.
    """

    drill: str
    metric: str
    eyes: str | None = None
    surface: str | None = None
    legs: str = "unstated"


@dataclass(frozen=True)
class NormRow:
    """One band of a table: a sex (or ``any``) and ages ``age_low``-``age_high``
    years, both included, with the table's statistic (``values``: ``p5``... or
    ``mean``, ``sd`` or ``median``, in the metric's unit) and the band's N if given."""

    sex: str
    age_low: int
    age_high: int
    values: dict[str, float]
    n: int | None = None

    @property
    def who(self) -> str:
        """``women 40-49``, ``men 18-39``, ``adults 20-60``."""
        people = {"female": "women", "male": "men", "any": "adults"}[self.sex]
        return f"{people} {self.age_low}-{self.age_high}"


@dataclass(frozen=True)
class Norm:
    """A normative table (see the module's definition).

    Args:
        name: the file's own name.
        title: one line naming the test and the source.
        source: the full reference, with the table it was read from.
        doi: the source's DOI, ``""`` if none could be confirmed (``checked`` says).
        population: who was measured.
        n: how many.
        statistic: what the rows hold, a key of :data:`STATISTICS`.
        column: what each number is, in words (best of 3 or mean of 3...).
        checked: how the values were verified against the source.
        test: :class:`NormTest`.
        protocol: what must match in the athlete's condition: ``score``, ``trials``,
            the drill's settings (``stance_s``), the protocol facts
            (:data:`poise.batteries.PROTOCOL_FACTS`).
        rows: :class:`NormRow`, in the file's order.
    """

    name: str
    title: str
    source: str
    doi: str
    population: str
    n: int
    statistic: str
    column: str
    checked: str
    test: NormTest
    rows: tuple[NormRow, ...]
    protocol: dict[str, Any] = field(default_factory=dict)
    notes: str = ""
    path: Path | None = None
