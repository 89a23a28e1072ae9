"""Data file readers: each format becomes a `Table` of raw cells, read by heatdoc itself.

Paths are never handed to pandas: pandas treats a string as a possible URL, turns
`NA`, `None`, `n/a` into missing values and `007` into 7, and renames a duplicate
column `a.1`. Here a cell stays what the file holds (text for CSV, typed values for
JSON, Excel, Parquet and SQLite) and `sources` decides what it means.

Every problem is a `ReadError` naming the key of the source it belongs to. SQLite
queries are run by `sql`.
"""
from __future__ import annotations

import csv
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import orjson

from heatdoc.jsonout import SAFE_INT
from heatdoc.sources.cells import MISSING, NotANumber, cell_number

FORMATS = (".csv", ".tsv", ".json", ".parquet", ".xlsx")
DELIMITERS = {".csv": ",", ".tsv": "\t"}


class ReadError(Exception):
    """A problem with a data source; ``key`` is the source key it is reported at:
    "path" (the file or database), "sheet" or "sql"."""

    def __init__(self, message: str, key: str = "path"):
        super().__init__(message)
        self.message, self.key = message, key


@dataclass
class Table:
    """A file's cells, by column.

    ``names`` holds the column names when the format keeps them apart from the cells
    (JSON records/split, Parquet, SQL). Otherwise (CSV, TSV, Excel, JSON list of rows)
    it is None and row 0 is the header row, or data when read with ``labels: false``.
    A column is a list of values, or a pyarrow ChunkedArray (Parquet).
    """

    name: str
    columns: list[Any]
    names: list[str] | None = None
    row_numbers: list[int] | None = None  # where each row is in the file, when not 1, 2, 3, ...
    row_word: str = "row"
    excel_column: int | None = None  # Excel: the sheet column of column 0 (0 = A)

    @property
    def nrows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def where(self, row: int, col: int) -> str:
        """'line 4, column 3' / 'cell C4': where row ``row`` and column ``col`` are in the file."""
        number = self.row_numbers[row] if self.row_numbers else row + 1
        if self.excel_column is not None:
            from openpyxl.utils import get_column_letter

            return f"cell {get_column_letter(self.excel_column + col + 1)}{number}"
        return f"{self.row_word} {number}, column {col + 1}"


def read_table(path: Path, *, sheet: str | int | None = None) -> Table:
    """Read a data file by its extension (already checked against FORMATS)."""
    suffix = path.suffix.lower()
    try:
        if path.stat().st_size == 0:
            raise ReadError(f"{path.name} is empty")
        if suffix in DELIMITERS:
            return read_delimited(path, DELIMITERS[suffix])
        if suffix == ".json":
            return read_json(path)
        if suffix == ".parquet":
            return read_parquet(path)
        return read_xlsx(path, sheet)
    except OSError as exc:
        raise ReadError(f"cannot read {path.name}: {exc.strerror or exc}") from None


# --- CSV and TSV -------------------------------------------------------------------

def read_delimited(path: Path, delimiter: str) -> Table:
    """Every field as text, exactly as written; blank lines are skipped."""
    lines, rows = [], []
    for line, row in records(path, delimiter):
        lines.append(line)
        rows.append(row)
    if not rows:
        raise ReadError(f"{path.name} is empty")
    return Table(path.name, [list(col) for col in zip(*rows)], row_numbers=lines, row_word="line")


def records(path: Path, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each row that is not blank; a row whose length differs
    from the first row's, bad UTF-8 or bad quoting is a ReadError."""
    width = first = 0
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            for row in reader:
                if not row:
                    continue
                if not width:
                    width, first = len(row), reader.line_num
                elif len(row) != width:
                    raise ReadError(f"{path.name}, line {reader.line_num}: {len(row)} fields; "
                                    f"line {first} has {width}")
                yield reader.line_num, row
        except UnicodeDecodeError:
            raise ReadError(not_utf8(path)) from None
        except csv.Error as exc:
            raise ReadError(f"{path.name}, line {reader.line_num}: {exc}") from None


def read_delimited_numbers(path: Path, delimiter: str, labels: bool
                           ) -> tuple[list[str] | None, list[str] | None, np.ndarray]:
    """A wide table of numbers: (x labels, y labels, cells). pandas' C parser turns the
    fields straight into float64, so a big matrix never exists as Python strings; a
    file it is unsure of goes through `scan_numbers`, which also names the bad cell."""
    try:
        fast = _parsed_numbers(path, delimiter, labels) if _worth_pandas(path) else None
        x, y, cells = fast if fast is not None else scan_numbers(path, delimiter, labels)
    except OSError as exc:  # no permission, an I/O error: as read_table reports it
        raise ReadError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    if labels and not cells.shape[1]:
        raise only_labels(path.name)
    return x, y, cells


SCAN_BYTES = 1 << 20  # below this, scanning (~6 MB/s) beats importing pandas (~0.3 s)


def _worth_pandas(path: Path) -> bool:
    """Is the fast reader worth it? Both readers give the same answer (the fast one
    declines whatever it is unsure of), so this only decides the time: a small file
    is scanned unless pandas is loaded already, as it is in a build that read a big one."""
    return "pandas" in sys.modules or os.stat(path).st_size > SCAN_BYTES


def _parsed_numbers(path: Path, delimiter: str, labels: bool
                    ) -> tuple[list[str] | None, list[str] | None, np.ndarray] | None:
    """The fast reader, or None when its answer could differ from `scan_numbers`."""
    import pandas as pd

    with open(path, "rb") as fh:
        first = fh.readline()
    try:
        header = next(csv.reader([first.decode("utf-8-sig").rstrip("\r\n")], delimiter=delimiter, strict=True))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    if not first.strip() or first.count(b'"') % 2:  # a blank first line, or a line break in quotes
        return None
    width, skip = len(header), int(labels)
    numeric = range(skip, width)
    try:
        with open(path, "rb") as fh:  # a file object: pandas never sees a path it could take for a URL
            frame = pd.read_csv(
                fh, sep=delimiter, header=None, skiprows=skip, engine="c", encoding="utf-8",
                dtype={j: (np.float64 if j >= skip else object) for j in range(width)},
                keep_default_na=False, na_values={j: sorted(MISSING) for j in numeric})
    except (ValueError, OverflowError):  # a cell that is not a number, a long row, bad UTF-8, ...
        return None
    if frame.shape[1] != width or frame.empty:
        return None
    y = [str(v) for v in frame[0].tolist()] if labels else None
    # column by column into one row-major array: no second whole copy of the table
    cells = np.empty((len(frame), width - skip), dtype=np.float64)
    for j in numeric:
        cells[:, j - skip] = frame[j].to_numpy(dtype=np.float64)
    del frame
    if np.isinf(cells).any():  # written as inf, or too big: the scan names the cell
        return None
    if (np.abs(cells) >= SAFE_INT).any():  # maybe an integer JavaScript cannot hold: the scan decides
        return None
    # pandas fills a short row with gaps instead of refusing it; a row whose last cell
    # is a gap may be one, so the row lengths are checked then
    if cells.shape[1] and np.isnan(cells[:, -1]).any() and not _rows_have_width(path, delimiter):
        return None
    return (header[skip:] if labels else None), y, cells


def _rows_have_width(path: Path, delimiter: str) -> bool:
    try:
        for _ in records(path, delimiter):
            pass
    except ReadError:
        return False
    return True


def scan_numbers(path: Path, delimiter: str, labels: bool
                 ) -> tuple[list[str] | None, list[str] | None, np.ndarray]:
    """The careful reader: row by row, one float64 row at a time; the first bad field
    raises a ReadError that names its line, column and text."""
    header: list[str] | None = None
    y: list[str] = []
    rows: list[np.ndarray] = []
    width = 0
    for line, row in records(path, delimiter):
        if not width:
            width = len(row)
            if labels:
                header = row[1:]
                continue
        if labels:
            y.append(row[0])
        values = _plain_row(row[1:] if labels else row)
        if values is not None:
            rows.append(values)
            continue
        values = np.empty(width - labels, dtype=np.float64)
        for j, text in enumerate(row[1:] if labels else row):
            try:
                values[j] = cell_number(text)
            except NotANumber as exc:
                name = f" ({header[j]!r})" if header is not None else ""
                raise ReadError(f"{path.name}, line {line}, column {j + 1 + labels}{name}: {text!r} "
                                f"{exc}", key="data") from None
        rows.append(values)
    if not width:
        raise ReadError(f"{path.name} is empty")
    if not rows:
        raise ReadError(f"{path.name} has a header row but no data rows", key="data")
    cells = np.vstack(rows) if width - labels else np.empty((len(rows), 0))
    return header, (y if labels else None), cells


_NOT_JSON_NUMBERS = re.compile(r"[^0-9eE.+\-, \t]")
_MINUS_ZERO = re.compile(r"(?:^|,)[ \t]*-0+[ \t]*(?:,|$)")


def _plain_row(fields: list[str]) -> np.ndarray | None:
    """A row of plain numbers (most rows of most files) read in one orjson call, or None
    to read it a cell at a time. A JSON number, spaces around it allowed, is a number
    `cell_number` reads the same way; the characters are checked first, so true, false
    and null never get in. The rest goes cell by cell, which also names a bad cell: a gap,
    an integer beyond 2^53, a field holding a comma, and -0 (orjson reads it as the
    integer 0, and the sign of zero is kept)."""
    text = ",".join(fields)
    if _NOT_JSON_NUMBERS.search(text) or _MINUS_ZERO.search(text):
        return None
    try:
        row = orjson.loads("[" + text + "]")
    except orjson.JSONDecodeError:
        return None
    if len(row) != len(fields):
        return None
    values = np.array(row, dtype=np.float64)
    if (np.abs(values) >= SAFE_INT).any():  # 2^53 + 1 is 2^53 as a float: the scan decides
        return None
    return values


def only_labels(name: str) -> ReadError:
    return ReadError(f"{name} has one column, which with labels holds the y labels; "
                     "use labels: false to read it as cells", key="data")


def not_utf8(path: Path) -> str:
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return (f"{path.name} is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); "
                "save it as UTF-8")
    return f"{path.name} is not UTF-8 text; save it as UTF-8"  # pragma: no cover


# --- JSON --------------------------------------------------------------------------

def read_json(path: Path) -> Table:
    """A list of rows, a list of records ({column: value}), or pandas' split form."""
    import json

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReadError(not_utf8(path)) from None
    if not text.strip():
        raise ReadError(f"{path.name} is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(f"{path.name} is not valid JSON: {exc.msg} (line {exc.lineno}, "
                        f"column {exc.colno})") from None
    name = path.name
    if isinstance(data, dict) and "data" in data and "columns" in data:
        return _json_split(name, data)
    if not isinstance(data, list) or not data:
        shape = "an empty list" if data == [] else _JSON_NAMES.get(type(data), "a single value")
        raise ReadError(f"{name} holds {shape}; a table is a list of rows ([[...], ...]), a list of "
                        "records ([{column: value}, ...]) or pandas' split form ({columns, data})")
    if all(isinstance(r, dict) for r in data):
        names = [str(k) for k in data[0]]
        for i, record in enumerate(data):
            if list(record) != list(data[0]):
                missing = [k for k in data[0] if k not in record] or [k for k in record if k not in data[0]]
                raise ReadError(f"{name}, record {i + 1}: its keys differ from record 1's "
                                f"(first difference: {missing[0] if missing else 'their order'!r})")
        return _json_table(name, [[r[k] for k in data[0]] for r in data], names, "record")
    if all(isinstance(r, list) for r in data):
        return _json_table(name, data, None, "row")
    raise ReadError(f"{name}: a table is a list of rows or a list of records, not a mix of both")


_JSON_NAMES = {dict: "an object", str: "a string", int: "a number", float: "a number"}


def _json_split(name: str, data: dict) -> Table:
    rows, names, index = data["data"], data["columns"], data.get("index")
    if not isinstance(rows, list) or not rows or not isinstance(names, list):
        raise ReadError(f"{name}: the split form needs 'columns' (a list) and 'data' (a list of rows)")
    if index is not None and index != list(range(len(rows))):
        raise ReadError(f"{name}: the split form's 'index' is not read; write the table with "
                        "index=False, its first column holding the y labels")
    return _json_table(name, rows, [str(n) for n in names], "row")


def _json_table(name: str, rows: list, names: list[str] | None, word: str) -> Table:
    width = len(names) if names is not None else len(rows[0])
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != width:
            size = f"{len(row)} values" if isinstance(row, list) else "not a list"
            raise ReadError(f"{name}, {word} {i + 1}: {size}; expected {width}")
        for j, value in enumerate(row):
            if isinstance(value, (list, dict)):
                raise ReadError(f"{name}, {word} {i + 1}, column {j + 1}: a cell holds one value, "
                                f"not a {'list' if isinstance(value, list) else 'mapping'}")
    return Table(name, [list(col) for col in zip(*rows)], names, row_word=word)


# --- Parquet -----------------------------------------------------------------------

def read_parquet(path: Path) -> Table:
    return Table(path.name, *_whole(parquet_column_groups(path, None)))


def _whole(groups: Iterator[tuple[int, list[str], int, list]]) -> tuple[list, list[str]]:
    for _total, names, _start, columns in groups:
        return columns, names
    raise AssertionError("unreachable")  # pragma: no cover


def parquet_column_groups(path: Path, size: int | None = 256
                          ) -> Iterator[tuple[int, list[str], int, list]]:
    """(rows, every column name, index of the group's first column, the group's columns),
    a few hundred columns at a time: pyarrow's memory for reading grows with the
    number of columns read at once, and a 2000-column matrix would need it all."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        with pa.OSFile(str(path)) as fh:  # a local file: never a URL or a filesystem URI
            file = pq.ParquetFile(fh, pre_buffer=False)
            order = _parquet_order(path, file)
            step = size or len(order)
            for start in range(0, len(order), step):
                table = file.read(columns=order[start:start + step])
                yield (file.metadata.num_rows, [str(n) for n in order], start,
                       [table.column(n) for n in order[start:start + step]])
    except (pa.ArrowException, ValueError) as exc:
        raise ReadError(f"cannot read {path.name} as Parquet: {exc}") from None
    except OSError as exc:
        raise ReadError(f"cannot read {path.name}: {exc.strerror or exc}") from None


def _parquet_order(path: Path, file: Any) -> list[str]:
    """The columns, a pandas index first: pandas stores a named index as a trailing
    column, and it holds the y labels, which every other format keeps first."""
    schema = file.schema_arrow
    names = list(schema.names)
    meta = schema.pandas_metadata or {}
    index = [c for c in meta.get("index_columns", []) if isinstance(c, str) and c in names]
    if not names or file.metadata.num_rows == 0:
        raise ReadError(f"{path.name} has no rows")
    return index + [n for n in names if n not in index]


# --- Excel -------------------------------------------------------------------------

def read_xlsx(path: Path, sheet: str | int | None) -> Table:
    """One sheet's cells; empty rows and empty outer columns are left out."""
    import zipfile

    from openpyxl import load_workbook

    from heatdoc.errors import did_you_mean

    with open(path, "rb") as fh:
        try:
            book = load_workbook(fh, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
            raise ReadError(f"cannot read {path.name} as an Excel workbook (.xlsx): {exc}") from None
        try:
            sheets = book.sheetnames
            listed = ", ".join(repr(s) for s in sheets)
            if sheet is None:
                ws = book.worksheets[0]
            elif isinstance(sheet, int):
                if sheet >= len(sheets):
                    raise ReadError(f"{path.name} has no sheet number {sheet} (counted from 0); "
                                    f"the sheets are: {listed}", key="sheet")
                ws = book.worksheets[sheet]
            elif sheet in sheets:
                ws = book[sheet]
            else:
                raise ReadError(f"no sheet {sheet!r} in {path.name}{did_you_mean(sheet, sheets)}; "
                                f"the sheets are: {listed}", key="sheet")
            rows, numbers = [], []
            for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if any(v is not None and v != "" for v in row):
                    rows.append(list(row))
                    numbers.append(number)
        finally:
            book.close()
    if not rows:
        raise ReadError(f"sheet {ws.title!r} of {path.name} is empty", key="sheet" if sheet is not None else "path")
    width = max(len(r) for r in rows)
    for r in rows:
        r.extend([None] * (width - len(r)))
    used = [j for j in range(width) if any(r[j] is not None for r in rows)]
    lo, hi = used[0], used[-1] + 1
    columns = [[r[j] for r in rows] for j in range(lo, hi)]
    return Table(path.name, columns, row_numbers=numbers, excel_column=lo)
