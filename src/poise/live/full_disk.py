"""What a session does when the disk fills: keep what it can, say so, stop in one line.

The trial that was running is stopped as interrupted (the athlete hears "the
disk is full"); its samples up to the last whole block stay in its recording,
and its result, if it reached its scored span, is computed, shown, spoken and
logged. To make room for those last writes the session's reserve file
(:class:`poise.store.space.SpaceReserve`) is deleted the moment the disk is
found full; each write is then tried once more, and what still cannot be
written is named in the line the session stops with.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from poise.store.space import SpaceReserve, is_disk_full

#: What the trial's end says, spoken and logged.
REASON = "the disk is full"


class FullDisk:
    """A session's watch for a full disk at ``where`` (the store's folder, or a replay's
    scratch folder), holding ``reserve`` (None: no room kept)."""

    def __init__(self, where: Path | None, reserve: SpaceReserve | None = None) -> None:
        self.where = where
        self.reserve = reserve
        self.full = False
        self.not_kept: list[str] = []
        self._freed = False

    def hit(self, error: BaseException) -> bool:
        """Whether ``error`` is a full disk; if it is, the session is marked full and the
        reserve freed (the first time)."""
        if not is_disk_full(error):
            return False
        self.full = True
        self._freed = self.reserve is not None and self.reserve.release()
        return True

    def keep(self, what: str, work: Callable[[], object]) -> bool:
        """Run ``work``, a write; on a full disk, free the reserve and try once more.

        Returns whether it was written; if not, ``what`` is named in :meth:`line`.
        Any other error is raised as it is.
        """
        for again in (False, True):
            try:
                work()
                return True
            except (OSError, sqlite3.Error) as e:
                if not self.hit(e):
                    raise
                if again or not self._freed:
                    break
        self.not_kept.append(what)
        return False

    def line(self, trial: str | None) -> str:
        """The one line the session stops with: where, what of the ``trial`` was kept, what
        was not."""
        where = f"{self.where}: " if self.where is not None else ""
        parts = [f"{where}the disk is full"]
        if trial:
            parts.append(trial)
        if self.not_kept:
            parts.append("not written: " + ", ".join(self.not_kept))
        return "; ".join([*parts, "the session stopped: free some space, then train again"])
