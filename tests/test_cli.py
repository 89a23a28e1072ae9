"""The CLI as a user runs it: a new process, its output and its exit code."""
from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import plotly.graph_objects as go
from conftest import ROOT, run_heatdoc

PERIODIC = ROOT / "specs" / "plotly-express" / "periodic-table.yaml"


def test_figure_prints_the_periodic_table():
    r = run_heatdoc("figure", PERIODIC)
    assert r.returncode == 0, r.stderr
    fig = json.loads(r.stdout)
    trace = fig["data"][0]
    assert trace["type"] == "heatmap"
    assert trace["texttemplate"] == "%{text}"
    assert trace["text"][0][0] == "H" and trace["text"][0][17] == "He"
    assert trace["customdata"][0][0] == ["Hydrogen", "1.00794"]
    assert trace["hovertemplate"] == "%{customdata[0]}<br>Atomic Mass: %{customdata[1]:.2f}<extra></extra>"
    assert trace["colorscale"][0] == [0.0, "rgb(255,255,255)"] and trace["showscale"] is False
    assert fig["layout"]["xaxis"]["visible"] is False and fig["layout"]["yaxis"]["visible"] is False
    assert "annotations" not in fig["layout"]  # cell text is the trace's texttemplate
    go.Figure(fig)


def test_validate_the_example_gallery():
    r = run_heatdoc("validate", ROOT / "specs")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("specs valid")


def test_validate_reports_every_error_with_its_line(make_project):
    root = make_project({"specs/bad.yaml": """\
        title: Bad
        z: [[1, 2], [3]]
        colourscale: Viridis
        text_auto: 5
        """})
    r = run_heatdoc("validate", cwd=root)
    assert r.returncode == 1
    path = "specs/bad.yaml"
    lines = r.stderr.splitlines()
    assert lines == [
        f"{path}:2:13: z[1]: row 1 has 1 cell; row 0 has 2 cells",
        f"{path}:3:1: colourscale: unknown key 'colourscale' (did you mean 'colorscale'?)",
        f"{path}:4:12: text_auto: expected true or false or text, got the number 5",
        "heatdoc: 3 errors",
    ], r.stderr
    assert "Traceback" not in r.stderr


def test_schema_is_a_valid_2020_12_schema_and_accepts_every_example():
    r = run_heatdoc("schema")
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    import yaml

    for path in sorted((ROOT / "specs").rglob("*.yaml")):
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)


def test_new_writes_a_starter_spec_with_the_schema_modeline(tmp_path):
    (tmp_path / "heatdoc.yaml").write_text("title: t\n")
    target = tmp_path / "specs" / "sales" / "by-month.yaml"
    r = run_heatdoc("new", target, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    first = target.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../site/heatdoc.schema.json"
    assert run_heatdoc("validate", target, cwd=tmp_path).returncode == 0
    # never overwrites
    target.write_text("title: mine\nz: [[1]]\n")
    r = run_heatdoc("new", target, cwd=tmp_path)
    assert r.returncode == 1 and "exists already" in r.stderr
    assert target.read_text() == "title: mine\nz: [[1]]\n"


def test_usage_errors_exit_2(tmp_path):
    assert run_heatdoc("no-such-command").returncode == 2
    r = run_heatdoc("figure", tmp_path / "missing.yaml")
    assert r.returncode == 2 and "no such spec file" in r.stderr


def test_help_imports_neither_pandas_nor_plotly():
    # `heatdoc --help` must start fast: the heavy libraries load only when a command needs them.
    code = ("import sys, contextlib, io\n"
            "from heatdoc.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try: main(['--help'])\n"
            "    except SystemExit: pass\n"
            "heavy = [m for m in ('pandas', 'plotly', 'numpy', 'jsonschema', 'jinja2') if m in sys.modules]\n"
            "print(','.join(heavy))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""


def test_validate_a_project_folder_skips_its_settings_and_site(make_project):
    root = make_project({"specs/a.yaml": "title: A\nz: [[1]]\n", "site/stray.yaml": "not: a spec\n"})
    r = run_heatdoc("validate", ".", cwd=root)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1 spec valid"


def test_the_built_site_is_readable_by_others(make_project):
    import os
    import stat

    root = make_project({"specs/a.yaml": "title: A\nz: [[1]]\n"})
    old = os.umask(0o022)
    try:
        assert run_heatdoc("build", cwd=root).returncode == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((root / "site").stat().st_mode) == 0o755
