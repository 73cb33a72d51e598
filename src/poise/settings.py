"""Poise's settings: one value object, its defaults in code, a TOML file for what a user changes.

Like x-io Fusion's settings structures, each part of the pipeline has a small
frozen dataclass with documented defaults. :class:`Settings` gathers them; a
TOML file (``--config FILE``, ``$POISE_CONFIG``, or
``$XDG_CONFIG_HOME/poise/config.toml``) overrides any of its keys.
``config/default.toml`` is generated from the defaults by ``poise config
--defaults`` (a test keeps the two equal), so it documents every key.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from poise.cues.biofeedback import FeedbackSettings
from poise.cues.player import CuesSettings
from poise.drills import TrainSettings
from poise.errors import PoiseError
from poise.files import read_text
from poise.live.controls import PanelSettings
from poise.motion.calibration import CalibrationSettings
from poise.motion.lever_arm import LeverArmSettings
from poise.motion.orientation import OrientationSettings
from poise.motion.still import StillSettings
from poise.motion.tilt import TiltSettings
from poise.sources.i2c.settings import I2CSettings
from poise.sources.serial_link import SerialLinkSettings
from poise.sources.settings import SensorSettings
from poise.store.paths import StoreSettings
from poise.text import arg_docs


@dataclass(frozen=True)
class Settings:
    """All settings, one section each."""

    sensor: SensorSettings = field(default_factory=SensorSettings)
    still: StillSettings = field(default_factory=StillSettings)
    calibration: CalibrationSettings = field(default_factory=CalibrationSettings)
    orientation: OrientationSettings = field(default_factory=OrientationSettings)
    lever_arm: LeverArmSettings = field(default_factory=LeverArmSettings)
    train: TrainSettings = field(default_factory=TrainSettings)
    feedback: FeedbackSettings = field(default_factory=FeedbackSettings)
    cues: CuesSettings = field(default_factory=CuesSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    panel: PanelSettings = field(default_factory=PanelSettings)
    i2c: I2CSettings = field(default_factory=I2CSettings)
    serial: SerialLinkSettings = field(default_factory=SerialLinkSettings)

    @property
    def tilt(self) -> TiltSettings:
        return TiltSettings(self.still, self.calibration, self.orientation, self.lever_arm)


def config_path(explicit: str | Path | None = None) -> Path | None:
    """The user's settings file: the one named, else $POISE_CONFIG, else the XDG one if present."""
    if explicit:
        return Path(explicit)
    if os.environ.get("POISE_CONFIG"):
        return Path(os.environ["POISE_CONFIG"])
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    candidate = base / "poise" / "config.toml"
    return candidate if candidate.is_file() else None


def load_settings(
    path: str | Path | None = None, warn: Callable[[str], None] | None = None
) -> Settings:
    """Defaults, overridden by the user's configuration file if there is one.

    Raises :class:`PoiseError` naming the file, section and key of any mistake.
    With ``warn``, an unknown section or key is not a mistake but one line given
    to ``warn`` and left out: a command that does not run a session (``history``,
    ``analyze``) should not be blocked by a setting it does not use, nor by one a
    newer Poise added. A session refuses to start on one (``warn`` None), since a
    mistyped key there would silently change a trial.
    """
    path = config_path(path)
    if path is None:
        return Settings()
    return settings_from_dict(_config_data(path), str(path), warn)


def declared_mounting(path: str | Path | None = None) -> str | None:
    """``[sensor] mounting`` if the user's settings file names one (not the default):
    it declares how the sensor sits for files whose header does not say."""
    path = config_path(path)
    if path is None:
        return None
    data = _config_data(path)
    settings_from_dict(
        data, str(path), lambda _: None
    )  # the same checks (unknown keys: load_settings warns)
    sensor = data.get("sensor", {})
    return sensor.get("mounting")


def _config_data(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as e:
        raise PoiseError(f"{path}: {e}") from None


def session_settings(store_facts: Any) -> Settings | None:
    """The settings a recording's session ran with, from its header's store facts
    (:attr:`poise.recording.RecordingMeta.store`); None where they are not this Poise's
    (or the recording has none), so the caller can say it used the defaults."""
    session = store_facts.get("session") if isinstance(store_facts, dict) else None
    recorded = session.get("settings") if isinstance(session, dict) else None
    try:
        return settings_from_dict(recorded or {})
    except PoiseError:
        return None


def settings_from_dict(
    data: dict[str, Any], origin: str = "settings", warn: Callable[[str], None] | None = None
) -> Settings:
    sections = {}
    for f in dataclasses.fields(Settings):
        section_type = _field_type(Settings, f.name)
        given = data.get(f.name, {})
        if not isinstance(given, dict):
            raise PoiseError(f"{origin}: [{f.name}] must be a table")
        sections[f.name] = _build_section(section_type, given, f"{origin}: [{f.name}]", warn)
    for name in sorted(set(data) - set(sections)):
        _unknown(f"{origin}: unknown section [{name}]; known: {', '.join(sections)}", warn)
    return Settings(**sections)


def _unknown(message: str, warn: Callable[[str], None] | None) -> None:
    if warn is None:
        raise PoiseError(message)
    warn(f"{message} (ignored)")


def _build_section(
    cls: type, given: dict[str, Any], where: str, warn: Callable[[str], None] | None
) -> Any:
    names = {f.name for f in dataclasses.fields(cls)}
    for name in sorted(set(given) - names):
        _unknown(f"{where} unknown key '{name}'; known: {', '.join(sorted(names))}", warn)
    values = {}
    for name, value in given.items():
        if name not in names:
            continue
        values[name] = _coerce(value, _field_type(cls, name), f"{where} {name}")
    try:
        return cls(**values)
    except ValueError as e:
        raise PoiseError(f"{where} {e}") from None


def _coerce(value: Any, kind: Any, where: str) -> Any:
    origin = typing.get_origin(kind)
    if kind is float:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise PoiseError(f"{where}: must be a number, not {value!r}")
        if not math.isfinite(value):
            raise PoiseError(f"{where}: must be a finite number, not {value!r}")
        return float(value)
    if kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise PoiseError(f"{where}: must be a whole number, not {value!r}")
    if kind is bool or kind is str:
        if isinstance(value, kind):
            return value
        raise PoiseError(
            f"{where}: must be {'true or false' if kind is bool else 'text'}, not {value!r}"
        )
    if origin is tuple:
        inner = typing.get_args(kind)
        if not isinstance(value, list) or len(value) != len(inner):
            raise PoiseError(f"{where}: must be a list of {len(inner)} values, not {value!r}")
        return tuple(_coerce(v, t, where) for v, t in zip(value, inner, strict=True))
    raise PoiseError(f"{where}: unsupported setting type {kind}")


def _field_type(cls: type, name: str) -> Any:
    hints = typing.get_type_hints(cls)
    kind = hints[name]
    if isinstance(kind, types.UnionType):
        raise TypeError(f"{cls.__name__}.{name}: optional settings cannot be written in TOML")
    return kind


def render_settings(settings: Settings) -> str:
    """The settings as a commented TOML file (each key's comment from its class docstring)."""
    lines = [
        "# Poise configuration: every setting with its default.",
        "# Generated by `poise config --defaults`; copy the keys you change to",
        "# ~/.config/poise/config.toml (or name a file with --config or $POISE_CONFIG).",
    ]
    for f in dataclasses.fields(Settings):
        section = getattr(settings, f.name)
        docs = arg_docs(type(section))
        summary = (type(section).__doc__ or "").strip().splitlines()[0]
        lines += ["", f"# {summary}", f"[{f.name}]"]
        for sub in dataclasses.fields(section):
            for text in _wrap(docs.get(sub.name, "")):
                lines.append(f"# {text}")
            lines.append(f"{sub.name} = {_toml_value(getattr(section, sub.name))}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


def _wrap(text: str, width: int = 78) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + ([line] if line else [])
