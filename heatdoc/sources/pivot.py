"""Tables to matrices: a wide table as it is, a long table pivoted, a correlation matrix.

A `readers.Table` holds a file's raw cells. Here they become `z` numbers (NaN for a
gap) or text as written, under labels that are unique and kept as text.
"""
from __future__ import annotations

import math
from typing import Any, Iterator

import numpy as np

from heatdoc.errors import HeatdocError, did_you_mean
from heatdoc.jsonout import SAFE_INT
from heatdoc.sources.cells import NUMBER, NotANumber, as_text, cell_number
from heatdoc.sources.readers import ReadError, Table, only_labels
from heatdoc.spec.load import Document
from heatdoc.spec.model import Kind, Matrix


class BadCell(Exception):
    def __init__(self, row: int, text: str, reason: str):
        super().__init__(reason)
        self.row, self.text, self.reason = row, text, reason


def wide_numbers(table: Table, labels: bool) -> tuple[list[str] | None, list[str] | None, np.ndarray]:
    """(x labels, y labels, float64 cells) of a wide table."""
    matrix = wide(table, labels, "z")
    return matrix.x, matrix.y, matrix.cells


def parquet_numbers(name: str, groups: Iterator[tuple[int, list[str], int, list]], labels: bool
                    ) -> tuple[list[str] | None, list[str] | None, np.ndarray]:
    """`wide_numbers` of a Parquet file read a group of columns at a time into one array."""
    cells = np.empty((0, 0))
    x = y = None
    for total, names, start, cols in groups:
        if start == 0:
            if labels and len(names) < 2:
                raise only_labels(name)
            cells = np.empty((total, len(names) - labels), dtype=np.float64)
            if labels:
                x, y = names[1:], [as_text(v) for v in _values(cols[0])]
                cols, start = cols[1:], 1
        block = numbers(Table(name, cols, names), cols, 0, start, names)
        cells[:, start - labels:start - labels + block.shape[1]] = block
    check_unique(name, x, y)
    return x, y, cells


def wide(table: Table, labels: bool, kind: Kind) -> Matrix:
    """Header = x labels, first column = y labels; or, without labels, every cell."""

    header, cols, skip = _body(table, labels)
    x = y = None
    first = 0
    if labels:
        _need_rows(table, skip)
        if len(cols) < 2:
            raise only_labels(table.name)
        x, y = header[1:], [as_text(v) for v in _values(cols[0])]  # type: ignore[index]
        check_unique(table.name, x, y)
        cols, first = cols[1:], 1
    if kind == "z":
        return Matrix(numbers(table, cols, skip, first, header), x, y)
    return Matrix(_text_rows(cols), x, y)


def pivot(doc: Document, keys: tuple, table: Table, source: dict, kind: Kind,
          axes: dict[str, list], *, where: np.ndarray | None = None) -> Matrix:
    """A long table (one row per observation) pivoted to a matrix: a cell per (y, x)
    pair, its rows combined by ``agg``; a pair no row has is a gap. ``where``: only
    the data rows it marks True (`split_pivot`)."""
    import pandas as pd


    header, cols, skip = _body(table, True)
    assert header is not None
    _need_rows(table, skip)
    errors, index = [], {}
    for key in ("x", "y", "value"):
        if key in source:
            name = source[key]
            hits = [j for j, h in enumerate(header) if h == name]
            if len(hits) == 1:
                index[key] = hits[0]
            elif hits:
                errors.append(doc.error(keys + (key,), f"{table.name} has {len(hits)} columns named {name!r}; "
                                                       "rename them apart"))
            else:
                errors.append(doc.error(keys + (key,), f"no column {name!r} in {table.name}"
                                                       f"{did_you_mean(name, header)}; the columns are: "
                                                       f"{', '.join(header)}"))
    if errors:
        raise HeatdocError(errors)

    labels = {axis: [as_text(v) for v in _values(cols[index[axis]])] for axis in ("x", "y")}
    keep = np.ones(table.nrows - skip, dtype=bool)
    chosen: dict[str, list[str]] = {}
    for axis in ("x", "y"):
        if axes.get(axis) is None:
            continue
        # the spec's labels are text; the column's values are compared as text too,
        # so x: ["2", "3"] picks the integers 2 and 3
        wanted = ["" if g is None else str(g) for g in axes[axis]]
        present = set(labels[axis])
        for i, label in enumerate(wanted):
            if label not in present:
                values = sort_labels(present)
                listed = ", ".join(values[:12]) + (", ..." if len(values) > 12 else "")
                errors.append(doc.error((axis, i), f"{label!r} is not a value of column {source[axis]!r} in "
                                                   f"{table.name}{did_you_mean(label, values)}; its values "
                                                   f"are: {listed}"))
        keep &= np.isin(np.array(labels[axis], dtype=object), wanted)
        chosen[axis] = wanted
    if errors:
        raise HeatdocError(errors)
    if where is not None:
        keep &= where

    rows = np.flatnonzero(keep)
    cats = {axis: chosen.get(axis) or sort_labels({labels[axis][i] for i in rows}) for axis in ("x", "y")}
    pos = {axis: {label: k for k, label in enumerate(cats[axis])} for axis in ("x", "y")}
    ci = np.array([pos["x"][labels["x"][i]] for i in rows], dtype=np.intp)
    ri = np.array([pos["y"][labels["y"][i]] for i in rows], dtype=np.intp)
    shape = (len(cats["y"]), len(cats["x"]))
    # text cannot be averaged: text and customdata keep the first row's text unless told
    agg = source.get("agg") or ("mean" if kind == "z" else "first")

    if agg == "first" and kind != "z":
        values = _values(cols[index["value"]])
        grid = [[""] * shape[1] for _ in range(shape[0])]
        seen: set[tuple[int, int]] = set()
        for r, c, i in zip(ri.tolist(), ci.tolist(), rows.tolist()):
            if (r, c) not in seen:
                seen.add((r, c))
                grid[r][c] = as_text(values[i])
        return Matrix(grid, cats["x"], cats["y"])

    if "value" in source:
        numbers_of_rows = numbers(table, [cols[index["value"]]], skip, index["value"], header)[rows, 0]
    else:
        numbers_of_rows = np.ones(len(rows))
    grouped = pd.DataFrame({"r": ri, "c": ci, "v": numbers_of_rows}).groupby(["r", "c"], sort=False)["v"]
    if agg == "sum":
        result = grouped.sum(min_count=1)  # a cell of gaps only stays a gap, not 0
    elif agg == "count":
        result = grouped.count() if "value" in source else grouped.size()
    else:
        result = getattr(grouped, agg)()
    cells = np.full(shape, np.nan)
    cells[result.index.get_level_values(0), result.index.get_level_values(1)] = result.to_numpy(np.float64)
    if kind != "z":
        return Matrix([[number_text(v) for v in row] for row in cells.tolist()], cats["x"], cats["y"])
    return Matrix(cells, cats["x"], cats["y"])


def split_pivot(doc: Document, keys: tuple, table: Table, source: dict, kind: Kind,
                axes: dict[str, list], split: tuple[tuple, str]) -> Matrix:
    """A long table pivoted once for each value of another column (``split``: the spec
    key that names it, and its name), in label order: the panels of a facet or the frames
    of an animation. Every panel has the x and y labels of the whole table, so panels line
    up cell by cell; the first panel is returned, with all of them in ``panels``."""
    header, cols, skip = _body(table, True)
    assert header is not None
    key, name = split
    hits = [j for j, h in enumerate(header) if h == name]
    if len(hits) != 1:
        problem = (f"{table.name} has {len(hits)} columns named {name!r}; rename them apart" if hits else
                   f"no column {name!r} in {table.name}{did_you_mean(name, header)}; the columns are: "
                   f"{', '.join(header)}")
        raise HeatdocError([doc.error(key, problem)])
    whole = pivot(doc, keys, table, source, kind, axes)
    values = np.array([as_text(v) for v in _values(cols[hits[0]])], dtype=object)
    shared = {"x": whole.x, "y": whole.y}
    panels = [(label, pivot(doc, keys, table, source, kind, shared, where=values == label))
              for label in sort_labels(set(values.tolist()))]
    first = panels[0][1]
    return Matrix(first.cells, first.x, first.y, panels=panels)


def correlation(table: Table, method: str, kind: Kind) -> Matrix:
    """The correlation matrix of the numeric columns, labelled by column name; each pair
    uses the rows where both have a value (as pandas' DataFrame.corr)."""
    import pandas as pd


    header, cols, skip = _body(table, True)
    assert header is not None
    _need_rows(table, skip)
    names, series, places = [], [], []
    for j, (name, col) in enumerate(zip(header, cols)):
        try:
            values = column_numbers(col)
        except BadCell:
            continue  # a text column: not correlated
        if not np.isnan(values).all():
            names.append(name)
            series.append(values)
            places.append(j + 1)
    if not names:
        raise ReadError(f"{table.name} has no numeric column to correlate (columns: {', '.join(header)})", key="data")
    twice = _first_duplicate(names)
    if twice:
        i, j = twice
        raise ReadError(f"{table.name}: columns {places[i]} and {places[j]} are both named {names[i]!r}; "
                        "labels must be unique", key="data")
    data = np.column_stack(series)
    cells = kendall_matrix(data) if method == "kendall" else pd.DataFrame(data).corr(method=method).to_numpy()
    if kind != "z":
        return Matrix([[number_text(v) for v in row] for row in cells.tolist()], names, list(names))
    return Matrix(cells, names, list(names))


def check_unique(name: str, x: list[str] | None, y: list[str] | None) -> None:
    """Duplicate labels are an error: Plotly would draw both in one place (pandas would
    have renamed the second `a.1`)."""
    for labels, offset, what in ((x, 2, "columns"), (y, 1, "data rows")):
        twice = _first_duplicate(labels or [])
        if twice:
            i, j = twice
            raise ReadError(f"{name}: {what} {i + offset} and {j + offset} are both labelled "
                            f"{labels[i]!r}; labels must be unique", key="data")  # type: ignore[index]


def numbers(table: Table, cols: list, skip: int, first: int, header: list[str] | None) -> np.ndarray:
    """Columns as float64 cells; a cell that is not a number is an error naming the
    file, row, column and text. ``first`` is the table column of ``cols[0]``."""
    cells = np.empty((table.nrows - skip, len(cols)), dtype=np.float64)
    header = header if header is not None else table.names  # Parquet names columns even unlabelled
    for j, col in enumerate(cols):
        try:
            cells[:, j] = column_numbers(col)
        except BadCell as bad:
            c = first + j
            name = f" ({header[c]!r})" if header is not None else ""
            raise ReadError(f"{table.name}, {table.where(skip + bad.row, c)}{name}: {bad.text!r} "
                            f"{bad.reason}", key="data") from None
    return cells


def column_numbers(col: Any) -> np.ndarray:
    """One column as float64 (NaN for a gap); BadCell at the first cell that is not a number."""
    floats = _arrow_floats(col)
    if floats is not None and not np.isinf(floats).any():
        return floats
    values = _values(col)
    out = np.empty(len(values), dtype=np.float64)
    for i, value in enumerate(values):
        try:
            out[i] = cell_number(value)
        except NotANumber as exc:
            raise BadCell(i, as_text(value), str(exc)) from None
    return out


def sort_labels(labels: set[str]) -> list[str]:
    """Numbers in numeric order (2 before 10) when every label is one, else text order."""
    if labels and all(NUMBER.match(label.strip()) for label in labels):
        return sorted(labels, key=lambda t: (float(t), t))
    return sorted(labels)


def number_text(value: float) -> str:
    if math.isnan(value):
        return ""
    return str(int(value)) if value.is_integer() and abs(value) < SAFE_INT else repr(value)


def kendall_matrix(data: np.ndarray) -> np.ndarray:
    n = data.shape[1]
    out = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            out[i, j] = out[j, i] = kendall_tau(data[:, i], data[:, j])
    return out


def kendall_tau(a: np.ndarray, b: np.ndarray) -> float:
    """Kendall's tau-b of the rows where both have a value (pandas' kendall needs scipy;
    this is Knight's O(n log n) method: sort by (a, b), count the inversions left in b)."""
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    n = len(a)
    if n < 2:
        return math.nan
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    pairs = n * (n - 1) // 2
    tied_a = _tied_pairs(a)
    tied_b = _tied_pairs(np.sort(b))
    runs = np.diff(np.concatenate(([0], np.flatnonzero((np.diff(a) != 0) | (np.diff(b) != 0)) + 1, [n])))
    tied_ab = int((runs * (runs - 1) // 2).sum())
    discordant = _inversions(np.unique(b, return_inverse=True)[1])
    score = pairs - tied_a - tied_b + tied_ab - 2 * discordant
    denominator = math.sqrt((pairs - tied_a) * (pairs - tied_b))
    return score / denominator if denominator else math.nan


def _tied_pairs(sorted_values: np.ndarray) -> int:
    runs = np.diff(np.concatenate(([0], np.flatnonzero(np.diff(sorted_values) != 0) + 1, [len(sorted_values)])))
    return int((runs * (runs - 1) // 2).sum())


def _inversions(ranks: np.ndarray) -> int:
    """Pairs i < j with ranks[i] > ranks[j], by a bottom-up merge sort done level by
    level in numpy: each block pair is shifted into its own value range, so one global
    sort merges them all and one searchsorted counts the inversions."""
    values = ranks.astype(np.int64)
    n = len(values)
    span = int(values.max()) + 1 if n else 1
    index = np.arange(n)
    total, width = 0, 1
    while width < n:
        pair = index // (2 * width)
        right = (index // width) % 2 == 1
        shifted = values + pair * span
        left_sorted = shifted[~right]  # sorted: each left block is, and blocks ascend
        r = shifted[right]
        r_pair = pair[right]
        left_end = np.searchsorted(left_sorted, (r_pair + 1) * span, side="left")
        greater = left_end - np.searchsorted(left_sorted, r, side="right")
        total += int(greater.sum())
        values = np.sort(shifted) - pair * span
        width *= 2
    return total


def _body(table: Table, labels: bool) -> tuple[list[str] | None, list, int]:
    """(header, data columns, table row of the first data row)."""
    if table.names is not None:
        return (table.names if labels else None), table.columns, 0
    if labels:
        return [as_text(c[0]) for c in table.columns], [c[1:] for c in table.columns], 1
    return None, table.columns, 0


def _need_rows(table: Table, skip: int) -> None:
    if table.nrows <= skip:
        raise ReadError(f"{table.name} has a header row but no data rows", key="data")


def _values(col: Any) -> list:
    return col.to_pylist() if hasattr(col, "to_pylist") else col


def _arrow_floats(col: Any) -> np.ndarray | None:
    """A numeric Parquet column straight to float64 (nulls become NaN), else None."""
    if not hasattr(col, "type"):
        return None
    import pyarrow as pa

    kind = col.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return np.asarray(col.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False), dtype=np.float64)
    return None


def _text_rows(cols: list) -> list[list[str]]:
    return [list(row) for row in zip(*([as_text(v) for v in _values(c)] for c in cols))]


def _first_duplicate(labels: list[str]) -> tuple[int, int] | None:
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):
        if label in seen:
            return seen[label], i
        seen[label] = i
    return None
