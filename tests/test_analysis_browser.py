"""The analysis examples (specs/analysis) as Chromium draws them: every page without a
console error, facet panels and dendrograms on their own axes, animation frames moved
by the slider, masked cells without fill, text or hover, and zmid's colours as drawn."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers.browser import (
    _CELL_POINT_JS,
    Tab,
    build_gallery,
    cell_fills,
    cell_labels,
    copy_project,
    file_prefix,
    hover_lines,
)
from conftest import ROOT

import heatdoc
from heatdoc.spec.colours import colour_at, resolve_scale

pytestmark = pytest.mark.browser

EXAMPLES = sorted((ROOT / "specs" / "analysis").glob("*.yaml"))
DATA = ["iris.csv", "tips.csv", "life-expectancy.json", "medals.tsv"]
ZMID_SPEC = """\
title: zmid
z: [[-2, 1, 10]]
zmin: -2
zmax: 10
zmid: 1
colorscale: Viridis
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("analysis")
    files = {path: Path("specs/analysis") / path.name for path in EXAMPLES}
    files.update({ROOT / "data" / name: Path("data") / name for name in DATA})
    copy_project(files, project)
    (project / "specs" / "analysis" / "zmid.yaml").write_text(ZMID_SPEC)
    (project / "heatdoc.yaml").write_text("title: Analysis\n")
    return build_gallery(project, project / "site")


@pytest.fixture(scope="module")
def tab(browser, site) -> Tab:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield Tab(context.new_page(), [file_prefix(site)])
    context.close()


def open_chart(tab: Tab, site: Path, name: str):
    return tab.open(file_prefix(site) + f"analysis/{name}.html", chart=True)


@pytest.mark.parametrize("name", [path.stem for path in EXAMPLES])
def test_every_example_draws_without_a_problem(tab, site, name):
    page = open_chart(tab, site, name)
    assert page.locator("#heatdoc-chart .heatmaplayer .hm").count() >= 1
    assert tab.problems == []


def test_facets_draw_one_heatmap_a_panel_with_its_title(tab, site):
    page = open_chart(tab, site, "tips-facets")
    assert page.locator("#heatdoc-chart .heatmaplayer .hm").count() == 2
    titles = page.eval_on_selector_all("#heatdoc-chart .annotation-text", "els => els.map(e => e.textContent)")
    assert titles == ["time=Dinner", "time=Lunch"]
    # the thumbnail (the picture without JavaScript) is the first panel, and says so
    assert "its first panel of 2 (time=Dinner)" in (site / "analysis" / "tips-facets.html").read_text()
    assert tab.problems == []


def test_the_slider_moves_to_another_frame(tab, site):
    page = open_chart(tab, site, "tips-animation")
    spec = heatdoc.load_spec(ROOT / "specs" / "analysis" / "tips-animation.yaml")
    first = page.evaluate("() => document.querySelector('#heatdoc-chart .js-plotly-plot').data[0].z")
    assert np.allclose(np.array(first, dtype=float), spec.panels[0].z, equal_nan=True)
    page.evaluate("() => Plotly.animate(document.querySelector('#heatdoc-chart .js-plotly-plot'), ['Yes'],"
                  " {frame: {duration: 0, redraw: true}, transition: {duration: 0}, mode: 'immediate'})")
    page.wait_for_function("() => document.querySelector('#heatdoc-chart .slider-container') !== null")
    moved = page.evaluate("() => document.querySelector('#heatdoc-chart .js-plotly-plot').data[0].z")
    assert np.allclose(np.array(moved, dtype=float), spec.panels[1].z, equal_nan=True)
    assert page.locator("#heatdoc-chart .slider-group").count() == 1
    assert page.locator("#heatdoc-chart .updatemenu-button").count() == 2  # play, pause
    assert tab.problems == []


def test_dendrograms_are_drawn_beside_the_clustered_matrix(tab, site):
    page = open_chart(tab, site, "clustered-correlation")
    assert page.locator("#heatdoc-chart .scatterlayer .trace").count() == 2
    assert tab.problems == []


def test_masked_cells_have_no_fill_no_text_and_no_hover(tab, site):
    page = open_chart(tab, site, "triangular-correlation")
    labels = {(label["row"], label["col"]) for label in cell_labels(page)}
    assert labels == {(i, j) for i in range(4) for j in range(4) if j <= i}
    fills = cell_fills(page)
    assert all(fills[i, j][3] == 0 for i in range(4) for j in range(4) if j > i)  # transparent
    assert all(fills[i, j][3] == 255 for i in range(4) for j in range(4) if j <= i)
    assert hover_lines(page, 1, 0)[0].startswith("x: sepal_length")
    page.mouse.move(0, 0)
    page.mouse.move(*page.evaluate(_CELL_POINT_JS, [0, 3]))
    page.wait_for_timeout(300)
    assert page.locator("#heatdoc-chart .hoverlayer .hovertext").count() == 0
    assert tab.problems == []


def test_zmid_gets_the_middle_colour_as_drawn(tab, site):
    page = open_chart(tab, site, "zmid")
    fills = cell_fills(page)
    scale = resolve_scale("Viridis")
    for col, t in enumerate((0, 0.5, 1)):
        want = colour_at(scale, t)
        assert all(abs(a - b) <= 1.5 for a, b in zip(fills[0, col][:3], want[:3])), (col, fills[0, col], want)
    assert tab.problems == []
