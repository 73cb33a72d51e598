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

Quirks are reported, not fixed: duplicate timestamps, gaps and all-zero rows
stay in the samples and show up in the recording's health figures.
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
from poise.errors import InputError
from poise.files import read_text
from poise.formats.cells import raise_first_bad_cell
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


@dataclass(frozen=True)
class CsvOptions:
    """How to read a CSV file whose header does not say everything.

    Column references are header names (or 1-based numbers as strings).

    Args:
        skip_rows: preamble lines before the header line.
        delimiter: field separator.
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
    delimiter: str = ","
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
        if len(self.delimiter) != 1 or self.delimiter.isalnum() or self.delimiter in '.-+"':
            raise ValueError(
                f"delimiter must be one character such as , ; or tab, not {self.delimiter!r}"
            )
        for name in ("rate_hz", "acc_range_g", "gyr_range_dps"):
            if getattr(self, name) is not None:
                check_number(name, getattr(self, name), 0.0, 1e6, above=True)


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
    columns = _parse_header(lines[header_no], options.delimiter)

    acc = _pick_axes(
        path, columns, options.acc_columns, _ACC_NAME, "accelerometer", "--acc-columns"
    )
    gyr = _pick_axes(path, columns, options.gyr_columns, _GYR_NAME, "gyroscope", "--gyr-columns")
    acc_scale = ACC_UNITS[_unit(path, acc, options.acc_unit, ACC_UNITS, "--acc-unit")]
    gyr_scale = GYR_UNITS[_unit(path, gyr, options.gyr_unit, GYR_UNITS, "--gyr-unit")]
    time_col = _pick_named(path, columns, options.time_column, _TIME_NAMES)
    index_col = None if time_col else _pick_named(path, columns, options.index_column, _INDEX_NAMES)
    if time_col is None and options.rate_hz is None:
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
    table = _parse_body(path, lines, header_no + 1, columns, used, options.delimiter)
    position = {c.index: i for i, c in enumerate(used)}
    n = table.shape[0]
    if n == 0:
        raise InputError(path, "no data rows after the header", line=header_no + 1)
    acc_g = table[:, [position[c.index] for c in acc]] * acc_scale
    gyr_dps = table[:, [position[c.index] for c in gyr]] * gyr_scale

    notes = []
    if time_col is not None:
        time_unit = _unit(path, [time_col], options.time_unit, TIME_UNITS, "--time-unit", "s")
        t_s = table[:, position[time_col.index]] * TIME_UNITS[time_unit]
        if options.rate_hz is not None:
            rate_hz, estimated = float(options.rate_hz), False
        else:
            rate_hz, estimated = _estimate_rate(path, t_s), True
            notes.append(f"rate {rate_hz:.2f} Hz estimated from the median time step")
    else:
        rate_hz, estimated = float(options.rate_hz), False
        if index_col is not None:
            index = table[:, position[index_col.index]]
            t_s = (index - index[0]) / rate_hz
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


def _find(columns: list[_Column], ref: str) -> _Column | None:
    if ref.isdigit() and 1 <= int(ref) <= len(columns):
        return columns[int(ref) - 1]
    for column in columns:
        if ref in (column.name, column.base):
            return column
    return None


def _pick_axes(
    path: Path,
    columns: list[_Column],
    given: tuple[str, str, str] | None,
    pattern: re.Pattern[str],
    what: str,
    option: str,
) -> list[_Column]:
    if given is not None:
        picked = []
        for ref in given:
            column = _find(columns, ref)
            if column is None:
                raise InputError(path, f"{option}: no column {ref!r} in the header")
            picked.append(column)
        return picked
    by_axis: dict[str, list[_Column]] = {"x": [], "y": [], "z": []}
    for column in columns:
        match = pattern.match(column.base)
        if match:
            by_axis[match["axis"]].append(column)
    if all(len(found) == 1 for found in by_axis.values()):
        return [by_axis[axis][0] for axis in "xyz"]
    names = ", ".join(c.name for c in columns)
    raise InputError(
        path,
        f"cannot tell which columns are the {what} x, y, z (header: {names}); "
        f"name them with {option} X,Y,Z, or skip a preamble above the header with --skip-rows N",
    )


def _pick_named(
    path: Path, columns: list[_Column], given: str | None, names: set[str]
) -> _Column | None:
    if given is not None:
        column = _find(columns, given)
        if column is None:
            raise InputError(path, f"no column {given!r} in the header")
        return column
    found = [c for c in columns if c.base in names]
    return found[0] if len(found) == 1 else None


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


def _parse_body(
    path: Path,
    lines: list[str],
    start: int,
    columns: list[_Column],
    used: list[_Column],
    delimiter: str,
) -> np.ndarray:
    body = lines[start:]
    _check_row_lengths(path, body, start, len(columns), delimiter)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "empty input": reported by the caller instead
            table = np.loadtxt(
                io.StringIO("\n".join(body)),
                delimiter=delimiter,
                usecols=[c.index for c in used],
                ndmin=2,
                encoding=None,
            )
    except ValueError:
        table = None
    if table is None or table.shape[1] != len(used):
        names = [c.name for c in columns]
        raise_first_bad_cell(path, body, start + 1, names, [c.index for c in used], delimiter)
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


def _estimate_rate(path: Path, t_s: np.ndarray) -> float:
    dt = np.diff(t_s)
    forward = dt[dt > 0]
    if forward.size == 0:
        raise InputError(path, "time column never increases; cannot tell the sample rate")
    return float(1.0 / np.median(forward))


def _unit_plausibility(acc_g: np.ndarray) -> list[str]:
    """Warn when gravity says the accelerometer unit is probably wrong."""
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
