"""heatdoc.embed: a fenced ``heatmap`` block's body becomes the markup of one chart, made by
the gallery's own compile step; errors name the page's lines for an inline spec."""
from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from heatdoc.embed import BlockError, embed_inline, embed_spec_file, parse_block
from heatdoc.embed.assets import embed_assets
from heatdoc.embed.chart import embed_block, error_html
from heatdoc.errors import HeatdocError
from heatdoc.spec.compile import compile_figure
from heatdoc.spec.load import load_yaml
from heatdoc.spec.validate import check_spec
from heatdoc.sources.dispatch import ReadContext


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "specs").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "data" / "m.csv").write_text(",a,b\nr1,1,2\nr2,3,4\n")
    (tmp_path / "specs" / "csv.yaml").write_text("title: From <CSV>\nz: {file: ../data/m.csv}\n")
    return tmp_path


def figure_of(html: str) -> dict:
    found = re.findall(r'<template class="heatdoc-figure">(.*?)</template>', html, re.S)
    assert len(found) == 1
    return json.loads(found[0])


def test_a_spec_file_is_the_chart_heatdoc_build_draws(project):
    chart = embed_spec_file(project / "specs" / "csv.yaml", root=project)
    spec = check_spec(load_yaml(project / "specs" / "csv.yaml"), ReadContext(project))
    assert figure_of(chart.html) == json.loads(json.dumps(compile_figure(spec, template=False)))
    assert chart.title == "From <CSV>"
    assert chart.inputs == [(project / "specs" / "csv.yaml").resolve(), (project / "data" / "m.csv").resolve()]
    assert chart.svg.startswith("<svg ") and "<path" in chart.svg


def test_the_markup_carries_the_text_alternative_and_no_ids(project):
    html = embed_spec_file(project / "specs" / "csv.yaml", root=project).html
    assert html.startswith('<figure class="heatdoc-embed">') and html.rstrip().endswith("</figure>")
    assert " id=" not in html  # a page may hold many charts, or one chart twice
    assert "From &lt;CSV&gt;: 2 × 2 cells" in html  # escaped title, and the size
    assert 'role="img" aria-label="Heatmap “From &lt;CSV&gt;”, 2 × 2 cells' in html
    assert re.search(r'<details class="heatdoc-data">\s*<summary>Data table</summary>', html)
    assert '<th scope="row">r1</th><td>1</td><td>2</td>' in html
    assert "<script" not in html  # a host may run every script of a page (mkdocs-material)


def test_a_link_to_the_chart_s_own_page_goes_in_the_caption(project):
    html = embed_spec_file(project / "specs" / "csv.yaml", root=project, link="../csv.html").html
    assert '<figcaption><a href="../csv.html">From &lt;CSV&gt;</a>' in html


def test_an_inline_spec_reads_data_from_the_page_s_folder(project):
    page = project / "docs" / "page.md"
    chart = embed_inline("title: Inline\nz: {file: ../data/m.csv}\n", source=page, first_line=3, root=project)
    assert figure_of(chart.html)["data"][0]["z"] == [[1, 2], [3, 4]]
    assert chart.inputs == [(project / "data" / "m.csv").resolve()]


def test_errors_of_an_inline_spec_name_the_page_and_its_lines(project):
    page = project / "docs" / "page.md"
    body = "title: Inline\nz: [[1, 2], [3]]\ncolorscale: Viridiss\n"
    with pytest.raises(HeatdocError) as caught:
        embed_inline(body, source=page, first_line=7, root=project)
    lines = str(caught.value).splitlines()
    assert lines == [f"{page}:8:13: z[1]: row 1 has 1 cell; row 0 has 2 cells",
                     f"{page}:9:13: colorscale: unknown colour scale 'Viridiss'; did you mean viridis, cividis?"]


def test_a_yaml_syntax_error_is_at_the_page_s_line(project):
    page = project / "docs" / "page.md"
    with pytest.raises(HeatdocError) as caught:
        embed_inline("title: [unclosed\nz: [[1]]\n", source=page, first_line=20, root=project)
    assert str(caught.value).startswith(f"{page}:20:8: YAML syntax error")


def test_errors_of_a_spec_file_name_the_spec_file(project):
    (project / "specs" / "bad.yaml").write_text("title: Bad\nz: {file: ../data/none.csv}\n")
    with pytest.raises(HeatdocError) as caught:
        embed_spec_file(project / "specs" / "bad.yaml", root=project)
    assert "bad.yaml:2:11: z.file: no such file: '../data/none.csv'" in str(caught.value)


@pytest.mark.parametrize("body, expected", [
    ("../specs/a.yaml\n", ("path", "../specs/a.yaml")),
    ("  sub/b.yml  ", ("path", "sub/b.yml")),
    ("/specs/a.yaml", ("path", "/specs/a.yaml")),
    ("title: A\nz: [[1]]\n", ("inline", "title: A\nz: [[1]]\n")),
    ("title: ends.yaml", ("inline", "title: ends.yaml")),  # a mapping, not a path
])
def test_parse_block(body, expected):
    assert parse_block(body) == expected


def test_an_empty_block_is_an_error():
    with pytest.raises(BlockError):
        parse_block(" \n \n")


def test_a_block_path_resolves_from_the_page_and_stays_in_the_project(project):
    page = project / "docs" / "page.md"
    chart = embed_block("../specs/csv.yaml", source=page, first_line=5, root=project,
                        link_of=lambda path: f"link:{path.name}")
    assert chart.title == "From <CSV>" and 'href="link:csv.yaml"' in chart.html
    assert embed_block("/specs/csv.yaml", source=page, first_line=5, root=project).title == "From <CSV>"
    with pytest.raises(HeatdocError) as caught:
        embed_block("../../outside.yaml", source=page, first_line=5, root=project)
    assert str(caught.value).startswith(f"{page}:5:1: ") and "leads outside the project" in str(caught.value)
    with pytest.raises(HeatdocError) as caught:
        embed_block("../specs/none.yaml", source=page, first_line=5, root=project)
    assert str(caught.value).startswith(f"{page}:5:1: no such file")


def test_the_error_box_shows_heatdoc_s_lines_escaped(project):
    page = project / "docs" / "page.md"
    with pytest.raises(HeatdocError) as caught:
        embed_inline("title: <b>x</b>\nz: [[1, <i>]]\n", source=page, first_line=1, root=project)
    box = error_html(caught.value, "docs/page.md")
    assert 'class="heatdoc-embed-error" role="alert"' in box and "docs/page.md" in box
    assert "<i>" not in box and "&lt;i&gt;" in box


def test_embed_assets_are_the_theme_script_after_plotly_s_templates():
    assets = embed_assets()
    assert set(assets) == {"heatdoc-embed.js", "heatdoc-embed.css", "plotly.min.js"}
    script = assets["heatdoc-embed.js"].decode()
    assert script.startswith("window.heatdocPlotlyTemplate = {")
    assert "window.heatdocPlotlyDarkTemplate = {" in script and "figure.heatdoc-embed" in script
    assert b"plotly.js v" in assets["plotly.min.js"][:512]


def test_a_block_of_markdown_lines_keeps_the_page_s_line_numbers(project):
    """What a host does: the block's first body line is the fence's line + 1."""
    page = project / "docs" / "page.md"
    text = textwrap.dedent("""\
        # Title

        ```heatmap
        title: T
        z: [[1, x]]
        ```
        """)
    body = "".join(text.splitlines(keepends=True)[3:5])
    with pytest.raises(HeatdocError) as caught:
        embed_inline(body, source=page, first_line=4, root=project)
    assert str(caught.value) == f"{page}:5:9: z[0][1]: a z cell must be a number or null, not 'x'"
