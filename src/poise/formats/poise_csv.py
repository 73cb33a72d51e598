"""Poise's own recording format, version 1: CSV with a JSON metadata header.

The layout (documented in docs/recording-format.md)::

    # poise-recording 1
    # {
    #   "acc_range_g": 32.0,
    #   ...
    # }
    seq,t_s,acc_x_g,acc_y_g,acc_z_g,gyr_x_dps,gyr_y_dps,gyr_z_dps
    0,0.000000,0.012688,-0.004880,0.999424,0.0700,-0.1400,0.0000
    ...
    # end 41600

Never replaced: a recording is created exclusively (:func:`poise.files.create_exclusive`):
a file, folder or symbolic link already at its name is refused, never written
through, and the new file is the owner's alone (0600).

Crash safety: the header is written to a temporary file and linked into
place, so a recording either has a complete header or does not exist. Rows are
appended and flushed to the operating system after every block, so a process
killed with SIGKILL loses only the block being written. The closing ``# end N``
line tells a reader the writer finished; without it the recording is read as
incomplete, and a torn last line is dropped and reported.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from types import TracebackType

import numpy as np

from poise.errors import InputError
from poise.files import create_exclusive, read_text
from poise.formats.cells import raise_first_bad_cell
from poise.recording import Recording, RecordingMeta
from poise.samples import SampleBlock

MAGIC = "# poise-recording"
VERSION = 1
COLUMNS = ("seq", "t_s", "acc_x_g", "acc_y_g", "acc_z_g", "gyr_x_dps", "gyr_y_dps", "gyr_z_dps")
# Microsecond time, microgram and 0.1 mdeg/s resolution: finer than any supported
# sensor's LSB (LSM6DSO32: 0.122 mg, 4.375 mdps), so formatting loses nothing real.
ROW_FORMAT = "%d,%.6f,%.6f,%.6f,%.6f,%.4f,%.4f,%.4f\n"
END_MARK = "# end"
# fsync at most this often: survives power loss too, without a sync per block.
FSYNC_INTERVAL_S = 5.0


def header_text(meta: RecordingMeta) -> str:
    meta_json = json.dumps(meta.to_dict(), indent=2, sort_keys=True)
    lines = [f"{MAGIC} {VERSION}"] + ["# " + line for line in meta_json.splitlines()]
    return "\n".join(lines) + "\n" + ",".join(COLUMNS) + "\n"


def format_rows(block: SampleBlock) -> str:
    """The CSV rows of a block, deterministic to the last character."""
    table = np.column_stack((block.seq, block.t_s, block.acc_g, block.gyr_dps)).tolist()
    return "".join(ROW_FORMAT % tuple(row) for row in table)


def rows_block(text: str) -> SampleBlock:
    """The block that rows written by :func:`format_rows` read back as.

    >>> block = SampleBlock([0.1234567], [3], [[0.0, 0.0, 1.0000004]], [[0.00004, 0, 0]])
    >>> stored = rows_block(format_rows(block))
    >>> stored.t_s.tolist(), float(stored.acc_g[0, 2]), float(stored.gyr_dps[0, 0])
    ([0.123457], 1.0, 0.0)
    """
    if not text:
        return SampleBlock.empty()
    table = np.array(text.replace("\n", ",").split(",")[:-1], dtype=np.float64)
    table = table.reshape(-1, len(COLUMNS))
    return SampleBlock(table[:, 1], table[:, 0].astype(np.int64), table[:, 2:5], table[:, 5:8])


class RecordingWriter:
    """Writes a new recording incrementally, safe against being killed at any moment.

    Raises :class:`~poise.errors.PoiseError` naming ``path`` if anything is there
    already (a recording is never overwritten).

    >>> import tempfile, numpy as np
    >>> from poise.recording import RecordingMeta
    >>> path = Path(tempfile.mkdtemp()) / "r.csv"
    >>> with RecordingWriter(path, RecordingMeta(rate_hz=100.0)) as writer:
    ...     _ = writer.write(SampleBlock([0.0], [0], [[0, 0, 1.0]], [[0, 0, 0.0]]))
    >>> read_recording(path).samples.acc_g.tolist()
    [[0.0, 0.0, 1.0]]
    """

    def __init__(self, path: str | Path, meta: RecordingMeta) -> None:
        self.path = Path(path)
        self.meta = meta
        self.samples_written = 0
        fd = create_exclusive(self.path, header_text(meta).encode("utf-8"))
        self._file = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        self._unsynced_s = 0.0

    def write(self, block: SampleBlock) -> SampleBlock:
        """Append a block and hand it to the operating system before returning.

        Returns the block as the file stores it (times to the microsecond, see
        ``ROW_FORMAT``): a live session processes exactly these values, so that
        scoring the file later gives the same numbers, to the last digit.
        """
        if len(block) == 0:
            return block
        text = format_rows(block)
        self._file.write(text)
        self._file.flush()
        self.samples_written += len(block)
        self._unsynced_s += len(block) / self.meta.rate_hz
        if self._unsynced_s >= FSYNC_INTERVAL_S:
            os.fsync(self._file.fileno())
            self._unsynced_s = 0.0
        return rows_block(text)

    def close(self) -> None:
        if self._file.closed:
            return
        self._file.write(f"{END_MARK} {self.samples_written}\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def write_recording(path: str | Path, samples: SampleBlock, meta: RecordingMeta) -> None:
    """Write a whole recording at once (through the same crash-safe writer)."""
    with RecordingWriter(path, meta) as writer:
        writer.write(samples)


def is_poise_recording(first_line: str) -> bool:
    return first_line.startswith(MAGIC)


def read_recording(path: str | Path) -> Recording:
    """Read a Poise recording; a malformed file raises :class:`InputError` naming the line.

    An unfinished recording (no end mark, possibly a torn last line) is read up
    to its last complete row and marked ``complete=False``.
    """
    path = Path(path)
    lines = read_text(path).split("\n")
    first = lines[0]
    if not is_poise_recording(first):
        raise InputError(path, "not a Poise recording (no '# poise-recording' line)", line=1)
    version_text = first[len(MAGIC) :].strip()
    if not version_text.isdigit():
        raise InputError(path, f"unreadable format version {version_text!r}", line=1)
    if int(version_text) > VERSION:
        raise InputError(
            path,
            f"format version {version_text} is newer than this Poise reads ({VERSION}); "
            "update Poise",
            line=1,
        )

    header_end = 1
    while header_end < len(lines) and lines[header_end].startswith("#"):
        header_end += 1
    if header_end >= len(lines) or not lines[header_end]:
        raise InputError(path, "header ends before the column names", line=header_end + 1)
    meta_text = "\n".join(line[1:] for line in lines[1:header_end])
    try:
        meta = RecordingMeta.from_dict(json.loads(meta_text))
    except json.JSONDecodeError as e:
        raise InputError(path, f"metadata is not valid JSON: {e.msg}", line=e.lineno + 1) from None
    except (ValueError, TypeError) as e:
        raise InputError(path, str(e), line=2) from None

    columns = tuple(name.strip() for name in lines[header_end].split(","))
    if columns != COLUMNS:
        raise InputError(
            path,
            f"expected columns {','.join(COLUMNS)}, found {lines[header_end]}",
            line=header_end + 1,
        )

    body_start = header_end + 1
    body = lines[body_start:]
    notes = []
    # A file that ends without a newline was cut mid-row: the last piece is torn.
    if body and body[-1] != "":
        notes.append(f"dropped a torn last row (line {body_start + len(body)})")
    body = body[:-1]
    complete = bool(body) and body[-1].startswith(END_MARK)
    if complete:
        body = body[:-1]
    else:
        notes.append("recording was not closed (writer interrupted); read up to its last row")

    table = _parse_rows(path, body, body_start + 1)
    samples = SampleBlock(
        t_s=table[:, 1],
        seq=table[:, 0].astype(np.int64),
        acc_g=table[:, 2:5],
        gyr_dps=table[:, 5:8],
    )
    return Recording(
        samples=samples, meta=meta, path=str(path), complete=complete, notes=tuple(notes)
    )


def _parse_rows(path: Path, rows: list[str], first_line_no: int) -> np.ndarray:
    if not rows:
        return np.empty((0, len(COLUMNS)))
    try:
        table = np.loadtxt(io.StringIO("\n".join(rows)), delimiter=",", ndmin=2)
    except ValueError:
        table = None
    if table is None or table.shape[1] != len(COLUMNS):
        raise_first_bad_cell(path, rows, first_line_no, list(COLUMNS), list(range(len(COLUMNS))))
    seq = table[:, 0]
    whole = (seq == np.round(seq)) & (np.abs(seq) < 2.0**62)
    if not whole.all():
        line = first_line_no + int(np.argmin(whole))
        raise InputError(path, "a sequence number must be a whole number", line=line, column="seq")
    return table
