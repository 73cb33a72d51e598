"""What reading a damaged store file can raise, and its message as one safe line.

SQLite reports a damaged file as :class:`sqlite3.DatabaseError`; where the
damage is in the schema's own text, Python's ``sqlite3`` cannot even decode
the error message and raises :class:`UnicodeDecodeError` instead. Messages can
quote that schema text (with its newlines and whatever bytes the damage left),
so they are printed folded to one line, escaped and cut short.
"""

from __future__ import annotations

import sqlite3

from poise.names import terminal_safe

#: What a query on a damaged store can raise.
FAULTS: tuple[type[Exception], ...] = (sqlite3.DatabaseError, UnicodeDecodeError)
#: The longest message quoted, characters.
MAX_CHARS = 160


def fault_text(e: Exception) -> str:
    """``e``'s message on one line, control characters escaped, at most :data:`MAX_CHARS`.

    >>> fault_text(ValueError("malformed database schema (t) -\\n  near \\x1b[31m"))
    'malformed database schema (t) - near \\\\x1b[31m'
    """
    if isinstance(e, UnicodeDecodeError):
        return "damaged text in the store's schema"
    return one_line(str(e))


def one_line(text: str) -> str:
    """SQLite's text (an error, a quick check's finding) folded to one safe, short line.

    >>> one_line("*** in database main ***\\nOn tree page 16 cell 1: Rowid 44 out of order")
    '*** in database main *** On tree page 16 cell 1: Rowid 44 out of order'
    """
    text = terminal_safe(" ".join(text.split()))
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 3] + "..."
