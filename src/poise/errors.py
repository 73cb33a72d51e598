"""User-facing errors: one line that names the file, line or field, never a traceback."""

from __future__ import annotations

from pathlib import Path


class PoiseError(Exception):
    """A mistake in the input or the request, reported to the user as one line.

    The command line prints ``poise: <message>`` and exits with status 2; any
    other exception is a bug in Poise and keeps its traceback.
    """


class InputError(PoiseError):
    """Bad content in a file, located as precisely as the reader knows.

    >>> str(InputError("s.csv", "cannot read 'x' as a number", line=12, column="acc_x_g"))
    "s.csv:12: column 'acc_x_g': cannot read 'x' as a number"
    """

    def __init__(
        self,
        path: str | Path,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        where = self.path if line is None else f"{self.path}:{line}"
        if column is not None:
            where += f": column '{column}'"
        super().__init__(f"{where}: {message}")
