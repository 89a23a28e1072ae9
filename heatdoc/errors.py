"""The one family of user-facing errors.

Every mistake in a spec is a `SpecError` that knows its file, line and column.
The CLI prints each as one line, ``PATH:LINE:COL: key.path: message``, and
exits 1; anything else that escapes is a bug in heatdoc.
"""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence


@dataclass(frozen=True, order=True)
class SpecError:
    path: str
    line: int
    col: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}"
        line = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        # Keys and values come from strangers' files: one error stays one line, and
        # no escape sequence reaches the terminal.
        return visible(line)


def visible(text: Any) -> str:
    """Text from a stranger's file as one line a terminal shows as it is: control
    characters and line breaks written as escapes."""
    return str(text).translate(_VISIBLE)


LOCATED_WARNING = re.compile(r"[^\n]*?:\d+:\d+: (?:[^\n]*?: )?warning: ")


def is_located_warning(line: str) -> bool:
    """Is ``line`` a spec's warning, a `SpecError` whose message starts with 'warning: '?"""
    return LOCATED_WARNING.match(line) is not None


_VISIBLE = {c: f"\\x{c:02x}" for c in [*range(32), *range(127, 160)]} | {
    9: "\\t", 10: "\\n", 13: "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def display_path(path: "os.PathLike[str] | str") -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    p = Path(path)
    if p.is_absolute():
        try:
            return p.relative_to(Path.cwd().resolve()).as_posix() or "."
        except ValueError:
            return str(p)
    return str(p)


class HeatdocError(Exception):
    """Invalid input: carries every error found, sorted, without duplicates."""

    def __init__(self, errors: Iterable[SpecError]):
        self.errors = sorted(set(errors))
        super().__init__("\n".join(map(str, self.errors)))


class UsageError(Exception):
    """A command line that cannot be acted on (exit code 2)."""


def key_path(path: Sequence[str | int]) -> str:
    """('customdata', 'mass', 2) -> 'customdata.mass[2]'"""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def did_you_mean(word: str, choices: Iterable[str], n: int = 1, cutoff: float = 0.6) -> str:
    """A ' (did you mean 'a' or 'b'?)' suffix naming the ``n`` closest choices, or '' when
    nothing is close (a choice that differs only in case is close). The one format of every
    "did you mean" heatdoc prints: keys, enum values, layers, columns, colours, scales."""
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=n, cutoff=cutoff)
    if not close:
        lowered = {c.lower(): c for c in choices}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def describe(value: Any) -> str:
    """A value as a message names it: 'the number 5', "the text 'abc'", 'a list'."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}" + ("..." if len(value) > 40 else "")
    if isinstance(value, list):
        return "a list"
    return "a mapping"
