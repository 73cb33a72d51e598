"""Published norms as data, and placing an athlete's value against them.

:mod:`poise.norms.table` is the shape of a table, :mod:`poise.norms.load` reads
and checks the files (``config/norms/*.toml``, and a clinic's own in
``~/.config/poise/norms``), :mod:`poise.norms.place` places a value (pure).
docs/norms.md lists the shipped tables, their sources and what was left out.
Nothing is imported here, so that ``poise --help`` builds ``norms`` from
:mod:`poise.norms.commands` without loading TOML or the drills.
"""
