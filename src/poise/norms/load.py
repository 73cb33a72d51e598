"""Reading normative tables: ``config/norms/*.toml`` and a clinic's own.

Norms ship in ``config/norms/`` (inside the package once installed); a clinic's
own go in ``$XDG_CONFIG_HOME/poise/norms/`` (``~/.config``) and may not reuse a
shipped name (:mod:`poise.config_files`). Every field is checked when the file
is read, against the drill registry too, and a mistake is one line naming the
file and the field.
"""

from __future__ import annotations

import dataclasses
import math
import re
from itertools import pairwise
from pathlib import Path
from typing import Any

from poise.config_files import check_keys, load_all, named, read_toml
from poise.errors import InputError
from poise.norms.table import LEG_HANDLING, SEXES, STATISTICS, Norm, NormRow, NormTest

_TOP = {
    "name", "title", "source", "doi", "population", "n", "statistic", "column",
    "checked", "notes", "test", "protocol", "rows",
}  # fmt: skip
_DOI = re.compile(r"10\.\d{4,9}/\S+")
#: The protocol keys of the score rule; the others are drill settings or protocol facts.
_SCORE_KEYS = ("score", "trials")


def norms(user: Path | None = None) -> dict[str, Norm]:
    """Every norm by name: the shipped ones, then the clinic's own (``user``, by
    default ``~/.config/poise/norms``), which may not reuse a shipped name."""
    return load_all("norms", "norm", load_norm, lambda n: n.name, user)


def norm(name: str, user: Path | None = None) -> Norm:
    """The norm called ``name``; the error lists those there are."""
    return named(norms(user), name, "norm")


def load_norm(path: str | Path) -> Norm:
    """Read and check one norm file; a mistake raises :class:`InputError` naming the
    file and the field."""
    path = Path(path)
    data = read_toml(path)
    check_keys(path, "", data, _TOP, "norm")
    for key in ("name", "title", "source", "population", "column", "checked"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise InputError(path, f"{key}: a non-empty text is required")
    doi = data.get("doi", "")
    if not isinstance(doi, str) or (doi and not _DOI.fullmatch(doi)):
        raise InputError(path, f'doi: {doi!r} is not a DOI (10.NNNN/...), nor "" for none')
    n = data.get("n")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError(path, f"n: a whole number of people, 1 or more, not {n!r}")
    statistic = data.get("statistic")
    if statistic not in STATISTICS:
        raise InputError(path, f"statistic: {statistic!r} is not one of {', '.join(STATISTICS)}")
    notes = data.get("notes", "")
    if not isinstance(notes, str):
        raise InputError(path, "notes: a text is required")
    test = _test(path, data.get("test"))
    return Norm(
        name=data["name"],
        title=data["title"].strip(),
        source=data["source"].strip(),
        doi=doi,
        population=data["population"].strip(),
        n=n,
        statistic=statistic,
        column=data["column"].strip(),
        checked=data["checked"].strip(),
        test=test,
        protocol=_protocol(path, test, data.get("protocol", {})),
        rows=_rows(path, statistic, data.get("rows")),
        notes=notes.strip(),
        path=path,
    )


def _test(path: Path, data: Any) -> NormTest:
    """The ``[test]`` table, checked against the drill registry."""
    from poise.drills import DRILLS
    from poise.drills.protocol import EYES, SURFACES

    if not isinstance(data, dict):
        raise InputError(path, "test: a [test] table is required")
    check_keys(path, "test.", data, {f.name for f in dataclasses.fields(NormTest)}, "norm test")
    drill = data.get("drill")
    if drill not in DRILLS:
        raise InputError(path, f"test.drill: {drill!r} is not a drill ({', '.join(DRILLS)})")
    headline = [rule.name for rule in DRILLS[drill].headline]
    if data.get("metric") not in headline:
        raise InputError(
            path, f"test.metric: {data.get('metric')!r} is not {drill}'s ({', '.join(headline)})"
        )
    for key, choices in (("eyes", EYES), ("surface", SURFACES), ("legs", LEG_HANDLING)):
        if key in data and data[key] not in choices:
            raise InputError(path, f"test.{key}: {data[key]!r} is not one of {', '.join(choices)}")
    return NormTest(**data)


def _protocol(path: Path, test: NormTest, data: Any) -> dict[str, Any]:
    """The ``[protocol]`` table: the score rule, the drill's own settings (checked as
    ``[train]`` is) and the protocol facts, each as a battery condition states it."""
    from poise.batteries import PROTOCOL_FACTS, SCORES, check_protocol_fact
    from poise.drills import LIVE, TrainSettings

    if not isinstance(data, dict):
        raise InputError(path, "protocol: a [protocol] table is required")
    own = (
        {f.name for f in dataclasses.fields(LIVE[test.drill].settings)}
        if test.drill in LIVE
        else set()
    )
    check_keys(path, "protocol.", data, {*_SCORE_KEYS, *own, *PROTOCOL_FACTS}, "norm protocol")
    if "score" in data and data["score"] not in SCORES:
        raise InputError(
            path, f"protocol.score: {data['score']!r} is not one of {', '.join(SCORES)}"
        )
    trials = data.get("trials", 1)
    if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= 10:
        raise InputError(path, f"protocol.trials: a whole number from 1 to 10, not {trials!r}")
    settings = {k: v for k, v in data.items() if k in own}
    try:
        TrainSettings(**settings)  # checked as [train] is
    except (TypeError, ValueError) as e:
        raise InputError(path, f"protocol: {e}") from None
    for key in PROTOCOL_FACTS.keys() & data.keys():
        check_protocol_fact(path, f"protocol.{key}", key, data[key])
    return dict(data)


def _rows(path: Path, statistic: str, rows: Any) -> tuple[NormRow, ...]:
    """The ``[[rows]]``: each a sex, an age band and the statistic's values; bands of
    one sex (or of ``any`` and a sex) may not overlap, so an age has one row."""
    if not isinstance(rows, list) or not rows:
        raise InputError(path, "rows: at least one [[rows]] table is required")
    out = tuple(_row(path, f"rows[{i + 1}]", statistic, row) for i, row in enumerate(rows))
    for i, a in enumerate(out):
        for j, b in enumerate(out[:i]):
            same = a.sex == b.sex or "any" in (a.sex, b.sex)
            if same and a.age_low <= b.age_high and b.age_low <= a.age_high:
                raise InputError(
                    path,
                    f"rows[{i + 1}].age: {a.sex} {a.age_low}-{a.age_high} overlaps "
                    f"rows[{j + 1}] ({b.sex} {b.age_low}-{b.age_high})",
                )
    return out


def _row(path: Path, where: str, statistic: str, data: Any) -> NormRow:
    if not isinstance(data, dict):
        raise InputError(path, f"{where}: a table is required")
    keys = STATISTICS[statistic]
    check_keys(path, f"{where}.", data, {"sex", "age", "n", *keys}, f"{statistic} row")
    if data.get("sex") not in SEXES:
        raise InputError(path, f"{where}.sex: {data.get('sex')!r} is not one of {', '.join(SEXES)}")
    age = data.get("age")
    if not (
        isinstance(age, list)
        and len(age) == 2
        and all(isinstance(a, int) and not isinstance(a, bool) for a in age)
        and 0 <= age[0] <= age[1] <= 120
    ):
        raise InputError(path, f"{where}.age: [from, to] in whole years 0-120, not {age!r}")
    n = data.get("n")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise InputError(path, f"{where}.n: a whole number of people, 1 or more, not {n!r}")
    values: dict[str, float] = {}
    for key in keys:
        if key not in data:
            continue
        v = data[key]
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise InputError(path, f"{where}.{key}: a number is required, not {v!r}")
        values[key] = float(v)
    _check_values(path, where, statistic, values)
    return NormRow(sex=data["sex"], age_low=age[0], age_high=age[1], values=values, n=n)


def _check_values(path: Path, where: str, statistic: str, values: dict[str, float]) -> None:
    if statistic == "percentiles":
        if len(values) < 2:
            raise InputError(path, f"{where}: at least two of {', '.join(STATISTICS[statistic])}")
        ordered = [values[k] for k in STATISTICS[statistic] if k in values]
        if any(b < a for a, b in pairwise(ordered)):
            raise InputError(path, f"{where}: the percentiles must not decrease ({ordered})")
        return
    missing = [k for k in STATISTICS[statistic] if k not in values]
    if missing:
        raise InputError(path, f"{where}.{missing[0]}: required by statistic {statistic!r}")
    if values.get("sd", 1.0) <= 0:
        raise InputError(path, f"{where}.sd: a standard deviation above 0, not {values['sd']!r}")
