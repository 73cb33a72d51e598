"""Where the progression store and its recordings live.

The store follows the XDG Base Directory Specification (data files go under
``$XDG_DATA_HOME``, default ``~/.local/share``); ``$POISE_DATA_DIR`` overrides
it, e.g. for a clinic's shared folder or a test. Recordings are kept next to
the store, in ``recordings/``, and the store records their paths relative to
its own folder, so the folder can be moved or backed up as a whole.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from poise.checks import check_number

STORE_FILE = "poise.sqlite3"
RECORDINGS_DIR = "recordings"


def data_dir() -> Path:
    """Poise's data folder: ``$POISE_DATA_DIR``, else ``$XDG_DATA_HOME/poise``, else
    ``~/.local/share/poise``.

    A relative ``$XDG_DATA_HOME`` is ignored, as the XDG specification says.
    """
    explicit = os.environ.get("POISE_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "poise"
    return Path.home() / ".local" / "share" / "poise"


def default_store_path() -> Path:
    """The store used unless one is named: ``data_dir() / "poise.sqlite3"``.

    >>> default_store_path().name
    'poise.sqlite3'
    """
    return data_dir() / STORE_FILE


def recordings_dir(store_path: str | Path) -> Path:
    """The folder of a store's recordings: ``recordings/`` beside the store file."""
    return Path(store_path).parent / RECORDINGS_DIR


@dataclass(frozen=True)
class StoreSettings:
    """Where progress is logged, and the disk space a session must leave free.

    Args:
        path: the store file; empty for ``poise.sqlite3`` in the data folder
            ($POISE_DATA_DIR, else $XDG_DATA_HOME/poise, else ~/.local/share/poise).
        reserve_mb: free space, MB, that must remain on the store's file system
            after a session's recordings, so that SQLite can still commit and
            checkpoint and the system (logs, the Pi's own updates) keeps working.
    """

    path: str = ""
    reserve_mb: float = 64.0

    def __post_init__(self) -> None:
        check_number("reserve_mb", self.reserve_mb, 0.0, 1e6)

    def store_path(self) -> Path:
        """The store file these settings name.

        >>> StoreSettings(path="/tmp/p.sqlite3").store_path()
        PosixPath('/tmp/p.sqlite3')
        """
        return Path(self.path).expanduser() if self.path else default_store_path()

    @property
    def reserve_bytes(self) -> int:
        return int(self.reserve_mb * 1_000_000)
