"""Test batteries as data: a clinic's standard protocol, one TOML file each.

A battery names its published source and, in order, its conditions: the drill,
eyes and surface, trials per leg, the drill's own ``[train]`` settings for it
(a cap, what a loss does), what counts as the condition's score (the best or
the mean of one headline metric over the trials, or their sum) and what is said
to the athlete. The legs are taken in the battery's order for each condition.

Batteries ship in ``config/batteries/`` (inside the package once installed); a
clinic's own go in ``$XDG_CONFIG_HOME/poise/batteries/`` (``~/.config``), and
may not reuse a shipped name (:mod:`poise.config_files`). Every field is checked
against the drill registry when the file is read, and a mistake is one line
naming the file and the field.

A condition's ``protocol`` states the facts of how it is run that no drill
setting holds (arms crossed, seated), so that a published norm's protocol can be
matched against it as data (:mod:`poise.norms`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poise.config_files import check_keys, load_all, named, read_toml
from poise.drills.protocol import EYES, LEGS, SURFACES
from poise.errors import InputError
from poise.names import terminal_safe

#: How a condition's trials make its score.
SCORES = ("best", "mean", "sum")
#: The facts of a protocol that no drill setting holds, and the values each may take.
PROTOCOL_FACTS: dict[str, tuple[str, ...]] = {
    "arms": ("crossed", "on_hips", "free"),
    "position": ("standing", "seated", "supine", "prone"),
    "footwear": ("barefoot", "shod"),
}


@dataclass(frozen=True)
class BatteryCondition:
    """One condition of a battery, run on each leg in turn.

    Args:
        drill: a drill of the registry that can be trained live.
        eyes, surface: as ``poise train`` takes them.
        trials: trials per leg.
        metrics: the drill's headline metrics the condition is scored by (its
            ``symmetry`` and ``followed`` rules), one or more.
        score: each metric's ``best`` or ``mean`` over the trials (best by the
            metric's direction), or their ``sum``.
        settings: the drill's own ``[train]`` settings for this condition (e.g.
            ``stance_s``, ``on_loss``), checked as ``[train]`` is.
        protocol: the facts of the protocol no setting holds (:data:`PROTOCOL_FACTS`:
            ``arms = "crossed"``, ``position = "seated"``), for matching norms.
        say: what the athlete is told before the condition's first trial.
    """

    drill: str
    metrics: tuple[str, ...]
    eyes: str = "open"
    surface: str = "firm"
    trials: int = 1
    score: str = "best"
    settings: dict[str, Any] = dataclasses.field(default_factory=dict)
    protocol: dict[str, str] = dataclasses.field(default_factory=dict)
    say: str = ""


@dataclass(frozen=True)
class Battery:
    """A standard test battery (see the module's definition)."""

    name: str
    title: str
    source: str
    conditions: tuple[BatteryCondition, ...]
    legs: tuple[str, ...] = LEGS
    rest_s: float = 30.0
    notes: str = ""
    path: Path | None = None


def batteries(user: Path | None = None) -> dict[str, Battery]:
    """Every battery by name: the shipped ones, then the clinic's own (``user``, by
    default ``~/.config/poise/batteries``); a clinic's battery may not reuse a shipped name."""
    return load_all("batteries", "battery", load_battery, lambda b: b.name, user)


def battery(name: str, user: Path | None = None) -> Battery:
    """The battery called ``name``; the error lists those there are."""
    return named(batteries(user), name, "battery")


def load_battery(path: str | Path) -> Battery:
    """Read and check one battery file; a mistake raises :class:`InputError` naming the
    file and the field."""
    path = Path(path)
    return dataclasses.replace(battery_from_dict(read_toml(path), path), path=path)


def battery_to_dict(b: Battery) -> dict[str, Any]:
    """The battery as its file holds it (JSON-ready): a visit keeps the battery it ran,
    so a later edit of the file does not change what a visit was."""
    data = dataclasses.asdict(b)
    del data["path"]
    data["legs"] = list(b.legs)
    data["conditions"] = [{**c, "metrics": list(c["metrics"])} for c in data["conditions"]]
    return data


def battery_from_dict(data: Any, path: str | Path) -> Battery:
    """A battery from its fields (a file's, or a visit's :func:`battery_to_dict`), checked
    as a file is; ``path`` names where it came from in errors."""
    path = Path(path)
    if not isinstance(data, dict):
        raise InputError(path, "a battery is a table of fields")
    fields = _fields(Battery, exclude={"conditions", "path"})
    check_keys(path, "", data, {*fields, "conditions"}, "battery")
    for key in ("name", "title", "source"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise InputError(path, f"{key}: a non-empty text is required")
    legs = data.get("legs", list(LEGS))
    if not isinstance(legs, list) or not legs or any(leg not in LEGS for leg in legs):
        raise InputError(path, f"legs: a list of {' and '.join(LEGS)}, not {legs!r}")
    if len(set(legs)) != len(legs):
        raise InputError(path, f"legs: each leg once, not {legs!r}")
    rest_s = data.get("rest_s", 30.0)
    if isinstance(rest_s, bool) or not isinstance(rest_s, int | float) or not 0 <= rest_s <= 600:
        raise InputError(path, f"rest_s: seconds from 0 to 600, not {rest_s!r}")
    conditions = data.get("conditions")
    if not isinstance(conditions, list) or not conditions:
        raise InputError(path, "conditions: at least one [[conditions]] table is required")
    return Battery(
        name=data["name"],
        title=data["title"].strip(),
        source=data["source"].strip(),
        conditions=tuple(
            _condition(path, f"conditions[{i + 1}]", c) for i, c in enumerate(conditions)
        ),
        legs=tuple(legs),
        rest_s=float(rest_s),
        notes=str(data.get("notes", "")).strip(),
    )


def _condition(path: Path, where: str, data: Any) -> BatteryCondition:
    """One ``[[conditions]]`` table, checked against the drill registry."""
    from poise.drills import DRILLS, LIVE, TrainSettings

    if not isinstance(data, dict):
        raise InputError(path, f"{where}: a table is required")
    check_keys(path, where + ".", data, _fields(BatteryCondition), "battery")
    drill = data.get("drill")
    if drill not in LIVE:
        raise InputError(path, f"{where}.drill: {drill!r} is not a drill ({', '.join(LIVE)})")
    headline = [rule.name for rule in DRILLS[drill].headline]
    metrics = data.get("metrics")
    if not isinstance(metrics, list) or not metrics or not set(metrics) <= set(headline):
        raise InputError(
            path, f"{where}.metrics: {metrics!r}, not a list of {drill}'s: {', '.join(headline)}"
        )
    for key, choices in (("eyes", EYES), ("surface", SURFACES), ("score", SCORES)):
        if key in data and data[key] not in choices:
            raise InputError(
                path, f"{where}.{key}: {data[key]!r} is not one of {', '.join(choices)}"
            )
    trials = data.get("trials", 1)
    if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= 10:
        raise InputError(path, f"{where}.trials: a whole number from 1 to 10, not {trials!r}")
    settings = data.get("settings", {})
    own = {f.name for f in dataclasses.fields(LIVE[drill].settings)}
    if not isinstance(settings, dict) or not set(settings) <= own:
        unknown = sorted(set(settings) - own) if isinstance(settings, dict) else settings
        raise InputError(
            path, f"{where}.settings: {unknown!r} not {drill}'s (its are: {', '.join(sorted(own))})"
        )
    try:
        TrainSettings(**settings)  # checked as [train] is
    except (TypeError, ValueError) as e:
        raise InputError(path, f"{where}.settings: {e}") from None
    protocol = data.get("protocol", {})
    if not isinstance(protocol, dict):
        raise InputError(path, f"{where}.protocol: a table of facts is required")
    for key, value in protocol.items():
        check_protocol_fact(path, f"{where}.protocol.{key}", key, value)
    say = data.get("say", "")
    if not isinstance(say, str):
        raise InputError(path, f"{where}.say: a text is required")
    return BatteryCondition(
        drill=drill,
        metrics=tuple(metrics),
        eyes=data.get("eyes", "open"),
        surface=data.get("surface", "firm"),
        trials=trials,
        score=data.get("score", "best"),
        settings=dict(settings),
        protocol=dict(protocol),
        say=say.strip(),
    )


def check_protocol_fact(path: Path, where: str, key: str, value: Any) -> None:
    """Refuse a protocol fact not in :data:`PROTOCOL_FACTS`, or a value it cannot take."""
    if key not in PROTOCOL_FACTS:
        raise InputError(
            path, f"{where}: not a protocol fact ({', '.join(sorted(PROTOCOL_FACTS))})"
        )
    if value not in PROTOCOL_FACTS[key]:
        raise InputError(path, f"{where}: {value!r} is not one of {', '.join(PROTOCOL_FACTS[key])}")


def _fields(cls: type, exclude: frozenset[str] | set[str] = frozenset()) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)} - exclude


def heading(b: Battery) -> str:
    """``name: title``, for ``poise battery list``."""
    return terminal_safe(f"{b.name}: {b.title}")


def describe(b: Battery) -> str:
    """The battery as text, for ``poise battery show``: its source, then each condition;
    a control character in the file is printed as its escape, never sent to the terminal."""
    lines = [heading(b), f"  source: {b.source}"]
    lines.append(f"  legs in turn: {', '.join(b.legs)}; rest {b.rest_s:g} s between trials")
    for i, c in enumerate(b.conditions, 1):
        settings = ", ".join(f"{k} {v}" for k, v in {**c.settings, **c.protocol}.items())
        lines.append(
            f"  {i}. {c.drill}, eyes {c.eyes}, {c.surface} surface, {c.trials} trial"
            f"{'s' if c.trials > 1 else ''} per leg; score: {c.score} {', '.join(c.metrics)}"
            + (f" ({settings})" if settings else "")
        )
        if c.say:
            lines.append(f"     says: {c.say}")
    if b.notes:
        lines.append(f"  notes: {b.notes}")
    return "\n".join(terminal_safe(line) for line in lines)
