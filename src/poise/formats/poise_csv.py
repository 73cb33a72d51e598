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
appended and handed to the operating system after every block, so a process
killed with SIGKILL loses only the block being written; a write that fails (a
full disk) is cut back to the last whole row. The closing ``# end N`` line
tells a reader the writer finished; without it the recording is read as
incomplete, and a torn last line is dropped and reported. The end line may
carry, after ``N``, a JSON object on the same line: the trial's end facts
(status, scored span, algorithm version), so they exist exactly when the
recording is complete.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType

import numpy as np

from poise.errors import InputError
from poise.files import create_exclusive, open_input, read_text, write_all
from poise.formats.cells import check_times, raise_first_bad_cell
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
        self._fd: int | None = create_exclusive(self.path, header_text(meta).encode("utf-8"))
        self._size = os.fstat(self._fd).st_size  # bytes of the header and whole rows
        self._ended = False
        self._unsynced_s = 0.0

    def write(self, block: SampleBlock) -> SampleBlock:
        """Append a block and hand it to the operating system before returning.

        Returns the block as the file stores it (times to the microsecond, see
        ``ROW_FORMAT``): a live session processes exactly these values, so that
        scoring the file later gives the same numbers, to the last digit. A
        block that cannot be written (OSError, a full disk) leaves none of its
        rows in the file.
        """
        if len(block) == 0:
            return block
        text = format_rows(block)
        self._append(text.encode("ascii"))
        self.samples_written += len(block)
        self._unsynced_s += len(block) / self.meta.rate_hz
        if self._unsynced_s >= FSYNC_INTERVAL_S:
            os.fsync(self._fd)
            self._unsynced_s = 0.0
        return rows_block(text)

    def finish(self, end: Mapping[str, object] | None = None) -> None:
        """Write the end mark, with the trial's end facts ``end`` (JSON-ready) on its line,
        and sync: the recording is complete.

        On OSError (a full disk) the file is left as it was, not closed, and
        ``finish`` can be tried again; once it succeeds it does nothing more.
        """
        if self._ended:
            return
        line = f"{END_MARK} {self.samples_written}"
        if end is not None:
            line += " " + json.dumps(end, sort_keys=True, allow_nan=False, separators=(",", ":"))
        self._append(f"{line}\n".encode(), sync=True)
        self._ended = True

    def _append(self, data: bytes, sync: bool = False) -> None:
        """Append ``data`` whole or not at all: after a failed write the file is cut back
        to its last whole line (truncating needs no space), so it never holds a torn
        line of this writer's and the next write starts a line."""
        if self._fd is None:
            raise ValueError(f"{self.path}: the recording is closed")
        try:
            write_all(self._fd, data)
            if sync:
                os.fsync(self._fd)
        except OSError:
            os.ftruncate(self._fd, self._size)
            os.lseek(self._fd, self._size, os.SEEK_SET)
            raise
        self._size += len(data)

    def close(self) -> None:
        """Finish (with no end facts) unless :meth:`finish` was, and close the file; the
        file is closed even when finishing fails (the recording is then not complete)."""
        if self._fd is None:
            return
        try:
            self.finish()
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
            return
        with contextlib.suppress(OSError):  # the exception under way says more
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
    to its last complete row and marked ``complete=False``. The file is read in
    chunks (:class:`RecordingReader`) into arrays allocated once: no copy of the
    whole text is ever held.
    """
    with RecordingReader(path) as reader:
        # Pages never written are never given memory, so the slack costs nothing.
        capacity = reader.rows_at_most
        t_s, seq = np.empty(capacity), np.empty(capacity, np.int64)
        acc, gyr = np.empty((capacity, 3)), np.empty((capacity, 3))
        n = 0
        for block in reader.blocks():
            k = len(block)
            t_s[n : n + k], seq[n : n + k] = block.t_s, block.seq
            acc[n : n + k], gyr[n : n + k] = block.acc_g, block.gyr_dps
            n += k
        samples = SampleBlock(t_s=t_s[:n], seq=seq[:n], acc_g=acc[:n], gyr_dps=gyr[:n])
        return reader.recording(samples)


#: Characters of the body read and parsed at a time (about 7 500 rows; parsing a chunk
#: takes about 14 bytes per character, so this bounds the reading's own memory to ~7 MB).
READ_CHUNK_CHARS = 1 << 19


class RecordingReader:
    """A Poise recording read block by block, in memory bounded by the chunk, not the file.

    The header is read on opening (a bad one raises :class:`InputError` naming
    the line); :meth:`blocks` then yields the samples in file order. Once they
    are all read, ``complete`` and ``notes`` say what :func:`read_recording`
    would: every block, error and note is the same, whatever the chunk size.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "r.csv"
    >>> write_recording(path, SampleBlock([0.0, 0.01], [0, 1], [[0, 0, 1.0]] * 2,
    ...                                   [[0, 0, 0.0]] * 2), RecordingMeta(rate_hz=100.0))
    >>> with RecordingReader(path, chunk_chars=40) as reader:
    ...     [len(b) for b in reader.blocks()], reader.complete
    ([1, 1], True)
    """

    def __init__(self, path: str | Path, chunk_chars: int = READ_CHUNK_CHARS) -> None:
        self.path = Path(path)
        self.chunk_chars = max(1, int(chunk_chars))
        self.complete = False
        self.notes: tuple[str, ...] = ()
        self.mounting_from: str | None = "header"  # see Recording.mounting_from
        self.end: dict | None = None
        try:
            # Text mode, as a whole-file read would be: universal newlines, strict UTF-8.
            self._file = open_input(self.path, "utf-8")
            self.size_bytes = os.fstat(self._file.fileno()).st_size
            # A row takes at least 16 characters ("0,0,0,0,0,0,0,0\n").
            self.rows_at_most = self.size_bytes // 16 + 1
        except OSError as e:
            raise InputError(self.path, e.strerror or str(e)) from None
        try:
            self.meta = self._read_header()
        except BaseException:
            self._file.close()
            raise

    def _readline(self) -> str | None:
        """The next line without its newline; None at the end of the file."""
        try:
            line = self._file.readline()
        except UnicodeDecodeError:
            read_text(self.path)  # names the byte, as reading the whole file would
            raise
        if not line:
            return None
        return line[:-1] if line.endswith("\n") else line

    def _read_header(self) -> RecordingMeta:
        path = self.path
        first = self._readline() or ""
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
        header = []
        line = self._readline()
        while line is not None and line.startswith("#"):
            header.append(line)
            line = self._readline()
        header_end = 1 + len(header)
        if not line:
            raise InputError(path, "header ends before the column names", line=header_end + 1)
        meta_text = "\n".join(h[1:] for h in header)
        try:
            meta = RecordingMeta.from_dict(json.loads(meta_text))
        except json.JSONDecodeError as e:
            raise InputError(
                path, f"metadata is not valid JSON: {e.msg}", line=e.lineno + 1
            ) from None
        except (ValueError, TypeError) as e:
            raise InputError(path, str(e), line=2) from None
        columns = tuple(name.strip() for name in line.split(","))
        if columns != COLUMNS:
            raise InputError(
                path, f"expected columns {','.join(COLUMNS)}, found {line}", line=header_end + 1
            )
        self._body_line = header_end + 2  # 1-based number of the first body line
        return meta

    def blocks(self) -> Iterator[SampleBlock]:
        """The samples, one parsed chunk at a time (a chunk without rows yields nothing)."""
        parser = _RowParser(self.path, self._body_line)
        # The last complete line is held back until the next arrives: the file's last
        # line is the end mark, not a row.
        pending = ""
        leftover = ""
        while True:
            try:
                chunk = self._file.read(self.chunk_chars)
            except UnicodeDecodeError:
                read_text(self.path)
                raise
            if not chunk:
                break
            text = leftover + chunk
            cut = text.rfind("\n")
            if cut < 0:
                leftover = text
                continue
            leftover = text[cut + 1 :]
            last = text.rfind("\n", 0, cut) + 1
            block = parser.parse(pending + text[:last])
            pending = text[last : cut + 1]
            if block is not None:
                yield block
        notes = []
        line = parser.line + pending.count("\n")
        # A file that ends without a newline was cut mid-row: the last piece is torn.
        if leftover:
            notes.append(f"dropped a torn last row (line {line})")
        closed = pending.startswith(END_MARK)
        if closed:
            self.end = _end_facts(pending, parser.line, notes)
        else:
            notes.append("recording was not closed (writer interrupted); read up to its last row")
            block = parser.parse(pending)
            if block is not None:
                yield block
        parser.finish()
        count = _end_count(pending) if closed else None
        self.complete = closed and count == parser.rows
        if closed and not self.complete:
            said = "no row count" if count is None else f"{count} rows"
            notes.append(
                f"the end mark (line {line}) says {said}, the file holds {parser.rows}: "
                "rows were lost or added after the writer closed it"
            )
        self.notes = tuple(notes)

    def recording(self, samples: SampleBlock) -> Recording:
        """The recording of these samples (all of them read) and this file's header."""
        return Recording(
            samples=samples,
            meta=self.meta,
            path=str(self.path),
            complete=self.complete,
            notes=self.notes,
            mounting_from=self.mounting_from,
            end=self.end,
        )

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> RecordingReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _end_count(line: str) -> int | None:
    """N of an end mark line ``# end N ...``; None if it has none."""
    count = line[len(END_MARK) :].split(maxsplit=1)
    return int(count[0]) if count and count[0].isdigit() else None


def _end_facts(line: str, line_no: int, notes: list[str]) -> dict | None:
    """The JSON object after ``# end N`` on the end line, or None; unreadable facts are
    noted (the samples are still whole) rather than refused."""
    _, _, rest = line[len(END_MARK) :].strip().partition(" ")
    if not rest.strip():
        return None
    try:
        facts = json.loads(rest)
    except json.JSONDecodeError:
        facts = None
    if not isinstance(facts, dict):
        notes.append(f"the end mark's facts are unreadable (line {line_no}); ignored")
        return None
    return facts


class _RowParser:
    """Body text, a chunk of whole lines at a time, to sample blocks (errors name the line)."""

    def __init__(self, path: Path, first_line_no: int) -> None:
        self.path = path
        self.first_line_no = first_line_no
        self.line = first_line_no  # number of the next line to parse
        self.rows = 0  # rows parsed so far
        self._dataless: list[str] = []  # text of chunks without a row, while no row was found

    def parse(self, text: str) -> SampleBlock | None:
        if not text:
            return None
        first = self.line
        self.line += text.count("\n")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # a chunk of comments only
                table = np.loadtxt(io.StringIO(text), delimiter=",", ndmin=2)
        except ValueError:
            table = None
        if table is not None and table.shape[0] == 0:
            if not self.rows:
                self._dataless.append(text)
            return None
        if table is None or table.shape[1] != len(COLUMNS):
            raise_first_bad_cell(
                self.path, text.split("\n")[:-1], first, list(COLUMNS), list(range(len(COLUMNS)))
            )
        self._dataless = []
        seq = table[:, 0]
        whole = (seq == np.round(seq)) & (np.abs(seq) < 2.0**62)
        if not whole.all():
            line = self.first_line_no + self.rows + int(np.argmin(whole))
            raise InputError(
                self.path, "a sequence number must be a whole number", line=line, column="seq"
            )
        first_row = self.first_line_no + self.rows
        check_times(self.path, table[:, 1], lambda i: first_row + i, "t_s")
        self.rows += table.shape[0]
        return SampleBlock(table[:, 1], table[:, 0].astype(np.int64), table[:, 2:5], table[:, 5:8])

    def finish(self) -> None:
        """At the end: a body of lines that hold no row is an error, as a whole read says."""
        if not self.rows and self._dataless:
            rows = "".join(self._dataless).split("\n")[:-1]
            _parse_rows(self.path, rows, self.first_line_no)


def _parse_rows(path: Path, rows: list[str], first_line_no: int) -> np.ndarray:
    if not rows:
        return np.empty((0, len(COLUMNS)))
    try:
        with warnings.catch_warnings():
            # Lines that hold no row (blank ones) are an error named below, not a warning.
            warnings.simplefilter("ignore", UserWarning)
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
