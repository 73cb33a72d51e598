"""Importer for other people's IMU CSV files.

One reader for every CSV layout; what differs between files is said by
:class:`CsvOptions` or found in the header:

- columns are recognised by name (``Accelerometer X (g)``, ``acc_x``, ``ax``,
  ``Gyroscope Z (deg/s)``, ``gyr_z``, ``gz``, ``Time (s)``, ``samples`` ...) unless
  given explicitly;
- units come from the header (``(g)``, ``[m/s^2]``, ``(deg/s)``, ``(rad/s)``,
  ``(s)``, ``(ms)``) or from the options; a file that states neither is refused
  with a message naming the option to give, because a guessed unit is the
  classic IMU bug;
- time comes from a time column, or from a sample-index column (or the row
  number) and a rate.

x-io CSV files (``Time (s)``, ``Gyroscope X (deg/s)`` ... ``Accelerometer X (g)``
..., an optional magnetometer that is ignored) need no options at all.

The field separator is found from the header (``,``, ``;`` or tab) unless
given; with ``;`` or tab a decimal comma is read as a point, and numbers in
double quotes (as spreadsheets write them) are read as numbers.

Every cell is bounded before anything is allocated from it: a time beyond
:data:`~poise.formats.cells.MAX_TIME_S`, or time that runs backwards too often to tell the rate,
is refused naming the line and column. Quirks are reported, not fixed:
duplicate timestamps, gaps, all-zero rows and samples beyond any sensor's full
scale stay in the samples and show up in the recording's health figures.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from poise.checks import check_count, check_number
from poise.chips import MAX_ACC_RANGE_G, MAX_GYR_RANGE_DPS, MAX_RATE_HZ, known_chip
from poise.errors import InputError
from poise.files import read_text
from poise.formats.cells import check_times, raise_first_bad_cell
from poise.rate import nominal_rate_hz, step_rate_hz
from poise.recording import Recording, RecordingMeta
from poise.samples import STANDARD_GRAVITY_MPS2, SampleBlock

ACC_UNITS = {"g": 1.0, "m/s2": 1.0 / STANDARD_GRAVITY_MPS2}
GYR_UNITS = {"dps": 1.0, "rad/s": 180.0 / math.pi}
TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6}

# Unit spellings seen in headers, normalised to the keys above.
_UNIT_ALIASES = {
    "g": "g",
    "m/s2": "m/s2",
    "m/s^2": "m/s2",
    "m/s²": "m/s2",
    "ms2": "m/s2",
    "mps2": "m/s2",
    "deg/s": "dps",
    "dps": "dps",
    "°/s": "dps",
    "rad/s": "rad/s",
    "rads": "rad/s",
    "s": "s",
    "sec": "s",
    "ms": "ms",
    "us": "us",
    "µs": "us",
}
_UNIT_IN_HEADER = re.compile(r"^(?P<base>.*?)\s*[(\[](?P<unit>[^)\]]+)[)\]]\s*$")
_ACC_NAME = re.compile(r"^(?:acc|accel|accelerometer|acceleration|a)[ _.\-]?(?P<axis>[xyz])$")
_GYR_NAME = re.compile(r"^(?:gyr|gyro|gyroscope|angular[ _]?rate|g|w)[ _.\-]?(?P<axis>[xyz])$")
_TIME_NAMES = {"time", "t", "timestamp", "t_s"}
_INDEX_NAMES = {"sample", "samples", "index", "idx", "frame", "sample_index"}
# Force-plate channels: forces, moments, centre of pressure (AMTI, Bertec, Kistler exports).
_FORCE_PLATE_NAME = re.compile(r"^(?:f|m|c|cop|force|moment)[ _.\-]?[xyz]$")
#: Lines searched for force-plate channels when no IMU columns are found.
_FORCE_PLATE_SEARCH_LINES = 100
#: Field separators found from the header when none is given.
_DELIMITERS = (",", ";", "\t")
#: Time may step back at most this share of the rows for a rate to be estimated from it.
MAX_BACKWARD_FRACTION = 0.01
#: A rate estimated below this is a wrong time unit, not an IMU, Hz.
MIN_ESTIMATED_RATE_HZ = 1.0


@dataclass(frozen=True)
class CsvOptions:
    """How to read a CSV file whose header does not say everything.

    Column references are header names (or 1-based numbers as strings).

    Args:
        skip_rows: preamble lines before the header line.
        delimiter: field separator; None finds it from the header (``,``, ``;`` or tab).
        time_column: the time column; found by name when not given.
        time_unit: unit of the time column when the header does not say: s, ms or us.
        index_column: a sample-index column (time = index / rate).
        rate_hz: sample rate, needed when the file has no time column.
        acc_columns, gyr_columns: the x, y, z columns; found by name when not given.
        acc_unit: ``g`` or ``m/s2`` when the header does not say.
        gyr_unit: ``dps`` or ``rad/s`` when the header does not say.
        sensor_model, placement, acc_range_g, gyr_range_dps: metadata to record.
    """

    skip_rows: int = 0
    delimiter: str | None = None
    time_column: str | None = None
    time_unit: str | None = None
    index_column: str | None = None
    rate_hz: float | None = None
    acc_columns: tuple[str, str, str] | None = None
    gyr_columns: tuple[str, str, str] | None = None
    acc_unit: str | None = None
    gyr_unit: str | None = None
    sensor_model: str = "unknown"
    placement: str = "unknown"
    acc_range_g: float | None = None
    gyr_range_dps: float | None = None

    def __post_init__(self) -> None:
        check_count("skip_rows", self.skip_rows, 0, 1_000_000)
        if self.delimiter is not None and (
            len(self.delimiter) != 1 or self.delimiter.isalnum() or self.delimiter in '.-+"'
        ):
            raise ValueError(
                f"delimiter must be one character such as , ; or tab, not {self.delimiter!r}"
            )
        limits = {
            "rate_hz": MAX_RATE_HZ,
            "acc_range_g": MAX_ACC_RANGE_G,
            "gyr_range_dps": MAX_GYR_RANGE_DPS,
        }
        for name, limit in limits.items():
            if getattr(self, name) is not None:
                check_number(name, getattr(self, name), 0.0, limit, above=True)


@dataclass(frozen=True)
class _Column:
    index: int
    name: str
    base: str
    unit: str | None


def read_csv_recording(path: str | Path, options: CsvOptions | None = None) -> Recording:
    """Import an IMU CSV file as a :class:`Recording` in Poise units.

    Raises :class:`InputError` naming the file, line and column of the first
    problem, or the option that would resolve an ambiguity.
    """
    options = options or CsvOptions()
    path = Path(path)
    lines = _read_lines(path)
    header_no = options.skip_rows
    while header_no < len(lines) and not lines[header_no].strip():
        header_no += 1
    if header_no >= len(lines):
        raise InputError(path, "no header line found" + _preamble_hint(options))
    delimiter = options.delimiter or _find_delimiter(lines[header_no])
    columns = _parse_header(lines[header_no], delimiter)
    if options.acc_columns is None and options.gyr_columns is None:
        _refuse_other_files(path, lines, header_no, columns, delimiter)

    acc = _pick_axes(
        path, columns, options.acc_columns, _ACC_NAME, "accelerometer", "--acc-columns"
    )
    gyr = _pick_axes(path, columns, options.gyr_columns, _GYR_NAME, "gyroscope", "--gyr-columns")
    acc_scale = ACC_UNITS[_unit(path, acc, options.acc_unit, ACC_UNITS, "--acc-unit")]
    gyr_scale = GYR_UNITS[_unit(path, gyr, options.gyr_unit, GYR_UNITS, "--gyr-unit")]
    if options.time_column is not None and options.index_column is not None:
        raise InputError(path, "give --time-column or --index-column, not both")
    index_col = _pick_named(path, columns, options.index_column, set(), "--index-column")
    time_col = None
    if index_col is None:
        time_col = _pick_named(path, columns, options.time_column, _TIME_NAMES, "--time-column")
        if time_col is None:
            index_col = _pick_named(path, columns, None, _INDEX_NAMES, "--index-column")
    if time_col is None and options.rate_hz is None:
        if options.index_column is not None:
            raise InputError(path, "time from --index-column needs the sample rate: give --rate HZ")
        raise InputError(
            path,
            "no time column found; give the sample rate with --rate HZ "
            "(or name the time column with --time-column)",
        )

    used = [*acc, *gyr] + [c for c in (time_col, index_col) if c is not None]
    seen: set[int] = set()
    for column in used:
        if column.index in seen:
            raise InputError(path, f"column {column.name!r} is given for two quantities")
        seen.add(column.index)
    notes = []
    body = _Body(path, lines, header_no + 1, delimiter)
    if body.decimal_comma:
        notes.append(f"decimal commas read as points (fields separated by {delimiter!r})")
    table = _parse_body(body, columns, used)
    position = {c.index: i for i, c in enumerate(used)}
    n = table.shape[0]
    if n == 0:
        raise InputError(path, "no data rows after the header", line=header_no + 1)
    # A cell too large for its unit becomes inf: a bad sample, counted by the health figures.
    with np.errstate(over="ignore"):
        acc_g = table[:, [position[c.index] for c in acc]] * acc_scale
        gyr_dps = table[:, [position[c.index] for c in gyr]] * gyr_scale

    if time_col is not None:
        time_unit = _unit(path, [time_col], options.time_unit, TIME_UNITS, "--time-unit", "s")
        t_s = table[:, position[time_col.index]] * TIME_UNITS[time_unit]
        check_times(path, t_s, body.line_of_row, time_col.name)
        if options.rate_hz is not None:
            rate_hz, estimated = float(options.rate_hz), False
        else:
            rate_hz, note = _estimate_rate(body, t_s, time_col, options.sensor_model)
            estimated = True
            notes.append(note)
    else:
        rate_hz, estimated = float(options.rate_hz), False
        if index_col is not None:
            index = table[:, position[index_col.index]]
            t_s = (index - index[0]) / rate_hz
            check_times(path, t_s, body.line_of_row, index_col.name)
        else:
            t_s = np.arange(n) / rate_hz
            notes.append(f"no time or index column: time = row number / {rate_hz:g} Hz")
    notes.extend(_unit_plausibility(acc_g))

    samples = SampleBlock(t_s=t_s, seq=np.arange(n), acc_g=acc_g, gyr_dps=gyr_dps)
    try:
        meta = RecordingMeta(
            rate_hz=rate_hz,
            rate_estimated=estimated,
            sensor_model=options.sensor_model,
            placement=options.placement,
            acc_range_g=options.acc_range_g,
            gyr_range_dps=options.gyr_range_dps,
            source={
                "kind": "import",
                "file": path.name,
                "columns": {"acc": [c.name for c in acc], "gyr": [c.name for c in gyr]},
                "time": time_col.name if time_col else (index_col.name if index_col else None),
            },
        )
    except ValueError as e:
        raise InputError(path, str(e)) from None
    return Recording(samples=samples, meta=meta, path=str(path), notes=tuple(notes))


def _read_lines(path: Path) -> list[str]:
    # utf-8-sig drops a byte-order mark, which would otherwise glue onto the first name.
    return read_text(path, "utf-8-sig").splitlines()


def _find_delimiter(header: str) -> str:
    """The separator the header line uses most, of ``_DELIMITERS`` (``,`` if none)."""
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _parse_header(line: str, delimiter: str) -> list[_Column]:
    columns = []
    for i, raw in enumerate(line.split(delimiter)):
        name = raw.strip().strip('"').strip()
        match = _UNIT_IN_HEADER.match(name)
        if match:
            base, unit = match["base"], _UNIT_ALIASES.get(match["unit"].strip().lower())
        else:
            base, unit = name, None
        base = base.strip().lower()
        columns.append(_Column(index=i, name=name, base=base, unit=unit))
    return columns


def _find(path: Path, columns: list[_Column], ref: str, option: str) -> _Column:
    """The column ``ref`` names (a name or a 1-based number); InputError if none or two."""
    if ref.isdigit() and 1 <= int(ref) <= len(columns):
        return columns[int(ref) - 1]
    found = [c for c in columns if ref in (c.name, c.base)]
    if not found:
        raise InputError(
            path, f"{option}: no column {ref!r} in the header (columns: {_names(columns)})"
        )
    if len(found) > 1:
        raise InputError(path, f"{option}: {_twice(found)}; give the column by number")
    return found[0]


def _names(columns: list[_Column]) -> str:
    return ", ".join(c.name for c in columns)


def _twice(found: list[_Column]) -> str:
    """``found`` (columns of one name or one meaning) said as the clash they are."""
    where = " and ".join(f"{c.index + 1}" for c in found)
    if len({c.name for c in found}) == 1:
        return f"the header names {found[0].name!r} {len(found)} times (columns {where})"
    return f"{' and '.join(repr(c.name) for c in found)} (columns {where}) mean the same"


def _refuse_other_files(
    path: Path, lines: list[str], header_no: int, columns: list[_Column], delimiter: str
) -> None:
    """Refuse, in one line, a file that is not an IMU file at all: a force plate's channels
    at the header or a little below it (under a preamble), or no gyroscope column."""
    if any(_GYR_NAME.match(c.base) for c in columns):
        return
    for offset, line in enumerate(lines[header_no : header_no + _FORCE_PLATE_SEARCH_LINES]):
        names = [c.name for c in _parse_header(line, delimiter)]
        plate = [name for name in names if _FORCE_PLATE_NAME.match(name.lower())]
        if len(plate) >= 3:
            raise InputError(
                path,
                f"not an IMU file: force-plate channels ({', '.join(plate)}), "
                "no accelerometer and gyroscope",
                line=header_no + offset + 1,
            )
    if any(_ACC_NAME.match(c.base) for c in columns) and len(columns) < 6:
        raise InputError(
            path,
            f"not an IMU file: no gyroscope columns (header: {_names(columns)}); Poise needs "
            "a 3-axis accelerometer and gyroscope (--acc-columns, --gyr-columns)",
        )


def _pick_axes(
    path: Path,
    columns: list[_Column],
    given: tuple[str, str, str] | None,
    pattern: re.Pattern[str],
    what: str,
    option: str,
) -> list[_Column]:
    if given is not None:
        return [_find(path, columns, ref, option) for ref in given]
    by_axis: dict[str, list[_Column]] = {"x": [], "y": [], "z": []}
    for column in columns:
        match = pattern.match(column.base)
        if match:
            by_axis[match["axis"]].append(column)
    if all(len(found) == 1 for found in by_axis.values()):
        return [by_axis[axis][0] for axis in "xyz"]
    for axis, found in by_axis.items():
        if len(found) > 1:
            raise InputError(
                path, f"{_twice(found)}: which is the {what} {axis}? Give {option} X,Y,Z"
            )
    hint = (
        "give the field separator with --delimiter C"
        if len(columns) == 1
        else "skip a preamble above the header with --skip-rows N"
    )
    raise InputError(
        path,
        f"cannot tell which columns are the {what} x, y, z (header: {_names(columns)}); "
        f"name them with {option} X,Y,Z, or {hint}",
    )


def _pick_named(
    path: Path, columns: list[_Column], given: str | None, names: set[str], option: str
) -> _Column | None:
    """The column given, else the one column with one of ``names``; two such is an error."""
    if given is not None:
        return _find(path, columns, given, option)
    found = [c for c in columns if c.base in names]
    if len(found) > 1:
        raise InputError(path, f"{_twice(found)}: which is it? Give {option} NAME")
    return found[0] if found else None


def _unit(
    path: Path,
    columns: list[_Column],
    given: str | None,
    allowed: dict[str, float],
    option: str,
    default: str | None = None,
) -> str:
    if given is not None:
        unit = _UNIT_ALIASES.get(given.strip().lower(), given)
        if unit not in allowed:
            raise InputError(path, f"{option}: unknown unit {given!r}; use {' or '.join(allowed)}")
        return unit
    units = {c.unit for c in columns}
    if len(units) == 1 and (unit := units.pop()) in allowed:
        return unit
    if default is not None and all(c.unit is None for c in columns):
        return default
    names = ", ".join(c.name for c in columns)
    raise InputError(
        path, f"the header does not give the unit of {names}; give {option} {' or '.join(allowed)}"
    )


class _Body:
    """The data lines of a CSV file, ready for numpy: quotes removed, decimal commas
    made points (only where the fields are not separated by commas); and the file's
    line number of any row, for errors."""

    def __init__(self, path: Path, lines: list[str], start: int, delimiter: str) -> None:
        self.path = path
        self.start = start  # index in ``lines`` of the first data line
        self.delimiter = delimiter
        rows = lines[start:]
        if any('"' in row for row in rows):
            rows = [row.replace('"', "") for row in rows]
        self.decimal_comma = delimiter != "," and any("," in row for row in rows)
        if self.decimal_comma:
            rows = [row.replace(",", ".") for row in rows]
        self.rows = rows

    def line_of_row(self, i: int) -> int:
        """The 1-based file line of data row ``i`` (blank lines hold no row)."""
        seen = -1
        for offset, row in enumerate(self.rows):
            seen += bool(row.strip())
            if seen == i:
                return self.start + offset + 1
        return self.start + len(self.rows)


def _parse_body(body: _Body, columns: list[_Column], used: list[_Column]) -> np.ndarray:
    start, delimiter = body.start, body.delimiter
    _check_row_lengths(body.path, body.rows, start, len(columns), delimiter)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "empty input": reported by the caller instead
            table = np.loadtxt(
                io.StringIO("\n".join(body.rows)),
                delimiter=delimiter,
                usecols=[c.index for c in used],
                ndmin=2,
                encoding=None,
            )
    except ValueError:
        table = None
    if table is None or table.shape[1] != len(used):
        names = [c.name for c in columns]
        raise_first_bad_cell(
            body.path, body.rows, start + 1, names, [c.index for c in used], delimiter
        )
    return table


def _check_row_lengths(path: Path, body: list[str], start: int, width: int, delimiter: str) -> None:
    counts = np.fromiter((row.count(delimiter) + 1 if row.strip() else width for row in body), int)
    bad = np.flatnonzero(counts != width)
    if bad.size:
        i = int(bad[0])
        raise InputError(
            path,
            f"expected {width} values as in the header, found {counts[i]}",
            line=start + i + 1,
        )


def _estimate_rate(
    body: _Body, t_s: np.ndarray, column: _Column, sensor_model: str
) -> tuple[float, str]:
    """The nominal rate from the time steps (:mod:`poise.rate`), and a note saying how.

    Time that goes back on more than ``MAX_BACKWARD_FRACTION`` of the rows says
    nothing about the rate: refused, naming the first line where it does.
    """
    with np.errstate(invalid="ignore"):
        back = np.flatnonzero(np.diff(t_s) < 0)
    if back.size > MAX_BACKWARD_FRACTION * len(t_s):
        i = int(back[0]) + 1
        raise InputError(
            body.path,
            f"time goes back ({t_s[i]:g} s after {t_s[i - 1]:g} s) on {back.size} of "
            f"{len(t_s)} rows: the rows are not in time order, so the rate cannot be "
            "told; sort them, or give --rate HZ",
            line=body.line_of_row(i),
            column=column.name,
        )
    measured = step_rate_hz(t_s)
    if measured is None:
        raise InputError(body.path, "time column never increases; cannot tell the sample rate")
    chip = known_chip(sensor_model)
    rate = nominal_rate_hz(measured, chip)
    if not MIN_ESTIMATED_RATE_HZ <= rate <= MAX_RATE_HZ:
        raise InputError(
            body.path,
            f"the time steps give {rate:.4g} Hz, not an IMU's rate "
            f"({MIN_ESTIMATED_RATE_HZ:g} to {MAX_RATE_HZ:g} Hz); is the time unit right "
            "(--time-unit s, ms or us)?",
            column=column.name,
        )
    table = f"the nearest {chip.name} rate" if chip else "the nearest common rate"
    if rate == measured:
        return rate, f"rate {rate:.2f} Hz estimated from the time steps"
    return rate, f"rate {rate:g} Hz: {table} to the {measured:.2f} Hz of the time steps"


def _unit_plausibility(acc_g: np.ndarray) -> list[str]:
    """Warn when gravity says the accelerometer unit is probably wrong."""
    with np.errstate(over="ignore", invalid="ignore"):  # bad samples: left out below
        norm = np.linalg.norm(acc_g, axis=1)
    norm = norm[np.isfinite(norm) & (norm > 0)]
    if norm.size == 0:
        return []
    median = float(np.median(norm))
    if 7.0 < median < 12.0:
        return [
            f"accelerometer magnitude is ~{median:.1f} g: are the units m/s^2? (--acc-unit m/s2)"
        ]
    if 0.07 < median < 0.13:
        return [f"accelerometer magnitude is ~{median:.2f} g: are the units g? (--acc-unit g)"]
    return []


def _preamble_hint(options: CsvOptions) -> str:
    return f" after skipping {options.skip_rows} rows" if options.skip_rows else ""
