"""The MkDocs plugin, tested as a user runs it: `mkdocs build` / `mkdocs serve` of small
projects in subprocesses (the default theme, and mkdocs-material with its palette toggle
and instant navigation), then the sites opened in Chromium."""
from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from helpers.browser import Tab, axe_script, axe_violations, embedded_charts, wait_for_embeds
from helpers.site import write_project

pytest.importorskip("mkdocs")

BIG = 300  # a page with a 300 × 300 chart must add none of its cells to the search index
SEED = 7
DISTINCT = "98765.4321"  # a cell value that appears nowhere else

FILES = {
    "data/m.csv": f",a,b\nr1,1,2\nr2,3,{DISTINCT}\n",
    "specs/csv.yaml": "title: From CSV\nz: {file: ../data/m.csv}\ntext_auto: true\n",
    "docs/index.md": f"""\
        ---
        title: Home
        ---
        # Charts

        A chart of a spec file, as an image link names it:

        ```heatmap
        ../specs/csv.yaml
        ```

        And one written in the page, big:

        ```heatmap
        title: Big
        z: {{random: normal, shape: [{BIG}, {BIG}], seed: {SEED}}}
        ```
        """,
    "docs/sub/page.md": """\
        # In a folder

        - a chart in a list item, its data relative to this page:

            ```heatmap
            title: Inline
            z: {file: ../../data/m.csv}
            colorscale: Viridis
            ```
        """,
    "docs/plain.md": "# Plain\n\nNo chart here.\n",
}

DEFAULT_THEME = """\
    site_name: Plugin test
    nav: [index.md, plain.md, sub/page.md]
    theme: {name: mkdocs, highlightjs: false}  # no request outside the site
    plugins:
      - search
      - heatdoc
    """

MATERIAL = """\
    site_name: Plugin test
    site_url: http://127.0.0.1:{port}/  # instant navigation follows the links of its sitemap
    nav: [plain.md, index.md, sub/page.md]
    theme:
      name: material
      font: false
      features: [navigation.instant]
      palette:
        - scheme: default
          toggle: {icon: material/brightness-7, name: Switch to dark mode}
        - scheme: slate
          toggle: {icon: material/brightness-4, name: Switch to light mode}
    plugins:
      - search
      - heatdoc
    """


def mkdocs(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def make_site(root: Path, config: str, extra: dict[str, str] | None = None, *args: str) -> Path:
    write_project(root, {**FILES, "mkdocs.yml": config, **(extra or {})})
    done = mkdocs("build", "--strict", *args, cwd=root)
    assert done.returncode == 0, done.stderr
    return root / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return make_site(tmp_path_factory.mktemp("mkdocs") / "project", DEFAULT_THEME)


@pytest.fixture(scope="module")
def material_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def material(tmp_path_factory, material_port) -> Path:
    return make_site(tmp_path_factory.mktemp("material") / "project", MATERIAL.replace("{port}", str(material_port)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def http():
    """http(folder) -> the URL of a static server of ``folder`` (instant navigation needs http)."""
    servers: dict[Path, tuple[subprocess.Popen, str]] = {}

    def serve(folder: Path, port: int | None = None) -> str:
        if folder not in servers:
            port = port or free_port()
            server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                                      cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            servers[folder] = server, f"http://127.0.0.1:{port}/"
            wait_for_http(servers[folder][1])
        return servers[folder][1]
    yield serve
    for server, _ in servers.values():
        server.terminate()
        server.wait(timeout=10)


def scripts(html: str) -> list[str]:
    return re.findall(r'<script src="([^"]*(?:plotly|heatdoc)[^"]*)"', html)


# --- the built site --------------------------------------------------------------------

def test_charts_replace_the_blocks_and_scripts_go_only_to_pages_with_a_chart(site):
    index = (site / "index.html").read_text()
    assert index.count('<figure class="heatdoc-embed">') == 2
    assert "```heatmap" not in index and "heatdoc-chart" not in index  # no placeholder left
    assert scripts(index) == ["assets/heatdoc/plotly.min.js", "assets/heatdoc/heatdoc-embed.js"]
    assert '<link rel="stylesheet" href="assets/heatdoc/heatdoc-embed.css">' in index
    page = (site / "sub" / "page" / "index.html").read_text()
    assert page.count('<figure class="heatdoc-embed">') == 1 and "<figcaption>Inline: 2 × 2 cells" in page
    assert scripts(page) == ["../../assets/heatdoc/plotly.min.js", "../../assets/heatdoc/heatdoc-embed.js"]
    plain = (site / "plain" / "index.html").read_text()
    assert scripts(plain) == [] and "heatdoc" not in plain
    assert sorted(p.name for p in (site / "assets" / "heatdoc").iterdir()) == [
        "heatdoc-embed.css", "heatdoc-embed.js", "plotly.min.js"]


def test_the_search_index_holds_no_cell_values(site, material):
    big = np.random.RandomState(SEED).randn(BIG, BIG)
    samples = [f"{v:.6g}" for v in big.ravel()[:200]]
    for built in (site, material):
        text = (built / "search" / "search_index.json").read_text()
        index = json.loads(text)
        assert any(doc["location"].startswith("sub/page") for doc in index["docs"])  # the pages are indexed
        assert DISTINCT not in text and "bdata" not in text and "heatmap" not in text
        assert not [s for s in samples if s in text]
        assert "Charts" in text and "No chart here" in text  # the prose is


def test_plotlyjs_cdn_loads_the_pinned_copy_and_writes_none(tmp_path):
    config = DEFAULT_THEME.replace("  - heatdoc\n", "  - heatdoc:\n          plotlyjs: cdn\n")
    built = make_site(tmp_path / "project", config)
    src = scripts((built / "index.html").read_text())
    assert re.fullmatch(r"https://cdn\.plot\.ly/plotly-\d+\.\d+\.\d+\.min\.js", src[0])
    assert 'integrity="sha256-' in (built / "index.html").read_text()
    assert not (built / "assets" / "heatdoc" / "plotly.min.js").exists()


BAD_PAGE = """\
    # Bad

    Text.

    ```heatmap
    title: Bad
    z: [[1, 2], [3]]
    ```
    """


def test_a_bad_spec_fails_a_strict_build_with_heatdoc_s_lines_naming_the_page(tmp_path):
    root = write_project(tmp_path / "project", {**FILES, "mkdocs.yml": DEFAULT_THEME, "docs/bad.md": BAD_PAGE,
                                        "docs/worse.md": "```heatmap\n../specs/none.yaml\n```\n"})
    done = mkdocs("build", "--strict", cwd=root)
    assert done.returncode != 0
    assert "docs/bad.md:7:13: z[1]: row 1 has 1 cell; row 0 has 2 cells" in done.stderr
    assert "the page bad.md" in done.stderr


def test_without_strict_a_bad_spec_is_a_warning_and_an_error_box(tmp_path):
    root = write_project(tmp_path / "project", {**FILES, "mkdocs.yml": DEFAULT_THEME, "docs/bad.md": BAD_PAGE,
                                        "docs/worse.md": "Text.\n\n```heatmap\n../specs/none.yaml\n```\n"})
    done = mkdocs("build", cwd=root)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 2 and all("heatdoc" in w for w in warnings)
    assert "docs/worse.md:4:1: no such file: '../specs/none.yaml'" in done.stderr
    page = (root / "site" / "bad" / "index.html").read_text()
    assert 'class="heatdoc-embed-error" role="alert"' in page
    assert "docs/bad.md:7:13: z[1]: row 1 has 1 cell; row 0 has 2 cells" in page


def test_the_plugin_is_found_by_its_entry_point():
    from importlib.metadata import entry_points

    (found,) = [e for e in entry_points(group="mkdocs.plugins") if e.name == "heatdoc"]
    assert found.value == "heatdoc.mkdocs_plugin:HeatdocPlugin"


def test_mkdocs_serve_rebuilds_when_a_data_file_changes(tmp_path):
    root = write_project(tmp_path / "project", {**FILES, "mkdocs.yml": DEFAULT_THEME})
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                              cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        assert DISTINCT in wait_for_http(url)
        # the data file is outside docs/: only the plugin's watch sees it
        (root / "data" / "m.csv").write_text(",a,b\nr1,1,2\nr2,3,4242\n")
        deadline = time.monotonic() + 60
        while "4242" not in wait_for_http(url):
            assert time.monotonic() < deadline, "mkdocs serve did not rebuild after the data file changed"
            time.sleep(0.5)
    finally:
        server.terminate()
        server.communicate(timeout=30)


# --- in the browser --------------------------------------------------------------------

@pytest.fixture(scope="module")
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    yield context
    context.close()


def open_tab(context, allowed: list[str]) -> tuple[Tab, list[str]]:
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    return Tab(page, allowed), fetched


def new_violations(tab: Tab, url: str, plain: str) -> list[str]:
    """axe's serious violations of ``url`` that the theme's own chart-less page ``plain`` lacks."""
    axe_js = axe_script()
    found = axe_violations(tab.page, axe_js)
    tab.page.goto(plain)
    known = {v.split(" at ")[0] for v in axe_violations(tab.page, axe_js)}
    return [v for v in found if v.split(" at ")[0] not in known]


@pytest.mark.browser
def test_default_theme_every_chart_draws_once_with_its_cells(context, site, http):
    base = http(site)
    tab, fetched = open_tab(context, [base])
    try:
        tab.open(base)
        wait_for_embeds(tab.page, 2)
        assert embedded_charts(tab.page) == [{"rows": 2, "columns": 2, "paper": "white"},
                                             {"rows": BIG, "columns": BIG, "paper": "white"}]
        assert [u for u in fetched if "plotly" in u] == [base + "assets/heatdoc/plotly.min.js"]
        assert tab.problems == []
        assert new_violations(tab, base, base + "plain/") == []
        tab.open(base + "sub/page/")
        wait_for_embeds(tab.page, 1)
        assert [c["rows"] for c in embedded_charts(tab.page)] == [2]
        assert tab.problems == []
    finally:
        tab.page.close()


@pytest.mark.browser
def test_material_palette_toggle_recolours_and_instant_navigation_draws(context, material, material_port, http):
    base = http(material, material_port)
    tab, fetched = open_tab(context, [base])
    try:
        # instant navigation from a page without a chart: the new page brings its scripts
        tab.open(base + "plain/")
        tab.page.wait_for_function("() => !!window.document$")
        tab.page.evaluate("() => { window.sameDocument = true; }")  # gone if the page loads anew
        # (the theme makes every link absolute)
        tab.page.click(f"nav.md-nav--primary a.md-nav__link[href='{base}']")
        tab.page.wait_for_url(base)
        wait_for_embeds(tab.page, 2)
        assert [(c["rows"], c["columns"]) for c in embedded_charts(tab.page)] == [(2, 2), (BIG, BIG)]
        assert tab.page.evaluate("() => window.sameDocument") is True
        assert len([u for u in fetched if u.endswith("plotly.min.js")]) == 1

        # the palette toggle: the charts turn dark with the page, and back
        tab.page.click("label[for='__palette_1']")
        tab.page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
        tab.page.wait_for_function("() => Array.from(document.querySelectorAll('.heatdoc-embed .js-plotly-plot'))"
                                   ".every(gd => gd._fullLayout.paper_bgcolor === 'rgba(0,0,0,0)')")
        tab.page.click("label[for='__palette_0']")
        tab.page.wait_for_function("() => Array.from(document.querySelectorAll('.heatdoc-embed .js-plotly-plot'))"
                                   ".every(gd => gd._fullLayout.paper_bgcolor === 'white')")

        # on to another chart page, instantly again
        tab.page.click(f"nav.md-nav--primary a.md-nav__link[href='{base}sub/page/']")
        tab.page.wait_for_url(base + "sub/page/")
        wait_for_embeds(tab.page, 1)
        assert tab.page.evaluate("() => window.sameDocument") is True
        assert tab.problems == []
        tab.open(base)
        wait_for_embeds(tab.page, 2)
        assert new_violations(tab, base, base + "plain/") == []
    finally:
        tab.page.close()


@pytest.mark.browser
def test_material_in_dark_mode_from_the_start(browser, material, material_port, http):
    base = http(material, material_port)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(base + "plain/")
        page.click("label[for='__palette_1']")  # remembered by the theme for the next page
        tab = Tab(page, [base])
        tab.open(base)
        wait_for_embeds(page, 2)
        assert {c["paper"] for c in embedded_charts(page)} == {"rgba(0,0,0,0)"}
        assert tab.problems == []
    finally:
        context.close()
