"""What the command line loads to print its help: not the store, not the settings, and
for ``poise --help`` or ``poise history`` neither NumPy nor the drills."""

import argparse
import subprocess
import sys

import pytest

import poise.cli

CHECK = """
import sys
import poise.cli
poise.cli._parser({named})
loaded = [m for m in {modules} if m in sys.modules]
print(",".join(loaded))
"""


def loaded(named: str, modules: tuple[str, ...]) -> str:
    code = CHECK.format(named=named, modules=modules)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_parser_loads_neither_the_store_nor_the_settings():
    assert loaded("", ("poise.store.sqlite", "poise.settings", "sqlite3")) == ""


def test_the_parser_reads_no_battery_or_norm_file():
    assert loaded("", ("tomllib", "poise.norms.load", "poise.batteries")) == ""


def test_help_and_history_build_without_numpy_or_the_drills():
    for named in ("()", "{'history'}"):
        assert loaded(named, ("numpy", "poise.drills", "poise.sim")) == ""
    # A command's own arguments are built when it is typed: analyze's name the drills.
    assert loaded("{'analyze'}", ("numpy", "poise.drills")) == "poise.drills"


def test_every_command_is_listed_and_its_arguments_built_when_typed(capsys):
    (commands,) = [
        a for a in poise.cli._parser()._actions if isinstance(a, argparse._SubParsersAction)
    ]
    assert set(commands.choices) == set(poise.cli.COMMANDS)
    with pytest.raises(SystemExit) as done:
        poise.cli.main(["--config", "none.toml", "analyze", "--help"])
    assert done.value.code == 0 and "--drill" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        poise.cli.main(["--help"])
    listing = capsys.readouterr().out
    assert all(name in listing for name in poise.cli.COMMANDS)


def test_the_drills_and_the_history_load_no_numpy():
    """The registry's drill modules import the scoring when they score (drills/drill.py),
    so `poise history` reads the store and prints without NumPy."""
    code = "import sys, poise.drills, poise.reports.history; print('numpy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
