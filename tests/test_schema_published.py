"""The published JSON Schema (`heatdoc schema`, the site's heatdoc.schema.json) against
`heatdoc validate`, as an editor uses it: the spec read by a plain YAML 1.2 parser, checked
by a standard Draft 2020-12 validator.

- Every spec heatdoc accepts is accepted by the schema: the specs in specs/, both starter
  files, every spec written inline in the test files (collected from their text), and a
  curated list that uses every key.
- What heatdoc rejects for its shape (unknown keys, wrong types) the schema rejects too.

The schema may accept more than heatdoc (what no schema can say: shapes, layer names,
colours); it never rejects a spec heatdoc draws.
"""
from __future__ import annotations

import ast
import json
import re
import textwrap
from functools import lru_cache
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import ROOT, run_heatdoc

from heatdoc.errors import HeatdocError
from heatdoc.spec.load import load_yaml
from heatdoc.spec.schema import SPEC_SCHEMA
from heatdoc.spec.validate import schema_errors


class Yaml12Loader(yaml.SafeLoader):
    """YAML as an editor's YAML 1.2 language server reads it (core schema): `no`, `on` and
    dates stay text, where PyYAML's YAML 1.1 rules would make them booleans and dates."""


Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in [
    ("bool", r"(?:true|True|TRUE|false|False|FALSE)\Z", "tTfF"),
    ("int", r"[-+]?[0-9]+\Z|0x[0-9a-fA-F]+\Z", "-+0123456789"),
    ("float", r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z"
              r"|[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z", "-+.0123456789"),
    ("null", r"(?:~|null|Null|NULL|)\Z", ["~", "n", "N", ""]),
]:
    Yaml12Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first))
# YAML 1.2 reads 010 as ten, not as octal
Yaml12Loader.add_constructor("tag:yaml.org,2002:int", lambda loader, node: int(node.value, 0)
                             if node.value.lower().startswith(("0x", "+0x", "-0x")) else int(node.value))


def as_editor_reads(text: str):
    return yaml.load(text, Loader=Yaml12Loader)  # noqa: S506 - a safe loader


@lru_cache(maxsize=1)
def published() -> jsonschema.Draft202012Validator:
    """The schema exactly as `heatdoc schema` prints it."""
    result = run_heatdoc("schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema == json.loads(json.dumps(SPEC_SCHEMA))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def schema_rejects(text: str) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
            for e in published().iter_errors(as_editor_reads(text))]


def heatdoc_rejects(path: Path) -> list[str]:
    """heatdoc's errors for the spec's shape: its YAML and its keys and types (not its data,
    which a schema cannot see)."""
    try:
        doc = load_yaml(path)
    except HeatdocError as exc:
        return [str(e) for e in exc.errors]
    return [str(e) for e in schema_errors(doc)]


# --- every spec heatdoc accepts --------------------------------------------------------------

def inline_specs() -> list[tuple[str, str]]:
    """Every string written in a test file that reads as a spec (a mapping with `title`
    and `z`), dedented as make_project writes it: (where, text)."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        if path.name == Path(__file__).name:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "z:" in node.value \
                    and "title:" in node.value:
                text = textwrap.dedent(node.value)
                found.setdefault(text, f"{path.name}:{node.lineno}")
    return [(where, text) for text, where in found.items()]


# keys heatdoc reads differently from a plain YAML parser, and every key at least once
CURATED = {
    "number-labels": "title: Years\nz: [[1, 2]]\nx: [1977, 1982]\ny: [2019]\n",
    "odd-labels": "title: t\nz: [[1, 2, 3, 4]]\nx: [007, true, ~, 1.5e3]\n",
    "number-tags": "title: t\nz: [[1]]\ntags: [2024, chemistry, true]\n",
    "yaml-1.1-words": "title: t\nz: [[1, 2]]\nx: [no, yes]\ny: [2024-01-01]\ndescription: on\n",
    "number-text": "title: t\nz: [[1, 2]]\ntext: [[1, true]]\n",
    "file-wide": "title: t\nz: {file: ../data/x.csv}\n",
    "file-grid": "title: t\nz: {file: ../data/x.csv, labels: false}\n",
    "file-long": "title: t\nz: {file: ../data/x.csv, x: a, y: b, value: c, agg: sum}\n",
    "file-corr": "title: t\nz: {file: ../data/x.csv, corr: spearman}\n",
    "sheet": "title: t\nz: {file: ../data/x.xlsx, sheet: 1}\ntext: {file: ../data/x.xlsx, sheet: Names}\n",
    "sql": "title: t\nz: {sql: SELECT * FROM t, database: ../data/x.sqlite, x: a, y: b, value: c}\n",
    "random": "title: t\nz: {random: uniform, shape: [3, 4], seed: 7}\n",
    "every-key": """\
        title: Every key
        description: "*Markdown*"
        tags: [a, b]
        order: 1.5
        z: [[1, null], [3, 4]]
        text: [[a, b], [c, d]]
        customdata:
          mass: [[1, 2], [3, 4]]
          name: {file: ../data/names.csv, labels: false}
        hovertemplate: "%{customdata.mass:.2f}<extra></extra>"
        texttemplate: "%{z}"
        text_auto: ".1f"
        textfont: {size: 12, color: white, family: serif}
        x: [a, b]
        y: [c, d]
        origin: lower
        aspect: auto
        xgap: 1
        ygap: 0.5
        width: 600
        height: 400
        xaxis: {side: top}
        yaxis: {visible: false}
        colorscale: [[0, white], [1, "rgb(255,77,148)"]]
        reversescale: true
        zmin: 0
        zmax: 4
        zmid: 2
        showscale: false
        colorbar: {title: {text: °C}}
        layout: {title: {text: t}}
        trace: {hoverongaps: false}
        """,
    "analysis-keys": """\
        title: Panels
        z: {file: ../data/x.csv, x: a, y: b, value: c, agg: mean}
        facet: year
        facet_wrap: 2
        facet_scale: independent
        normalize: rows_fraction
        mask: lower_diagonal
        order: {rows: cluster, columns: value desc, method: ward, metric: euclidean, dendrogram: true, gallery: 2}
        """,
    "animation": "title: t\nz: {file: ../data/x.csv, x: a, y: b, value: c}\nanimation: year\n"
                 "mask: [[true, false]]\norder: {rows: [b1, b2], columns: label}\n",
    "scale-name": "title: t\nz: [[1]]\ncolorscale: RdBu_r\n",
    "scale-colours": "title: t\nz: [[1]]\ncolorscale: ['#fff', navy]\ntext_auto: true\n",
}


def starter_specs(tmp_path: Path) -> list[Path]:
    from heatdoc.starter import init_project, write_spec

    init_project(tmp_path / "new-project")
    made = sorted((tmp_path / "new-project").rglob("*.yaml"))
    return [write_spec(tmp_path / "new-project" / "specs" / "my-chart.yaml"),
            *[p for p in made if p.name != "heatdoc.yaml"]]


def accepted_cases(tmp_path: Path) -> list[tuple[str, Path]]:
    cases = [(p.relative_to(ROOT).as_posix(), p) for p in sorted((ROOT / "specs").rglob("*.yaml"))]
    cases += [(f"starter {p.name}", p) for p in starter_specs(tmp_path)]
    for i, (where, text) in enumerate([*CURATED.items(), *inline_specs()]):
        path = tmp_path / "inline" / f"{i}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        cases.append((where, path))
    return cases


def test_every_spec_heatdoc_accepts_the_published_schema_accepts(tmp_path):
    checked, wrong = [], []
    for where, path in accepted_cases(tmp_path):
        if heatdoc_rejects(path) != []:
            continue  # a spec the test file wrote to be refused, or a template of one
        checked.append(where)
        problems = schema_rejects(path.read_text(encoding="utf-8"))
        if problems:
            wrong.append(f"{where}: {problems}")
    assert not wrong, "\n".join(wrong)
    # every source of specs took part
    assert any(w.startswith("specs/") for w in checked) and any(w.startswith("starter") for w in checked)
    assert set(CURATED) <= set(checked)
    # (test_seed.py reads the specs in specs/, checked above)
    for name in ("test_sources.py", "test_compile.py", "test_site_output.py", "test_site_update.py"):
        assert any(w.startswith(name) for w in checked), name


def test_the_curated_specs_use_every_key():
    used = {key for text in CURATED.values() for key in as_editor_reads(textwrap.dedent(text))}
    assert used == set(SPEC_SCHEMA["properties"])


# --- what heatdoc rejects for its shape, the schema rejects -----------------------------------

REJECTED = {
    "unknown-key": "title: t\nz: [[1]]\ncolourscale: Viridis\n",
    "unknown-source-key": "title: t\nz: {fiel: x.csv}\n",
    "unknown-font-key": "title: t\nz: [[1]]\ntextfont: {weight: bold}\n",
    "no-title": "z: [[1]]\n",
    "no-z": "title: t\n",
    "title-number": "title: 2024\nz: [[1]]\n",
    "title-empty": "title: ''\nz: [[1]]\n",
    "z-flat": "title: t\nz: [1, 2]\n",
    "z-empty": "title: t\nz: []\n",
    "z-text": "title: t\nz: scores.csv\n",
    "z-cell-list": "title: t\nz: [[[1]]]\n",
    "x-text": "title: t\nz: [[1]]\nx: a\n",
    "x-nested": "title: t\nz: [[1]]\nx: [[a]]\n",
    "x-mapping": "title: t\nz: [[1]]\nx: [{a: 1}]\n",
    "tags-text": "title: t\nz: [[1]]\ntags: chemistry\n",
    "tags-empty-name": "title: t\nz: [[1]]\ntags: ['']\n",
    "order-text": "title: t\nz: [[1]]\norder: first\n",
    "origin-enum": "title: t\nz: [[1]]\norigin: top\n",
    "width-float": "title: t\nz: [[1]]\nwidth: 60.5\n",
    "width-small": "title: t\nz: [[1]]\nwidth: 5\n",
    "gap-negative": "title: t\nz: [[1]]\nxgap: -1\n",
    "showscale-text": "title: t\nz: [[1]]\nshowscale: 'yes'\n",
    "layout-list": "title: t\nz: [[1]]\nlayout: [1]\n",
    "layer-name": "title: t\nz: [[1]]\ncustomdata: {bad-name: [[1]]}\n",
    "layers-list": "title: t\nz: [[1]]\ncustomdata: [[1]]\n",
    "agg-enum": "title: t\nz: {file: x.csv, x: a, y: b, value: c, agg: total}\n",
    "shape-three": "title: t\nz: {random: normal, shape: [1, 2, 3]}\n",
    "seed-negative": "title: t\nz: {random: normal, shape: [1, 2], seed: -1}\n",
    "sql-no-database": "title: t\nz: {sql: SELECT 1}\n",
    "scale-one-colour": "title: t\nz: [[1]]\ncolorscale: [red]\n",
    "scale-stop": "title: t\nz: [[1]]\ncolorscale: [[0, red], [2, blue]]\n",
    "text-auto-number": "title: t\nz: [[1]]\ntext_auto: 2\n",
    "spec-list": "- title: t\n",
}


@pytest.mark.parametrize("name", list(REJECTED))
def test_what_heatdoc_rejects_for_its_shape_the_schema_rejects(tmp_path, name):
    path = tmp_path / f"{name}.yaml"
    path.write_text(REJECTED[name], encoding="utf-8")
    assert heatdoc_rejects(path), "heatdoc accepts it"
    assert schema_rejects(REJECTED[name]), "the published schema accepts it"
