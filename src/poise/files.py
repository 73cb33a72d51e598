"""Reading and writing files with one-line errors, and atomic writes.

An atomic write leaves a file with either its complete new content or its old one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from poise.errors import InputError, PoiseError

T = TypeVar("T")


def read_text(path: str | Path, encoding: str = "utf-8") -> str:
    """The text of ``path``; an unreadable or undecodable file raises :class:`InputError`
    naming it (``utf-8-sig`` drops a byte-order mark)."""
    try:
        return Path(path).read_text(encoding=encoding)
    except UnicodeDecodeError as e:
        raise InputError(path, f"not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise InputError(path, e.strerror or str(e)) from None


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a synced temporary file renamed into place.

    A process killed at any moment leaves either the old file or the complete
    new one, never a torn one.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def writing(path: str | Path, work: Callable[[], T]) -> T:
    """Run ``work``, which writes ``path``; an OS error becomes one line naming the file.

    >>> writing("/no/such/folder/x.csv", lambda: open("/no/such/folder/x.csv", "w"))
    Traceback (most recent call last):
    ...
    poise.errors.PoiseError: /no/such/folder/x.csv: cannot write: No such file or directory
    """
    try:
        return work()
    except OSError as e:
        raise PoiseError(f"{path}: cannot write: {e.strerror or e}") from None
