"""What a visit's report shows, read from the store: the content, not its layout.

Page 1 holds at most :data:`PRIMARY_MAX` primary numbers (as APDM's Mobility
Lab report does): each condition's score per leg by the battery's rule, its
validity, left against right (LSI, involved side over the other), and where it
stands against the athlete's earlier visits and the published norms. Then the
trials behind them: each one's verdict and warnings, data health and algorithm,
and the visits of the same battery before, for the trends. Every number here is
the store's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from poise.batteries import Battery, BatteryCondition, battery_from_dict
from poise.drills import DRILLS
from poise.drills.precision import Resolution, plain
from poise.errors import PoiseError
from poise.norms.place import Age, Placement, condition_facts, place
from poise.norms.table import Norm
from poise.reports.visit_history import ConditionCourse, LegCourse, visit_history
from poise.store.annotations import Note, Profile
from poise.store.reader import TrialRow
from poise.store.utc import parse_utc
from poise.store.visits import Visit
from poise.visits import Score, Symmetry, legs_of, scores, symmetry, visit_trials

#: Primary numbers on the first page, at most (APDM Mobility Lab's report: 9).
PRIMARY_MAX = 9
#: A trial's verdict as the report names it (APDM's Valid / Attention / Invalid).
STATUS = {"valid": "Valid", "attention": "Attention", "invalid": "Invalid"}


@dataclass(frozen=True)
class Primary:
    """One primary number: a condition's score by one metric, per leg, with the LSI.

    ``status`` is per leg the worst verdict of the trials counted in the score;
    ``norms`` per leg where the score stands in a published norm, or why it is not
    placed (:func:`poise.norms.place.place`); ``course`` the scores of the same
    condition over the battery's visits up to this one, their MDC, changes and trend
    (:func:`poise.reports.visit_history.visit_history`).
    """

    def leg_course(self, leg: str) -> LegCourse | None:
        """The ``leg``'s course over visits, if it has scores."""
        return next((c for c in self.course.legs if c.leg == leg), None) if self.course else None

    condition: int
    label: str
    metric: str
    resolution: Resolution | None
    left: Score | None
    right: Score | None
    symmetry: Symmetry | None
    status: dict[str, str]
    norms: dict[str, Placement]
    course: ConditionCourse | None = None

    @property
    def unit(self) -> str:
        """The unit the value is printed in ("" for a count)."""
        r = self.resolution
        return "" if r is None or r.unit == "1" else r.unit

    def scaled(self, value: float) -> float:
        """``value`` (the store's unit) in the printed unit (a hop's height in cm)."""
        return value if self.resolution is None else value * self.resolution.scale

    def text(self, value: float | None, sign: str = "") -> str:
        """``value`` as printed: to the places the figure resolves, ``-`` where none;
        ``sign="+"`` for a change."""
        return self.resolution.text(value, sign) if self.resolution else plain(value, sign)


@dataclass(frozen=True)
class VisitReport:
    """A visit, as its report shows it (see the module)."""

    athlete: str
    visit: Visit
    battery: Battery
    primaries: tuple[Primary, ...]
    more: tuple[Primary, ...]
    trials: tuple[tuple[int, TrialRow], ...]  # (condition, trial), in the visit's order
    profile: Profile | None = None
    notes: tuple[Note, ...] = ()

    def condition_label(self, number: int) -> str:
        """A condition as a clinician names it: ``1. stance, eyes closed, firm``."""
        return f"{number}. {label(self.battery.conditions[number - 1])}"


def label(condition: BatteryCondition) -> str:
    """``stance, eyes closed, firm``."""
    return f"{condition.drill}, eyes {condition.eyes}, {condition.surface}"


def visit_report(
    visits: Sequence[Visit],
    trials: Sequence[TrialRow],
    athlete: str,
    number: int | None = None,
    *,
    norms: Iterable[Norm] = (),
    profile: Profile | None = None,
    notes: Iterable[Note] = (),
) -> VisitReport:
    """The report of the athlete's visit ``number`` (the latest by default), from the
    store's visits and trials of that athlete, each score placed in ``norms`` (by the
    ``profile``'s sex and age at the visit, where known), with the ``notes`` on the
    athlete, the visit and its trials; :class:`PoiseError` if there is no such visit."""
    own = [v for v in visits if v.athlete == athlete]
    if not own:
        raise PoiseError(f"{athlete!r} has no visit in the store (run `poise battery run`)")
    if number is None:
        visit = own[-1]
    else:
        found = [v for v in own if v.number == number]
        if not found:
            raise PoiseError(
                f"--visit {number}: {athlete!r} has visits 1 to {own[-1].number}, not {number}"
            )
        visit = found[0]
    battery = battery_from_dict(visit.battery_fields, f"visit {visit.number}")
    norms = tuple(norms)
    sex = profile.sex if profile else None
    age = None
    if profile is not None and profile.birth_year is not None:
        age = Age.from_birth_year(profile.birth_year, parse_utc(visit.started_utc).date())
    done = visit_trials(visit.sessions, trials)
    upto = [v for v in own if v.battery == visit.battery and v.number <= visit.number]
    courses = {(c.condition, c.metric): c for c in visit_history(upto, trials)[0]}
    scored = scores(battery, done)
    sym = {(m.condition, m.metric): m for m in symmetry(battery, scored, visit.involved)}
    by_score = {(s.condition, s.leg, s.metric): s for s in scored}
    in_visit = sorted(
        ((visit.sessions[t.session_id], t) for t in trials if t.session_id in visit.sessions),
        key=lambda ct: (ct[0], ct[1].started_utc),
    )
    all_numbers = []
    for number_, condition in enumerate(battery.conditions, 1):
        drill = DRILLS[condition.drill]
        legs = legs_of(battery, condition)
        for metric in condition.metrics:
            facts = condition_facts(condition, metric)
            by_leg = {leg: by_score.get((number_, leg, metric)) for leg in legs}
            all_numbers.append(
                Primary(
                    condition=number_,
                    label=label(condition),
                    metric=metric,
                    resolution=drill.resolution(metric),
                    left=by_score.get((number_, "left", metric)) if "left" in legs else None,
                    right=by_score.get((number_, "right", metric)) if "right" in legs else None,
                    symmetry=sym.get((number_, metric)),
                    status=_status(in_visit, number_, legs),
                    course=courses.get((number_, metric)),
                    norms={
                        leg: place(norms, facts, s.value, sex=sex, age=age)
                        for leg, s in by_leg.items()
                        if s is not None and s.value is not None
                    },
                )
            )
    return VisitReport(
        athlete=athlete,
        visit=visit,
        battery=battery,
        primaries=tuple(all_numbers[:PRIMARY_MAX]),
        more=tuple(all_numbers[PRIMARY_MAX:]),
        trials=tuple(in_visit),
        profile=profile,
        notes=tuple(_notes_of(notes, visit, in_visit)),
    )


def _notes_of(
    notes: Iterable[Note], visit: Visit, in_visit: Sequence[tuple[int, TrialRow]]
) -> list[Note]:
    """The notes on the athlete, on this visit, or on one of its trials."""
    ids = {t.id for _, t in in_visit}
    return [
        n
        for n in notes
        if (n.visit_id is None and n.trial_id is None)
        or n.visit_id == visit.id
        or n.trial_id in ids
    ]


def _status(
    in_visit: Sequence[tuple[int, TrialRow]], condition: int, legs: Sequence[str]
) -> dict[str, str]:
    """Per leg, the worst verdict of the condition's counted trials (a trial marked
    invalid is not counted: the trials table names it and why)."""
    order = ("valid", "attention", "invalid")
    out = {}
    for leg in legs:
        seen = [
            t.validity or "invalid"
            for c, t in in_visit
            if c == condition and t.leg == leg and t.status == "complete" and not t.invalid
        ]
        if seen:
            out[leg] = STATUS[max(seen, key=order.index)]
    return out
