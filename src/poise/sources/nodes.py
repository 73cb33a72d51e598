"""Tools for sensor nodes on serial ports: find them, ask who they are, install their firmware.

``poise sensors`` lists the nodes (:func:`list_nodes`), ``poise firmware install``
copies the firmware to a Pico (:func:`install_firmware`). The firmware ships
inside the package (``poise/firmware`` in a wheel) and is also found in a
source checkout's ``firmware/`` folder (:func:`firmware_dir`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from poise.errors import PoiseError
from poise.link import Hello, LinkReceiver
from poise.sources.serial_link import DEFAULT_BAUDRATE, HELLO_REQUEST, import_serial, open_port

#: Where the firmware is, in order: inside the installed package, then a source checkout.
FIRMWARE_DIRS = (
    Path(__file__).resolve().parents[1] / "firmware",
    Path(__file__).resolve().parents[3] / "firmware",
)


def firmware_dir() -> Path:
    """The folder of the node's firmware: the package's own, else the checkout's.

    Raises :class:`PoiseError` when neither holds it.
    """
    for folder in FIRMWARE_DIRS:
        if (folder / "main.py").is_file():
            return folder
    raise PoiseError("the node's firmware is not installed with Poise (no poise/firmware/main.py)")


@dataclass(frozen=True)
class NodeInfo:
    """A serial port with a Poise node on it: the port, its description, the node's hello."""

    port: str
    description: str
    hello: Hello


def probe_node(port: str, baudrate: int = DEFAULT_BAUDRATE, timeout_s: float = 0.5) -> Hello | None:
    """The hello of the node on ``port``, or None when none answers within ``timeout_s``."""
    try:
        handle = open_port(port, baudrate, 0.05)
    except PoiseError:
        return None
    receiver = LinkReceiver()
    try:
        handle.write(HELLO_REQUEST)
        end = time.monotonic() + timeout_s
        while receiver.hello is None and time.monotonic() < end:
            receiver.feed(handle.read(max(1, handle.in_waiting)))
    except Exception:
        return None
    finally:
        handle.close()
    return receiver.hello


def list_nodes(baudrate: int = DEFAULT_BAUDRATE, timeout_s: float = 0.5) -> list[NodeInfo]:
    """Every serial port on this machine with a Poise node answering (for ``poise sensors``)."""
    import_serial()
    from serial.tools import list_ports

    found = []
    for info in sorted(list_ports.comports(), key=lambda p: p.device):
        hello = probe_node(info.device, baudrate, timeout_s)
        if hello is not None:
            found.append(NodeInfo(info.device, info.description or "", hello))
    return found


def install_firmware(
    port: str, folder: str | Path | None = None, mpremote: str | None = None
) -> list[str]:
    """Copy the node's firmware to a Pico and reset it: every ``*.py`` of ``folder``
    (by default :func:`firmware_dir`).

    Uses mpremote (``mpremote connect PORT fs cp ... : + reset``); returns the
    files copied. Raises :class:`PoiseError` with one line when mpremote, the
    port or the firmware is missing, or mpremote fails.
    """
    exe = mpremote or shutil.which("mpremote") or str(Path(sys.executable).parent / "mpremote")
    if not (os.path.isfile(exe) and os.access(exe, os.X_OK)) and not shutil.which(exe):
        raise PoiseError("mpremote not found: install it with `pip install mpremote`")
    if port != "auto" and "://" not in port and not os.path.exists(port):
        raise PoiseError(f"serial port {port} does not exist (is the Pico plugged in?)")
    folder = Path(folder) if folder is not None else firmware_dir()
    files = sorted(str(p) for p in folder.glob("*.py"))
    if not files:
        raise PoiseError(f"no firmware files (*.py) in {folder}")
    command = [exe, "connect", port, "fs", "cp", *files, ":", "+", "reset"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise PoiseError(f"mpremote failed on {port}: {e}") from None
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines() or ["no message"]
        raise PoiseError(f"mpremote failed on {port}: {lines[-1]}")
    return [Path(f).name for f in files]
