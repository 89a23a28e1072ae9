"""Reading: the ``heatmap`` directive (reST and MyST) and MyST's fenced ```heatmap block
become `heatmap` nodes holding the drawn chart; a bad spec becomes a warning at the
document's line and an error box on the page."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from heatdoc.errors import HeatdocError

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

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
        source, _ = self.get_source_info()
        if self.arguments and self.content:
            return [self._usage(f"give either a spec path ({self.arguments[0]}) or an inline spec "
                                "as the directive's body, not both")]
        if self.arguments:
            _, path = self.env.relfn2path(self.arguments[0], self.env.docname)
            where = Spec(path=Path(path))
        elif self.content:
            where = Spec(text="\n".join(self.content), source=Path(source),
                         first_line=content_first_line(self))
        else:
            return [self._usage("give a spec path (.. heatmap:: specs/sales.yaml) "
                                "or an inline spec as the directive's body")]
        made = chart_nodes(self.env, where, lineno=self.lineno,
                           height=self.options.get("height"), caption=self.options.get("caption"))
        if "name" in self.options and made and isinstance(made[0], (heatmap, nodes.figure)):
            self.add_name(made[0])
        return made

    def _usage(self, message: str) -> nodes.Node:
        return error_box(self.env, [message], lineno=self.lineno)


def content_first_line(directive: SphinxDirective) -> int:
    """The line (from 1) of the file where the directive's body starts. docutils gives the
    body's absolute offset; MyST gives it relative to the directive's own line."""
    source, line = directive.get_source_info()
    offset = directive.content_offset
    if str(source).endswith(".md") or _is_myst(directive):
        return directive.lineno + offset + 1
    return offset + 1


def _is_myst(directive: SphinxDirective) -> bool:
    return type(directive.state_machine).__module__.startswith("myst_parser")


class HeatmapFences(SphinxTransform):
    """A fenced ```heatmap block (MyST Markdown turns it into a literal block of language
    ``heatmap``) is the same chart as the directive: its body is one spec path, relative
    to the document, or an inline spec."""

    default_priority = 500

    def apply(self, **kwargs: Any) -> None:
        from heatdoc.embed import parse_block

        for block in list(self.document.findall(nodes.literal_block)):
            if block.get("language") != "heatmap":
                continue
            body = block.astext()
            fence_line = block.line or 0  # MyST: the 0-based line of the opening fence
            source = Path(block.source or self.document["source"])
            kind, value = parse_block(body)
            if kind == "path":
                _, path = self.env.relfn2path(value, self.env.docname)
                where = Spec(path=Path(path))
            else:
                where = Spec(text=value, source=source, first_line=fence_line + 2)
            block.replace_self(chart_nodes(self.env, where, lineno=fence_line + 1))


class Spec:
    """Where a chart's spec is: a file, or inline text at a line of a document."""

    def __init__(self, *, path: Path | None = None, text: str | None = None,
                 source: Path | None = None, first_line: int = 1):
        self.path, self.text, self.source, self.first_line = path, text, source, first_line

    def folder(self) -> Path:
        return (self.path or self.source or Path(".")).parent


def chart_nodes(env: "BuildEnvironment", spec: Spec, *, lineno: int,
                height: str | None = None, caption: str | None = None) -> list[nodes.Node]:
    """The chart, drawn now (the spec and its data files become the page's dependencies),
    or an error box and a warning at ``lineno`` naming heatdoc's errors."""
    from heatdoc.embed import embed_inline, embed_spec_file

    root = chart_root(env, spec.folder())
    if spec.path is not None:
        env.note_dependency(spec.path)
    try:
        if spec.path is not None:
            chart = embed_spec_file(spec.path, root=root)
        else:
            chart = embed_inline(spec.text or "", source=spec.source or Path(env.doc2path(env.docname)),
                                 first_line=spec.first_line, root=root)
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

    node = heatmap(html=chart.html, svg=chart.svg, title=chart.title, height=height or "",
                   spec=str(spec.path or spec.source))
    node.source, node.line = str(env.doc2path(env.docname)), lineno
    if not caption:
        return [node]
    figure = nodes.figure("", node, classes=["heatdoc-figure"])
    figure += nodes.caption(caption, caption)
    figure.source, figure.line = node.source, lineno
    return [figure]


def chart_root(env: "BuildEnvironment", folder: Path) -> Path:
    """The folder that the spec's data paths may not leave: ``heatdoc_root`` (relative to
    conf.py's folder) when set, else the nearest folder at or above the spec holding
    heatdoc.yaml, else the Sphinx source folder."""
    setting = env.config.heatdoc_root
    if setting:
        return (Path(env.app.confdir) / setting).resolve()
    from heatdoc.site.project import SETTINGS_FILE

    folder = folder.resolve()
    for candidate in [folder, *folder.parents]:
        if (candidate / SETTINGS_FILE).is_file():
            return candidate
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
