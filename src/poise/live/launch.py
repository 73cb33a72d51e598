"""Starting a session from the command line's choices: stream, audio, store, controls.

``poise train`` and ``poise replay`` differ only in what they hand to
:func:`run_session`: train opens the configured sensor (or the simulator) and
logs to the store; replay reads a file, logs nothing, and keeps its audio
only where asked to.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poise.drills import LIVE, TrainSettings
from poise.errors import PoiseError
from poise.live.controls import Controls, Keyboard, Panel
from poise.live.display import Display
from poise.live.session import Session, SessionPlan, TrialOutcome
from poise.live.streams import FileStream, SimStream, SourceStream, Stream
from poise.recording import Recording
from poise.settings import Settings
from poise.text import plural

#: Trial length assumed for the disk-space check when a drill's own is not known, s.
TRIAL_ALLOWANCE_S = 60.0


@dataclass(frozen=True)
class Launch:
    """What a session runs on, besides its plan.

    Args:
        sensor: ``sim``, ``replay:FILE``, ``serial:PORT``, ``i2c[:BUS[:ADDRESS]]`` or
            ``capture:FILE`` (a serial link's raw bytes, kept with ``capture``).
        audio: the sink (see :class:`poise.cues.player.CuesSettings`); None for the
            settings' own.
        feedback: biofeedback mode; None for the settings' own.
        realtime: pace a simulation or a file in real time (a live sensor always is).
        seed: the simulator's seed.
        store: the store file; None for the settings' own; ``""`` for no store.
        quiet: print nothing but errors.
        capture: where a serial link's raw bytes are also kept, if anywhere.
        worn: the simulator only: how its athlete wears the sensor (``front``,
            ``lateral``, ``upside_down``), whatever ``[sensor] mounting`` declares.
        recording: the recording ``replay:FILE`` names, when the caller has read it
            already (with its import options).
    """

    sensor: str = "sim"
    audio: str | None = None
    feedback: str | None = None
    realtime: bool | None = None
    seed: int = 1
    store: str | None = None
    quiet: bool = False
    capture: str | None = None
    worn: str | None = None
    recording: Recording | None = None


def open_stream(launch: Launch, settings: Settings) -> tuple[Stream, dict[str, Any]]:
    """The stream ``launch.sensor`` names, and what the store keeps of it.

    The simulator makes an athlete per trial, who follows the trial's plan; any
    other source (:func:`poise.sources.open_source`) streams for the whole session.
    """
    from poise.sources import open_source, parse_source

    spec = parse_source(launch.sensor)
    if spec.kind == "sim":
        realtime = bool(launch.realtime)
        stream = SimStream(settings.sensor, settings.train, launch.seed, realtime, worn=launch.worn)
        return stream, {"kind": "sim", "seed": launch.seed, "model": settings.sensor.model}
    source = open_source(spec, settings, capture=launch.capture, recording=launch.recording)
    if spec.kind == "replay":
        return FileStream(source.recording, bool(launch.realtime)), {
            "kind": "replay",
            "file": spec.target,
        }
    # A capture file is replayed as fast as it is read: no pacing, no draining in rests.
    return SourceStream(source), {**source.meta.source, "kind": spec.kind}


def plan_seconds(plan: SessionPlan, train: TrainSettings) -> float:
    """An upper bound of a session's recorded time, s (for the disk-space check)."""
    per_trial = LIVE[plan.drill].trial_s(train) + TRIAL_ALLOWANCE_S
    return len(plan.legs) * plan.trials * per_trial


def run_session(
    plan: SessionPlan,
    launch: Launch,
    settings: Settings,
    wav_path: Path | None = None,
) -> list[TrialOutcome]:
    """Run the session: open everything, run every trial, close everything."""
    from poise.cues.player import Cues

    started = time.perf_counter()
    settings = _with_overrides(settings, launch)
    _check_heard(plan, launch, settings)
    display = Display(quiet=launch.quiet)
    with contextlib.ExitStack() as stack:
        store, scratch = _open_store(stack, plan, launch, settings)
        stream, source_info = open_stream(launch, settings)
        stack.callback(stream.close)
        if wav_path is None and store is not None and settings.cues.sink == "auto":
            wav_path = _session_wav(store)
        cues = Cues.open(settings.cues, settings.feedback, wav_path)
        stack.callback(cues.close)
        controls = Controls()
        controls.add(stack.enter_context(Keyboard()))
        panel = None
        if settings.panel.enabled:
            panel = Panel(settings.panel, controls)
            stack.callback(panel.close)
        where = getattr(cues.sink, "path", None)
        legs = "" if plan.legs == (plan.drill,) else f"{', '.join(plan.legs)}; "
        each = " each" if len(plan.legs) > 1 else ""
        display.event(
            f"Poise {plan.drill}: {legs}eyes {plan.eyes}, {plan.surface}; "
            f"{plural(plan.trials, 'trial')}{each}; athlete {plan.athlete}; sensor {launch.sensor}"
        )
        display.event(
            f"audio: {type(cues.sink).__name__.removesuffix('Sink').lower()}"
            + (f" -> {where}" if where else "")
            + f" (first prompt ready {time.perf_counter() - started:.2f} s after start)"
        )
        if not cues.speaks:
            display.event(
                "speech: "
                + ("espeak-ng not found" if not cues.speech.available else "this sink cannot speak")
                + "; prompts are tone patterns (a slow falling three-note pattern says so first)"
            )
            cues.announce_no_speech()
        session = Session(
            plan,
            stream,
            cues,
            store,
            settings.train,
            settings.tilt,
            display,
            controls,
            panel=panel,
            source_info=source_info,
            settings_info=dataclasses.asdict(settings),
            scratch_dir=scratch,
        )
        outcomes = session.run()
        if where:
            display.event(f"what the athlete heard: {where}")
        if store is not None:
            display.event(f"logged to {store.path} (see `poise history --athlete {plan.athlete}`)")
        return outcomes


#: Sources with an athlete on the sensor now (not a simulation or a file).
LIVE_SOURCES = ("serial", "i2c")


def _check_heard(plan: SessionPlan, launch: Launch, settings: Settings) -> None:
    """Refuse an eyes-closed session on a live sensor that nobody would hear.

    With eyes closed everything the athlete needs is heard, so ``auto`` without a
    sound card (which would write a WAV nobody hears) is refused; choosing a sink
    (``wav:FILE``, ``null``, ``buzzer:PIN``) says it is meant.
    """
    from poise.cues.sinks import has_sound_card
    from poise.sources import parse_source

    if plan.eyes != "closed" or settings.cues.sink != "auto":
        return
    if parse_source(launch.sensor).kind in LIVE_SOURCES and not has_sound_card():
        raise PoiseError(
            f"eyes-closed {plan.drill}: no sound card, so nobody would hear the prompts; "
            "connect one, or choose --audio wav:FILE or --audio null to run it unheard"
        )


def _with_overrides(settings: Settings, launch: Launch) -> Settings:
    cues, feedback = settings.cues, settings.feedback
    try:
        if launch.audio is not None:
            cues = dataclasses.replace(cues, sink=launch.audio)
        if launch.feedback is not None:
            feedback = dataclasses.replace(feedback, mode=launch.feedback)
    except ValueError as e:
        raise PoiseError(str(e)) from None
    return dataclasses.replace(settings, cues=cues, feedback=feedback)


def _open_store(
    stack: contextlib.ExitStack, plan: SessionPlan, launch: Launch, settings: Settings
) -> tuple[Any, Path | None]:
    """The store (checked before anything starts), or a scratch folder without one."""
    if launch.store == "":
        return None, Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="poise-")))
    from poise.store.preflight import check_store, recording_bytes
    from poise.store.sqlite import Store

    path = Path(launch.store) if launch.store else settings.store.store_path()
    rate = settings.sensor.rate_hz
    check_store(
        path,
        recording_bytes(rate, plan_seconds(plan, settings.train)),
        settings.store.reserve_bytes,
    )
    store = Store.open(path)
    stack.callback(store.close)
    return store, None


def _session_wav(store: Any) -> Path:
    """Where an ``auto`` session without a sound card keeps its audio: beside its trials,
    as ``recordings/session-<local time>-<random UUID>.wav``, a name never given before
    (the WAV sink creates it exclusively: nothing already there is replaced)."""
    import uuid

    from poise.files import private_folder
    from poise.store.paths import RECORDINGS_DIR

    folder = Path(store.path).parent / RECORDINGS_DIR
    try:
        private_folder(folder)
    except OSError as e:
        raise PoiseError(f"{folder}: cannot create: {e.strerror or e}") from None
    stamp = time.strftime("%Y%m%dT%H%M%S")
    return folder / f"session-{stamp}-{uuid.uuid4()}.wav"
