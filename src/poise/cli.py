"""The ``poise`` command.

Every mistake in the input prints one line, ``poise: <what and where>``, and
exits with status 2; only a bug in Poise prints a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import json
import math
import sys
import typing
from collections.abc import Callable, Collection
from typing import Any, NoReturn

from poise import __version__
from poise.athletes.commands import add_athlete_commands
from poise.errors import PoiseError
from poise.files import writing
from poise.norms.commands import add_norms_commands
from poise.reports.commands import add_report_command
from poise.store.commands import add_store_commands

EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = _parser({a for a in argv if a in COMMANDS})
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 0
    try:
        return args.run(args) or 0
    except PoiseError as e:
        print(f"poise: {e}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        # A file within the size limit can still be more than this machine holds.
        print(
            "poise: out of memory: the input is too large for this machine; split it",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into a program that stopped reading (head, less): not an error.
        sys.stderr.close()
        return 0


# -- commands ----------------------------------------------------------------------


def _cmd_simulate(args: argparse.Namespace) -> int:
    from poise.sim import simulate

    params = {
        name: getattr(args, name)
        for name in args.scenario_fields
        if getattr(args, name) is not None
    }
    result = _checked(
        lambda: simulate(
            args.scenario,
            rate_hz=args.rate,
            seed=args.seed,
            imu=args.imu,
            acc_range_g=args.acc_range,
            gyr_range_dps=args.gyr_range,
            mounting=args.mounting,
            worn=args.worn,
            misalignment_deg=args.misalignment,
            gyr_bias_dps=args.gyro_bias,
            drop_probability=args.drop_probability,
            ideal=args.ideal,
            **params,
        ),
        (*OPTION_NAMES, "seed", "drop_probability", *args.scenario_fields),
    )
    written = writing(args.output, lambda: result.write(args.output, series=args.truth_series))
    samples = result.recording.samples
    print(
        f"wrote {written[0]} ({len(samples)} samples, {samples.duration_s:.1f} s at "
        f"{result.recording.meta.rate_hz:g} Hz) and {', '.join(str(p) for p in written[1:])}"
    )
    return 0


def _cmd_inspect(args: argparse.Namespace) -> int:
    from poise.inspect import format_inspection, inspect_stream

    with _load(args, stream=True) as stream:
        report = inspect_stream(stream, _settings(args).still)
    print(json.dumps(report, indent=2) if args.json else format_inspection(report))
    return 0


def _cmd_angles(args: argparse.Namespace) -> int:
    import numpy as np

    from poise.motion.angles import flag_counts
    from poise.motion.tilt import track_tilt

    settings = _settings(args)
    accel_cal = _accel_calibration(args.accel_cal) if args.accel_cal else None
    if not args.json:
        return _angles_rows(args, settings, accel_cal)
    recording = _load(args)
    tilt, calibration = track_tilt(recording, settings.tilt, accel_cal)
    ap, ml, inc = tilt.angles()

    def series(x: np.ndarray) -> list[float | None]:
        return [None if not np.isfinite(v) else round(v, 4) for v in x.tolist()]

    text = (
        json.dumps(
            {
                "file": recording.path,
                "calibration": calibration.to_dict(),
                "accel_calibration": accel_cal.to_dict() if accel_cal else None,
                "ahrs_flags": flag_counts(tilt.flags),
                "problems": recording.health().problems(),
                "t_s": [round(t, 6) for t in tilt.t_s.tolist()],
                "seq": tilt.seq.tolist(),
                "tilt_ap_deg": series(ap),
                "tilt_ml_deg": series(ml),
                "inclination_deg": series(inc),
                "flags": tilt.flags.tolist(),
            }
        )
        + "\n"
    )
    if args.output:
        from poise.files import atomic_write_text

        writing(args.output, lambda: atomic_write_text(args.output, text))
    else:
        sys.stdout.write(text)
    if not calibration.found and len(tilt):
        print(
            f"poise: {recording.path}: no still reference period in the first "
            f"{settings.calibration.search_s:g} s; angles are uncalibrated (flag 16)",
            file=sys.stderr,
        )
    return 0


def _angles_rows(args: argparse.Namespace, settings: Any, accel_cal: Any) -> int:
    """``angles`` as CSV, written as the file is read: memory independent of its length.

    With ``-o`` OUT is created new (an existing file is refused, never replaced)
    and removed again if the command fails, so no partial file is left.
    """
    import itertools
    import os
    from pathlib import Path

    import numpy as np

    from poise.motion.tilt import tracker_for

    def rows(piece: Any) -> str:
        ap, ml, inc = piece.angles()
        table = np.column_stack((piece.t_s, piece.seq, ap, ml, inc, piece.flags)).tolist()
        return "".join("%.6f,%d,%.4f,%.4f,%.4f,%d\n" % tuple(row) for row in table)

    def run(out: Any) -> tuple[Any, int, Any]:
        with _load(args, stream=True) as stream:
            tracker = tracker_for(stream.meta, settings.tilt, accel_cal)
            out.write("t_s,seq,tilt_ap_deg,tilt_ml_deg,inclination_deg,flags\n")
            count = 0
            for block in itertools.chain(stream.blocks(), [None]):
                piece = tracker.finish() if block is None else tracker.update(block)
                out.write(rows(piece))
                count += len(piece)
            return tracker.calibration, count, stream.path

    if not args.output:
        calibration, count, path = run(sys.stdout)
    else:
        from poise.files import create_exclusive

        target = Path(args.output)
        fd = writing(args.output, lambda: create_exclusive(target))  # never over another file
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
                calibration, count, path = run(out)
                writing(args.output, lambda: (out.flush(), os.fsync(out.fileno())))
        except BaseException:
            target.unlink(missing_ok=True)  # ours, made above: a failure leaves no partial file
            raise
    if not calibration.found and count:
        print(
            f"poise: {path}: no still reference period in the first "
            f"{settings.calibration.search_s:g} s; angles are uncalibrated (flag 16)",
            file=sys.stderr,
        )
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    from poise.analysis.report import format_analysis

    files = args.file
    if args.jobs < 0:
        raise PoiseError(f"--jobs must be 0 (one per core) or more, not {args.jobs}")
    if len(files) == 1:
        result = _analysis(args, files[0])
        print(json.dumps(result) if args.json else format_analysis(result))
        return 0
    # Many files: one line (or JSON object) each, in the order given; a file that
    # cannot be scored is named on stderr and skipped.
    import os

    jobs = min(args.jobs or os.cpu_count() or 1, len(files))
    work = [(args, path) for path in files]
    failed = 0
    if jobs == 1:
        lines = map(_analyze_line, work)
    else:
        import multiprocessing

        pool = multiprocessing.get_context("spawn" if os.name != "posix" else "fork").Pool(jobs)
        lines = pool.imap(_analyze_line, work)
    try:
        for ok, line in lines:
            print(line, file=sys.stdout if ok else sys.stderr, flush=True)
            failed += not ok
    finally:
        if jobs > 1:
            pool.terminate()
    return EXIT_USAGE if failed else 0


def _analyze_line(job: tuple[argparse.Namespace, str]) -> tuple[bool, str]:
    """One file of ``analyze FILES...``: (True, its line) or (False, the error's line)."""
    args, path = job
    try:
        result = _analysis(args, path)
    except PoiseError as e:
        return False, f"poise: {e}"
    if args.json:
        return True, json.dumps(result)
    from poise.drills import DRILLS
    from poise.drills.precision import plain
    from poise.store.headline import headline_metrics

    drill = DRILLS[result["drill"]]
    figures = ", ".join(
        f"{name} {plain(value) if (r := drill.resolution(name)) is None else r.text(value)}"
        for name, value in headline_metrics(result).items()
    )
    return True, f"{result['file']}: {result['drill']}, {figures}"


def _cmd_symmetry(args: argparse.Namespace) -> int:
    from poise.drills import compare_limbs
    from poise.reports.symmetry import format_symmetry

    left, right = _analysis(args, args.left, "left"), _analysis(args, args.right, "right")
    comparison = compare_limbs(left, right, args.involved)
    print(json.dumps(comparison) if args.json else format_symmetry(comparison))
    return 0


def _analysis(args: argparse.Namespace, path: str, leg: str | None = None) -> dict[str, Any]:
    """``analyze`` of one file with the command's options.

    A ``leg`` given (``symmetry``'s LEFT or RIGHT) stands for the placement of a
    file that does not say where it was worn.
    """
    from poise.analysis import analyze, drill_named, drill_options

    _check_span(args.start, args.end)
    # The drill's own options, where the command has them (symmetry has none).
    drill = drill_named(args.drill)
    names = [f.name for f in dataclasses.fields(drill.options)]
    options = {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}
    _checked(lambda: drill_options(drill, **options), names)
    settings = _settings(args)
    accel_cal = _accel_calibration(args.accel_cal) if args.accel_cal else None
    # Read as it is tracked: only the columns the drill reads are held, never the file.
    with _load(args, path, stream=True) as stream:
        if leg is not None and stream.meta.placement == "unknown":
            stream.meta = dataclasses.replace(stream.meta, placement=f"{leg}_shank")
        return analyze(
            stream,
            args.drill,
            settings=settings.tilt,
            accel_calibration=accel_cal,
            start_s=args.start,
            end_s=args.end,
            **options,
        )


def _cmd_calibrate_accel(args: argparse.Namespace) -> int:
    from poise.files import atomic_write_text
    from poise.motion.accel_calibration import (
        CalibrationDataError,
        find_poses,
        fit_accel_calibration,
    )

    recording = _load(args)
    from poise.health import masked  # a bad sample is no pose

    poses = find_poses(masked(recording.samples), recording.meta.rate_hz, _settings(args).still)
    try:
        cal = fit_accel_calibration(poses)
    except CalibrationDataError as e:
        raise PoiseError(f"{recording.path}: {e}") from None
    document = {"sensor_model": recording.meta.sensor_model, "accelerometer": cal.to_dict()}
    writing(
        args.output, lambda: atomic_write_text(args.output, json.dumps(document, indent=2) + "\n")
    )
    offsets = ", ".join(f"{x * 1000:+.1f}" for x in cal.offset_g)
    scales = ", ".join(f"{(x - 1) * 100:+.2f}" for x in cal.scale)
    print(
        f"wrote {args.output}: {cal.poses} poses, offsets ({offsets}) mg, "
        f"scale errors ({scales}) %, fit residual {cal.residual_g * 1000:.2f} mg"
    )
    return 0


def _cmd_config(args: argparse.Namespace) -> int:
    from poise.settings import Settings, render_settings

    settings = Settings() if args.defaults else _settings(args)
    sys.stdout.write(render_settings(settings))
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from poise.live.launch import Launch, run_session
    from poise.sources import parse_source

    plan = _session_plan(args, args.leg)
    spec = parse_source(args.sensor or _settings(args).sensor.source)
    launch = Launch(
        sensor=str(spec),
        recording=_load(args, spec.target) if spec.kind == "replay" else None,
        audio=args.audio,
        feedback=args.feedback,
        realtime=args.realtime,
        seed=args.seed,
        store=args.store,
        quiet=args.quiet,
        capture=args.capture,
        worn=args.sim_worn,
    )
    outcomes = run_session(plan, launch, _train_settings(args))
    return 0 if outcomes and all(o.status == "complete" for o in outcomes) else 1


def _cmd_replay(args: argparse.Namespace) -> int:
    from poise.live.launch import Launch, run_session

    recording = _span(_load(args), args.start, args.end)
    placement = recording.meta.placement
    leg = args.leg or (placement.split("_")[0] if placement.endswith("_shank") else None)
    if args.drill == "board":
        leg = "board"
    if leg is None:
        raise PoiseError(f"{args.file}: the recording does not say which leg; give --leg")
    plan = dataclasses.replace(_session_plan(args, leg, trials=1), guided=args.guided)
    launch = Launch(
        sensor=f"replay:{args.file}",
        audio=f"wav:{args.audio}" if args.audio else "null",
        feedback=args.feedback,
        realtime=args.realtime,
        store="",
        quiet=args.quiet or args.json,
        recording=recording,
    )
    outcomes = run_session(plan, launch, _train_settings(args))
    if args.json:
        # The file replayed, not the scratch copy the session scored (gone by now).
        results = [o.result and {**o.result, "file": args.file} for o in outcomes]
        print(json.dumps(results))
    return 0


def _span(recording: Any, start_s: float | None, end_s: float | None) -> Any:
    """The samples of ``recording`` from ``start_s`` to ``end_s`` (device time, s)."""
    import numpy as np

    if start_s is None and end_s is None:
        return recording
    _check_span(start_s, end_s)
    where = recording.path or "recording"
    t = recording.samples.t_s
    lo = -math.inf if start_s is None else start_s
    hi = math.inf if end_s is None else end_s
    inside = (t >= lo) & (t <= hi)
    if not inside.any():
        finite = t[np.isfinite(t)]
        runs = f"{finite.min():g} to {finite.max():g} s" if finite.size else "no valid times"
        raise PoiseError(f"{where}: no samples between {lo:g} and {hi:g} s (it runs {runs})")
    return dataclasses.replace(recording, samples=recording.samples[inside])


def _check_span(start_s: float | None, end_s: float | None) -> None:
    """Refuse a ``--start``/``--end`` that is not a finite time, or an empty span."""
    for option, value in (("--start", start_s), ("--end", end_s)):
        if value is not None and not math.isfinite(value):
            raise PoiseError(f"{option} must be a number of seconds, not {value:g}")
    if start_s is not None and end_s is not None and start_s >= end_s:
        raise PoiseError(f"--start ({start_s:g} s) must be before --end ({end_s:g} s)")


def _cmd_history(args: argparse.Namespace) -> int:
    from poise.reports.history import Filters, run_history

    store = args.store or _settings(args).store.store_path()
    filters = Filters(args.drill, args.since, args.until)
    print(run_history(store, args.athlete, args.csv, as_json=args.json, filters=filters))
    return 0


def _history_drill(name: str) -> str:
    """A drill of the registry, looked up only when ``--drill`` is given (the parser of
    ``poise history`` does not load the drills)."""
    from poise.drills import DRILLS

    if name not in DRILLS:
        raise argparse.ArgumentTypeError(f"{name!r} is not a drill ({', '.join(DRILLS)})")
    return name


def _iso_date(text: str) -> str:
    """An ISO date, ``YYYY-MM-DD``, as given."""
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be an ISO date (YYYY-MM-DD), not {text!r}"
        ) from None


def _cmd_sensors(args: argparse.Namespace) -> int:
    from poise.sources.nodes import list_nodes

    settings = _settings(args)
    print(f"IMUs on I2C buses {', '.join(map(str, args.bus))}:")
    found = _scan_i2c(args.bus)
    for imu in found:
        spec = f"i2c:{imu.bus}:{imu.address:#04x}"
        print(f"  {imu}\n    {_live_health(spec, settings, args.health)}")
    if not found:
        print("  none found")
    print("sensor nodes on serial ports:")
    nodes = list_nodes(settings.serial.baudrate, timeout_s=args.timeout)
    for n in nodes:
        h = n.hello
        print(
            f"  {n.port} ({n.description}): {h.sensor_model} at {h.odr_hz:g} Hz, "
            f"+-{h.acc_range_g} g, +-{h.gyr_range_dps} deg/s, firmware {h.firmware}\n"
            f"    {_live_health(f'serial:{n.port}', settings, args.health)}"
        )
    if not nodes:
        print("  none answering")
    return 0


def _scan_i2c(buses: list[int]) -> list[Any]:
    from poise.sources.i2c import scan_i2c

    return scan_i2c(buses)


def _live_health(spec: str, settings: Any, seconds: float) -> str:
    """Stream a sensor for ``seconds``: what arrived and its health counters, one line."""
    import time

    from poise.sources import open_source

    if seconds <= 0:
        return "health: not checked (--health 0)"
    try:
        with contextlib.closing(open_source(spec, settings)) as source:
            samples, end = 0, time.monotonic() + seconds
            for block in source.blocks():
                samples += len(block)
                if time.monotonic() >= end:
                    break
            per_s = samples / seconds
            health = source.stats.summary()
            return f"health over {seconds:g} s: {samples} samples ({per_s:.0f}/s); {health}"
    except PoiseError as e:
        return f"health: {e}"


def _cmd_firmware_install(args: argparse.Namespace) -> int:
    from poise.sources.nodes import install_firmware

    for line in install_firmware(args.port):
        print(line)
    return 0


def _cmd_record(args: argparse.Namespace) -> int:
    from poise.live.record import record

    settings = _settings(args)
    return record(args.sensor, args.output, settings, args.seconds, args.capture)


def _session_plan(args: argparse.Namespace, leg: str, trials: int | None = None) -> Any:
    from poise.live.session import SessionPlan

    legs = {"both": ("right", "left"), "board": ("board",)}.get(leg, (leg,))
    if args.drill == "board":
        legs = ("board",)
    elif "board" in legs:
        raise PoiseError(f"--leg board is for the board drill, not {args.drill}")
    return _checked(
        lambda: SessionPlan(
            args.drill,
            legs,
            args.eyes,
            args.surface,
            trials or args.trials,
            args.athlete,
        ),
        ("trials", "athlete"),
    )


def _train_settings(args: argparse.Namespace) -> Any:
    """The settings, with the command's --rest and --on-loss over the file's."""
    settings = _settings(args)
    changes = {
        name: getattr(args, name)
        for name in ("rest_s", "on_loss", "find_mounting")
        if getattr(args, name, None) is not None
    }
    if not changes:
        return settings
    train = _checked(lambda: dataclasses.replace(settings.train, **changes), ("rest_s",))
    return dataclasses.replace(settings, train=train)


# -- helpers -----------------------------------------------------------------------


def _settings(args: argparse.Namespace) -> Any:
    from poise.settings import load_settings

    # A session refuses a setting it does not know (a mistyped key would silently
    # change a trial); any other command says so in one line and goes on.
    session = args.run in (_cmd_train, _cmd_replay, _cmd_record, _cmd_battery_run)
    return load_settings(args.config, None if session else _warn)


def _warn(message: str) -> None:
    print(f"poise: warning: {message}", file=sys.stderr)


def _seed(text: str) -> int:
    """A simulator seed: a whole number of at least 0 (checked before anything is written)."""
    try:
        seed = int(text)
    except ValueError:
        seed = -1
    if seed < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 0, not {text!r}")
    return seed


#: How a scenario parameter's value is shown in the help, by its type.
METAVARS = {int: "N", float: "X", str: "WORD", bool: "BOOL"}

#: Parameter names as the command line spells them, where they differ.
OPTION_NAMES = {
    "rate_hz": "--rate",
    "acc_range_g": "--acc-range",
    "gyr_range_dps": "--gyr-range",
    "misalignment_deg": "--misalignment",
    "gyr_bias_dps": "--gyro-bias",
    "max_tilt_deg": "--max-tilt",
    "zone_deg": "--zone",
    "rest_s": "--rest",
}


def _checked(work: typing.Callable[[], Any], parameters: typing.Iterable[str] = ()) -> Any:
    """Run ``work``, turning a ValueError about a parameter into a one-line error.

    A message that starts with one of ``parameters`` gets the option's spelling:
    ``duration_s must be ...`` becomes ``--duration-s must be ...``.
    """
    try:
        return work()
    except ValueError as e:
        message = str(e)
        name = message.split(" ", 1)[0]
        if name in parameters:
            message = OPTION_NAMES.get(name, "--" + name.replace("_", "-")) + message[len(name) :]
        raise PoiseError(message) from None


def _load(args: argparse.Namespace, path: str | None = None, stream: bool = False) -> Any:
    """The recording at ``path`` (the command's FILE by default), read with its CSV options
    (``stream``: opened to be read block by block, :func:`poise.formats.stream_recording`)."""
    from poise.formats import CsvOptions, load_recording, stream_recording

    options = _checked(
        lambda: CsvOptions(
            skip_rows=args.skip_rows,
            delimiter=args.delimiter,
            time_column=args.time_column,
            time_unit=args.time_unit,
            index_column=args.index_column,
            rate_hz=args.rate,
            acc_columns=_three(args.acc_columns, "--acc-columns"),
            gyr_columns=_three(args.gyr_columns, "--gyr-columns"),
            acc_unit=args.acc_unit,
            gyr_unit=args.gyr_unit,
            sensor_model=args.sensor_model,
            placement=args.placement,
            acc_range_g=args.acc_range,
            gyr_range_dps=args.gyr_range,
        ),
        ("skip_rows", "delimiter", "rate_hz", "acc_range_g", "gyr_range_dps"),
    )
    read = stream_recording if stream else load_recording
    loaded = read(path or args.file, None if options == CsvOptions() else options)
    return _declared(args, loaded)


def _declared(args: argparse.Namespace, loaded: Any) -> Any:
    """A recording (or stream) with the mounting that wins: --mounting, else its
    header's, else the settings file's (:func:`poise.motion.mounting.resolve_mounting`)."""
    from poise.motion.mounting import resolve_mounting
    from poise.recording import Recording
    from poise.settings import declared_mounting

    config = None if args.mounting else declared_mounting(args.config)
    meta, origin = _checked(
        lambda: resolve_mounting(loaded.meta, loaded.mounting_from, args.mounting, config),
        ("mounting",),
    )
    if isinstance(loaded, Recording):
        return dataclasses.replace(loaded, meta=meta, mounting_from=origin)
    loaded.meta, loaded.mounting_from = meta, origin
    return loaded


def _three(text: str | None, option: str) -> tuple[str, str, str] | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 3 or not all(parts):
        raise PoiseError(f"{option}: give three column names or numbers separated by commas")
    return parts[0], parts[1], parts[2]


def _accel_calibration(path: str) -> Any:
    from poise.files import read_text
    from poise.motion.accel_calibration import AccelCalibration

    try:
        document = json.loads(read_text(path))
        return AccelCalibration.from_dict(document["accelerometer"])
    except json.JSONDecodeError as e:
        raise PoiseError(f"{path}:{e.lineno}: not valid JSON: {e.msg}") from None
    except (KeyError, TypeError):
        raise PoiseError(f"{path}: no 'accelerometer' calibration in it") from None
    except ValueError as e:
        raise PoiseError(f"{path}: {e}") from None


# -- parser ------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, with a mistake said in one line (the usage is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        # "argument --seed: must be ..." reads as "--seed must be ...", like Poise's own.
        if message.startswith("argument ") and ": " in message:
            option, _, reason = message.removeprefix("argument ").partition(": ")
            message = f"{option.split('/')[-1]} {reason}"
        self.exit(EXIT_USAGE, f"poise: {message} (see {self.prog} --help)\n")


#: Every command, as typed. The parser builds the arguments of those named (all by
#: default): the others' need the drills, the simulator and NumPy, which ``poise
#: --help`` and ``poise history`` have no use for.
COMMANDS = (
    "simulate", "inspect", "angles", "analyze", "symmetry", "train", "replay", "history",
    "store", "battery", "norms", "report", "athlete", "trial", "sensors", "firmware",
    "record", "calibrate-accel", "config",
)  # fmt: skip


def _parser(named: Collection[str] = COMMANDS) -> argparse.ArgumentParser:
    """The command line: the arguments of the commands ``named`` in full, of the others
    only their names and help, so that building it imports only what is asked for."""
    parser = _Parser(
        prog="poise",
        description="Poise: a sensor-driven balance trainer (single-leg stance, hop landings, "
        "ankle range) from a shin or wobble-board IMU.",
    )
    parser.add_argument("--version", action="version", version=f"poise {__version__}")
    parser.add_argument("--config", metavar="FILE", help="settings file (TOML); see `poise config`")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def full(name: str) -> bool:
        return name in named

    _add_simulate(commands, full)

    inspect = commands.add_parser(
        "inspect",
        help="describe a recording: duration, rate, gaps, ranges, saturation, stillness",
    )
    _add_file_options(inspect)
    inspect.add_argument("--json", action="store_true", help="one JSON object instead of text")
    inspect.set_defaults(run=_cmd_inspect)

    angles = commands.add_parser(
        "angles",
        help="calibrated tilt of every sample (CSV, or --json)",
        description="Calibrate on the first still period and estimate the segment's AP tilt, ML "
        "tilt and inclination for every sample, with the AHRS flags (1 start-up, 2 angular-rate "
        "recovery, 4 acceleration recovery, 8 accelerometer ignored, 16 uncalibrated).",
    )
    _add_file_options(angles)
    angles.add_argument("--json", action="store_true", help="one JSON object instead of CSV")
    angles.add_argument("-o", "--output", metavar="OUT", help="write to a file instead of stdout")
    _add_accel_cal(angles)
    angles.set_defaults(run=_cmd_angles)

    for name, build, help_text, description in _BUILT_WHEN_TYPED:
        _command(commands, full, name, build, help=help_text, description=description)
    _add_history(commands)
    add_store_commands(commands)
    _add_battery(commands)
    add_report_command(commands)
    add_norms_commands(commands)
    add_athlete_commands(commands)
    _add_hardware(commands)

    cal = commands.add_parser(
        "calibrate-accel",
        help="fit accelerometer offsets and scales from still poses",
        description="Fit the accelerometer's zero-g offset and scale per axis from a recording of "
        "the sensor laid still in at least six orientations (each axis up and down).",
    )
    _add_file_options(cal)
    cal.add_argument("-o", "--output", metavar="CAL.json", required=True)
    cal.set_defaults(run=_cmd_calibrate_accel)

    config = commands.add_parser("config", help="print the settings in effect (TOML)")
    config.add_argument("--defaults", action="store_true", help="print the built-in defaults")
    config.set_defaults(run=_cmd_config)
    return parser


def _command(
    commands: Any,
    full: Callable[[str], bool],
    name: str,
    build: Callable[[argparse.ArgumentParser], None],
    **text: str,
) -> None:
    """Command ``name`` with its help ``text``; its arguments built by ``build`` only if
    it is to be parsed (``full``), since building them imports what it runs on."""
    sub = commands.add_parser(name, **text)
    if full(name):
        build(sub)


def _add_train_arguments(train: argparse.ArgumentParser) -> None:
    from poise.drills import LIVE

    train.add_argument("drill", choices=tuple(LIVE))
    train.add_argument(
        "--leg", choices=("left", "right", "both"), default="both", help="(default: both)"
    )
    train.add_argument("--trials", type=int, default=1, metavar="N", help="per leg (1)")
    train.add_argument("--athlete", default="athlete", metavar="NAME", help="whose log")
    _add_sensor_arguments(train, "sim, replay:FILE, serial:PORT")
    train.add_argument(
        "--find-mounting",
        action="store_true",
        default=None,
        help="before each leg, find how the sensor sits: stand still, bend the knee forward "
        "twice (the settings' [train] find_mounting; not on the board)",
    )
    train.add_argument(
        "--sim-worn",
        choices=("front", "lateral", "upside_down"),
        help="the simulator's athlete wears the sensor so, whatever [sensor] mounting says",
    )
    train.add_argument(
        "--capture", metavar="FILE", help="serial: also keep the link's raw bytes (append)"
    )
    _add_session_options(train)
    _add_csv_options(train, "for --sensor replay:FILE when FILE is not a Poise recording")
    train.set_defaults(run=_cmd_train)


def _add_replay_arguments(replay: argparse.ArgumentParser) -> None:
    from poise.drills import LIVE

    _add_file_options(replay)
    replay.add_argument("--drill", required=True, choices=tuple(LIVE))
    replay.add_argument(
        "--leg", choices=("left", "right"), help="the leg, if the recording does not say"
    )
    replay.add_argument("--audio", metavar="OUT.wav", help="write what would have been heard")
    replay.add_argument("--json", action="store_true", help="print the result as JSON")
    replay.add_argument("--start", type=float, metavar="S", help="replay from this time, s")
    replay.add_argument("--end", type=float, metavar="S", help="replay up to this time, s")
    replay.add_argument(
        "--no-intro",
        dest="guided",
        action="store_false",
        help="no guided intro, still period or countdown: score the recording (or the "
        "--start/--end span) as it is, from its first sample to its last",
    )
    replay.set_defaults(athlete="replay", trials=1)
    _add_session_options(replay, rest=False)
    replay.set_defaults(run=_cmd_replay)


def _add_battery(commands: Any) -> None:
    battery = commands.add_parser(
        "battery",
        help="the standard test batteries: list them, show one, run one as a visit",
        description="Test batteries as data (config/batteries, and a clinic's own in "
        "~/.config/poise/batteries): each names its drills, conditions, legs, trials, what "
        "counts as the score, and the published source of the protocol.",
    )
    actions = battery.add_subparsers(title="actions", metavar="ACTION", required=True)
    actions.add_parser("list", help="every battery: name, title").set_defaults(
        run=_cmd_battery_list
    )
    show = actions.add_parser("show", help="a battery's source and conditions")
    show.add_argument("name", metavar="NAME")
    show.set_defaults(run=_cmd_battery_show)
    run = actions.add_parser(
        "run",
        help="run a battery as a visit, guided, with audio; resumed if interrupted",
        description="Run every condition of the battery on each leg in turn, guided and "
        "spoken, as one visit of the athlete, logged in the store. Given again after an "
        "interruption, it goes on with the open visit from what is missing. Keys: "
        "space/Enter start (skip the rest), s stop the trial, q quit (the visit stays open).",
    )
    run.add_argument("name", metavar="NAME")
    run.add_argument("--athlete", required=True, metavar="NAME", help="whose visit")
    run.add_argument(
        "--involved",
        choices=("left", "right"),
        help="the injured or operated side, if any (default: the athlete's profile's; "
        "given, it goes into a profile that names none)",
    )
    _add_sensor_arguments(run, "sim, serial:PORT")
    run.add_argument("--json", action="store_true", help="print the visit as JSON at the end")
    _add_output_options(run)
    run.set_defaults(run=_cmd_battery_run)


def _cmd_battery_list(args: argparse.Namespace) -> int:
    from poise.batteries import batteries, heading

    for b in batteries().values():
        print(heading(b))
    return 0


def _cmd_battery_show(args: argparse.Namespace) -> int:
    from poise.batteries import battery, describe

    print(describe(battery(args.name)))
    return 0


def _cmd_battery_run(args: argparse.Namespace) -> int:
    from poise.batteries import battery
    from poise.live.launch import Launch
    from poise.live.visit import run_visit
    from poise.names import athlete_name
    from poise.reports.visit import format_visit, visit_dict
    from poise.sources import parse_source

    chosen = battery(args.name)
    athlete = _checked(lambda: athlete_name(args.athlete), ("athlete",))
    settings = _settings(args)
    spec = parse_source(args.sensor or settings.sensor.source)
    if spec.kind == "replay":
        raise PoiseError("a visit runs on a sensor or the simulator, not on a recording")
    launch = Launch(
        sensor=str(spec),
        audio=args.audio,
        feedback=args.feedback,
        realtime=args.realtime,
        seed=args.seed,
        store=args.store,
        quiet=args.quiet or args.json,
    )
    ran = run_visit(chosen, athlete, args.involved, launch, settings)
    if args.json:
        print(json.dumps(visit_dict(ran.battery, ran.visit, ran.done)))
    elif not args.quiet:
        print(format_visit(ran.battery, ran.visit, ran.done))
        if not ran.whole:
            print(
                f"the visit stays open: `poise battery run {chosen.name} --athlete ...` again "
                "goes on from what is missing"
            )
    return 0 if ran.whole else 1


def _add_hardware(commands: Any) -> None:
    sensors = commands.add_parser(
        "sensors",
        help="list the IMUs on the I2C buses and the sensor nodes on serial ports",
        description="Scan the I2C buses for known IMUs (WHO_AM_I) and ask every serial port "
        "for a Poise node's hello (model, rate, ranges, firmware).",
    )
    sensors.add_argument("--bus", type=int, nargs="+", default=[1], help="I2C buses (1)")
    sensors.add_argument(
        "--timeout", type=float, default=0.5, metavar="S", help="per serial port (0.5)"
    )
    sensors.add_argument(
        "--health",
        type=float,
        default=1.0,
        metavar="S",
        help="stream each sensor found this long and show its health (1; 0: skip)",
    )
    sensors.set_defaults(run=_cmd_sensors)

    firmware = commands.add_parser("firmware", help="the sensor node's firmware")
    actions = firmware.add_subparsers(title="actions", metavar="ACTION", required=True)
    install = actions.add_parser(
        "install", help="copy firmware/ to a Pico on PORT with mpremote, then reset it"
    )
    install.add_argument("port", metavar="PORT", help="e.g. /dev/ttyACM0")
    install.set_defaults(run=_cmd_firmware_install)

    record = commands.add_parser(
        "record",
        help="record a live sensor (or a capture) to a Poise recording",
        description="Stream a sensor to a crash-safe Poise recording until Ctrl-C or "
        "--seconds; the link's health is printed at the end.",
    )
    record.add_argument(
        "--sensor",
        required=True,
        help="serial:PORT, i2c[:BUS[:ADDRESS]] or capture:FILE (sim and replay:FILE too, "
        "as any source)",
    )
    record.add_argument("-o", "--output", required=True, metavar="FILE")
    record.add_argument("--seconds", type=float, metavar="S", help="stop after this long")
    record.add_argument("--capture", metavar="FILE", help="serial: also keep the raw bytes")
    record.set_defaults(run=_cmd_record)


def _add_history(commands: Any) -> None:
    history = commands.add_parser(
        "history",
        help="progress over visits and trials: scores, change, trend, left against right",
        description="The progression log: per athlete, each battery's visits compared (each "
        "condition's score per leg, the change from the previous visit and from the baseline, "
        "the trend, the LSI of the latest visit), then the trials outside visits per drill and "
        "leg (latest, best, trend, change). A change is better or worse only beyond the "
        "metric's minimal detectable change: published, else the athlete's own.",
    )
    history.add_argument("--athlete", metavar="NAME", help="one athlete (default: everyone)")
    history.add_argument(
        "--drill", type=_history_drill, metavar="DRILL", help="one drill (stance, hop, ...)"
    )
    history.add_argument(
        "--since", type=_iso_date, metavar="DATE", help="from this day (YYYY-MM-DD, UTC)"
    )
    history.add_argument(
        "--until", type=_iso_date, metavar="DATE", help="to this day, included (YYYY-MM-DD)"
    )
    history.add_argument("--json", action="store_true", help="one JSON document instead of text")
    history.add_argument(
        "--csv", metavar="FILE", help="also export every trial's numbers, one row each, as CSV"
    )
    history.add_argument("--store", metavar="FILE", help="the store (default: the settings')")
    history.set_defaults(run=_cmd_history)


def _add_sensor_arguments(sub: argparse.ArgumentParser, sources: str) -> None:
    """--sensor (``sources``, then i2c and capture), --seed and --store of a session."""
    sub.add_argument(
        "--sensor",
        metavar="SOURCE",
        help=f"{sources}, i2c[:BUS[:ADDRESS]] or capture:FILE (default: the settings' "
        "[sensor] source, sim)",
    )
    sub.add_argument("--seed", type=_seed, default=1, help="the simulator's seed (1)")
    sub.add_argument(
        "--store", metavar="FILE", help="progression store (default: the settings' [store])"
    )


def _add_session_options(sub: argparse.ArgumentParser, rest: bool = True) -> None:
    from poise.drills.stance import ON_LOSS

    sub.add_argument("--eyes", choices=("open", "closed"), default="open")
    sub.add_argument("--surface", choices=("firm", "foam"), default="firm")
    _add_output_options(sub)
    if rest:
        sub.add_argument(
            "--rest", dest="rest_s", type=float, metavar="S", help="rest between trials"
        )
    sub.add_argument("--on-loss", choices=ON_LOSS, help="stance: at a loss of balance (mark)")


def _add_output_options(sub: argparse.ArgumentParser) -> None:
    """What a session is heard and paced by: --feedback, --audio, --realtime or --fast,
    --quiet."""
    sub.add_argument(
        "--feedback",
        choices=("off", "alarm", "continuous"),
        help="biofeedback tone (default: the settings' [feedback] mode)",
    )
    if "--audio" not in sub._option_string_actions:
        sub.add_argument(
            "--audio",
            metavar="SINK",
            help="auto, alsa[:DEVICE], wav:PATH, null or buzzer:GPIO (default: the settings')",
        )
    pace = sub.add_mutually_exclusive_group()
    pace.add_argument(
        "--realtime", action="store_true", default=None, help="pace a simulation or file"
    )
    pace.add_argument("--fast", dest="realtime", action="store_false", help="as fast as it goes")
    sub.add_argument("--quiet", action="store_true", help="print nothing but errors")


def _add_analyze_arguments(analyze: argparse.ArgumentParser) -> None:
    from poise.drills import DRILLS
    from poise.drills.board import BoardOptions

    analyze.add_argument(
        "file", nargs="+", metavar="FILE", help="Poise recordings or IMU CSV files"
    )
    _add_csv_options(analyze)
    analyze.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="score N files at a time, one process each (0: one per core; default 1). "
        "Each takes the memory of one analysis",
    )
    _add_drill_options(analyze, tuple(DRILLS))
    board = BoardOptions()
    analyze.add_argument(
        "--max-tilt",
        dest="max_tilt_deg",
        type=float,
        metavar="DEG",
        help=f"board: its edge tilt ({board.max_tilt_deg:g})",
    )
    analyze.add_argument(
        "--zone",
        dest="zone_deg",
        type=float,
        metavar="DEG",
        help=f"board: target zone radius ({board.zone_deg:g})",
    )
    analyze.set_defaults(run=_cmd_analyze)


def _add_symmetry_arguments(symmetry: argparse.ArgumentParser) -> None:
    from poise.drills import RULES

    symmetry.add_argument(
        "left", metavar="LEFT", help="the left leg's recording (a CSV file is taken as left_shank)"
    )
    symmetry.add_argument(
        "right", metavar="RIGHT", help="the right leg's recording (a CSV file: right_shank)"
    )
    _add_csv_options(symmetry)
    _add_drill_options(symmetry, tuple(RULES))
    symmetry.add_argument(
        "--involved",
        choices=("left", "right"),
        help="the injured or operated side (LSI = involved over uninvolved)",
    )
    symmetry.set_defaults(run=_cmd_symmetry)


def _add_drill_options(sub: argparse.ArgumentParser, drills: tuple[str, ...]) -> None:
    sub.add_argument("--drill", required=True, choices=drills)
    sub.add_argument("--json", action="store_true", help="one JSON object instead of text")
    sub.add_argument("--start", type=float, metavar="S", help="analyse from this time, s")
    sub.add_argument("--end", type=float, metavar="S", help="analyse up to this time, s")
    _add_accel_cal(sub)


def _add_accel_cal(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--accel-cal",
        metavar="CAL.json",
        help="accelerometer calibration from `poise calibrate-accel`",
    )


def _add_file_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("file", metavar="FILE", help="a Poise recording or an IMU CSV file")
    _add_csv_options(sub)


def _add_csv_options(
    sub: argparse.ArgumentParser,
    what: str = "for files that are not Poise recordings",
) -> None:
    sub.add_argument(
        "--mounting",
        metavar="SPEC",
        help="how the sensor sits: the segment's x (forward), y (left) and z (up the tibia) "
        "as signed sensor axes, e.g. +x+y+z on the front of the shin, +y-x+z on the side "
        "of the right shin; over the recording's header and the settings' [sensor] mounting",
    )
    csv = sub.add_argument_group("CSV import", f"{what}; what the header says need not be given")
    csv.add_argument(
        "--skip-rows", type=int, default=0, metavar="N", help="preamble lines before the header"
    )
    csv.add_argument(
        "--delimiter", help="field separator (default: found from the header: , ; or tab)"
    )
    csv.add_argument("--time-column", metavar="NAME", help="the time column")
    csv.add_argument("--time-unit", choices=("s", "ms", "us"), help="unit of the time column")
    csv.add_argument(
        "--index-column", metavar="NAME", help="a sample-index column (time = index / rate)"
    )
    csv.add_argument(
        "--rate", type=float, metavar="HZ", help="sample rate (needed without a time column)"
    )
    csv.add_argument("--acc-columns", metavar="X,Y,Z", help="accelerometer columns")
    csv.add_argument("--gyr-columns", metavar="X,Y,Z", help="gyroscope columns")
    csv.add_argument("--acc-unit", choices=("g", "m/s2"), help="accelerometer unit")
    csv.add_argument("--gyr-unit", choices=("dps", "rad/s"), help="gyroscope unit")
    csv.add_argument(
        "--placement", default="unknown", choices=("left_shank", "right_shank", "board", "unknown")
    )
    csv.add_argument("--sensor-model", default="unknown", metavar="NAME")
    csv.add_argument("--acc-range", type=float, metavar="G", help="accelerometer full scale, +-g")
    csv.add_argument("--gyr-range", type=float, metavar="DPS", help="gyroscope full scale, +-deg/s")


def _add_simulate(commands: Any, full: Callable[[str], bool]) -> None:
    _command(
        commands,
        full,
        "simulate",
        _add_simulate_arguments,
        help="simulate a scenario: a recording plus its ground truth (JSON)",
        description="Write a recording of a simulated scenario measured by a named IMU, and a "
        "ground-truth sidecar (FILE with .truth.json) stating the true angles and events.",
    )


def _add_simulate_arguments(simulate: argparse.ArgumentParser) -> None:
    from poise.motion.frames import NAMED_MOUNTINGS
    from poise.sim import SCENARIOS
    from poise.text import arg_docs

    scenarios = simulate.add_subparsers(title="scenarios", metavar="SCENARIO", required=True)
    for name, (params_type, _) in SCENARIOS.items():
        sub = scenarios.add_parser(name, help=(params_type.__doc__ or "").strip().splitlines()[0])
        sub.add_argument(
            "-o", "--output", metavar="FILE", required=True, help="recording to write (.csv)"
        )
        sub.add_argument(
            "--seed",
            type=_seed,
            default=0,
            help="the one seed of the motion, the sensor's errors and its noise (0)",
        )
        sub.add_argument("--rate", type=float, default=416.0, metavar="HZ", help="output data rate")
        sub.add_argument("--imu", default="lsm6dso32", choices=("lsm6dso32", "mpu6050"))
        sub.add_argument("--acc-range", type=float, metavar="G")
        sub.add_argument("--gyr-range", type=float, metavar="DPS")
        sub.add_argument(
            "--mounting",
            default="+x+y+z",
            help="the mounting the recording declares: segment axes in sensor axes, or "
            "front, lateral, upside_down",
        )
        sub.add_argument(
            "--worn",
            choices=tuple(NAMED_MOUNTINGS),
            help="how the sensor really sits, if not as declared",
        )
        sub.add_argument(
            "--misalignment",
            type=float,
            default=1.0,
            metavar="DEG",
            help="size of the unknown strap misalignment (default 1)",
        )
        sub.add_argument(
            "--gyro-bias",
            type=float,
            metavar="DPS",
            help="largest gyroscope bias per axis (default: the chip's typical)",
        )
        sub.add_argument("--drop-probability", type=float, default=2e-4, metavar="P")
        sub.add_argument("--ideal", action="store_true", help="a perfect sensor (for tests)")
        sub.add_argument(
            "--truth-series",
            action="store_true",
            help="also write the per-sample true angles (FILE with .truth.csv)",
        )
        fields = []
        hints = typing.get_type_hints(params_type)
        docs = arg_docs(params_type)
        for f in dataclasses.fields(params_type):
            kind = hints[f.name]
            base = next((t for t in typing.get_args(kind) if t is not type(None)), kind)
            # The default as a reader needs it: None means the seed draws the value.
            default = "drawn by the seed" if f.default is None else f.default
            sub.add_argument(
                "--" + f.name.replace("_", "-"),
                dest=f.name,
                type=base,
                default=None,
                metavar=METAVARS.get(base, "VALUE"),
                help=f"{docs.get(f.name, '').rstrip('.')} (default: {default})".lstrip(),
            )
            fields.append(f.name)
        sub.set_defaults(run=_cmd_simulate, scenario=name, scenario_fields=fields)


#: Commands whose arguments need the drills, built only when typed: (name, builder, help,
#: description).
_BUILT_WHEN_TYPED = (
    (
        "analyze",
        _add_analyze_arguments,
        "score a drill: stance sway and losses, hops, lunge, hip or board range",
        "Score one drill in a recording (docs/metrics.md defines every figure). "
        "Times are in the recording's own time base, s. Human-readable by default; --json "
        "prints one JSON object. Several files: one line each (with --json, one JSON object "
        "per line), scored --jobs at a time; a file that cannot be scored is named on stderr "
        "and skipped, and the exit status is then 2.",
    ),
    (
        "symmetry",
        _add_symmetry_arguments,
        "compare the left and right legs' results of one drill",
        "Analyze the same drill on a left-leg and a right-leg recording and give "
        "each metric's limb symmetry index, flagged under 90% or where the difference "
        "exceeds the metric's minimal detectable change (docs/metrics.md).",
    ),
    (
        "train",
        _add_train_arguments,
        "a guided session: spoken prompts, countdown, biofeedback, results, logged",
        "Run a guided session of one drill on a sensor, the simulator or a file: "
        "instructions and results are spoken, a tone follows the sway (eyes-closed work), "
        "every trial is scored and logged with its raw recording. Keys: space/Enter start "
        "(skip the rest), s stop the trial, q quit.",
    ),
    (
        "replay",
        _add_replay_arguments,
        "run a guided session on a recording, as it would have gone live",
        "Replay a recording through the very session `poise train` runs (one "
        "trial), at full speed or paced in real time, and keep what the athlete would have "
        "heard. Nothing is logged.",
    ),
)
