"""Helpers for the real-browser tests: Debian's Chromium driven by Playwright, a tab that
records every problem a person would hit (console errors, failed or outside requests),
reading what Plotly drew, axe-core, and `heatdoc serve` as a subprocess.

Never a downloaded browser: Playwright launches /usr/bin/chromium (CHROMIUM).
"""
from __future__ import annotations

import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("HEATDOC_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
# Where .ci/run installs axe-core from npm; HEATDOC_AXE_JS names another copy.
AXE_DEFAULT = Path.home() / ".cache" / "heatdoc-test-tools" / "node_modules" / "axe-core" / "axe.min.js"
REQUIRE = "HEATDOC_REQUIRE_BROWSER"


def unavailable(reason: str) -> None:
    """Skip for want of a tool, unless CI demands the browser tests (then it is a failure)."""
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{reason}, and {REQUIRE}=1 forbids skipping the browser tests", pytrace=False)
    pytest.skip(reason)


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
    return None


def axe_script() -> Path:
    """axe.min.js from HEATDOC_AXE_JS or where .ci/run installs it; skips (or fails) without it."""
    path = Path(os.environ.get("HEATDOC_AXE_JS") or AXE_DEFAULT)
    if not path.is_file():
        unavailable(f"no axe-core at {path} (docs/testing.md: npm install --prefix "
                    f"~/.cache/heatdoc-test-tools axe-core@4, or set HEATDOC_AXE_JS)")
    return path


def build_gallery(project: Path, out: Path) -> Path:
    """`heatdoc build PROJECT -o OUT` as a user runs it; OUT."""
    done = subprocess.run([sys.executable, "-m", "heatdoc", "build", str(project), "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return out


class Tab:
    """One browser page, reused across tests, that lets through only requests into ``allowed``
    (URL prefixes) and records every problem: console errors, uncaught exceptions, requests
    that failed and requests that tried to leave the site (those are aborted)."""

    def __init__(self, page: Any, allowed: list[str]):
        self.page = page
        self.allowed = list(allowed)
        self.problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"uncaught: {e}"))
        page.on("requestfailed", lambda r: self._failed(r))
        page.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if any(url.startswith(prefix) for prefix in self.allowed):
            route.continue_()
        else:
            self.problems.append(f"request outside the site: {url}")
            route.abort()

    def _failed(self, request: Any) -> None:
        # Outside requests are listed already; ERR_ABORTED is a load cut short by leaving
        # the page (a lazy thumbnail), while a missing file is ERR_FILE_NOT_FOUND or a 404.
        if any(request.url.startswith(p) for p in self.allowed) and request.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def open(self, url: str, *, chart: bool = False) -> Any:
        """Go to ``url`` (forgetting earlier problems); with ``chart``, wait until Plotly drew."""
        self.problems.clear()
        self.page.goto(url)
        if chart:
            wait_for_chart(self.page)
        return self.page


def file_prefix(folder: Path) -> str:
    """The file: URL prefix of everything inside ``folder``."""
    return folder.resolve().as_uri().rstrip("/") + "/"


def wait_for_chart(page: Any, timeout: float = 30_000) -> None:
    page.wait_for_function("() => { const gd = document.querySelector('#heatdoc-chart .js-plotly-plot');"
                           " return gd && gd._fullLayout && gd.querySelector('.heatmaplayer .hm')"
                           " && document.getElementById('heatdoc-chart').hasAttribute('data-ready'); }",
                           timeout=timeout)


def wait_for_embeds(page: Any, count: int, timeout: float = 30_000) -> None:
    """Wait until Plotly drew ``count`` embedded charts (figure.heatdoc-embed) on the page."""
    page.wait_for_function("n => document.querySelectorAll('figure.heatdoc-embed .js-plotly-plot .heatmaplayer .hm')"
                           ".length === n", arg=count, timeout=timeout)


def embedded_charts(page: Any) -> list[dict]:
    """Each embedded chart as Plotly drew it: its rows and columns of cells, its paper colour."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('figure.heatdoc-embed .js-plotly-plot'))
        .map(gd => { const z = gd.calcdata[0][0].z;
                     return {rows: z.length, columns: z[0].length, paper: gd._fullLayout.paper_bgcolor}; })""")


# What Plotly drew, read through its own axes: each label's cell is found by turning the
# label's position back into data coordinates (p2l), so a label drawn in the wrong cell fails.
_LABELS_JS = """() => {
  const gd = document.querySelector('#heatdoc-chart .js-plotly-plot');
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  // the first subplot's only: a facet's other panels have axes of their own
  const plot = gd._fullLayout._plots.xy.plot.node();
  return Array.from(plot.querySelectorAll('.heatmaplayer .heatmap-label text')).map(t => {
    const box = t.getBBox();
    // `|| 0`: a row index of -0 is row 0
    return {row: Math.round(ya.p2l(box.y + box.height / 2)) || 0, col: Math.round(xa.p2l(+t.getAttribute('x'))) || 0,
            text: t.textContent, fill: getComputedStyle(t).fill};
  });
}"""

# The colour of each cell's centre in the heatmap's image (Plotly draws the cells as one
# PNG; a gap is a transparent pixel), read back through a canvas.
_FILLS_JS = """() => new Promise((resolve, reject) => {
  const gd = document.querySelector('#heatdoc-chart .js-plotly-plot');
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const im = gd._fullLayout._plots.xy.plot.node().querySelector('.heatmaplayer image');
  const w = +im.getAttribute('width'), h = +im.getAttribute('height');
  const x0 = +im.getAttribute('x'), y0 = +im.getAttribute('y');
  const img = new Image();
  img.onerror = () => reject(new Error('the heatmap image did not load'));
  img.onload = () => {
    const canvas = document.createElement('canvas');
    canvas.width = w; canvas.height = h;
    const ctx = canvas.getContext('2d');
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(img, 0, 0, w, h);
    const z = gd._fullData[0]._z || gd._fullData[0].z;
    const fills = {};
    for (let r = 0; r < z.length; r++) for (let c = 0; c < z[r].length; c++) {
      const px = Math.floor(xa.l2p(c) - x0), py = Math.floor(ya.l2p(r) - y0);
      fills[r + ',' + c] = Array.from(ctx.getImageData(px, py, 1, 1).data);
    }
    resolve(fills);
  };
  img.src = im.getAttribute('href') || im.getAttribute('xlink:href');
})"""

_CELL_POINT_JS = """([row, col]) => {
  const gd = document.querySelector('#heatdoc-chart .js-plotly-plot');
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const box = gd.getBoundingClientRect();
  return [box.left + xa._offset + xa.l2p(col), box.top + ya._offset + ya.l2p(row)];
}"""


def cell_labels(page: Any) -> list[dict]:
    """Every cell label Plotly drew: {row, col, text, fill}."""
    return page.evaluate(_LABELS_JS)


def cell_fills(page: Any) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """(row, col) -> the RGBA of the cell's fill as drawn."""
    raw = page.evaluate(_FILLS_JS)
    return {tuple(map(int, key.split(","))): tuple(rgba) for key, rgba in raw.items()}


def hover_lines(page: Any, row: int, col: int) -> list[str]:
    """Move the mouse onto a cell, as a person does, and read the lines of the hover label."""
    page.mouse.move(0, 0)
    page.mouse.move(*page.evaluate(_CELL_POINT_JS, [row, col]))
    label = page.wait_for_selector("#heatdoc-chart .hoverlayer .hovertext", timeout=10_000)
    lines = label.eval_on_selector_all("text tspan.line", "els => els.map(e => e.textContent)")
    # stripped: a tick suffix of spaces (the figure factory's y labels) is not seen
    return [line.strip() for line in lines or [label.eval_on_selector("text", "e => e.textContent")]]


def visible_card_titles(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "[data-card]", "els => els.filter(e => e.offsetParent !== null)"
                       ".map(e => e.querySelector('.card-title').textContent.trim())")


def load_lazy_images(page: Any) -> None:
    """Make lazy thumbnails load now (a full-page screenshot does not scroll) and wait for them."""
    page.evaluate("() => document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=10_000)


def axe_violations(page: Any, axe_js: Path) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(content=axe_js.read_text(encoding="utf-8"))
    # no preload: axe would fetch the stylesheets again, which file: pages may not do
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations'], preload: false})")
    return [f"{v['impact']}: {v['id']}: {v['help']} at "
            + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def parse_colour(css: str) -> tuple[int, int, int]:
    """'rgb(68, 68, 68)' or 'rgba(...)' -> (68, 68, 68)."""
    numbers = re.findall(r"[\d.]+", css)
    return tuple(round(float(n)) for n in numbers[:3])  # type: ignore[return-value]


def contrast_ratio(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""
    def luminance(rgb: tuple[int, ...]) -> float:
        def channel(v: int) -> float:
            c = v / 255
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b_ = (channel(v) for v in rgb[:3])
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def expected_labels(spec: Any) -> dict[tuple[int, int], str]:
    """(row, col) -> the text a spec's cell should show, from the spec's own matrices
    (not from the compiled figure), for the forms the example gallery uses."""
    opts = spec.options
    assert not opts.get("texttemplate"), "expected_labels knows text_auto and text, not texttemplate"
    auto = opts.get("text_auto", False)
    out = {}
    for (row, col), value in _cells(spec.z):
        if math.isnan(value):
            continue  # a gap shows no text
        if auto is True:
            text = str(int(value)) if value.is_integer() else repr(value)
        elif auto and re.fullmatch(r"\.\d+f", auto):
            text = d3_fixed(value, int(auto[1:-1]))
        elif auto and re.fullmatch(r"\.\d+%", auto):  # d3: the value times 100, then toFixed
            text = d3_fixed(value * 100, int(auto[1:-1])) + "%"
        elif auto:
            text = format(value, auto)
        elif spec.text is not None:
            text = spec.text[row][col]
        else:
            continue
        if text != "":
            out[(row, col)] = text
    return out


def d3_fixed(value: float, digits: int) -> str:
    """d3-format's ".Nf" as plotly.js draws it: JavaScript's toFixed, which rounds the exact
    binary value half up (68.5 -> "69", where Python's format gives "68"), and no sign on a
    value that rounds to zero."""
    fixed = Decimal(abs(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return ("-" if value < 0 and fixed != 0 else "") + f"{fixed:f}"


def _cells(z: Any):
    for row, values in enumerate(z.tolist()):
        for col, value in enumerate(values):
            yield (row, col), float(value)


class ServedProject:
    """`python -m heatdoc serve DIR --port 0` in a subprocess; ``url`` once it listens.
    Its output goes to a log file (a pipe nobody reads could fill and stall the server)."""

    def __init__(self, project: Path, log: Path, *, timeout: float = 60):
        self.log = log
        self._out = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "heatdoc", "serve", str(project), "--port", "0"],
                                     stdout=self._out, stderr=subprocess.STDOUT, text=True)
        self.url = self._wait_for_url(timeout)

    def _wait_for_url(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(r" at (http://127\.0\.0\.1:\d+/) \(Ctrl-C to stop\)", self.output())
            if found:
                return found.group(1)
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"heatdoc serve did not start:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> str:
        """Ctrl-C, as a person stops it; what it printed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)
        self._out.close()
        return self.output()

    def __enter__(self) -> "ServedProject":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def copy_project(files: dict[Path, Path], dest: Path) -> Path:
    """Copy chosen files (source -> path inside dest) into a new project folder."""
    for source, rel in files.items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return dest
