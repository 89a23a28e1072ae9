"""Cell text that everyone can read: WCAG contrast between a cell's text and its fill.

plotly.js picks a heatmap's cell text colour itself (black or white by a brightness
rule that is not WCAG's) and takes one `textfont.color` for the whole trace, never
one per cell. heatdoc knows the colour scale at build time, so it works out, for every
cell, which of black and white contrasts more with the fill plotly.js will draw, and
hands the page the answer as a rule on z: the z ranges whose text is white
(`cell_text_rule`). The page's script applies it to the drawn text
(`applyCellTextColours` in heatdoc.js). Black or white, whichever is better, always
reaches at least 4.58:1 on an opaque fill, above WCAG AA's 4.5:1.

Everything here is numpy over the whole matrix at once: it runs on every compile.
"""
from __future__ import annotations

import math
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


def colour_range(z: np.ndarray, trace: dict[str, Any]) -> tuple[float, float] | None:
    """(zmin, zmax) as plotly.js computes them for ``trace`` (its colorscale calc): the
    given pair when both are set and zmin < zmax, else the data's, widened to centre
    on zmid; None when z has no finite value."""
    lo, hi = trace.get("zmin"), trace.get("zmax")
    given = _number(lo) and _number(hi) and lo < hi
    auto = trace.get("zauto", not given)
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return None
    if auto is not False or not _number(lo):
        lo = float(finite.min())
    if auto is not False or not _number(hi):
        hi = float(finite.max())
    mid = trace.get("zmid")
    if auto is not False and _number(mid):
        if hi - mid > mid - lo:
            lo = mid - (hi - mid)
        elif hi - mid < mid - lo:
            hi = mid + (mid - lo)
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return float(lo), float(hi)


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def cell_fills(z: np.ndarray, trace: dict[str, Any]) -> np.ndarray | None:
    """The RGB (0-255, rounded as plotly.js paints them) of every cell of ``z`` as the
    heatmap ``trace`` draws it: the scale interpolated in RGB, a translucent colour laid
    over the plot background. Gaps get NaN. None when z has no finite value."""
    bounds = colour_range(z, trace)
    if bounds is None:
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
    ranges (both ends included) and black elsewhere. Ranges of the sorted distinct values,
    so a few numbers stand for any size of matrix. None when the trace shows no text, or
    its text colour is the spec's."""
    if not trace.get("texttemplate") or explicit_text_colour(trace) is not None:
        return None
    values = np.unique(z[np.isfinite(z)])  # sorted; the fills of the distinct values only
    fills = cell_fills(values, trace)
    if fills is None:
        return None
    light = luminance(fills) < WHITE_WINS_BELOW
    edges = np.flatnonzero(np.diff(np.concatenate(([False], light, [False])).astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2] - 1
    return {"dark": DARK_TEXT, "light": LIGHT_TEXT,
            "light_z": [[_plain(values[a]), _plain(values[b])] for a, b in zip(starts, ends)]}


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
