"""The Sphinx extension (heatdoc.sphinx), tested as a user meets it: a small Sphinx project
(tests/helpers/sphinx_project.py: reST and MyST pages, charts from spec files and inline, a
300×300 chart, a page without a chart) built by `python -m sphinx` in a subprocess, with
alabaster and with furo (a parallel `-j 2` build), then read as files and opened in
Chromium. One build per theme for the module; other builders and bad specs build small
projects of their own."""
from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from helpers.browser import Tab, axe_script, file_prefix
from helpers.sphinx_project import (
    BIG,
    BIG_FIRST,
    CHARTS,
    INLINE_VALUES,
    SMALL_VALUES,
    sphinx_build,
    write_bad_project,
    write_project,
)

pytest.importorskip("sphinx")
pytest.importorskip("myst_parser")
pytest.importorskip("furo")

CHART_PAGES = list(CHARTS)
PLAIN = "plain"


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    return write_project(tmp_path_factory.mktemp("sphinx-project"))


def built(source: Path, out: Path, *args: str, builder: str = "html") -> Path:
    done = sphinx_build(source, out, *args, builder=builder)
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    return out


@pytest.fixture(scope="module")
def alabaster(source, tmp_path_factory) -> Path:
    return built(source, tmp_path_factory.mktemp("alabaster") / "html")


@pytest.fixture(scope="module")
def furo_build(source, tmp_path_factory):
    out = tmp_path_factory.mktemp("furo") / "html"
    done = sphinx_build(source, out, "-D", "html_theme=furo", "-j", "2")
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    return out, done


@pytest.fixture(scope="module")
def furo(furo_build) -> Path:
    return furo_build[0]


@pytest.fixture(scope="module", params=["alabaster", "furo"])
def site(request) -> Path:
    return request.getfixturevalue(request.param)


def page(site: Path, name: str) -> str:
    return (site / f"{name}.html").read_text(encoding="utf-8")


# --- the built files ---------------------------------------------------------------

@pytest.mark.parametrize("name", CHART_PAGES)
def test_every_chart_is_on_its_page(site, name):
    html = page(site, name)
    assert html.count('<figure class="heatdoc-embed">') == len(CHARTS[name])
    for rows, cols in CHARTS[name]:
        assert f"{rows} × {cols} cells" in html


def test_plotly_js_is_copied_once_and_loaded_only_by_pages_with_a_chart(site):
    copies = list(site.rglob("plotly*.js"))
    assert [p.relative_to(site).parent.as_posix() for p in copies] == ["_static/heatdoc"]
    for name in CHART_PAGES:
        html = page(site, name)
        assert len(re.findall(r'<script defer="defer" src="[./]*_static/heatdoc/plotly\.min\.js\?v=', html)) == 1
        assert len(re.findall(r'src="[./]*_static/heatdoc/heatdoc-embed\.js', html)) == 1
        assert html.index("plotly.min.js") < html.index("heatdoc-embed.js")
    for name in [PLAIN, "index", "search", "genindex"]:
        assert "_static/heatdoc" not in page(site, name), name
        assert "plotly" not in page(site, name), name


def test_the_matrix_is_not_in_the_search_index(site):
    index = (site / "searchindex.js").read_text(encoding="utf-8")
    assert "quokka" in index  # the plain page's words are indexed
    for value in SMALL_VALUES + INLINE_VALUES:
        assert value in page(site, "rest")  # the data tables spell small charts out...
        assert value.split(".")[0] not in index, value  # ... but search has none of their cells
    for k in range(0, BIG[0] * BIG[1], 997):
        assert str(BIG_FIRST + k) not in index


def test_a_chart_has_its_text_alternative(alabaster):
    html = page(alabaster, "rest")
    assert 'aria-label="Heatmap “Games won”, 3 × 3 cells; the values are in the data table below."' in html
    assert "<summary>Data table</summary>" in html
    assert '<th scope="row">r1</th><td>4711.25</td>' in html


def test_a_caption_and_a_height(alabaster):
    html = page(alabaster, "rest")
    assert re.search(r'<figure class="[^"]*heatdoc-figure[^"]*"[^>]*>\s*<div class="heatdoc-sphinx" '
                     r'style="--heatdoc-height: 300px"><figure class="heatdoc-embed">', html)
    assert re.search(r'<span class="caption-text">Games won by each team</span>', html)


def test_a_parallel_build_is_the_same(furo_build, alabaster):
    out, done = furo_build
    # -j 2 read and wrote in parallel: Sphinx names the chunks of documents each worker took
    assert re.search(r"reading sources\.\.\. \[[ \d]+%\] \S+ \.\. \S+", done.stdout), done.stdout
    for name in CHART_PAGES:
        assert page(out, name).count('class="heatdoc-embed"') == page(alabaster, name).count('class="heatdoc-embed"')


def test_cdn_loads_the_same_plotly_js_from_the_cdn(source, tmp_path):
    out = built(source, tmp_path / "html", "-D", "heatdoc_plotlyjs=cdn")
    html = page(out, "rest")
    assert re.search(r'<script crossorigin="anonymous" defer="defer" integrity="sha256-[A-Za-z0-9+/=]+" '
                     r'src="https://cdn\.plot\.ly/plotly-[\d.]+\.min\.js">', html), html.split("<body")[0]
    assert not list(out.rglob("plotly*.js"))


def test_an_unknown_plotlyjs_setting_is_refused(source, tmp_path):
    done = sphinx_build(source, tmp_path / "html", "-D", "heatdoc_plotlyjs=local")
    assert done.returncode != 0
    assert "heatdoc_plotlyjs = 'local': use 'bundled'" in done.stderr


# --- bad specs ---------------------------------------------------------------------

BAD_LINES = [
    # the page and its line, then heatdoc's own lines (paths relative to where sphinx-build runs)
    ("bad.rst:4: WARNING: heatdoc: the chart cannot be drawn:",
     "bad.yaml:3:13: colorscale: unknown colour scale 'Viridiss' (did you mean 'viridis' or 'cividis'?)"),
    ("bad.rst:6: WARNING: heatdoc: the chart cannot be drawn:",
     "bad.rst:9:20: z[1][1]: a z cell must be a number or null, not 'abc'"),
    ("badmyst.md:5: WARNING: heatdoc: the chart cannot be drawn:",
     "badmyst.md:7:13: z[1]: row 1 has 1 cell; row 0 has 2 cells"),
    ("badmyst.md:12: WARNING: heatdoc: the chart cannot be drawn:",
     "badmyst.md:16:13: colorscale: unknown colour scale 'Viridiss' (did you mean 'viridis' or 'cividis'?)"),
    ("badmyst.md:21: WARNING: heatdoc: the chart cannot be drawn:",
     "badmyst.md:21:1: the heatmap block is empty: give a path to a spec file or a spec"),
]


@pytest.fixture(scope="module")
def bad_source(tmp_path_factory) -> Path:
    return write_bad_project(tmp_path_factory.mktemp("bad"))


def test_W_fails_on_a_bad_spec_with_heatdoc_s_lines_naming_the_page(bad_source, tmp_path):
    done = sphinx_build(bad_source, tmp_path / "html", "-W", "--keep-going")
    assert done.returncode != 0
    for warning, error in BAD_LINES:
        assert f"{bad_source / warning}\n{error}" in done.stderr, done.stderr


def test_without_W_a_bad_spec_is_a_warning_and_an_error_box(bad_source, tmp_path):
    done = sphinx_build(bad_source, tmp_path / "html")
    assert done.returncode == 0
    assert done.stderr.count("WARNING: heatdoc: the chart cannot be drawn") == len(BAD_LINES)
    html = (tmp_path / "html" / "bad.html").read_text(encoding="utf-8")
    assert html.count('<div class="heatdoc-error admonition error">') == 2
    assert "bad.yaml:3:13: colorscale: unknown colour scale 'Viridiss'" in html.replace("&#39;", "'")
    assert "heatdoc-embed" not in html and "plotly" not in html


def test_heatdoc_max_cells_limits_a_matrix(source, tmp_path):
    done = sphinx_build(source, tmp_path / "html", "-D", "heatdoc_max_cells=1000")
    assert done.returncode == 0
    assert "big.rst:4: WARNING: heatdoc: the chart cannot be drawn:\n" in done.stderr
    assert "specs/big.yaml:2:4: z: the matrix has 300 x 300 = 90,000 cells, more than max_cells (1,000)" in done.stderr


def test_a_path_and_a_body_together_are_refused(tmp_path):
    (tmp_path / "conf.py").write_text('extensions = ["heatdoc.sphinx"]\n')
    (tmp_path / "index.rst").write_text("T\n=\n\n.. heatmap:: a.yaml\n\n   title: x\n\n.. heatmap::\n")
    done = sphinx_build(tmp_path, tmp_path / "_build", "-W", "--keep-going")
    assert done.returncode != 0
    assert "index.rst:4:1: heatmap: give either a spec path (a.yaml) or an inline spec" in done.stderr
    assert "index.rst:8:1: heatmap: give a spec path" in done.stderr


def test_data_may_not_leave_the_root(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "secret.csv").write_text("1,2\n3,4\n")
    (tmp_path / "docs" / "conf.py").write_text('extensions = ["heatdoc.sphinx"]\n')
    (tmp_path / "docs" / "index.rst").write_text(
        "T\n=\n\n.. heatmap::\n\n   title: x\n   z: {file: ../secret.csv}\n")
    done = sphinx_build(tmp_path / "docs", tmp_path / "_build", "-W")
    assert done.returncode != 0
    assert "index.rst:7:14: z.file: '../secret.csv' leads outside the project folder" in done.stderr
    (tmp_path / "docs" / "conf.py").write_text('extensions = ["heatdoc.sphinx"]\nheatdoc_root = ".."\n')
    assert sphinx_build(tmp_path / "docs", tmp_path / "_build2", "-W").returncode == 0


# --- other builders, rebuilds ------------------------------------------------------

def test_latex_includes_each_chart_as_a_pdf_image(source, tmp_path):
    out = built(source, tmp_path / "latex", builder="latex")
    tex = (out / "heatdocfixture.tex").read_text(encoding="utf-8")
    images = re.findall(r"\\sphinxincludegraphics(?:\[[^]]*\])?\{\{([0-9a-f]+)\}\.pdf\}", tex)
    assert len(images) == sum(len(charts) for charts in CHARTS.values())
    for name in set(images):
        assert (out / f"{name}.pdf").read_bytes().startswith(b"%PDF-")
    assert "\\sphinxincludegraphics[height=300\\sphinxpxdimen]" in tex
    assert "\\caption{Games won by each team}" in tex


def test_the_text_builder_shows_the_text_alternative(source, tmp_path):
    out = built(source, tmp_path / "text", builder="text")
    text = " ".join((out / "rest.txt").read_text(encoding="utf-8").split())
    assert "[image: Heatmap “Games won”, 3 × 3 cells]" in text


def test_latex_without_an_svg_converter_says_what_to_add(source, tmp_path):
    done = sphinx_build(source, tmp_path / "latex", "-D", "extensions=heatdoc.sphinx,myst_parser", builder="latex")
    assert done.returncode == 0
    assert done.stderr.count("WARNING: heatdoc: the latex builder cannot include a chart's SVG drawing; "
                             "add an SVG converter to extensions in conf.py: 'sphinxcontrib.cairosvgconverter'") == 1
    assert "a suitable image for latex builder not found" not in done.stderr
    tex = (tmp_path / "latex" / "heatdocfixture.tex").read_text(encoding="utf-8")
    assert "Heatmap “Games won”, 3 × 3 cells" in tex and "sphinxincludegraphics" not in tex


def test_a_changed_spec_or_data_file_rebuilds_the_pages_that_use_it(source, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(source.parent, project)
    docs, out = project / "docs", tmp_path / "html"
    built(docs, out)
    assert "4711.25" in page(out, "myst")

    time.sleep(1.1)  # a newer mtime than the build's
    small = project / "data" / "small.csv"
    small.write_text(small.read_text().replace("4711.25", "1234.75"))
    again = sphinx_build(docs, out)
    assert again.returncode == 0, again.stderr
    assert re.findall(r"reading sources\.\.\. \[[ \d]+%\] (\S+)", again.stdout) == ["myst", "rest"]
    assert "1234.75" in page(out, "myst") and "1234.75" in page(out, "rest")

    time.sleep(1.1)
    spec = project / "specs" / "teams.yaml"
    spec.write_text(spec.read_text().replace("Games won", "Games lost"))
    again = sphinx_build(docs, out)
    assert re.findall(r"reading sources\.\.\. \[[ \d]+%\] (\S+)", again.stdout) == ["myst", "rest"]
    assert "Games lost" in page(out, "rest")


# --- in the browser ----------------------------------------------------------------

DRAWN_JS = """(count) => {
  const plots = document.querySelectorAll('figure.heatdoc-embed .js-plotly-plot');
  return plots.length === count && Array.from(plots).every(
    gd => gd._fullLayout && gd.querySelector('.heatmaplayer image'));
}"""

SHAPES_JS = """() => Array.from(document.querySelectorAll('figure.heatdoc-embed .js-plotly-plot')).map(gd => {
  const z = gd._fullData[0]._z || gd._fullData[0].z;
  return [z.length, z[0].length, gd.getBoundingClientRect().height];
})"""

BACKGROUND_JS = """() => Array.from(document.querySelectorAll('figure.heatdoc-embed .js-plotly-plot'))
  .map(gd => gd._fullLayout.paper_bgcolor + ' ' + gd._fullLayout.font.color)"""


@pytest.fixture(scope="module")
def tabs(browser):
    contexts = []

    def make(site: Path, **options) -> Tab:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
        contexts.append(context)
        return Tab(context.new_page(), [file_prefix(site)])
    yield make
    for context in contexts:
        context.close()


def open_page(tab: Tab, site: Path, name: str, fetched: list[str]) -> None:
    tab.page.on("request", lambda r: fetched.append(r.url))
    tab.open(file_prefix(site) + f"{name}.html")
    tab.page.wait_for_function(DRAWN_JS, arg=len(CHARTS.get(name, [])), timeout=60_000)


@pytest.mark.browser
@pytest.mark.parametrize("name", CHART_PAGES)
def test_every_chart_draws_its_cells_with_one_plotly_js(tabs, site, name):
    tab = tabs(site, color_scheme="light")
    fetched: list[str] = []
    open_page(tab, site, name, fetched)
    shapes = tab.page.evaluate(SHAPES_JS)
    assert [tuple(s[:2]) for s in shapes] == CHARTS[name]
    assert len([u for u in fetched if u.split("?")[0].endswith("/_static/heatdoc/plotly.min.js")]) == 1
    assert tab.problems == []
    if name == "rest":  # :height: 300px
        assert abs(shapes[0][2] - 300) < 2, shapes


@pytest.mark.browser
def test_a_page_without_a_chart_fetches_no_plotly_js(tabs, site):
    tab = tabs(site)
    fetched: list[str] = []
    open_page(tab, site, PLAIN, fetched)
    assert not [u for u in fetched if "plotly" in u or "heatdoc" in u]
    assert tab.problems == []


@pytest.mark.browser
def test_furo_s_dark_mode_recolours_the_charts(tabs, furo):
    tab = tabs(furo, color_scheme="light")
    open_page(tab, furo, "rest", [])
    light = tab.page.evaluate(BACKGROUND_JS)
    tab.page.click("button.theme-toggle >> visible=true")  # furo: auto -> dark (the system is light)
    assert tab.page.evaluate("() => document.body.dataset.theme") == "dark"
    tab.page.wait_for_function("(light) => { const now = (" + BACKGROUND_JS + ")();"
                               " return now.every((c, i) => c !== light[i]); }", arg=light, timeout=10_000)
    dark = tab.page.evaluate(BACKGROUND_JS)
    tab.page.evaluate("() => { document.body.dataset.theme = 'light'; }")
    tab.page.wait_for_function("(light) => JSON.stringify((" + BACKGROUND_JS + ")()) === JSON.stringify(light)",
                               arg=light, timeout=10_000)
    assert dark != light and tab.problems == []


AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations'], preload: false});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
    id: v.id,
    inChart: v.nodes.filter(n => { const el = document.querySelector(n.target[0]);
                                   return el && el.closest('.heatdoc-embed'); }).map(n => n.target.join(' ')),
  }));
}"""


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_the_theme_does_not_have_without_a_chart(tabs, site, scheme):
    axe_js = axe_script().read_text(encoding="utf-8")
    found = {}
    tab = tabs(site, color_scheme=scheme)
    for name in [PLAIN, *CHART_PAGES]:
        open_page(tab, site, name, [])
        if "furo" in str(site) and scheme == "dark":
            tab.page.evaluate("() => { document.body.dataset.theme = 'dark'; }")
        tab.page.add_script_tag(content=axe_js)
        found[name] = tab.page.evaluate(AXE_JS)
    baseline = {v["id"] for v in found[PLAIN]}
    for name in CHART_PAGES:
        assert [v for v in found[name] if v["id"] not in baseline or v["inChart"]] == [], name
