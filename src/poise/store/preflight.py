"""Before a session starts: can the store take it? One clear line if not.

A session that discovers a read-only card or a full disk only when it writes
its first result has already cost the athlete a trial; :func:`check_store`
finds out first. It tries what the session will do (create the folder, create
a file in it, open the store file for writing, read the store's schema) rather
than trusting permission bits, which say nothing about a read-only mount and
do not bind root.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import tempfile
from pathlib import Path

from poise.errors import PoiseError
from poise.files import private_folder
from poise.store.paths import recordings_dir
from poise.store.schema import schema_version

#: Free space that must remain after a session, bytes, unless told (see StoreSettings).
DEFAULT_RESERVE_BYTES = 64_000_000
#: The longest row of a Poise recording, bytes: seq (up to 10 digits), t_s (up to
#: 99999.999999, 12), three accelerations (-32.000000, 10 each), three rates
#: (-2000.0000, 10 each), 7 commas and a newline (poise.formats.poise_csv.ROW_FORMAT;
#: spelt out, so that the store's checks do not load the formats and NumPy).
MAX_ROW_BYTES = 10 + 12 + 3 * 10 + 3 * 10 + 7 + 1


def recording_bytes(rate_hz: float, duration_s: float) -> int:
    """An upper bound of a recording's size, bytes, from its rate and length (header aside).

    >>> recording_bytes(416.0, 60.0)
    2246400
    """
    return int(rate_hz * duration_s * MAX_ROW_BYTES)


def check_store(
    path: str | Path, needed_bytes: int, reserve_bytes: int = DEFAULT_RESERVE_BYTES
) -> None:
    """Raise :class:`PoiseError` (one line naming the path) unless a session can use the store.

    Checks, in order: the store's folder can be created and written (not a
    read-only file system, not forbidden); the store is not missing or empty
    while its recordings folder holds recordings (:func:`check_recordings_have_store`);
    the store file, if it exists, can
    be opened for writing and is a Poise store this Poise reads, not corrupt
    (``PRAGMA quick_check``); the file system has ``needed_bytes`` plus
    ``reserve_bytes`` free for an unprivileged user (``statvfs`` ``f_bavail``).
    """
    path = Path(path)
    folder = path.parent
    try:
        private_folder(folder)
        fd, probe = tempfile.mkstemp(prefix=".poise-preflight-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise PoiseError(f"{folder}: cannot write the store's folder: {_reason(e)}") from None
    check_recordings_have_store(path)
    if path.exists():
        _check_store_file(path)
    stats = os.statvfs(folder)
    free = stats.f_bavail * stats.f_frsize
    if free < needed_bytes + reserve_bytes:
        raise PoiseError(
            f"{folder}: {free / 1e6:.1f} MB free; a session needs {needed_bytes / 1e6:.1f} MB "
            f"plus {reserve_bytes / 1e6:.1f} MB kept in reserve; free some space"
        )


def check_recordings_have_store(path: str | Path) -> None:
    """Raise :class:`PoiseError` (one line) if the store is missing or empty (0 bytes)
    while ``recordings/`` beside it holds recordings.

    The store was lost, deleted or truncated: a new one would log sessions as
    if none had been, beside raw data it knows nothing of. The user decides:
    rebuild the store from the recordings (``poise store rebuild``), restore it
    from a backup, or move the recordings folder aside to start a new store.
    """
    path = Path(path)
    try:
        size: int | None = path.stat().st_size
    except FileNotFoundError:
        size = None
    if size:
        return
    folder = recordings_dir(path)
    if first_recording(folder) is None:
        return
    state = "missing" if size is None else "empty (0 bytes)"
    raise PoiseError(
        f"{path}: the store is {state}, but {folder} holds recordings; make it again from "
        f"them with `poise store rebuild --from {folder}`, or restore the store file from a "
        f"backup, or move {folder} aside to start a new store"
    )


def first_recording(folder: Path) -> Path | None:
    """A file under ``folder`` (symbolic links to folders not followed; hidden temporary
    files left by a killed writer ignored), or None if there is none."""
    for top, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(files):
            if not name.startswith("."):
                return Path(top) / name
    return None


def _check_store_file(path: Path) -> None:
    try:
        os.close(os.open(path, os.O_RDWR))
    except OSError as e:
        raise PoiseError(f"{path}: the store cannot be written: {_reason(e)}") from None
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
            schema_version(conn, str(path))
            problems = [row[0] for row in conn.execute("PRAGMA quick_check(1)")]
    except sqlite3.DatabaseError as e:
        raise PoiseError(f"{path}: the store is corrupt ({e})") from None
    if problems != ["ok"]:
        raise PoiseError(f"{path}: the store is corrupt ({problems[0]})")


def _reason(e: OSError) -> str:
    if e.errno == errno.EROFS:
        return "read-only file system"
    if e.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return e.strerror or str(e)
