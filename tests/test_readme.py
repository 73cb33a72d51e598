"""The README's quickstart is what a newcomer types and what CI runs."""

import re

from conftest import ROOT


def quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_quickstart_has_exactly_two_commands():
    assert quickstart_commands() == ["python3 quickstart.py", "python3 quickstart.py test"]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert quickstart_commands()[1] in [line.strip() for line in ci if not line.startswith("#")]
