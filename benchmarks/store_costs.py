"""What the progression store costs a session, and what a long history costs to read.

Prints, on a store in a temporary folder (so on this machine's disk, with
``synchronous=FULL``, one fsync per commit):

- the time to start and finish one trial (its 30 s recording at 416 Hz, about
  1.2 MB, hashed with SHA-256; a real stance result and its headline metrics),
  median and worst of ``--trials``;
- the time to open the store and build and format the history of ``--trials``
  trials, and to export it as CSV.

    python benchmarks/store_costs.py [--trials 500]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from poise.analysis import analyze
from poise.formats.poise_csv import write_recording
from poise.reports.history import export_csv, format_history, history
from poise.sim import SimResult, simulate
from poise.store import Store
from poise.store.headline import headline_metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=500)
    args = parser.parse_args()

    sim = simulate("stance", duration_s=30.0)
    folder = Path(tempfile.mkdtemp(prefix="poise-store-bench-"))
    try:
        run(args.trials, sim, folder)
    finally:
        shutil.rmtree(folder)


def run(trials: int, sim: SimResult, folder: Path) -> None:
    source = folder / "source.csv"
    write_recording(source, sim.recording.samples, sim.recording.meta)
    result = analyze(sim.recording, "stance")
    metrics = headline_metrics(result)
    raw = source.read_bytes()

    path = folder / "poise.sqlite3"
    costs_s = []
    with Store.open(path) as store:
        for n in range(trials):
            day = f"2025-{1 + n // 200 % 12:02d}-{1 + n % 28:02d}T09:00:00Z"
            leg = ("left", "right")[n % 2]
            session = store.start_session("Ana", {"kind": "sim"}, {}, started_utc=day)
            trial = store.start_trial(session, "stance", leg, "open", "firm", 1, started_utc=day)
            trial.recording_path.write_bytes(raw)
            start = time.perf_counter()
            store.finish_trial(trial.id, "complete", result, metrics)
            costs_s.append(time.perf_counter() - start)
            store.end_session(session)

    start = time.perf_counter()
    with Store.open(path) as store:
        text = format_history(history(store))
    history_s = time.perf_counter() - start
    start = time.perf_counter()
    with Store.open(path) as store:
        rows = export_csv(store, folder / "history.csv")
    export_s = time.perf_counter() - start

    print(f"recording {len(raw) / 1e6:.2f} MB, result {len(str(result))} characters")
    print(
        f"finish_trial (hash + one FULL-sync transaction): median "
        f"{statistics.median(costs_s) * 1000:.1f} ms, worst {max(costs_s) * 1000:.1f} ms "
        f"over {trials} trials"
    )
    print(f"history of {trials} trials: {history_s * 1000:.0f} ms ({len(text)} characters)")
    print(f"CSV export: {export_s * 1000:.0f} ms ({rows} rows)")
    print(f"store size: {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
