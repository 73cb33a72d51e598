"""The live display on the terminal: tilt meter, timer and progress, results, link health.

On a terminal one status line is redrawn in place, at most ten times a
second; elsewhere (a pipe, a log file) only events and results are printed,
one line each, so the output reads as a log.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: Status redraws at most this often, s.
REFRESH_S = 0.1
#: Half-width of the tilt meter, characters, and the tilt at its ends, deg.
METER_HALF = 15
METER_DEG = 10.0


def tilt_meter(
    ap_deg: float, ml_deg: float, half: int = METER_HALF, full_deg: float = METER_DEG
) -> str:
    """Sideways (ML) tilt as a bar position, forward (AP) tilt as a number.

    >>> tilt_meter(0.0, 0.0, half=3)
    '[---|---] AP +0.0'
    >>> tilt_meter(2.0, 10.0, half=3)
    '[---|--#] AP +2.0'
    """
    pos = round(max(-1.0, min(1.0, ml_deg / full_deg)) * half)
    cells = ["-"] * (2 * half + 1)
    cells[half] = "|"
    if pos:
        cells[half + pos] = "#"
    return f"[{''.join(cells)}] AP {ap_deg:+.1f}"


class Display:
    """Events and a status line for the person watching (if anyone is)."""

    def __init__(self, out: TextIO | None = None, quiet: bool = False) -> None:
        self.out = out or sys.stdout
        self.tty = self.out.isatty()
        self.quiet = quiet
        self._last_draw = 0.0
        self._status_shown = False

    def event(self, text: str, always: bool = False) -> None:
        """A line that stays: a prompt, a phase, a result. ``always``: shown even when
        quiet (a trial that did not complete, or whose figures are doubtful), on
        stderr then, so that a quiet command's output (its JSON) stays clean."""
        if self.quiet:
            if always:
                print(text.strip(), file=sys.stderr, flush=True)
            return
        if self._status_shown:
            self.out.write("\r\033[K")
            self._status_shown = False
        self.out.write(text + "\n")
        self.out.flush()

    def status(
        self,
        phase: str,
        elapsed_s: float,
        total_s: float | None,
        ap_deg: float | None,
        ml_deg: float | None,
        health: str | None = None,
    ) -> None:
        """Redraw the status line (terminal only, at most every ``REFRESH_S``)."""
        if self.quiet or not self.tty:
            return
        now = time.monotonic()
        if now - self._last_draw < REFRESH_S:
            return
        self._last_draw = now
        timer = f"{elapsed_s:5.1f}" + (f"/{total_s:.0f} s" if total_s else " s")
        meter = tilt_meter(ap_deg, ml_deg) if ap_deg is not None and ml_deg is not None else ""
        parts = [f"{phase:<9}", timer, meter] + ([health] if health else [])
        self.out.write("\r\033[K" + "  ".join(p for p in parts if p))
        self.out.flush()
        self._status_shown = True
