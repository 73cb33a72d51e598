"""A full disk during a session: recognising it, and the room kept to log the last trial.

The check before a session (:func:`poise.store.preflight.check_store`) makes
sure the disk has room for it, but another program (a log, a download, a
second recorder) can fill the disk while it runs. Then the recording's next
write fails with ``ENOSPC`` and SQLite's commit with ``SQLITE_FULL``
("database or disk is full"), and the trial that was running would be lost
with its result. So a session holds a small reserve file beside the store
(:data:`RESERVE_BYTES`, allocated before it starts) and deletes it the moment
the disk fills: the room it frees is what the recording's end line, the
trial's result and the session's end are then written in.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from poise.files import PRIVATE_FILE_MODE

#: Room kept for the writes that end a session on a full disk, bytes: the end line,
#: the trial's result (JSON, tens of kB) and SQLite's WAL pages for two commits.
RESERVE_BYTES = 1 << 20
#: Why writing a file can fail for want of room: the disk, or the user's quota.
_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` means the disk (or the quota) is full: ``OSError`` ENOSPC or
    EDQUOT, or SQLite's ``SQLITE_FULL``.

    >>> is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    True
    >>> is_disk_full(OSError(errno.EACCES, "Permission denied"))
    False
    """
    if isinstance(error, OSError):
        return error.errno in _FULL_ERRNOS
    if isinstance(error, sqlite3.OperationalError):
        return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    return False


def reserve_path(store_path: str | Path) -> Path:
    """The reserve file of a store: ``<store>.reserve`` beside it."""
    path = Path(store_path)
    return path.with_name(path.name + ".reserve")


class SpaceReserve:
    """``size`` bytes of disk held in a file at ``path`` until :meth:`release` frees them.

    The file is the owner's (0600) and opened without following a link; one
    left by a killed session is taken over. Its blocks are allocated
    (``posix_fallocate``), not just its length set, so deleting it frees real room.
    """

    def __init__(self, path: str | Path, size: int = RESERVE_BYTES) -> None:
        self.path = Path(path)
        self.size = size
        self.held = False

    def take(self) -> None:
        """Allocate the reserve; OSError (ENOSPC if there is no room for it) as the OS says."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(self.path, flags, PRIVATE_FILE_MODE)
        try:
            os.fchmod(fd, PRIVATE_FILE_MODE)
            os.posix_fallocate(fd, 0, self.size)
            os.fsync(fd)
        finally:
            os.close(fd)
        self.held = True

    def release(self) -> bool:
        """Free the reserve; True if it was held (so there is room now that was not)."""
        was_held, self.held = self.held, False
        self.path.unlink(missing_ok=True)
        return was_held
