"""Matrix sources: where the cells of `z`, `text` and each `customdata` layer come from.

Every form of docs/data-sources.md (and docs/spec.md, "The matrix") is read here into a
`Matrix`: inline rows, wide tables, long tables pivoted, correlation matrices, SQLite
queries and generated data. `z` becomes a float64 array with NaN for a missing cell;
`text` and customdata layers read from files keep each field's text as written. The file
formats are read by `readers`, SQLite queries run in `sql`, what a cell means is decided
in `cells`, and wide tables, the pivot and the correlation live in `pivot`.
"""
from __future__ import annotations

import errno
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from heatdoc.errors import HeatdocError, SpecError, display_path
from heatdoc.paths import is_inside, resolve
from heatdoc.sources import readers, sql
from heatdoc.sources.readers import DELIMITERS, FORMATS, ReadError
from heatdoc.spec.load import Document
from heatdoc.spec.model import Kind, Matrix


@dataclass
class ReadContext:
    """What a source needs beyond the spec: the project folder (paths may not leave it),
    the size limit, and the tables already read in this build (each file is read once)."""

    root: Path
    max_cells: int = 5_000_000
    tables: dict[Any, Any] = field(default_factory=dict)

    def cached(self, key: tuple, read: Callable[[], Any]) -> Any:
        """``read()`` once per key; a file that fails is not read again either."""
        if key not in self.tables:
            try:
                self.tables[key] = read()
            except ReadError as exc:
                self.tables[key] = exc
        value = self.tables[key]
        if isinstance(value, ReadError):
            raise value
        return value


def _as_written(value: Any) -> str:
    """A cell as the YAML said it: true, not Python's True."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def read_matrix(doc: Document, keys: tuple, source: Any, kind: Kind, ctx: ReadContext, *,
                axes: dict[str, list] | None = None, split: tuple[tuple, str] | None = None) -> Matrix:
    """Read the matrix at ``keys`` of ``doc``; raise HeatdocError at its line.

    ``axes`` holds the spec's top-level ``x``/``y`` lists: a long table uses them to
    select and order its categories (a wide table's labels are replaced by validate).
    ``split``: (the spec key, a column name) that splits a long table into panels
    (`pivot.split_pivot`); any other source is an error at that key."""
    if split is not None and (not isinstance(source, dict) or not _is_long(source)):
        raise HeatdocError([doc.error(split[0], f"splits a long table by one of its columns; "
                                                f"{'.'.join(map(str, keys))} is not a long table "
                                                "(give it x, y and value columns)")])
    if isinstance(source, list):
        matrix = _inline(doc, keys, source, kind)
    elif "random" in source:
        _check_size(doc, keys, *source["shape"], ctx)  # before a huge shape is generated
        matrix = _random(source)
    else:
        try:
            matrix = _from_table(doc, keys, source, kind, ctx, axes or {}, split)
        except ReadError as exc:
            # a problem with the file is at its path; one with what it holds is at the
            # path too, or at the query that produced it
            where = {"path": "database", "data": "sql"} if "sql" in source else {"path": "file", "data": "file"}
            at = where.get(exc.key, exc.key)
            raise HeatdocError([doc.error(keys + (at,), exc.message)]) from None
    rows, cols = matrix.shape
    _check_size(doc, keys, rows * len(matrix.panels or [None]), cols, ctx)
    return matrix


def _check_size(doc: Document, keys: tuple, rows: int, cols: int, ctx: ReadContext) -> None:
    if rows * cols > ctx.max_cells:
        raise HeatdocError([doc.error(keys, f"the matrix has {rows:,} x {cols:,} = {rows * cols:,} cells, "
                                            f"more than max_cells ({ctx.max_cells:,})")])


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
                errors.append(doc.error(keys + (i, j), f"a z cell must be a number or null, not {_as_written(c)}"))
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
    """Resolve a data path relative to the spec; refuse anything that leaves the project.
    Nothing is opened before the path has passed every check."""
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
    shown = value if len(value) <= 80 else value[:60] + "…"
    try:
        real = Path(resolve(path))  # follows symlinks: one that leads out is caught here
        if not is_inside(real, root_real):
            raise refuse(f"{value!r} leads outside the project folder {root_real}")
        if not real.exists():
            raise refuse(f"no such file: {value!r} (looked for {display_path(real)})")
        if not real.is_file():  # a folder, a FIFO or a device: nothing a build may wait on
            raise refuse(f"{value!r} is not a file")
    except OSError as exc:  # a loop, a name too long, no permission
        if exc.errno == errno.ELOOP:
            raise refuse(f"{shown!r} is a symbolic link that leads back to itself") from None
        raise refuse(f"cannot open {shown!r}: {exc.strerror or exc}") from None
    return real


def _from_table(doc: Document, keys: tuple, source: dict, kind: Kind, ctx: ReadContext,
                axes: dict[str, list], split: tuple[tuple, str] | None = None) -> Matrix:
    from heatdoc.sources import pivot

    errors = _combination_errors(doc, keys, source)
    if errors:
        raise HeatdocError(errors)
    long = _is_long(source)
    if "sql" in source:
        path = safe_path(doc, keys + ("database",), source["database"], ctx.root)
        query = source["sql"]
        table = ctx.cached(("sql", path, _stamp(path), query), lambda: sql.read_sql(path, query))
    else:
        path = safe_path(doc, keys + ("file",), source["file"], ctx.root)
        suffix = path.suffix.lower()
        if suffix not in FORMATS:
            raise HeatdocError([doc.error(keys + ("file",), f"cannot read {suffix or 'a file without an extension'}"
                                          f" files; heatdoc reads {', '.join(FORMATS)}")])
        labels, sheet = source.get("labels", True), source.get("sheet")
        if kind == "z" and not long and "corr" not in source:
            # A z matrix is kept as float64 only, not as the table it came from: a big
            # matrix then costs its own bytes once. CSV and TSV numbers go straight to float64.
            def read_numbers() -> tuple:
                if suffix == ".parquet":
                    return pivot.parquet_numbers(path.name, readers.parquet_column_groups(path), labels)
                if suffix not in DELIMITERS:
                    return pivot.wide_numbers(readers.read_table(path, sheet=sheet), labels)
                x, y, cells = readers.read_delimited_numbers(path, DELIMITERS[suffix], labels)
                pivot.check_unique(path.name, x, y)
                return x, y, cells
            x, y, cells = ctx.cached(("numbers", path, _stamp(path), labels, sheet), read_numbers)
            cells.flags.writeable = False  # shared by every spec that reads this file
            return Matrix(cells, x, y)
        table = ctx.cached(("table", path, _stamp(path), sheet), lambda: readers.read_table(path, sheet=sheet))
    if "corr" in source:
        return pivot.correlation(table, source["corr"], kind)
    if long and split is not None:
        return pivot.split_pivot(doc, keys, table, source, kind, axes, split)
    if long:
        return pivot.pivot(doc, keys, table, source, kind, axes)
    return pivot.wide(table, source.get("labels", True), kind)


def _is_long(source: dict) -> bool:
    return "corr" not in source and any(k in source for k in ("x", "y", "value", "agg"))


def _combination_errors(doc: Document, keys: tuple, source: dict) -> list[SpecError]:
    """Keys that cannot go together, each reported at itself."""
    errors = []
    long = [k for k in ("x", "y", "value", "agg") if k in source]
    if "corr" in source:
        errors += [doc.error(keys + (k,), f"{k!r} is for a long table; corr uses every numeric column "
                                          "of a wide table", of_key=True) for k in long]
    elif long:
        for k in ("x", "y"):
            if k not in source:
                errors.append(doc.error(keys, f"a long table needs x, y and value columns; {k!r} is missing"))
        if "value" not in source and source.get("agg") != "count":
            errors.append(doc.error(keys, "a long table needs x, y and value columns; 'value' is missing "
                                          "(or use agg: count to count rows)"))
    if (long or "corr" in source) and source.get("labels") is False:
        errors.append(doc.error(keys + ("labels",), "labels: false reads a bare grid; a long table and corr "
                                                    "name their columns in the header row"))
    if "sheet" in source and not str(source.get("file", "")).lower().endswith(".xlsx"):
        errors.append(doc.error(keys + ("sheet",), "sheet applies to .xlsx files only"))
    return errors


def _stamp(path: Path) -> tuple[int, int]:
    # a long-running `heatdoc serve` keeps no stale table: a changed file is a new key
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size
