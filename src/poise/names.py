"""Athlete names (and notes): checked where they come in, escaped where they go out.

A name is typed by a person and later printed on a terminal and opened in a
spreadsheet, so it must be text that does nothing there. Where a name comes
in (``poise train --athlete``, a session plan, the store), control characters
are refused: C0 and C1 controls (newline, tab, NUL, ESC...), the format
characters that include the bidirectional overrides and isolates (U+202A-E,
U+2066-9; Unicode category Cf, except the zero-width non-joiner and joiner,
U+200C-D, which some scripts and emoji need), line and paragraph separators
and lone surrogates; and so are names over :data:`MAX_NAME_CHARS` characters.
A note on an athlete, a visit or a trial, and the reason a trial is marked
invalid, are checked the same way (:func:`note_text`), one line each.

Where a name goes out, it is escaped whatever the store holds (a store
written by an older Poise may hold any text): :func:`terminal_safe` for the
terminal; :func:`csv_safe` neutralises a spreadsheet formula, as the OWASP
"CSV Injection" page recommends: a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a leading single quote.
"""

from __future__ import annotations

import unicodedata

MAX_NAME_CHARS = 100
#: The longest note or reason, in characters.
MAX_NOTE_CHARS = 1000
#: Unicode categories refused in a name and escaped on a terminal.
_CONTROL_CATEGORIES = ("Cc", "Cf", "Cs", "Zl", "Zp")
#: Format characters that join letters (Persian, Indic scripts, emoji): allowed.
_JOINERS = ("\u200c", "\u200d")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_control(ch: str) -> bool:
    """Whether ``ch`` is a character a name may not hold (see the module's docstring).

    >>> [is_control(c) for c in ("a", "\\x1b", "\\u202e", "\\u200d", " ")]
    [False, True, True, False, False]
    """
    return unicodedata.category(ch) in _CONTROL_CATEGORIES and ch not in _JOINERS


def athlete_name(name: str) -> str:
    """``name`` without surrounding spaces, if it is one a person can have.

    Raises:
        ValueError: starting ``athlete``, in one line that does not echo the
            name's control characters: empty, over :data:`MAX_NAME_CHARS`
            characters, or holding a control character.

    >>> athlete_name("  Ana María ")
    'Ana María'
    >>> athlete_name("Ana\\x1b[31m")
    Traceback (most recent call last):
    ...
    ValueError: athlete name has a control character, \\x1b, at character 4 (names are text)
    """
    return checked_text(name, "athlete", "athlete name", MAX_NAME_CHARS, "names are text")


def note_text(text: str, what: str = "note") -> str:
    """A note or a reason typed by a person (``poise athlete note``, ``poise trial
    invalid --reason``), without surrounding spaces: one line of at most
    :data:`MAX_NOTE_CHARS` characters and no control character, checked like a name.

    >>> note_text(" touched down with a hand ")
    'touched down with a hand'
    >>> note_text("left\\nright", "reason")
    Traceback (most recent call last):
    ...
    ValueError: reason has a control character, \\x0a, at character 5 (one line of text)
    """
    return checked_text(text, what, what, MAX_NOTE_CHARS, "one line of text")


def checked_text(text: str, what: str, called: str, max_chars: int, why: str) -> str:
    """``text`` without surrounding spaces if it is not empty, at most ``max_chars``
    characters and free of control characters; else ValueError, starting ``what``
    (``called`` when it is the text that is wrong), that does not echo them."""
    stripped = text.strip(" ")
    if not stripped:
        raise ValueError(f"{what} must be {'a name' if what == 'athlete' else 'text'}, not empty")
    if len(stripped) > max_chars:
        raise ValueError(f"{called} is {len(stripped)} characters long; at most {max_chars}")
    for i, ch in enumerate(stripped):
        if is_control(ch):
            raise ValueError(
                f"{called} has a control character, {_escape(ch)}, at character {i + 1} ({why})"
            )
    return stripped


def terminal_safe(text: str) -> str:
    """``text`` with every control character written as its escape (``\\x1b``, ``\\u202e``).

    >>> terminal_safe("Ana\\x1b]8;;x\\x07\\u202e")
    'Ana\\\\x1b]8;;x\\\\x07\\\\u202e'
    """
    return "".join(_escape(ch) if is_control(ch) else ch for ch in text)


def csv_safe(cell: str) -> str:
    """A text cell that a spreadsheet shows as text, never runs as a formula.

    >>> csv_safe("=HYPERLINK(\\"http://x\\")"), csv_safe("Ana")
    ('\\'=HYPERLINK("http://x")', 'Ana')
    """
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
