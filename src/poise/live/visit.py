"""Running a test battery as a visit: condition by condition, each leg in turn, resumable.

Each condition on each leg is a session of the visit (:class:`SessionPlan` with
its ``visit``), run with the condition's own ``[train]`` settings and the
battery's rest; the condition's instructions are said before its first trial.
What remains is worked out from the store before each run (:func:`poise.visits.
remaining`), so a visit interrupted by a quit, a crash or a power cut goes on
where it stopped when the same command is given again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from poise.batteries import Battery, battery_from_dict, battery_to_dict
from poise.errors import PoiseError
from poise.live.launch import Launch, run_session
from poise.live.session import SessionPlan
from poise.settings import Settings
from poise.visits import Done, Step, remaining, visit_trials

#: Simulator seeds a step of a visit may use: more trials than a step can have (100).
SEEDS_PER_STEP = 1000


@dataclass(frozen=True)
class VisitRun:
    """How a run of a visit ended: the battery as the visit runs it, the visit (as
    stored), its trials, and whether it is whole."""

    battery: Battery
    visit: Any
    done: tuple[Done, ...]
    whole: bool


def run_visit(
    battery: Battery,
    athlete: str,
    involved: str | None,
    launch: Launch,
    settings: Settings,
) -> VisitRun:
    """Run ``battery`` for ``athlete`` as a visit, or go on with the open visit of it.

    A new visit's involved side is ``involved``, else the one the athlete's profile
    names; given, it goes into a profile that names none (:func:`_involved`).

    Raises :class:`PoiseError` without a store (a visit is kept there), or when
    the open visit names another involved side than the one given.
    """
    from poise.store.sqlite import Store

    if launch.store == "":
        raise PoiseError("a visit is kept in the store: give --store FILE, not an empty one")
    path = launch.store or str(settings.store.store_path())
    launch = dataclasses.replace(launch, store=path)
    with Store.open(path) as store:
        visit = _open_visit(store, athlete, battery.name)
        if visit is None:
            visit_id = store.start_visit(
                athlete, battery_to_dict(battery), _involved(store, athlete, involved)
            )
            visit = _visit(store, athlete, visit_id)
        elif involved is not None and involved != visit.involved:
            raise PoiseError(
                f"visit {visit.number} of {athlete} ({battery.name}) is open with the involved "
                f"side {visit.involved or 'not named'}; go on without --involved, or finish it"
            )
        ran = battery_from_dict(visit.battery_fields, f"{path}: visit {visit.number}")
        steps = remaining(ran, visit_trials(visit.sessions, store.trials(visit.athlete)))
    previous: Step | None = None
    for step in steps:
        condition = ran.conditions[step.condition - 1]
        plan = SessionPlan(
            condition.drill,
            (step.leg,),
            condition.eyes,
            condition.surface,
            step.trials,
            athlete,
            say=_said(ran, step, previous),
            first_number=step.first_number,
            visit=(visit.id, step.condition),
            rest_first_s=0.0 if previous is None else ran.rest_s,
        )
        train = dataclasses.replace(settings.train, rest_s=ran.rest_s, **condition.settings)
        outcomes = run_session(
            plan, _seeded(launch, ran, step), dataclasses.replace(settings, train=train)
        )
        previous = step
        if any(o.status == "aborted" for o in outcomes):
            break
    with Store.open(path) as store:
        visit = _visit(store, athlete, visit.id)
        done = visit_trials(visit.sessions, store.trials(visit.athlete))
        whole = not remaining(ran, done)
        if whole:
            store.end_visit(visit.id)
            visit = _visit(store, athlete, visit.id)
    return VisitRun(ran, visit, tuple(done), whole)


def _visit(store: Any, athlete: str, visit_id: int) -> Any:
    """The athlete's visit of this id, as stored now."""
    return next(v for v in store.visits(athlete) if v.id == visit_id)


def _involved(store: Any, athlete: str, given: str | None) -> str | None:
    """The involved side of a new visit: ``given`` (and, if the athlete's profile says
    nothing of it, the profile's from now on), else the profile's (None for ``none``)."""
    profile = store.profile(athlete)
    if given is None:
        return None if profile is None or profile.involved == "none" else profile.involved
    if profile is None:
        store.add_profile(athlete, involved=given)
    elif profile.involved is None:
        store.edit_profile(athlete, involved=given)
    return given


def _seeded(launch: Launch, battery: Battery, step: Step) -> Launch:
    """The launch of a step: the simulator's athlete drawn anew for each trial of the
    visit (trial k of a session is seed + k, so each step starts past every trial number
    the visit can have before it), the same again for the same visit and seed."""
    legs = max(len(battery.legs), 1)
    before = (step.condition - 1) * legs + (
        battery.legs.index(step.leg) if step.leg in battery.legs else 0
    )
    return dataclasses.replace(
        launch, seed=launch.seed + SEEDS_PER_STEP * before + step.first_number - 1
    )


def _open_visit(store: Any, athlete: str, battery: str) -> Any:
    """The athlete's latest open visit of this battery, if any."""
    open_ = [v for v in store.visits(athlete) if v.battery == battery and v.open]
    return open_[-1] if open_ else None


def _said(battery: Battery, step: Step, previous: Step | None) -> str:
    """What is said before the step: the condition's instructions at its start, and
    where the sensor goes when the leg changes."""
    said = []
    if previous is not None and previous.leg != step.leg and step.leg != "board":
        said.append(f"Next, the {step.leg} leg: move the sensor to the {step.leg} shin.")
    condition = battery.conditions[step.condition - 1]
    if condition.say and (previous is None or previous.condition != step.condition):
        said.append(condition.say)
    return " ".join(said)
