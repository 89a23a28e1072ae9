"""heatdoc charts in a Sphinx project: ``extensions = ["heatdoc.sphinx"]``.

    .. heatmap:: path/to/spec.yaml        (reST; ```{heatmap} in MyST)
       :height: 400px
       :caption: Sales by region

or an inline spec as the directive's body, or in MyST Markdown a fenced ```heatmap block.

Reading (`directive.py`) turns each into a `heatmap` node that carries the chart drawn by
heatdoc's embedding core (the same compile step as `heatdoc build`). Writing
(`output.py`) gives HTML builders the chart's markup and plotly.js, loaded only by the
pages that have a chart; every other builder gets the chart's SVG drawing as an image.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from heatdoc.embed.chart import MAX_CELLS
from heatdoc.sphinx import directive, output

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: "Sphinx") -> dict[str, Any]:
    # "bundled": one copy of plotly.js in _static/heatdoc/; "cdn": the same version from cdn.plot.ly
    app.add_config_value("heatdoc_plotlyjs", "bundled", "html", types=[str])
    # The folder that spec and data paths may not leave (relative to conf.py's folder);
    # None: the nearest folder at or above the spec holding heatdoc.yaml, else the source folder.
    app.add_config_value("heatdoc_root", None, "env", types=[str, type(None)])
    # A matrix of more cells than this is an error at its line, as in heatdoc.yaml
    app.add_config_value("heatdoc_max_cells", MAX_CELLS, "env", types=[int])
    app.connect("config-inited", output.check_config)

    app.add_node(directive.heatmap, html=(output.visit_heatmap_html, output.depart_heatmap_html))
    app.add_directive("heatmap", directive.HeatmapDirective)
    app.add_transform(directive.HeatmapFences)
    app.add_post_transform(output.HeatmapToImage)
    app.add_post_transform(output.UnconvertedCharts)

    app.connect("env-purge-doc", directive.purge_doc)
    app.connect("env-merge-info", directive.merge_info)
    app.connect("html-page-context", output.add_page_assets)
    app.connect("env-updated", output.copy_assets)

    from heatdoc import __version__

    return {"version": __version__, "env_version": 1,
            "parallel_read_safe": True, "parallel_write_safe": True}
