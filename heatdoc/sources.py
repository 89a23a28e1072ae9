"""Matrix sources: where the cells of `z`, `text` and each `customdata` layer come from.

Every form in SPEC.md ("Matrix values") is read here into a `Matrix`. `z` becomes a
float64 array with NaN for a missing cell; `text` and customdata layers read from
files keep each field's text as written.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .errors import HeatdocError
from .load import Document

Kind = Literal["z", "text", "layer"]
MISSING = frozenset({"", "NA", "NaN", "nan", "null"})


@dataclass
class Matrix:
    """Cells in rows, plus the labels the source carried (None when it had none)."""

    cells: Any  # np.ndarray (z) or list of rows (text, layers)
    x: list[str] | None = None
    y: list[str] | None = None

    @property
    def shape(self) -> tuple[int, int]:
        if isinstance(self.cells, np.ndarray):
            return self.cells.shape  # type: ignore[return-value]
        return len(self.cells), len(self.cells[0]) if self.cells else 0


@dataclass
class ReadContext:
    """What a source needs beyond the spec: the project folder (paths may not leave it),
    the size limit, and the tables already read in this build (each file is read once)."""

    root: Path
    max_cells: int = 5_000_000
    tables: dict[Any, Any] = field(default_factory=dict)


def read_matrix(doc: Document, keys: tuple, source: Any, kind: Kind, ctx: ReadContext) -> Matrix:
    """Read the matrix at ``keys`` of ``doc``; raise HeatdocError at its line."""
    if isinstance(source, list):
        matrix = _inline(doc, keys, source, kind)
    elif "random" in source:
        matrix = _random(source)
    elif "file" in source:
        path = safe_path(doc, keys + ("file",), source["file"], ctx.root)
        matrix = _wide_csv(doc, keys, path, source.get("labels", True), kind, ctx)
    else:  # the schema has already refused anything else
        raise HeatdocError([doc.error(keys, "unsupported matrix source")])
    rows, cols = matrix.shape
    if rows * cols > ctx.max_cells:
        raise HeatdocError([doc.error(keys, f"the matrix has {rows:,} x {cols:,} = {rows * cols:,} cells, "
                                            f"more than max_cells ({ctx.max_cells:,})")])
    return matrix


def _inline(doc: Document, keys: tuple, rows: list, kind: Kind) -> Matrix:
    width = len(rows[0])
    errors = [doc.error(keys + (i,), f"row {i} has {_cells(len(r))}; row 0 has {_cells(width)}")
              for i, r in enumerate(rows) if len(r) != width]
    if kind != "z":
        if errors:
            raise HeatdocError(errors)
        if kind == "text":
            rows = [["" if c is None else str(c) for c in r] for r in rows]
        return Matrix(rows)
    for i, r in enumerate(rows):
        for j, c in enumerate(r):
            if c is not None and (isinstance(c, (bool, str)) or not isinstance(c, (int, float))):
                errors.append(doc.error(keys + (i, j), f"a z cell must be a number or null, not {c!r}"))
    if errors:
        raise HeatdocError(errors)
    return Matrix(np.array([[math.nan if c is None else c for c in r] for r in rows], dtype=np.float64))


def _cells(n: int) -> str:
    return f"{n} cell" if n == 1 else f"{n} cells"


def _random(source: dict) -> Matrix:
    rows, cols = source["shape"]
    # The legacy global generator on purpose: the seed page's examples use
    # numpy.random.seed + randn, and a spec must draw exactly what they drew.
    state = np.random.RandomState(source.get("seed", 0))
    cells = state.randn(rows, cols) if source["random"] == "normal" else state.random_sample((rows, cols))
    return Matrix(cells)


def safe_path(doc: Document, keys: tuple, value: str, root: Path) -> Path:
    """Resolve a data path relative to the spec; refuse anything that leaves the project."""
    def refuse(message: str) -> HeatdocError:
        return HeatdocError([doc.error(keys, message)])

    if "\x00" in value:
        raise refuse("a path cannot contain a NUL character")
    if "://" in value or value.lower().startswith(("file:", "http:", "https:", "ftp:", "s3:")):
        raise refuse(f"{value!r} is a URL; heatdoc reads only files inside the project")
    if value.startswith("~"):
        raise refuse(f"{value!r} points into a home folder; use a path relative to the spec")
    if Path(value).is_absolute():
        raise refuse(f"{value!r} is an absolute path; use a path relative to the spec")
    path = (doc.path.parent / value)
    root_real = root.resolve()
    real = path.resolve()
    if not real.is_relative_to(root_real):
        raise refuse(f"{value!r} leads outside the project folder {root_real}")
    if not real.exists():
        raise refuse(f"no such file: {value!r} (looked for {path})")
    if not real.is_file():
        raise refuse(f"{value!r} is not a file")
    return real


def _wide_csv(doc: Document, keys: tuple, path: Path, labels: bool, kind: Kind, ctx: ReadContext) -> Matrix:
    import pandas as pd

    cache_key = ("csv", path)
    if cache_key not in ctx.tables:
        try:
            ctx.tables[cache_key] = pd.read_csv(path, header=None, dtype=str, keep_default_na=False,
                                                na_filter=False, encoding="utf-8")
        except (UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
            raise HeatdocError([doc.error(keys + ("file",), f"cannot read {path.name}: {exc}")]) from None
    table = ctx.tables[cache_key]
    if table.empty:
        raise HeatdocError([doc.error(keys + ("file",), f"{path.name} is empty")])
    grid = table.to_numpy(dtype=object)
    x = y = None
    if labels:
        x, y, grid = [str(v) for v in grid[0, 1:]], [str(v) for v in grid[1:, 0]], grid[1:, 1:]
        if grid.size == 0:
            raise HeatdocError([doc.error(keys + ("file",), f"{path.name} has labels but no cells")])
    if kind != "z":
        return Matrix(grid.tolist(), x, y)
    cells = np.empty(grid.shape, dtype=np.float64)
    offset = 2 if labels else 1
    for (i, j), value in np.ndenumerate(grid):
        text = value.strip()
        if text in MISSING:
            cells[i, j] = math.nan
            continue
        try:
            cells[i, j] = float(text)
        except ValueError:
            raise HeatdocError([doc.error(keys + ("file",), f"{path.name}, row {i + offset}, column "
                                          f"{j + offset}: {value!r} is not a number")]) from None
        if math.isinf(cells[i, j]):
            raise HeatdocError([doc.error(keys + ("file",), f"{path.name}, row {i + offset}, column "
                                          f"{j + offset}: {value!r} is infinite")])
    return Matrix(cells, x, y)
