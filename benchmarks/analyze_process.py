"""``poise analyze``, ``inspect`` and ``angles`` as processes: wall time and peak memory.

Makes a 10-minute single-leg stance and hop series (MPU-6050 at 1 kHz, the
simulator, as ``poise simulate`` writes them) and 60-minute ones (the
10-minute recording tiled six times, times and sequence numbers continued,
through the project's writer), then runs each command as a child process and
prints its wall time (start-up and reading included; "x": times real time, the
recording's own duration over it) and peak RSS
(``os.wait4``'s ``ru_maxrss`` of that child). With ``--old SRC`` the same
commands run against another source tree in the same run (e.g. a worktree of
the previous commit) and its ``analyze --json`` output is compared with the
new one, byte for byte. Then ``analyze FILES... --jobs N`` against one job.

    python benchmarks/analyze_process.py [--old ../wt-base/src] [--dir DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NEW_SRC = Path(__file__).resolve().parents[1] / "src"


def make_files(folder: Path) -> dict[str, Path]:
    """The 10- and 60-minute recordings (made once; kept in ``folder``)."""
    env = {**os.environ, "PYTHONPATH": str(NEW_SRC)}
    files = {}
    for drill, params in (
        ("stance", ["--duration-s", "600", "--eyes", "closed", "--losses", "10"]),
        ("hop", ["--hops", "49"]),
    ):
        ten = folder / f"{drill}_10min.csv"
        if not ten.exists():
            print(f"simulating {ten.name} ...", flush=True)
            subprocess.run(
                [sys.executable, "-m", "poise", "simulate", drill, "-o", str(ten), "--rate",
                 "1000", "--imu", "mpu6050", "--seed", "1", *params],
                check=True, env=env, stdout=subprocess.DEVNULL,
            )  # fmt: skip
        sixty = folder / f"{drill}_60min.csv"
        if not sixty.exists():
            print(f"tiling {sixty.name} ...", flush=True)
            subprocess.run(
                [sys.executable, __file__, "--tile", str(ten), str(sixty)], check=True, env=env
            )
        files[f"{drill} 10 min"], files[f"{drill} 60 min"] = ten, sixty
    store = folder / "history.sqlite3"
    if not store.exists():  # a short simulated session, so history has something to show
        print("logging a short session for history ...", flush=True)
        config = folder / "short.toml"
        config.write_text("[sensor]\nrate_hz = 104.0\n[train]\nstance_s = 8.0\nrest_s = 0.0\n")
        subprocess.run(
            [sys.executable, "-m", "poise", "--config", str(config), "train", "stance",
             "--store", str(store), "--audio", "null", "--fast", "--quiet"],
            check=True, env=env, cwd=folder, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    return files


def tile(source: Path, target: Path, times: int = 6) -> None:
    """``source`` repeated ``times`` times end to end, as one valid Poise recording."""
    from poise.formats.poise_csv import RecordingReader, RecordingWriter
    from poise.samples import SampleBlock

    with RecordingReader(source) as reader:
        blocks = list(reader.blocks())
        meta = reader.meta
    n = sum(len(b) for b in blocks)
    period = 1.0 / meta.rate_hz
    span = blocks[-1].t_s[-1] - blocks[0].t_s[0] + period
    with RecordingWriter(target, meta) as writer:
        for k in range(times):
            for b in blocks:
                writer.write(SampleBlock(b.t_s + k * span, b.seq + k * n, b.acc_g, b.gyr_dps))


def duration_s(path: Path) -> float:
    """Time from the first to the last row of a Poise recording, s (its ends only read)."""
    with open(path, "rb") as f:
        head = f.read(1 << 16).decode()
        f.seek(max(0, path.stat().st_size - 4096))
        tail = f.read().decode()
    first = next(line for line in head.splitlines() if line[:1].isdigit())
    last = next(line for line in reversed(tail.splitlines()) if line[:1].isdigit())
    return float(last.split(",")[1]) - float(first.split(",")[1])


def run(src: Path, argv: list[str], stdout: int | None = subprocess.DEVNULL) -> tuple[float, float]:
    """(wall time s, peak RSS MB) of ``python -m poise ARGV`` with ``src`` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "poise", *argv], env=env, stdout=stdout)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"poise {' '.join(argv)} failed with status {child.returncode}")
    return wall, usage.ru_maxrss / 1024


def best(src: Path, argv: list[str], repeat: int) -> tuple[float, float]:
    runs = [run(src, argv) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def output(src: Path, argv: list[str]) -> bytes:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [sys.executable, "-m", "poise", *argv], env=env, check=True, capture_output=True
    ).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, help="another source tree to compare with")
    parser.add_argument("--dir", type=Path, help="keep the recordings here (default: temporary)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best wall time)")
    parser.add_argument("--tile", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tile:
        tile(*args.tile)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        files = make_files(folder)
        trees = [("old", args.old.resolve())] if args.old else []
        trees.append(("new", NEW_SRC))
        angles_out = str(folder / "angles.csv")
        store = str(folder / "history.sqlite3")
        commands = [("poise --help", ["--help"]), ("poise history", ["history", "--store", store])]
        for name, path in files.items():
            drill = name.split()[0]
            span = duration_s(path)
            commands += [
                (f"analyze {name}", ["analyze", str(path), "--drill", drill, "--json"], span),
                (f"inspect {name}", ["inspect", str(path)], span),
                (f"angles {name}", ["angles", str(path), "-o", angles_out], span),
            ]
        print(f"{'command':28s}" + "".join(f"{t:>26s}" for t, _ in trees), flush=True)
        for name, argv, *span in commands:
            cells = []
            for _, src in trees:
                wall, rss = best(src, argv, args.repeat)
                speed = f" {span[0] / wall:4.0f}x" if span else ""
                cells.append(f"{wall:6.2f} s{speed} {rss:6.0f} MB")
            print(f"{name:28s}" + "".join(f"{c:>26s}" for c in cells), flush=True)
        if args.old:
            for name, path in files.items():
                drill = name.split()[0]
                argv = ["analyze", str(path), "--drill", drill, "--json"]
                same = output(args.old, argv) == output(NEW_SRC, argv)
                print(
                    f"analyze --json {name}: old and new output {'identical' if same else 'DIFFER'}"
                )
        many = [str(p) for name, p in files.items() if "10 min" in name] * 4
        cores = os.cpu_count() or 1
        for drill in ("stance",):
            argv = ["analyze", *many, "--drill", drill, "--json"]
            one, _ = best(NEW_SRC, [*argv, "--jobs", "1"], 1)
            all_, rss = best(NEW_SRC, [*argv, "--jobs", str(cores)], 1)
            print(
                f"analyze {len(many)} files of 10 min: --jobs 1 {one:.2f} s, --jobs {cores} "
                f"{all_:.2f} s: {one / all_:.2f}x faster (largest process {rss:.0f} MB)"
            )


if __name__ == "__main__":
    main()
