"""The example gallery as a person sees it: built from the repository's specs/, opened in
headless Chromium (Debian's /usr/bin/chromium through Playwright), from disk and from
`heatdoc serve`.

One browser and one gallery build for the whole module; most tests reuse one tab. Every
tab aborts and reports any request that leaves the site, and each test checks that the
pages it opened logged no console error and had no failed request.
Run alone with `pytest -m browser`. Screenshots go to test-artifacts/ for review.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest
from helpers.browser import (
    ServedProject,
    Tab,
    axe_script,
    axe_violations,
    build_gallery,
    cell_fills,
    cell_labels,
    contrast_ratio,
    copy_project,
    expected_labels,
    file_prefix,
    hover_lines,
    load_lazy_images,
    parse_colour,
    visible_card_titles,
    wait_for_chart,
)
from conftest import ROOT

import heatdoc

pytestmark = pytest.mark.browser

SPECS = sorted((ROOT / "specs").rglob("*.yaml"))
REPORTS = sorted((ROOT / "specs").rglob("*.md"))  # each with a chart, so a thumbnail
CHART_PAGES = [p.relative_to(ROOT / "specs").with_suffix(".html").as_posix() for p in SPECS]
PERIODIC = "plotly-express/periodic-table.html"
BASIC = "plotly-express/basic.html"
SECTION = "plotly-express/index.html"
ARTIFACTS = Path(os.environ.get("HEATDOC_TEST_ARTIFACTS", ROOT / "test-artifacts"))
NARROW = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def gallery(tmp_path_factory) -> Path:
    return build_gallery(ROOT, tmp_path_factory.mktemp("gallery") / "site")


@pytest.fixture(scope="module")
def new_tab(browser, gallery):
    """new_tab(allowed=..., **context options) -> a Tab in its own browser context."""
    contexts = []

    def make(allowed: list[str] | None = None, **options) -> Tab:
        context = browser.new_context(**options)
        contexts.append(context)
        return Tab(context.new_page(), allowed or [file_prefix(gallery)])
    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def desktop(new_tab) -> Tab:
    """The tab most tests share: light, 1280 × 900."""
    return new_tab(viewport={"width": 1280, "height": 900}, color_scheme="light")


def url(site: Path, page: str) -> str:
    return file_prefix(site) + page


def test_the_gallery_has_a_page_per_spec(gallery):
    assert CHART_PAGES and all((gallery / page).is_file() for page in CHART_PAGES)


@pytest.mark.parametrize("page", CHART_PAGES)
def test_every_chart_page_draws_its_heatmap(desktop, gallery, page):
    tab = desktop
    tab.open(url(gallery, page), chart=True)
    spec = heatdoc.load_spec(ROOT / "specs" / Path(page).with_suffix(".yaml"))
    labels = cell_labels(tab.page)
    drawn = {(label["row"], label["col"]): label["text"] for label in labels}
    assert len(drawn) == len(labels), "two labels in one cell"
    assert drawn == expected_labels(spec)
    assert tab.page.locator("#heatdoc-chart .main-svg").count() >= 1
    assert tab.page.locator("#heatdoc-chart .chart-fallback").count() == 0  # replaced by the plot
    assert tab.problems == []


@pytest.mark.parametrize("page, shows", [
    (PERIODIC, {(0, 0): "H", (0, 17): "He", (1, 0): "Li"}),
    ("plotly-express/custom-text-labels.html", {(0, 0): "Win", (0, 1): "Lose"}),
    (BASIC, {(0, 0): "0.1", (1, 0): "1", (2, 1): "0"}),
    ("figure-factory/numpy-random.html", {(0, 0): "1.62", (0, 1): "-0.61"}),
])
def test_known_cells_show_their_text(desktop, gallery, page, shows):
    """Spot checks written by hand, independent of how expected_labels reads a spec."""
    desktop.open(url(gallery, page), chart=True)
    drawn = {(label["row"], label["col"]): label["text"] for label in cell_labels(desktop.page)}
    assert {cell: drawn.get(cell) for cell in shows} == shows


def test_hovering_a_cell_shows_its_template(desktop, gallery):
    desktop.open(url(gallery, PERIODIC), chart=True)
    assert hover_lines(desktop.page, 0, 0) == ["Hydrogen", "Atomic Mass: 1.01"]
    assert hover_lines(desktop.page, 0, 17) == ["Helium", "Atomic Mass: 4.00"]
    desktop.open(url(gallery, "figure-factory/custom-text-labels.html"), chart=True)
    # origin: lower: row 0 of z (Game Three) is drawn at the bottom
    assert hover_lines(desktop.page, 0, 1) == ["x: Team B", "y: Game Three", "z: 0.3"]
    assert desktop.problems == []


def test_cell_text_contrasts_with_its_fill(desktop, gallery):
    """No textfont colour: Plotly picks a light text on dark cells and a dark one on light cells."""
    desktop.open(url(gallery, BASIC), chart=True)
    fills = cell_fills(desktop.page)
    labels = {(label["row"], label["col"]): parse_colour(label["fill"]) for label in cell_labels(desktop.page)}
    darkest = min(fills, key=lambda cell: contrast_ratio(fills[cell], (0, 0, 0)))
    lightest = max(fills, key=lambda cell: contrast_ratio(fills[cell], (0, 0, 0)))
    assert darkest == (2, 1) and lightest == (1, 0)  # z = 0 and z = 1 of the basic example
    assert contrast_ratio(labels[darkest], (0, 0, 0)) > contrast_ratio(fills[darkest], (0, 0, 0))
    assert contrast_ratio(labels[lightest], (0, 0, 0)) < contrast_ratio(fills[lightest], (0, 0, 0))
    for cell in (darkest, lightest):
        assert contrast_ratio(labels[cell], fills[cell]) >= 4.5, cell
    # every cell stays readable (3:1, WCAG's minimum for large text and graphics)
    assert min(contrast_ratio(labels[cell], fills[cell]) for cell in fills) >= 3


def test_a_missing_cell_draws_no_fill_and_no_text(new_tab, tmp_path):
    project = tmp_path / "gaps"
    (project / "specs").mkdir(parents=True)
    (project / "heatdoc.yaml").write_text("title: Gaps\n")
    (project / "specs" / "auto.yaml").write_text("title: Gap, values\nz: [[1, null, 3], [4, 5, .nan]]\n"
                                                 "text_auto: true\n")
    (project / "specs" / "text.yaml").write_text("title: Gap, text\nz: [[1, null], [3, 4]]\n"
                                                 "text: [[a, b], [c, d]]\n")
    site = build_gallery(project, tmp_path / "site")
    tab = new_tab(allowed=[file_prefix(site)])
    for page, gaps in (("auto.html", {(0, 1), (1, 2)}), ("text.html", {(0, 1)})):
        tab.open(url(site, page), chart=True)
        fills = cell_fills(tab.page)
        assert {cell for cell, rgba in fills.items() if rgba[3] == 0} == gaps, page
        drawn = {(label["row"], label["col"]) for label in cell_labels(tab.page)}
        assert drawn == set(fills) - gaps, page
        assert tab.problems == []


def test_a_request_outside_the_site_is_caught(new_tab, tmp_path):
    """The guard every test relies on: with `plotlyjs: cdn` the page asks cdn.plot.ly, the tab
    aborts that request and reports it, and the page keeps its thumbnail in place of the chart."""
    project = tmp_path / "cdn"
    (project / "specs").mkdir(parents=True)
    (project / "heatdoc.yaml").write_text("title: CDN\nplotlyjs: cdn\n")
    (project / "specs" / "one.yaml").write_text("title: One\nz: [[1, 2]]\n")
    site = build_gallery(project, tmp_path / "site")
    tab = new_tab(allowed=[file_prefix(site)])
    page = tab.open(url(site, "one.html"))
    page.wait_for_load_state("load")
    assert [p for p in tab.problems if p.startswith("request outside the site: https://cdn.plot.ly/")]
    assert page.locator("#heatdoc-chart img.chart-fallback").is_visible()


def test_search_and_tag_filter_narrow_the_cards(desktop, gallery):
    specs = [heatdoc.load_spec(path) for path in SPECS]
    page = desktop.open(url(gallery, "index.html"))
    everything = sorted(visible_card_titles(page))
    assert everything == sorted([s.title for s in specs] + ["Report: A report on the example data"])
    assert len(REPORTS) == 1
    status = page.locator("#heatdoc-status")

    page.fill("#heatdoc-search", "periodic")
    wanted = sorted(s.title for s in specs
                    if "periodic" in " ".join([s.title, s.description or "", *s.tags]).lower())
    assert len(wanted) == 2 and sorted(visible_card_titles(page)) == wanted
    assert status.text_content() == f"2 of {len(specs)} charts and 1 report"

    page.fill("#heatdoc-search", "")
    page.click(".tag-button[data-tag='greys']")
    assert sorted(visible_card_titles(page)) == sorted(s.title for s in specs if "greys" in s.tags)
    assert page.get_attribute(".tag-button[data-tag='greys']", "aria-pressed") == "true"

    page.fill("#heatdoc-search", "figure factory")  # both words, anywhere: tag and search together
    assert visible_card_titles(page) == [s.title for s in specs
                                         if "greys" in s.tags and "figure-factory" in s.tags]
    page.fill("#heatdoc-search", "no such chart")
    assert visible_card_titles(page) == [] and status.text_content().startswith("No chart matches")
    assert page.locator(".group:visible").count() == 0  # empty sections are hidden too

    page.click(".tag-button[data-tag='']")
    page.fill("#heatdoc-search", "")
    assert sorted(visible_card_titles(page)) == everything
    assert desktop.problems == []


def test_links_from_index_to_section_to_chart_and_back(desktop, gallery):
    page = desktop.open(url(gallery, "index.html"))
    seen = set()

    def arrive(expected: str) -> None:
        page.wait_for_url(url(gallery, expected))
        seen.add(expected)

    page.click("h2 a:has-text('Plotly Express')")
    arrive(SECTION)
    page.click(".card-link:has-text('Periodic Table')")
    arrive(PERIODIC)
    wait_for_chart(page)
    page.click(".breadcrumbs a:has-text('Plotly Express')")
    arrive(SECTION)
    page.go_back()
    arrive(PERIODIC)
    page.click(".pager-previous")
    arrive("plotly-express/numpy-random.html")
    page.click(".tags a:has-text('greys')")  # a chart's tag opens the index filtered by it
    page.wait_for_url(url(gallery, "index.html") + "#tag=greys")
    assert sorted(visible_card_titles(page)) == sorted(
        s.title for s in map(heatdoc.load_spec, SPECS) if "greys" in s.tags)
    page.click("[data-card]:not([hidden]) .card-link:has-text('figure factory')")
    arrive("figure-factory/numpy-random.html")
    page.click(".breadcrumbs a >> nth=0")
    arrive("index.html")
    page.click(".site-nav a:has-text('Spec reference')")
    arrive("reference.html")
    assert desktop.problems == []
    # every link on the pages visited leads to a file of the site
    for visited in sorted(seen):
        page.goto(url(gallery, visited))
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
        for href in hrefs:
            if href.startswith("http"):
                continue  # the footer may link out; the site itself must not load anything from there
            target = href.split("#")[0]
            assert target.startswith(file_prefix(gallery)), (visited, href)
            assert Path(url2pathname(urlsplit(target).path)).is_file(), (visited, href)


def test_pages_work_from_heatdoc_serve_and_reload_after_an_edit(new_tab, tmp_path):
    # a copy of a small project; the repository's specs are never edited
    project = copy_project({ROOT / "specs" / "plotly-express" / "basic.yaml": Path("specs/demo/basic.yaml")},
                           tmp_path / "project")
    (project / "heatdoc.yaml").write_text("title: Served gallery\n", encoding="utf-8")
    spec = project / "specs" / "demo" / "basic.yaml"
    with ServedProject(project, tmp_path / "serve.log") as served:
        tab = new_tab(allowed=[served.url])
        page = tab.open(served.url)
        assert visible_card_titles(page) == ["Basic annotated heatmap"]
        page.click(".card-link")
        page.wait_for_url(served.url + "demo/basic.html")
        wait_for_chart(page)
        assert {(l["row"], l["col"]): l["text"] for l in cell_labels(page)}[(0, 0)] == "0.1"
        assert tab.problems == []

        page.evaluate("() => { window.beforeTheEdit = true; }")
        text = spec.read_text(encoding="utf-8")
        spec.write_text(text.replace("title: Basic annotated heatmap", "title: Edited heatmap")
                        .replace("z: [[.1,", "z: [[.25,"), encoding="utf-8")
        page.wait_for_function("() => !window.beforeTheEdit && document.querySelector('h1')"
                               " && document.querySelector('h1').textContent === 'Edited heatmap'",
                               timeout=30_000)
        wait_for_chart(page)
        assert {(l["row"], l["col"]): l["text"] for l in cell_labels(page)}[(0, 0)] == "0.25"
        assert tab.problems == []
    log = served.stop()
    assert "basic.yaml changed" in log and "Traceback" not in log and "warning:" not in log, log


@pytest.mark.parametrize("page", ["index.html", PERIODIC])
def test_a_phone_wide_page_does_not_scroll_sideways(new_tab, gallery, page):
    tab = new_tab(viewport=NARROW)
    tab.open(url(gallery, page), chart=page != "index.html")
    sizes = tab.page.evaluate("""() => {
      const box = document.querySelector('#heatdoc-chart');
      return {scroll: document.scrollingElement.scrollWidth, inner: innerWidth,
              box: box && box.getBoundingClientRect().toJSON()}; }""")
    assert sizes["scroll"] <= sizes["inner"] == NARROW["width"]
    if sizes["box"]:  # a wide chart scrolls inside its box, which stays on the screen
        assert 0 <= sizes["box"]["left"] and sizes["box"]["right"] <= sizes["inner"]
    assert tab.problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_for_review(new_tab, gallery, scheme):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", NARROW)):
        tab = new_tab(viewport=viewport, color_scheme=scheme)
        for page, chart in (("index.html", False), (PERIODIC, True)):
            tab.open(url(gallery, page), chart=chart)
            background = parse_colour(tab.page.evaluate("() => getComputedStyle(document.body).backgroundColor"))
            assert (sum(background) < 100) == (scheme == "dark"), background  # the scheme took effect
            load_lazy_images(tab.page)
            stem = "index" if page == "index.html" else "periodic-table"
            tab.page.screenshot(path=ARTIFACTS / f"{stem}-{name}-{scheme}.png", full_page=True)
            assert tab.problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(new_tab, gallery, scheme):
    axe_js = axe_script()
    tab = new_tab(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    found = {}
    for page, chart in (("index.html", False), (SECTION, False), (PERIODIC, True), ("reference.html", False)):
        tab.open(url(gallery, page), chart=chart)
        found[page] = axe_violations(tab.page, axe_js)
        assert tab.problems == []
    assert found == {page: [] for page in found}


def test_text_alternatives_without_javascript(new_tab, gallery):
    tab = new_tab(java_script_enabled=False)
    page = tab.open(url(gallery, PERIODIC))
    spec = heatdoc.load_spec(ROOT / "specs" / "plotly-express" / "periodic-table.yaml")
    fallback = page.locator("#heatdoc-chart img.chart-fallback")
    assert fallback.is_visible()
    assert "Periodic Table" in fallback.get_attribute("alt")
    assert page.evaluate("() => document.querySelector('.chart-fallback').naturalWidth") > 0
    page.click(".data-table summary")
    table = page.locator(".data-table table")
    assert table.is_visible()
    assert table.locator("caption").text_content() == "Values of Periodic Table"
    rows, cols = spec.z.shape
    assert table.locator("tbody tr").count() == rows
    assert table.locator("thead th").count() == cols
    assert "Hydrogen" in table.locator("tbody tr").first.text_content()
    # without JavaScript the index lists every card, and its filters (which need it) stay hidden
    page = tab.open(url(gallery, "index.html"))
    assert page.locator("[data-card]:visible").count() == len(SPECS) + len(REPORTS)
    assert page.locator("#heatdoc-filters").is_hidden()
    thumbs = page.eval_on_selector_all(".card img.thumb", "els => els.map(i => [i.alt, i.getAttribute('src')])")
    # a card's thumbnail is decorative: the card's title, in the same link, names it
    assert len(thumbs) == len(SPECS) + len(REPORTS) and all(alt == "" and src.endswith(".svg") for alt, src in thumbs)
    assert tab.problems == []


def test_card_thumbnails_and_the_data_table_are_there_with_javascript(desktop, gallery):
    page = desktop.open(url(gallery, "index.html"))
    load_lazy_images(page)
    broken = page.eval_on_selector_all(".card img.thumb", "els => els.filter(i => !i.naturalWidth).map(i => i.src)")
    assert broken == []
    page = desktop.open(url(gallery, BASIC), chart=True)
    page.click(".data-table summary")
    assert page.locator(".data-table tbody td").first.text_content() == "0.1"
    assert desktop.problems == []
