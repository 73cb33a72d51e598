"""What a store's recordings folder holds, sorted into what Poise wrote there and the rest.

Sessions write, under ``recordings/``: one CSV recording per trial (in a folder
per session), a WAV of what the athlete heard when there was no sound card
(``session-<time>-<UUID>.wav``), and, only while a recording's header is being
put in place, a hidden temporary file (``.<name>.<hex>.tmp``) that a writer
killed at that moment leaves behind. Symbolic links are listed, never followed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

#: A header's temporary file (poise.files.create_exclusive): ".<name>.<16 hex>.tmp".
LEFTOVER = re.compile(r"^\..+\.[0-9a-f]{16}\.tmp$")
#: A session's audio beside its trials (poise.live.launch).
SESSION_AUDIO = re.compile(r"^session-.+\.wav$")


@dataclass
class Inventory:
    """The files under a recordings folder, each in one list, in path order."""

    recordings: list[Path] = field(default_factory=list)
    audio: list[Path] = field(default_factory=list)
    leftovers: list[Path] = field(default_factory=list)
    others: list[Path] = field(default_factory=list)


def inventory(folder: str | Path) -> Inventory:
    """Sort every file under ``folder`` (links to folders not followed; a missing folder
    is empty) into recordings (regular ``*.csv`` files), session audio, leftovers of
    killed writers, and others (anything else, links included)."""
    found = Inventory()
    for top, folders, files in os.walk(folder):
        folders.sort()
        links = [name for name in folders if (Path(top) / name).is_symlink()]
        found.others += [Path(top) / name for name in links]
        for name in sorted(files):
            path = Path(top) / name
            if path.is_symlink() or not path.is_file():
                found.others.append(path)
            elif LEFTOVER.match(name):
                found.leftovers.append(path)
            elif name.endswith(".csv") and not name.startswith("."):
                found.recordings.append(path)
            elif SESSION_AUDIO.match(name):
                found.audio.append(path)
            else:
                found.others.append(path)
    return found
