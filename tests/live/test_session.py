"""A guided session as the athlete hears it, and as it copes with what goes wrong."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
from helpers import SENSOR, TRAIN, loudest_hz, read_wav, session

from poise.drills import LIVE
from poise.drills.machine import LOSS_END_MARGIN_S
from poise.drills.protocol import Condition
from poise.formats import read_recording
from poise.live.controls import Command, Controls
from poise.live.session import SessionPlan
from poise.live.streams import FileStream, SimStream, SourceStream
from poise.recording import Recording
from poise.samples import SampleBlock
from poise.sim.stance import LOSS_KINDS
from poise.store.sqlite import Store, sha256_file


def test_the_athlete_hears_countdown_go_feedback_and_the_end_in_order(tmp_path):
    wav = tmp_path / "heard.wav"
    s = session(tmp_path, SessionPlan("stance", ("right",), eyes="closed"), wav=wav)
    (outcome,) = s.run()
    s.cues.close()
    frames, rate = read_wav(wav)
    t0 = s.stream.last.recording.samples.t_s[0]  # audio time 0 is the trial's first sample
    go = outcome.go_s - t0

    def at(t_s: float, length_s: float = 0.06):
        i = round(t_s * rate)
        return loudest_hz(frames[i : i + round(length_s * rate)], rate)

    for k in (3, 2, 1):  # countdown beeps, one a second, then the go beep
        assert at(go - k + 0.01)[0] == _near(1000.0, rate, 0.06)
    assert at(go + 0.05, 0.2)[0] == _near(1500.0, rate, 0.2)
    # Before the go there is no feedback tone between the beeps; in the trial there is,
    # between the 400 Hz edge of the dead zone and its 1200 Hz top.
    quiet = at(go - 1.5, 0.3)[1]
    freq, level = at(go + 3.0, 0.5)
    assert quiet < 0.01 < level
    assert 400.0 <= freq <= 1200.0
    end = outcome.end_s - t0
    assert at(end + 0.01, 0.1)[0] == _near(1000.0, rate, 0.1)  # the end tone's first note


def _near(hz: float, rate: int, length_s: float) -> float:
    """The FFT bin an exact tone of ``hz`` lands in for a window of ``length_s``."""
    n = round(length_s * rate)
    freqs = np.fft.rfftfreq(n, 1.0 / rate)
    return float(freqs[np.argmin(abs(freqs - hz))])


def test_a_recording_that_ends_mid_trial_interrupts_that_trial_not_the_session(tmp_path):
    first = session(tmp_path, SessionPlan("stance", ("right",))).run()[0]
    whole = read_recording(first.recording)
    cut = whole.samples.t_s < first.go_s + 4.0  # the file stops 4 s into the trial
    short = Recording(whole.samples[cut], whole.meta)
    folder = tmp_path / "replay"
    folder.mkdir()
    s = session(folder, SessionPlan("stance", ("right", "left")), FileStream(short))
    outcomes = s.run()
    assert [o.status for o in outcomes] == ["interrupted", "interrupted"]
    assert outcomes[0].reason == "the recording ended"
    # Interrupted, but what there was is scored (4 s of stance) and kept.
    assert outcomes[0].result["span_s"][1] - outcomes[0].result["span_s"][0] > 3.5
    assert read_recording(outcomes[0].recording).complete


class _Unplugged:
    """A live source that delivers 6 s of a simulated trial, then only empty blocks."""

    def __init__(self, recording: Recording) -> None:
        self.meta = recording.meta
        self.samples = recording.samples[recording.samples.t_s < 6.0]
        self.stats = None
        self.live = True

    def blocks(self):
        yield from self.samples.split(8)
        while True:
            time.sleep(0.02)
            yield SampleBlock.empty()

    def close(self) -> None:
        pass


def test_a_sensor_that_stops_sending_ends_the_trial_as_interrupted_and_says_so(tmp_path):
    sim = SimStream(SENSOR, TRAIN, seed=2)
    sim.trial(LIVE["stance"], Condition("right"), LIVE["stance"].plan(3.0, 2.0, TRAIN))
    train = dataclasses.replace(TRAIN, stall_s=0.3)
    stream = SourceStream(_Unplugged(sim.last.recording))
    s = session(tmp_path, SessionPlan("stance", ("right",)), stream, train=train)
    said = []
    s._say = lambda text: said.append(text)  # what would be spoken, in order
    (outcome,) = s.run()
    assert outcome.status == "interrupted"
    assert outcome.reason == "the sensor stopped sending"
    assert "Trial interrupted: the sensor stopped sending." in said
    assert said[-1] == "Session over. 1 trial not complete."  # not "well done"


def test_losses_end_a_timed_hold_when_the_protocol_says_so(tmp_path):
    """With ``on_loss = "end"`` the touchdown heard live ends the trial 1.2 s later; the
    scored time held runs to the touchdown itself."""
    train = dataclasses.replace(TRAIN, stance_s=40.0, on_loss="end")
    plan = SessionPlan("stance", ("right",), eyes="closed", surface="foam")
    for seed in range(1, 20):
        s = session(tmp_path, plan, train=train, seed=seed)
        (outcome,) = s.run()
        losses = [e for e in s.stream.last.truth.events if e["kind"] in LOSS_KINDS]
        if losses and losses[0]["kind"] == "touchdown" and losses[0]["t_s"] > outcome.go_s + 2:
            break
    else:
        raise AssertionError("no simulated trial whose first loss is a touchdown after the go")
    first = losses[0]["t_s"]
    assert outcome.status == "complete"
    assert len(outcome.marks) == 1 and abs(outcome.marks[0].t_s - first) < 0.1
    assert outcome.end_s == outcome.marks[0].t_s + LOSS_END_MARGIN_S
    assert abs(outcome.result["time_held_s"] - (first - outcome.go_s)) < 0.1


def test_abort_from_the_controls_ends_the_session_and_keeps_the_trial(tmp_path):
    controls = Controls()
    controls.push(Command.ABORT)
    s = session(tmp_path, SessionPlan("stance", ("right", "left")), controls=controls)
    outcomes = s.run()
    assert [o.status for o in outcomes] == ["aborted"]
    assert read_recording(outcomes[0].recording).complete


def test_every_trial_is_logged_with_its_raw_recording_and_hash(tmp_path):
    store = Store.open(tmp_path / "p.sqlite3")
    s = session(tmp_path, SessionPlan("stance", ("right", "left"), athlete="ana"), store=store)
    outcomes = s.run()
    rows = store.trials(athlete="ana")
    assert [(r.leg, r.status) for r in rows] == [("right", "complete"), ("left", "complete")]
    for row, outcome in zip(rows, outcomes, strict=True):
        assert row.recording_sha256 == sha256_file(row.recording)
        assert row.result == outcome.result
        assert row.metrics["sway_rms_deg"] == outcome.result["sway_rms_deg"]
    store.close()
