"""The files a page with embedded charts needs, whatever builds it (MkDocs, Sphinx): plotly.js,
and heatdoc-embed.js, which is heatdoc's own theme script (it draws every
figure.heatdoc-embed of the page) after plotly's templates. Plus a small stylesheet."""
from __future__ import annotations

from heatdoc.site.render.assets import THEME_DIR, plotly_js, template_js

SCRIPT = "heatdoc-embed.js"
STYLE = "heatdoc-embed.css"
PLOTLY = "plotly.min.js"


def embed_assets() -> dict[str, bytes]:
    """{"heatdoc-embed.js": ..., "heatdoc-embed.css": ..., "plotly.min.js": ...}: one copy of
    each for a whole site, loaded by the pages that have a chart."""
    bundled = plotly_js("bundled")
    assert bundled.file is not None
    return {
        SCRIPT: template_js() + (THEME_DIR / "assets" / "heatdoc.js").read_bytes(),
        STYLE: (THEME_DIR / "assets" / STYLE).read_bytes(),
        PLOTLY: bundled.file.read_bytes(),
    }


def plotly_cdn() -> tuple[str, str]:
    """The pinned CDN URL of the same plotly.js, and its Subresource Integrity (``plotlyjs: cdn``)."""
    cdn = plotly_js("cdn")
    assert cdn.integrity is not None
    return cdn.url, cdn.integrity
