"""The importer on real recordings nobody here wrote, and on small files made to break it."""

import numpy as np
import pytest

from conftest import recording_path
from poise.errors import InputError
from poise.formats import CsvOptions, load_recording
from poise.samples import STANDARD_GRAVITY_MPS2


def test_xio_fusion_file_loads_with_units_from_the_header():
    rec = load_recording(recording_path("fusion_sensor_data.csv"))
    s = rec.samples
    assert len(s) == 13514
    assert s.duration_s == pytest.approx(135.3, abs=0.05)
    # Still for the first 10 s: gravity along +z, in g.
    still = s.t_s < 9.0
    assert np.linalg.norm(s.acc_g[still].mean(axis=0)) == pytest.approx(1.0, abs=0.01)
    assert s.acc_g[0].tolist() == pytest.approx([0.001015204, -0.02045836, 0.9970807])
    assert s.gyr_dps[0].tolist() == pytest.approx([0.01644619, -0.1517251, 0.1080897])
    assert rec.meta.rate_estimated
    # Median step 10.08 ms (99.2 Hz), uneven; the regular steps average 100 Hz, its nominal rate.
    assert rec.meta.rate_hz == 100.0
    health = rec.health()
    assert health.gaps == 10  # SOURCES.md: 10 gaps longer than 1.5x the median


def test_gait_file_quirks_are_reported_not_fatal():
    rec = load_recording(recording_path("gait_tracking_short_walk.csv"))
    assert len(rec.samples) == 16539
    health = rec.health()
    assert health.duplicate_timestamps == 205
    assert health.gaps == 165
    # 398.3 Hz from the time steps; the NGIMU's nominal 400 Hz (SOURCES.md) is the common
    # rate within 1% of it.
    assert rec.meta.rate_hz == 400.0
    # Nothing was dropped or interpolated: the duplicate rows are still there.
    assert np.count_nonzero(np.diff(rec.samples.t_s) == 0) == 205
    peak = np.abs(rec.samples.acc_g).max()
    assert 4.5 < peak < 5.0  # SOURCES.md: peaks up to about 4.8 g


def test_mobgap_index_column_with_a_given_rate():
    path = recording_path("mobgap_HA001_Test5_Trial1.csv")
    rec = load_recording(path, CsvOptions(rate_hz=100.0, acc_unit="g", gyr_unit="dps"))
    s = rec.samples
    assert len(s) == 1246
    assert s.t_s[-1] == pytest.approx(12.45)
    assert rec.meta.source["time"] == "samples"
    # Sensor-frame x is vertical, about +0.97 g at rest.
    assert s.acc_g[:100, 0].mean() == pytest.approx(0.97, abs=0.03)
    assert rec.health().problems() == []


def test_mobgap_without_units_names_the_option_to_give():
    path = recording_path("mobgap_HA001_Test5_Trial1.csv")
    with pytest.raises(InputError) as err:
        load_recording(path)
    assert "--acc-unit" in str(err.value) and str(path) in str(err.value)


def test_smartphone_cmj_with_bom_si_units_and_no_time():
    path = recording_path("mlr_cmj_smartphone.csv")
    rec = load_recording(path, CsvOptions(rate_hz=128.0, acc_unit="m/s2", gyr_unit="rad/s"))
    s = rec.samples
    assert len(s) == 600
    assert s.t_s[1] == pytest.approx(1 / 128)
    assert s.acc_g[0, 1] == pytest.approx(
        9.835680962 / STANDARD_GRAVITY_MPS2
    )  # the BOM did not eat 'ax'
    assert s.gyr_dps[0, 0] == pytest.approx(np.degrees(-0.014668707))
    assert rec.meta.source["columns"]["acc"] == ["ax", "ay", "az"]


def test_wrong_unit_is_flagged_by_gravity():
    path = recording_path("mlr_cmj_smartphone.csv")
    rec = load_recording(path, CsvOptions(rate_hz=128.0, acc_unit="g", gyr_unit="rad/s"))
    assert any("m/s^2" in note for note in rec.notes)


@pytest.mark.parametrize("name", ["jythen_forceplate_standing.csv", "mlr_cmj_forceplate.csv"])
def test_force_plate_files_are_not_imu_recordings(name):
    with pytest.raises(InputError, match="not an IMU file") as err:
        load_recording(recording_path(name))
    assert "\n" not in str(err.value)


def write(tmp_path, text: str, name: str = "f.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_explicit_columns_preamble_and_millisecond_time(tmp_path):
    path = write(
        tmp_path,
        "exported by some app\nversion,3\n\n"
        "stamp;AX;AY;AZ;GX;GY;GZ\n"
        "0;0;0;9.80665;0;0;0.1\n"
        "10;0;0;9.80665;0;0;0.2\n"
        "20;0;0;9.80665;0;0;0.3\n",
    )
    options = CsvOptions(
        skip_rows=2,
        delimiter=";",
        time_column="stamp",
        time_unit="ms",
        acc_columns=("AX", "AY", "AZ"),
        gyr_columns=("5", "6", "7"),
        acc_unit="m/s2",
        gyr_unit="rad/s",
    )
    rec = load_recording(path, options)
    assert rec.samples.t_s.tolist() == pytest.approx([0.0, 0.01, 0.02])
    assert rec.samples.acc_g[:, 2].tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert rec.samples.gyr_dps[:, 2].tolist() == pytest.approx(np.degrees([0.1, 0.2, 0.3]))
    assert rec.meta.rate_hz == pytest.approx(100.0)


def test_bad_cell_names_file_line_and_column(tmp_path):
    path = write(
        tmp_path,
        "Time (s),Gyroscope X (deg/s),Gyroscope Y (deg/s),Gyroscope Z (deg/s),"
        "Accelerometer X (g),Accelerometer Y (g),Accelerometer Z (g)\n"
        "0,0,0,0,0,0,1\n0.01,0,0,0,0,0,1\n0.02,0,0,0,0,x1,1\n",
    )
    with pytest.raises(InputError) as err:
        load_recording(path)
    assert str(err.value) == f"{path}:4: column 'Accelerometer Y (g)': cannot read 'x1' as a number"


def test_short_row_names_its_line(tmp_path):
    path = write(tmp_path, "t,ax,ay,az,gx,gy,gz\n0,0,0,1,0,0,0\n0.01,0,0,1,0\n")
    with pytest.raises(InputError, match=r"f\.csv:3: expected 7 values as in the header, found 5"):
        load_recording(path, CsvOptions(acc_unit="g", gyr_unit="dps"))


def test_missing_rate_without_time_column(tmp_path):
    path = write(tmp_path, "ax,ay,az,gx,gy,gz\n0,0,1,0,0,0\n")
    with pytest.raises(InputError, match="--rate HZ"):
        load_recording(path, CsvOptions(acc_unit="g", gyr_unit="dps"))


def test_unknown_column_in_options(tmp_path):
    path = write(tmp_path, "t,ax,ay,az,gx,gy,gz\n0,0,0,1,0,0,0\n")
    with pytest.raises(InputError, match="--acc-columns: no column 'accx'"):
        load_recording(
            path, CsvOptions(acc_columns=("accx", "ay", "az"), acc_unit="g", gyr_unit="dps")
        )


def test_all_zero_rows_are_kept_and_counted(tmp_path):
    path = write(
        tmp_path, "t,ax,ay,az,gx,gy,gz\n0,0,0,1,0,0,0\n0.01,0,0,0,0,0,0\n0.02,0,0,1,0,0,0\n"
    )
    rec = load_recording(path, CsvOptions(acc_unit="g", gyr_unit="dps"))
    assert len(rec.samples) == 3
    assert rec.health().zero_rows == 1
