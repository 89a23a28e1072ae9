"""Big matrices: read straight into float64 and carried as Plotly's base64 typed arrays."""
from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest
from helpers.sources import errors, load, same

import heatdoc
from heatdoc.jsonout import dumps_bytes
from heatdoc.spec.compile import compile_figure


def write(folder, cells, fmt):
    frame = pd.DataFrame(cells, columns=[f"c{j}" for j in range(cells.shape[1])])
    frame.insert(0, "name", [f"r{i}" for i in range(cells.shape[0])])
    path = folder / f"m.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


def decoded(trace_z) -> np.ndarray:
    rows, cols = map(int, trace_z["shape"].split(","))
    assert trace_z["dtype"] == "f8"
    return np.frombuffer(base64.b64decode(trace_z["bdata"]), dtype="<f8").reshape(rows, cols)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_wide_matrix_compiles_to_a_typed_array_with_every_value(make_project, fmt):
    root = make_project({})
    cells = np.random.default_rng(1).standard_normal((30, 600))
    cells[3, 5] = cells[29, 599] = np.nan  # gaps, one in the last column
    write(root, cells, fmt)
    spec = load(root, f"title: t\nz: {{file: ../m.{fmt}}}\n")
    assert spec.x[0] == "c0" and spec.x[-1] == "c599" and spec.y[-1] == "r29"
    assert same(decoded(compile_figure(spec)["data"][0]["z"]), cells)


def test_a_bad_cell_in_a_later_group_of_parquet_columns_names_its_column(make_project):
    root = make_project({})
    frame = pd.DataFrame({f"c{j}": [1.0, 2.0] for j in range(600)})
    frame["c399"] = ["1", "many"]
    frame.insert(0, "name", ["a", "b"])
    frame.to_parquet(root / "m.parquet", index=False)
    assert errors(root, "title: t\nz: {file: ../m.parquet}\n") == [
        "2:11: z.file: m.parquet, row 2, column 401 ('c399'): 'many' is not a number"]
    frame.drop(columns="name").to_parquet(root / "bare.parquet", index=False)
    assert errors(root, "title: t\nz: {file: ../bare.parquet, labels: false}\n") == [
        "2:11: z.file: bare.parquet, row 2, column 400 ('c399'): 'many' is not a number"]


def test_a_short_row_is_an_error_although_pandas_would_pad_it(make_project):
    root = make_project({"data/z.csv": "k,a,b\nr,1,2\ns,3\n", "data/gap.csv": "k,a,b\nr,1,\ns,3,4\n"})
    assert errors(root, "title: t\nz: {file: ../data/z.csv}\n") == [
        "2:11: z.file: z.csv, line 3: 2 fields; line 1 has 3"]
    assert same(load(root, "title: t\nz: {file: ../data/gap.csv}\n").z, [[1, np.nan], [3, 4]])


def test_a_long_row_is_an_error(make_project):
    root = make_project({"data/z.csv": "k,a\nr,1\ns,3,4\n"})
    assert errors(root, "title: t\nz: {file: ../data/z.csv}\n") == [
        "2:11: z.file: z.csv, line 3: 3 fields; line 1 has 2"]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_2000_by_2000_matrix_compiles(make_project, fmt):
    root = make_project({})
    cells = np.random.default_rng(2000).random((2000, 2000))
    write(root, cells, fmt)
    (root / "specs").mkdir()
    (root / "specs/big.yaml").write_text(f"title: big\nz: {{file: ../m.{fmt}}}\n")
    spec = heatdoc.load_spec(root / "specs/big.yaml")
    figure = compile_figure(spec)
    assert np.array_equal(decoded(figure["data"][0]["z"]), cells)
    assert len(dumps_bytes(figure)) < 2000 * 2000 * 8 * 1.4 + 1_000_000  # base64, not lists of floats
