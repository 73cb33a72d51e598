"""``poise report`` as a process: wall time and peak memory of a visit's PDF and HTML.

Runs a battery of six conditions on both legs, three trials each (36 trials:
single-leg stance eyes open and closed on firm ground and eyes open on foam,
hop and stick, the weight-bearing lunge, seated hip rotation) as visits of one
athlete on the simulator at the settings' default rate, with ``poise battery
run --fast``; then times ``poise report --athlete ana -o FILE`` (PDF, then
HTML) as child processes of the latest visit, store reading, re-tracking of the
plotted trials and rendering included, and prints the best wall time and peak
RSS (``os.wait4``) of ``--repeat`` runs, with the report's pages and size.

    python benchmarks/report_cost.py [--visits 2] [--repeat 3] [--dir DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analyze_process import NEW_SRC, run

BATTERY = """
name = "clinic6"
title = "Six conditions, both legs, three trials each"
source = "Poise's benchmark battery"
rest_s = 0
{conditions}
"""
CONDITION = """
[[conditions]]
drill = "{drill}"
eyes = "{eyes}"
surface = "{surface}"
trials = 3
metrics = {metrics}
score = "best"
settings = {{ {settings} }}
"""
CONDITIONS = (
    ("stance", "open", "firm", '["time_held_s", "sway_rms_deg"]', "stance_s = 30.0"),
    ("stance", "closed", "firm", '["time_held_s", "sway_rms_deg"]', "stance_s = 30.0"),
    ("stance", "open", "foam", '["sway_rms_deg"]', "stance_s = 30.0"),
    ("hop", "open", "firm", '["mean_tts_s", "mean_height_m"]', "hop_s = 8.0"),
    ("lunge", "open", "firm", '["max_inclination_deg"]', "lunge_reps = 3"),
    ("hip", "open", "firm", '["internal_rotation_deg", "external_rotation_deg"]', "hip_reps = 3"),
)
#: Quick sessions: one countdown beat, no rest, speech to no sound card.
SETTINGS = """
[train]
settle_s = 2.0
countdown = 1
rest_s = 0.0
[cues]
words_per_minute = 400
sink = "null"
"""


def make_visits(folder: Path, visits: int) -> Path:
    """A store with ``visits`` visits of the battery; its path."""
    (folder / "config" / "poise" / "batteries").mkdir(parents=True, exist_ok=True)
    conditions = "".join(CONDITION.format(drill=d, eyes=e, surface=s, metrics=m, settings=o)
                         for d, e, s, m, o in CONDITIONS)  # fmt: skip
    (folder / "config" / "poise" / "batteries" / "clinic6.toml").write_text(
        BATTERY.format(conditions=conditions)
    )
    (folder / "settings.toml").write_text(SETTINGS)
    store = folder / "poise.sqlite3"
    for seed in range(1, visits + 1):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "poise", "--config", str(folder / "settings.toml"),
             "battery", "run", "clinic6", "--athlete", "ana", "--involved", "left",
             "--store", str(store), "--seed", str(seed), "--fast", "--quiet"],
            env=environment(folder), check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        print(f"visit {seed}: 36 trials in {time.perf_counter() - started:.0f} s")
    return store


def environment(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(NEW_SRC),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "POISE_DATA_DIR": str(folder / "data"),
        "XDG_CACHE_HOME": str(folder / "cache"),
    }


def pages(pdf: Path) -> str:
    """The PDF's page count, as poppler's pdfinfo reads it ("?" without it)."""
    if shutil.which("pdfinfo") is None:
        return "?"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="keep the visits here (default: a temp folder)")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="poise-report-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "poise.sqlite3"
    if not store.exists():
        make_visits(folder, args.visits)
    os.environ.update(environment(folder))
    for kind in ("pdf", "html"):
        best_s, peak_mb = float("inf"), 0.0
        for n in range(args.repeat):
            out = folder / f"report-{n}.{kind}"
            out.unlink(missing_ok=True)
            wall_s, rss_mb = run(
                NEW_SRC, ["report", "--athlete", "ana", "--store", str(store), "-o", str(out)]
            )
            best_s, peak_mb = min(best_s, wall_s), max(peak_mb, rss_mb)
        size_kb = out.stat().st_size / 1024
        extra = f", {pages(out)} pages" if kind == "pdf" else ""
        print(
            f"poise report -o {kind}: {best_s:.2f} s (best of {args.repeat}), peak RSS "
            f"{peak_mb:.0f} MB, {size_kb:.0f} KB{extra}  [aim: < 3 s, < 150 MB]"
        )


if __name__ == "__main__":
    main()
