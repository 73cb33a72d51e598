"""Store test fixtures: child Python processes running a script on this checkout's poise."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator

import pytest


def _command(script: str, args: tuple[str, ...]) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(script), *map(str, args)]


@pytest.fixture
def run_child() -> Callable[..., subprocess.CompletedProcess]:
    """``run_child(script, *args, **run_kwargs)``: run to the end, output as text."""

    def run(script: str, *args: str, **kwargs: object) -> subprocess.CompletedProcess:
        return subprocess.run(
            _command(script, args),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            **kwargs,
        )

    return run


@pytest.fixture
def start_child() -> Iterator[Callable[..., subprocess.Popen]]:
    """``start_child(script, *args)``: a running child whose stdout is a text pipe.

    Any child still alive at the end of the test is killed (by its own pid).
    """
    started: list[subprocess.Popen] = []

    def start(script: str, *args: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            _command(script, args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
