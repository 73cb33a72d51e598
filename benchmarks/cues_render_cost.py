"""Render cost of the live cues: biofeedback every block, prompts and beeps now and then.

Runs a scripted session as the drill engine would (20 ms blocks of sensor
time): every block sets the biofeedback tone from a swaying tilt and calls
``advance_to``; every 5 s a countdown is spoken and a beep sounds. Prompts
are rendered before the session (``Speech.prepare``), as the engine should do,
and the first-time espeak-ng cost is printed apart. Prints, for a null sink
and a WAV sink:

- CPU time per second of audio and as a share of one core;
- per 20 ms block: median, p99 and worst time of feedback + advance_to.

    python benchmarks/cues_render_cost.py [--seconds 120] [--rate 22050]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np

from poise.cues import Cues, FeedbackSettings, NullSink, Speech, WavSink

BLOCK_S = 0.02
PROMPTS = ["stand on your left leg", "eyes closed", "3", "2", "1", "hold", "well done"]


def session(cues: Cues, seconds: float) -> np.ndarray:
    """Run the scripted session; the wall time of each block's cue calls, s."""
    n_blocks = round(seconds / BLOCK_S)
    block_s = np.empty(n_blocks)
    for i in range(n_blocks):
        t_s = i * BLOCK_S
        start = time.perf_counter()
        # Sway of quiet single-leg stance: about 1.5 deg at 0.3-0.7 Hz, through the dead zone.
        cues.feedback(
            1.5 * math.sin(2 * math.pi * 0.3 * t_s), 1.2 * math.sin(2 * math.pi * 0.7 * t_s)
        )
        phase_s = t_s % 5.0
        if phase_s < 1e-9:
            for text in PROMPTS[1:5]:
                cues.say(text)
        elif abs(phase_s - 3.0) < 1e-9:
            cues.beep("go")
        cues.advance_to(t_s + BLOCK_S)
        block_s[i] = time.perf_counter() - start
    return block_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--rate", type=int, default=22050)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        speech = Speech(Path(tmp) / "speech", args.rate)
        start = time.perf_counter()
        speech.prepare(PROMPTS)
        prepare_s = time.perf_counter() - start
        what = f"espeak-ng ({speech.version})" if speech.available else "tone fallback"
        print(
            f"speech:      {what}: {len(PROMPTS)} prompts rendered in {prepare_s * 1e3:.0f} ms "
            f"({prepare_s / len(PROMPTS) * 1e3:.1f} ms each, once per cache); then from memory"
        )
        print(
            f"session:     {args.seconds:.0f} s of audio at {args.rate} Hz in "
            f"{BLOCK_S * 1e3:.0f} ms blocks: feedback every block, 4 prompts and a beep every 5 s"
        )
        for name, sink in [("null", NullSink()), ("wav", WavSink(Path(tmp) / "s.wav", args.rate))]:
            cues = Cues(sink, speech, FeedbackSettings(), args.rate)
            cpu_start = time.process_time()
            block_s = session(cues, args.seconds)
            cues.close()
            cpu_s = time.process_time() - cpu_start
            p50, p99 = np.percentile(block_s, [50, 99]) * 1e3
            print(
                f"{name + ' sink:':12} {cpu_s / args.seconds * 1e3:.1f} ms CPU per s of audio "
                f"({cpu_s / args.seconds * 100:.2f}% of one core); per block: median {p50:.3f} ms, "
                f"p99 {p99:.3f} ms, worst {block_s.max() * 1e3:.3f} ms"
            )


if __name__ == "__main__":
    main()
