"""Readable by everyone (issue 15) without a browser: the per-cell text colour rule that
compile hands the page, and the warnings of `heatdoc validate` and `heatdoc build`, each
paired with its exact message, from the CLI run as a user runs it."""
from __future__ import annotations

import re

import numpy as np
import pytest
from helpers.browser import contrast_ratio
from conftest import ROOT, run_heatdoc
from helpers.drawn import _colour_at

import heatdoc
from heatdoc.spec.colours import resolve_scale
from heatdoc.spec.contrast import cell_fills, cell_text_rule, colour_range

SPECS = {
    "specs/jet.yaml": "title: Jet\nz: [[1, 2], [3, 4]]\ncolorscale: Jet\n",
    "specs/redgreen.yaml": "title: Red green\nz: [[1, 2], [3, 4]]\ncolorscale: RdYlGn_r\n",
    "specs/yellow.yaml": ("title: Yellow text\nz: [[0, 1, 2, 3], [4, 5, 6, 7]]\ntext_auto: true\n"
                          "colorscale: Viridis\ntextfont: {color: yellow}\n"),
    "specs/long.yaml": "title: Long text\nz: {random: normal, shape: [30, 30], seed: 2}\ntext_auto: \".4f\"\n",
    "specs/overlap.yaml": ("title: Overlap\nz: [[1, 2, 3, 4, 5, 6, 7, 8]]\n"
                           "text: [[alpha, beta, gamma, delta, epsilon, zeta, eta, theta]]\n"
                           "textfont: {size: 14}\nwidth: 300\n"),
    "specs/fine.yaml": "title: Fine\nz: [[1, 2], [3, 4]]\ntext_auto: true\ncolorscale: Cividis\n",
}
WARNINGS = [
    "specs/jet.yaml:3:13: colorscale: warning: 'Jet' is a rainbow: its uneven brightness draws edges the "
    "data does not have, and colour-blind readers cannot tell its reds from its greens; use Viridis or "
    "Cividis for sequential data",
    "specs/long.yaml:3:12: text_auto: warning: cell text does not fit its cell: '-0.4168' needs about "
    "55 × 16 px at 12 px, a cell is about 10 × 10 px at the default figure size, so plotly.js draws every "
    "cell's text at 2 px; shorten the text (texttemplate, text_auto: '.1f') or set width and height",
    "specs/overlap.yaml:3:7: text: warning: cell text does not fit its cell: 'alpha' needs about 46 px "
    "at 14 px, a cell is about 18 × 18 px at the default figure size, so it runs into 'beta' beside it; "
    "shorten the text (texttemplate, text_auto: '.1f') or set width and height",
    "specs/redgreen.yaml:3:13: colorscale: warning: 'RdYlGn_r' is a red–green scale: about one man in "
    "twelve cannot tell its reds from its greens; use RdBu or PuOr for diverging data",
    "specs/yellow.yaml:5:19: textfont.color: warning: text colour 'yellow' is below WCAG AA contrast "
    "(4.5:1) against 5 of 8 cells (worst 1.18:1); leave textfont.color out and heatdoc picks black or "
    "white for each cell",
]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("readability")
    (root / "heatdoc.yaml").write_text("title: Warnings\n")
    for name, text in SPECS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_validate_warns_with_exact_messages_and_exits_0(project):
    done = run_heatdoc("validate", cwd=project)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == WARNINGS
    assert done.stdout == "6 specs valid, 5 warnings\n"


def test_a_spec_without_problems_has_no_warning(project):
    done = run_heatdoc("validate", "specs/fine.yaml", cwd=project)
    assert (done.returncode, done.stdout, done.stderr) == (0, "1 spec valid\n", "")


def test_warnings_come_with_errors_which_still_fail(project, tmp_path):
    (project / "specs" / "broken.yaml").write_text("title: Broken\nz: [[1, 2], [3]]\ncolorscale: Jet\n")
    try:
        done = run_heatdoc("validate", "specs/broken.yaml", "specs/jet.yaml", cwd=project)
    finally:
        (project / "specs" / "broken.yaml").unlink()
    assert done.returncode == 1
    assert WARNINGS[0] in done.stderr.splitlines() and "heatdoc: 1 error" in done.stderr


def test_build_prints_the_same_warnings_counts_them_and_keeps_them_when_nothing_changed(project, tmp_path):
    for attempt in range(2):  # the second build finds everything unchanged
        done = run_heatdoc("build", ".", "-o", str(tmp_path / "site"), cwd=project)
        assert done.returncode == 0, done.stderr
        lines = done.stderr.splitlines()
        assert [line for line in lines if ": warning: " in line] == WARNINGS
        assert re.search(r", 5 warnings\Z", lines[-1]), lines[-1]


# --- the colour rule the page applies ------------------------------------------------------

@pytest.mark.parametrize("scale", ["Plasma", "RdBu", "Greys_r", "Viridis", "HSV", "Jet", "Cividis"])
def test_the_rule_gives_white_text_where_white_contrasts_more(scale):
    z = np.random.default_rng(3).normal(size=(40, 30))
    trace = {"texttemplate": "%{z:.1f}", "colorscale": resolve_scale(scale)}
    rule = cell_text_rule(z, trace)
    assert rule is not None and rule["dark"] == "#000000" and rule["light"] == "#ffffff"
    lo, hi = colour_range(z, trace)
    for value in z.ravel():
        fill = _colour_at(trace["colorscale"], (value - lo) / (hi - lo))  # the tests' own reading
        white = any(a <= value <= b for a, b in rule["light_z"])
        black_ratio, white_ratio = contrast_ratio((0, 0, 0), fill), contrast_ratio((255, 255, 255), fill)
        chosen = white_ratio if white else black_ratio
        # the better one, but for a fill within a rounding step of the tie (4.58:1 each)
        assert chosen >= 4.5 and (white == (white_ratio > black_ratio) or abs(white_ratio - black_ratio) < 0.1)


def test_a_translucent_scale_is_judged_cell_by_cell_over_the_plot_background():
    z = np.arange(12.0).reshape(3, 4)
    trace = {"texttemplate": "%{z}", "colorscale": [[0, "rgba(0,0,0,0.2)"], [1, "rgba(0,0,0,1)"]]}
    rule = cell_text_rule(z, trace)
    fills = cell_fills(z, trace)
    for value, fill in zip(z.ravel(), fills.reshape(-1, 3)):
        white = any(a <= value <= b for a, b in rule["light_z"])
        assert white == (contrast_ratio((255, 255, 255), fill) > contrast_ratio((0, 0, 0), fill))
    assert rule["light_z"] and rule["light_z"][-1][1] == 11


@pytest.mark.parametrize("options, expected", [
    ({}, (-2.0, 6.0)),
    ({"zmin": 0, "zmax": 10}, (0.0, 10.0)),
    ({"zmin": 0}, (-2.0, 6.0)),  # one end alone: plotly.js takes the data's range (zauto)
    ({"zmid": 0}, (-6.0, 6.0)),
    ({"zmid": 0, "zmin": -1, "zmax": 1}, (-1.0, 1.0)),  # both ends given: zmid is ignored
])
def test_the_colour_range_is_plotly_js_s(options, expected):
    z = np.array([[-2.0, 0.0], [np.nan, 6.0]])
    assert colour_range(z, {"colorscale": resolve_scale(None), **options}) == expected


def test_reversescale_and_gaps():
    z = np.array([[0.0, 1.0], [np.nan, 0.5]])
    fills = cell_fills(z, {"colorscale": [[0, "#000000"], [1, "#ffffff"]], "reversescale": True})
    assert fills[0, 0].tolist() == [255, 255, 255] and fills[0, 1].tolist() == [0, 0, 0]
    assert np.isnan(fills[1, 0]).all()


def test_the_compiled_figure_carries_the_rule_and_stays_a_plotly_figure():
    fig = heatdoc.figure_dict(ROOT / "specs" / "plotly-express" / "basic.yaml")
    [rule] = fig["heatdoc"]["cell_text"]
    # Plasma: white text from its dark end up to a point between z = 0.4 and 0.5
    assert rule["light_z"][0][0] == 0 and 0.4 < rule["light_z"][0][1] < 0.5 and len(rule["light_z"]) == 1
    assert "heatdoc" not in heatdoc.figure(ROOT / "specs" / "plotly-express" / "basic.yaml").to_dict()
    # a text colour the spec sets is the spec's: no rule
    assert "heatdoc" not in heatdoc.figure_dict(ROOT / "specs" / "figure-factory" / "periodic-table.yaml")
