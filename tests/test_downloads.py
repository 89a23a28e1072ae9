"""A chart page's CSV and JSON downloads. The site has no such files: the page's script
(heatdoc.js) makes them from the figure the page carries. Each test clicks a download as a
person does, in Chromium, from pages opened from disk, reads the file the browser saved,
and compares it with what Python makes of the same spec: the CSV with `expected_csv` (the
format, written out in tests/helpers/matrix_csv.py), the JSON with `heatdoc figure SPEC`.

One project, built once for the module, holds a chart for each case. Built again with
`downloads: files`, its site holds each chart's CSV and JSON as files: the bytes of the
browser's downloads, linked so they work without JavaScript.
"""
from __future__ import annotations

import base64
import json
import math
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import numpy as np
import pytest
from helpers.browser import ServedProject, Tab, build_gallery, file_prefix
from conftest import run_heatdoc
from helpers.matrix_csv import csv_text, expected_csv, js_number

import heatdoc
from heatdoc.spec.compile import TYPED_ARRAY_CELLS, encode_z

pytestmark = pytest.mark.browser

# Labels a spreadsheet would run, labels that need quotes, and numbers whose text differs
# between Python and JavaScript (1e-05 / 0.00001, 1e+16 / 10000000000000000, ...).
LABELS_X = ["=1+1", "-5", "+0.5", "-x", "@SUM(A1:A2)", "\t=1", "\r=1", "a,b", 'say "hi"',
            "two\nlines", "é ü 中", "-\u0663"]  # "-٣": Arabic-Indic digits are no plain number
LABELS_Y = ["=HYPERLINK(\"https://evil.example\")", "-1e3", "plain"]
NUMBERS = [1e-7, 1e16, 0.1, -0.0, 2.0**53 + 2, 5e-324, 1e21, 1.2345e20, 1e-5, 1 / 3, -1.5e300, 7.0]
# Every dtype heatdoc's compiler writes a typed array in (compile.encode_z, for matrices of
# more than TYPED_ARRAY_CELLS cells).
EMITTED_DTYPES = ["f8"]
# The other dtypes plotly.js reads, which a spec can give through `trace: {z: ...}`.
OTHER_DTYPES = {"i1": "<i1", "u1": "<u1", "u1c": "<u1", "i2": "<i2", "u2": "<u2", "i4": "<i4", "u4": "<u4",
                "f4": "<f4", "float64": "<f8"}


def typed_cells(dtype: str) -> np.ndarray:
    """3 × 4 cells of ``dtype`` with its extremes."""
    kind = np.dtype(dtype)
    if kind.kind == "f":
        info = np.finfo(kind)
        values = [0, -1.5, 0.1, np.nan, float(info.max), float(info.tiny), -float(info.max), 1e-7, 3, -0.0, 2.5e10, 1]
    else:
        info = np.iinfo(kind)
        values = [info.min, info.max, 0, 1, -1 if info.min else 2, 100, 7, info.max - 1, 5, 6, 8, 9]
    return np.array(values, dtype=kind).reshape(3, 4)


def typed_spec(name: str, cells: np.ndarray) -> str:
    bdata = base64.b64encode(cells.tobytes()).decode("ascii")
    return (f"title: {name}\nz: {{random: uniform, shape: [3, 4], seed: 1}}\n"
            f"trace: {{z: {{dtype: {name}, bdata: \"{bdata}\", shape: \"3, 4\"}}}}\n")


def big_matrix() -> np.ndarray:
    """300 × 400 cells of every magnitude, some integers, some gaps: a typed array whose
    base64 text is longer than the script decodes at a time."""
    rng = np.random.default_rng(7)
    z = rng.standard_normal((300, 400)) * np.logspace(-12, 25, 400)
    z[::7, ::11] = np.nan
    z[5] = np.round(z[5] * 1e-10)
    z[0, :6] = [1e-7, 1e16, 2.0**53 + 2, -0.0, 5e-324, 1e21]
    return z


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("downloads") / "project"
    (root / "specs" / "typed").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "heatdoc.yaml").write_text("title: Downloads\n")
    specs = {
        "labels.yaml": f"title: Labels\nx: {json.dumps(LABELS_X)}\ny: {json.dumps(LABELS_Y)}\n"
                       f"z: {json.dumps([NUMBERS, [n * 3 for n in NUMBERS], [-n for n in NUMBERS]])}\n",
        "gap.yaml": "title: Gaps\nz: [[1, .nan, 3], [null, 5.5, -6]]\ntext_auto: true\n",
        "lower.yaml": "title: Lower\norigin: lower\nx: [a, b]\ny: [first, second, third]\n"
                      "z: [[1, 2], [3, 4], [5, 6]]\n",
        "layers.yaml": "title: Layers\nx: [a, b]\ny: [r1, r2]\nz: [[1, 2], [3, null]]\n"
                       "text: [[one, two], [three, four]]\n"
                       "customdata: {mass: [[1.5, 2.5], [3.5, 4.5]], name: [[H, He], [Li, Be]]}\n"
                       "hovertemplate: \"%{customdata.name} %{customdata.mass:.2f}<extra></extra>\"\n",
        "big.yaml": "title: Big\nz: {file: ../data/big.csv}\n",
    }
    z = big_matrix()
    lines = [",".join(["k", *(f"c{j}" for j in range(z.shape[1]))])]
    lines += [",".join([f"r{i}", *("" if math.isnan(v) else repr(v) for v in row)]) for i, row in enumerate(z.tolist())]
    (root / "data" / "big.csv").write_text("\n".join(lines) + "\n")
    for name, text in specs.items():
        (root / "specs" / name).write_text(text, encoding="utf-8")
    for name, dtype in OTHER_DTYPES.items():
        (root / "specs" / "typed" / f"{name}.yaml").write_text(typed_spec(name, typed_cells(dtype)))
    return root


@pytest.fixture(scope="module")
def site(project, tmp_path_factory) -> Path:
    return build_gallery(project, tmp_path_factory.mktemp("downloads-site") / "site")


@pytest.fixture(scope="module")
def tab(browser, site) -> Tab:
    context = browser.new_context(accept_downloads=True)
    yield Tab(context.new_page(), [file_prefix(site)])
    context.close()


def download(tab: Tab, url: str, button: str) -> tuple[str, bytes]:
    """Open ``url``, click ``button`` and wait for the file: (its name, its bytes)."""
    page = tab.open(url)
    if not page.is_visible(button):  # the big matrix's offer is inside the closed data table
        page.click(".data-table summary")
    with page.expect_download() as info:
        page.click(button)
    saved = info.value
    assert saved.failure() is None
    return saved.suggested_filename, Path(saved.path()).read_bytes()


CSV_BUTTON = ".downloads button[data-download=csv]"
JSON_BUTTON = ".downloads button[data-download=json]"
CHARTS = ["labels", "gap", "lower", "layers", "big"]


@pytest.mark.parametrize("name", CHARTS)
def test_the_csv_download_is_the_spec_s_matrix_with_its_labels(tab, site, project, name):
    spec = heatdoc.load_spec(project / "specs" / f"{name}.yaml")
    filename, data = download(tab, (site / f"{name}.html").as_uri(), CSV_BUTTON)
    assert filename == f"{name}.csv"
    assert data == expected_csv(spec.z, spec.x, spec.y)
    assert tab.problems == []


def test_the_csv_neutralises_formulas_quotes_labels_and_writes_numbers_as_javascript_does(tab, site):
    _, data = download(tab, (site / "labels.html").as_uri(), CSV_BUTTON)
    text = data.decode("utf-8")
    header = (",'=1+1,-5,+0.5,'-x,'@SUM(A1:A2),'\t=1,\"'\r=1\",\"a,b\",\"say \"\"hi\"\"\","
              "\"two\nlines\",é ü 中,'-\u0663\n")
    first = ("\"'=HYPERLINK(\"\"https://evil.example\"\")\",1e-7,10000000000000000,0.1,0,9007199254740994,"
             "5e-324,1e+21,123450000000000000000,0.00001,0.3333333333333333,-1.5e+300,7\n")
    assert text.startswith(header + first)
    assert text[len(header + first):].startswith("-1e3,")  # a plain number stays as it is
    assert data.endswith(b"\n") and b"\r\n" not in data and not data.startswith(b"\xef\xbb\xbf")


def test_the_big_typed_array_reads_back_to_the_same_floats(tab, site, project):
    spec = heatdoc.load_spec(project / "specs" / "big.yaml")
    figure = json.loads(run_heatdoc("figure", project / "specs" / "big.yaml").stdout)
    assert figure["data"][0]["z"]["dtype"] in EMITTED_DTYPES
    assert len(figure["data"][0]["z"]["bdata"]) > 1 << 20  # more than one slice of base64
    _, data = download(tab, (site / "big.html").as_uri(), ".data-table button[data-download=csv]")
    rows = [line.split(",") for line in data.decode("utf-8").splitlines()[1:]]
    cells = np.array([[float(v) if v else math.nan for v in row[1:]] for row in rows])
    assert np.array_equal(cells, spec.z, equal_nan=True)
    assert [row[0] for row in rows] == spec.y


def test_heatdoc_writes_typed_arrays_only_in_the_dtypes_tested_here():
    for z in (np.zeros((40, 30)), np.arange(1200.0).reshape(30, 40), np.full((50, 50), np.nan)):
        assert z.size > TYPED_ARRAY_CELLS and encode_z(z)["dtype"] in EMITTED_DTYPES


@pytest.mark.parametrize("name", OTHER_DTYPES)
def test_a_typed_array_of_any_plotly_dtype_is_decoded(tab, site, name):
    _, data = download(tab, (site / "typed" / f"{name}.html").as_uri(), CSV_BUTTON)
    assert data == expected_csv(typed_cells(OTHER_DTYPES[name]).astype(np.float64), None, None)


@pytest.mark.parametrize("name", CHARTS + ["typed/f4"])
def test_the_json_download_is_what_heatdoc_figure_prints(tab, site, project, name):
    filename, data = download(tab, (site / f"{name}.html").as_uri(), JSON_BUTTON)
    assert filename == f"{name.split('/')[-1]}.json"
    printed = run_heatdoc("figure", project / "specs" / f"{name}.yaml")
    assert printed.returncode == 0, printed.stderr
    assert json.loads(data) == json.loads(printed.stdout)
    assert json.loads(data)["layout"]["template"]["layout"]["colorway"]  # plotly's template is in
    assert tab.problems == []


def test_the_json_download_keeps_a_template_the_spec_gives(tab, site, tmp_path):
    project = tmp_path / "own"
    (project / "specs").mkdir(parents=True)
    (project / "heatdoc.yaml").write_text("title: Own template\n")
    spec = project / "specs" / "own.yaml"
    spec.write_text("title: Own\nz: [[1, 2]]\nlayout: {template: {layout: {font: {size: 20}}}}\n")
    own = build_gallery(project, tmp_path / "site")
    tab.allowed.append(file_prefix(own))
    _, data = download(tab, (own / "own.html").as_uri(), JSON_BUTTON)
    assert json.loads(data) == json.loads(run_heatdoc("figure", spec).stdout)
    assert json.loads(data)["layout"]["template"] == {"layout": {"font": {"size": 20}}}


def test_the_download_is_made_again_for_each_click_and_the_chart_is_untouched(tab, site):
    """plotly.js changes the objects it draws; the downloads read the page's figure afresh."""
    url = (site / "lower.html").as_uri()
    first = download(tab, url, JSON_BUTTON)
    tab.page.wait_for_function("() => document.querySelector('#heatdoc-chart .js-plotly-plot .hm')")
    with tab.page.expect_download() as info:
        tab.page.click(JSON_BUTTON)
    assert Path(info.value.path()).read_bytes() == first[1]
    assert tab.page.evaluate("() => !document.querySelector('[aria-busy]')")


def test_without_javascript_no_download_is_offered(browser, site):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto((site / "labels.html").as_uri())
        assert page.locator(".downloads").is_hidden()
        assert page.locator("button[data-download]").count() == 2
        assert all(not b.is_visible() for b in page.locator("button[data-download]").all())
        page.goto((site / "big.html").as_uri())
        page.click(".data-table summary")
        note = page.locator(".data-table p")
        assert note.inner_text() == "The matrix has 300 × 400 cells, too many to read as a table."
        assert not page.locator(".data-table button").is_visible()
    finally:
        context.close()


def test_with_javascript_the_offers_read_as_sentences(tab, site):
    page = tab.open((site / "big.html").as_uri())
    assert page.locator(".downloads").inner_text() == "Download the matrix (CSV) · the figure (JSON)"
    page.click(".data-table summary")
    assert page.locator(".data-table p").inner_text() == (
        "The matrix has 300 × 400 cells, too many to read as a table: download it as CSV.")


def test_downloads_work_from_heatdoc_serve_too(browser, project, tmp_path):
    with ServedProject(project, tmp_path / "serve.log") as served:
        context = browser.new_context(accept_downloads=True)
        try:
            tab = Tab(context.new_page(), [served.url])
            _, data = download(tab, served.url + "labels.html", CSV_BUTTON)
            spec = heatdoc.load_spec(project / "specs" / "labels.yaml")
            assert data == expected_csv(spec.z, spec.x, spec.y)
            assert tab.problems == []
        finally:
            context.close()


def test_the_python_form_of_the_format_is_what_the_browser_writes(tab, site):
    """tests/helpers/matrix_csv.py is the yardstick of every test above: its numbers are what the
    browser's String(number) gives, for doubles of every magnitude, and read back the same."""
    rng = np.random.default_rng(3)
    values = rng.integers(0, 2**64, size=20_000, dtype=np.uint64).view(np.float64).tolist()
    values += (rng.standard_normal(20_000) * np.logspace(-30, 30, 20_000)).tolist()
    values += [float(i) for i in range(-300, 300)] + NUMBERS + [2.0**53, 2.0**70, 1e-6, 1e-6 * 0.99]
    values = [v for v in values if math.isfinite(v)]
    page = tab.open((site / "gap.html").as_uri())
    assert page.evaluate("values => values.map(String)", values) == [js_number(v) for v in values]
    assert all(float(js_number(v)) == v for v in values)
    assert page.evaluate("() => String(-0)") == js_number(-0.0) == "0"
    assert [csv_text(t) for t in ["=1", "-5", "-", "", "a\rb"]] == ["'=1", "-5", "'-", "", '"a\rb"']


# --- `downloads: files`: the same files, written into the site and linked -----------------

ALL_CHARTS = CHARTS + [f"typed/{name}" for name in OTHER_DTYPES]


@pytest.fixture(scope="module")
def file_site(project, tmp_path_factory) -> Path:
    """The same project built with `downloads: files` (heatdoc.yaml changed in a copy)."""
    import shutil

    copy = tmp_path_factory.mktemp("downloads-files") / "project"
    shutil.copytree(project, copy)
    (copy / "heatdoc.yaml").write_text("title: Downloads\ndownloads: files\n")
    return build_gallery(copy, copy.parent / "site")


@pytest.mark.parametrize("name", ALL_CHARTS)
def test_download_files_are_the_bytes_the_browser_makes(tab, site, file_site, name):
    for button, suffix in ((CSV_BUTTON, ".csv"), (JSON_BUTTON, ".json")):
        filename, data = download(tab, (site / f"{name}.html").as_uri(), button)
        assert filename == name.split("/")[-1] + suffix
        assert (file_site / f"{name}{suffix}").read_bytes() == data, suffix
    assert tab.problems == []


def test_download_files_hold_the_spec_s_matrix(project, file_site):
    for name in CHARTS:
        spec = heatdoc.load_spec(project / "specs" / f"{name}.yaml")
        assert (file_site / f"{name}.csv").read_bytes() == expected_csv(spec.z, spec.x, spec.y)
        figure = json.loads((file_site / f"{name}.json").read_bytes())
        assert figure == json.loads(run_heatdoc("figure", project / "specs" / f"{name}.yaml").stdout)


def test_download_files_are_plain_links_that_work_without_javascript(browser, file_site):
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    try:
        page = context.new_page()
        page.goto((file_site / "labels.html").as_uri())
        assert page.locator(".downloads").inner_text() == "Download the matrix (CSV) · the figure (JSON)"
        assert page.locator("button[data-download]").count() == 0
        for suffix in ("csv", "json"):
            link = page.locator(f".downloads a[href='labels.{suffix}']")
            assert link.get_attribute("download") == ""
            # a file: page ignores `download` (an opaque origin): the link opens the file itself
            target = link.evaluate("a => a.href")
            assert target == (file_site / f"labels.{suffix}").as_uri()
            assert Path(url2pathname(urlsplit(target).path)).read_bytes() == (
                file_site / f"labels.{suffix}").read_bytes()
        page.goto((file_site / "big.html").as_uri())
        page.click(".data-table summary")
        assert page.locator(".data-table p").inner_text() == (
            "The matrix has 300 × 400 cells, too many to read as a table: download it as CSV.")
        assert page.locator(".data-table a").get_attribute("href") == "big.csv"
    finally:
        context.close()


def test_the_default_site_has_no_download_files(site):
    assert not list(site.rglob("*.csv")) and not [p for p in site.rglob("*.json") if p.name != "heatdoc.schema.json"]


def test_download_file_links_download_over_http_without_javascript(browser, file_site, tmp_path):
    project = file_site.parent / "project"
    with ServedProject(project, tmp_path / "serve.log") as served:
        context = browser.new_context(java_script_enabled=False, accept_downloads=True)
        try:
            page = context.new_page()
            page.goto(served.url + "gap.html")
            for suffix in ("csv", "json"):
                with page.expect_download() as info:
                    page.click(f".downloads a[href='gap.{suffix}']")
                assert info.value.suggested_filename == f"gap.{suffix}"
                assert Path(info.value.path()).read_bytes() == (file_site / f"gap.{suffix}").read_bytes()
        finally:
            context.close()
