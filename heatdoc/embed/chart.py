"""One chart for a page of another tool: a fenced ``heatmap`` block of a Markdown page (a
heatdoc report, MkDocs) or a Sphinx directive becomes the markup of one chart.

The chart is what `heatdoc build` draws for that spec: the same load → check_spec →
compile_figure, the same thumbnail and data table. The markup needs only two scripts on
the page (`heatdoc.embed.assets`): plotly.js and heatdoc-embed.js, which draws every
``figure.heatdoc-embed``.

A block's body is a path to a spec file, relative to the page (as an image link is), or a
spec written inline, whose data paths resolve from the page's folder and whose errors name
the page's own lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import jinja2
from markupsafe import Markup

from heatdoc.errors import HeatdocError, SpecError, display_path
from heatdoc.spec.load import Document

INFO = "heatmap"  # the info string of a fenced block that holds a chart
MAX_CELLS = 5_000_000  # heatdoc.yaml's max_cells by default (a host may set its own)


class BlockError(ValueError):
    """A block's body is neither a path nor a spec (an empty block)."""


@dataclass
class EmbeddedChart:
    title: str
    html: str  # the chart's markup: figure.heatdoc-embed, drawn by heatdoc-embed.js
    svg: str  # the thumbnail: what a builder without HTML (LaTeX) shows
    inputs: list[Path] = field(default_factory=list)  # every file read: the spec file, data files


def parse_block(body: str) -> tuple[str, str]:
    """("path", "rel/path.yaml") when the body is one line that names a YAML file, else
    ("inline", body): a spec written in the block. An empty body is a BlockError."""
    text = body.strip()
    if not text:
        raise BlockError("the heatmap block is empty: give a path to a spec file or a spec")
    if "\n" not in text and ":" not in text.replace("\\", "/").split("/")[-1] \
            and text.lower().endswith((".yaml", ".yml")):
        return "path", text
    return "inline", body


def embed_spec_file(path: Path, *, root: Path, link: str | None = None,
                    max_cells: int = MAX_CELLS) -> EmbeddedChart:
    """The chart of the spec file ``path``; data paths may not leave ``root``. ``link``: the
    URL of the chart's own page, if it has one (the caption links to it). Raises
    HeatdocError with the spec's ``PATH:LINE:COL`` lines."""
    from heatdoc.spec.load import load_yaml

    doc = load_yaml(path)
    return _embed(doc, root, [Path(path).resolve()], link, max_cells)


def embed_inline(text: str, *, source: Path, first_line: int, root: Path, link: str | None = None,
                 max_cells: int = MAX_CELLS) -> EmbeddedChart:
    """The chart of a spec written in the file ``source`` from line ``first_line`` on: its
    errors name that file and its lines, its data paths resolve from that file's folder."""
    from heatdoc.spec.load import load_text

    if not text.strip():
        raise HeatdocError([SpecError(display_path(source), first_line, 1, "", "the heatmap block is empty")])
    doc = load_text(text, source, first_line=first_line)
    return _embed(doc, root, [], link, max_cells)


def embed_block(body: str, *, source: Path, first_line: int, root: Path,
                link_of: Callable[[Path], str | None] | None = None, max_cells: int = MAX_CELLS) -> EmbeddedChart:
    """The chart of a fenced block's ``body`` (of the file ``source``, its first line at
    ``first_line``): a path relative to ``source`` or an inline spec. ``link_of(spec_path)``
    gives the URL of a spec file's own page, or None. Every error names ``source``'s lines."""
    try:
        kind, value = parse_block(body)
    except BlockError as exc:
        raise HeatdocError([SpecError(display_path(source), max(first_line - 1, 1), 1, "", str(exc))]) from None
    if kind == "inline":
        return embed_inline(value, source=source, first_line=first_line, root=root, max_cells=max_cells)
    path = spec_path(value, source=source, line=first_line, root=root)
    return embed_spec_file(path, root=root, link=link_of(path) if link_of else None, max_cells=max_cells)


def spec_path(value: str, *, source: Path, line: int, root: Path) -> Path:
    """A block's path to a spec file, relative to ``source`` (or to ``root`` with a leading
    ``/``), checked as a data path is: it may not leave ``root``, and it must exist."""
    from heatdoc.sources.dispatch import safe_path

    relative = value.lstrip("/")
    # the page stands in for the spec (paths resolve from its folder); a refusal is
    # reported at the block's line
    page = Document(Path(root) / "_" if value.startswith("/") else Path(source), None, "")
    try:
        return safe_path(page, (), relative, root)
    except HeatdocError as exc:
        raise HeatdocError([SpecError(display_path(source), line, 1, "", e.message) for e in exc.errors]) from None


def error_html(error: HeatdocError, page: str) -> str:
    """The box a page shows instead of a chart whose spec is wrong (a build that is not
    strict): never a silent blank."""
    return _template("embed_error.html").render(page=page, errors=[str(e) for e in error.errors])


def _embed(doc: Document, root: Path, inputs: list[Path], link: str | None, max_cells: int) -> EmbeddedChart:
    from heatdoc.jsonout import script_json
    from heatdoc.site.charts import data_files
    from heatdoc.site.render.datatable import data_table
    from heatdoc.site.render.thumbnails import thumbnail_svg
    from heatdoc.sources.dispatch import ReadContext
    from heatdoc.spec.compile import compile_figure
    from heatdoc.spec.validate import check_spec

    spec = check_spec(doc, ReadContext(Path(root), max_cells))
    figure = compile_figure(spec, template=False)
    rows, columns = spec.shape
    table = data_table(spec)
    svg = thumbnail_svg(spec.z, figure["data"][0], figure["layout"])
    where = "; the values are in the data table below" if table else ""
    alt = f"Heatmap “{spec.title}”, {rows} × {columns} cells{where}."
    html = _template("embed.html").render(
        title=spec.title, rows=rows, columns=columns, table=table, link=link,
        svg=Markup(_labelled(svg, alt)), figure_json=Markup(script_json(figure)))
    data = [(Path(root) / name).resolve() for name in data_files(doc.path, doc.data, Path(root))]
    return EmbeddedChart(spec.title, html, svg, inputs + data)


def _labelled(svg: str, alt: str) -> str:
    """The thumbnail as an image with a name, for the page that shows it inline."""
    from markupsafe import escape

    return re.sub(r"\A<svg ", f'<svg role="img" aria-label="{escape(alt)}" class="heatdoc-fallback" ', svg)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    from heatdoc.site.render.assets import THEME_DIR

    # the default theme's templates only: an embedded chart looks the same in every host
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(THEME_DIR)), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)


def _template(name: str) -> jinja2.Template:
    return _environment().get_template(name)
