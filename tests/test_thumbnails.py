"""Thumbnails: drawn from the matrix with the spec's own colour scale and range."""
from __future__ import annotations

import re

import numpy as np
import pytest

from heatdoc.site.render.thumbnails import (
    LEVELS,
    MAX_SIDE,
    colour_range,
    downsample,
    thumbnail_svg,
)
from heatdoc.spec.colours import colour_at, hex_colour, parse_colour, resolve_scale

UPPER = {"yaxis": {"autorange": "reversed"}, "xaxis": {"scaleanchor": "y"}}
LOWER = {"yaxis": {"autorange": True}, "xaxis": {}}


@pytest.mark.parametrize("text, rgba", [
    ("#fff", (255, 255, 255, 1)),
    ("#08306b", (8, 48, 107, 1)),
    ("rgb(255, 77, 148)", (255, 77, 148, 1)),
    ("rgba(0,0,0,0.5)", (0, 0, 0, 0.5)),
    ("hsl(120, 100%, 25%)", (0, 127.5, 0, 1)),
    ("RebeccaPurple", (102, 51, 153, 1)),
    ("transparent", (0, 0, 0, 0)),
    ("not a colour", (128, 128, 128, 1)),
])
def test_colours_are_read_as_plotly_js_reads_them(text, rgba):
    assert parse_colour(text) == pytest.approx(rgba)


def test_colour_at_interpolates_between_stops_in_rgb():
    scale = [[0, "rgb(0,0,0)"], [0.5, "rgb(200,100,0)"], [1, "white"]]
    assert colour_at(scale, 0) == (0, 0, 0, 1)
    assert colour_at(scale, 0.25) == pytest.approx((100, 50, 0, 1))
    assert colour_at(scale, 0.75) == pytest.approx((227.5, 177.5, 127.5, 1))
    assert colour_at(scale, 2) == (255, 255, 255, 1)
    viridis = resolve_scale("Viridis")
    assert (hex_colour(colour_at(viridis, 0)), hex_colour(colour_at(viridis, 1))) == ("#440154", "#fde725")


def fills(svg: str) -> list[tuple[str, str]]:
    return re.findall(r'<path fill="(#[0-9a-f]{6})"(?: fill-opacity="[^"]*")? d="([^"]*)"', svg)


def test_each_cell_takes_its_colour_from_the_scale_and_gaps_stay_empty():
    z = np.array([[0.0, 1.0], [np.nan, 0.5]])
    svg = thumbnail_svg(z, {"colorscale": [[0, "#000000"], [1, "#ffffff"]]}, UPPER)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2" width="160" height="160"')
    assert fills(svg) == [("#000000", "M0 0h1v1h-1z"), ("#808080", "M1 1h1v1h-1z"), ("#ffffff", "M1 0h1v1h-1z")]


def test_origin_lower_draws_row_zero_at_the_bottom_and_reversescale_flips_colours():
    z = np.array([[0.0], [1.0]])
    scale = {"colorscale": [[0, "#000000"], [1, "#ffffff"]]}
    assert fills(thumbnail_svg(z, scale, UPPER))[0] == ("#000000", "M0 0h1v1h-1z")
    assert fills(thumbnail_svg(z, scale, LOWER))[0] == ("#000000", "M0 1h1v1h-1z")
    assert fills(thumbnail_svg(z, {**scale, "reversescale": True}, UPPER))[0] == ("#000000", "M0 1h1v1h-1z")


def test_neighbouring_cells_of_one_colour_merge_into_one_run():
    svg = thumbnail_svg(np.array([[1.0, 1.0, 1.0, 2.0]]), {"colorscale": "Greys"}, LOWER)
    assert [d for _, d in fills(svg)] == ["M0 0h3v1h-3z", "M3 0h1v1h-1z"]
    assert 'preserveAspectRatio="none"' in svg  # aspect auto: the thumbnail fills its box


@pytest.mark.parametrize("trace, expected", [
    ({}, (-2.0, 4.0)),
    ({"zmin": 0}, (0.0, 4.0)),
    ({"zmid": 0}, (-4.0, 4.0)),
    ({"zmin": 1, "zmax": 1}, (0.5, 1.5)),
])
def test_colour_range_follows_plotly_rules(trace, expected):
    assert colour_range(np.array([[-2.0, 4.0], [np.nan, 1.0]]), trace) == expected


def test_big_matrices_are_averaged_down_and_stay_small():
    z = np.arange(1000 * 300, dtype=float).reshape(1000, 300)
    z[:25, :8] = np.nan
    small = downsample(z, MAX_SIDE)
    assert small.shape == (40, 38)
    assert np.isnan(small[0, 0]) and small[1, 0] == pytest.approx(z[25:50, :8].mean())
    svg = thumbnail_svg(z, {"colorscale": "Viridis"}, UPPER)
    assert 'viewBox="0 0 38 40"' in svg and len(svg) < 40_000
    assert len(fills(svg)) <= LEVELS
