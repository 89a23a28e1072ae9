"""A chart's matrix as text: the HTML data table that is the chart's text alternative
(what a screen reader, a search engine or a page without JavaScript gets instead of the
picture). The CSV download is made in the browser, from the page's figure
(`downloads()` in templates/assets/heatdoc.js)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from heatdoc.spec.model import Spec

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


def data_table(spec: Spec) -> DataTable | None:
    """The table of what each cell shows, its rows top to bottom as the chart draws them,
    or None when the matrix is too big to read as one."""
    rows, cols = spec.shape
    if rows * cols > TABLE_MAX_CELLS:
        return None
    x, y = labels(spec)
    fmt = spec.options.get("text_auto")
    fmt = fmt if isinstance(fmt, str) else None
    parts = (["text"] if spec.text is not None else []) + ["value"] + list(spec.layers)
    out = []
    # the values as read, also when `normalize` coloured the cells by others
    values = spec.read if spec.read is not None else spec.z
    for i, (label, zrow) in enumerate(zip(y, values.tolist())):
        cells = []
        for j, v in enumerate(zrow):
            shown = [str(spec.text[i][j])] if spec.text is not None else []
            shown.append("" if math.isnan(v) else format_value(v, fmt))
            shown.extend(_text(layer[i][j]) for layer in spec.layers.values())
            cells.append(" · ".join(s for s in shown if s))
        out.append(TableRow(label, tuple(cells)))
    if spec.options.get("origin") == "lower":  # the chart draws row 0 at the bottom: so does the table
        out.reverse()
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


def _text(value: Any) -> str:
    return "" if value is None else str(value)
