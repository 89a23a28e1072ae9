"""Reports in heatdoc's own site: Markdown files in the specs folder become pages with their
charts, listed beside the charts, and rebuilt when they or anything they embed change."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers.browser import axe_script, axe_violations, embedded_charts, file_prefix, wait_for_embeds
from conftest import run_heatdoc
from helpers.site import write_project

FILES = {
    "heatdoc.yaml": "title: Reports\nsections:\n  sales: Sales\n",
    "data/m.csv": ",a,b\nr1,1,2\nr2,3,4\n",
    "specs/sales/by-region.yaml": "title: By region\nz: {file: ../../data/m.csv}\ntext_auto: true\n",
    "specs/sales/report.md": """\
        ---
        title: The sales report
        description: What sold where.
        ---
        # Sales

        The chart of a spec of the project:

        ```heatmap
        by-region.yaml
        ```

        - and one written here, in a list:

          ```heatmap
          title: Written here
          z: {file: ../../data/m.csv}
          colorscale: Viridis
          ```

        ```yaml
        title: not a chart, a YAML example
        ```
        """,
    "specs/notes.md": "# Notes *without* charts\n\nJust prose, <b>escaped</b>.\n",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = write_project(tmp_path_factory.mktemp("reports") / "project", FILES)
    done = run_heatdoc("build", root)
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(scope="module")
def site(project) -> Path:
    return project / "site"


def test_a_report_is_a_page_in_its_folder_s_section(site):
    page = (site / "sales" / "report.html").read_text()
    assert "<title>The sales report · Reports</title>" in page
    assert re.search(r'<a href="\.\./index\.html">Reports</a></li>\s*<li><a href="index\.html">Sales</a>', page)
    assert page.count('<figure class="heatdoc-embed">') == 2
    assert "<h1>Sales</h1>" in page and page.count("<h1") == 1  # the report's own heading, not the title too
    assert '<code class="language-yaml">title: not a chart' in page  # other code blocks stay code


def test_a_chart_of_a_project_spec_links_to_its_page(site):
    page = (site / "sales" / "report.html").read_text()
    assert '<figcaption><a href="by-region.html">By region</a>: 2 × 2 cells' in page
    assert "<figcaption>Written here: 2 × 2 cells" in page


def test_reports_are_listed_beside_the_charts_with_their_first_chart_as_thumbnail(site):
    index = (site / "index.html").read_text()
    section = (site / "sales" / "index.html").read_text()
    for html, prefix in ((index, ""), (section, "")):
        assert f'href="{prefix}sales/report.html"' in html or 'href="report.html"' in html
        assert '<span class="card-kind">Report: </span>The sales report' in html
    assert "1 chart and 1 report in this section." in section
    assert '<img class="thumb" src="sales/report.svg"' in index
    assert (site / "sales" / "report.svg").read_text() == (site / "sales" / "by-region.svg").read_text()
    # a report without a chart: a card without a picture; its title is its first heading, as text
    assert '<span class="thumb thumb-none"></span>' in index
    assert '<span class="card-kind">Report: </span>Notes without charts' in index
    assert not (site / "notes.svg").exists()


def test_a_report_without_charts_loads_no_plotly(site):
    page = (site / "notes.html").read_text()
    assert "plotly-" not in page and "heatdoc-embed.css" not in page
    assert "&lt;b&gt;escaped&lt;/b&gt;" in page  # raw HTML is off, as in descriptions
    report = (site / "sales" / "report.html").read_text()
    assert len(re.findall(r'<script src="[^"]*plotly-[\d.]+\.min\.js"', report)) == 1


def test_a_bad_chart_in_a_report_fails_the_build_at_the_report_s_lines(tmp_path):
    root = write_project(tmp_path / "project", {**FILES, "specs/sales/report.md": """\
        ---
        title: Bad
        ---
        Text.

        ```heatmap
        title: Bad
        z: [[1, 2], [3]]
        colorscale: Viridiss
        ```

        ```heatmap
        missing.yaml
        ```
        """})
    done = run_heatdoc("build", ".", cwd=root)
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if not line.startswith("heatdoc: ")]
    assert lines == [
        "specs/sales/report.md:8:13: z[1]: row 1 has 1 cell; row 0 has 2 cells",
        "specs/sales/report.md:9:13: colorscale: unknown colour scale 'Viridiss'; did you mean viridis, cividis?",
        f"specs/sales/report.md:13:1: no such file: 'missing.yaml' (looked for specs/sales/missing.yaml)",
    ]
    assert not (root / "site").exists()


def test_a_bad_front_matter_key_is_an_error_at_its_line(tmp_path):
    root = write_project(tmp_path / "project", {**FILES, "specs/sales/report.md": "---\ntitle: T\ntitel: x\n---\n# T\n"})
    done = run_heatdoc("build", ".", cwd=root)
    assert done.returncode == 1
    assert "specs/sales/report.md:3:1: titel: unknown key in a report's front matter (did you mean 'title'?)" \
        in done.stderr


def test_a_report_is_rebuilt_when_it_or_what_it_embeds_changes(tmp_path, project):
    root = tmp_path / "project"
    shutil.copytree(project, root, ignore=shutil.ignore_patterns("site", ".heatdoc-cache"))
    assert run_heatdoc("build", root).returncode == 0
    report = root / "site" / "sales" / "report.html"
    again = run_heatdoc("build", root)
    assert ", 0 files written," in again.stderr  # nothing changed: nothing done

    (root / "data" / "m.csv").write_text(",a,b\nr1,1,2\nr2,3,40\n")  # the data both charts read
    done = run_heatdoc("build", root)
    assert done.returncode == 0, done.stderr
    assert "<td>40</td>" in report.read_text()

    (root / "specs" / "sales" / "by-region.yaml").write_text("title: By region, renamed\nz: {file: ../../data/m.csv}\n")
    assert run_heatdoc("build", root).returncode == 0
    assert ">By region, renamed</a>" in report.read_text()

    path = root / "specs" / "sales" / "report.md"
    path.write_text(path.read_text().replace("# Sales", "# Sales, edited"))
    assert run_heatdoc("build", root).returncode == 0
    assert "<h1>Sales, edited</h1>" in report.read_text()

    (root / "specs" / "more.md").write_text("# More\n")  # a new report
    assert run_heatdoc("build", root).returncode == 0
    assert (root / "site" / "more.html").is_file()


def test_a_report_and_a_spec_of_one_name_collide(tmp_path):
    root = write_project(tmp_path / "project", {**FILES, "specs/sales/by-region.md": "# Same page\n"})
    done = run_heatdoc("build", ".", cwd=root)
    assert done.returncode == 1
    assert "would collide with the page of specs/sales/by-region.yaml" in done.stderr


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_report_draws_its_charts_and_passes_axe(browser, site, scheme):
    from helpers.browser import Tab

    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    tab = Tab(context.new_page(), [file_prefix(site)])
    try:
        tab.open(file_prefix(site) + "sales/report.html")
        wait_for_embeds(tab.page, 2)
        paper = "rgba(0,0,0,0)" if scheme == "dark" else "white"
        assert embedded_charts(tab.page) == [{"rows": 2, "columns": 2, "paper": paper}] * 2
        assert axe_violations(tab.page, axe_script()) == []
        assert tab.problems == []
    finally:
        context.close()
