"""A drill in one object: how it is scored, reported, compared, followed and trained.

Each drill module (``stance``, ``hop``, ``lunge``, ``board``, ``hip``) builds one
:class:`Drill`; :data:`poise.drills.DRILLS` gathers them, and is the only list
of drills. Nothing here, nor in a drill module's top level, imports the
scoring's dependencies (NumPy, SciPy, the AHRS): a drill imports them when it
scores, so the store and the command line's parser read the registry cheaply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar, Self

from poise.drills.precision import Resolution
from poise.metrics.symmetry import MetricRule

if TYPE_CHECKING:
    from poise.analysis import Span
    from poise.drills.protocol import DrillSpec
    from poise.validity import ResultWarning


#: :meth:`DrillResult.show` without a value: the field's own.
FIELD: Any = object()


@dataclass(frozen=True)
class DrillResult:
    """A drill's own figures, typed: its fields are the result's JSON keys, in order.

    Lists are kept as tuples (the result is frozen) and given back as lists.
    ``RESOLUTION`` names every figure's :class:`~poise.drills.precision.Resolution`,
    a field's or a key's of the events it lists (a landing's ``flight_s``): the
    report prints each to it and the JSON keeps one digit more.
    """

    RESOLUTION: ClassVar[Mapping[str, Resolution]] = {}

    def to_dict(self) -> dict[str, Any]:
        """The figures as the JSON contract has them (the analysis envelope adds the rest)."""
        return {
            f.name: _rounded(f.name, getattr(self, f.name), self.RESOLUTION) for f in fields(self)
        }

    def show(self, name: str, of: Any = FIELD) -> str:
        """Figure ``name`` as printed: the field's, an event's (``of`` a listed event's
        dict), or ``of`` itself (a number)."""
        if of is FIELD:
            of = getattr(self, name)
        elif isinstance(of, Mapping):
            of = of[name]
        return self.RESOLUTION[name].text(of)

    @classmethod
    def from_dict(cls, result: Mapping[str, Any]) -> Self:
        """The drill's figures of an analysis result (the envelope's keys are left out)."""
        return cls(
            **{
                f.name: tuple(value) if isinstance(value := result[f.name], list) else value
                for f in fields(cls)
            }
        )

    def lines(self) -> list[str]:
        """The figures as lines of the text report."""
        raise NotImplementedError


@dataclass(frozen=True)
class NoOptions:
    """A drill scored without options of its own."""


def no_checks(span: Span, result: DrillResult) -> Iterable[ResultWarning]:
    """A drill that adds no warnings of its own to the pipeline's."""
    return ()


@dataclass(frozen=True)
class Drill:
    """One drill: its scoring, result, report, headline metrics, live part and simulator.

    Args:
        name: what the command line, the store and the results call it.
        score: the figures of a prepared span (:class:`poise.analysis.Span`) with
            the drill's options.
        result: the type of those figures (its ``lines`` are the text report).
        symmetry: the metrics compared between legs (:mod:`poise.metrics.symmetry`);
            empty where there are no legs to compare (the board).
        followed: further headline metrics, followed over time but not compared.
        options: the drill's scoring options, a frozen dataclass checked when made.
        live: the drill as a guided trial (prompts, timing, detectors, simulated
            athlete), or None where it cannot be trained live.
        check: the drill's own warnings on a scored span (:mod:`poise.validity`):
            whether the data look like the drill, noise against its figures,
            saturation of its events. The pipeline adds the data's own.
        accel_offset_limit_g: the largest zero-g accelerometer offset its figures
            bear uncalibrated, g (they are absolute angles, which an offset tilts
            by asin(offset)); the pipeline warns ``uncalibrated`` where the chip's
            typical offset is larger and no calibration was given. None where
            the figures are relative angles the offsets cancel out of.
        columns: the per-sample columns its scoring and checks read
            (:data:`poise.analysis.tracked.ALL_COLUMNS`): only those are kept while a
            recording is tracked, so a long one costs what the drill needs. Every
            column by default.
        report_events: the per-event figures a visit's report plots, as (the
            result's list of events, the figure in each), e.g. a hop's
            ``("landings", "tts_s")``.
        report_tilt: whether the report draws the span's tilt (a stabilogram and
            tilt against time): for drills scored on sway.
    """

    name: str
    score: Callable[[Span, Any], DrillResult]
    result: type[DrillResult]
    symmetry: tuple[MetricRule, ...] = ()
    followed: tuple[MetricRule, ...] = ()
    options: Callable[..., Any] = NoOptions
    live: DrillSpec | None = None
    check: Callable[[Span, DrillResult], Iterable[ResultWarning]] = no_checks
    accel_offset_limit_g: float | None = None
    columns: tuple[str, ...] = (
        "tilt_deg",
        "inclination_deg",
        "up",
        "acc_g",
        "gyr_dps",
        "raw_acc_g",
    )
    report_events: tuple[tuple[str, str], ...] = ()
    report_tilt: bool = False

    def resolution(self, metric: str) -> Resolution | None:
        """How a headline metric is printed: its own figure's, or for a mean over the
        landings that of their key; None for a count."""
        table = self.result.RESOLUTION
        if metric in table:
            return table[metric]
        rule = next((r for r in self.headline if r.name == metric), None)
        return table.get(rule.landing_key) if rule is not None and rule.landing_key else None

    @property
    def headline(self) -> tuple[MetricRule, ...]:
        """The numbers kept per trial and followed over time: the symmetry rules, then the rest."""
        return self.symmetry + self.followed

    @property
    def compares_legs(self) -> bool:
        """Whether the left and right legs' results are compared (it has symmetry rules)."""
        return bool(self.symmetry)


def _rounded(name: str, value: Any, resolution: Mapping[str, Resolution]) -> Any:
    """``value`` for the JSON: floats named in ``resolution`` rounded to their places,
    into lists and the dicts of listed events; tuples as lists."""
    if isinstance(value, float) and name in resolution:
        return round(value, resolution[name].json_decimals)
    if isinstance(value, dict):
        return {k: _rounded(k, v, resolution) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(name, v, resolution) for v in value]
    return value
