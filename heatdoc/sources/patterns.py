"""Glob patterns for a partitioned long table (`data/events-*.parquet`): the files a
pattern matches, each held to the rule every data path keeps (it stays inside the
project, through `..` and symbolic links alike).

The build cache expands a pattern with `matches` too, so a chart's key covers the bytes
of every file the pattern matched when it was made, and a new partition file rebuilds it.
"""
from __future__ import annotations

import glob
from pathlib import Path

MAGIC = ("*", "?", "[")


def is_pattern(value: str) -> bool:
    return any(c in value for c in MAGIC)


class Outside(Exception):
    """A match that leads out of the project (its message names it)."""


def matches(pattern: Path, root: Path) -> list[Path]:
    """The regular files ``pattern`` matches, resolved, in name order; Outside when one
    of them is outside ``root`` (a `..` in the pattern, a link that leads out). Hidden
    files (a leading dot) are not matched, as in a shell."""
    root_real = root.resolve()
    found = []
    for name in sorted(glob.glob(str(pattern))):
        real = Path(name).resolve()
        if not real.is_relative_to(root_real):
            raise Outside(f"{Path(name).name!r} (matched by the pattern) leads outside the project folder "
                          f"{root_real}")
        if real.is_file():
            found.append(real)
    return found
