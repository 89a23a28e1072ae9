"""The data files of specs/data-sources are what data/make_data_sources.py writes,
and every example spec validates and compiles."""
from __future__ import annotations

import csv
import importlib.util
import json
import sqlite3

from conftest import ROOT, run_heatdoc


def test_the_committed_example_data_is_what_the_script_makes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_data_sources", ROOT / "data/make_data_sources.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for fresh in module.write_all(tmp_path):
        committed = ROOT / "data" / fresh.name
        if fresh.suffix in (".csv", ".tsv"):
            delimiter = "\t" if fresh.suffix == ".tsv" else ","
            read = lambda p: list(csv.reader(p.open(newline=""), delimiter=delimiter))  # noqa: E731
            assert read(fresh) == read(committed), fresh.name
        elif fresh.suffix == ".json":
            assert json.loads(fresh.read_text()) == json.loads(committed.read_text()), fresh.name
        else:
            dump = lambda p: list(sqlite3.connect(p).iterdump())  # noqa: E731
            assert dump(fresh) == dump(committed), fresh.name


def test_the_data_source_examples_validate_and_compile():
    result = run_heatdoc("validate", "specs/data-sources", cwd=ROOT)
    assert (result.returncode, result.stderr) == (0, "")
    result = run_heatdoc("figure", "specs/data-sources/wind-from-sqlite.yaml", cwd=ROOT)
    figure = json.loads(result.stdout)
    assert figure["data"][0]["x"][:3] == ["N", "NNE", "NE"]
