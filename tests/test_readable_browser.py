"""Readable by everyone (issue 15), in Chromium: cell text that meets WCAG AA against its
cell at every cell of every example, light and dark; the chart follows the page's colour
scheme; a wide matrix on a phone scrolls in its own box instead of shrinking its text.

The example gallery is built once for the module; each test opens its pages.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers.browser import (
    Tab,
    build_gallery,
    cell_fills,
    cell_labels,
    contrast_ratio,
    file_prefix,
    parse_colour,
    wait_for_chart,
)
from conftest import ROOT

pytestmark = pytest.mark.browser

SPECS = sorted((ROOT / "specs").rglob("*.yaml"))
CHART_PAGES = [p.relative_to(ROOT / "specs").with_suffix(".html").as_posix() for p in SPECS]
PERIODIC = "plotly-express/periodic-table.html"
PHONE = {"width": 375, "height": 812}
MIN_PHONE_TEXT_PX = 10


@pytest.fixture(scope="module")
def gallery(tmp_path_factory) -> Path:
    return build_gallery(ROOT, tmp_path_factory.mktemp("readable") / "site")


@pytest.fixture(scope="module")
def tabs(browser, gallery):
    """tabs(scheme, viewport) -> one Tab per (scheme, viewport), reused."""
    made: dict[tuple, Tab] = {}

    def tab(scheme: str = "light", viewport: dict | None = None) -> Tab:
        viewport = viewport or {"width": 1280, "height": 900}
        key = (scheme, viewport["width"])
        if key not in made:
            context = browser.new_context(viewport=viewport, color_scheme=scheme)
            made[key] = Tab(context.new_page(), [file_prefix(gallery)])
        return made[key]
    yield tab
    for t in made.values():
        t.page.context.close()


def open_chart(tab: Tab, gallery: Path, page: str) -> None:
    tab.open(file_prefix(gallery) + page, chart=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page", CHART_PAGES)
def test_every_cell_text_meets_wcag_aa_against_its_fill(tabs, gallery, page, scheme):
    tab = tabs(scheme)
    open_chart(tab, gallery, page)
    fills = cell_fills(tab.page)
    labels = cell_labels(tab.page)
    shown = [label for label in labels if label["text"].strip()]
    failing = []
    for label in shown:
        fill = fills[label["row"], label["col"]]
        assert fill[3] == 255, f"{label}: a label on a translucent or missing fill {fill}"
        ratio = contrast_ratio(parse_colour(label["fill"]), fill)
        if ratio < 4.5:
            failing.append((label["row"], label["col"], label["text"], label["fill"], fill, round(ratio, 2)))
    assert failing == []
    assert tab.problems == []


def paper_colour(tab: Tab) -> tuple[int, int, int]:
    return parse_colour(tab.page.evaluate(
        "() => getComputedStyle(document.querySelector('#heatdoc-chart .main-svg')).backgroundColor"))


def test_the_chart_follows_the_page_into_dark_mode_and_back(browser, gallery):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    tab = Tab(context.new_page(), [file_prefix(gallery)])
    try:
        open_chart(tab, gallery, "plotly-express/basic.html")
        assert sum(paper_colour(tab)) < 100  # plotly_dark's paper, rgb(17, 17, 17)
        plot_bg = tab.page.evaluate("() => document.querySelector('#heatdoc-chart .js-plotly-plot')"
                                    "._fullLayout.plot_bgcolor")
        assert sum(parse_colour(plot_bg)) < 100
        before = [label["fill"] for label in cell_labels(tab.page)]
        tab.page.emulate_media(color_scheme="light")
        tab.page.wait_for_function("() => getComputedStyle(document.querySelector('#heatdoc-chart .main-svg'))"
                                   ".backgroundColor === 'rgb(255, 255, 255)'", timeout=10_000)
        tab.page.emulate_media(color_scheme="dark")
        tab.page.wait_for_function("() => getComputedStyle(document.querySelector('#heatdoc-chart .main-svg'))"
                                   ".backgroundColor === 'rgb(17, 17, 17)'", timeout=10_000)
        # redrawn, the cell text keeps its colours
        tab.page.wait_for_timeout(100)
        assert [label["fill"] for label in cell_labels(tab.page)] == before
        assert tab.problems == []
    finally:
        context.close()


def test_a_light_page_draws_a_light_chart(tabs, gallery):
    tab = tabs("light")
    open_chart(tab, gallery, "plotly-express/basic.html")
    assert paper_colour(tab) == (255, 255, 255)


def test_on_a_phone_the_periodic_table_scrolls_in_its_box_with_readable_symbols(tabs, gallery):
    tab = tabs("light", PHONE)
    open_chart(tab, gallery, PERIODIC)
    seen = tab.page.evaluate("""() => {
      const holder = document.getElementById('heatdoc-chart');
      const title = holder.querySelector('.gtitle');
      const sizes = Array.from(holder.querySelectorAll('.heatmap-label text'))
        .map(t => parseFloat(getComputedStyle(t).fontSize));
      return {page: document.scrollingElement.scrollWidth, inner: innerWidth,
              holder: holder.getBoundingClientRect().toJSON(), overflow: getComputedStyle(holder).overflowX,
              scrollWidth: holder.scrollWidth, clientWidth: holder.clientWidth,
              title: title && title.getBoundingClientRect().toJSON(), titleText: title && title.textContent,
              smallest: Math.min.apply(null, sizes), labels: sizes.length};
    }""")
    assert seen["page"] <= seen["inner"] == PHONE["width"]  # the page does not scroll sideways
    assert seen["overflow"] == "auto" and seen["scrollWidth"] > seen["clientWidth"]  # the chart does
    assert seen["labels"] > 100 and seen["smallest"] >= MIN_PHONE_TEXT_PX  # symbols, not dots
    title, holder = seen["title"], seen["holder"]
    assert seen["titleText"] == "Periodic Table"
    assert holder["top"] <= title["top"] and title["bottom"] <= holder["bottom"]
    assert 0 <= title["left"] and title["right"] <= seen["inner"]
    # scrolled to its end, the last column is in view
    tab.page.evaluate("() => { const h = document.getElementById('heatdoc-chart'); h.scrollLeft = h.scrollWidth; }")
    assert tab.problems == []


@pytest.mark.parametrize("page", ["plotly-express/basic.html", "figure-factory/numpy-random.html"])
def test_on_a_phone_a_small_matrix_still_fits_the_screen(tabs, gallery, page):
    tab = tabs("light", PHONE)
    open_chart(tab, gallery, page)
    wait_for_chart(tab.page)
    widths = tab.page.evaluate("() => { const h = document.getElementById('heatdoc-chart');"
                               " return [h.scrollWidth, h.clientWidth, document.scrollingElement.scrollWidth]; }")
    assert widths[2] <= PHONE["width"]
    if page.endswith("basic.html"):  # 5 columns fit: no sideways scrolling at all
        assert widths[0] <= widths[1]
