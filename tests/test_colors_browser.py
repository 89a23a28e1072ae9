"""heatdoc's colour check against the real thing: the plotly.js that plotly ships,
in headless Chromium. A colour heatdoc accepts must be one plotly.js draws (it
silently draws black or its default scale otherwise), and plotly.py must accept it
too, since heatdoc.figure() hands the figure to plotly.graph_objects.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from helpers.browser import CHROMIUM, LAUNCH_ARGS

from heatdoc.spec.colours import colour_problem

pytestmark = pytest.mark.browser  # conftest skips these without Chromium (fails them in CI)

ACCEPTED = ["red", "RebeccaPurple", "Red", " #ABC ", "#abcd", "#aabbcc", "#aabbccdd", "rgb(255,0,0)",
            "rgb( 255 , 0 , 0 )", "rgba(255,0,0,0.5)", "rgba(255, 0, 0, 50%)", "rgb(100%, 0%, 0%)",
            "rgb(255 0 0)", "rgb(255 0 0 / 0.5)", "rgba(255, 0, 0)", "rgb(255,0,0,0.5)", "rgb(127.5, 0, 0)",
            "hsl(120, 50%, 50%)", "HSL(120, 50%, 50%)", "hsla(120deg, 50%, 50%, 0.3)", "hsla(120, 50%, 50%)",
            "hsl(120 50% 50% / 30%)", "hsl(400, 50%, 50%)", "rgba(0,0,0,0)"]
# refused although plotly.js draws something: what it draws is not what was meant
# (0-1 fractions are near-black, out-of-range values are clipped), or plotly.py
# would refuse the figure ('transparent', exponents)
REFUSED_ON_PURPOSE = ["rgb(.5,.5,.5)", "rgb(0.5, 0.2, 0.1)", "rgb(256,0,0)", "rgba(0,0,0,2)", "transparent",
                      "rgb(1e2, 0, 0)"]
REFUSED = ["rgb(5.,0,0)", "rgb(10%,20,30)", "rgb(1 2 3, 0.5)", "hsv(0,100%,50%)", "hsva(0,100%,50%,1)",
           "garbage", "fff", "#ff", "#12345", "rgb(255,0)", "hsl(120, 50, 50)",
           "", "redd"]


@pytest.fixture(scope="module")
def plotly_js_accepts():
    from playwright.sync_api import sync_playwright

    spec = importlib.util.find_spec("plotly")
    assert spec is not None and spec.origin is not None
    bundle = Path(spec.origin).parent / "package_data" / "plotly.min.js"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = browser.new_page()
        page.set_content("<div id=g></div>")
        page.add_script_tag(path=str(bundle))

        def accepts(colour: str) -> bool:
            # plotly.js keeps a colour it can read and replaces any other with a default
            return page.evaluate("""c => {
                const gd = document.getElementById('g'); Plotly.purge(gd);
                Plotly.newPlot(gd, [{type: 'heatmap', z: [[1, 2]], colorscale: [[0, c], [1, c]],
                                     textfont: {color: c}}]);
                const t = gd._fullData[0];
                return t.colorscale[0][1] === c && t.textfont.color === c; }""", colour)

        yield accepts
        browser.close()


@pytest.mark.parametrize("colour", ACCEPTED)
def test_accepted_colours_are_drawn_by_plotly_js(plotly_js_accepts, colour):
    from _plotly_utils.basevalidators import ColorValidator

    assert colour_problem(colour) is None
    assert plotly_js_accepts(colour)
    assert ColorValidator.perform_validate_coerce(colour) is not None


@pytest.mark.parametrize("colour", REFUSED)
def test_refused_colours_are_refused_by_plotly_js_too(plotly_js_accepts, colour):
    assert colour_problem(colour) is not None
    assert not plotly_js_accepts(colour)


@pytest.mark.parametrize("colour", REFUSED_ON_PURPOSE)
def test_colours_refused_on_purpose(plotly_js_accepts, colour):
    assert colour_problem(colour) is not None
    assert plotly_js_accepts(colour)
