"""Words for people: counts with their noun in the right number.

>>> plural(1, "gap"), plural(2, "gap"), plural(1, "loss", "losses"), plural(0, "trial")
('1 gap', '2 gaps', '1 loss', '0 trials')
>>> span_words(5.42e-05), span_words(0.25), span_words(1.5), span_words(120.4)
('5 seconds', '6 hours', '1.5 days', '120 days')
"""

from __future__ import annotations

import dataclasses
import re


def plural(n: int, word: str, words: str | None = None) -> str:
    """``n`` and ``word``, or ``words`` (``word + "s"`` by default) unless ``n`` is 1."""
    return f"{n} {word if n == 1 else words or word + 's'}"


def span_words(days: float) -> str:
    """A span of time in the largest unit that keeps it readable (seconds to days)."""
    for unit, size in (("day", 1.0), ("hour", 1 / 24), ("minute", 1 / 1440)):
        if days >= size:
            n = days / size
            text = f"{n:.3g}" if n < 100 else f"{n:.0f}"
            return f"{text} {unit}" + ("" if text == "1" else "s")
    return plural(round(days * 86400), "second")


#: Unit suffixes of metric names (``sway_rms_deg``), left out when a person reads them.
UNIT_SUFFIXES = ("deg", "deg2", "dps", "s", "m", "g", "pct")


def metric_words(name: str) -> str:
    """A metric's name without its unit suffix, in words.

    >>> metric_words("sway_rms_deg"), metric_words("time_held_s"), metric_words("steadiness")
    ('sway rms', 'time held', 'steadiness')
    """
    words = name.split("_")
    if len(words) > 1 and words[-1] in UNIT_SUFFIXES:
        words = words[:-1]
    return " ".join(words)


def arg_docs(cls: type) -> dict[str, str]:
    """Map field name to its description from the ``Args:`` section of the docstring of
    the class, or of the base class that declares the field."""
    out: dict[str, str] = {}
    for part in reversed(cls.__mro__):
        if dataclasses.is_dataclass(part):
            out.update(_own_arg_docs(part))
    return out


def _own_arg_docs(cls: type) -> dict[str, str]:
    doc = (cls.__doc__ or "").expandtabs()
    match = re.search(r"Args:\n(.*?)(?:\n\s*\n|\Z)", doc, re.S)
    out: dict[str, str] = {}
    current = None
    for line in (match.group(1) if match else "").splitlines():
        entry = re.match(r"\s*(\w+):\s*(.*)", line)
        if entry and entry.group(1) in {f.name for f in dataclasses.fields(cls)}:
            current = entry.group(1)
            out[current] = entry.group(2).strip()
        elif current:
            out[current] += " " + line.strip()
    return {k: re.sub(r"``", "", v) for k, v in out.items()}
