"""Thumbnails: a small SVG of each heatmap, drawn at build time from its matrix.

No browser and no kaleido: the cells are coloured with the spec's own colour scale
and range, as plotly.js colours them, so a card looks like its chart. The same file
is the chart page's picture when JavaScript is off.

Big matrices are averaged down to at most ``MAX_SIDE`` cells a side, and colours are
rounded to ``LEVELS`` values of the scale so that neighbouring cells of one colour
merge into one path segment: a thumbnail stays a few KB whatever the matrix.
"""
from __future__ import annotations

import math
import warnings
from functools import lru_cache
from typing import Any

import numpy as np

from heatdoc.spec.colours import colour_at, hex_colour, resolve_scale

MAX_SIDE = 40
LEVELS = 65  # 64 steps: halves and quarters of the scale land exactly on a step
SIZE = 160  # the longer side of the image's intrinsic size, in CSS pixels


def thumbnail_svg(z: np.ndarray, trace: dict[str, Any], layout: dict[str, Any]) -> str:
    """The SVG of matrix ``z`` drawn with the colour settings of a compiled ``trace``/``layout``."""
    zmin, zmax = colour_range(z, trace)
    scale = _scale(trace.get("colorscale"))
    reverse = bool(trace.get("reversescale"))
    cells = downsample(z, MAX_SIDE)
    rows, cols = cells.shape
    # origin upper (px.imshow) draws row 0 at the top; origin lower at the bottom
    if layout.get("yaxis", {}).get("autorange") != "reversed":
        cells = cells[::-1]
    if layout.get("xaxis", {}).get("autorange") == "reversed":
        cells = cells[:, ::-1]

    with np.errstate(invalid="ignore"):
        t = np.clip((cells - zmin) / (zmax - zmin), 0.0, 1.0)
    if reverse:
        t = 1.0 - t
    levels = np.where(np.isnan(t), -1, np.rint(np.nan_to_num(t) * (LEVELS - 1))).astype(int)

    runs: dict[int, list[str]] = {}
    for i, row in enumerate(levels.tolist()):
        j = 0
        while j < cols:
            level, start = row[j], j
            while j < cols and row[j] == level:
                j += 1
            if level >= 0:
                runs.setdefault(level, []).append(f"M{start} {i}h{j - start}v1h-{j - start}z")

    fills = _fills(tuple((float(stop), str(colour)) for stop, colour in scale))
    paths = [f'<path {fills[level]} d="{"".join(runs[level])}"/>' for level in sorted(runs)]

    equal = "scaleanchor" in layout.get("xaxis", {})
    width, height = _size(cols, rows) if equal else (SIZE, round(SIZE * 3 / 4))
    aspect = "" if equal else ' preserveAspectRatio="none"'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {cols} {rows}" width="{width}" '
            f'height="{height}"{aspect} shape-rendering="crispEdges">{"".join(paths)}</svg>\n')


def colour_range(z: np.ndarray, trace: dict[str, Any]) -> tuple[float, float]:
    """The values at the two ends of the scale, by plotly.js's rules (zmin/zmax/zmid)."""
    lo = hi = math.nan
    if z.size:
        with warnings.catch_warnings():  # all gaps: nan, and a warning
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, hi = float(np.nanmin(z)), float(np.nanmax(z))  # no copy of a big matrix
    if math.isnan(lo):
        lo, hi = 0.0, 1.0
    zmin, zmax, zmid = trace.get("zmin"), trace.get("zmax"), trace.get("zmid")
    if zmid is not None and zmin is None and zmax is None:
        half = max(abs(hi - zmid), abs(lo - zmid))
        lo, hi = zmid - half, zmid + half
    lo = float(zmin) if zmin is not None else lo
    hi = float(zmax) if zmax is not None else hi
    if lo == hi:  # one value everywhere: plotly.js draws it at the middle of the scale
        lo, hi = lo - 0.5, hi + 0.5
    return lo, hi


def downsample(z: np.ndarray, max_side: int) -> np.ndarray:
    """Average blocks of cells (ignoring gaps) so that neither side exceeds ``max_side``.
    A band of block rows at a time: a copy of a 32 MB matrix would double what a big
    chart's build holds."""
    rows, cols = z.shape
    fr, fc = math.ceil(rows / max_side), math.ceil(cols / max_side)
    if fr == 1 and fc == 1:
        return z
    out_cols = math.ceil(cols / fc)
    pad = np.full((fr, out_cols * fc - cols), np.nan)
    out = np.empty((math.ceil(rows / fr), out_cols))
    for i in range(out.shape[0]):
        band = z[i * fr:(i + 1) * fr]
        if pad.shape[1]:
            band = np.concatenate([band, pad[:band.shape[0]]], axis=1)
        blocks = band.reshape(band.shape[0], out_cols, fc)
        present = ~np.isnan(blocks)
        counts = present.sum(axis=(0, 2))
        sums = np.where(present, blocks, 0.0).sum(axis=(0, 2))
        with np.errstate(invalid="ignore", divide="ignore"):
            out[i] = np.where(counts > 0, sums / counts, np.nan)
    return out


@lru_cache(maxsize=64)
def _fills(scale: tuple[tuple[float, str], ...]) -> list[str]:
    """The fill attributes of each of the LEVELS colours of a scale (most specs share a few scales)."""
    out = []
    for level in range(LEVELS):
        rgba = colour_at([list(stop) for stop in scale], level / (LEVELS - 1))
        opacity = f' fill-opacity="{rgba[3]:.3g}"' if rgba[3] < 1 else ""
        out.append(f'fill="{hex_colour(rgba)}"{opacity}')
    return out


def _scale(value: Any) -> list[list[Any]]:
    try:
        return resolve_scale(value)
    except (KeyError, IndexError, TypeError, ValueError):  # a `trace:` override plotly.js reads its own way
        return resolve_scale(None)


def _size(cols: int, rows: int) -> tuple[int, int]:
    longer = max(cols, rows)
    return max(1, round(SIZE * cols / longer)), max(1, round(SIZE * rows / longer))
