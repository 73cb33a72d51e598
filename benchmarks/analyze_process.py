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
import json
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
    return files


def make_store(folder: Path, tree: str, src: Path) -> Path:
    """A store with a short simulated session, so history has something to show; one per
    tree, made by that tree (an older Poise refuses a newer store's schema)."""
    home = folder / f"history-{tree}"  # a store keeps its recordings beside it
    home.mkdir(exist_ok=True)
    store = home / "history.sqlite3"
    if not store.exists():
        print(f"logging a short session for history ({tree}) ...", flush=True)
        config = folder / "short.toml"
        config.write_text("[sensor]\nrate_hz = 104.0\n[train]\nstance_s = 8.0\nrest_s = 0.0\n")
        subprocess.run(
            [sys.executable, "-m", "poise", "--config", str(config), "train", "stance",
             "--store", str(store), "--audio", "null", "--fast", "--quiet"],
            check=True, env={**os.environ, "PYTHONPATH": str(src)}, cwd=home,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    return store


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
    """(wall time s, peak RSS MB) of ``python -m poise ARGV`` with ``src`` first on the path.

    Python's bytecode cache is allowed, as on a user's machine (an installed package
    has it; some sandboxes turn it off with PYTHONDONTWRITEBYTECODE, which would time
    compiling every module on every start)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "poise", *argv], env=env, stdout=stdout)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"poise {' '.join(argv)} failed with status {child.returncode}")
    return wall, usage.ru_maxrss / 1024


def side_by_side(
    trees: list[Path], argv: list[str], repeat: int, stores: list[str] | None = None
) -> list[tuple[float, float]]:
    """(best wall time s, peak RSS MB) per tree, the trees' runs interleaved so a load that
    comes and goes on a shared machine falls on each alike. ``{store}`` in ``argv`` is
    each tree's own store."""
    runs: list[list[tuple[float, float]]] = [[] for _ in trees]
    for _ in range(repeat):
        for i, src in enumerate(trees):
            store = stores[i] if stores else ""
            if "-o" in argv:  # the output is created exclusively: the previous run's goes
                Path(argv[argv.index("-o") + 1]).unlink(missing_ok=True)
            runs[i].append(run(src, [a.replace("{store}", store) for a in argv]))
    return [(min(r[0] for r in rs), max(r[1] for r in rs)) for rs in runs]


#: The issue's aims (wall time s, peak RSS MB) for a command, where it sets one.
AIMS = {
    "poise --help": (0.3, None),
    "poise history": (0.3, None),
    "analyze stance 10 min": (2.0, 120.0),
    "analyze hop 10 min": (2.0, 120.0),
    "analyze stance 60 min": (None, 150.0),
    "analyze hop 60 min": (None, 150.0),
}


def aim_text(name: str, wall: float, rss: float) -> str:
    """The aims for ``name`` and whether the figures meet them."""
    wall_aim, rss_aim = AIMS.get(name, (None, None))
    parts = []
    if wall_aim is not None:
        parts.append(f"<= {wall_aim:g} s {'met' if wall <= wall_aim else 'MISSED'}")
    if rss_aim is not None:
        parts.append(f"<= {rss_aim:.0f} MB {'met' if rss <= rss_aim else 'MISSED'}")
    return ", ".join(parts)


def numbers(x: object, path: str = "") -> dict[str, float]:
    """Every number in a JSON value, by its path."""
    if isinstance(x, dict):
        return {k: v for key, item in x.items() for k, v in numbers(item, f"{path}.{key}").items()}
    if isinstance(x, list):
        return {k: v for i, item in enumerate(x) for k, v in numbers(item, f"{path}[{i}]").items()}
    if isinstance(x, bool) or not isinstance(x, int | float):
        return {}
    return {path: float(x)}


def compare(old: bytes, new: bytes) -> str:
    """How far the new result's figures are from the old one's: the largest relative
    difference over the figures both have, and how many only one has."""
    a, b = numbers(json.loads(old)), numbers(json.loads(new))
    common = sorted(set(a) & set(b))
    worst, where = 0.0, ""
    for key in common:
        diff = abs(a[key] - b[key]) / max(abs(a[key]), abs(b[key]), 1e-12)
        if diff > worst:
            worst, where = diff, key
    text = f"{len(common)} figures, largest relative difference {worst:.1e}"
    text += f" ({where})" if worst else ""
    only = len(set(a) ^ set(b))
    return text + (f"; {only} only in one" if only else "")


def output(src: Path, argv: list[str]) -> bytes:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [sys.executable, "-m", "poise", *argv], env=env, check=True, capture_output=True
    ).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new", type=Path, default=NEW_SRC, help="the tree measured (this one)")
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
        trees.append(("new", args.new.resolve()))
        srcs = [src for _, src in trees]
        angles_out = str(folder / "angles.csv")
        stores = [str(make_store(folder, tree, src)) for tree, src in trees]
        commands = [
            ("poise --help", ["--help"]),
            ("poise history", ["history", "--store", "{store}"]),
        ]
        for name, path in files.items():
            drill = name.split()[0]
            span = duration_s(path)
            commands += [
                (f"analyze {name}", ["analyze", str(path), "--drill", drill, "--json"], span),
                (f"inspect {name}", ["inspect", str(path)], span),
                (f"angles {name}", ["angles", str(path), "-o", angles_out], span),
            ]
        ratio = "  new/old: time, RSS" if args.old else ""
        header = f"{'command':28s}" + "".join(f"{t:>26s}" for t, _ in trees)
        print(f"{header}{ratio}   aim (new)", flush=True)
        for name, argv, *span in commands:
            cells = []
            figures = side_by_side(srcs, argv, args.repeat, stores)
            for wall, rss in figures:
                speed = f" {span[0] / wall:4.0f}x" if span else ""
                cells.append(f"{wall:6.2f} s{speed} {rss:6.0f} MB")
            line = f"{name:28s}" + "".join(f"{c:>26s}" for c in cells)
            if args.old:
                (old_wall, old_rss), (new_wall, new_rss) = figures
                line += f"  {new_wall / old_wall:8.2f} {new_rss / old_rss:5.2f}"
            print(f"{line}   {aim_text(name, *figures[-1])}", flush=True)
        if args.old:
            for name, path in files.items():
                drill = name.split()[0]
                argv = ["analyze", str(path), "--drill", drill, "--json"]
                print(f"analyze --json {name}, old against new: "
                      f"{compare(output(args.old, argv), output(args.new, argv))}")  # fmt: skip
        many = [str(p) for name, p in files.items() if "10 min" in name] * 4
        cores = os.cpu_count() or 1
        argv = ["analyze", *many, "--drill", "stance", "--json"]
        for tree, src in trees:
            one, _ = side_by_side([src], [*argv, "--jobs", "1"], 1)[0]
            all_, rss = side_by_side([src], [*argv, "--jobs", str(cores)], 1)[0]
            print(
                f"{tree}: analyze {len(many)} files of 10 min: --jobs 1 {one:.2f} s, --jobs "
                f"{cores} {all_:.2f} s: {one / all_:.2f}x faster (largest process {rss:.0f} MB)"
            )


if __name__ == "__main__":
    main()
