"""Property: any mutation of a readable file gives a result or exactly one line naming the file.

Random cell edits (junk, absurd numbers, quotes, decimal commas, blanks),
truncations, deleted and duplicated lines and header changes are applied to an
x-io CSV file and to a Poise recording; ``poise inspect`` and ``poise analyze``
of the result either succeed or print one line, ``poise: FILE...`` (with the line
and column where a cell is to blame), never a traceback or a numpy warning.
Example counts are modest so the test stays well under a minute on a loaded machine.
"""

import contextlib
import io
import re
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import simulated
from poise import cli
from poise.formats.poise_csv import format_rows, header_text

XIO_HEADER = (
    "Time (s),Gyroscope X (deg/s),Gyroscope Y (deg/s),Gyroscope Z (deg/s),"
    "Accelerometer X (g),Accelerometer Y (g),Accelerometer Z (g)"
)
CELLS = st.one_of(
    st.sampled_from(
        [
            *("", "x", "nan", "inf", "-inf", "1e308", "-1e308", "1e300", "1e-320", '"0.5"'),
            *("1,5", "0", "-0", "1e6", "  2 ", "0x10", "1_0", "--1", "++", "٣", "\x00"),
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
HEADER_EDITS = st.sampled_from(
    [
        ("Accelerometer X (g)", "Accelerometer Y (g)"),  # a duplicate name
        ("Time (s)", "Time (ms)"),
        ("Time (s)", "t"),
        ("(deg/s)", "(rad/s)"),
        ("Gyroscope Z (deg/s)", ""),
        (",", ";"),
        ('"rate_hz": 104.0', '"rate_hz": 1e7'),
        ('"rate_hz": 104.0', '"rate_hz": 6664'),
        ('"acc_range_g": 32.0', '"acc_range_g": -1'),
        ('"mounting": "+x+y+z"', '"mounting": 7'),
        ("seq,t_s", "seq,time"),
        ("# poise-recording 1", "# poise-recording 9"),
    ]
)


def _samples():
    return simulated("stance", seed=11, duration_s=5.0, rate_hz=104.0).recording


def xio_text() -> str:
    s = _samples().samples
    rows = [
        ",".join(f"{v:.6f}" for v in (t, *gyr, *acc))
        for t, gyr, acc in zip(s.t_s, s.gyr_dps, s.acc_g, strict=True)
    ]
    return XIO_HEADER + "\n" + "\n".join(rows) + "\n"


def poise_text() -> str:
    rec = _samples()
    return header_text(rec.meta) + format_rows(rec.samples) + f"# end {len(rec.samples)}\n"


@st.composite
def mutations(draw, text: str) -> str:
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cell", "cell", "delete", "duplicate", "header", "cut"]))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if kind == "cell" and lines[i]:
            cells = lines[i].split(",")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(CELLS)
            lines[i] = ",".join(cells)
        elif kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "header":
            old, new = draw(HEADER_EDITS)
            head = min(len(lines), 40)
            lines[:head] = "\n".join(lines[:head]).replace(old, new, 1).split("\n")
        elif kind == "cut":
            joined = "\n".join(lines)
            lines = joined[: draw(st.integers(0, len(joined)))].split("\n")
    return "\n".join(lines)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("error")  # a numpy warning would reach the user
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def check_outcome(path: str, code: int, stderr: str) -> None:
    if code == 0:
        assert stderr == "" or stderr.startswith(f"poise: {path}: no still reference"), stderr
        return
    assert code == 2
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"poise: {path}") or lines[0].startswith("poise: --"), stderr
    if "cannot read" in lines[0]:
        assert re.match(rf"poise: {re.escape(path)}:\d+: column '", lines[0]), stderr


def check_file(tmp_path_factory, text: str) -> None:
    path = tmp_path_factory.mktemp("m") / "m.csv"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    for command in (["inspect", str(path), "--json"], ["analyze", str(path), "--drill", "stance"]):
        code, _, stderr = run(*command)
        check_outcome(str(path), code, stderr)


PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(data=st.data())
def test_mutated_xio_files_give_a_result_or_one_line(tmp_path_factory, data):
    check_file(tmp_path_factory, data.draw(mutations(xio_text())))


@PROPERTY
@given(data=st.data())
def test_mutated_poise_recordings_give_a_result_or_one_line(tmp_path_factory, data):
    check_file(tmp_path_factory, data.draw(mutations(poise_text())))


@pytest.mark.parametrize("make", [xio_text, poise_text])
def test_the_unmutated_files_are_scored(tmp_path_factory, make):
    # The property would hold vacuously if the base files were refused themselves.
    path = tmp_path_factory.mktemp("m") / "m.csv"
    path.write_text(make())
    code, out, stderr = run("analyze", str(path), "--drill", "stance", "--json")
    assert code == 0 and '"sway_rms_deg"' in out, stderr
