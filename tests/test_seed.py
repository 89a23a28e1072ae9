"""Every example of the seed page (shared/seed/annotated-heatmaps.md), drawn by the
seed's own code and by heatdoc's spec, compared cell by cell (see helpers/drawn.py).

plotly 7 removed `figure_factory.create_annotated_heatmap`; `old_factory` below
rebuilds the figure it returned (a heatmap trace plus one annotation per cell, row 0
at the bottom, x axis on top, no colour bar), so the factory examples are compared
against what the factory drew, not against a px.imshow stand-in.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
import pytest
from _plotly_utils.basevalidators import ColorscaleValidator
from helpers.drawn import drawn

import heatdoc

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"

Z5 = [[.1, .3, .5, .7, .9], [1, .8, .6, .4, .2], [.2, 0, .5, .7, .9], [.9, .8, .4, .2, 0], [.3, .4, .5, .7, 1]]
Z3 = [[.1, .3, .5], [1.0, .8, .6], [.6, .4, .2]]
TEAMS = ["Team A", "Team B", "Team C"]
Z_TEXT = [["Win", "Lose", "Win"], ["Lose", "Lose", "Win"], ["Win", "Win", "Lose"]]
PERIODIC_SCALE = [[0.0, "rgb(255,255,255)"], [.2, "rgb(255, 255, 153)"], [.4, "rgb(153, 255, 204)"],
                  [.6, "rgb(179, 217, 255)"], [.8, "rgb(240, 179, 255)"], [1.0, "rgb(255, 77, 148)"]]


def grid(name: str) -> list[list[str]]:
    with open(ROOT / "data" / name, newline="", encoding="utf-8") as fh:
        return [row for row in csv.reader(fh)]


def randn(seed: int = 1) -> np.ndarray:
    np.random.seed(seed)
    return np.random.randn(20, 20)


def old_factory(z, x=None, y=None, annotation_text=None, colorscale="Plasma", font_colors=None,
                showscale=False, **trace) -> dict:
    """The figure `ff.create_annotated_heatmap` returned (plotly 5), as a dict."""
    scale = ColorscaleValidator("colorscale", "heatmap").validate_coerce(colorscale)
    labels = annotation_text if annotation_text is not None else z  # str() of what was given
    z = np.asarray(z, dtype=float)
    xs = x or list(range(z.shape[1]))
    ys = y or list(range(z.shape[0]))
    colour = (font_colors or ["black"])[0]
    notes = [{"text": str(labels[i][j]), "x": xs[j], "y": ys[i], "xref": "x1", "yref": "y1",
              "font": {"color": colour}, "showarrow": False}
             for i in range(z.shape[0]) for j in range(z.shape[1])]
    heatmap = {"type": "heatmap", "z": z.tolist(), "colorscale": scale, "showscale": showscale,
               "reversescale": False, **trace}
    if x or y:
        heatmap.update(x=x, y=y)
        layout = {"xaxis": {"ticks": "", "dtick": 1, "side": "top", "gridcolor": "rgb(0, 0, 0)"},
                  "yaxis": {"ticks": "", "dtick": 1, "ticksuffix": "  "}}
    else:
        layout = {"xaxis": {"ticks": "", "side": "top", "gridcolor": "rgb(0, 0, 0)", "showticklabels": False},
                  "yaxis": {"ticks": "", "ticksuffix": "  ", "showticklabels": False}}
    layout["annotations"] = notes
    return go.Figure({"data": [heatmap], "layout": layout}).to_plotly_json()


def seed_px_basic():
    return px.imshow(Z5, text_auto=True)


def seed_px_custom_text():
    fig = px.imshow(Z3, x=TEAMS, y=["Game One", "Game Two", "Game Three"],
                    color_continuous_scale="Viridis", aspect="auto")
    fig.update_traces(text=Z_TEXT, texttemplate="%{text}")
    fig.update_xaxes(side="top")
    # heatdoc's default hover adds the cell text when there is any (issue 2); the rest is px's
    fig.update_traces(hovertemplate="x: %{x}<br>y: %{y}<br>color: %{z}<br>%{text}<extra></extra>")
    return fig


def seed_px_numpy():
    return px.imshow(randn(), text_auto=".2f", color_continuous_scale="Greys", aspect="auto")


def seed_px_periodic():
    element, mass = grid("periodic-element.csv"), grid("periodic-mass.csv")
    fig = px.imshow(np.array(grid("periodic-colour.csv"), dtype=float), color_continuous_scale=PERIODIC_SCALE,
                    aspect="auto", title="Periodic Table")
    fig.update_traces(text=grid("periodic-symbol.csv"), texttemplate="%{text}", textfont_size=12,
                      customdata=np.moveaxis([element, mass], 0, -1),
                      hovertemplate="%{customdata[0]}<br>Atomic Mass: %{customdata[1]:.2f}<extra></extra>")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_coloraxes(showscale=False)
    return fig


def seed_ff_simple():
    return old_factory(Z5)


def seed_ff_custom_text():
    return old_factory(Z3, x=TEAMS, y=["Game Three", "Game Two", "Game One"], annotation_text=Z_TEXT,
                       colorscale="Viridis")


def seed_ff_numpy():
    z = randn()
    return old_factory(z, annotation_text=np.around(z, decimals=2).tolist(), colorscale="Greys", hoverinfo="z")


def seed_ff_periodic():
    colour = np.array(grid("periodic-colour.csv"), dtype=float)
    fig = old_factory(colour[::-1], annotation_text=grid("periodic-symbol.csv")[::-1],
                      text=grid("periodic-hover.csv")[::-1], colorscale=PERIODIC_SCALE,
                      font_colors=["black"], hoverinfo="text")
    fig["layout"].update(title={"text": "Periodic Table"}, margin={"l": 10, "r": 10, "t": 10, "b": 10, "pad": 10})
    fig["layout"]["yaxis"]["scaleanchor"] = "x"
    return fig


EXAMPLES = {
    "plotly-express/basic.yaml": seed_px_basic,
    "plotly-express/custom-text-labels.yaml": seed_px_custom_text,
    "plotly-express/numpy-random.yaml": seed_px_numpy,
    "plotly-express/periodic-table.yaml": seed_px_periodic,
    "figure-factory/simple.yaml": seed_ff_simple,
    "figure-factory/custom-text-labels.yaml": seed_ff_custom_text,
    "figure-factory/numpy-random.yaml": seed_ff_numpy,
    "figure-factory/periodic-table.yaml": seed_ff_periodic,
}


def _numeric_text(cells):
    """The factory wrote str(numpy.around(v, 2)) ("1.6", "-0.0"); heatdoc's ".2f" writes
    "1.60", "-0.00": the same number to two decimals. Compare those as numbers."""
    return [[round(float(c.text), 2) if c.text else None for c in row] for row in cells]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_spec_draws_what_the_seed_draws(name):
    want = drawn(EXAMPLES[name]())
    got = drawn(heatdoc.figure_dict(SPECS / name))
    assert len(got["cells"]) == len(want["cells"]) and len(got["cells"][0]) == len(want["cells"][0])
    for key in ("x_side", "x_ticklabels", "y_ticklabels", "colorbar", "square_cells", "title"):
        assert got[key] == want[key], key
    for r, (grow, wrow) in enumerate(zip(got["cells"], want["cells"])):
        for c, (g, w) in enumerate(zip(grow, wrow)):
            where = f"display row {r}, column {c}"
            # a label is drawn only where its axis shows tick labels (hover is compared below)
            if want["x_ticklabels"]:
                assert g.x == w.x, where
            if want["y_ticklabels"]:
                assert g.y == w.y, where
            assert g.hover == w.hover, where
            if g.fill is None or w.fill is None:
                assert g.fill == w.fill, where
            else:
                assert max(abs(a - b) for a, b in zip(g.fill, w.fill)) <= 1, where
            if name != "figure-factory/numpy-random.yaml":
                assert g.text == w.text, where
    if name == "figure-factory/numpy-random.yaml":
        assert _numeric_text(got["cells"]) == _numeric_text(want["cells"])


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_compiled_figure_passes_plotly_validation(name):
    # The compiler skips plotly's validators for speed; this keeps it honest.
    go.Figure(heatdoc.figure_dict(SPECS / name))


def test_every_seed_example_has_a_spec():
    seed = (ROOT.parent / "shared" / "seed" / "annotated-heatmaps.md")
    if not seed.exists():  # CI has shared/ beside the checkout; a user's clone may not
        pytest.skip("shared/seed is not beside this checkout")
    text = seed.read_text()
    calls = text.count("px.imshow(z") + text.count("px.imshow(color") + text.count("ff.create_annotated_heatmap(")
    # the prose mentions the factory twice outside code; count code calls only
    code_calls = sum(block.count("imshow(") + block.count("create_annotated_heatmap(")
                     for block in text.split("```")[1::2])
    assert code_calls == len(EXAMPLES), (calls, code_calls)


def test_periodic_table_cells():
    """Spot checks a reader would make: hydrogen top left, its hover, gaps blank."""
    d = drawn(heatdoc.figure_dict(SPECS / "plotly-express/periodic-table.yaml"))
    h = d["cells"][0][0]
    assert h.text == "H"
    assert h.hover == "Hydrogen<br>Atomic Mass: 1.01"
    assert d["cells"][0][1].text == ""
