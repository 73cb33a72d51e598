"""Argument checks for settings and parameters: a clear ValueError naming the field.

Settings come from TOML files and the command line, where ``inf``, ``nan``
and negative numbers are all easy to type; every dataclass that takes numbers
checks them here, so a mistake is reported as one line instead of surfacing
later as an overflow or an array of NaNs.
"""

from __future__ import annotations

import math


def check_number(
    name: str,
    value: float,
    low: float | None = None,
    high: float | None = None,
    *,
    above: bool = False,
) -> None:
    """Raise ValueError unless ``value`` is a finite number within [low, high].

    With ``above`` the lower bound is exclusive (``value > low``).

    >>> check_number("gain", 0.5, 0.0, 10.0)
    >>> check_number("duration_s", float("inf"), 5.0, 900.0)
    Traceback (most recent call last):
    ...
    ValueError: duration_s must be a number from 5 to 900, not inf
    """
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if above else value >= low
    if ok and high is not None:
        ok = value <= high
    if ok:
        return
    if low is not None and high is not None:
        start = f"above {low:g} and up" if above else f"from {low:g}"
        expected = f"a number {start} to {high:g}"
    elif low is not None:
        expected = f"a number {'above' if above else 'of at least'} {low:g}"
    elif high is not None:
        expected = f"a number of at most {high:g}"
    else:
        expected = "a finite number"
    raise ValueError(f"{name} must be {expected}, not {value!r}")


def check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    """Raise ValueError unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


def check_count(name: str, value: int, low: int, high: int) -> None:
    """Raise ValueError unless ``value`` is a whole number within [low, high]."""
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
