"""`heatdoc diff --site OUT`: for each chart that changed, a page with the chart before,
after, and the difference HEAD − BASE; plus an index of all changes.

The pages are the default theme's (`diff.html` and `diff-index.html` extend `main.html`,
so a project's overrides apply), and the folder is written by the same rules as
`heatdoc build`: a dangerous output folder is refused, an existing one replaced only
when heatdoc made it.
"""
from __future__ import annotations

import math
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from markupsafe import Markup

from heatdoc.diff.compare import Chart, Pair, number
from heatdoc.diff.report import chart_lines, summary_line
from heatdoc.diff.revisions import Sides
from heatdoc.errors import visible
from heatdoc.jsonout import script_json
from heatdoc.site.render.pages import Link, Page, SiteContext

INDEX = "index.html"
# Above this many cells the difference heatmap carries no per-cell hover text (the
# page of a 2000×2000 change would otherwise hold four million sentences).
HOVER_TEXT_CELLS = 250_000
# Blue below 0, white at 0, red above (ColorBrewer RdBu, reversed): the diverging scale
DIVERGING = [[0.0, "rgb(33,102,172)"], [0.25, "rgb(103,169,207)"], [0.5, "rgb(247,247,247)"],
             [0.75, "rgb(239,138,98)"], [1.0, "rgb(178,24,43)"]]


@dataclass(frozen=True)
class DiffFigure:
    """One heatmap of a diff page: ``element`` is the id of its figure's JSON."""

    element: str
    heading: str
    figure_json: Markup
    note: str


@dataclass(frozen=True)
class DiffPage(Page):
    status: str
    source: str  # e.g. "specs/a.yaml", or "specs/old.yaml → specs/new.yaml"
    changes: tuple[str, ...]  # what changed, one sentence each
    figures: tuple[DiffFigure, ...]


@dataclass(frozen=True)
class DiffEntry:
    title: str
    source: str
    status: str
    url: str | None  # the chart's diff page; None for an unchanged chart
    summary: str


@dataclass(frozen=True)
class DiffIndexPage(Page):
    summary: str
    entries: tuple[DiffEntry, ...]


def write_diff_site(out: Path, sides: Sides, pairs: list[Pair], data: dict[str, Any]) -> Path:
    """Write the diff site to ``out`` (UsageError for a folder heatdoc must not touch)."""
    from heatdoc.site.project import open_project
    from heatdoc.site.render.assets import TEMPLATE_JS, plotly_js, template_js, theme_assets
    from heatdoc.site.render.pages import _render, environment
    from heatdoc.site.write import check_output, write_site

    project = open_project(sides.project)
    site_dir = check_output(out, project)
    env = environment(project.templates_dir)
    js = plotly_js(project.settings.get("plotlyjs", "bundled"))
    summary = summary_line(data)
    site = SiteContext(f"Chart changes: {data['base']['name']} → {data['head']['name']}", Markup(""), "", (),
                       len(pairs), js)
    home = (Link("Changes", INDEX),)
    files: dict[str, Any] = {}
    entries = []
    for pair, chart in zip(pairs, data["charts"]):
        path = None
        if pair.changed:
            path = posixpath.splitext(pair.path)[0] + ".html"
            title = visible((pair.head or pair.base).spec.title)  # type: ignore[union-attr]
            page = DiffPage("diff", path, title, "../" * path.count("/"), None, home, pair.status,
                            _source(chart), tuple(chart_lines(chart, visible)), _figures(pair, data))
            files[path] = _render(env, "diff.html", site=site, page=page)
        lines = chart_lines(chart, visible) if pair.changed else ["unchanged"]
        entries.append(DiffEntry((pair.head or pair.base).spec.title, _source(chart),  # type: ignore[union-attr]
                                 pair.status, path, lines[0]))
    index = DiffIndexPage("diff-index", INDEX, site.title, "", None, (), summary, tuple(entries))
    files[INDEX] = _render(env, "diff-index.html", site=site, page=index)
    if js.file is not None:
        files[js.url] = js.file
    files[TEMPLATE_JS] = template_js()
    assets, _ = theme_assets(project.templates_dir)
    files.update(assets)
    write_site(site_dir, files)
    return site_dir


def _source(chart: dict[str, Any]) -> str:
    if chart["status"] == "moved":
        return f"{chart['base_path']} → {chart['head_path']}"
    return chart["path"]


def _figures(pair: Pair, data: dict[str, Any]) -> tuple[DiffFigure, ...]:
    base_name, head_name = data["base"]["name"], data["head"]["name"]
    out = []
    if pair.base is not None:
        out.append(DiffFigure("heatdoc-figure-base", f"Before ({base_name})",
                              Markup(script_json(pair.base.figure)), ""))
    if pair.head is not None:
        out.append(DiffFigure("heatdoc-figure-head", f"After ({head_name})",
                              Markup(script_json(pair.head.figure)), ""))
    if pair.base is not None and pair.head is not None:
        out.append(DiffFigure("heatdoc-figure-difference", f"Difference ({head_name} − {base_name})",
                              Markup(script_json(difference_figure(pair.base, pair.head, base_name, head_name))),
                              "Blue: lower after, red: higher after. A cell on one side only, or a gap on "
                              "either side, is a gap here; hover it to see why."))
    return tuple(out)


def difference_figure(base: Chart, head: Chart, base_name: str = "BASE", head_name: str = "HEAD") -> dict[str, Any]:
    """HEAD − BASE on the union of the labels (the head's order, then labels only the base
    has), on a diverging scale centred at 0; a cell on one side only is a gap."""
    ys = head.y + [label for label in base.y if label not in set(head.y)]
    xs = head.x + [label for label in base.x if label not in set(head.x)]
    before = _on_labels(base, ys, xs)
    after = _on_labels(head, ys, xs)
    with np.errstate(invalid="ignore"):
        delta = after - before
    z = [[None if math.isnan(v) else number(v) for v in row] for row in delta.tolist()]
    trace: dict[str, Any] = {
        "type": "heatmap", "z": z, "x": xs, "y": ys, "zmid": 0, "colorscale": DIVERGING,
        "colorbar": {"title": {"text": f"{head_name} − {base_name}"}}, "hoverongaps": True,
    }
    if delta.size <= HOVER_TEXT_CELLS:
        have_b, have_h = _present(base, ys, xs), _present(head, ys, xs)
        trace["customdata"] = [[_hover(before[i, j], after[i, j], have_b[i, j], have_h[i, j], base_name, head_name)
                                for j in range(len(xs))] for i in range(len(ys))]
        trace["hovertemplate"] = "x: %{x}<br>y: %{y}<br>%{customdata}<extra></extra>"
    else:
        trace["hovertemplate"] = f"x: %{{x}}<br>y: %{{y}}<br>{head_name} − {base_name}: %{{z}}<extra></extra>"
    layout = {"xaxis": {"type": "category"}, "yaxis": {"type": "category", "autorange": "reversed"},
              "margin": {"t": 40}}
    return {"data": [trace], "layout": layout}


def _on_labels(chart: Chart, ys: list[str], xs: list[str]) -> np.ndarray:
    """The chart's z placed on the labels ``ys`` × ``xs``; NaN where it has no cell."""
    out = np.full((len(ys), len(xs)), np.nan)
    row = {label: i for i, label in enumerate(ys)}
    col = {label: j for j, label in enumerate(xs)}
    out[np.ix_([row[y] for y in chart.y], [col[x] for x in chart.x])] = chart.spec.z
    return out


def _present(chart: Chart, ys: list[str], xs: list[str]) -> np.ndarray:
    have = np.zeros((len(ys), len(xs)), dtype=bool)
    row = {label: i for i, label in enumerate(ys)}
    col = {label: j for j, label in enumerate(xs)}
    have[np.ix_([row[y] for y in chart.y], [col[x] for x in chart.x])] = True
    return have


def _hover(before: float, after: float, in_base: bool, in_head: bool, base_name: str, head_name: str) -> str:
    def shown(v: float) -> str:
        return "a gap" if math.isnan(v) else f"{number(v)}"

    if not in_base:
        return f"only in {head_name} ({shown(after)})"
    if not in_head:
        return f"only in {base_name} ({shown(before)})"
    if math.isnan(before) or math.isnan(after):
        return f"{base_name}: {shown(before)}, {head_name}: {shown(after)}"
    return f"{base_name}: {shown(before)} → {head_name}: {shown(after)} ({number(after - before):+})"
