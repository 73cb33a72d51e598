"""Words for people: counts with their noun in the right number.

>>> plural(1, "gap"), plural(2, "gap"), plural(1, "loss", "losses"), plural(0, "trial")
('1 gap', '2 gaps', '1 loss', '0 trials')
>>> span_words(5.42e-05), span_words(0.25), span_words(1.5), span_words(120.4)
('5 seconds', '6 hours', '1.5 days', '120 days')
"""

from __future__ import annotations


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
