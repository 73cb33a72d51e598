#!/usr/bin/env python3
"""Set Poise up in ./.venv (once) and run it, or run its test suite.

    python3 quickstart.py          # set up, then run the main job: a guided, simulated session
    python3 quickstart.py test     # set up with the test tools, then lint and run every test

Needs only python3 (3.11 or newer) and access to PyPI. Safe to run again: the
environment is rebuilt only when pyproject.toml changes. On Debian without the
python3-venv package (no ensurepip), pip itself is fetched from PyPI.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".poise-installed"
#: The main job: eyes-closed single-leg stance on both legs, on the simulator, with
#: spoken prompts and biofeedback (the sound card, or a WAV without one), logged.
MAIN_JOB = ["train", "stance", "--leg", "both", "--eyes", "closed", "--athlete", "newcomer"]


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 (this script runs under any python3)
        found = sys.version.split()[0]
        print(f"Poise needs Python 3.11 or newer; this is {found}.", file=sys.stderr)
        return 1
    testing = bool(argv) and argv[0] == "test"
    extras = "[dev]" if testing else ""
    setup(extras)
    if testing:
        for command in (["ruff", "check", "."], ["ruff", "format", "--check", "."]):
            if run([str(BIN / command[0]), *command[1:]]) != 0:
                return 1
        return run([str(BIN / "python"), "-m", "pytest", *argv[1:]])
    return run([str(BIN / "poise"), *(argv or MAIN_JOB)])


def setup(extras: str) -> None:
    """Create the environment and install Poise into it, unless that is already done."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if STAMP.exists() and wanted in STAMP.read_text().split():
        return
    if not (BIN / "python").exists():
        print("Creating .venv ...", flush=True)
        create_venv()
    print(f"Installing Poise{extras} and its dependencies into .venv ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if run([*pip, "--editable", f"{ROOT}{extras}"]) != 0:
        raise SystemExit("Installation failed (see pip's message above).")
    # Remember both variants, so switching between run and test does not reinstall.
    previous = STAMP.read_text().split() if STAMP.exists() else []
    STAMP.write_text("\n".join([*previous, wanted]) + "\n")


def create_venv() -> None:
    try:
        venv.EnvBuilder(with_pip=True).create(VENV)
        return
    except (subprocess.CalledProcessError, OSError):
        pass
    # No ensurepip (Debian's python3 without python3-venv): make the environment
    # without pip, then run pip's own wheel from PyPI to install pip into it.
    venv.EnvBuilder(with_pip=False, clear=True).create(VENV)
    index = "https://pypi.org/pypi/pip/json"
    with urllib.request.urlopen(index, timeout=60) as response:
        release = json.load(response)
    wheel = next(f for f in release["urls"] if f["filename"].endswith(".whl"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / wheel["filename"]
        # Mirrors of PyPI may give the file's address relative to the index page.
        address = urllib.parse.urljoin(index, wheel["url"])
        with urllib.request.urlopen(address, timeout=120) as response:
            data = response.read()
        if hashlib.sha256(data).hexdigest() != wheel["digests"]["sha256"]:
            raise SystemExit("The pip wheel downloaded from PyPI does not match its checksum.")
        path.write_bytes(data)
        if run([str(BIN / "python"), str(path / "pip"), "install", "--quiet", str(path)]) != 0:
            raise SystemExit("Could not install pip into .venv.")


def run(command: list[str]) -> int:
    return subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONNOUSERSITE": "1"}).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
