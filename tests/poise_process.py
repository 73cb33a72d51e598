"""Running `poise` as a process in tests: quick settings and its environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def train_config(drill_line: str = "stance_s = 5.0", settle_s: float = 2.0) -> str:
    """Settings (TOML) for a quick `poise train` process: 104 Hz, one countdown beat, no
    rest, quick speech to no sound card; ``drill_line`` sets the drill's length."""
    return f"""
[sensor]
rate_hz = 104.0
[train]
{drill_line}
settle_s = {settle_s}
countdown = 1
rest_s = 0.0
[cues]
words_per_minute = 400
sink = "null"
"""


def poise_env(data: Path, cache: Path, *, this_path: bool = False) -> dict[str, str]:
    """The environment of a `poise` process: its data folder and cache (``this_path``: and
    this process's import path, for a child that must import what the test does)."""
    env = {**os.environ, "POISE_DATA_DIR": str(data), "XDG_CACHE_HOME": str(cache)}
    if this_path:
        env["PYTHONPATH"] = os.pathsep.join(sys.path)
    return env
