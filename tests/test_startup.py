"""What the command line loads to print its help: not the store, not the settings."""

import subprocess
import sys

CHECK = """
import sys
import poise.cli
poise.cli._parser()
loaded = [m for m in ("poise.store.sqlite", "poise.settings", "sqlite3") if m in sys.modules]
print(",".join(loaded))
"""


def test_the_parser_loads_neither_the_store_nor_the_settings():
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
