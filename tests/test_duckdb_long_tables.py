"""Long tables aggregated by DuckDB give exactly what the pandas path gives: every agg,
gaps, labels that look like numbers, label order from the spec's x/y lists, text
layers; globs, .jsonl, the engine setting, and a glob held inside the project."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from helpers.sources import errors

import heatdoc
from heatdoc.sources import duckdb_engine
from heatdoc.spec.schema import AGGREGATES

LABELS = ["2", "10", "007", "NA", "a", "b b", "-1.5", "None"]
VALUES = [None, "", "NA", "1", "2.5", "-0.25", "8", "0", "1e2", " 3 ", "nan", " NA ", "-NaN"]  # dyadic: exact sums
FORMATS = [".csv", ".tsv", ".parquet", ".json", ".jsonl"]


def write_long(folder, name: str, suffix: str, rows: list[tuple], typed: bool = False):
    """rows of (y, x, value) as text; ``typed``: Parquet/JSON columns of numbers."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / f"{name}{suffix}"
    header = ["day", "size", "tip"]
    if suffix in (".csv", ".tsv"):
        sep = "," if suffix == ".csv" else "\t"
        path.write_text("\n".join([sep.join(header)] + [sep.join("" if c is None else c for c in r) for r in rows])
                        + "\n")
        return path

    def cell(c, j):
        if not typed or c is None:
            return c
        try:
            return int(c) if j < 2 else float(c)
        except ValueError:
            return None
    records = [{h: cell(c, j) for j, (h, c) in enumerate(zip(header, r))} for r in rows]
    if suffix == ".parquet":
        pq.write_table(pa.Table.from_pylist(records), path)
    elif suffix == ".json":
        path.write_text(json.dumps(records))
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("long")
    (root / "data").mkdir()
    (root / "specs").mkdir()
    return root


def both(root, spec: str, spy=None):
    """The spec loaded with long_tables: pandas, then duckdb (DuckDB must answer itself)."""
    out = []
    for engine in ("pandas", "duckdb"):
        (root / "heatdoc.yaml").write_text(f"title: t\nlong_tables: {engine}\n")
        path = root / "specs" / "s.yaml"
        path.write_text(spec)
        out.append(heatdoc.load_spec(path))
    return out


def assert_same(a, b):
    assert a.x == b.x and a.y == b.y
    assert a.z.shape == b.z.shape
    assert np.array_equal(a.z, b.z, equal_nan=True), (a.z, b.z)
    assert (a.text is None) == (b.text is None)
    if a.text is not None:
        assert a.text == b.text


@pytest.fixture
def no_fallback(monkeypatch):
    """Fail the test when DuckDB hands a clean table back to the pandas path."""
    real = duckdb_engine.aggregate

    def strict(*args, **kwargs):
        try:
            return real(*args, **kwargs)
        except duckdb_engine.Unsure as exc:  # pragma: no cover - a failure
            pytest.fail(f"DuckDB was unsure: {exc}")
    monkeypatch.setattr(duckdb_engine, "aggregate", strict)


rows_strategy = st.lists(st.tuples(st.sampled_from(LABELS), st.sampled_from(LABELS), st.sampled_from(VALUES)),
                         min_size=1, max_size=25)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(rows=rows_strategy, suffix=st.sampled_from([".csv", ".tsv", ".parquet", ".json"]),
       agg=st.sampled_from(AGGREGATES), text_agg=st.sampled_from(AGGREGATES + [None]),
       pick=st.sampled_from([None, "x", "y", "both"]), data=st.data())
def test_duckdb_equals_pandas(root, rows, suffix, agg, text_agg, pick, data, no_fallback):
    if suffix != ".parquet" and (agg == "first" or text_agg in ("first", None)):
        agg = "sum" if agg == "first" else agg  # first of a CSV or JSON file: the pandas path's job (row order)
        text_agg = "count" if text_agg in ("first", None) else text_agg
    write_long(root / "data", "t", suffix, rows)
    lists = ""
    for axis, col in (("x", 1), ("y", 0)):
        if pick in (axis, "both"):
            present = sorted({r[col] for r in rows})
            chosen = data.draw(st.lists(st.sampled_from(present), min_size=1, unique=True))
            lists += f"{axis}: {json.dumps(chosen)}\n"
    text = f"text: {{file: ../data/t{suffix}, x: size, y: day, value: tip" + (
        f", agg: {text_agg}}}\n" if text_agg else "}\n")
    spec = (f"title: t\n{lists}z: {{file: ../data/t{suffix}, x: size, y: day, value: tip, agg: {agg}}}\n"
            + text)
    a, b = both(root, spec)
    assert_same(a, b)


@pytest.mark.parametrize("suffix, agg", [(s, a) for s in (".parquet", ".json") for a in AGGREGATES
                                         if a != "first" or s == ".parquet"])  # first: Parquet's row order
def test_typed_columns_equal(root, suffix, agg, no_fallback):
    """Integer labels (2 and 10 in numeric order, x: ["10"] matched as text), float values, gaps."""
    rows = [("1", "2", "1.5"), ("1", "10", "2"), ("2", "2", None), ("1", "2", "4"), ("3", "10", "0.5")]
    write_long(root / "data", "typed", suffix, rows, typed=True)
    spec = (f"title: t\nx: ['10', '2']\nz: {{file: ../data/typed{suffix}, x: size, y: day, value: tip, agg: {agg}}}\n"
            f"text: {{file: ../data/typed{suffix}, x: size, y: day, value: tip"
            + ("}\n" if suffix == ".parquet" else ", agg: sum}\n"))  # first: Parquet only
    a, b = both(root, spec)
    assert_same(a, b)
    assert b.x == ["10", "2"]


def test_count_without_value_and_labels_that_look_like_numbers(root, no_fallback):
    write_long(root / "data", "c", ".csv", [("NA", "007", "1"), ("NA", "7", "1"), ("007", "7", "x y")])
    a, b = both(root, "title: t\nz: {file: ../data/c.csv, x: size, y: day, agg: count}\n")
    assert_same(a, b)
    assert b.x == ["007", "7"] and b.y == ["007", "NA"]  # 007 and 7 by value, then as text
    assert np.array_equal(b.z, [[np.nan, 1], [1, 1]], equal_nan=True)


def test_errors_are_the_pandas_paths(root):
    """A bad cell, a missing label, an unknown column: DuckDB hands over, and the error
    is the pandas path's, at its line."""
    write_long(root / "data", "bad", ".csv", [("a", "1", "2"), ("b", "1", "x y")])
    got = []
    for engine in ("pandas", "duckdb"):
        (root / "heatdoc.yaml").write_text(f"title: t\nlong_tables: {engine}\n")
        for spec in ("z: {file: ../data/bad.csv, x: size, y: day, value: tip}\n",
                     "x: ['9']\nz: {file: ../data/bad.csv, x: size, y: day, agg: count}\n",
                     "z: {file: ../data/bad.csv, x: sise, y: day, value: tip}\n"):
            got.append(errors(root, "title: t\n" + spec))
    assert got[:3] == got[3:]
    assert "line 3, column 3 ('tip'): 'x y' is not a number" in got[0][0]
    assert "'9' is not a value of column 'size'" in got[1][0]
    assert "did you mean 'size'" in got[2][0]


def test_glob_reads_every_partition(root, no_fallback):
    folder = root / "data" / "events"
    folder.mkdir()
    write_long(folder, "events-1", ".parquet", [("1", "1", "1"), ("2", "2", "2")], typed=True)
    write_long(folder, "events-2", ".parquet", [("1", "1", "3"), ("2", "1", "4")], typed=True)
    (root / "heatdoc.yaml").write_text("title: t\n")
    path = root / "specs" / "g.yaml"
    path.write_text("title: g\nz: {file: ../data/events/events-*.parquet, x: size, y: day, value: tip, agg: sum}\n"
                    "text: {file: ../data/events/events-*.parquet, x: size, y: day, value: tip}\n")
    spec = heatdoc.load_spec(path)
    assert spec.x == ["1", "2"] and spec.y == ["1", "2"]
    assert np.array_equal(spec.z, [[4, np.nan], [4, 2]], equal_nan=True)
    # first: the first row of the first file in name order
    assert spec.text[0][0] == "1.0"


def test_jsonl_equals_json(root, no_fallback):
    rows = [("a", "2", "1"), ("a", "10", "2"), ("b", "2", None), ("a", "2", "7")]
    write_long(root / "data", "j", ".json", rows, typed=True)
    write_long(root / "data", "j", ".jsonl", rows, typed=True)
    (root / "heatdoc.yaml").write_text("title: t\nlong_tables: pandas\n")
    a = heatdoc.load_spec(_spec(root, "z: {file: ../data/j.json, x: size, y: day, value: tip, agg: max}\n"))
    b = heatdoc.load_spec(_spec(root, "z: {file: ../data/j.jsonl, x: size, y: day, value: tip, agg: max}\n"))
    assert_same(a, b)


def _spec(root, body: str):
    path = root / "specs" / "one.yaml"
    path.write_text("title: t\n" + body)
    return path


@pytest.mark.parametrize("spec, message", [
    ("z: {file: '../../../*/secret/*.parquet', x: a, y: b, agg: count}", "leads outside the project folder"),
    ("z: {file: ../../data/out/*.parquet, x: a, y: b, agg: count}", "leads outside the project folder"),
    ("z: {file: ../../data/nothing-*.parquet, x: a, y: b, agg: count}",
     "no file matches '../../data/nothing-*.parquet'"),
    ("z: {file: /tmp/*.parquet, x: a, y: b, agg: count}", "is an absolute path"),
    ("z: {file: ../../data/events/events-*.parquet}", "a glob pattern reads a long table"),
])
def test_glob_stays_inside_the_project(root, tmp_path, spec, message):
    outside = tmp_path / "secret"
    outside.mkdir()
    write_long(outside, "s", ".parquet", [("a", "1", "1")])
    link = root / "data" / "out"
    if not link.exists():
        link.symlink_to(outside)
    (root / "data" / "events").mkdir(exist_ok=True)
    write_long(root / "data" / "events", "events-9", ".parquet", [("a", "1", "1")], typed=True)
    (root / "heatdoc.yaml").write_text("title: t\n")
    found = errors(root, "title: t\n" + spec + "\n", name="specs/deep/s.yaml")
    assert len(found) == 1 and message in found[0], found
    assert found[0].startswith("2:11: z.file: ")


def test_auto_engine_switches_by_size(root, monkeypatch, tmp_path):
    small = write_long(tmp_path, "s", ".csv", [("a", "1", "1")])
    rows = write_long(tmp_path, "s", ".parquet", [("1", "1", "1")] * 3, typed=True)
    assert not duckdb_engine.wants_duckdb("auto", [small], False)
    assert not duckdb_engine.wants_duckdb("auto", [rows], False)
    assert duckdb_engine.wants_duckdb("duckdb", [small], False)
    monkeypatch.setattr(duckdb_engine, "DUCKDB_BYTES", 1)
    monkeypatch.setattr(duckdb_engine, "DUCKDB_PARQUET_BYTES", 1)
    assert duckdb_engine.wants_duckdb("auto", [small], False)
    assert duckdb_engine.wants_duckdb("auto", [rows], False)
    assert not duckdb_engine.wants_duckdb("pandas", [small], False)
    assert duckdb_engine.wants_duckdb("pandas", [small], True)  # a glob: only DuckDB reads it


def test_spills_inside_the_cache_and_removes_them(root):
    folder = root / ".heatdoc-cache" / "duckdb-tmp"
    with duckdb_engine.connect(folder, "64MB") as con:
        setting = con.execute("SELECT current_setting('temp_directory'), current_setting('memory_limit')").fetchone()
        assert setting[0].startswith(str(folder))
        assert con.execute("SELECT count(*) FROM (SELECT range % 3000000 AS k, sum(range) FROM range(9000000) "
                           "GROUP BY k)").fetchone() == (3000000,)
    assert os.listdir(folder) == []


def test_a_glob_problem_is_an_error_at_file(root):
    folder = root / "data" / "bad"
    folder.mkdir(exist_ok=True)
    for i in (1, 2):
        write_long(folder, f"b-{i}", ".csv", [("a", "1", "2"), ("b", "1", "x y" if i == 2 else "1")])
    (root / "heatdoc.yaml").write_text("title: t\n")
    assert errors(root, "title: t\nz: {file: ../data/bad/b-*.csv, x: size, y: day, value: tip}\n") == [
        "2:11: z.file: ../data/bad/b-*.csv: cannot read it as a long table: a value in column 'tip' is not a "
        "number (or is infinite, or an integer beyond ±2^53)"]
    assert errors(root, "title: t\nz: {file: ../data/bad/b-*.csv, x: sise, y: day, agg: count}\n") == [
        "2:11: z.file: ../data/bad/b-*.csv: cannot read it as a long table: no column 'sise' (did you mean "
        "'size'?); the columns are: day, size, tip"]


def test_fields_duckdb_would_misread_are_read_as_python_does(root, no_fallback):
    """` NA ` and `-NaN` are gaps (stripped, as Python does), read by the exact form."""
    write_long(root / "data", "strip", ".csv", [("a", "1", " NA "), ("a", "1", "2"), ("b", "1", "-NaN")])
    a, b = both(root, "title: t\nz: {file: ../data/strip.csv, x: size, y: day, value: tip, agg: sum}\n")
    assert_same(a, b)
    assert np.array_equal(b.z, [[2], [np.nan]], equal_nan=True)


@pytest.mark.parametrize("field", ["1_000", "+-1", "inf", "12345678901234567890", "0x10"])
def test_fields_python_refuses_are_refused(root, field):
    write_long(root / "data", "odd", ".csv", [("a", "1", field)])
    found = []
    for engine in ("pandas", "duckdb"):
        (root / "heatdoc.yaml").write_text(f"title: t\nlong_tables: {engine}\n")
        found.append(errors(root, "title: t\nz: {file: ../data/odd.csv, x: size, y: day, value: tip}\n"))
    assert found[0] == found[1] and f"'{field}'" in found[0][0]
