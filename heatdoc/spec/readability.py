"""Warnings about charts that not everyone can read: a valid spec still builds, and
`heatdoc validate` and `heatdoc build` print each warning in the error format with
``warning:`` after the key (`PATH:LINE:COL: key.path: warning: message`), exit 0.

- a text colour the spec sets that is below WCAG AA (4.5:1) against some cells;
- a rainbow or red–green colour scale (`RAINBOW_SCALES`), with the usual safe one named;
- cell text that cannot fit its cell at the default figure size: shrunk by plotly.js
  below 8 px, or, at a fixed `textfont.size`, running into its neighbours' text.
"""
from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from heatdoc.errors import SpecError
from heatdoc.spec import contrast
from heatdoc.spec.model import Spec

SEQUENTIAL = "Viridis or Cividis for sequential data"
DIVERGING = "RdBu or PuOr for diverging data"
CYCLICAL = "Twilight for cyclical data"
# Named scales (lower case, `_r` too) that are rainbows, whose uneven brightness draws
# edges the data has not, or that run from red to green, which about one man in twelve
# cannot tell apart; and what to use instead.
RAINBOW_SCALES = {
    "jet": ("a rainbow", SEQUENTIAL), "rainbow": ("a rainbow", SEQUENTIAL),
    "turbo": ("a rainbow", SEQUENTIAL),
    "hsv": ("a rainbow", CYCLICAL), "mygbm": ("a rainbow", CYCLICAL), "mrybm": ("a rainbow", CYCLICAL),
    "rdylgn": ("a red–green scale", DIVERGING), "spectral": ("a rainbow", DIVERGING),
    "portland": ("a rainbow", DIVERGING), "picnic": ("a rainbow", DIVERGING),
    "temps": ("a red–green scale", DIVERGING),
}
WHY = {"a rainbow": "its uneven brightness draws edges the data does not have, and colour-blind "
                    "readers cannot tell its reds from its greens",
       "a red–green scale": "about one man in twelve cannot tell its reds from its greens"}

# plotly.js's defaults: figure 700 × 450 px, margins 80 px (heatdoc's top margin is 60),
# text 12 px, and its estimate of a text's width: 0.65 em a character (heatmap/plot.js)
DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_MARGIN = 700, 450, 80
DEFAULT_FONT_PX = 12
MIN_FONT_PX = 8  # plotly.js shrinking cell text below this is a warning
CHAR_EM, LINE_EM = 0.65, 1.3
MAX_REACH = 4
SAMPLE_CELLS = 2_000  # cells whose text is measured: an estimate, kept cheap on big matrices
FIELD = re.compile(r"%\{([^}:|]*)(?::([^}]*))?\}")


def spec_warnings(spec: Spec, figure: dict[str, Any]) -> list[SpecError]:
    """Every readability warning of a valid ``spec`` compiled to ``figure``."""
    trace, layout = figure["data"][0], figure.get("layout", {})
    return sorted(_text_contrast(spec, trace) + _rainbow(spec, trace) + _text_fit(spec, trace, layout))


def _warning(spec: Spec, keys: tuple, message: str) -> SpecError:
    error = spec.doc.error(keys, message)
    return SpecError(error.path, error.line, error.col, error.key, f"warning: {message}")


def _written_at(spec: Spec, *keys: str) -> tuple:
    """Where the spec sets ``keys``: at the top level or under `trace:`."""
    data = spec.doc.data if isinstance(spec.doc.data, dict) else {}
    node: Any = data
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return keys if node is not None else ("trace", *keys)


def _text_contrast(spec: Spec, trace: dict[str, Any]) -> list[SpecError]:
    colour = contrast.explicit_text_colour(trace)
    if not colour or not trace.get("texttemplate"):
        return []
    z = spec.z
    if trace["texttemplate"] == "%{text}" and spec.text is not None:  # an empty text shows nothing
        z = np.where(np.array([[c not in ("", None) for c in row] for row in spec.text]), z, np.nan)
    failing, shown, worst = contrast.text_colour_failures(z, trace, colour)
    if not failing:
        return []
    return [_warning(spec, _written_at(spec, "textfont", "color"),
                     f"text colour {colour!r} is below WCAG AA contrast (4.5:1) against {failing} of "
                     f"{shown} cells (worst {worst:.2f}:1); leave textfont.color out and heatdoc picks "
                     f"black or white for each cell")]


def _rainbow(spec: Spec, trace: dict[str, Any]) -> list[SpecError]:
    name = spec.options.get("colorscale")  # a name only here: `trace.colorscale` takes pairs
    if not isinstance(name, str) or name.lower().removesuffix("_r") not in RAINBOW_SCALES:
        return []
    kind, instead = RAINBOW_SCALES[name.lower().removesuffix("_r")]
    return [_warning(spec, ("colorscale",), f"{name!r} is {kind}: {WHY[kind]}; use {instead}")]


def _text_fit(spec: Spec, trace: dict[str, Any], layout: dict[str, Any]) -> list[SpecError]:
    """Cell text that cannot fit its cell at the default figure size: plotly.js shrinks all
    cell text to the size the longest text fits, which below MIN_FONT_PX is unreadable;
    at a fixed textfont.size, a text wider than its cell runs over the next cells, which
    matters only where those show text of their own."""
    template = trace.get("texttemplate")
    if not template:
        return []
    text_of = _cell_text(spec, template)
    width, height = _cell_size(spec, trace, layout)
    size = (trace.get("textfont") or {}).get("size")
    fixed = isinstance(size, (int, float)) and not isinstance(size, bool)
    font = size if fixed else DEFAULT_FONT_PX
    cell = f"a cell is about {width:.0f} × {height:.0f} px at the default figure size"
    if fixed:
        clash = _overlapping_text(spec, text_of, width, font)
        if clash is None:
            return []
        text, other = clash
        problem = (f"{text!r} needs about {len(max(text.split('<br>'), key=len)) * font * CHAR_EM:.0f} px "
                   f"at {font:g} px, {cell}, so it runs into {other!r} beside it")
    else:
        chars, lines, text = _longest_text(text_of, _sample(spec))
        if chars == 0:
            return []
        shrunk = min(math.floor(width / chars / CHAR_EM), math.floor(height / lines / LINE_EM), DEFAULT_FONT_PX)
        if shrunk >= MIN_FONT_PX:
            return []
        drawn = f"plotly.js draws every cell's text at {shrunk} px" if shrunk > 0 else "plotly.js draws no cell text"
        problem = (f"{text!r} needs about {chars * font * CHAR_EM:.0f} × {lines * font * LINE_EM:.0f} px "
                   f"at {font:g} px, {cell}, so {drawn}")
    keys = _written_at(spec, "texttemplate") if spec.options.get("texttemplate") else (
        ("text_auto",) if spec.options.get("text_auto") else ("text",))
    return [_warning(spec, keys, f"cell text does not fit its cell: {problem}; shorten the text "
                                 f"(texttemplate, text_auto: '.1f') or set width and height")]


def _overlapping_text(spec: Spec, text_of: Any, width: float, font: float) -> tuple[str, str] | None:
    """A text wider than its cell and a text in the cells it runs into, or None."""
    cols = spec.shape[1]
    for i, j in _sample(spec):
        text = text_of(i, j)
        need = max((len(p) for p in text.split("<br>")), default=0) * font * CHAR_EM
        if need <= width:
            continue
        # the cells either side it reaches into (a few: beyond, it has crossed others)
        reach = min(math.ceil((need - width) / 2 / width) if width > 0 else cols, MAX_REACH)
        for k in range(max(j - reach, 0), min(j + reach, cols - 1) + 1):
            if k != j and text_of(i, k):
                return text, text_of(i, k)
    return None


def _cell_size(spec: Spec, trace: dict[str, Any], layout: dict[str, Any]) -> tuple[float, float]:
    """A cell's width and height in px at the figure's size (plotly.js's default unless
    the spec sets one), as plotly.js lays the heatmap out."""
    margin = {"l": DEFAULT_MARGIN, "r": DEFAULT_MARGIN, "t": 100, "b": DEFAULT_MARGIN, **layout.get("margin", {})}
    rows, cols = spec.shape
    width = (layout.get("width") or DEFAULT_WIDTH) - margin["l"] - margin["r"]
    height = (layout.get("height") or DEFAULT_HEIGHT) - margin["t"] - margin["b"]
    cell_w, cell_h = width / cols - (trace.get("xgap") or 0), height / rows - (trace.get("ygap") or 0)
    if "scaleanchor" in layout.get("xaxis", {}) or "scaleanchor" in layout.get("yaxis", {}):
        cell_w = cell_h = min(cell_w, cell_h)  # square cells
    return max(cell_w, 0.0), max(cell_h, 0.0)


def _longest_text(text_of: Any, cells: list[tuple[int, int]]) -> tuple[int, int, str]:
    """(characters of the longest line, lines, that cell's text) over ``cells``, as
    plotly.js counts them: the raw text split at <br>."""
    best = (0, 0, "")
    for i, j in cells:
        parts = text_of(i, j).split("<br>")
        longest = max(len(p) for p in parts)
        if (longest, len(parts)) > best[:2]:
            best = (longest, len(parts), text_of(i, j))
    return best


def _sample(spec: Spec) -> list[tuple[int, int]]:
    """Every cell, or SAMPLE_CELLS of a big matrix spread over it, with its extremes."""
    rows, cols = spec.shape
    if rows * cols <= SAMPLE_CELLS:
        return [(i, j) for i in range(rows) for j in range(cols)]
    step = rows * cols / SAMPLE_CELLS
    cells = [divmod(int(k * step), cols) for k in range(SAMPLE_CELLS)]
    if np.isfinite(spec.z).any():  # the extremes, whose numbers are often the longest
        for at in (np.nanargmin(spec.z), np.nanargmax(spec.z)):
            cells.append(divmod(int(at), cols))
    return cells


def _cell_text(spec: Spec, template: str) -> Any:
    """cell_text(i, j): about the text plotly.js draws in a cell ("" in a gap)."""
    layers = list(spec.layers.values())

    def cell_text(i: int, j: int) -> str:
        z = float(spec.z[i, j])
        if math.isnan(z):
            return ""

        def field(m: re.Match) -> str:
            name, fmt = m.group(1), m.group(2)
            if name == "z":
                return _number(z, fmt)
            if name == "text" and spec.text is not None:
                return str(spec.text[i][j])
            if name == "x":
                return spec.x[j] if spec.x is not None else str(j)
            if name == "y":
                return spec.y[i] if spec.y is not None else str(i)
            found = re.fullmatch(r"customdata\[(\d+)\]", name)
            if found and int(found.group(1)) < len(layers):
                value = layers[int(found.group(1))][i][j]
                return _number(value, fmt) if isinstance(value, (int, float)) else str(value)
            return m.group(0)
        return FIELD.sub(field, template)
    return cell_text


def _number(value: float, fmt: str | None) -> str:
    """About as long as d3-format's text of ``value``."""
    if fmt:
        try:
            return format(value, fmt.replace("~", "").replace("s", "g"))
        except (TypeError, ValueError):
            pass
    return f"{value:.6g}"
