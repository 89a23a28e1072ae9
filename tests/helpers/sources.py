"""Helpers for the data-source tests: write real data files, load a spec, list its errors."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import heatdoc
from heatdoc.errors import HeatdocError

# One small wide table with labels that pandas would spoil: NA, None, n/a, NO, 007 are
# labels; the empty b cell of 'None' is a gap.
WIDE_CSV = "name,a,b,NA\nNA,1,4.5,7\nNone,2,,8\nn/a,3,6,9\nNO,4,NA,10\n007,5,7,11\n"
WIDE_X = ["a", "b", "NA"]
WIDE_Y = ["NA", "None", "n/a", "NO", "007"]
NAN = float("nan")
WIDE_Z = [[1, 4.5, 7], [2, NAN, 8], [3, 6, 9], [4, NAN, 10], [5, 7, 11]]
WIDE_ROWS = [["name", "a", "b", "NA"], ["NA", 1, 4.5, 7], ["None", 2, None, 8], ["n/a", 3, 6, 9],
             ["NO", 4, None, 10], ["007", 5, 7, 11]]


def write_wide(folder: Path, suffix: str) -> Path:
    """The table above in one format; the same cells whatever the format."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / f"wide{suffix}"
    header, rows = WIDE_ROWS[0], WIDE_ROWS[1:]
    if suffix == ".csv":
        path.write_text(WIDE_CSV)
    elif suffix == ".tsv":
        path.write_text(WIDE_CSV.replace(",", "\t"))
    elif suffix == ".rows.json":
        path.write_text(json.dumps(WIDE_ROWS))
    elif suffix == ".records.json":
        path.write_text(json.dumps([dict(zip(header, r)) for r in rows]))
    elif suffix == ".split.json":
        path.write_text(json.dumps({"columns": header, "index": list(range(len(rows))), "data": rows}))
    elif suffix == ".parquet":
        pq.write_table(pa.table({h: [r[j] for r in rows] for j, h in enumerate(header)}), path)
    elif suffix == ".xlsx":
        write_xlsx(path, {"Sheet": WIDE_ROWS})
    else:  # pragma: no cover
        raise ValueError(suffix)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """An Excel workbook with these sheets, each a list of rows."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def write_sqlite(path: Path) -> Path:
    """A real SQLite file: a wide table `scores` and a long table `sales`."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE scores (name TEXT, a REAL, b REAL)")
    con.executemany("INSERT INTO scores VALUES (?, ?, ?)", [("NA", 1, 2), ("007", 3, None)])
    con.execute("CREATE TABLE sales (region TEXT, month INTEGER, units INTEGER)")
    con.executemany("INSERT INTO sales VALUES (?, ?, ?)",
                    [("north", 1, 5), ("north", 1, 3), ("south", 2, 7), ("north", 10, 1)])
    con.commit()
    con.close()
    return path


def load(project: Path, spec: str, name: str = "specs/s.yaml"):
    path = project / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(spec)
    return heatdoc.load_spec(path)


def errors(project: Path, spec: str, name: str = "specs/s.yaml") -> list[str]:
    """Each error as 'LINE:COL: key: message' (the path is the spec's)."""
    path = project / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(spec)
    try:
        heatdoc.load_spec(path)
    except HeatdocError as exc:
        return [f"{e.line}:{e.col}: {e.key}: {e.message}" for e in exc.errors]
    raise AssertionError("the spec loaded without an error")


def same(a, b) -> bool:
    """Equal matrices, NaN equal to NaN."""
    import numpy as np

    return np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True)
