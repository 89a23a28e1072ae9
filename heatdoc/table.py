"""A chart's matrix as text: the CSV download, and the HTML data table that is the
chart's text alternative (what a screen reader, a search engine or a page without
JavaScript gets instead of the picture)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np
import orjson

from .spec import Spec

_FORMULA_START = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

# Beyond this many cells a table is too long to read; the page offers the CSV instead.
TABLE_MAX_CELLS = 2_500


@dataclass(frozen=True)
class TableRow:
    label: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class DataTable:
    """The matrix as rows of text. ``parts`` names what each cell shows, in order
    (e.g. ``("text", "value", "element")``), for the table's caption."""

    columns: tuple[str, ...]
    rows: tuple[TableRow, ...]
    parts: tuple[str, ...]


def labels(spec: Spec) -> tuple[list[str], list[str]]:
    """The x and y labels as shown: the spec's, else 0, 1, 2, ... as plotly.js numbers them."""
    rows, cols = spec.shape
    return (spec.x if spec.x is not None else [str(i) for i in range(cols)],
            spec.y if spec.y is not None else [str(i) for i in range(rows)])


def matrix_csv(spec: Spec) -> bytes:
    """z with its labels: the header row holds the x labels, the first column the y labels;
    a missing cell is an empty field. Labels are made inert for spreadsheets (`inert`)."""
    return b"".join(matrix_csv_chunks(spec))


def matrix_csv_chunks(spec: Spec) -> Iterator[bytes]:
    """`matrix_csv` a row at a time (the CSV of a big matrix is several times its bytes)."""
    x, y = labels(spec)
    yield _csv_line(["", *map(inert, x)]).encode("utf-8")
    for label, row in zip(y, _exact_rows(spec.z)):
        # numbers never need quotes: only the label goes through _csv_line
        yield _csv_line([inert(label)])[:-1].encode("utf-8") + b"," + row + b"\n"


def _csv_line(fields: list[str]) -> str:
    # RFC 4180 quoting, by hand: csv.writer with "\n" line ends leaves a lone "\r" in a
    # label unquoted, and spreadsheets read that as the end of the row
    return ",".join('"' + f.replace('"', '""') + '"' if any(c in f for c in ',"\r\n') else f
                    for f in fields) + "\n"


def _exact_rows(z: np.ndarray) -> Iterator[bytes]:
    """Each row's cells, comma-separated, as `_exact` writes them ("" for a gap), without
    a Python call per cell for a big matrix: orjson writes the same shortest round-trip
    digits as repr() for every non-integer of magnitude in [1e-4, 1e16), where repr()
    uses no exponent; only the other cells (integers, gaps, exponents) are written one
    by one."""
    with np.errstate(invalid="ignore"):
        magnitude = np.abs(z)
        plain = (magnitude >= 1e-4) & (magnitude < 1e16) & (z != np.floor(z))
    for row, easy in zip(z, plain):
        values = row.tolist()  # a row at a time: 4 million Python floats would be ~130 MB
        text = orjson.dumps(values)[1:-1]
        if not easy.all():
            cells = text.split(b",")
            for j in np.flatnonzero(~easy).tolist():
                v = values[j]
                cells[j] = b"" if math.isnan(v) else _exact(v).encode("ascii")
            text = b",".join(cells)
        yield text


def inert(label: str) -> str:
    """A label as a CSV field that a spreadsheet shows as text, never runs as a formula.

    Excel, LibreOffice and Google Sheets treat a field starting with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return as a formula (``=HYPERLINK(...)``, ``-1+cmd|...``):
    such a label gets a leading ``'``, as OWASP advises. A label that is a plain number
    (``-5``, ``+0.5``, ``-1e3``) stays as it is, so numeric labels keep their value. The
    z values are numbers and are written as such.
    """
    if label[:1] in _FORMULA_START and not _NUMBER.fullmatch(label):
        return "'" + label
    return label


def data_table(spec: Spec) -> DataTable | None:
    """The table of what each cell shows, or None when the matrix is too big to read as one."""
    rows, cols = spec.shape
    if rows * cols > TABLE_MAX_CELLS:
        return None
    x, y = labels(spec)
    fmt = spec.options.get("text_auto")
    fmt = fmt if isinstance(fmt, str) else None
    parts = (["text"] if spec.text is not None else []) + ["value"] + list(spec.layers)
    out = []
    for i, (label, zrow) in enumerate(zip(y, spec.z.tolist())):
        cells = []
        for j, v in enumerate(zrow):
            shown = [str(spec.text[i][j])] if spec.text is not None else []
            shown.append("" if math.isnan(v) else format_value(v, fmt))
            shown.extend(_text(layer[i][j]) for layer in spec.layers.values())
            cells.append(" · ".join(s for s in shown if s))
        out.append(TableRow(label, tuple(cells)))
    return DataTable(tuple(x), tuple(out), tuple(parts))


def format_value(v: float, fmt: str | None = None) -> str:
    """A z value as a person reads it: the spec's text_auto format where Python's format
    mini-language agrees with d3-format (``.2f``, ``.1%``, ``,``), else six significant digits."""
    if fmt:
        try:
            if fmt.endswith("d"):
                return format(round(v), fmt)
            return format(v, fmt.replace("~", ""))
        except (ValueError, TypeError):
            pass
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.6g}"


def _exact(v: float) -> str:
    # every digit, and 1 rather than 1.0, as in the figure JSON
    return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)


def _text(value: Any) -> str:
    return "" if value is None else str(value)
