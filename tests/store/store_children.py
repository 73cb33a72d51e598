"""Child Python processes for the store tests, running a script on this checkout's poise."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager


def _command(script: str, args: tuple[object, ...]) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(script), *map(str, args)]


def run_child(script: str, *args: object) -> subprocess.CompletedProcess:
    """Run ``script`` (dedented) with ``args`` to its end; its output as text."""
    return subprocess.run(
        _command(script, args), capture_output=True, text=True, timeout=60, check=False
    )


@contextmanager
def started_child(script: str, *args: object) -> Iterator[subprocess.Popen]:
    """``script`` running, its stdout a text pipe; killed (by its own pid) if alive at the end."""
    proc = subprocess.Popen(
        _command(script, args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
