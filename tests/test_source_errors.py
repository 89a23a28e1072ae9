"""Each bad data source with the exact error it gives, at the line and column of the
key that is wrong; paths that leave the project are refused before anything is read."""
from __future__ import annotations

import sqlite3

import pytest
from conftest import run_heatdoc
from helpers.sources import errors, write_sqlite, write_xlsx

from heatdoc.sources import readers, sql


@pytest.fixture
def project(make_project):
    root = make_project({})
    (root / "data").mkdir()
    return root


def spec(source: str) -> str:
    """A spec whose z source starts at line 2, column 4 (its file value at column 11)."""
    return f"title: t\nz: {source}\n"


# --- paths that leave the project: refused, nothing read ------------------------------

@pytest.fixture
def nothing_read(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a data file was read")
    for module, name in ((readers, "read_table"), (readers, "read_delimited_numbers"), (sql, "read_sql")):
        monkeypatch.setattr(module, name, refuse)


@pytest.mark.parametrize("path, message", [
    ("../../outside.csv", "'../../outside.csv' leads outside the project folder {root}"),
    ("../data/../../outside.csv", "'../data/../../outside.csv' leads outside the project folder {root}"),
    ("{outside}", "'{outside}' is an absolute path; use a path relative to the spec"),
    ("~/outside.csv", "'~/outside.csv' points into a home folder; use a path relative to the spec"),
    ("http://example.com/x.csv", "'http://example.com/x.csv' is a URL; heatdoc reads only files inside the project"),
    ("file:///etc/passwd", "'file:///etc/passwd' is a URL; heatdoc reads only files inside the project"),
    ("file:../data/a.csv", "'file:../data/a.csv' is a URL; heatdoc reads only files inside the project"),
    ("s3://bucket/a.csv", "'s3://bucket/a.csv' is a URL; heatdoc reads only files inside the project"),
    ("../data/link.csv", "'../data/link.csv' leads outside the project folder {root}"),
])
def test_a_path_that_leaves_the_project_is_refused(project, nothing_read, path, message):
    outside = project.parent / "outside.csv"
    outside.write_text("k,a\nr,1\n")
    (project / "data/link.csv").symlink_to(outside)
    (project / "data/a.csv").write_text("k,a\nr,1\n")
    path = path.format(outside=outside)
    message = message.format(root=project.resolve(), outside=outside)
    assert errors(project, spec(f"{{file: '{path}'}}")) == [f"2:11: z.file: {message}"]


def test_a_nul_byte_in_a_path_is_refused(project, nothing_read):
    assert errors(project, spec('{file: "../data/a\\0.csv"}')) == [
        "2:11: z.file: a path cannot contain a NUL character"]


def test_a_database_path_is_checked_the_same_way(project, nothing_read):
    assert errors(project, spec("{sql: SELECT 1, database: ../../x.sqlite}")) == [
        f"2:30: z.database: '../../x.sqlite' leads outside the project folder {project.resolve()}"]


def test_a_symlink_that_stays_inside_is_followed(project):
    (project / "data/real.csv").write_text("k,a\nr,1\n")
    (project / "data/alias.csv").symlink_to(project / "data/real.csv")
    (project / "specs").mkdir()
    (project / "specs/s.yaml").write_text(spec("{file: ../data/alias.csv}"))
    import heatdoc

    assert heatdoc.load_spec(project / "specs/s.yaml").y == ["r"]


# --- files that cannot be read ----------------------------------------------------------

@pytest.mark.parametrize("name, content, message", [
    ("nope.csv", None, "no such file: '../data/nope.csv' (looked for {root}/data/nope.csv)"),
    ("empty.csv", b"", "empty.csv is empty"),
    ("blank.csv", b"\n\n", "blank.csv is empty"),
    ("head.csv", b"name,a,b\n", "head.csv has a header row but no data rows"),
    ("latin.csv", b"name,a\nr\xe9,1\n", "latin.csv is not UTF-8 text (byte 0xe9 on line 2); save it as UTF-8"),
    ("ragged.csv", b"k,a\nr,1,2\n", "ragged.csv, line 2: 3 fields; line 1 has 2"),
    ("one.csv", b"k\nr\n", "one.csv has one column, which with labels holds the y labels; "
                           "use labels: false to read it as cells"),
    ("grid.txt", b"1,2\n", "cannot read .txt files; heatdoc reads .csv, .tsv, .json, .parquet, .xlsx"),
    ("bad.json", b"[[1, 2], [3,", "bad.json is not valid JSON: Expecting value (line 1, column 13)"),
    ("obj.json", b'{"a": [1]}', "obj.json holds an object; a table is a list of rows ([[...], ...]), a list of "
                                "records ([{column: value}, ...]) or pandas' split form ({columns, data})"),
    ("keys.json", b'[{"k": 1, "a": 2}, {"k": 2, "b": 3}]',
     "keys.json, record 2: its keys differ from record 1's (first difference: 'a')"),
    ("index.json", b'{"columns": ["k", "a"], "index": ["x"], "data": [["r", 1]]}',
     "index.json: the split form's 'index' is not read; write the table with index=False, its first "
     "column holding the y labels"),
    ("nested.json", b'[["k", "a"], ["r", [1]]]', "nested.json, row 2, column 2: a cell holds one value, not a list"),
    ("book.xlsx", b"not a zip", "cannot read book.xlsx as an Excel workbook (.xlsx): File is not a zip file"),
])
def test_a_file_that_cannot_be_read_is_one_error_at_its_path(project, name, content, message):
    if content is not None:
        (project / "data" / name).write_bytes(content)
    message = message.replace("{root}", str(project.resolve()))
    assert errors(project, spec(f"{{file: ../data/{name}}}")) == [f"2:11: z.file: {message}"]


def test_a_folder_is_not_a_file(project):
    assert errors(project, spec("{file: ../data}")) == ["2:11: z.file: '../data' is not a file"]


def test_a_broken_parquet_file(project):
    (project / "data/p.parquet").write_bytes(b"PAR1 not really")
    [error] = errors(project, spec("{file: ../data/p.parquet}"))
    assert error.startswith("2:11: z.file: cannot read p.parquet as Parquet: ")


def test_a_text_layer_reports_its_own_file_at_its_own_line(project):
    (project / "data/latin.csv").write_bytes(b"\xff\n")
    assert errors(project, "title: t\nz: [[1]]\ntext: {file: ../data/latin.csv, labels: false}\n") == [
        "3:14: text.file: latin.csv is not UTF-8 text (byte 0xff on line 1); save it as UTF-8"]


# --- cells and labels ------------------------------------------------------------------

def test_a_z_cell_that_is_not_a_number_names_file_line_column_and_text(project):
    (project / "data/z.csv").write_text("name,a,b\nr1,1,2\nr2,x y,3\n")
    assert errors(project, spec("{file: ../data/z.csv}")) == [
        "2:11: z.file: z.csv, line 3, column 2 ('a'): 'x y' is not a number"]


def test_a_bad_cell_in_a_bare_grid(project):
    (project / "data/z.tsv").write_text("1\t2\n\n3\t1_000\n")
    assert errors(project, spec("{file: ../data/z.tsv, labels: false}")) == [
        "2:11: z.file: z.tsv, line 3, column 2: '1_000' is not a number"]


@pytest.mark.parametrize("text", ["inf", "-Infinity", "1e999"])
def test_an_infinite_z_cell_is_an_error(project, text):
    (project / "data/z.csv").write_text(f"k,a\nr,{text}\n")
    reason = "is beyond the range of a float" if text == "1e999" else "is infinite; leave the cell empty for a gap"
    assert errors(project, spec("{file: ../data/z.csv}")) == [
        f"2:11: z.file: z.csv, line 2, column 2 ('a'): {text!r} {reason}"]


def test_bad_cells_in_typed_formats_name_their_place(project):
    import pandas as pd

    (project / "data/r.json").write_text('[{"k": "r", "a": "abc"}]')
    (project / "data/l.json").write_text('[["k", "a"], ["r", true]]')
    pd.DataFrame({"k": ["r"], "a": ["zz"]}).to_parquet(project / "data/p.parquet")
    write_xlsx(project / "data/b.xlsx", {"Data": [["k", "a", "b"], ["r", 1, "#DIV/0!"]]})
    assert errors(project, spec("{file: ../data/r.json}")) == [
        "2:11: z.file: r.json, record 1, column 2 ('a'): 'abc' is not a number"]
    assert errors(project, spec("{file: ../data/l.json}")) == [
        "2:11: z.file: l.json, row 2, column 2 ('a'): 'true' is not a number"]
    assert errors(project, spec("{file: ../data/p.parquet}")) == [
        "2:11: z.file: p.parquet, row 1, column 2 ('a'): 'zz' is not a number"]
    assert errors(project, spec("{file: ../data/b.xlsx}")) == [
        "2:11: z.file: b.xlsx, cell C2 ('b'): '#DIV/0!' is not a number"]


def test_duplicate_labels_are_an_error_not_renamed(project):
    (project / "data/x.csv").write_text("k,a,a\nr,1,2\n")
    (project / "data/y.csv").write_text("k,a\nNA,1\nb,2\nNA,3\n")
    assert errors(project, spec("{file: ../data/x.csv}")) == [
        "2:11: z.file: x.csv: columns 2 and 3 are both labelled 'a'; labels must be unique"]
    assert errors(project, spec("{file: ../data/y.csv}")) == [
        "2:11: z.file: y.csv: data rows 1 and 3 are both labelled 'NA'; labels must be unique"]


def test_a_matrix_above_max_cells_is_an_error(make_project):
    root = make_project({"data/z.csv": "k,a,b\nr,1,2\ns,3,4\n"}, "title: t\nmax_cells: 3\n")
    assert errors(root, spec("{file: ../data/z.csv}")) == [
        "2:4: z: the matrix has 2 x 2 = 4 cells, more than max_cells (3)"]


# --- keys of a source ------------------------------------------------------------------

LONG = "region,month,units\nnorth,1,2\nsouth,3,4\n"


def test_unknown_columns_list_the_columns_with_a_did_you_mean(project):
    (project / "data/l.csv").write_text(LONG)
    assert errors(project, spec("{file: ../data/l.csv, x: month, y: regoin, value: unit}")) == [
        "2:39: z.y: no column 'regoin' in l.csv (did you mean 'region'?); the columns are: region, month, units",
        "2:54: z.value: no column 'unit' in l.csv (did you mean 'units'?); the columns are: region, month, units",
    ]


def test_a_listed_label_the_data_lacks_is_an_error_at_the_label(project):
    (project / "data/l.csv").write_text(LONG)
    assert errors(project, "title: t\nx: ['1', '13']\nz: {file: ../data/l.csv, x: month, y: region, value: units}\n") == [
        "2:10: x[1]: '13' is not a value of column 'month' in l.csv (did you mean '3'?); its values are: 1, 3"]


def test_an_unknown_sheet_lists_the_sheets(project):
    write_xlsx(project / "data/b.xlsx", {"Data": [], "Notes": []})
    assert errors(project, spec("{file: ../data/b.xlsx, sheet: Dta}")) == [
        "2:34: z.sheet: no sheet 'Dta' in b.xlsx (did you mean 'Data'?); the sheets are: 'Data', 'Notes'"]
    assert errors(project, spec("{file: ../data/b.xlsx, sheet: 2}")) == [
        "2:34: z.sheet: b.xlsx has no sheet number 2 (counted from 0); the sheets are: 'Data', 'Notes'"]
    assert errors(project, spec("{file: ../data/b.xlsx, sheet: Notes}")) == [
        "2:34: z.sheet: sheet 'Notes' of b.xlsx is empty"]


def test_keys_that_do_not_go_together(project):
    (project / "data/l.csv").write_text(LONG)
    assert errors(project, spec("{file: ../data/l.csv, sheet: 1}")) == [
        "2:33: z.sheet: sheet applies to .xlsx files only"]
    assert errors(project, spec("{file: ../data/l.csv, x: month}")) == [
        "2:4: z: a long table needs x, y and value columns; 'value' is missing (or use agg: count to count rows)",
        "2:4: z: a long table needs x, y and value columns; 'y' is missing"]
    assert errors(project, spec("{file: ../data/l.csv, corr: pearson, x: month}")) == [
        "2:41: z.x: 'x' is for a long table; corr uses every numeric column of a wide table"]
    assert errors(project, spec("{file: ../data/l.csv, corr: pearson, labels: false}")) == [
        "2:49: z.labels: labels: false reads a bare grid; a long table and corr name their columns in the header row"]


def test_corr_needs_a_numeric_column(project):
    (project / "data/t.csv").write_text("a,b\nx,y\n")
    assert errors(project, spec("{file: ../data/t.csv, corr: spearman}")) == [
        "2:11: z.file: t.csv has no numeric column to correlate (columns: a, b)"]


# --- SQLite ------------------------------------------------------------------------------

READ_ONLY = ("the query would change the database or open another file; heatdoc opens the "
             "database read-only, so only SELECT queries work")


@pytest.mark.parametrize("query, message", [
    ("DELETE FROM scores", READ_ONLY),
    ("UPDATE scores SET a = 0", READ_ONLY),
    ("DROP TABLE scores", READ_ONLY),
    ("ATTACH DATABASE 'evil.db' AS e", READ_ONLY),
    ("VACUUM INTO 'copy.db'", READ_ONLY),
    ("PRAGMA journal_mode = WAL", READ_ONLY),
    ("SELEC 1", 'SQL error: near "SELEC": syntax error'),
    ("SELECT * FROM nope", "SQL error: no such table: nope (the tables are: sales, scores)"),
    ("SELECT 1; SELECT 2", "SQL error: You can only execute one statement at a time."),
    ("SELECT * FROM scores WHERE 0", "the query returned no rows"),
])
def test_sql_errors_are_at_the_query(project, query, message):
    db = write_sqlite(project / "data/db.sqlite")
    before = db.read_bytes()
    assert errors(project, spec(f'{{sql: "{query}", database: ../data/db.sqlite}}')) == [f"2:10: z.sql: {message}"]
    assert db.read_bytes() == before
    assert not list(project.rglob("*.db"))


def test_a_file_that_is_not_a_database(project):
    (project / "data/x.sqlite").write_text("k,a\nr,1\n" * 100)
    assert errors(project, spec("{sql: SELECT 1, database: ../data/x.sqlite}")) == [
        "2:30: z.database: x.sqlite is not an SQLite database"]


def test_a_runaway_query_is_stopped(project, monkeypatch):
    monkeypatch.setattr(sql, "SQL_SECONDS", 0.2)
    write_sqlite(project / "data/db.sqlite")
    query = "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*), 1 FROM c"
    assert errors(project, spec(f'{{sql: "{query}", database: ../data/db.sqlite}}')) == [
        "2:10: z.sql: the query ran for more than 0.2 s and was stopped"]


def test_a_bad_sql_cell_names_its_row_and_column(project):
    con = sqlite3.connect(project / "data/db.sqlite")
    con.execute("CREATE TABLE t (k TEXT, v)")
    con.executemany("INSERT INTO t VALUES (?, ?)", [("a", 1), ("b", "many")])
    con.commit()
    con.close()
    assert errors(project, spec("{sql: SELECT * FROM t, database: ../data/db.sqlite}")) == [
        "2:10: z.sql: db.sqlite, row 2, column 2 ('v'): 'many' is not a number"]


# --- the command line ---------------------------------------------------------------------

def test_the_cli_prints_a_source_error_and_exits_1(make_project):
    root = make_project({"data/z.csv": "k,a\nr,x\n", "specs/s.yaml": spec("{file: ../data/z.csv}")})
    result = run_heatdoc("validate", cwd=root)
    assert result.returncode == 1
    assert result.stderr == ("specs/s.yaml:2:11: z.file: z.csv, line 2, column 2 ('a'): 'x' is not a number\n"
                             "heatdoc: 1 error\n")
