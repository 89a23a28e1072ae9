"""Compile (after validate): a valid `Spec` becomes a Plotly figure as a plain dict.

This is the hot path of a build, so it builds the dict px.imshow would have built,
directly, without plotly.graph_objects: Plotly's validators cost ≈7 ms a figure and
ran once already, in validate, on what the user wrote. The tests check that every
compiled figure still passes `plotly.graph_objects.Figure(...)`.
"""
from __future__ import annotations

import base64
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from heatdoc.jsonout import SAFE_INT
from heatdoc.spec import analysis
from heatdoc.spec.colours import resolve_scale
from heatdoc.spec.contrast import cell_text_rule
from heatdoc.spec.model import Spec

# Above this many cells z travels as a base64 typed array (plotly.js ≥ 2.28),
# smaller matrices stay readable lists in `heatdoc figure` output.
TYPED_ARRAY_CELLS = 1_000
# %{customdata.NAME}, %{customdata.NAME:format} and %{customdata.NAME|date format}: NAME is
# everything up to the field's end or its format, so validate checks the very name this
# module rewrites (`mass-kg` names no layer; it is not the layer `mass` followed by -kg).
LAYER_REF = re.compile(r"%\{customdata\.([^}:|]*)")
# spec keys copied onto the heatmap trace as they are
TRACE_KEYS = ("zmin", "zmax", "zmid", "showscale", "reversescale", "colorbar", "xgap", "ygap", "textfont")


def compile_figure(spec: Spec, *, template: bool = True, lazy: bool = False) -> dict[str, Any]:
    """The figure dict of ``spec``: one heatmap trace with a texttemplate, and a layout.
    ``lazy``: a big z's base64 is a `Base64`, made as it is written (for the build)."""
    opts = spec.options
    layer_names = list(spec.layers)
    trace: dict[str, Any] = {"type": "heatmap"}
    trace.update(cells(spec.z, spec.text, spec.layers, spec.read, lazy=lazy))
    if spec.x is not None:
        trace["x"] = spec.x
    if spec.y is not None:
        trace["y"] = spec.y

    texttemplate = cell_template(spec)
    if texttemplate:
        trace["texttemplate"] = _named_layers(texttemplate, layer_names)
    hover = opts.get("hovertemplate") or default_hover(spec)
    trace["hovertemplate"] = _named_layers(hover, layer_names)

    trace["colorscale"] = resolve_scale(opts.get("colorscale"))
    for key in TRACE_KEYS:
        if key in opts:
            trace[key] = opts[key]
    if all(key in opts for key in ("zmin", "zmid", "zmax")):
        # plotly.js ignores zmid when zmin and zmax are both set (plotly.py #3626)
        trace["colorscale"] = analysis.centred_scale(opts.get("colorscale"), opts.get("reversescale", False),
                                                     opts["zmin"], opts["zmid"], opts["zmax"])
        trace.pop("zmid")
        trace.pop("reversescale", None)
    if any(np.isnan(z).any() for z in [p.z for p in spec.panels] or [spec.z]):
        trace["hoverongaps"] = False  # a gap shows nothing, on hover too
    deep_merge(trace, opts.get("trace", {}))  # `trace: {colorbar: {...}}` adds to `colorbar:`

    equal = opts.get("aspect", "equal") == "equal"
    xaxis: dict[str, Any] = {"constrain": "domain"} if equal else {}
    yaxis: dict[str, Any] = {"constrain": "domain"} if equal else {}
    if equal:
        xaxis["scaleanchor"] = "y"
    # origin upper: row 0 at the top, as px.imshow; lower: the old figure factory
    yaxis["autorange"] = "reversed" if opts.get("origin", "upper") == "upper" else True
    # labels are text, even "2019" or "007": never let plotly.js read them as numbers
    if spec.x is not None:
        xaxis["type"] = "category"
    if spec.y is not None:
        yaxis["type"] = "category"
    xaxis.update(opts.get("xaxis", {}))
    yaxis.update(opts.get("yaxis", {}))

    layout: dict[str, Any] = {"xaxis": xaxis, "yaxis": yaxis, "margin": {"t": 60}}
    for key in ("width", "height"):
        if key in opts:
            layout[key] = opts[key]
    deep_merge(layout, opts.get("layout", {}))
    if template and "template" not in layout:
        layout["template"] = plotly_template()
    figure: dict[str, Any] = {"data": [trace], "layout": layout}
    if spec.panels or spec.trees:
        from heatdoc.spec import layouts

        layouts.arrange(spec, figure, lazy=lazy)
    add_page_rules(figure, traces_z(spec))
    return figure


def traces_z(spec: Spec) -> list[np.ndarray]:
    """The z of each heatmap trace of the compiled figure, in order: a facet's panels; an
    animation's frames all at once (they take turns in one trace); else the spec's z."""
    if spec.panels and "facet" in spec.options:
        return [panel.z for panel in spec.panels]
    if spec.panels:
        return [np.concatenate([panel.z.ravel() for panel in spec.panels])]
    return [spec.z]


def add_page_rules(figure: dict[str, Any], zs: list[np.ndarray]) -> None:
    """What heatdoc.js does beyond plotly.js, under the figure's own `heatdoc` key (plotly
    ignores it): the colour of each trace's cell text, one rule a trace (`contrast`).
    ``zs``: the z of the first traces, as matrices."""
    rules = [cell_text_rule(z, trace) for z, trace in zip(zs, figure["data"])]
    if any(rules):
        figure["heatdoc"] = {"cell_text": rules}


def cells(z: np.ndarray, text: list[list[Any]] | None, layers: dict[str, list[list[Any]]],
          read: np.ndarray | None, *, lazy: bool = False) -> dict[str, Any]:
    """The trace's z, text and customdata of one matrix (a panel's, a frame's)."""
    out: dict[str, Any] = {"z": encode_z(z, lazy=lazy)}
    if text is not None:
        out["text"] = _blank_gaps(text, z)
    hover = list(layers.values())
    if read is not None:  # the values as read, for the hover of a normalised matrix
        hover.append([[None if math.isnan(v) else _plain_number(v) for v in row] for row in read.tolist()])
    if hover:
        # Plotly wants customdata[row][col][layer]; layers are named in the spec.
        out["customdata"] = [list(map(list, zip(*rows))) for rows in zip(*hover)]
    return out


def cell_template(spec: Spec) -> str | None:
    """texttemplate wins over text_auto, which wins over text (docs/spec.md, "Text in the cells")."""
    opts = spec.options
    if opts.get("texttemplate"):
        return opts["texttemplate"]
    auto = opts.get("text_auto", False)
    if auto is True:
        return "%{z}"
    if isinstance(auto, str) and auto:
        return "%{z:" + auto + "}"
    if spec.text is not None:
        return "%{text}"
    return None


def default_hover(spec: Spec) -> str:
    """px.imshow's hover, plus the cell text when there is any."""
    hover = "x: %{x}<br>y: %{y}<br>color: %{z}"
    if spec.read is not None:
        name, fmt = analysis.NORMALIZED_AS[spec.options["normalize"]]
        hover = f"x: %{{x}}<br>y: %{{y}}<br>value: %{{customdata[{len(spec.layers)}]}}<br>{name}: %{{z:{fmt}}}"
    if spec.text is not None:
        hover += "<br>%{text}"
    return hover + "<extra></extra>"


def _blank_gaps(text: list[list[str]], z: np.ndarray) -> list[list[str]]:
    """The text matrix with "" in the gaps of z: a gap shows no text (docs/spec.md), but plotly.js
    draws %{text} in a cell whose z is null."""
    gaps = np.isnan(z)
    if not gaps.any():
        return text
    return [["" if gap else cell for cell, gap in zip(row, gap_row)]
            for row, gap_row in zip(text, gaps.tolist())]


def _named_layers(template: str, names: list[str]) -> str:
    index = {name: i for i, name in enumerate(names)}
    return LAYER_REF.sub(lambda m: f"%{{customdata[{index[m.group(1)]}]"
                         if m.group(1) in index else m.group(0), template)


def encode_z(z: np.ndarray, *, lazy: bool = False) -> Any:
    """A list of rows (None for gaps) for small matrices, a base64 typed array for big ones
    (``lazy``: its base64 made only as it is written, `Base64`)."""
    if z.size > TYPED_ARRAY_CELLS:
        data = np.ascontiguousarray(z, dtype="<f8")
        # the array's own buffer: no copy of a matrix that may be 32 MB
        bdata = Base64(data) if lazy else base64.b64encode(memoryview(data).cast("B")).decode("ascii")
        return {"dtype": "f8", "bdata": bdata, "shape": f"{z.shape[0]}, {z.shape[1]}"}
    return [[None if math.isnan(v) else _plain_number(v) for v in row] for row in z.tolist()]


class Base64:
    """The base64 text of an array's bytes, made a piece at a time as it is written
    (`jsonout.script_json_chunks`): for a 2000x2000 matrix the text is 41 MB, and the
    figure JSON around it another 43 MB; neither is ever whole in memory. Anything else
    that writes the figure gets the text whole (`jsonout.dumps_bytes`)."""

    PIECE = 3 << 18  # bytes of the array a piece: 1 MB of text, no padding but at the end

    def __init__(self, data: np.ndarray):
        self.data = memoryview(data).cast("B")

    def text(self) -> str:
        return base64.b64encode(self.data).decode("ascii")

    def pieces(self) -> Iterator[bytes]:
        for start in range(0, len(self.data), self.PIECE):
            yield base64.b64encode(self.data[start:start + self.PIECE])


def _plain_number(v: float) -> float | int:
    # 1.0 -> 1, so the JSON reads as the user wrote it and %{z} shows "1" as plotly.js would
    return int(v) if v.is_integer() and abs(v) < SAFE_INT else v


def deep_merge(into: dict, extra: dict) -> None:
    """Deep-merge ``extra`` into ``into``. A nested dict is copied before it is written
    to: it may be the spec's own option, which the next compile must find unchanged."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            into[key] = dict(into[key])
            deep_merge(into[key], value)
        else:
            into[key] = value


@lru_cache(maxsize=2)
def plotly_template(name: str = "plotly") -> dict[str, Any]:
    """plotly's default template (or another of plotly.io.templates, ``plotly_dark``), read
    from the package's JSON (no plotly import)."""
    import importlib.util
    import json

    spec = importlib.util.find_spec("plotly")
    assert spec is not None and spec.origin is not None
    path = Path(spec.origin).parent / "package_data" / "templates" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))
