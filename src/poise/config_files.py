"""Data files of one kind (batteries, norms): the shipped ones and a clinic's own.

Each kind ships in ``config/KIND/`` (inside the package once installed, beside it
in a checkout: ``pyproject.toml`` copies the folder into the wheel); a clinic's
own go in ``$XDG_CONFIG_HOME/poise/KIND/`` (``~/.config``) and may not reuse a
shipped name. One TOML file each, named for its ``name``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from poise.errors import InputError, PoiseError
from poise.files import read_text

T = TypeVar("T")

#: Where the shipped files are: the package's own ``config``, else the checkout's.
_SHIPPED_ROOTS = (
    Path(__file__).resolve().parent / "config",
    Path(__file__).resolve().parents[2] / "config",
)


def shipped_dir(kind: str) -> Path:
    """The folder of the shipped files of ``kind`` (``batteries``, ``norms``)."""
    for root in _SHIPPED_ROOTS:
        if (root / kind).is_dir():
            return root / kind
    raise PoiseError(f"the shipped {kind} are not installed with Poise (no config/{kind})")


def user_dir(kind: str) -> Path:
    """A clinic's own files of ``kind``: ``$XDG_CONFIG_HOME/poise/KIND`` (``~/.config``)."""
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".config"
    return base / "poise" / kind


def load_all(
    kind: str,
    what: str,
    load: Callable[[Path], T],
    name_of: Callable[[T], str],
    user: Path | None = None,
) -> dict[str, T]:
    """Every file of ``kind`` read by ``load``, by name: the shipped ones, then the
    clinic's own (``user``, by default :func:`user_dir`), which may not reuse a name
    (a mistake names the file and the ``what``: "a battery named ...")."""
    found: dict[str, T] = {}
    for folder in (shipped_dir(kind), user or user_dir(kind)):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            item = load(path)
            if name_of(item) in found:
                raise InputError(path, f"a {what} named {name_of(item)!r} exists already")
            found[name_of(item)] = item
    return found


def named(found: dict[str, T], name: str, what: str) -> T:
    """The one of ``found`` called ``name``; the error lists those there are."""
    if name not in found:
        raise PoiseError(f"no {what} {name!r} (there are: {', '.join(sorted(found))})")
    return found[name]


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML table of ``path``; a file that is not TOML is one line naming it, and a
    ``name`` must be the file's own (``upst`` in ``upst.toml``)."""
    try:
        data = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as e:
        raise InputError(path, f"not TOML: {e}") from None
    if data.get("name") != path.stem and isinstance(data.get("name"), str):
        raise InputError(path, f"name: {data['name']!r} must be the file's name, {path.stem!r}")
    return data


def check_keys(path: Path, where: str, data: dict, allowed: set[str], what: str) -> None:
    """Refuse a key of ``data`` not in ``allowed``: one line naming it (``where`` prefixes
    it, e.g. ``conditions[1].``), and the keys there are, ``what``'s fields."""
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InputError(
            path, f"{where}{unknown[0]}: not a {what} field ({', '.join(sorted(allowed))})"
        )
