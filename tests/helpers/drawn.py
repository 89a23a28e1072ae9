"""What a heatmap figure draws, cell by cell, independent of how its JSON is written.

Two figures that draw the same chart can differ in JSON: px.imshow puts the colour
scale on a coloraxis, heatdoc on the trace; the old figure factory wrote one layout
annotation per cell, heatdoc a texttemplate; z may be a list or a base64 typed array.
`drawn(figure)` reduces a figure to what a reader sees: for each cell, top row first,
its x and y label, fill colour, cell text and hover text, plus the few layout facts
that change the picture (axis sides, tick labels, colour bar, square cells, title).
"""
from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Cell:
    x: str
    y: str
    fill: tuple[int, int, int] | None  # None: a gap
    text: str
    hover: str


def as_json(figure: Any) -> dict:
    """A plotly Figure or a figure dict -> the JSON a browser receives."""
    if hasattr(figure, "to_json"):
        return json.loads(figure.to_json())
    from heatdoc.jsonout import dumps

    return json.loads(dumps(figure))


def _array(value: Any) -> np.ndarray:
    if isinstance(value, dict) and "bdata" in value:
        shape = tuple(int(s) for s in str(value["shape"]).split(","))
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).reshape(shape)
    return np.array([[math.nan if v is None else v for v in row] for row in value], dtype=float)


def _rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.strip()
    if colour.startswith("#"):
        h = colour[1:]
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]
    nums = re.findall(r"[-\d.]+", colour)
    return tuple(float(n) for n in nums[:3])  # type: ignore[return-value]


def _colour_at(scale: list, t: float) -> tuple[int, int, int]:
    stops = [(float(s), _rgb(c)) for s, c in scale]
    t = min(max(t, 0.0), 1.0)
    for (s0, c0), (s1, c1) in zip(stops, stops[1:]):
        if s0 <= t <= s1:
            f = 0.0 if s1 == s0 else (t - s0) / (s1 - s0)
            return tuple(round(a + (b - a) * f) for a, b in zip(c0, c1))  # type: ignore[return-value]
    return tuple(round(v) for v in stops[-1][1])  # type: ignore[return-value]


def _number(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _format(value: Any, fmt: str | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if not fmt:
        return _number(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "NaN"
    return format(number, fmt)


def fill_template(template: str, fields: dict[str, Any]) -> str:
    template = re.sub(r"<extra>.*?</extra>", "", template)

    def one(m: re.Match) -> str:
        name, fmt = m.group(1), m.group(2)
        return _format(fields.get(name), fmt)

    return re.sub(r"%\{([^}:]+)(?::([^}]*))?\}", one, template)


def drawn(figure: Any) -> dict[str, Any]:
    fig = as_json(figure)
    trace, layout = fig["data"][0], fig.get("layout", {})
    z = _array(trace["z"])
    rows, cols = z.shape
    xs = [str(v) for v in trace.get("x") or range(cols)]
    ys = [str(v) for v in trace.get("y") or range(rows)]
    coloraxis = layout.get(trace.get("coloraxis", ""), {}) if trace.get("coloraxis") else {}
    scale = trace.get("colorscale") or coloraxis.get("colorscale")
    if trace.get("reversescale") or coloraxis.get("reversescale"):
        scale = [[1 - s, c] for s, c in reversed(scale)]
    finite = z[np.isfinite(z)]
    zmin = trace.get("zmin", coloraxis.get("cmin", float(finite.min())))
    zmax = trace.get("zmax", coloraxis.get("cmax", float(finite.max())))

    text = trace.get("text")
    customdata = trace.get("customdata")
    texttemplate = trace.get("texttemplate")
    annotations = {(str(a["x"]), str(a["y"])): a["text"] for a in layout.get("annotations", [])}
    hovertemplate = trace.get("hovertemplate")
    hoverinfo = trace.get("hoverinfo")

    yaxis, xaxis = layout.get("yaxis", {}), layout.get("xaxis", {})
    top_first = yaxis.get("autorange") == "reversed"
    order = range(rows) if top_first else range(rows - 1, -1, -1)
    grid = []
    for i in order:
        line = []
        for j in range(cols):
            v = float(z[i, j])
            fields: dict[str, Any] = {"x": xs[j], "y": ys[i], "z": None if math.isnan(v) else v}
            if text is not None:
                fields["text"] = text[i][j]
            if customdata is not None:
                for k, item in enumerate(customdata[i][j]):
                    fields[f"customdata[{k}]"] = item
            fill = None if math.isnan(v) else _colour_at(scale, (v - zmin) / (zmax - zmin or 1))
            if texttemplate:
                cell_text = fill_template(texttemplate, fields)
            else:
                cell_text = str(annotations.get((xs[j], ys[i]), ""))
            if hovertemplate:
                hover = fill_template(hovertemplate, fields)
            elif hoverinfo == "text":
                hover = str(text[i][j]) if text is not None else ""
            elif hoverinfo == "z":
                hover = _number(v)
            else:  # plotly's default heatmap hover: x, y and z
                hover = f"x: {xs[j]}<br>y: {ys[i]}<br>z: {_number(v)}"
            line.append(Cell(xs[j], ys[i], fill, cell_text, hover))
        grid.append(line)

    title = layout.get("title", {})
    return {
        "cells": grid,
        "x_side": xaxis.get("side", "bottom"),
        "x_ticklabels": xaxis.get("showticklabels", True) and xaxis.get("visible", True),
        "y_ticklabels": yaxis.get("showticklabels", True) and yaxis.get("visible", True),
        "colorbar": trace.get("showscale", coloraxis.get("showscale", True)),
        "square_cells": "scaleanchor" in xaxis or "scaleanchor" in yaxis,
        "title": title.get("text") if isinstance(title, dict) else title,
    }
