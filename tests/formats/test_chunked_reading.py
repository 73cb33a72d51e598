"""Reading a Poise recording in chunks gives what one whole read gives, to the bit."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import simulated
from poise.errors import InputError
from poise.formats.poise_csv import RecordingReader, read_recording
from poise.samples import SampleBlock


def _variants(text: str) -> dict[str, str]:
    lines = text.split("\n")
    h = next(i for i, line in enumerate(lines) if line.startswith("seq,"))
    body_end = text.rindex("# end")

    def edit(i: int, line: str) -> str:
        return "\n".join([*lines[:i], line, *lines[i + 1 :]])

    return {
        "ok": text,
        "crlf": text.replace("\n", "\r\n"),
        "comments": "\n".join([*lines[: h + 5], "# a note", "", "", *lines[h + 5 :]]),
        "unclosed": text[:body_end],
        "torn": text[:body_end][:-15],
        "end_then_torn": text + "12,3",
        "no_newline": text.rstrip("\n"),
        "bad_cell": edit(h + 300, lines[h + 300].replace(",", ",x", 1)),
        "short_row": edit(h + 400, lines[h + 400].rsplit(",", 1)[0]),
        "bad_seq": edit(h + 500, "1.5" + lines[h + 500][lines[h + 500].index(",") :]),
        "empty_body": "\n".join(lines[: h + 1]) + "\n",
        "comments_only": "\n".join(lines[: h + 1]) + "\n# x\n# y\n",
        "blank_only": "\n".join(lines[: h + 1]) + "\n\n\n",
    }


def _read(path, chunk_chars: int | None):
    try:
        if chunk_chars is None:
            rec = read_recording(path)
            return rec.samples, rec.complete, rec.notes
        with RecordingReader(path, chunk_chars=chunk_chars) as reader:
            samples = SampleBlock.concat(list(reader.blocks()))
            return samples, reader.complete, reader.notes
    except InputError as e:
        return str(e)


@pytest.mark.parametrize("chunk_chars", [1, 13, 257, 4096])
def test_any_chunk_size_reads_the_same_samples_notes_and_errors(tmp_path, chunk_chars):
    sim = simulated("stance", rate_hz=104.0, seed=3, duration_s=8.0)
    sim.write(tmp_path / "source.csv")
    text = (tmp_path / "source.csv").read_text()
    for name, variant in _variants(text).items():
        path = tmp_path / f"{name}.csv"
        path.write_bytes(variant.encode())
        whole, chunked = _read(path, None), _read(path, chunk_chars)
        if isinstance(whole, str):
            assert chunked == whole, name
            continue
        assert chunked[1:] == whole[1:], name
        for field in ("t_s", "seq", "acc_g", "gyr_dps"):
            a, b = getattr(whole[0], field), getattr(chunked[0], field)
            assert a.dtype == b.dtype and a.shape == b.shape, (name, field)
            assert a.tobytes() == b.tobytes(), (name, field)


def test_samples_read_equal_the_samples_written(tmp_path):
    sim = simulated("stance", rate_hz=104.0, seed=3, duration_s=8.0)
    sim.write(tmp_path / "r.csv")
    samples = read_recording(tmp_path / "r.csv").samples
    assert len(samples) == len(sim.recording.samples)
    assert np.array_equal(samples.seq, sim.recording.samples.seq)
    assert np.allclose(samples.acc_g, sim.recording.samples.acc_g, atol=1e-6)
