#!/usr/bin/env python3
"""Set Poise up in ./.venv (once) and run it, or run its test suite.

    python3 quickstart.py          # set up, then run the main job: a guided, simulated session
    python3 quickstart.py test     # set up with the test tools, then lint and run every test

Needs only python3 (3.11 or newer) and access to PyPI. Safe to run again: the
environment is rebuilt only when pyproject.toml changes. On Debian without the
python3-venv package (no ensurepip), it installs that package with apt-get when run
as root, and otherwise says in one line what to install.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
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
    if make_venv():
        return
    # No ensurepip: Debian's python3 without python3-venv. As root, install it; else say so.
    packages = venv_packages()
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"No ensurepip here: installing {' '.join(packages)} with apt-get ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        apt = ["apt-get", "-q", "-o", "Dpkg::Use-Pty=0"]
        quiet = {"stdout": subprocess.DEVNULL, "env": env}
        if (
            subprocess.run([*apt, "update"], **quiet).returncode == 0
            and subprocess.run([*apt, "install", "-y", *packages], **quiet).returncode == 0
            and make_venv()
        ):
            return
        shutil.rmtree(VENV, ignore_errors=True)
        raise SystemExit(f"Could not install {' '.join(packages)} with apt-get (see above).")
    shutil.rmtree(VENV, ignore_errors=True)  # without pip: a second run would not notice
    raise SystemExit(
        f"Python's venv has no pip here (no ensurepip); install it: "
        f"sudo apt-get install {' '.join(packages)}"
    )


def make_venv() -> bool:
    """Make .venv with pip in it; False where this python has no ensurepip."""
    # Asked first: Debian's venv, without ensurepip, prints a page and exits.
    probe = [sys.executable, "-m", "ensurepip", "--version"]
    if subprocess.run(probe, capture_output=True).returncode != 0:
        return False
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    except (subprocess.CalledProcessError, OSError, SystemExit):
        return False
    return True


def venv_packages() -> list[str]:
    """Debian's packages giving this python ensurepip: python3-venv, and python3.X-venv
    too where this is not the default python3 (whose venv python3-venv already brings)."""
    own = f"python{sys.version_info.major}.{sys.version_info.minor}-venv"
    default = shutil.which("python3")
    same = default and Path(default).resolve() == Path(sys.executable).resolve()
    return ["python3-venv"] if same else ["python3-venv", own]


def run(command: list[str]) -> int:
    return subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONNOUSERSITE": "1"}).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
