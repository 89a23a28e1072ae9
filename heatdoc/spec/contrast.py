"""Cell text that everyone can read: WCAG contrast between a cell's text and its fill.

plotly.js picks a heatmap's cell text colour itself (black or white by a brightness
rule that is not WCAG's) and takes one `textfont.color` for the whole trace, never
one per cell. heatdoc knows the colour scale at build time, so it works out, for every
cell, which of black and white contrasts more with the fill plotly.js will draw, and
hands the page the answer as a rule on z: the z ranges whose text is white
(`cell_text_rule`). The page's script applies it to the drawn text
(`colourCellText` in heatdoc.js). Black or white, whichever is better, always reaches
at least 4.58:1 on an opaque fill, above WCAG AA's 4.5:1 (4.55:1 within a rounding step
of the tie, `_light_stretches`).

It runs on every compile: the boundary is found once per colour scale, on the scale, and
each chart only maps it onto its z range; a translucent scale is judged cell by cell,
with numpy over the whole matrix at once.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from heatdoc.spec.colours import parse_colour

AA_RATIO = 4.5  # WCAG 2 AA, normal text
DARK_TEXT = "#000000"
LIGHT_TEXT = "#ffffff"
# what a translucent fill is seen over: plotly's (light) template's plot background
PLOT_BACKGROUND = (229.0, 236.0, 246.0)  # #E5ECF6
# the luminance below which white text contrasts more than black:
# (1.05) / (L + 0.05) > (L + 0.05) / 0.05  <=>  L < sqrt(0.0525) - 0.05
WHITE_WINS_BELOW = math.sqrt(0.0525) - 0.05


def _linear(c: np.ndarray) -> np.ndarray:
    c = c / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


_LINEAR = _linear(np.arange(256, dtype=float))  # a channel's linear light, 0-255


def luminance_unrounded(rgb: np.ndarray) -> np.ndarray:
    return _linear(np.asarray(rgb, dtype=float)) @ np.array([0.2126, 0.7152, 0.0722])


def luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of sRGB colours, channels 0-255 in the last axis (whole
    channels, as painted, are looked up rather than raised to a power)."""
    rgb = np.asarray(rgb, dtype=float)
    whole = np.all(rgb == np.round(rgb))
    linear = _LINEAR[rgb.astype(np.intp)] if whole else _linear(rgb)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(lum_a: Any, lum_b: Any) -> Any:
    """WCAG contrast ratio of two luminances (any order), 1 to 21."""
    hi, lo = np.maximum(lum_a, lum_b), np.minimum(lum_a, lum_b)
    return (hi + 0.05) / (lo + 0.05)


def colour_range(z: np.ndarray, trace: dict[str, Any],
                 data: tuple[float, float] | None = None) -> tuple[float, float] | None:
    """(zmin, zmax) as plotly.js computes them for ``trace`` (its colorscale calc): the
    given pair when both are set and zmin < zmax, else the data's, widened to centre
    on zmid; None when z has no finite value. ``data``: z's `data_range`, if known."""
    lo, hi = trace.get("zmin"), trace.get("zmax")
    given = _number(lo) and _number(hi) and lo < hi
    auto = trace.get("zauto", not given)
    data = data or data_range(z)
    if data is None:
        return None
    if auto is not False or not _number(lo):
        lo = data[0]
    if auto is not False or not _number(hi):
        hi = data[1]
    mid = trace.get("zmid")
    if auto is not False and _number(mid):
        if hi - mid > mid - lo:
            lo = mid - (hi - mid)
        elif hi - mid < mid - lo:
            hi = mid + (mid - lo)
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return float(lo), float(hi)


def data_range(z: np.ndarray) -> tuple[float, float] | None:
    """The smallest and largest value of z, gaps (NaN) left out; None if all are gaps.
    (fmin and fmax skip NaN without copying a matrix that may be 32 MB.)"""
    if z.size == 0:
        return None
    lo, hi = float(np.fmin.reduce(z, axis=None)), float(np.fmax.reduce(z, axis=None))
    return None if math.isnan(lo) else (lo, hi)


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def cell_fills(z: np.ndarray, trace: dict[str, Any]) -> np.ndarray | None:
    """The RGB (0-255, rounded as plotly.js paints them) of every cell of ``z`` as the
    heatmap ``trace`` draws it: the scale interpolated in RGB, a translucent colour laid
    over the plot background. Gaps get NaN. None when z has no finite value."""
    data = data_range(z)
    bounds = colour_range(z, trace, data)
    if bounds is None or data is None:
        return None
    stops, colours = _scale(trace)
    lo, hi = bounds
    t = np.clip((z - lo) / (hi - lo), 0.0, 1.0)
    alpha = np.interp(t, stops, colours[:, 3])
    rgb = np.empty(z.shape + (3,))
    for k in range(3):  # the scale in RGB, laid over the plot background where translucent
        painted = np.round(np.interp(t, stops, colours[:, k]))
        rgb[..., k] = np.round(painted * alpha + PLOT_BACKGROUND[k] * (1 - alpha))
    rgb[~np.isfinite(z)] = np.nan
    return rgb


def _scale(trace: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    pairs = sorted((float(s), parse_colour(str(c))) for s, c in trace["colorscale"])
    stops = np.array([s for s, _ in pairs])
    colours = np.array([c for _, c in pairs], dtype=float)
    if trace.get("reversescale"):
        stops, colours = (1 - stops)[::-1], colours[::-1]
    return stops, colours


def explicit_text_colour(trace: dict[str, Any]) -> str | None:
    font = trace.get("textfont")
    colour = font.get("color") if isinstance(font, dict) else None
    return colour if isinstance(colour, str) and colour != "auto" else None


def cell_text_rule(z: np.ndarray, trace: dict[str, Any]) -> dict[str, Any] | None:
    """How the page colours ``trace``'s cell text: {"dark": colour, "light": colour,
    "light_z": [[z_from, z_to], ...]}, text white in a cell whose z is in one of the
    ranges (both ends included) and black elsewhere: a few numbers for any size of
    matrix. None when the trace shows no text, or its text colour is the spec's."""
    if not trace.get("texttemplate") or explicit_text_colour(trace) is not None:
        return None
    data = data_range(z)
    bounds = colour_range(z, trace, data)
    if bounds is None or data is None:
        return None
    stops, colours = _scale(trace)
    if (colours[:, 3] < 1).any():  # translucent: judged cell by cell, over the plot background
        values = z[np.isfinite(z)]
        ranges = _ranges(values, luminance(cell_fills(values, trace)) < WHITE_WINS_BELOW)
    else:
        ranges = _z_ranges(_light_stretches(tuple(stops), tuple(map(tuple, colours[:, :3]))), bounds, data)
    return {"dark": DARK_TEXT, "light": LIGHT_TEXT, "light_z": [[_plain(a), _plain(b)] for a, b in ranges]}


def _z_ranges(stretches: tuple[tuple[float, float], ...], bounds: tuple[float, float],
              data: tuple[float, float]) -> list[tuple[float, float]]:
    """The stretches of the scale (0-1) as ranges of z; a stretch from 0 (or to 1) reaches
    the smallest (largest) z of the ``data``, which plotly.js draws in the scale's end colour."""
    lo, hi = bounds
    low, high = min(data[0], lo), max(data[1], hi)
    return [(low if a <= 0 else lo + a * (hi - lo), high if b >= 1 else lo + b * (hi - lo))
            for a, b in stretches]


@lru_cache(maxsize=64)
def _light_stretches(stops: tuple[float, ...], colours: tuple[tuple[float, float, float], ...]
                     ) -> tuple[tuple[float, float], ...]:
    """The stretches [a, b] of an opaque scale (0-1) whose colour takes white text.

    Between two stops the colour is a straight line in RGB and its luminance a convex
    function of the position (each channel's linear light is convex in it), so the
    light part of each piece is one stretch: found by a ternary search for the darkest
    point and a bisection either side. plotly.js rounds each channel it paints, which
    moves a boundary by less than a level: a cell that close to the boundary has 4.5:1
    or more with either colour. Once per scale, whatever the size of the matrix."""
    def lum(c0: np.ndarray, c1: np.ndarray, u: float) -> float:
        return float(luminance_unrounded(c0 + (c1 - c0) * u))

    out: list[list[float]] = []
    for (s0, c0), (s1, c1) in zip(zip(stops, map(np.array, colours)), zip(stops[1:], map(np.array, colours[1:]))):
        if s1 <= s0:
            continue
        a, b = 0.0, 1.0
        for _ in range(60):  # the darkest point
            m1, m2 = a + (b - a) / 3, b - (b - a) / 3
            if lum(c0, c1, m1) < lum(c0, c1, m2):
                b = m2
            else:
                a = m1
        darkest = (a + b) / 2
        if lum(c0, c1, darkest) >= WHITE_WINS_BELOW:
            continue
        ends = []
        for edge in (0.0, 1.0):
            if lum(c0, c1, edge) < WHITE_WINS_BELOW:
                ends.append(edge)
                continue
            inside, outside = darkest, edge
            for _ in range(60):
                mid = (inside + outside) / 2
                inside, outside = (mid, outside) if lum(c0, c1, mid) < WHITE_WINS_BELOW else (inside, mid)
            ends.append(inside)
        start, end = s0 + ends[0] * (s1 - s0), s0 + ends[1] * (s1 - s0)
        if out and out[-1][1] >= start:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return tuple((a, b) for a, b in out)


def _ranges(values: np.ndarray, light: np.ndarray) -> list[tuple[float, float]]:
    """The fewest [from, to] ranges of ``values`` that hold every light one and no other.
    Linear time for the usual shapes (the light values one range, or all but one range);
    a sort otherwise."""
    if not light.any():
        return []
    lit, unlit = values[light], values[~light]
    if unlit.size == 0:
        return [(lit.min(), lit.max())]
    lo, hi = lit.min(), lit.max()
    if not ((unlit >= lo) & (unlit <= hi)).any():  # one light range
        return [(lo, hi)]
    dark_lo, dark_hi = unlit.min(), unlit.max()
    if not ((lit >= dark_lo) & (lit <= dark_hi)).any():  # light below and above one dark range
        below, above = lit[lit < dark_lo], lit[lit > dark_hi]
        return [(r.min(), r.max()) for r in (below, above) if r.size]
    order = np.argsort(values, kind="stable")
    ordered, flags = values[order], light[order]
    edges = np.flatnonzero(np.diff(np.concatenate(([False], flags, [False])).astype(np.int8)))
    return [(ordered[a], ordered[b - 1]) for a, b in zip(edges[0::2], edges[1::2])]


def _plain(v: float) -> float | int:
    v = float(v)
    return int(v) if v.is_integer() and abs(v) < 2**53 else v


def text_colour_failures(z: np.ndarray, trace: dict[str, Any], colour: str) -> tuple[int, int, float]:
    """(cells whose ``colour`` text is below AA, cells with text, the worst ratio) for a
    text colour the spec sets. A translucent text colour is judged as if opaque."""
    fills = cell_fills(z, trace)
    if fills is None:
        return 0, 0, 21.0
    shown = np.isfinite(fills[..., 0])
    ratios = contrast_ratio(luminance(fills[shown]), luminance(np.array(parse_colour(colour)[:3])))
    if ratios.size == 0:
        return 0, 0, 21.0
    return int((ratios < AA_RATIO).sum()), int(ratios.size), float(ratios.min())
