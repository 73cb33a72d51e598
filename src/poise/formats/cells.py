"""Finding the first bad cell of a CSV body, for an error that names line and column.

The fast parsers (numpy's) only say that something is wrong; when they fail,
this scan finds where, so the user is told the file, the line and the column.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from poise.errors import InputError

#: The largest time Poise takes, s (about 317 years: Unix-epoch seconds fit, and so do
#: epoch milliseconds given with --time-unit ms); a larger one is not a clock reading.
MAX_TIME_S = 1e10


def check_times(
    path: str | Path, t_s: np.ndarray, line_of_row: Callable[[int], int], column: str
) -> None:
    """Raise :class:`InputError` for the first finite time (s) beyond :data:`MAX_TIME_S`,
    naming its line (``line_of_row(i)`` of row ``i``) and column. NaN and infinity pass:
    they are times a logger marked missing, counted by the health figures and skipped."""
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(np.isfinite(t_s) & (np.abs(t_s) > MAX_TIME_S))
    if bad.size:
        i = int(bad[0])
        raise InputError(
            path,
            f"time {t_s[i]:g} s is beyond any clock (at most {MAX_TIME_S:g} s)",
            line=line_of_row(i),
            column=column,
        )


def raise_first_bad_cell(
    path: str | Path,
    rows: list[str],
    first_line_no: int,
    names: list[str],
    used: list[int],
    delimiter: str = ",",
) -> None:
    """Raise :class:`InputError` for the first short, long or unreadable row.

    Args:
        rows: the data lines, in file order (blank lines are skipped).
        first_line_no: the 1-based line number of ``rows[0]`` in the file.
        names: the header's column names (their count is the row width).
        used: indices of the columns that must hold numbers.
    """
    for offset, row in enumerate(rows):
        if not row.strip():
            continue
        cells = row.split(delimiter)
        line = first_line_no + offset
        if len(cells) != len(names):
            raise InputError(
                path,
                f"expected {len(names)} values as in the header, found {len(cells)}",
                line=line,
            )
        for i in used:
            cell = cells[i].strip()
            try:
                float(cell)
            except ValueError:
                raise InputError(
                    path, f"cannot read {cell!r} as a number", line=line, column=names[i]
                ) from None
    raise InputError(path, "the rows could not be read as numbers", line=first_line_no)
