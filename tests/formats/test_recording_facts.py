"""A recording carries what the store knows of its trial: the header's facts at the start,
the end line's at the end; a failed write (a full disk) leaves no torn row behind."""

from __future__ import annotations

import errno

import numpy as np
import pytest

import poise.files
from poise.formats.poise_csv import RecordingWriter, read_recording
from poise.recording import RecordingMeta
from poise.samples import SampleBlock

FACTS = {"athlete": "Ana", "trial": {"uuid": "b82d6e10", "drill": "stance", "leg": "left"}}
END = {"status": "complete", "go_s": 3.5, "end_s": 33.5, "algorithm_version": "2.0"}


def _block(k: int, n: int = 50) -> SampleBlock:
    seq = k * n + np.arange(n)
    acc = np.tile([0.0, 0.0, 1.0], (n, 1)) + 0.001 * np.sin(seq)[:, None]
    return SampleBlock(seq / 100.0, seq, acc, np.zeros((n, 3)))


def test_the_header_and_the_end_line_carry_the_trials_facts(tmp_path):
    path = tmp_path / "r.csv"
    with RecordingWriter(path, RecordingMeta(rate_hz=100.0, store=FACTS)) as writer:
        writer.write(_block(0))
        writer.finish(END)
        writer.finish({"status": "aborted"})  # once finished, finished
    recording = read_recording(path)
    assert recording.meta.store == FACTS and recording.end == END and recording.complete
    last = path.read_text().splitlines()[-1]
    assert last.startswith("# end 50 {") and last.count("# end") == 1


def test_a_recording_without_facts_reads_as_before(tmp_path):
    path = tmp_path / "r.csv"
    with RecordingWriter(path, RecordingMeta(rate_hz=100.0)) as writer:
        writer.write(_block(0))
    recording = read_recording(path)
    assert recording.meta.store is None and recording.end is None and recording.complete
    assert path.read_text().endswith("\n# end 50\n")


def test_unreadable_end_facts_are_noted_and_the_samples_kept(tmp_path):
    path = tmp_path / "r.csv"
    with RecordingWriter(path, RecordingMeta(rate_hz=100.0)) as writer:
        writer.write(_block(0))
    path.write_text(path.read_text().replace("# end 50", '# end 50 {"status": comp'))
    recording = read_recording(path)
    assert recording.end is None and len(recording.samples) == 50 and recording.complete
    end_line = len(path.read_text().splitlines())
    assert recording.notes == (f"the end mark's facts are unreadable (line {end_line}); ignored",)


def test_a_write_that_fails_half_way_leaves_the_file_at_its_last_whole_row(tmp_path, monkeypatch):
    path = tmp_path / "r.csv"
    writer = RecordingWriter(path, RecordingMeta(rate_hz=100.0))
    writer.write(_block(0))
    real_write = poise.files.os.write

    def half_then_full(fd, data):  # the disk fills in the middle of a block
        if len(data) > 100:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(poise.files.os, "write", half_then_full)
    with pytest.raises(OSError, match="No space left"):
        writer.write(_block(1))
    with pytest.raises(OSError, match="No space left"):
        writer.finish(END)  # still full: the end line is not half-written either
    assert read_recording(path).samples.seq.tolist() == list(range(50))
    monkeypatch.setattr(poise.files.os, "write", real_write)  # space again
    writer.finish(END)
    writer.close()
    recording = read_recording(path)
    assert recording.complete and recording.end == END and recording.notes == ()
    assert recording.samples.seq.tolist() == list(range(50))
