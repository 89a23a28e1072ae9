"""The compiler's rules (SPEC.md "Text in the cells", "Hover", "Colour", "Labels")."""
from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go
import pytest

import heatdoc
from heatdoc.errors import HeatdocError
from heatdoc.spec.compile import compile_figure


@pytest.fixture
def compile_yaml(make_project):
    def compile_(text: str) -> dict:
        root = make_project({"specs/s.yaml": text})
        fig = compile_figure(heatdoc.load_spec(root / "specs" / "s.yaml"))
        go.Figure(fig)  # every compiled figure is one plotly accepts
        return fig
    return compile_


def trace_of(fig: dict) -> dict:
    return fig["data"][0]


@pytest.mark.parametrize("keys, template", [
    ("text: [[a, b]]", "%{text}"),
    ("text: [[a, b]]\ntext_auto: true", "%{z}"),
    ("text: [[a, b]]\ntext_auto: '.1%'", "%{z:.1%}"),
    ("text: [[a, b]]\ntext_auto: true\ntexttemplate: '%{text} (%{z})'", "%{text} (%{z})"),
])
def test_texttemplate_wins_over_text_auto_which_wins_over_text(compile_yaml, keys, template):
    t = trace_of(compile_yaml(f"title: t\nz: [[1, 2]]\n{keys}\n"))
    assert t["texttemplate"] == template
    assert t["text"] == [["a", "b"]]  # still there for %{text}


def test_no_text_no_texttemplate(compile_yaml):
    assert "texttemplate" not in trace_of(compile_yaml("title: t\nz: [[1, 2]]\n"))


def test_named_layers_become_indexes(compile_yaml):
    t = trace_of(compile_yaml("""\
        title: t
        z: [[1, 2]]
        customdata:
          name: [[a, b]]
          mass: [[1.5, 2.5]]
        hovertemplate: "%{customdata.name}: %{customdata.mass:.1f} %{customdata[0]}"
        texttemplate: "%{customdata.mass}"
        """))
    assert t["customdata"] == [[["a", 1.5], ["b", 2.5]]]
    assert t["hovertemplate"] == "%{customdata[0]}: %{customdata[1]:.1f} %{customdata[0]}"
    assert t["texttemplate"] == "%{customdata[1]}"


def test_default_hover_shows_labels_value_and_text(compile_yaml):
    assert trace_of(compile_yaml("title: t\nz: [[1]]\n"))["hovertemplate"] == \
        "x: %{x}<br>y: %{y}<br>color: %{z}<extra></extra>"
    assert trace_of(compile_yaml("title: t\nz: [[1]]\ntext: [[a]]\n"))["hovertemplate"] == \
        "x: %{x}<br>y: %{y}<br>color: %{z}<br>%{text}<extra></extra>"


@pytest.mark.parametrize("origin, autorange", [("upper", "reversed"), ("lower", True)])
def test_origin(compile_yaml, origin, autorange):
    assert compile_yaml(f"title: t\nz: [[1]]\norigin: {origin}\n")["layout"]["yaxis"]["autorange"] == autorange


@pytest.mark.parametrize("origin, first", [("upper", "Game One"), ("lower", "Game Two")])
def test_the_data_table_lists_rows_as_the_chart_draws_them(make_project, origin, first):
    from heatdoc.site.render.datatable import data_table

    root = make_project({"specs/s.yaml": f"title: t\nz: [[1, 2], [3, 4]]\nx: [A, B]\ny: [Game One, Game Two]\n"
                                         f"origin: {origin}\n"})
    table = data_table(heatdoc.load_spec(root / "specs" / "s.yaml"))
    rows = [(row.label, row.cells) for row in table.rows]
    assert rows[0][0] == first and dict(rows) == {"Game One": ("1", "2"), "Game Two": ("3", "4")}


def test_aspect(compile_yaml):
    equal = compile_yaml("title: t\nz: [[1]]\n")["layout"]
    assert equal["xaxis"]["scaleanchor"] == "y" and equal["xaxis"]["constrain"] == "domain"
    auto = compile_yaml("title: t\nz: [[1]]\naspect: auto\n")["layout"]
    assert "scaleanchor" not in auto["xaxis"]


@pytest.mark.parametrize("name, first, last", [
    ("Greys", "rgb(255,255,255)", "rgb(0,0,0)"),      # px's Greys, not plotly.js' reversed one
    ("greys_r", "rgb(0,0,0)", "rgb(255,255,255)"),
    ("VIRIDIS", "#440154", "#fde725"),
])
def test_scale_names_resolve_as_px_does(compile_yaml, name, first, last):
    scale = trace_of(compile_yaml(f"title: t\nz: [[1, 2]]\ncolorscale: {name}\n"))["colorscale"]
    assert (scale[0], scale[-1]) == ([0.0, first], [1.0, last])


def test_named_scales_are_the_ones_plotlys_validator_knows():
    # heatdoc reads plotly's scale modules itself (the validator is slow to import):
    # the names and colours must stay exactly the validator's, plotly version after version
    from _plotly_utils.basevalidators import ColorscaleValidator

    from heatdoc.spec.colours import _named

    assert _named() == ColorscaleValidator("colorscale", "heatmap").named_colorscales


def test_default_scale_is_plasma_and_colour_lists_are_spaced(compile_yaml):
    assert trace_of(compile_yaml("title: t\nz: [[1]]\n"))["colorscale"][0] == [0.0, "#0d0887"]
    scale = trace_of(compile_yaml("title: t\nz: [[1]]\ncolorscale: [white, red, black]\n"))["colorscale"]
    assert scale == [[0.0, "white"], [0.5, "red"], [1.0, "black"]]


def test_labels_are_text_and_category_axes(compile_yaml):
    fig = compile_yaml("title: t\nz: [[1, 2]]\nx: [2019, 007]\ny: [NO]\n")
    assert trace_of(fig)["x"] == ["2019", "007"] and trace_of(fig)["y"] == ["NO"]
    assert fig["layout"]["xaxis"]["type"] == "category"


def test_gaps_are_null_and_have_no_hover(compile_yaml):
    t = trace_of(compile_yaml("title: t\nz: [[1, null, .nan]]\n"))
    assert t["z"] == [[1, None, None]] and t["hoverongaps"] is False
    assert "hoverongaps" not in trace_of(compile_yaml("title: t\nz: [[1]]\n"))


def test_trace_passthrough_adds_to_nested_keys(compile_yaml):
    t = trace_of(compile_yaml("title: t\nz: [[1]]\ncolorbar: {title: {text: units}}\ntrace: {colorbar: {len: 0.5}}\n"))
    assert t["colorbar"] == {"title": {"text": "units"}, "len": 0.5}


def test_a_gap_has_no_text(compile_yaml):
    # plotly.js draws %{text} even where z is null; a gap shows nothing (test_browser sees it)
    t = trace_of(compile_yaml("title: t\nz: [[1, null], [.nan, 4]]\ntext: [[a, b], [c, d]]\n"))
    assert t["text"] == [["a", ""], ["", "d"]]


def test_big_matrices_travel_as_typed_arrays(compile_yaml):
    z = trace_of(compile_yaml("title: t\nz: {random: uniform, shape: [40, 50], seed: 3}\n"))["z"]
    assert z["dtype"] == "f8" and z["shape"] == "40, 50"
    np.random.seed(3)
    assert np.array_equal(np.frombuffer(base64.b64decode(z["bdata"])).reshape(40, 50), np.random.rand(40, 50))


def test_passthrough_merges_into_what_heatdoc_sets(compile_yaml):
    fig = compile_yaml("""\
        title: t
        z: [[1]]
        xaxis: {side: top}
        layout: {xaxis: {tickangle: 45}, title: {text: Hi}}
        trace: {hoverongaps: false}
        zmid: 0
        showscale: false
        """)
    assert fig["layout"]["xaxis"]["side"] == "top" and fig["layout"]["xaxis"]["tickangle"] == 45
    assert fig["layout"]["xaxis"]["scaleanchor"] == "y"
    assert fig["layout"]["title"] == {"text": "Hi"}
    t = trace_of(fig)
    assert t["hoverongaps"] is False and t["zmid"] == 0 and t["showscale"] is False


def test_python_api_returns_a_plotly_figure():
    from conftest import ROOT

    fig = heatdoc.figure(ROOT / "specs" / "plotly-express" / "basic.yaml")
    assert isinstance(fig, go.Figure)
    assert fig.data[0].texttemplate == "%{z}"
    spec = heatdoc.load_spec(ROOT / "specs" / "plotly-express" / "basic.yaml")
    assert spec.title == "Basic annotated heatmap" and spec.shape == (5, 5)
    assert isinstance(heatdoc.figure(spec), go.Figure)


def test_compiling_twice_gives_the_same_figure_and_leaves_the_spec_alone(make_project):
    root = make_project({"specs/s.yaml": "title: t\nz: [[1]]\ncolorbar: {title: {text: u}}\n"
                                          "trace: {colorbar: {len: 0.5}}\nlayout: {xaxis: {title: {text: a}}}\n"
                                          "xaxis: {side: top}\n"})
    spec = heatdoc.load_spec(root / "specs" / "s.yaml")
    first = compile_figure(spec)
    assert compile_figure(spec) == first
    assert spec.options["colorbar"] == {"title": {"text": "u"}}


# %{customdata.NAME}: the name is everything up to the field's end, its format (:) or its
# date format (|), as plotly.js reads a template field; validate checks that very name and
# compile rewrites exactly the names validate accepted (one pattern, spec.compile.LAYER_REF).
LAYERS = "title: t\nz: [[1, 2]]\ncustomdata:\n  mass: [[1.5, 2.5]]\n  _n2: [[a, b]]\nhovertemplate: '{}'\n"


@pytest.mark.parametrize("template, compiled", [
    ("%{customdata.mass}", "%{customdata[0]}"),
    ("%{customdata.mass:.2f} kg", "%{customdata[0]:.2f} kg"),
    ("%{customdata.mass|%Y}", "%{customdata[0]|%Y}"),
    ("%{customdata._n2}/%{customdata.mass}", "%{customdata[1]}/%{customdata[0]}"),
    ("%{customdata[1]}", "%{customdata[1]}"),  # the plain Plotly form stays as written
])
def test_a_layer_reference_that_names_a_layer_is_rewritten(compile_yaml, template, compiled):
    assert trace_of(compile_yaml(LAYERS.format(template)))["hovertemplate"] == compiled


@pytest.mark.parametrize("template, name", [
    ("%{customdata.mass-kg}", "mass-kg"),  # not the layer mass followed by -kg
    ("%{customdata.mass.kg:.2f}", "mass.kg"),
    ("%{customdata.mass }", "mass "),
    ("%{customdata. mass}", " mass"),
    ("%{customdata.}", ""),
    ("%{customdata.Mass}", "Mass"),
    ("%{customdata.2mass}", "2mass"),
])
def test_a_layer_reference_that_names_no_layer_is_refused(make_project, template, name):
    root = make_project({"specs/s.yaml": LAYERS.format(template)})
    with pytest.raises(HeatdocError) as info:
        heatdoc.load_spec(root / "specs" / "s.yaml")
    [error] = info.value.errors
    assert error.key == "hovertemplate"
    assert error.message.startswith(f"%{{customdata.{name}}} names no layer")
    assert error.message.endswith("; the layers are: mass, _n2")
