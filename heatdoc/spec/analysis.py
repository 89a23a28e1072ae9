"""The analysis keys, applied to a valid spec's matrices: `normalize`, `order` (with
SciPy's hierarchical clustering) and `mask`, on every panel of a facet or frame of an
animation alike; and `zmid` between `zmin` and `zmax`, by moving the colour stops.

They run in this order, as seaborn's clustermap does: the values are normalised, the
rows and columns ordered (clusters are found in the normalised values), then masked
(an explicit mask follows its cells; a triangle is one of the matrix as drawn).
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from heatdoc.errors import HeatdocError, did_you_mean
from heatdoc.spec.colours import colour_at, resolve_scale
from heatdoc.spec.model import Panel, Spec

# what the default hover calls the coloured value, and its d3 format
NORMALIZED_AS = {"rows": ("z-score", ".3f"), "columns": ("z-score", ".3f"),
                 "rows_fraction": ("share", ".1%"), "columns_fraction": ("share", ".1%"),
                 "rows_minmax": ("scaled", ".3f"), "columns_minmax": ("scaled", ".3f")}


def analyse(spec: Spec) -> Spec:
    """``spec`` with its analysis keys applied (in place); HeatdocError at the key
    whose data cannot be analysed (a gap where clustering needs a value)."""
    opts = spec.options
    panels = spec.panels or [Panel("", spec.z, spec.text, spec.layers)]
    how = opts.get("normalize")
    if how:
        for panel in panels:
            panel.read, panel.z = panel.z, normalized(panel.z, how)

    order = opts.get("order") if isinstance(opts.get("order"), dict) else {}
    rows, cols = spec.shape
    mask = np.array(opts["mask"], dtype=bool) if isinstance(opts.get("mask"), list) else None
    for axis, count in (("rows", rows), ("columns", cols)):
        index, tree = axis_order(spec, panels, order, axis)
        if index is None:
            continue
        for panel in panels:
            _take(panel, index, axis)
        if mask is not None:
            mask = mask[index] if axis == "rows" else mask[:, index]
        labels = spec.y if axis == "rows" else spec.x
        labels = [str(i) for i in range(count)] if labels is None else labels
        if axis == "rows":
            spec.y = [labels[i] for i in index]
        else:
            spec.x = [labels[i] for i in index]
        if tree is not None and order.get("dendrogram"):
            spec.trees[axis] = tree

    triangle = opts.get("mask")
    if isinstance(triangle, str):
        mask = triangle_mask(triangle, (rows, cols))
    if mask is not None:
        for panel in panels:
            _hide(panel, mask)

    first = panels[0]
    spec.z, spec.text, spec.layers, spec.read = first.z, first.text, first.layers, first.read
    return spec


def normalized(z: np.ndarray, how: str) -> np.ndarray:
    """seaborn's ClusterGrid.z_score and standard_scale (axis 0 is rows), and the share of
    the row or column total; gaps are left out of the statistics, as pandas leaves them."""
    data = z if how.startswith("columns") else z.T
    # a row of gaps only (or of one value, for a z-score) stays gaps, without a warning
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if how.endswith("_fraction"):
            out = data / np.nansum(data, axis=0)
        elif how.endswith("_minmax"):
            low = np.nanmin(data, axis=0) if data.size else 0
            out = (data - low) / (np.nanmax(data, axis=0) - low)
        else:  # pandas' std: ddof=1
            out = (data - np.nanmean(data, axis=0)) / np.nanstd(data, axis=0, ddof=1)
    return np.ascontiguousarray(out if how.startswith("columns") else out.T)


def axis_order(spec: Spec, panels: list[Panel], order: dict, axis: str
               ) -> tuple[np.ndarray | None, tuple[list, list] | None]:
    """(the new order of ``axis``'s indices, or None to keep it; the clustering tree)."""
    how = order.get(axis, "data")
    if how == "data":
        return None, None
    doc = spec.doc
    rows_axis = axis == "rows"
    labels = spec.y if rows_axis else spec.x
    count = spec.shape[0 if rows_axis else 1]
    labels = [str(i) for i in range(count)] if labels is None else labels
    if isinstance(how, list):
        wanted = ["" if label is None else str(label) for label in how]
        where = {label: i for i, label in enumerate(labels)}
        errors = []
        for i, label in enumerate(wanted):
            if label not in where:
                errors.append(doc.error(("order", axis, i), f"{label!r} is not a {axis[:-1]} label"
                                                            f"{did_you_mean(label, labels)}"))
            elif wanted.index(label) != i:
                errors.append(doc.error(("order", axis, i), f"{label!r} is listed twice"))
        missing = [label for label in labels if label not in set(wanted)]
        if missing and not errors:
            errors.append(doc.error(("order", axis), f"lists {len(wanted)} of the {count} {axis}; missing: "
                                                     f"{', '.join(map(repr, missing[:10]))}"))
        if errors:
            raise HeatdocError(errors)
        return np.array([where[label] for label in wanted], dtype=np.intp), None
    if how == "label":
        return np.array(sorted(range(count), key=lambda i: labels[i]), dtype=np.intp), None
    # every panel's values of a row (or column) side by side: one order for them all;
    # `value` orders by the values as read (a z-scored row's mean is 0), `cluster` by the
    # normalised ones, as seaborn's clustermap clusters them
    zs = [p.read if how != "cluster" and p.read is not None else p.z for p in panels]
    stacked = np.hstack(zs) if rows_axis else np.vstack(zs).T
    if how in ("value", "value desc"):
        with np.errstate(invalid="ignore"):
            means = np.array([np.nanmean(v) if not np.isnan(v).all() else np.nan for v in stacked])
        key = -means if how == "value desc" else means
        # a row of gaps only has no mean: it goes last
        return np.lexsort((np.arange(count), np.nan_to_num(key, nan=0.0), np.isnan(key))), None
    return cluster_order(spec, stacked, order, axis, labels)


def cluster_order(spec: Spec, observations: np.ndarray, order: dict, axis: str, labels: list[str]
                  ) -> tuple[np.ndarray, tuple[list, list] | None]:
    """SciPy's average (or ``method``) linkage of the rows of ``observations`` with the
    optimal leaf ordering, its leaves in order, and the tree's drawing coordinates."""
    from scipy.cluster import hierarchy
    from scipy.spatial.distance import pdist

    doc = spec.doc
    method, metric = order.get("method", "average"), order.get("metric", "euclidean")
    if method == "ward" and metric != "euclidean":
        raise HeatdocError([doc.error(("order", "metric"), f"method ward needs metric euclidean, not {metric!r}")])
    gaps = np.argwhere(np.isnan(observations))
    if len(gaps):
        i, j = gaps[0]
        other = (spec.x if axis == "rows" else spec.y) or []
        at = other[j % len(other)] if other else str(j % max(1, observations.shape[1]))
        raise HeatdocError([doc.error(("order", axis), f"clustering needs a value in every cell; the "
                                                       f"{axis[:-1]} {labels[i]!r} has a gap at {at!r} "
                                                       f"({len(gaps)} gaps in all). Fill them, or order by "
                                                       "value, label or a list")])
    if len(observations) < 2:
        return np.arange(len(observations), dtype=np.intp), None
    distances = pdist(observations, metric=metric)
    if not np.isfinite(distances).all():
        raise HeatdocError([doc.error(("order", "metric"), f"the {metric} distance is undefined between "
                                                           f"some {axis} (a constant {axis[:-1]}?); "
                                                           "try euclidean")])
    link = hierarchy.optimal_leaf_ordering(hierarchy.linkage(distances, method=method), distances)
    tree = hierarchy.dendrogram(link, no_plot=True)
    return hierarchy.leaves_list(link).astype(np.intp), (tree["icoord"], tree["dcoord"])


def mask_errors(doc: Any, value: Any, shape: tuple[int, int]) -> list:
    """A mask matrix must have z's shape."""
    if not isinstance(value, list):
        return []
    widths = {len(row) for row in value}
    if len(value) != shape[0] or widths != {shape[1]}:
        width = widths.pop() if len(widths) == 1 else "uneven"
        return [doc.error(("mask",), f"has {len(value)} x {width} cells; z has {shape[0]} x {shape[1]}")]
    return []


def triangle_mask(how: str, shape: tuple[int, int]) -> np.ndarray:
    """True for the cells hidden by ``upper``/``lower`` (the diagonal drawn) or
    ``upper_diagonal``/``lower_diagonal`` (hidden too), in the matrix as drawn (row 0 first)."""
    rows, cols = np.indices(shape)
    diagonal = how.endswith("_diagonal")
    if how.startswith("upper"):
        return cols >= rows if diagonal else cols > rows
    return cols <= rows if diagonal else cols < rows


def _take(panel: Panel, index: np.ndarray, axis: str) -> None:
    rows = axis == "rows"

    def grid(cells: list[list[Any]]) -> list[list[Any]]:
        return [cells[i] for i in index] if rows else [[row[j] for j in index] for row in cells]

    def array(z: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(z[index] if rows else z[:, index])

    panel.z = array(panel.z)
    panel.read = None if panel.read is None else array(panel.read)
    panel.text = None if panel.text is None else grid(panel.text)
    panel.layers = {name: grid(cells) for name, cells in panel.layers.items()}


def _hide(panel: Panel, mask: np.ndarray) -> None:
    """A masked cell is a gap: no fill, no text; no hover, since the figure has hoverongaps off."""
    panel.z = np.where(mask, np.nan, panel.z)
    if panel.read is not None:
        panel.read = np.where(mask, np.nan, panel.read)
    hidden = mask.tolist()

    def blank(cells: list[list[Any]]) -> list[list[Any]]:
        return [["" if gap else cell for cell, gap in zip(row, gaps)] for row, gaps in zip(cells, hidden)]

    panel.text = None if panel.text is None else blank(panel.text)
    panel.layers = {name: blank(cells) for name, cells in panel.layers.items()}


def centred_scale(scale: Any, reverse: bool, zmin: float, zmid: float, zmax: float) -> list[list[Any]]:
    """The colour scale with its stops moved so that ``zmid`` gets the scale's middle colour
    while ``zmin`` and ``zmax`` keep its ends: the lower half of the scale is squeezed (or
    stretched) over zmin..zmid and the upper half over zmid..zmax. ``reverse`` is applied
    here, since plotly.js would reverse the moved stops."""
    stops = resolve_scale(scale)
    if reverse:
        stops = [[1.0 - stop, colour] for stop, colour in reversed(stops)]
    if not any(stop == 0.5 for stop, _ in stops):
        r, g, b, a = colour_at(stops, 0.5)
        middle = f"rgba({r:.10g}, {g:.10g}, {b:.10g}, {a:.10g})"  # the exact colour: CSS takes fractions
        stops = sorted(stops + [[0.5, middle]], key=lambda s: s[0])
    at = (zmid - zmin) / (zmax - zmin)
    out = []
    for stop, colour in stops:
        moved = stop * 2 * at if stop <= 0.5 else at + (stop - 0.5) * 2 * (1 - at)
        out.append([round(moved, 12), colour])
    return out


def panel_range(spec: Spec) -> tuple[float, float] | None:
    """The one zmin/zmax of all panels (None when every cell is a gap)."""
    zs = [p.z for p in spec.panels] or [spec.z]
    finite = [v for z in zs for v in (np.nanmin(z), np.nanmax(z)) if z.size and not np.isnan(z).all()]
    if not finite:
        return None
    low, high = float(min(finite)), float(max(finite))
    return (low, high) if low < high else None  # one value everywhere: plotly.js's own rule
