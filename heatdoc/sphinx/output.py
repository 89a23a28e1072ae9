"""Writing: HTML builders get each chart's markup, and plotly.js plus heatdoc's script and
styles on the pages that have a chart (one copy in ``_static/heatdoc/``, or the CDN);
every other builder (LaTeX, text, man, ...) gets the chart's SVG drawing as an image,
which Sphinx's image converters turn into PDF or PNG where the builder needs it."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.errors import ConfigError
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from heatdoc.sphinx.directive import CHARTS, heatmap

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment
    from sphinx.writers.html5 import HTML5Translator

logger = logging.getLogger(__name__)

STATIC = "heatdoc"  # the folder under _static/
MODES = ("bundled", "cdn")
# The directive's :height: (a custom property on the chart's wrapper): plotly.js sizes a
# plot without a layout height to its element.
SPHINX_CSS = b"""
.heatdoc-sphinx .heatdoc-plot .js-plotly-plot { height: var(--heatdoc-height); }
.heatdoc-sphinx .heatdoc-fallback { max-height: var(--heatdoc-height); }
"""


def check_config(app: "Sphinx", config: "Config") -> None:
    """Refuse an unknown ``heatdoc_plotlyjs``; make ``heatdoc_root`` absolute (it is
    written relative to conf.py's folder)."""
    if config.heatdoc_root:
        config.heatdoc_root = str((Path(app.confdir) / config.heatdoc_root).resolve())
    if config.heatdoc_plotlyjs not in MODES:
        raise ConfigError(f"heatdoc_plotlyjs = {config.heatdoc_plotlyjs!r}: use 'bundled' "
                          "(one copy of plotly.js in _static/) or 'cdn'")


def visit_heatmap_html(self: "HTML5Translator", node: heatmap) -> None:
    html = node["html"]
    if node.get("height"):
        style = f"--heatdoc-height: {_css_length(node['height'])}"
        html = f'<div class="heatdoc-sphinx" style="{style}">{html}</div>'
    self.body.append(html)
    raise nodes.SkipNode


def depart_heatmap_html(self: "HTML5Translator", node: heatmap) -> None:
    pass


def _css_length(value: str) -> str:
    """docutils' length (``400px``, ``20em``, or unitless pixels ``400``) as CSS."""
    return value + "px" if value.replace(".", "", 1).isdigit() else value


def add_page_assets(app: "Sphinx", pagename: str, templatename: str,
                    context: dict[str, Any], doctree: nodes.document | None) -> None:
    """plotly.js and heatdoc's script only on the pages that show a chart (a page adds its
    own scripts in this event; Sphinx resets the list for the next page)."""
    if doctree is None or not any(doctree.findall(heatmap)):
        return
    from heatdoc.embed.assets import PLOTLY, SCRIPT, STYLE, plotly_cdn

    # deferred, in this order: heatdoc's script finds the charts in the finished page
    if app.config.heatdoc_plotlyjs == "cdn":
        url, integrity = plotly_cdn()
        app.add_js_file(url, priority=400, loading_method="defer", integrity=integrity, crossorigin="anonymous")
    else:
        app.add_js_file(f"{STATIC}/{PLOTLY}", priority=400, loading_method="defer")
    app.add_js_file(f"{STATIC}/{SCRIPT}", priority=410, loading_method="defer")
    app.add_css_file(f"{STATIC}/{STYLE}")


def copy_assets(app: "Sphinx", env: "BuildEnvironment") -> None:
    """Write plotly.js (when bundled) and heatdoc's script and styles into _static/heatdoc/
    once per build, when some page has a chart; a file already the same is left alone.
    Before the pages are written, so that Sphinx gives their links a checksum (?v=...)."""
    if app.builder.format != "html" or not getattr(env, CHARTS, None):
        return
    from heatdoc.embed.assets import PLOTLY, STYLE, embed_assets

    folder = Path(app.outdir) / "_static" / STATIC
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in embed_assets().items():
        if name == PLOTLY and app.config.heatdoc_plotlyjs == "cdn":
            continue
        if name == STYLE:
            data += SPHINX_CSS
        target = folder / name
        if not (target.is_file() and target.read_bytes() == data):
            target.write_bytes(data)


class HeatmapToImage(SphinxPostTransform):
    """Builders other than HTML: each chart becomes an image of its SVG drawing, written
    beside Sphinx's own converted images (the doctrees' ``images/`` folder) and registered
    as the page's image, so the builder copies it (and a converter makes a PDF or PNG of
    it, before the builder looks: Sphinx's ImageConverter runs at priority 200)."""

    default_priority = 140

    def is_supported(self) -> bool:
        return self.app.builder.format != "html"

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(heatmap)):
            node.replace_self(self._image(node))

    def _image(self, node: heatmap) -> nodes.image:
        svg = node["svg"].encode("utf-8")
        folder = Path(self.env.doctreedir) / "images" / "heatdoc"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (hashlib.sha256(svg).hexdigest()[:20] + ".svg")
        if not path.is_file():
            path.write_bytes(svg)
        where = str(path)
        # what Sphinx's messages name the image by: the spec, or the page of an inline one
        self.env.original_image_uri[Path(where)] = node.get("spec") or where
        self.env.images.add_file(self.env.docname, where)
        image = nodes.image(uri=where, candidates={"image/svg+xml": where}, alt=node["alt"],
                            classes=["heatdoc-chart"])
        if node.get("height"):
            image["height"] = node["height"]
        image.source, image.line = node.source, node.line
        return image


class UnconvertedCharts(SphinxPostTransform):
    """A builder that takes no SVG (LaTeX) and no converter that made it a PDF or PNG: the
    chart's text alternative in its place, and one warning that says what to add."""

    default_priority = 250  # after Sphinx's image converters (200)

    def is_supported(self) -> bool:
        return self.app.builder.format != "html" and bool(self.app.builder.supported_image_types)

    def run(self, **kwargs: Any) -> None:
        usable = set(self.app.builder.supported_image_types)
        for image in list(self.document.findall(nodes.image)):
            if "heatdoc-chart" not in image["classes"] or usable & set(image["candidates"]):
                continue
            logger.warning("heatdoc: the %s builder cannot include a chart's SVG drawing; add an SVG "
                           "converter to extensions in conf.py: 'sphinxcontrib.cairosvgconverter' "
                           "(pip install 'sphinxcontrib-svg2pdfconverter[CairoSVG]') or "
                           "'sphinx.ext.imgconverter' (needs ImageMagick)", self.app.builder.name,
                           location=image, type="heatdoc", subtype="image", once=True)
            image.replace_self(nodes.paragraph(text=image["alt"], classes=["heatdoc-chart"]))
