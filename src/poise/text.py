"""Words for people: counts with their noun in the right number.

>>> plural(1, "gap"), plural(2, "gap"), plural(1, "loss", "losses"), plural(0, "trial")
('1 gap', '2 gaps', '1 loss', '0 trials')
"""

from __future__ import annotations


def plural(n: int, word: str, words: str | None = None) -> str:
    """``n`` and ``word``, or ``words`` (``word + "s"`` by default) unless ``n`` is 1."""
    return f"{n} {word if n == 1 else words or word + 's'}"
