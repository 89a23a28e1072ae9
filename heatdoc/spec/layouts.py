"""Figures of more than one heatmap: facet panels, animation frames, and the clustering
trees drawn beside a heatmap. `compile.compile_figure` builds the one heatmap trace and
its layout; `arrange` turns that figure into the panels, frames or trees the spec asks
for, with the layout `px.imshow(facet_col=, facet_col_wrap=, animation_frame=)` writes.
"""
from __future__ import annotations

import math
from typing import Any

from heatdoc.spec.analysis import panel_range
from heatdoc.spec.compile import cells
from heatdoc.spec.model import Spec

# px.imshow's spacing between facet panels, as a share of the plot area
COLUMN_SPACING = 0.02
ROW_SPACING = 0.07
# the share of the plot area a dendrogram takes
TREE_SIZE = 0.15
TREE_LINE = {"color": "#444", "width": 1}


def arrange(spec: Spec, figure: dict[str, Any], *, lazy: bool = False) -> None:
    """Rewrite ``figure`` (compiled from ``spec``) in place into panels, frames or trees."""
    opts = spec.options
    if spec.trees:
        dendrograms(spec, figure)
    elif spec.panels and "facet" in opts:
        facets(spec, figure, lazy=lazy)
    elif spec.panels:
        frames(spec, figure, lazy=lazy)


def _shared_range(spec: Spec, trace: dict[str, Any]) -> None:
    """One zmin/zmax over every panel or frame, unless the spec set them."""
    whole = panel_range(spec)
    if whole is not None and "zmid" not in trace:
        trace.setdefault("zmin", whole[0])
        trace.setdefault("zmax", whole[1])


def facets(spec: Spec, figure: dict[str, Any], *, lazy: bool = False) -> None:
    """One heatmap a panel, in a grid of ``facet_wrap`` columns, titled ``column=value``."""
    opts = spec.options
    base, layout = figure["data"][0], figure["layout"]
    independent = opts.get("facet_scale") == "independent"
    if independent:
        base["showscale"] = False  # one colour bar cannot read panels coloured apart
    else:
        _shared_range(spec, base)
    count = len(spec.panels)
    columns = min(count, opts.get("facet_wrap") or count)
    rows = math.ceil(count / columns)
    width = (1 - COLUMN_SPACING * (columns - 1)) / columns
    height = (1 - ROW_SPACING * (rows - 1)) / rows
    x_base, y_base = layout.pop("xaxis"), layout.pop("yaxis")
    traces, titles = [], []
    for i, panel in enumerate(spec.panels):
        row, column = divmod(i, columns)
        x0 = column * (width + COLUMN_SPACING)
        y1 = 1 - row * (height + ROW_SPACING)
        k = "" if i == 0 else str(i + 1)
        xaxis = dict(x_base) if i == 0 else _matching(x_base, "x")
        yaxis = dict(y_base) if i == 0 else _matching(y_base, "y")
        xaxis.update(anchor=f"y{k}", domain=[x0, x0 + width])
        yaxis.update(anchor=f"x{k}", domain=[y1 - height, y1])
        if "scaleanchor" in xaxis:
            xaxis["scaleanchor"] = f"y{k}"
        if column > 0:
            yaxis.setdefault("showticklabels", False)
        if i + columns < count:  # a panel below shows the x labels of this column
            xaxis.setdefault("showticklabels", False)
        layout[f"xaxis{k}"], layout[f"yaxis{k}"] = xaxis, yaxis
        trace = dict(base, name=panel.label, xaxis=f"x{k}", yaxis=f"y{k}")
        trace.update(cells(panel.z, panel.text, panel.layers, panel.read, lazy=lazy))
        if i > 0 and not independent:
            trace["showscale"] = False
        traces.append(trace)
        titles.append({"text": f"{opts['facet']}={panel.label}", "x": x0 + width / 2, "y": y1,
                       "xref": "paper", "yref": "paper", "xanchor": "center", "yanchor": "bottom",
                       "showarrow": False, "font": {}})
    layout["annotations"] = list(layout.get("annotations", [])) + titles
    figure["data"] = traces


def _matching(axis: dict[str, Any], letter: str) -> dict[str, Any]:
    """A panel's axis after the first: it follows the first's range (px.imshow's ``matches``)."""
    keep = {k: v for k, v in axis.items() if k not in ("scaleanchor", "constrain", "autorange", "range")}
    return dict(keep, matches=letter)


def frames(spec: Spec, figure: dict[str, Any], *, lazy: bool = False) -> None:
    """One frame a value of the animation column, with px.imshow's slider and play button."""
    column = spec.options["animation"]
    base, layout = figure["data"][0], figure["layout"]
    _shared_range(spec, base)
    figure["frames"] = [{"name": panel.label,
                         "data": [{"type": "heatmap",
                                   **cells(panel.z, panel.text, panel.layers, panel.read, lazy=lazy)}]}
                        for panel in spec.panels]

    def animate(names: list[str | None] | None, duration: int) -> list[Any]:
        return [names, {"frame": {"duration": duration, "redraw": True}, "mode": "immediate",
                        "fromcurrent": True, "transition": {"duration": duration, "easing": "linear"}}]

    layout["updatemenus"] = [{
        "type": "buttons", "direction": "left", "showactive": False, "pad": {"r": 10, "t": 70},
        "x": 0.1, "xanchor": "right", "y": 0, "yanchor": "top",
        "buttons": [{"label": "&#9654;", "method": "animate", "args": animate(None, 500)},
                    {"label": "&#9724;", "method": "animate", "args": animate([None], 0)}],
    }]
    layout["sliders"] = [{
        "active": 0, "currentvalue": {"prefix": f"{column}="}, "len": 0.9, "pad": {"b": 10, "t": 60},
        "x": 0.1, "xanchor": "left", "y": 0, "yanchor": "top",
        "steps": [{"label": panel.label, "method": "animate", "args": animate([panel.label], 0)}
                  for panel in spec.panels],
    }]


def dendrograms(spec: Spec, figure: dict[str, Any]) -> None:
    """The clustering trees as line traces on axes of their own: the columns' tree above
    the heatmap, the rows' at its right (before the colour bar). SciPy draws leaf i at
    10 i + 5; the heatmap has cell i at i, so the trees are scaled to the cells."""
    layout = figure["layout"]
    xaxis, yaxis = layout["xaxis"], layout["yaxis"]
    for axis in (xaxis, yaxis):  # the trees line up with the cells only if these fill their domain
        for key in ("scaleanchor", "constrain"):
            axis.pop(key, None)
    rows, cols = spec.shape
    upper = yaxis.get("autorange") == "reversed"
    if "columns" in spec.trees:
        yaxis["domain"] = [0, 1 - TREE_SIZE]
        along, height = _tree_lines(*spec.trees["columns"])
        figure["data"].append(_tree_trace(along, height, "x2", "y2"))
        layout["xaxis2"] = _bare(anchor="y2", range=[-0.5, cols - 0.5])
        layout["yaxis2"] = _bare(anchor="x2", domain=[1 - TREE_SIZE + 0.01, 1],
                                 range=[0, _top(spec.trees["columns"])])
    if "rows" in spec.trees:
        xaxis["domain"] = [0, 1 - TREE_SIZE]
        along, height = _tree_lines(*spec.trees["rows"])
        figure["data"].append(_tree_trace(height, along, "x3", "y3"))
        layout["xaxis3"] = _bare(anchor="y3", domain=[1 - TREE_SIZE + 0.01, 1],
                                 range=[0, _top(spec.trees["rows"])])
        layout["yaxis3"] = _bare(anchor="x3", range=[rows - 0.5, -0.5] if upper else [-0.5, rows - 0.5])
    if "columns" in spec.trees and "rows" in spec.trees:
        layout["xaxis2"]["domain"] = xaxis["domain"]
        layout["yaxis3"]["domain"] = yaxis["domain"]
    elif "columns" in spec.trees:
        layout["xaxis2"]["domain"] = xaxis.get("domain", [0, 1])
    else:
        layout["yaxis3"]["domain"] = yaxis.get("domain", [0, 1])


def _tree_lines(icoord: list, dcoord: list) -> tuple[list, list]:
    """SciPy's links (4 points each) as one polyline, None between links; leaf positions
    turned into cell positions."""
    along: list[float | None] = []
    height: list[float | None] = []
    for xs, ys in zip(icoord, dcoord):
        along += [(x - 5) / 10 for x in xs] + [None]
        height += list(ys) + [None]
    return along, height


def _top(tree: tuple[list, list]) -> float:
    return max(max(ys) for ys in tree[1]) * 1.05 or 1.0


def _tree_trace(x: list, y: list, xref: str, yref: str) -> dict[str, Any]:
    return {"type": "scatter", "mode": "lines", "x": x, "y": y, "xaxis": xref, "yaxis": yref,
            "line": TREE_LINE, "hoverinfo": "skip", "showlegend": False, "name": "dendrogram"}


def _bare(**axis: Any) -> dict[str, Any]:
    return {"visible": False, "fixedrange": True, **axis}
