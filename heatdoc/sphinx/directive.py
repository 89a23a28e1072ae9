"""Reading: the ``heatmap`` directive (reST and MyST) and MyST's fenced ```heatmap block
become `heatmap` nodes holding the drawn chart; a bad spec becomes a warning at the
document's line and an error box on the page."""
from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from heatdoc.errors import HeatdocError, display_path

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

    from heatdoc.embed import EmbeddedChart

logger = logging.getLogger(__name__)

# env attribute: docname -> number of charts on that page (the pages that need plotly.js)
CHARTS = "heatdoc_charts"


class heatmap(nodes.General, nodes.Element):  # noqa: N801 - docutils names nodes in lower case
    """One chart. Its attributes hold the drawing (``html``, ``svg``, ``title``,
    ``height``, ``spec``); it has no text children, so Sphinx's search never indexes the
    matrix that the data table spells out."""


class HeatmapDirective(SphinxDirective):
    """``.. heatmap:: path/to/spec.yaml`` (as ``.. image::`` takes a path: relative to the
    document, or from the source folder with a leading ``/``), or an inline spec as body."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {
        "height": directives.length_or_unitless,
        "caption": directives.unchanged,
        "name": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        source = Path(self.get_source_info()[0])
        if self.arguments and self.content:
            return [self._usage(f"give either a spec path ({self.arguments[0]}) or an inline spec "
                                "as the directive's body, not both")]
        if self.arguments:
            where = Spec(path=Path(self.env.relfn2path(self.arguments[0], self.env.docname)[1]),
                         source=source, first_line=self.lineno)
        elif self.content:
            first = content_first_line(self)
            where = Spec(text=as_in_file(source, first, list(self.content)), source=source, first_line=first)
        else:
            return [self._usage("give a spec path (.. heatmap:: specs/sales.yaml) "
                                "or an inline spec as the directive's body")]
        made = chart_nodes(self.env, where, lineno=self.lineno,
                           height=self.options.get("height"), caption=self.options.get("caption"))
        if "name" in self.options and isinstance(made[0], (heatmap, nodes.figure)):
            self.add_name(made[0])
        return made

    def _usage(self, message: str) -> nodes.Node:
        source = display_path(self.get_source_info()[0])
        return error_box(self.env, [f"{source}:{self.lineno}:1: heatmap: {message}"], lineno=self.lineno)


def content_first_line(directive: SphinxDirective) -> int:
    """The line (from 1) of the file where the directive's body starts: docutils counts
    the body's offset from the file's start, MyST from the directive's own line."""
    if type(directive.state_machine).__module__.startswith("myst_parser"):
        return directive.lineno + directive.content_offset + 1
    return directive.content_offset + 1


def as_in_file(source: Path, first_line: int, lines: list[str]) -> str:
    """The body's lines with the indentation they have in the file (docutils strips a
    directive's), so that the columns in heatdoc's errors are the file's."""
    text = "\n".join(lines)
    try:
        in_file = source.read_text(encoding="utf-8").splitlines()[first_line - 1]
    except (OSError, UnicodeDecodeError, IndexError):
        return text
    indent = len(in_file) - len(in_file.lstrip()) - (len(lines[0]) - len(lines[0].lstrip()))
    if indent <= 0 or in_file.strip() != lines[0].strip():
        return text
    return "\n".join(" " * indent + line if line else line for line in lines)


class HeatmapFences(SphinxTransform):
    """A fenced ```heatmap block (MyST Markdown turns it into a literal block of language
    ``heatmap``) is the same chart as the directive: its body is one spec path, relative
    to the document, or an inline spec."""

    default_priority = 500

    def apply(self, **kwargs: Any) -> None:
        from heatdoc.embed import BlockError, parse_block

        for block in list(self.document.findall(nodes.literal_block)):
            if block.get("language") != "heatmap":
                continue
            body = block.astext()
            fence_line = block.line or 1  # the line of the opening fence
            source = Path(block.source or self.document["source"])
            try:
                kind, value = parse_block(body)
            except BlockError as exc:
                block.replace_self(error_box(self.env, [f"{display_path(source)}:{fence_line}:1: {exc}"],
                                             lineno=fence_line))
                continue
            if kind == "path":
                where = Spec(path=Path(self.env.relfn2path(value, self.env.docname)[1]),
                             source=source, first_line=fence_line + 1)
            else:
                where = Spec(text=value, source=source, first_line=fence_line + 1)
            block.replace_self(chart_nodes(self.env, where, lineno=fence_line))


@dataclass
class Spec:
    """Where a chart's spec is: the file ``path`` (named at ``first_line`` of the document
    ``source``), or inline ``text`` from ``first_line`` of ``source``."""

    source: Path
    first_line: int
    path: Path | None = None
    text: str | None = None

    def folder(self) -> Path:
        return (self.path or self.source).parent


def chart_nodes(env: "BuildEnvironment", spec: Spec, *, lineno: int,
                height: str | None = None, caption: str | None = None) -> list[nodes.Node]:
    """The chart, drawn now (the spec and its data files become the page's dependencies),
    or an error box and a warning at ``lineno`` naming heatdoc's errors."""
    from heatdoc.embed import embed_inline, embed_spec_file
    from heatdoc.embed.chart import spec_path

    root = chart_root(env, spec.folder())
    try:
        if spec.path is not None:
            env.note_dependency(spec.path)
            # the rule of a data path: the spec file may not lie outside ``root`` either
            relative = os.path.relpath(spec.path, spec.source.parent)
            path = spec_path(relative, source=spec.source, line=spec.first_line, root=root)
            chart = embed_spec_file(path, root=root, max_cells=env.config.heatdoc_max_cells)
        else:
            chart = embed_inline(spec.text or "", source=spec.source, first_line=spec.first_line, root=root,
                                 max_cells=env.config.heatdoc_max_cells)
    except HeatdocError as exc:
        for error in exc.errors:
            if error.path:
                env.note_dependency(Path(error.path).resolve())
        return [error_box(env, [str(e) for e in exc.errors], lineno=lineno)]
    for path in chart.inputs:
        env.note_dependency(Path(path).resolve())
    charts = getattr(env, CHARTS, None)
    if charts is None:
        charts = {}
        setattr(env, CHARTS, charts)
    charts[env.docname] = charts.get(env.docname, 0) + 1

    node = heatmap(html=chart.html, svg=chart.svg, title=chart.title, alt=text_alternative(chart),
                   height=height or "", spec=str(spec.path or spec.source))
    node.source, node.line = str(env.doc2path(env.docname)), lineno
    if not caption:
        return [node]
    figure = nodes.figure("", node, classes=["heatdoc-figure"])
    figure += nodes.caption(caption, caption)
    figure.source, figure.line = node.source, lineno
    return [figure]


def text_alternative(chart: "EmbeddedChart") -> str:
    """What the drawing shows, in words, for a builder that shows it as an image: its title
    and size, as the name the chart's markup gives its drawing says them (the last "R × C
    cells" of that name is the size: a title may hold those words too)."""
    found = re.search(r'aria-label="([^"]*)"', chart.html)
    sizes = re.findall(r"(\d+) × (\d+) cells", html.unescape(found.group(1))) if found else []
    if not sizes:
        return f"Heatmap “{chart.title}”"
    rows, columns = sizes[-1]
    return f"Heatmap “{chart.title}”, {rows} × {columns} cells"


def chart_root(env: "BuildEnvironment", folder: Path) -> Path:
    """The folder that the spec's data paths may not leave: ``heatdoc_root`` when set (made
    absolute from conf.py's folder by `output.check_config`), else the nearest folder at or
    above the spec holding heatdoc.yaml, else the Sphinx source folder."""
    if env.config.heatdoc_root:
        return Path(env.config.heatdoc_root)
    from heatdoc.site.project import SETTINGS_FILE, find_root

    folder = folder.resolve()
    found = find_root(folder)  # falls back to the current folder, which is no project here
    if (found / SETTINGS_FILE).is_file() and folder.is_relative_to(found):
        return found
    return Path(env.srcdir).resolve()


def error_box(env: "BuildEnvironment", lines: list[str], *, lineno: int) -> nodes.Node:
    """A warning at the document's line (so ``sphinx-build -W`` fails) and the box that
    takes the chart's place without -W: never a silent blank."""
    text = "\n".join(lines)
    logger.warning("heatdoc: the chart cannot be drawn:\n%s", text,
                   location=(env.docname, lineno), type="heatdoc", subtype="spec")
    box = nodes.error("", nodes.paragraph(text="heatdoc cannot draw this chart:"),
                      nodes.literal_block(text, text, language="none"),
                      classes=["heatdoc-error"])
    return box


def purge_doc(app: "Sphinx", env: "BuildEnvironment", docname: str) -> None:
    getattr(env, CHARTS, {}).pop(docname, None)


def merge_info(app: "Sphinx", env: "BuildEnvironment", docnames: Any,
               other: "BuildEnvironment") -> None:
    """A parallel read's worker read ``docnames``: take their chart counts."""
    theirs = getattr(other, CHARTS, {})
    charts = getattr(env, CHARTS, None)
    if charts is None:
        charts = {}
        setattr(env, CHARTS, charts)
    charts.update({name: theirs[name] for name in docnames if name in theirs})
