"""The built site, read as HTML: one small real project built once for the module."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from helpers.site import FILES, HOSTILE_TITLE, read_page, write_project

from heatdoc.site.build import build_site
from heatdoc.site.render.assets import plotly_js
from heatdoc.spec.schema import SITE_SCHEMA, SPEC_SCHEMA

CHART_PAGES = {
    "specs/alpha/one.yaml": "alpha/one.html",
    "specs/alpha/two.yaml": "alpha/two.html",
    "specs/alpha/three.yaml": "alpha/three.html",
    "specs/beta/from-csv.yaml": "beta/from-csv.html",
    "specs/beta/hostile.yaml": "beta/hostile.html",
    "specs/alpha/deeper/four.yaml": "alpha/deeper/four.html",
    "specs/beta/big.yaml": "beta/big.html",
    "specs/top-level.yaml": "top-level.html",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("site") / "project")
    report = build_site(root, quiet=True)
    return root / "site", report


@pytest.fixture(scope="module")
def site(built) -> Path:
    return built[0]


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_report_counts_charts_sections_pages_and_warns_of_a_missing_section(built):
    site, report = built
    assert (report.charts, report.sections, report.pages) == (8, 3, 13)
    assert report.warnings == ("heatdoc.yaml: sections: no folder 'missing' with specs under specs/",)
    assert report.summary().startswith("built ")
    assert "8 charts in 3 sections, 13 pages" in report.summary()


@pytest.mark.parametrize("spec, page", CHART_PAGES.items())
def test_every_spec_has_a_page_at_its_mirrored_path(site, spec, page):
    title = re.search(r"title: \"?(.*?)\"?\n", FILES[spec]).group(1)
    html = read_page(site / page)
    assert html.text.count(title) >= 1
    assert (site / page).with_suffix(".svg").is_file()
    # the CSV and JSON downloads are made in the browser (tests/test_downloads.py)
    assert not (site / page).with_suffix(".csv").exists() and not (site / page).with_suffix(".json").exists()


def test_every_link_and_source_resolves_inside_the_site(site):
    checked = 0
    for page in html_files(site):
        html = read_page(page)
        for tag, attr in [("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")]:
            for attrs in html.all(tag):
                url = attrs.get(attr)
                if url is None or url.startswith(("data:", "https://example.org/")):
                    continue
                assert "://" not in url, f"{page}: absolute link {url}"
                parts = urlsplit(url)
                target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
                assert target.is_file(), f"{page}: {url} -> {target}"
                assert target.is_relative_to(site.resolve())
                if parts.fragment and target.suffix == ".html" and "=" not in parts.fragment:
                    assert parts.fragment in read_page(target).ids(), f"{page}: {url}"
                checked += 1
    assert checked > 100


def test_index_groups_cards_by_section_in_the_settings_order(site):
    html = (site / "index.html").read_text()
    headings = re.findall(r"<h2 id=\"group-\d+\">(?:<a [^>]*>)?([^<]*)", html)
    assert headings == ["Charts", "Beta title", "Alpha", "Alpha / Deeper"]
    # inside a section: `order` first, then specs without one
    alpha = html[html.index("Alpha</a></h2>"):]
    assert alpha.index(">Two<") < alpha.index(">One<") < alpha.index(">Three (no order)<")


def test_index_card_has_thumbnail_title_section_tags_and_first_paragraph(site):
    html = read_page(site / "index.html")
    card = (site / "index.html").read_text().split('data-card="')
    one = next(c for c in card if ">One<" in c)
    assert 'src="alpha/one.svg"' in one and 'href="alpha/one.html"' in one
    assert "First paragraph of one, with code and a link." in one
    assert "Second paragraph" not in one
    assert '<li class="tag">shared</li>' in one and '<p class="card-section">Alpha</p>' in one
    assert all(img.get("alt") is not None for img in html.all("img"))


def test_index_embeds_its_search_data_and_labels_the_search_box(site):
    html = read_page(site / "index.html")
    data = json.loads(html.scripts["heatdoc-index"])
    assert [c["title"] for c in data][:4] == ["At the top", "Big", "From a CSV file", HOSTILE_TITLE]
    assert data[3]["tags"] == ["<svg onload=alert('tag')>", "a&b"]
    label = html.all("label")[0]
    assert label["for"] == "heatdoc-search" and "heatdoc-search" in html.ids()
    buttons = [a.get("data-tag") for a in html.all("button")]
    assert buttons == ["", "<svg onload=alert('tag')>", "a&b", "csv", "one-only", "shared"]


def test_section_pages_list_their_cards_with_breadcrumbs(site):
    html = read_page(site / "beta" / "index.html")
    assert "Beta title" in html.text
    assert [a["href"] for a in html.all("a") if a["href"].endswith(".html")][:3] == [
        "../index.html", "../index.html", "../reference.html"]
    assert {a["href"] for a in html.all("a")} >= {"from-csv.html", "hostile.html"}
    assert not (site / "index.html").samefile(site / "beta" / "index.html")


def test_chart_page_has_breadcrumbs_tags_description_and_neighbours(site):
    page = site / "alpha" / "one.html"
    html = read_page(page)
    text = (page).read_text()
    assert '<li><a href="../index.html">Test &lt;gallery&gt;</a></li>' in text
    assert '<li><a href="index.html">Alpha</a></li>' in text
    assert '<a class="tag" href="../index.html#tag=one-only">one-only</a>' in text
    assert "<strong>one</strong>" in text and "<code>code</code>" in text
    assert '<a rel="prev" class' not in text
    prev = next(a for a in html.all("a") if a.get("rel") == "prev")
    nxt = next(a for a in html.all("a") if a.get("rel") == "next")
    assert (prev["href"], nxt["href"]) == ("two.html", "three.html")
    first = read_page(site / "alpha" / "two.html")
    assert not [a for a in first.all("a") if a.get("rel") == "prev"]


def test_chart_page_carries_its_figure_without_the_template(site):
    html = read_page(site / "alpha" / "two.html")
    figure = json.loads(html.scripts["heatdoc-figure"])
    assert figure["data"][0]["x"] == ["a", "b", "c"]
    assert "template" not in figure["layout"]
    js = plotly_js("bundled")
    srcs = [s["src"] for s in html.all("script") if s.get("src")]
    assert srcs == [f"../{js.url}", "../assets/plotly-template.js", "../assets/heatdoc.js"]
    assert (site / js.url).read_bytes() == js.file.read_bytes()
    assert re.fullmatch(r"assets/plotly-\d+\.\d+\.\d+\.min\.js", js.url)
    assert (site / "assets/plotly-template.js").read_text().startswith("window.heatdocPlotlyTemplate = {")


def test_downloads_are_offered_as_buttons_that_make_them_from_the_page_s_figure(site):
    """The downloads are made by the page's script (tests/test_downloads.py clicks them):
    the page carries all they are made of, and offers them only once the script runs."""
    text = (site / "alpha/one.html").read_text()
    html = read_page(site / "alpha/one.html")
    buttons = [(b["data-download"], b["data-file"]) for b in html.all("button") if "data-download" in b]
    assert buttons == [("csv", "one.csv"), ("json", "one.json")]
    assert '<p class="downloads download-offer" hidden>' in text
    figure = json.loads(html.scripts["heatdoc-figure"])
    assert figure["data"][0]["z"] == [[1, 2], [3, None]]  # the CSV's values, and its gap
    assert "x" not in figure["data"][0] and "y" not in figure["data"][0]  # labels 0, 1, ...
    cells = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", text)
    assert [(label, re.findall(r"<td>(.*?)</td>", row)) for label, row in cells] == [("0", ["1", "2"]), ("1", ["3", ""])]
    # the JSON download adds plotly's template, which every page loads from one file
    light, dark = (site / "assets/plotly-template.js").read_text().splitlines()
    assert json.loads(light.removeprefix("window.heatdocPlotlyTemplate = ").removesuffix(";"))["layout"]["colorway"]
    # and plotly_dark, for a page in dark mode
    dark_template = json.loads(dark.removeprefix("window.heatdocPlotlyDarkTemplate = ").removesuffix(";"))
    assert dark_template["layout"]["paper_bgcolor"] == "rgb(17,17,17)"


def test_chart_page_has_a_text_alternative_without_javascript(site):
    html = read_page(site / "beta" / "from-csv.html")
    img = next(i for i in html.all("img") if i.get("class") == "chart-fallback")
    assert img["src"] == "from-csv.svg" and "2 × 2 cells" in img["alt"]
    text = (site / "beta" / "from-csv.html").read_text()
    assert '<th scope="col">Mon</th>' in text and '<th scope="row">Blue</th>' in text
    assert "<td>3.0</td>" in text  # text_auto ".1f"
    assert "<details class=\"data-table\">" in text


def test_a_nested_folder_is_its_own_section(site):
    html = read_page(site / "alpha" / "deeper" / "four.html")
    text = (site / "alpha" / "deeper" / "four.html").read_text()
    crumbs = text[text.index('class="breadcrumbs"'):].split("</nav>")[0]
    assert re.findall(r'href="([^"]*)"', crumbs) == ["../../index.html", "index.html"]
    assert html.all("link")[-1]["href"] == "../../assets/heatdoc.css"
    assert "Alpha / Deeper" in read_page(site / "alpha" / "deeper" / "index.html").text


def test_a_big_matrix_offers_the_csv_instead_of_a_table(site):
    text = (site / "beta" / "big.html").read_text()
    assert "The matrix has 60 × 70 cells, too many to read as a table" in text
    assert "<table>" not in text
    figure = json.loads(read_page(site / "beta" / "big.html").scripts["heatdoc-figure"])
    assert figure["data"][0]["z"]["dtype"] == "f8"
    assert 'viewBox="0 0 35 30"' in (site / "beta" / "big.svg").read_text()
    assert figure["data"][0]["z"]["shape"] == "60, 70"  # what the CSV download is made of
    assert '<button type="button" class="link-button" data-download="csv" data-file="big.csv">' in text


def test_chart_page_shows_the_spec_yaml(site):
    text = (site / "beta" / "from-csv.html").read_text()
    assert "z: {file: ../../data/scores.csv}" in text
    assert "specs/beta/from-csv.yaml" in text
    assert 'data-copy="heatdoc-yaml"' in text


def test_markup_from_a_spec_is_shown_as_text(site):
    page = site / "beta" / "hostile.html"
    text = page.read_text()
    html = read_page(page)
    # nothing from the spec became a tag or an attribute
    assert all(not (s.get("src") is None and "alert" in body)
               for s, body in zip(html.all("script"), html.scripts.values())
               if s.get("type") != "application/json")
    assert not [t for t, a in html.tags if any("alert" in (k or "") for k in a)]
    assert not [a for _, a in html.tags if any((v or "").startswith("javascript:") for v in a.values())]
    assert not html.all("svg") and not [i for i in html.all("img") if i.get("src") == "x"]
    assert not [t for t, _ in html.tags if t == "b"]
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in text
    assert "{{ 7*7 }}" in html.text and "49" not in html.text
    assert "&lt;img src=x onerror=alert(&#39;description&#39;)&gt;" in text
    # the figure JSON cannot end its <script>: <, > and & are escaped, and it reads back whole
    block = html.scripts["heatdoc-figure"]
    assert "<" not in block and ">" not in block and "&" not in block and "\u2028" not in block
    figure = json.loads(block)
    assert figure["data"][0]["x"][0] == "</script><script>alert('label')</script>"
    assert figure["data"][0]["text"][0] == ["<b>bold</b>", "</script>", "\u2028"]
    index = read_page(site / "index.html")
    assert HOSTILE_TITLE in index.text and not index.all("svg")


def test_no_page_loads_mathjax_or_anything_from_the_network(site):
    for page in html_files(site):
        text = page.read_text()
        assert "mathjax" not in text.lower()
        for attrs in read_page(page).all("script"):
            assert "://" not in (attrs.get("src") or "")


def test_ids_are_never_taken_from_a_spec(site):
    allowed = re.compile(r"(main|heatdoc-[a-z-]+|group-\d+|key-[a-z0-9_-]+|setting-[a-z0-9_-]+|"
                         r"file-[a-z0-9_-]+|sql-[a-z0-9_-]+|random-[a-z0-9_-]+|rows|spec|settings|"
                         r"file-source|sql-source|random-source|scales)")
    for page in html_files(site):
        for ident in read_page(page).ids():
            assert allowed.fullmatch(ident), f"{page}: id {ident!r}"


def test_schema_file_is_the_spec_schema(site):
    assert json.loads((site / "heatdoc.schema.json").read_text()) == json.loads(json.dumps(SPEC_SCHEMA))


def test_reference_page_documents_every_key_with_type_and_example(site):
    html = read_page(site / "reference.html")
    text = (site / "reference.html").read_text()
    for prefix, schema in (("key", SPEC_SCHEMA), ("setting", SITE_SCHEMA)):
        for name in schema["properties"]:
            anchor = f"{prefix}-{name.replace('_', '_')}"
            assert anchor in html.ids(), anchor
            row = text[text.index(f'id="{anchor}"'):].split('<div class="key"', 1)[0]
            assert 'class="key-type"' in row and "<pre><code>" in row, f"{anchor} has no type or example"
    assert "default <code>Plasma</code>" in text and "Viridis" in text
    assert "z: {random: normal, shape: [20, 20], seed: 1}" in text


def test_sitemap_lists_every_page_by_absolute_url(site):
    xml = (site / "sitemap.xml").read_text()
    urls = re.findall(r"<loc>(.*?)</loc>", xml)
    assert "https://example.org/charts/" in urls
    assert "https://example.org/charts/alpha/" in urls
    assert "https://example.org/charts/alpha/one.html" in urls
    assert len(urls) == 13
    canonical = read_page(site / "alpha" / "one.html").all("link")
    assert {"rel": "canonical", "href": "https://example.org/charts/alpha/one.html"} in canonical


def test_pages_have_landmarks_a_language_and_a_title(site):
    for page in html_files(site):
        html = read_page(page)
        names = [t for t, _ in html.tags]
        assert {"header", "main", "footer", "nav", "title"} <= set(names), page
        assert html.all("html")[0]["lang"] == "en"
        assert html.all("meta")[1] == {"name": "viewport", "content": "width=device-width, initial-scale=1"}
