"""Long tables aggregated inside DuckDB: `GROUP BY` the y and x columns with the spec's
`agg`, and only the rows x columns result comes back into the matrix.

The answer is the one `pivot.pivot` gives (docs/data-sources.md): labels are the column's
values as text (`cells.as_text`), matched as text against the spec's `x`/`y` lists and
sorted by `pivot.sort_labels`; a value is a number or a gap by `cells.cell_number`'s
rules. DuckDB groups by each column's own values; heatdoc turns the few distinct values
into labels in Python, with the same function the pandas path uses. Whatever DuckDB
cannot answer exactly as that path would (a cell that is not a number, a duplicate
column name, a label type with no exact text, `first` of a CSV file whose row order
DuckDB does not expose) raises `Unsure`: the caller then reads the file the pandas way,
which reports the problem at its line as it always has.

`connect` is the one way heatdoc opens DuckDB: memory bounded by `memory_limit`, spills
in a folder of heatdoc's cache removed afterwards, no file access beyond the files
named, no extensions, and the settings locked before any SQL of a spec runs.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from heatdoc.sources.readers import ReadError

ENGINES = ("auto", "duckdb", "pandas")
# `auto`: a long table in a file at least this big (about 20,000 rows: CSV spends some
# 13 bytes a row, Parquet 6) is aggregated by DuckDB. Below it heatdoc's own reader and
# pandas are as fast or faster: importing and starting DuckDB costs about what the pandas
# path spends on 20,000 rows, and the pandas path's cost grows with every row while
# DuckDB's barely does (docs/performance.md). By size, not rows: counting a Parquet
# file's rows would import pyarrow, which the DuckDB path does without.
DUCKDB_BYTES = 256 << 10
DUCKDB_PARQUET_BYTES = 128 << 10
# A file DuckDB is unsure of goes to the pandas path only up to this size: beyond it that
# path would hold the whole table in memory just to name a bad cell's line.
HANDOVER_BYTES = 256 << 20
SECONDS = 60  # as sql.SQL_SECONDS: a spec's own query that runs longer is stopped (heatdoc's
# aggregation of a file is not: its time grows with the file, and a big one is expected)
LONG_FORMATS = (".parquet", ".csv", ".tsv", ".json", ".jsonl")
NUMBER_RE = r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"  # cells.NUMBER
# label types whose values come back as Python gives them to `as_text` (a DECIMAL or a
# HUGEINT would come back as a float)
_LABEL_TYPES = ("VARCHAR", "BOOLEAN", "DATE", "TINYINT", "SMALLINT", "INTEGER", "BIGINT",
                "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "JSON", "NULL", '"NULL"')
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
            "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE")


class Unsure(Exception):
    """DuckDB's answer could differ from the pandas path's (or that path's error message
    is the one to give): read the file the pandas way."""


def wants_duckdb(engine: str, paths: list[Path], pattern: bool) -> bool:
    """Is this long table aggregated by DuckDB? A glob or a .jsonl file always is (only
    DuckDB reads them); otherwise the setting decides, and `auto` goes by size."""
    suffix = paths[0].suffix.lower() if paths else ""
    if pattern or suffix == ".jsonl":
        return True
    if engine == "pandas" or suffix not in LONG_FORMATS:
        return False
    if engine == "duckdb":
        return True
    return paths[0].stat().st_size >= (DUCKDB_PARQUET_BYTES if suffix == ".parquet" else DUCKDB_BYTES)


@contextmanager
def connect(cache: Path, memory_limit: str, *, database: Path | None = None,
            readable: list[Path] = ()) -> Iterator[Any]:
    """A DuckDB connection that can read ``database`` (read-only) and the ``readable``
    files, nothing else: no other file, no URL, no extension, no setting changed later.
    Spills go to a new folder under ``cache`` that is removed afterwards."""
    import duckdb

    try:
        cache.mkdir(parents=True, exist_ok=True)
        spill = Path(tempfile.mkdtemp(prefix="duckdb-", dir=cache))
    except OSError:  # a read-only checkout: spill in the system's temporary folder instead
        spill = Path(tempfile.mkdtemp(prefix="heatdoc-duckdb-"))
    config = {"memory_limit": memory_limit, "temp_directory": str(spill),
              "autoinstall_known_extensions": False, "autoload_known_extensions": False,
              "threads": max(1, min(os.cpu_count() or 1, 8))}
    try:
        try:
            con = duckdb.connect(str(database) if database else ":memory:", read_only=database is not None,
                                 config=config)
        except duckdb.Error as exc:
            name = database.name if database else "DuckDB"
            raise ReadError(f"cannot open {name}: {first_line(exc)}") from None
        try:
            con.execute("SET enable_progress_bar = false")  # a build's output is heatdoc's
            if readable:
                con.execute("SET allowed_paths = ?", [[str(p) for p in readable]])
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
            yield con
        finally:
            con.close()
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def run(con: Any, sql: str, params: list | None = None, *, limit: float | None = None) -> Any:
    """``con.execute``, stopped after ``limit`` seconds when given (a spec's own query)."""
    if limit is None:
        return con.execute(sql, params or [])
    timer = threading.Timer(limit, con.interrupt)
    timer.start()
    try:
        return con.execute(sql, params or [])
    finally:
        timer.cancel()


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _scan(paths: list[Path], suffix: str, columns: dict[str, str] | None = None, *, order: bool = False) -> str:
    """The table function that reads ``paths`` (already checked to be inside the project);
    ``order``: with each row's file and place in it (Parquet)."""
    files = "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"
    if suffix == ".parquet":
        where = ", filename = true, file_row_number = true" if order else ""
        return f"read_parquet({files}, union_by_name = true{where})"
    if suffix in (".csv", ".tsv"):
        delim = "\\t" if suffix == ".tsv" else ","
        return (f"read_csv({files}, header = true, all_varchar = true, delim = E'{delim}', quote = '\"', "
                f"escape = '\"', comment = '', skip = 0, union_by_name = true, strict_mode = true, "
                f"null_padding = false)")
    kinds = ", ".join(f"{quote(n)}: 'JSON'" for n in columns or {})
    shape = "newline_delimited" if suffix == ".jsonl" else "array"
    fixed = f", columns = {{{kinds}}}" if columns else ""
    return f"read_json({files}, format = '{shape}', records = true, union_by_name = true{fixed})"


def _text_number(t: str, exact: bool) -> tuple[str, str]:
    """(value, bad) SQL for a text cell ``t`` read by `cells.cell_number`'s rules.

    The quick form casts and flags, as "bad", every field whose reading it is not sure of
    (DuckDB also casts `1_000`, `+-1`, `inf`; a long integer may lose digits in
    JavaScript; ` NA ` is a gap once stripped): a table with none is read exactly by it.
    The exact form (only when the quick one flagged a field) strips and matches
    `cells.NUMBER` as Python does; a field it flags is not a number, and the pandas
    path says where."""
    if not exact:
        v = f"TRY_CAST({t} AS DOUBLE)"
        gap = f"({t} IS NULL OR {t} IN ('', 'NA', 'NaN', 'nan', 'null'))"
        sure = (f"({v} IS NOT NULL AND isfinite({v}) AND length({t}) <= 15 AND NOT contains({t}, '_') "
                f"AND NOT regexp_matches({t}, '[+-][+-]'))")
        return f"CASE WHEN {gap} THEN NULL ELSE {v} END", f"(NOT {gap} AND NOT {sure})"
    s = "heatdoc_stripped"  # regexp_replace of t, once a row (`_stripped`)
    gap = (f"({t} IS NULL OR {s} IN ('', 'NA', 'NaN', 'nan', 'null') OR lower({s}) IN ('nan', '-nan', '+nan'))")
    ok = (f"(regexp_full_match({s}, '{NUMBER_RE}') AND NOT (length({s}) > 15 AND "
          f"regexp_full_match({s}, '[-+]?[0-9]+')) AND NOT coalesce(isinf(TRY_CAST({s} AS DOUBLE)), true))")
    return (f"CASE WHEN {gap} THEN NULL WHEN {ok} THEN TRY_CAST({s} AS DOUBLE) END",
            f"(NOT {gap} AND NOT {ok})")


def _text_of(col: str, kind: str) -> str | None:
    """The text a number is read from, for a text or JSON value column."""
    return col if kind == "VARCHAR" else f"({col}->>'$')" if kind == "JSON" else None


def _stripped(scan: str, col: str, kind: str) -> str:
    """``scan`` with the value's text stripped as Python's str.strip() would (ASCII
    whitespace; any other left at an end makes the field "bad", and the pandas path reads it)."""
    return (f"(SELECT *, regexp_replace({_text_of(col, kind)}, '^[ \\t\\n\\r\\f]+|[ \\t\\n\\r\\f]+$', "
            f"'', 'g') AS heatdoc_stripped FROM {scan})")


def _value(col: str, kind: str, exact: bool) -> tuple[str, str]:
    """(value as DOUBLE with NULL for a gap, bad) SQL of the value column."""
    if kind == "VARCHAR":
        return _text_number(col, exact)
    if kind == "JSON":
        number, bad = _text_number(f"({col}->>'$')", exact)
        is_number = f"json_type({col}) IN ('BIGINT', 'UBIGINT', 'DOUBLE')"
        return (f"CASE WHEN {is_number} THEN {col}::DOUBLE WHEN json_type({col}) = 'VARCHAR' THEN {number} END",
                f"({col} IS NOT NULL AND json_type({col}) <> 'NULL' AND NOT {is_number} AND "
                f"(json_type({col}) <> 'VARCHAR' OR {bad}))")
    if kind in _NUMERIC or kind.startswith("DECIMAL"):
        as_double = f"{col}::DOUBLE"
        return f"CASE WHEN isnan({as_double}) THEN NULL ELSE {as_double} END", f"coalesce(isinf({as_double}), false)"
    return "NULL::DOUBLE", f"({col} IS NOT NULL)"  # a boolean or a date is not a z number


def aggregate(con: Any, paths: list[Path], name: str, source: dict, kind: str,
              axes: dict[str, list]) -> tuple[list[str], list[str], np.ndarray | list[list[str]]]:
    """(x labels, y labels, cells) of the long table in ``paths``, aggregated by DuckDB.
    Raises Unsure (with the reason) for whatever the pandas path is to answer."""
    import duckdb

    from heatdoc.sources.cells import as_text
    from heatdoc.sources.pivot import number_text, sort_labels

    suffix = paths[0].suffix.lower()
    columns = _columns(con, paths, suffix, name)
    if suffix in (".json", ".jsonl"):
        columns = {n: "JSON" for n in columns}
    agg = source.get("agg") or ("mean" if kind == "z" else "first")
    scan = _scan(paths, suffix, columns if suffix in (".json", ".jsonl") else None, order=agg == "first")
    for key in ("x", "y", "value"):
        if key in source and source[key] not in columns:
            from heatdoc.errors import did_you_mean

            raise Unsure(f"no column {source[key]!r}{did_you_mean(source[key], list(columns))}; the columns "
                         f"are: {', '.join(columns)}")
    for axis in ("x", "y"):
        if columns[source[axis]] not in _LABEL_TYPES:
            raise Unsure(f"{columns[source[axis]]} labels")

    if agg == "first" and suffix != ".parquet":
        raise Unsure("first needs the file's row order")
    value = quote(source["value"]) if "value" in source else None
    value_kind = columns[source["value"]] if value else ""
    y, x = quote(source["y"]), quote(source["x"])
    try:
        for exact in (False, True):
            if exact and not _text_of(value, value_kind):
                raise Unsure(f"a value in column {source['value']!r} is not a number (or is infinite)")
            pick, bad = _pick(agg, kind, value, value_kind, exact, len(paths))
            # the groups go into a small in-memory table; labels come back once each (a
            # few hundred), and each group as two label numbers and its value
            source_rows = _stripped(scan, value, value_kind) if exact else scan
            run(con, "CREATE OR REPLACE TEMP TABLE heatdoc_groups AS "
                     f"SELECT {y} AS y, {x} AS x, {pick} AS v, bool_or({bad}) AS bad FROM {source_rows} GROUP BY ALL")
            if not run(con, "SELECT bool_or(bad) FROM heatdoc_groups").fetchone()[0]:
                break
        else:
            raise Unsure(f"a value in column {source['value']!r} is not a number (or is infinite, or an "
                         "integer beyond ±2^53)")
        distinct = {axis: [r[0] for r in run(con, f"SELECT DISTINCT {axis} FROM heatdoc_groups "
                                                  f"ORDER BY {axis} NULLS FIRST").fetchall()] for axis in ("x", "y")}
        result = run(con, "SELECT (dense_rank() OVER (ORDER BY y NULLS FIRST) - 1)::BIGINT AS yi, "
                          "(dense_rank() OVER (ORDER BY x NULLS FIRST) - 1)::BIGINT AS xi, v "
                          "FROM heatdoc_groups").fetchnumpy()
    except Unsure:
        raise
    except duckdb.InterruptException:  # Ctrl-C: not a reason to read it again with pandas
        raise KeyboardInterrupt from None
    except duckdb.Error as exc:  # a file DuckDB cannot parse as heatdoc would
        raise Unsure(first_line(exc)) from None
    if not len(result["v"]):
        raise Unsure("no data rows")

    json_values = suffix in (".json", ".jsonl")
    ids = {"x": np.asarray(result["xi"], dtype=np.intp), "y": np.asarray(result["yi"], dtype=np.intp)}
    texts = {axis: [_text(v, json_values, as_text) for v in distinct[axis]] for axis in ("x", "y")}
    # two values with one text (a JSON 2 and "2", a NULL and an empty string) would be
    # two cells here and one there: the pandas path combines them
    if any(len(set(t)) != len(t) for t in texts.values()):
        raise Unsure("two values share one label")
    chosen = {}
    for axis in ("x", "y"):
        if axes.get(axis) is not None:
            chosen[axis] = ["" if g is None else str(g) for g in axes[axis]]
            present = set(texts[axis])
            for label in chosen[axis]:
                if label not in present:
                    raise Unsure(f"{label!r} (of the spec's {axis} list) is not a value of column "
                                 f"{source[axis]!r}; its values are: {', '.join(sort_labels(present)[:12])}")
    keep = np.ones(len(result["v"]), dtype=bool)
    for axis, wanted in chosen.items():
        listed = set(wanted)
        keep &= np.array([t in listed for t in texts[axis]], dtype=bool)[ids[axis]]
    # each label's place on its axis (-1: not drawn)
    place = {}
    cats = {}
    for axis in ("x", "y"):
        used = set(np.unique(ids[axis][keep]).tolist())
        cats[axis] = chosen.get(axis) or sort_labels({texts[axis][i] for i in used})
        where = {label: k for k, label in enumerate(cats[axis])}
        place[axis] = np.array([where.get(t, -1) for t in texts[axis]], dtype=np.intp)
    rows = np.flatnonzero(keep)
    ri, ci = place["y"][ids["y"][rows]], place["x"][ids["x"][rows]]
    shape = (len(cats["y"]), len(cats["x"]))
    values = result["v"]
    if agg == "first" and kind != "z":
        grid = [[""] * shape[1] for _ in range(shape[0])]
        firsts = values.tolist()
        for r, c, i in zip(ri.tolist(), ci.tolist(), rows.tolist()):
            grid[r][c] = _text(firsts[i], json_values, as_text)
        return cats["x"], cats["y"], grid
    cells = np.full(shape, np.nan)
    cells[ri, ci] = _floats(values)[rows]
    if kind != "z":
        return cats["x"], cats["y"], [[number_text(v) for v in row] for row in cells.tolist()]
    return cats["x"], cats["y"], cells


def _pick(agg: str, kind: str, value: str | None, value_kind: str, exact: bool, files: int) -> tuple[str, str]:
    """(the aggregate, the "bad" flag) SQL of one group."""
    if agg == "first":
        order = "{'f': filename, 'r': file_row_number}" if files > 1 else "file_row_number"
        if kind != "z":  # the first row's text as written, a gap included
            return f"arg_min_null({value}, {order})", "false"
        number, bad = _value(value, value_kind, exact)
        return f"arg_min({number}, {order}) FILTER (WHERE ({number}) IS NOT NULL)", bad
    if not value:
        return "count(*)", "false"
    number, bad = _value(value, value_kind, exact)
    sql_agg = {"sum": "sum", "mean": "avg", "median": "median", "min": "min", "max": "max", "count": "count"}
    return f"{sql_agg[agg]}({number})", bad


def _columns(con: Any, paths: list[Path], suffix: str, name: str) -> dict[str, str]:
    """Column name -> DuckDB type; Unsure when the header is not what heatdoc reads (a
    duplicate name DuckDB would rename, a file it cannot parse)."""
    try:
        described = run(con, f"DESCRIBE SELECT * FROM {_scan(paths, suffix)}").fetchall()
    except Exception as exc:
        raise Unsure(first_line(exc)) from None
    columns = {row[0]: row[1] for row in described}
    columns.pop("filename", None)
    columns.pop("file_row_number", None)
    if suffix in (".csv", ".tsv"):
        from heatdoc.sources.readers import DELIMITERS, records

        for path in paths:
            try:
                header = next(records(path, DELIMITERS[suffix]))[1]
            except (StopIteration, ReadError):
                raise Unsure("no header") from None
            if len(set(header)) != len(header) or not set(header) <= set(columns):
                raise Unsure("the header differs")
    elif suffix == ".parquet":
        for path in paths:  # DuckDB would rename a second column of one name
            names = [r[0] for r in run(con, "SELECT name FROM parquet_schema(?) WHERE num_children IS NULL",
                                       [str(path)]).fetchall()]
            if len(set(names)) != len(names):
                raise Unsure("duplicate column names")
    return columns


def _text(value: Any, json_value: bool, as_text: Any) -> str:
    """A value as the pandas path writes it (a JSON value is parsed first, as it reads it)."""
    import orjson

    if value is None:
        return ""
    if json_value:
        return as_text(orjson.loads(value))
    return as_text(value.item() if isinstance(value, np.generic) else value)


def _floats(values: Any) -> np.ndarray:
    if isinstance(values, np.ma.MaskedArray):
        return values.astype(np.float64).filled(np.nan)
    return np.asarray(values, dtype=np.float64)
