"""Hostile and odd files: refused in one line naming file, line and field, or read as meant.

Each case is a fault a user met (issue 11 item 11 and "Also found"): special files,
absurd header values and cells, files in other locales' CSV dialects, ambiguous
headers, force-plate files, torn recordings.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import recording_path, simulated
from poise import files
from poise.errors import InputError
from poise.formats import CsvOptions, load_recording, stream_recording
from poise.formats.poise_csv import write_recording

XIO_HEADER = (
    "Time (s),Gyroscope X (deg/s),Gyroscope Y (deg/s),Gyroscope Z (deg/s),"
    "Accelerometer X (g),Accelerometer Y (g),Accelerometer Z (g)\n"
)


def xio_rows(n: int = 300, rate_hz: float = 100.0) -> list[str]:
    """Rows of a still x-io style file: time, gyroscope (deg/s), accelerometer (g)."""
    return [f"{i / rate_hz:.6f},0.1,-0.2,0.05,0.01,-0.02,0.99" for i in range(n)]


def write(tmp_path, text: str, name: str = "f.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def poise(*args: str, cwd=None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-W", "error", "-m", "poise", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


def one_line(result: subprocess.CompletedProcess, *fragments: str) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("poise: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


# -- special files and size -------------------------------------------------------------


def test_a_fifo_is_refused_at_once_not_read_forever(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    # No writer ever opens it: a reader that blocked would hit the timeout.
    one_line(poise("analyze", str(fifo), "--drill", "stance", timeout=30), "pipe.csv", "FIFO")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_is_refused(device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    one_line(poise("inspect", device), device, "not a regular file")


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(InputError, match="a folder"):
        load_recording(tmp_path)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = write(tmp_path, XIO_HEADER + "\n".join(xio_rows()) + "\n")
    monkeypatch.setattr(files, "MAX_INPUT_BYTES", path.stat().st_size - 1)
    with pytest.raises(InputError, match="MiB Poise reads") as err:
        load_recording(path)
    assert str(path) in str(err.value)
    monkeypatch.setattr(files, "MAX_INPUT_BYTES", path.stat().st_size)
    assert len(load_recording(path).samples) == 300


def test_running_out_of_memory_is_one_line_not_a_traceback(tmp_path, monkeypatch, capsys):
    import poise.formats
    from poise import cli

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(poise.formats, "stream_recording", exhausted)
    path = write(tmp_path, XIO_HEADER + "\n".join(xio_rows()) + "\n")
    assert cli.main(["inspect", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("poise: out of memory") and err.count("\n") == 1


# -- header values and cells bounded before anything is allocated -------------------------


def poise_recording(tmp_path, name: str = "r.csv"):
    path = tmp_path / name
    write_recording(path, *_sim_parts())
    return path


def _sim_parts():
    rec = simulated("stance", seed=5, duration_s=12.0, rate_hz=104.0).recording
    return rec.samples, rec.meta


@pytest.mark.parametrize("rate", ["1e6", "1e7", "1e300", "0", "-5", "NaN"])
def test_an_absurd_header_rate_is_refused_naming_the_field(tmp_path, rate):
    path = poise_recording(tmp_path)
    text = path.read_text()
    start = text.index('"rate_hz": ') + len('"rate_hz": ')
    end = text.index(",", start)
    bad = write(tmp_path, text[:start] + rate + text[end:], "bad.csv")
    result = poise("analyze", str(bad), "--drill", "stance", timeout=60)
    one_line(result, "bad.csv:2", "'rate_hz'")


def test_a_header_rate_far_from_the_time_stamps_is_refused(tmp_path):
    path = poise_recording(tmp_path)
    text = path.read_text().replace('"rate_hz": 104.0', '"rate_hz": 6664.0')
    bad = write(tmp_path, text, "fast.csv")
    one_line(poise("analyze", str(bad), "--drill", "stance"), "fast.csv", "6664 Hz", "104")


@pytest.mark.parametrize("value", ["1e308", "-1e308", "1e11"])
def test_an_absurd_time_cell_is_refused_naming_line_and_column(tmp_path, value):
    rows = xio_rows()
    rows[41] = value + rows[41][rows[41].index(",") :]
    path = write(tmp_path, XIO_HEADER + "\n".join(rows) + "\n")
    with pytest.raises(InputError) as err:
        load_recording(path)
    assert str(err.value).startswith(f"{path}:43: column 'Time (s)': time ")
    # And in a Poise recording, whose t_s column is the second.
    rec_path = poise_recording(tmp_path)
    lines = rec_path.read_text().split("\n")
    body = next(i for i, line in enumerate(lines) if line.startswith("seq,")) + 1
    cells = lines[body + 7].split(",")
    cells[1] = value
    lines[body + 7] = ",".join(cells)
    bad = write(tmp_path, "\n".join(lines), "bad.csv")
    with pytest.raises(InputError) as err:
        load_recording(bad)
    assert str(err.value).startswith(f"{bad}:{body + 8}: column 't_s': time ")


def test_a_value_cell_too_large_for_its_unit_is_a_bad_sample_not_an_overflow(tmp_path):
    header = "t,ax,ay,az,gx,gy,gz\n"
    rows = [f"{i / 100:.2f},0,0,9.8,0,0,0.01" for i in range(300)]
    rows[10] = "0.10,0,0,9.8,0,0,1e308"  # rad/s -> deg/s overflows to inf
    path = write(tmp_path, header + "\n".join(rows) + "\n")
    result = poise(
        "inspect", str(path), "--acc-unit", "m/s2", "--gyr-unit", "rad/s", "--json", cwd=tmp_path
    )
    assert result.returncode == 0 and result.stderr == ""
    assert '"bad_rows": 1' in result.stdout


# -- other locales' dialects, spreadsheets ---------------------------------------------


def test_semicolons_and_decimal_commas_are_found_not_refused(tmp_path):
    rows = [r.replace(",", ";").replace(".", ",") for r in xio_rows()]
    path = write(tmp_path, XIO_HEADER.replace(",", ";") + "\n".join(rows) + "\n")
    rec = load_recording(path)
    assert len(rec.samples) == 300
    assert rec.samples.acc_g[0].tolist() == pytest.approx([0.01, -0.02, 0.99])
    assert rec.samples.t_s[-1] == pytest.approx(2.99)
    assert any("decimal commas" in note for note in rec.notes)


def test_tab_separated_files_are_found(tmp_path):
    rows = [r.replace(",", "\t") for r in xio_rows()]
    path = write(tmp_path, XIO_HEADER.replace(",", "\t") + "\n".join(rows) + "\n")
    assert load_recording(path).samples.gyr_dps[5].tolist() == pytest.approx([0.1, -0.2, 0.05])


def test_a_header_of_one_column_suggests_the_delimiter(tmp_path):
    rows = [r.replace(",", "|") for r in xio_rows()]
    path = write(tmp_path, XIO_HEADER.replace(",", "|") + "\n".join(rows) + "\n")
    with pytest.raises(InputError, match="--delimiter"):
        load_recording(path)
    rec = load_recording(path, CsvOptions(delimiter="|"))
    assert len(rec.samples) == 300


def test_quoted_numbers_as_spreadsheets_write_them_are_read(tmp_path):
    quoted = [",".join(f'"{cell}"' for cell in r.split(",")) for r in xio_rows()]
    header = ",".join(f'"{name}"' for name in XIO_HEADER.strip().split(",")) + "\n"
    path = write(tmp_path, header + "\n".join(quoted) + "\n")
    rec = load_recording(path)
    assert rec.samples.acc_g[-1].tolist() == pytest.approx([0.01, -0.02, 0.99])


# -- ambiguous or wrong headers and options ---------------------------------------------


@pytest.mark.parametrize(
    ("csv_text", "named", "option"),
    [
        pytest.param(
            "t,ax,ay,az,ax,gx,gy,gz\n0,0,0,1,0,0,0,0\n0.01,0,0,1,0,0,0,0\n",
            "'ax' 2 times (columns 2 and 5)",
            "--acc-columns",
            id="duplicate-column-names",
        ),
        pytest.param(
            "time,t,ax,ay,az,gx,gy,gz\n0,0,0,0,1,0,0,0\n0.01,0.01,0,0,1,0,0,0\n",
            "'time' and 't' (columns 1 and 2)",
            "--time-column",
            id="two-time-columns-not-taken-for-none",
        ),
    ],
)
def test_ambiguous_columns_are_named_with_the_option_that_settles_them(
    tmp_path, csv_text, named, option
):
    path = write(tmp_path, csv_text)
    with pytest.raises(InputError) as err:
        load_recording(path, CsvOptions(acc_unit="g", gyr_unit="dps"))
    assert named in str(err.value)
    assert option in str(err.value)


def test_an_index_column_that_is_not_there_is_refused_naming_the_columns(tmp_path):
    path = write(tmp_path, XIO_HEADER + "\n".join(xio_rows()) + "\n")
    with pytest.raises(InputError) as err:
        load_recording(path, CsvOptions(index_column="nope", rate_hz=100.0))
    assert "--index-column: no column 'nope'" in str(err.value)
    assert "Accelerometer Z (g)" in str(err.value)


def test_an_index_column_given_is_used_even_beside_a_time_column(tmp_path):
    header = "t,frame,ax,ay,az,gx,gy,gz\n"
    rows = [f"{i * 0.5},{100 + i},0,0,1,0,0,0" for i in range(200)]
    path = write(tmp_path, header + "\n".join(rows) + "\n")
    options = CsvOptions(index_column="frame", rate_hz=100.0, acc_unit="g", gyr_unit="dps")
    rec = load_recording(path, options)
    assert rec.samples.t_s[:3].tolist() == pytest.approx([0.0, 0.01, 0.02])
    assert rec.meta.source["time"] == "frame"


def test_shuffled_time_names_the_line_not_a_slow_rate(tmp_path):
    rows = xio_rows()
    order = np.random.default_rng(3).permutation(len(rows))
    path = write(tmp_path, XIO_HEADER + "\n".join(rows[i] for i in order) + "\n")
    with pytest.raises(InputError) as err:
        load_recording(path)
    message = str(err.value)
    assert "not in time order" in message and "column 'Time (s)'" in message
    assert "too slow" not in message and f"{path}:" in message


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_start_or_end_that_is_not_a_time_is_refused(tmp_path, value):
    path = poise_recording(tmp_path)
    for option in ("--start", "--end"):
        one_line(
            poise("analyze", str(path), "--drill", "stance", f"{option}={value}"),
            f"{option} must be a number of seconds",
        )


@pytest.mark.parametrize("name", ["jythen_forceplate_standing.csv", "mlr_cmj_forceplate.csv"])
def test_force_plate_files_are_not_imu_files(name):
    line = one_line(poise("analyze", str(recording_path(name)), "--drill", "stance"), name)
    assert "not an IMU file" in line and "accelerometer x, y, z" not in line


# -- torn recordings ---------------------------------------------------------------------


def test_a_torn_recording_is_a_warning_of_analyze(tmp_path):
    path = poise_recording(tmp_path)
    text = path.read_text()
    torn = write(tmp_path, text[: text.rindex("# end")], "torn.csv")
    result = poise("analyze", str(torn), "--drill", "stance", "--json")
    assert result.returncode == 0 and result.stderr == ""
    assert '"code": "torn"' in result.stdout
    clean = poise("analyze", str(path), "--drill", "stance", "--json")
    assert '"code": "torn"' not in clean.stdout


def test_a_wrong_end_mark_is_seen_by_inspect_and_analyze(tmp_path):
    path = poise_recording(tmp_path)
    text = path.read_text()
    mark = text[text.rindex("# end") :]
    wrong = write(tmp_path, text.replace(mark, "# end 17\n"), "wrong.csv")
    with stream_recording(wrong) as stream:
        for _ in stream.blocks():
            pass
        assert not stream.complete
        assert any("end mark" in note and "says 17 rows" in note for note in stream.notes)
    rec = load_recording(wrong)
    assert not rec.complete and len(rec.samples) == len(load_recording(path).samples)
    result = poise("analyze", str(wrong), "--drill", "stance", "--json")
    assert result.returncode == 0 and '"code": "torn"' in result.stdout
    assert "end mark" in result.stdout
