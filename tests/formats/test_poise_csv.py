import os
import signal
import stat
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from poise.errors import InputError, PoiseError
from poise.formats import load_recording
from poise.formats.poise_csv import (
    COLUMNS,
    RecordingWriter,
    read_recording,
    write_recording,
)
from poise.recording import RecordingMeta
from poise.samples import SampleBlock


def samples(n: int, rate: float = 100.0) -> SampleBlock:
    rng = np.random.default_rng(0)
    return SampleBlock(
        t_s=np.arange(n) / rate,
        seq=np.arange(n),
        acc_g=np.round(rng.normal(0, 1, (n, 3)), 6),
        gyr_dps=np.round(rng.normal(0, 100, (n, 3)), 4),
    )


META = RecordingMeta(
    rate_hz=100.0,
    sensor_model="LSM6DSO32",
    acc_range_g=32.0,
    gyr_range_dps=2000.0,
    placement="left_shank",
    firmware="1.0",
    source={"kind": "test"},
)


def test_round_trip_keeps_samples_and_metadata(tmp_path):
    path = tmp_path / "r.csv"
    s = samples(250)
    write_recording(path, s, META)
    rec = read_recording(path)
    assert rec.complete and rec.notes == ()
    assert rec.meta == META
    assert np.array_equal(rec.samples.seq, s.seq)
    assert np.allclose(rec.samples.t_s, s.t_s, atol=5e-7)
    assert np.array_equal(rec.samples.acc_g, s.acc_g)
    assert np.array_equal(rec.samples.gyr_dps, s.gyr_dps)


def test_header_states_format_version_units_and_metadata(tmp_path):
    path = tmp_path / "r.csv"
    write_recording(path, samples(3), META)
    text = path.read_text()
    assert text.startswith("# poise-recording 1\n")
    assert '"units"' in text and '"deg/s"' in text
    assert "seq,t_s,acc_x_g,acc_y_g,acc_z_g,gyr_x_dps,gyr_y_dps,gyr_z_dps\n" in text
    assert text.endswith("# end 3\n")


def test_writing_is_deterministic(tmp_path):
    write_recording(tmp_path / "a.csv", samples(50), META)
    write_recording(tmp_path / "b.csv", samples(50), META)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_unclosed_recording_with_torn_row_is_read_up_to_the_last_row(tmp_path):
    path = tmp_path / "r.csv"
    write_recording(path, samples(20), META)
    text = path.read_text()
    cut = text[: text.index("# end")]
    cut = cut[:-12]  # tear the last row
    path.write_text(cut)
    rec = read_recording(path)
    assert not rec.complete
    assert len(rec.samples) == 19
    assert any("torn" in note for note in rec.notes)


def test_newer_format_version_is_refused_with_its_line(tmp_path):
    path = tmp_path / "r.csv"
    write_recording(path, samples(2), META)
    path.write_text(path.read_text().replace("# poise-recording 1", "# poise-recording 9"))
    with pytest.raises(InputError, match=r"r\.csv:1: format version 9 is newer"):
        read_recording(path)


def test_bad_cell_is_reported_by_line_and_column(tmp_path):
    path = tmp_path / "r.csv"
    write_recording(path, samples(5), META)
    lines = path.read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("seq,"))
    cells = lines[header + 3].split(",")
    cells[4] = "oops"
    lines[header + 3] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        read_recording(path)
    assert (
        str(err.value) == f"{path}:{header + 4}: column 'acc_z_g': cannot read 'oops' as a number"
    )


def test_bad_metadata_names_the_field(tmp_path):
    path = tmp_path / "r.csv"
    write_recording(path, samples(2), META)
    path.write_text(path.read_text().replace('"left_shank"', '"elbow"'))
    with pytest.raises(InputError, match="metadata field 'placement'"):
        read_recording(path)


def test_writer_flushes_every_block_so_sigkill_loses_only_the_block_in_progress(tmp_path):
    """A recorder killed with SIGKILL leaves a file that opens, with every block it had written."""
    path = tmp_path / "killed.csv"
    script = textwrap.dedent(
        f"""
        import sys, time
        import numpy as np
        from poise.formats.poise_csv import RecordingWriter
        from poise.recording import RecordingMeta
        from poise.samples import SampleBlock
        writer = RecordingWriter({str(path)!r}, RecordingMeta(rate_hz=1000.0))
        n = 100  # 0.1 s blocks at 1 kHz
        for k in range(10_000):
            t = (k * n + np.arange(n)) / 1000.0
            acc = np.tile([0, 0, 1.0], (n, 1))
            writer.write(SampleBlock(t, k * n + np.arange(n), acc, np.zeros((n, 3))))
            print(k + 1, flush=True)
            time.sleep(0.02)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    written = 0
    for line in proc.stdout:
        written = int(line)
        if written >= 15:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    rec = load_recording(path)
    assert not rec.complete
    assert len(rec.samples) >= written * 100
    assert np.array_equal(rec.samples.seq, np.arange(len(rec.samples)))


def test_writer_refuses_an_existing_file_and_leaves_it_as_it_was(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("old content\n")
    with pytest.raises(PoiseError) as err:
        RecordingWriter(path, META)
    assert str(err.value) == f"{path}: already exists; not overwritten"
    assert path.read_text() == "old content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]  # no temporary file left


def test_writer_puts_a_complete_header_in_place_at_once(tmp_path):
    path = tmp_path / "r.csv"
    with RecordingWriter(path, META) as writer:
        assert path.read_text().startswith("# poise-recording 1")
        assert path.read_text().endswith(",".join(COLUMNS) + "\n")
        writer.write(samples(3))
    assert read_recording(path).complete
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_writer_does_not_follow_a_planted_symlink(tmp_path):
    target = tmp_path / "other-athlete.csv"
    target.write_text("someone else's samples\n")
    for planted in (tmp_path / "link.csv", tmp_path / "dangling.csv"):
        planted.symlink_to(target if planted.name == "link.csv" else tmp_path / "nowhere.csv")
        with pytest.raises(PoiseError, match=f"^{planted}: already exists; not overwritten$"):
            RecordingWriter(planted, META)
    assert target.read_text() == "someone else's samples\n"
    assert not (tmp_path / "nowhere.csv").exists()


def test_a_recording_is_private_whatever_the_umask(tmp_path):
    old = os.umask(0o000)
    try:
        write_recording(tmp_path / "r.csv", samples(3), META)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r.csv").stat().st_mode) == 0o600
