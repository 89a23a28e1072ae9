"""Both sides compiled by the normal pipeline, then compared chart by chart.

Charts are matched by spec path (a spec git saw renamed, or whose text is the same at a
new path, is *moved*); cells are matched by their (y, x) labels, never by position, so
a reordered axis is a reorder and not "every cell changed".
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from heatdoc.diff.revisions import Side, Sides
from heatdoc.errors import HeatdocError, SpecError, UsageError, key_path
from heatdoc.jsonout import SAFE_INT
from heatdoc.spec.model import Spec

DEFAULT_TOP = 10
FLOAT_TOLERANCE = 1e-9  # relative, for cells that are not whole numbers on both sides


@dataclass
class Chart:
    """One compiled spec of one side. ``rel``: the spec's path in the project."""

    rel: str
    text: str
    spec: Spec
    figure: dict[str, Any]
    data_files: dict[str, bytes | None]  # project-relative path -> bytes (None: missing)

    @property
    def x(self) -> list[str]:
        return self.spec.x if self.spec.x is not None else [str(i) for i in range(self.spec.shape[1])]

    @property
    def y(self) -> list[str]:
        return self.spec.y if self.spec.y is not None else [str(i) for i in range(self.spec.shape[0])]


@dataclass
class Pair:
    """A chart matched across the sides (``base`` or ``head`` None when added or removed)
    and what changed in it, in the shape `report` prints and docs/diff.md documents."""

    status: str  # added, removed, moved, changed, unchanged
    base: Chart | None
    head: Chart | None
    changes: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return (self.head or self.base).rel  # type: ignore[union-attr]

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"


def load_side(side: Side, only: list[str] | None) -> tuple[dict[str, Chart], list[SpecError]]:
    """Every spec of ``side`` (those under ``only``, project-relative paths, when given)
    loaded, validated and compiled; the errors of those that are invalid."""
    from heatdoc.site.cache import name_in_project
    from heatdoc.site.charts import data_files
    from heatdoc.site.project import open_project
    from heatdoc.sources.dispatch import ReadContext
    from heatdoc.spec.compile import compile_figure
    from heatdoc.spec.load import load_yaml
    from heatdoc.spec.validate import check_spec

    if not side.exists:
        return {}, []
    try:
        project = open_project(side.root)
    except HeatdocError as exc:
        return {}, side.errors(exc)
    files = project.spec_files() if project.specs_dir.is_dir() else []
    ctx = ReadContext(project.root, project.settings["max_cells"])
    charts: dict[str, Chart] = {}
    errors: list[SpecError] = []
    for path in files:
        rel = name_in_project(path, project.root)
        if only is not None and not any(_under(rel, p) for p in only):
            continue
        try:
            project.check_inside(path)
            doc = load_yaml(path)
            spec = check_spec(doc, ctx)
        except HeatdocError as exc:
            errors.extend(side.errors(exc))
            continue
        reads = {name: _bytes(project.root / name) for name in data_files(path, doc.data, project.root)}
        charts[rel] = Chart(rel, doc.text, spec, compile_figure(spec, template=False), reads)
    return charts, errors


def _under(rel: str, path: str) -> bool:
    """True when the spec ``rel`` is, or is under, ``path`` (both in the project)."""
    return not path or rel == path or rel.startswith(path + "/")


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def project_paths(paths: Iterable[Path], sides: Sides) -> list[str]:
    """PATH arguments as paths in the project: between two folders as written (relative
    to each project), else as typed in the working tree, relative to the project."""
    out = []
    for p in paths:
        if sides.base.kind == "folder":
            out.append(Path(os.path.normpath(p)).as_posix())
            continue
        try:
            out.append(Path(p).resolve().relative_to(sides.project).as_posix())
        except ValueError:
            raise UsageError(f"{p} is not inside the project folder {sides.project}") from None
    return [rel if rel != "." else "" for rel in out]


def compare_sides(sides: Sides, only: list[str] | None, *, tolerance: float | None = None,
                  top: int = DEFAULT_TOP) -> list[Pair]:
    """Every chart of either side, matched and compared; HeatdocError when a spec of
    either side is invalid (paths named by their side)."""
    base, base_errors = load_side(sides.base, only)
    head, head_errors = load_side(sides.head, only)
    if base_errors or head_errors:
        raise HeatdocError(base_errors + head_errors)
    for p in only or []:
        if not any(_under(rel, p) for rel in [*base, *head]):
            raise UsageError(f"{p or '.'}: no spec at this path in {sides.base.name} or {sides.head.name}")

    pairs: list[Pair] = []
    gone = {rel: chart for rel, chart in base.items() if rel not in head}
    by_text: dict[str, str] = {}
    for rel, chart in gone.items():
        by_text.setdefault(chart.text, rel)
    for rel, chart in head.items():
        if rel in base:
            pairs.append(_pair(base[rel], chart, "changed", tolerance, top))
            continue
        old = sides.renames.get(rel)
        if old not in gone:
            old = by_text.get(chart.text)
        if old in gone:
            pairs.append(_pair(gone.pop(old), chart, "moved", tolerance, top))  # type: ignore[arg-type]
            by_text = {text: r for text, r in by_text.items() if r != old}
        else:
            pairs.append(Pair("added", None, chart, _one_side(None, chart)))
    for chart in gone.values():
        pairs.append(Pair("removed", chart, None, _one_side(chart, None)))
    return sorted(pairs, key=lambda p: p.path.split("/"))


def _pair(base: Chart, head: Chart, status: str, tolerance: float | None, top: int) -> Pair:
    changes = compare_charts(base, head, tolerance, top)
    if status == "changed" and not _differs(changes):
        status = "unchanged"
    return Pair(status, base, head, changes)


def _differs(c: dict[str, Any]) -> bool:
    cells, labels = c["cells"], c["labels"]
    return bool(c["spec_keys"] or c["shape"]["base"] != c["shape"]["head"]
                or any(a["added"] or a["removed"] or a["reordered"] for a in labels.values())
                or cells["changed"] or cells["became_gaps"] or cells["stopped_gaps"]
                or c["text"]["changed"] or any(layer["status"] != "same" for layer in c["layers"].values())
                or c["zrange"]["base"] != c["zrange"]["head"])


def compare_charts(base: Chart, head: Chart, tolerance: float | None = None, top: int = DEFAULT_TOP) -> dict[str, Any]:
    """What changed from ``base`` to ``head``: the fields of a chart in docs/diff.md."""
    ys, xs = _common(base.y, head.y), _common(base.x, head.x)
    rows_b, rows_h = _positions(base.y, ys), _positions(head.y, ys)
    cols_b, cols_h = _positions(base.x, xs), _positions(head.x, xs)

    zb, zh = base.spec.z[np.ix_(rows_b, cols_b)], head.spec.z[np.ix_(rows_h, cols_h)]
    gap_b, gap_h = np.isnan(zb), np.isnan(zh)
    both = ~gap_b & ~gap_h
    delta = np.where(both, zh - zb, 0.0)
    changed = both & _beyond(zb, zh, tolerance)
    order = np.argsort(-np.abs(delta[changed]), kind="stable")
    where = np.argwhere(changed)[order]
    top_cells = [_cell(ys[i], xs[j], zb[i, j], zh[i, j]) for i, j in where[:top]]
    gaps_new, gaps_gone = np.argwhere(~gap_b & gap_h), np.argwhere(gap_b & ~gap_h)
    shape_b, shape_h = base.spec.shape, head.spec.shape
    return {
        "spec_keys": spec_keys(base.spec.doc.data, head.spec.doc.data),
        "data_files": _data_files(base, head),
        "shape": {"base": list(shape_b), "head": list(shape_h)},
        "labels": {"x": _axis(base.x, head.x), "y": _axis(base.y, head.y)},
        "cells": {
            "compared": int(zb.size),
            "added": shape_h[0] * shape_h[1] - int(zb.size),
            "removed": shape_b[0] * shape_b[1] - int(zb.size),
            "changed": int(changed.sum()),
            "largest": top_cells[0] if top_cells else None,
            "top": top_cells,
            "became_gaps": len(gaps_new),
            "stopped_gaps": len(gaps_gone),
            "gaps": [{"y": ys[i], "x": xs[j], "became_gap": bool(gap_h[i, j])}
                     for i, j in sorted(map(tuple, [*gaps_new, *gaps_gone]))[:top]],
        },
        "text": _layer(_rows(base.spec.text, rows_b, cols_b), _rows(head.spec.text, rows_h, cols_h), ys, xs, top),
        "layers": {name: _layer(_rows(base.spec.layers.get(name), rows_b, cols_b),
                                _rows(head.spec.layers.get(name), rows_h, cols_h), ys, xs, top)
                   for name in dict.fromkeys([*base.spec.layers, *head.spec.layers])},
        "zrange": {"base": drawn_range(base), "head": drawn_range(head)},
    }


def _one_side(base: Chart | None, head: Chart | None) -> dict[str, Any]:
    """The fields of an added or removed chart: those of `compare_charts`, empty or null."""
    def on(chart: Chart | None, value: Any) -> Any:
        return None if chart is None else value(chart)

    chart = base or head
    assert chart is not None
    return {"spec_keys": [], "data_files": [{"path": name, "changed": None} for name in sorted(chart.data_files)],
            "shape": {"base": on(base, lambda c: list(c.spec.shape)), "head": on(head, lambda c: list(c.spec.shape))},
            "labels": None, "cells": None, "text": None, "layers": {},
            "zrange": {"base": on(base, drawn_range), "head": on(head, drawn_range)}}


def _common(before: list[str], after: list[str]) -> list[str]:
    """The labels on both sides, in the head's order."""
    kept = set(before)
    return [label for label in after if label in kept]


def _positions(labels: list[str], wanted: list[str]) -> list[int]:
    index = {label: i for i, label in enumerate(labels)}
    return [index[label] for label in wanted]


def _beyond(before: np.ndarray, after: np.ndarray, tolerance: float | None) -> np.ndarray:
    """Cells whose value changed: whole numbers on both sides exactly, others beyond a
    relative tolerance (``tolerance``, when given, for every cell)."""
    with np.errstate(invalid="ignore"):
        scale = np.maximum(np.abs(before), np.abs(after))
        if tolerance is not None:
            return np.abs(after - before) > tolerance * scale
        whole = (np.mod(before, 1) == 0) & (np.mod(after, 1) == 0)
        return np.where(whole, before != after, np.abs(after - before) > FLOAT_TOLERANCE * scale)


def _cell(y: str, x: str, before: float, after: float) -> dict[str, Any]:
    return {"y": y, "x": x, "base": number(before), "head": number(after), "change": number(after - before)}


def number(v: Any) -> float | int | None:
    """A cell value for JSON: None for a gap, an int when whole."""
    v = float(v)
    if math.isnan(v):
        return None
    return int(v) if v.is_integer() and abs(v) < SAFE_INT else v


def _axis(before: list[str], after: list[str]) -> dict[str, Any]:
    b, a = set(before), set(after)
    kept_before = [label for label in before if label in a]
    return {"added": [label for label in after if label not in b],
            "removed": [label for label in before if label not in a],
            "reordered": kept_before != _common(before, after)}


def _rows(rows: list[list[Any]] | None, r: list[int], c: list[int]) -> list[list[str]] | None:
    if rows is None:
        return None
    return [["" if rows[i][j] is None else str(rows[i][j]) for j in c] for i in r]


def _layer(before: list[list[str]] | None, after: list[list[str]] | None, ys: list[str], xs: list[str],
           top: int) -> dict[str, Any]:
    """Cell text (or a customdata layer) compared cell by cell on the common labels."""
    if before is None and after is None:
        return {"status": "same", "changed": 0, "top": []}
    if before is None or after is None:
        return {"status": "added" if before is None else "removed", "changed": 0, "top": []}
    found = [{"y": ys[i], "x": xs[j], "base": old, "head": new}
             for i, (row_b, row_h) in enumerate(zip(before, after))
             for j, (old, new) in enumerate(zip(row_b, row_h)) if old != new]
    return {"status": "changed" if found else "same", "changed": len(found), "top": found[:top]}


def drawn_range(chart: Chart) -> list[float | int | None] | None:
    """[zmin, zmax] of the colour scale as plotly.js draws it: the figure's own, else the
    data's, made symmetric around zmid when there is one."""
    trace = chart.figure["data"][0]
    z = chart.spec.z
    finite = z[np.isfinite(z)]
    low = trace.get("zmin", float(finite.min()) if finite.size else None)
    high = trace.get("zmax", float(finite.max()) if finite.size else None)
    mid = trace.get("zmid")
    if mid is not None and low is not None and high is not None and ("zmin" not in trace or "zmax" not in trace):
        reach = max(abs(low - mid), abs(high - mid))
        low = trace.get("zmin", mid - reach)
        high = trace.get("zmax", mid + reach)
    if low is None or high is None:
        return None
    return [number(low), number(high)]


def spec_keys(before: Any, after: Any, keys: tuple = ()) -> list[str]:
    """Key paths whose values differ (``colorscale``, ``z.agg``); a list is one value."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[str] = []
        for key in dict.fromkeys([*before, *after]):
            if key not in before or key not in after:
                out.append(key_path(keys + (key,)))
            else:
                out.extend(spec_keys(before[key], after[key], keys + (key,)))
        return out
    same = before == after and type(before) is type(after)
    if isinstance(before, float) and isinstance(after, float) and math.isnan(before) and math.isnan(after):
        same = True
    return [] if same else [key_path(keys) or "(the whole spec)"]


def _data_files(base: Chart, head: Chart) -> list[dict[str, Any]]:
    """The data files either side reads, and whether their bytes changed."""
    names = sorted({*base.data_files, *head.data_files})
    return [{"path": name, "changed": base.data_files.get(name) != head.data_files.get(name)} for name in names]
