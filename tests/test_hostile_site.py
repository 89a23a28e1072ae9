"""Hostile markup in specs, as data: the built pages show it as text.

Specs come in pull requests from people we do not know. Each table below is built
once, as one project with one spec per case, and the tests read its HTML:

- PAYLOADS: a string put into every place a spec can hold text (title, tags, x/y
  labels, cell text, a customdata layer, the hovertemplate, axis and colour bar titles,
  the description, its section's title). Its pages must have exactly the elements,
  attribute names, ids and classes of the same spec holding plain text, show the
  string itself where it belongs, and carry it unchanged through every JSON block.
- MARKDOWN: a description, and the exact HTML it must become.
- CSV_LABELS: a label, and the field the CSV download holds for it (a spreadsheet
  must not run it as a formula). The downloads are made in the browser: the browser
  test at the end clicks them.

Adding a case is one line.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from helpers.site import Page, read_page

from heatdoc.site.build import build_site

# (case, the string). The case names a section folder, so it stays a plain word.
PAYLOADS = [
    ("script", "<script>alert(1)</script>"),
    ("end-script", "</script><script>alert(1)</script>"),
    ("img-onerror", "<img src=x onerror=alert(1)>"),
    ("svg-onload", "<svg/onload=alert(1)>"),
    ("attribute-double", '" onmouseover="alert(1)'),
    ("attribute-single", "' onmouseover='alert(1)"),
    ("attribute-unquoted", "x onfocus=alert(1) autofocus"),
    ("javascript-url", "javascript:alert(1)"),
    ("jinja-expression", "{{ 7*7 }}"),
    ("jinja-context", "{{ site.title }}{{ self }}{{ lipsum() }}"),
    ("jinja-raw", "{% raw %}{% endraw %}{# not a comment"),
    ("html-comment", "<!-- a"),
    ("cdata", "<![CDATA[ x ]]>"),
    ("end-title", "</title></textarea></style><script>alert(1)</script>"),
    ("entities", "&lt;script&gt; &amp; &#60;b&#62;"),
    ("line-separators", "a\u2028b\u2029c"),
    ("latex", "$x^2$"),
    ("latex-display", "$$\\frac{1}{2}$$"),
]
PLAIN = ("plain", "Plain text")  # the twin every hostile case is compared with
SITE_TITLE = "Site <script>alert('site')</script> {{ 7*7 }}"
SITE_DESCRIPTION = "About <img src=x onerror=alert('site')> [a](javascript:alert(1)) {{ 7*7 }}"


def chart_spec(value: str) -> str:
    """A spec with ``value`` in every text a spec can hold (JSON strings are YAML 1.2)."""
    v = json.dumps  # a JSON string is a YAML double-quoted scalar, whatever it holds
    return "\n".join([
        f"title: {v(value)}",
        f"description: {v('Text: ' + value)}",
        f"tags: [{v(value)}, {v('tag ' + value)}]",
        f"x: [{v(value)}, x]",
        f"y: [{v(value)}]",
        "z: [[1, 2]]",
        f"text: [[{v(value)}, t]]",
        f"customdata: {{note: [[{v(value)}, c]]}}",
        f"hovertemplate: {v('%{customdata.note} ' + value + '<extra></extra>')}",
        f"xaxis: {{title: {{text: {v(value)}}}}}",
        f"yaxis: {{title: {{text: {v(value)}}}}}",
        f"colorbar: {{title: {{text: {v(value)}}}}}",
        f"layout: {{title: {{text: {v(value)}}}}}",
        "",
    ])


# (description, the HTML it becomes). markdown-it renders with raw HTML off and
# refuses javascript:, vbscript:, file: and data: links (but for data: images).
MARKDOWN = [
    ("[a](javascript:alert(1))", "<p>[a](javascript:alert(1))</p>"),
    ("[a](JavaScript:alert(1))", "<p>[a](JavaScript:alert(1))</p>"),
    ("[a]( javascript:alert(1) )", "<p>[a]( javascript:alert(1) )</p>"),
    ("[a](&#106;avascript:alert(1))", "<p>[a](javascript:alert(1))</p>"),
    ("[a](%6Aavascript:alert(1))", '<p><a href="%6Aavascript:alert(1)">a</a></p>'),  # not a scheme: a relative path
    ("[a](java&#x09;script:alert(1))", '<p><a href="java%09script:alert(1)">a</a></p>'),  # likewise
    ("<javascript:alert(1)>", "<p>&lt;javascript:alert(1)&gt;</p>"),
    ("[a][r]\n\n[r]: javascript:alert(1)", "<p>[a][r]</p>\n<p>[r]: javascript:alert(1)</p>"),
    ("![a](javascript:alert(1))", "<p>![a](javascript:alert(1))</p>"),
    ("[a](vbscript:msgbox(1))", "<p>[a](vbscript:msgbox(1))</p>"),
    ("[a](file:///etc/passwd)", "<p>[a](file:///etc/passwd)</p>"),
    ("[a](data:text/html,<script>alert(1)</script>)",
     "<p>[a](data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;)</p>"),
    ("![a](data:image/svg+xml;base64,PHN2Zz4=)", "<p>![a](data:image/svg+xml;base64,PHN2Zz4=)</p>"),
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    ("<div onclick=alert(1)>\nx\n</div>", "<p>&lt;div onclick=alert(1)&gt;\nx\n&lt;/div&gt;</p>"),
    ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
    ('[a](https://example.org "x\\" onmouseover=\\"alert(1)")',
     '<p><a href="https://example.org" title="x&quot; onmouseover=&quot;alert(1)">a</a></p>'),
    ('[a](<https://example.org/"onmouseover="alert(1)>)',
     '<p><a href="https://example.org/%22onmouseover=%22alert(1)">a</a></p>'),
    ("`<script>`", "<p><code>&lt;script&gt;</code></p>"),
    ("    <script>alert(1)</script>", "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>"),
    ("{{ 7*7 }} {% raw %} {# x", "<p>{{ 7*7 }} {% raw %} {# x</p>"),
    ("<!-- x", "<p>&lt;!-- x</p>"),
    ("&lt;b&gt; &amp;", "<p>&lt;b&gt; &amp;</p>"),
    ("$x^2$ and $$y$$", "<p>$x^2$ and $$y$$</p>"),
    ("[fine](https://example.org/a?b=1&c=2) [page](other.html) [mail](mailto:a@example.org)",
     '<p><a href="https://example.org/a?b=1&amp;c=2">fine</a> <a href="other.html">page</a> '
     '<a href="mailto:a@example.org">mail</a></p>'),
]

# (label, the field the CSV download holds). Text a spreadsheet would run as a
# formula gets a leading ' (OWASP); a label that is a plain number stays as it is.
CSV_LABELS = [
    ("=1+1", "'=1+1"),
    ("=HYPERLINK(\"https://evil.example\",\"click\")", "'=HYPERLINK(\"https://evil.example\",\"click\")"),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("=", "'="),
    ("-", "'-"),
    ("-inf", "'-inf"),
    ("-5", "-5"),
    ("+0.5", "+0.5"),
    ("-1e3", "-1e3"),
    ("-.5", "-.5"),
    ("a=b", "a=b"),
    ("x-1", "x-1"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "project"
    (root / "specs").mkdir(parents=True)
    sections = {name: "Section " + value for name, value in [*PAYLOADS, PLAIN]}
    (root / "heatdoc.yaml").write_text(json.dumps({
        "title": SITE_TITLE, "description": SITE_DESCRIPTION, "sections": sections}), encoding="utf-8")
    for name, value in [*PAYLOADS, PLAIN]:
        (root / "specs" / name).mkdir()
        (root / "specs" / name / "chart.yaml").write_text(chart_spec(value), encoding="utf-8")
    (root / "specs" / "markdown").mkdir()
    for i, (text, _) in enumerate(MARKDOWN):
        (root / "specs" / "markdown" / f"m{i:02}.yaml").write_text(
            f"title: M{i:02}\ndescription: {json.dumps(text)}\nz: [[1]]\n", encoding="utf-8")
    x = [label for label, _ in CSV_LABELS]
    (root / "specs" / "csv.yaml").write_text(
        f"title: Formulas\nx: {json.dumps(x)}\ny: {json.dumps(x[:3])}\nz: {json.dumps([[-1.5] * len(x)] * 3)}\n",
        encoding="utf-8")
    build_site(root, quiet=True)
    return root / "site"


def chart(site: Path, name: str) -> tuple[str, Page]:
    path = site / name / "chart.html"
    return path.read_text(encoding="utf-8"), read_page(path)


def structure(page: Page) -> list[tuple]:
    """What a page is made of: each element, its attribute names, its id and class."""
    return [(tag, tuple(sorted(attrs)), attrs.get("id"), attrs.get("class")) for tag, attrs in page.tags]


def texts(pattern: str, text: str) -> list[str]:
    """The text of each element the pattern's group matches, as a browser reads it."""
    return [html.unescape(m) for m in re.findall(pattern, text, flags=re.S)]


def theme_vocabulary() -> tuple[set[str], set[str]]:
    """Every element and attribute name the theme's templates can write, plus what
    Markdown writes: nothing else may appear in a page."""
    from heatdoc.site.render.assets import THEME_DIR

    source = "".join(p.read_text() for p in THEME_DIR.glob("*.html"))
    tags = set(re.findall(r"<([a-z][a-z0-9]*)", source)) | {
        "p", "a", "code", "pre", "em", "strong", "ul", "ol", "li", "br", "hr", "blockquote",
        "h1", "h2", "h3", "h4", "h5", "h6", "img"}
    attributes = set(re.findall(r"\s([a-z][a-z-]*)=\"", source)) | set(
        re.findall(r"\s(defer|download|hidden)[\s>]", source)) | {"href", "src", "alt", "title"}
    return tags, attributes


def dangerous(url: str) -> bool:
    """Would a browser run this URL? It drops tabs and newlines and ignores case."""
    cleaned = re.sub(r"[\x00-\x20]", "", html.unescape(url)).lower()
    return cleaned.startswith(("javascript:", "vbscript:", "data:text", "data:image/svg"))


# --- every text of a spec ----------------------------------------------------------

@pytest.mark.parametrize("name, value", PAYLOADS, ids=[n for n, _ in PAYLOADS])
def test_a_hostile_string_adds_no_element_attribute_id_or_class(site, name, value):
    for page in (f"{name}/chart.html", f"{name}/index.html"):
        plain = PLAIN[0] + page.removeprefix(name)
        assert structure(read_page(site / page)) == structure(read_page(site / plain)), page


@pytest.mark.parametrize("name, value", PAYLOADS, ids=[n for n, _ in PAYLOADS])
def test_a_hostile_string_is_shown_as_written_wherever_a_spec_puts_text(site, name, value):
    text, page = chart(site, name)
    assert texts(r"<h1>(.*?)</h1>", text) == [value]
    assert texts(r"<title>(.*?)</title>", text) == [f"{value} · {SITE_TITLE}"]
    assert texts(r'<th scope="col">(.*?)</th>', text) == [value, "x"]
    assert texts(r'<th scope="row">(.*?)</th>', text) == [value]
    assert texts(r"<td>(.*?)</td>", text) == ["", f"{value} · 1 · {value}", "t · 2 · c"]  # "": the corner
    assert texts(r'<a class="tag" href="[^"]*">(.*?)</a>', text) == [value, "tag " + value]
    assert texts(r'<caption>Values of (.*?)</caption>', text) == [value]
    assert texts(r'<li><a href="index.html">(.*?)</a></li>', text) == ["Section " + value]
    description = re.findall(r'<div class="description">(.*?)</div>', text, flags=re.S)
    assert [" ".join(html.unescape(re.sub("<[^>]*>", "", d)).split()) for d in description] == [
        " ".join(("Text: " + html.unescape(value)).split())]  # Markdown reads &lt; as <
    spec_text = (site.parent / "specs" / name / "chart.yaml").read_text(encoding="utf-8")
    assert texts(r'<code id="heatdoc-yaml">(.*?)</code>', text) == [spec_text]
    if "{{" in value:  # Jinja never saw it as a template
        assert value in page.text and "49" not in page.text and "Heatdoc" not in page.text


@pytest.mark.parametrize("name, value", PAYLOADS, ids=[n for n, _ in PAYLOADS])
def test_a_hostile_string_cannot_end_a_json_block_and_reads_back_exactly(site, name, value):
    text, page = chart(site, name)
    block = page.scripts["heatdoc-figure"]
    assert not set(block) & set("<>&\u2028\u2029")
    figure = json.loads(block)
    trace, layout = figure["data"][0], figure["layout"]
    assert (trace["x"], trace["y"], trace["text"]) == ([value, "x"], [value], [[value, "t"]])
    assert trace["customdata"] == [[[value], ["c"]]]
    assert trace["hovertemplate"] == f"%{{customdata[0]}} {value}<extra></extra>"
    assert trace["colorbar"]["title"]["text"] == value
    assert layout["title"]["text"] == layout["xaxis"]["title"]["text"] == layout["yaxis"]["title"]["text"] == value
    cards = json.loads(read_page(site / "index.html").scripts["heatdoc-index"])
    [card] = [c for c in cards if c["section"] == "Section " + value]
    assert (card["title"], card["tags"]) == (value, [value, "tag " + value])
    assert card["summary"] == " ".join(("Text: " + html.unescape(value)).split())


def test_the_index_shows_every_hostile_title_tag_and_section_as_text(site):
    text = (site / "index.html").read_text(encoding="utf-8")
    titles = texts(r'<span class="card-title">(.*?)</span>', text)
    buttons = texts(r'<button type="button" class="tag-button" data-tag="([^"]*)"', text)
    for _, value in PAYLOADS:
        assert value in titles and value in buttons and "tag " + value in buttons
        assert "Section " + value in texts(r'<h2 id="group-\d+"><a href="[^"]*">(.*?)</a></h2>', text)
    assert texts(r"<h1>(.*?)</h1>", text) == [SITE_TITLE]
    assert texts(r'<div class="lead"><p>(.*?)</p>', text) == [
        "About <img src=x onerror=alert('site')> [a](javascript:alert(1)) {{ 7*7 }}"]


def test_no_page_has_markup_the_theme_does_not_write(site):
    tags, attributes = theme_vocabulary()
    for path in site.rglob("*.html"):
        page = read_page(path)
        for tag, attrs in page.tags:
            assert tag in tags, f"{path}: <{tag}>"
            assert set(attrs) <= attributes, f"{path}: <{tag} {sorted(set(attrs) - attributes)}>"
            assert not [a for a in attrs if a.startswith("on")], f"{path}: <{tag} {attrs}>"
            for name in ("href", "src", "action", "formaction"):
                assert not dangerous(attrs.get(name) or ""), f"{path}: {name}={attrs[name]!r}"
        for ident, body in page.scripts.items():
            script = next(a for t, a in page.tags if t == "script" and (a.get("id") or "") in (ident, ""))
            if script.get("type") == "application/json":
                json.loads(body)  # every JSON block parses: nothing broke out of it
            else:
                assert not body.strip(), f"{path}: an inline script"


def test_tag_links_keep_the_tag_in_their_fragment_only(site):
    text, _ = chart(site, "end-script")
    for href in texts(r'<a class="tag" href="([^"]*)"', text):
        assert href.startswith("../index.html#tag=") and not set(href) & set("<>\"' ")
    assert unquote(texts(r'<a class="tag" href="([^"]*)"', text)[0]).endswith(
        "#tag=</script><script>alert(1)</script>")


def test_the_theme_script_never_turns_text_into_markup(site):
    script = (site / "assets" / "heatdoc.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function("):
        assert sink not in script


# --- MathJax: never loaded, never asked for ----------------------------------------

def test_no_page_loads_mathjax_and_plotly_is_told_not_to_typeset(site):
    for path in [*site.rglob("*.html"), site / "assets" / "heatdoc.js", site / "assets" / "plotly-template.js"]:
        assert "mathjax" not in path.read_text(encoding="utf-8").lower(), path
    # plotly.js typesets a "$...$" title only when MathJax is on the page and typesetMath is on
    config = re.search(r"Plotly\.newPlot\([^{]*(\{[^}]*\})", (site / "assets" / "heatdoc.js").read_text())
    assert config and "typesetMath: false" in config.group(1)


# --- Markdown descriptions -----------------------------------------------------------

@pytest.mark.parametrize("i, markdown, expected", [(i, m, e) for i, (m, e) in enumerate(MARKDOWN)],
                         ids=[m[:40] for m, _ in MARKDOWN])
def test_a_description_becomes_exactly_this_html(site, i, markdown, expected):
    text = (site / "markdown" / f"m{i:02}.html").read_text(encoding="utf-8")
    [description] = re.findall(r'<div class="description">(.*?)</div>', text, flags=re.S)
    assert description == expected + "\n"


# --- the CSV download ------------------------------------------------------------------

def test_the_page_shows_labels_a_spreadsheet_would_run_as_written(site):
    # the page's data table and figure show the labels as written; the CSV download
    # neutralises them (test_in_a_browser_no_hostile_string_runs_..._and_the_downloads_keep_it)
    text = (site / "csv.html").read_bytes().decode("utf-8")  # read_text() would turn "\r" into "\n"
    page = Page(text)
    assert texts(r'<th scope="col">(.*?)</th>', text) == [label for label, _ in CSV_LABELS]
    assert json.loads(page.scripts["heatdoc-figure"])["data"][0]["x"] == [label for label, _ in CSV_LABELS]


# --- in a browser: nothing runs, nothing is typeset, downloads keep the text -----------

@pytest.mark.browser
def test_in_a_browser_no_hostile_string_runs_or_is_typeset_and_the_downloads_keep_it(site):
    from urllib.parse import quote

    from helpers.browser import CHROMIUM, LAUNCH_ARGS, Tab, file_prefix, hover_lines
    from helpers.matrix_csv import csv_text
    from playwright.sync_api import sync_playwright

    def download(page, kind: str) -> bytes:
        with page.expect_download() as info:
            page.click(f".downloads button[data-download={kind}]")
        return Path(info.value.path()).read_bytes()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            tab = Tab(browser.new_page(), [file_prefix(site)])  # records errors and outside requests
            dialogs: list[str] = []
            tab.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for name, value in PAYLOADS:
                page = tab.open((site / name / "chart.html").as_uri(), chart=True)
                hover = hover_lines(page, 0, 0)  # the cell whose text and customdata are the string
                assert page.evaluate("typeof window.MathJax") == "undefined"
                if value.startswith("$"):  # TeX-looking text is shown as written
                    assert page.text_content("#heatdoc-chart .gtitle") == value and value in " ".join(hover)
                # the downloads, made by the page's script, carry the string unchanged
                figure = json.loads(download(page, "json"))
                assert figure["data"][0]["x"] == [value, "x"] and figure["layout"]["title"]["text"] == value
                assert download(page, "csv").split(b"\n")[0] == f",{csv_text(value)},x".encode("utf-8")
                assert (dialogs, tab.problems) == ([], []), name
            page = tab.open((site / "csv.html").as_uri())
            rows = list(csv.reader(io.StringIO(download(page, "csv").decode("utf-8"), newline="")))
            assert rows[0] == ["", *[field for _, field in CSV_LABELS]]
            assert [row[0] for row in rows[1:]] == [field for _, field in CSV_LABELS[:3]]
            assert all(cell == "-1.5" for row in rows[1:] for cell in row[1:])  # numbers stay numbers
            tag, words = quote("<svg/onload=alert(1)>"), quote("</script><script>alert(1)</script>")
            page = tab.open((site / "index.html").as_uri() + f"#tag={tag}&q={words}")
            page.fill("#heatdoc-search", "<svg/onload")
            total = len(list(site.rglob("*.svg")))
            assert page.text_content("#heatdoc-status") == f"1 of {total} charts"
            assert (dialogs, tab.problems) == ([], [])
        finally:
            browser.close()
