"""Every matrix form of SPEC.md on real files: wide tables in each format, long tables
pivoted, correlation, SQLite, and the reading rules (labels as text, gaps, text as
written, each file read once)."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.express as px
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from helpers.sources import (
    NAN,
    WIDE_X,
    WIDE_Y,
    WIDE_Z,
    errors,
    load,
    same,
    write_sqlite,
    write_wide,
    write_xlsx,
)

from heatdoc.sources import readers, sql
from heatdoc.sources.pivot import kendall_tau

FORMATS = [".csv", ".tsv", ".rows.json", ".records.json", ".split.json", ".parquet", ".xlsx"]


@pytest.fixture
def project(make_project):
    root = make_project({})
    (root / "data").mkdir()
    return root


# --- wide tables -------------------------------------------------------------------

@pytest.mark.parametrize("suffix", FORMATS)
def test_a_wide_table_is_the_same_in_every_format(project, suffix):
    write_wide(project / "data", suffix)
    spec = load(project, f"title: t\nz: {{file: ../data/wide{suffix}}}\n")
    assert spec.x == WIDE_X
    assert spec.y == WIDE_Y  # NA, None, n/a, NO, 007 stay labels
    assert same(spec.z, WIDE_Z)
    assert spec.z.dtype == np.float64


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".rows.json", ".xlsx"])
def test_labels_false_reads_every_cell(project, suffix):
    folder = project / "data"
    if suffix == ".csv":
        (folder / "grid.csv").write_text("1,2\n,4\nNA,6\n")
    elif suffix == ".tsv":
        (folder / "grid.tsv").write_text("1\t2\n\t4\nNA\t6\n")
    elif suffix == ".rows.json":
        (folder / "grid.rows.json").write_text("[[1, 2], [null, 4], [\"NA\", 6]]")
    else:
        write_xlsx(folder / "grid.xlsx", {"Sheet": [[1, 2], [None, 4], ["NA", 6]]})
    spec = load(project, f"title: t\nz: {{file: ../data/grid{suffix}, labels: false}}\n")
    assert spec.x is None and spec.y is None
    assert same(spec.z, [[1, 2], [NAN, 4], [NAN, 6]])


def test_labels_false_on_parquet_reads_the_columns_without_their_names(project):
    pd.DataFrame({"a": [1.0, 2.0], "b": [3, None]}).to_parquet(project / "data/g.parquet")
    spec = load(project, "title: t\nz: {file: ../data/g.parquet, labels: false}\n")
    assert same(spec.z, [[1, 3], [2, NAN]]) and spec.x is None


def test_a_pandas_index_in_parquet_gives_the_y_labels(project):
    frame = pd.DataFrame({"a": [1, 2]}, index=pd.Index(["007", "NA"], name="name"))
    frame.to_parquet(project / "data/i.parquet")
    spec = load(project, "title: t\nz: {file: ../data/i.parquet}\n")
    assert (spec.x, spec.y) == (["a"], ["007", "NA"])


def test_excel_reads_the_named_sheet_and_skips_empty_rows_and_outer_columns(project):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Data")
    sheet["B2"], sheet["C2"], sheet["B4"], sheet["C4"] = "name", "v", "007", 2.5
    book.save(project / "data/b.xlsx")
    spec = load(project, "title: t\nz: {file: ../data/b.xlsx, sheet: Data}\n")
    assert (spec.x, spec.y) == (["v"], ["007"]) and same(spec.z, [[2.5]])
    spec = load(project, "title: t\nz: {file: ../data/b.xlsx, sheet: 1}\n")
    assert spec.y == ["007"]


def test_text_and_customdata_keep_each_field_as_written(project):
    (project / "data/t.csv").write_text('name,a,b\nr1,007,\nr2,1.50,"x, y"\n')
    (project / "data/z.csv").write_text("name,a,b\nr1,1,2\nr2,3,4\n")
    spec = load(project, "title: t\nz: {file: ../data/z.csv}\ntext: {file: ../data/t.csv}\n"
                         "customdata:\n  raw: {file: ../data/t.csv}\n")
    assert spec.text == [["007", ""], ["1.50", "x, y"]]
    assert spec.layers["raw"] == [["007", ""], ["1.50", "x, y"]]


def test_text_from_typed_formats_is_the_value_as_text(project):
    (project / "data/t.json").write_text('[{"k": "r", "a": 2, "b": 2.5, "c": null, "d": true}]')
    (project / "data/z.csv").write_text("k,a,b,c,d\nr,1,2,3,4\n")
    spec = load(project, "title: t\nz: {file: ../data/z.csv}\ntext: {file: ../data/t.json}\n")
    assert spec.text == [["2", "2.5", "", "true"]]


def test_utf8_bom_and_crlf_are_read_as_plain_csv(project):
    (project / "data/w.csv").write_bytes(b"\xef\xbb\xbfname,\xc3\xa9t\xc3\xa9\r\nr,1\r\n")
    spec = load(project, "title: t\nz: {file: ../data/w.csv}\n")
    assert (spec.x, spec.y) == (["été"], ["r"]) and same(spec.z, [[1]])


def test_the_fast_and_the_careful_csv_readers_agree(project):
    """pyarrow parses big files; the row-by-row scan is the definition. Both read these
    awkward fields the same way (the scan also reports what pyarrow refuses)."""
    text = ('"na,me",a,"b ""q"""\n" sp ",  1.5 ,NA\nnan,"2",\n-nan,+.5e1,NaN\n\nx,1e-3,null\n'
            'y, NA ,-0\n')
    path = project / "data/odd.csv"
    path.write_text(text)
    for labels in (True, False):
        if not labels:
            path.write_text(text.split("\n", 1)[1].replace(" sp ", "1").replace("nan,", "2,")
                            .replace("-nan,", "3,").replace("x,", "4,").replace("y,", "5,"))
        fast = readers._parsed_numbers(path, ",", labels)
        careful = readers.scan_numbers(path, ",", labels)
        assert careful[:2] == (fast or careful)[:2]
        assert same(careful[2], (fast or careful)[2])
    path.write_text(text)
    x, y, cells = readers.scan_numbers(path, ",", True)
    assert x == ["a", 'b "q"'] and y == [" sp ", "nan", "-nan", "x", "y"]
    assert same(cells, [[1.5, NAN], [2, NAN], [5, NAN], [0.001, NAN], [NAN, -0.0]])


# --- long tables ---------------------------------------------------------------------

SALES = "region,month,units\nnorth,10,5\nnorth,2,3\nnorth,2,4\nsouth,2,\nsouth,10,7\nNA,2,1\n"


@pytest.mark.parametrize("agg", ["sum", "mean", "median", "min", "max", "count", "first"])
def test_a_long_table_is_pivoted_as_pandas_would(project, agg):
    (project / "data/sales.csv").write_text(SALES)
    spec = load(project, f"title: t\nz: {{file: ../data/sales.csv, x: month, y: region, value: units, "
                         f"agg: {agg}}}\n")
    frame = pd.read_csv(project / "data/sales.csv", keep_default_na=False, na_values={"units": [""]},
                        dtype={"region": str})
    expected = frame.pivot_table(index="region", columns="month", values="units", aggfunc=agg,
                                 dropna=False)
    assert spec.x == ["2", "10"]  # numbers in numeric order
    assert spec.y == ["NA", "north", "south"]  # 'NA' is a region
    want = expected.reindex(index=spec.y, columns=[2, 10]).to_numpy(dtype=float).copy()
    if agg == "sum":  # a cell whose only value is missing is a gap, not 0
        want[2, 0] = NAN
    assert same(spec.z, want)


def test_a_pair_no_row_has_is_a_gap_and_mean_is_the_default(project):
    (project / "data/sales.csv").write_text(SALES)
    spec = load(project, "title: t\nz: {file: ../data/sales.csv, x: month, y: region, value: units}\n")
    assert same(spec.z, [[1, NAN], [3.5, 5], [NAN, 7]])


def test_count_without_value_counts_rows(project):
    (project / "data/sales.csv").write_text(SALES)
    spec = load(project, "title: t\nz: {file: ../data/sales.csv, x: month, y: region, agg: count}\n")
    assert same(spec.z, [[1, NAN], [2, 1], [1, 1]])


def test_the_specs_x_and_y_select_and_order_categories_matched_as_text(project):
    px.data.tips().to_parquet(project / "data/tips.parquet")  # size is an integer column
    spec = load(project, 'title: t\nx: ["3", "2"]\ny: [Sun, Sat]\n'
                         "z: {file: ../data/tips.parquet, x: size, y: day, value: tip, agg: max}\n"
                         "text: {file: ../data/tips.parquet, x: size, y: day, value: tip, agg: count}\n")
    tips = px.data.tips()
    want = tips.pivot_table(index="day", columns="size", values="tip", aggfunc="max").loc[["Sun", "Sat"], [3, 2]]
    assert (spec.x, spec.y) == (["3", "2"], ["Sun", "Sat"])
    assert same(spec.z, want.to_numpy())
    counts = tips.pivot_table(index="day", columns="size", values="tip", aggfunc="count").loc[["Sun", "Sat"], [3, 2]]
    assert spec.text == [[str(int(v)) for v in row] for row in counts.to_numpy().tolist()]


def test_selecting_one_axis_keeps_the_other_axis_categories_of_the_kept_rows(project):
    (project / "data/sales.csv").write_text(SALES)
    spec = load(project, "title: t\nx: ['10']\nz: {file: ../data/sales.csv, x: month, y: region, value: units}\n")
    assert (spec.x, spec.y) == (["10"], ["north", "south"])


def test_a_long_text_layer_keeps_the_first_text_as_written(project):
    (project / "data/notes.csv").write_text("r,c,note\na,1,007\na,1,second\nb,2,\nb,1,x\n")
    spec = load(project, "title: t\nz: {file: ../data/notes.csv, x: c, y: r, agg: count}\n"
                         "text: {file: ../data/notes.csv, x: c, y: r, value: note}\n")
    assert spec.text == [["007", ""], ["x", ""]]


# --- correlation ---------------------------------------------------------------------

@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_corr_is_pandas_corr_of_the_numeric_columns(project, method):
    iris = px.data.iris()
    iris.to_csv(project / "data/iris.csv", index=False)
    spec = load(project, f"title: t\nz: {{file: ../data/iris.csv, corr: {method}}}\n")
    numeric = iris.select_dtypes("number")
    assert spec.x == spec.y == list(numeric.columns)
    assert np.allclose(spec.z, numeric.corr(method=method).to_numpy())


def test_corr_kendall_is_tau_b(project):
    frame = pd.DataFrame({"a": [1, 2, 2, 3, 5, None], "b": [3, 1, 2, 2, 9, 4], "t": list("uvwxyz")})
    frame.to_json(project / "data/k.json", orient="records")
    spec = load(project, "title: t\nz: {file: ../data/k.json, corr: kendall}\n")
    assert spec.x == ["a", "b"]
    # tau-b by its definition, pair by pair, on the rows where both have a value
    a, b = [1, 2, 2, 3, 5], [3, 1, 2, 2, 9]
    pairs = [(i, j) for i in range(5) for j in range(i + 1, 5)]
    s = sum(np.sign(a[i] - a[j]) * np.sign(b[i] - b[j]) for i, j in pairs)
    ties_a = sum(a[i] == a[j] for i, j in pairs)
    ties_b = sum(b[i] == b[j] for i, j in pairs)
    tau = s / np.sqrt((10 - ties_a) * (10 - ties_b))
    assert np.allclose(spec.z, [[1, tau], [tau, 1]])


def test_kendall_matches_the_pairwise_definition_on_many_tied_samples():
    rng = np.random.default_rng(7)
    for _ in range(50):
        n = int(rng.integers(2, 30))
        a, b = rng.integers(0, 4, n).astype(float), rng.integers(0, 5, n).astype(float)
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        s = sum(np.sign(a[i] - a[j]) * np.sign(b[i] - b[j]) for i, j in pairs)
        den = np.sqrt((len(pairs) - sum(a[i] == a[j] for i, j in pairs))
                      * (len(pairs) - sum(b[i] == b[j] for i, j in pairs)))
        want = s / den if den else NAN
        assert same([kendall_tau(a, b)], [want])


# --- SQLite ------------------------------------------------------------------------

def test_sql_reads_a_query_result_wide(project):
    write_sqlite(project / "data/db.sqlite")
    spec = load(project, 'title: t\nz: {sql: "SELECT * FROM scores", database: ../data/db.sqlite}\n')
    assert (spec.x, spec.y) == (["a", "b"], ["NA", "007"])
    assert same(spec.z, [[1, 2], [3, NAN]])


def test_sql_reads_a_query_result_long(project):
    write_sqlite(project / "data/db.sqlite")
    spec = load(project, "title: t\nz: {sql: SELECT * FROM sales, database: ../data/db.sqlite,\n"
                         "    x: month, y: region, value: units, agg: sum}\n")
    assert (spec.x, spec.y) == (["1", "2", "10"], ["north", "south"])
    assert same(spec.z, [[8, NAN, 1], [NAN, 7, NAN]])


def test_sql_leaves_the_database_file_unchanged(project):
    path = write_sqlite(project / "data/db.sqlite")
    before = path.read_bytes()
    for query in ("DELETE FROM scores", "CREATE TABLE t (a)", "ATTACH 'x.db' AS x",
                  "PRAGMA user_version = 3", "INSERT INTO scores VALUES ('z', 1, 1) RETURNING *"):
        assert errors(project, f'title: t\nz: {{sql: "{query}", database: ../data/db.sqlite}}\n')
    assert path.read_bytes() == before
    assert not (project / "specs/x.db").exists() and not (project / "x.db").exists()


# --- each file read once -------------------------------------------------------------

def test_each_file_is_read_once_however_many_specs_use_it(make_project, monkeypatch):
    from heatdoc.cli import main

    px.data.tips().to_csv((root := make_project({}, "title: g\n")) / "tips.csv", index=False)
    write_sqlite(root / "db.sqlite")
    (root / "z.csv").write_text("k,a\nr,1\n")
    specs = {
        "a.yaml": "title: a\nz: {file: ../z.csv}\n",
        "b.yaml": "title: b\nz: {file: ../z.csv}\n",
        "c.yaml": "title: c\nz: {file: ../tips.csv, x: size, y: day, value: tip}\n"
                  "text: {file: ../tips.csv, x: size, y: day, value: tip, agg: count}\n",
        "d.yaml": "title: d\nz: {file: ../tips.csv, corr: pearson}\n",
        "e.yaml": "title: e\nz: {sql: SELECT * FROM scores, database: ../db.sqlite}\n",
        "f.yaml": "title: f\nz: {sql: SELECT * FROM scores, database: ../db.sqlite}\n",
    }
    (root / "specs").mkdir()
    for name, text in specs.items():
        (root / "specs" / name).write_text(text)
    reads: list[str] = []
    for module, name in ((readers, "read_table"), (readers, "read_delimited_numbers"), (sql, "read_sql")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda path, *a, _real=real, **k: reads.append(path.name) or _real(path, *a, **k))
    monkeypatch.chdir(root)
    assert main(["validate", "specs"]) == 0
    # z.csv as numbers; tips.csv as text (the long tables and corr share it); the database once
    assert sorted(reads) == ["db.sqlite", "tips.csv", "z.csv"]


def test_a_file_that_changed_is_read_again(project, monkeypatch):
    from heatdoc.sources.dispatch import ReadContext
    from heatdoc.spec.load import load_yaml
    from heatdoc.spec.validate import check_spec

    path = project / "data/z.json"
    path.write_text('[["k", "a"], ["r", 1]]')
    spec = project / "specs/s.yaml"
    spec.parent.mkdir()
    spec.write_text("title: t\nz: {file: ../data/z.json}\n")
    ctx = ReadContext(project)
    assert same(check_spec(load_yaml(spec), ctx).z, [[1]])
    path.write_text('[["k", "a"], ["r", 22]]')
    assert same(check_spec(load_yaml(spec), ctx).z, [[22]])


def test_json_split_with_a_default_index_and_records_of_pandas(project):
    frame = pd.DataFrame({"name": ["x", "y"], "v": [1.5, None]})
    (project / "data/s.json").write_text(frame.to_json(orient="split"))
    (project / "data/r.json").write_text(frame.to_json(orient="records"))
    for name in ("s.json", "r.json"):
        spec = load(project, f"title: t\nz: {{file: ../data/{name}}}\n")
        assert (spec.x, spec.y) == (["v"], ["x", "y"]) and same(spec.z, [[1.5], [NAN]])
    assert json.loads((project / "data/s.json").read_text())["index"] == [0, 1]


FIELDS = ["1", "-2.5", " 3 ", "1e-3", ".5", "5.", "+7", "", "NA", "nan", "NaN", "null", "N/A", "x",
          "1_000", "0x10", "inf", "1e999", '"4"', '"a,b"', "007", "None", "-0"]


def test_the_fast_csv_reader_never_disagrees_with_the_careful_one(tmp_path):
    """Whatever pandas' parser accepts, it reads as the row-by-row scan does; what it
    is unsure of, it leaves to the scan (which also gives the errors)."""
    from hypothesis import example, given, settings
    from hypothesis import strategies as st

    from heatdoc.sources.readers import ReadError

    path = tmp_path / "f.csv"

    @settings(max_examples=120, deadline=None)
    @given(st.lists(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4), min_size=1, max_size=5),
           st.booleans())
    def check(rows, labels):
        path.write_text("\n".join(",".join(row) for row in rows) + "\n")
        fast = readers._parsed_numbers(path, ",", labels)
        try:
            careful = readers.scan_numbers(path, ",", labels)
        except ReadError:
            assert fast is None
            return
        if fast is not None:
            assert fast[:2] == careful[:2]
            assert same(fast[2], careful[2]) and fast[2].shape == careful[2].shape

    check()


def test_a_small_csv_is_read_without_loading_pandas(tmp_path):
    """Both readers give the same answer (above); which one runs only decides the time.
    Importing pandas costs ~0.3 s, scanning a small file a few ms: a build that reads
    only small CSV files (a rebuild after one edit) never loads pandas."""
    import subprocess
    import sys

    (tmp_path / "w.csv").write_text(",a,b\nr,1,2\ns,3,\n")
    big = tmp_path / "big.csv"
    big.write_text(",a\n" + "".join(f"r{i},{i}.5\n" for i in range(readers.SCAN_BYTES // 8)))
    code = ("import sys; from pathlib import Path; from heatdoc.sources.readers import read_delimited_numbers as r\n"
            "x, y, z = r(Path(sys.argv[1]), ',', True); print(x, y, z.tolist(), 'pandas' in sys.modules)\n"
            "r(Path(sys.argv[2]), ',', True); print('pandas' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "w.csv"), str(big)],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["['a', 'b'] ['r', 's'] [[1.0, 2.0], [3.0, nan]] False", "True"]


CSV_FIELDS = ["0", "-0", "-00", " -0 ", "+1", "1.", ".5", "-.5", "1e5", "1E+5", "1e-400", "1e400", "00",
              "9007199254740993", "18446744073709551616", "0.1000000000000000055511151231257827",
              "2.2250738585072011e-308", "4.9e-324", "  7 ", "\t8", "NA", "nan", "null", "", "true", "1,5",
              "1 2", "0x1F", "1_000", "e", "-", "é"]


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@example(rows=[["0", "0", "9007199254740993"]])  # 2^53 + 1: as a float it is 2^53, which is allowed
@example(rows=[["1", "-0", "2.5"]])
@given(rows=st.lists(st.lists(st.one_of(st.sampled_from(CSV_FIELDS), st.floats(allow_nan=False).map(repr),
                                        st.integers(-2**60, 2**60).map(str)), min_size=3, max_size=3),
                     min_size=1, max_size=3))
def test_a_csv_row_read_at_once_is_the_row_read_cell_by_cell(tmp_path_factory, rows):
    """`readers._plain_row` reads a row of plain numbers in one call: what it gives is
    what reading the row a cell at a time gives, sign of zero and errors included."""
    import csv as csv_module
    import io

    path = tmp_path_factory.mktemp("csv") / "m.csv"
    out = io.StringIO()
    csv_module.writer(out, lineterminator="\n").writerows([["", "a", "b", "c"]] +
                                                          [[f"r{i}", *row] for i, row in enumerate(rows)])
    path.write_text(out.getvalue(), encoding="utf-8")

    def scan(fast: bool):
        saved = readers._plain_row
        if not fast:
            readers._plain_row = lambda fields: None
        try:
            return readers.scan_numbers(path, ",", True)
        except readers.ReadError as exc:
            return str(exc)
        finally:
            readers._plain_row = saved

    fast, slow = scan(True), scan(False)
    if isinstance(slow, str):
        assert fast == slow
    else:
        assert fast[:2] == slow[:2] and np.array_equal(fast[2], slow[2], equal_nan=True)
        assert (np.signbit(fast[2]) == np.signbit(slow[2])).all()
