"""heatdoc's MkDocs plugin: ``plugins: [search, heatdoc]`` in mkdocs.yml, and a fenced
``heatmap`` block in any page becomes the chart `heatdoc build` draws for that spec.

The events, in the order MkDocs calls them:

- ``on_page_markdown``: each block is made into its chart (`heatdoc.embed`) and replaced by
  a placeholder comment, so the page's HTML (``page.content``) holds no chart: the search
  plugin (MkDocs' and mkdocs-material's both index ``page.content`` in ``on_page_context``)
  then indexes none of a matrix's cells, nor the figure's JSON.
- ``on_post_page``: the placeholders become the charts, and a page with a chart gets the
  stylesheet and the two scripts (plotly.js, heatdoc-embed.js); other pages get nothing.
- ``on_post_build``: the assets are written once into ``site_dir/assets/heatdoc/``.
- ``on_serve``: ``mkdocs serve`` also watches every spec and data file a page used.

A bad spec is heatdoc's ``PATH:LINE:COL: key.path: message`` lines, naming the page: an
error (PluginError) in strict mode, else a warning (which ``--strict`` would count) and an
error box in the page, never a silent blank.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.utils import get_relative_url

from heatdoc.embed.assets import PLOTLY, SCRIPT, STYLE
from heatdoc.embed.chart import MAX_CELLS

log = get_plugin_logger(__name__)

ASSETS = "assets/heatdoc"


class HeatdocPluginConfig(Config):
    # bundled: one copy of plotly.js in the site; cdn: the same version from cdn.plot.ly
    plotlyjs = c.Choice(("bundled", "cdn"), default="bundled")
    # the folder spec and data paths may not leave; default: the folder of mkdocs.yml
    root = c.Optional(c.Dir(exists=True))
    max_cells = c.Type(int, default=MAX_CELLS)


class HeatdocPlugin(BasePlugin[HeatdocPluginConfig]):
    def __init__(self) -> None:
        self.server: Any = None
        self.watched: set[Path] = set()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defined so that `mkdocs serve` keeps this one instance across rebuilds: the server
        # it was given in on_serve then watches the files that later builds read.
        pass

    def on_config(self, config: Any) -> None:
        self.root = Path(self.config.root or os.path.dirname(config.config_file_path or ".")).resolve()
        self.strict = bool(config.strict)
        # one token a build: a placeholder an author could write by hand never matches
        self.token = secrets.token_hex(8)
        self.charts: dict[str, list[str]] = {}  # page src path -> the markup of each chart
        self.inputs: set[Path] = set()

    def on_page_markdown(self, markdown: str, /, *, page: Any, config: Any, files: Any) -> str:
        from heatdoc.embed.chart import embed_block, error_html
        from heatdoc.embed.markdown import heatmap_blocks
        from heatdoc.errors import HeatdocError

        source = Path(page.file.abs_src_path)
        blocks = heatmap_blocks(markdown, lines_before=_front_matter_lines(source, markdown))
        if not blocks:
            return markdown
        lines = markdown.splitlines()
        charts = self.charts.setdefault(page.file.src_uri, [])
        for block in reversed(blocks):
            try:
                chart = embed_block(block.body, source=source, first_line=block.first_line, root=self.root,
                                    max_cells=self.config.max_cells)
                self.inputs.update(chart.inputs)
                html = chart.html
            except HeatdocError as exc:
                message = f"a chart of the page {page.file.src_uri} could not be made:\n{exc}"
                if self.strict:
                    raise PluginError(f"heatdoc: {message}") from None
                log.warning(message)  # the plugin's logger says "heatdoc: " first
                html = error_html(exc, page.file.src_uri)
            charts.append(html)
            # a comment alone on its lines: raw HTML to Python-Markdown, and no text to search
            placeholder = f"<!-- heatdoc-chart {self.token} {len(charts) - 1} -->"
            lines[block.start:block.end] = ["", block.prefix + placeholder, ""]
        return "\n".join(lines) + "\n"

    def on_post_page(self, output: str, /, *, page: Any, config: Any) -> str:
        charts = self.charts.get(page.file.src_uri)
        if not charts:
            return output
        placeholders = [f"<!-- heatdoc-chart {self.token} {i} -->" for i in range(len(charts))]
        # The scripts follow the last chart, in the page's content: mkdocs-material's
        # instant navigation swaps in the content of the next page (and runs its scripts),
        # not its <head> or the end of its <body>.
        last = max(((output.find(p), p) for p in placeholders), default=(-1, ""))
        if last[0] < 0:
            return output
        after = last[0] + len(last[1])
        output = output[:after] + "\n" + self._scripts(page) + output[after:]
        for placeholder, html in zip(placeholders, charts):
            output = output.replace(placeholder, html, 1)
        head = f'<link rel="stylesheet" href="{_asset_url(STYLE, page)}">\n'
        return _before_last(output, "</head>", head)

    def _scripts(self, page: Any) -> str:
        from heatdoc.embed.assets import plotly_cdn

        if self.config.plotlyjs == "cdn":
            cdn, integrity = plotly_cdn()
            plotly = f'<script src="{cdn}" integrity="{integrity}" crossorigin="anonymous" defer></script>'
        else:
            plotly = f'<script src="{_asset_url(PLOTLY, page)}" defer></script>'
        return f'{plotly}\n<script src="{_asset_url(SCRIPT, page)}" defer></script>\n'

    def on_post_build(self, *, config: Any) -> None:
        from heatdoc.embed.assets import embed_assets

        if not any(self.charts.values()):
            return
        folder = Path(config.site_dir) / ASSETS
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in embed_assets().items():
            if name == PLOTLY and self.config.plotlyjs == "cdn":
                continue
            target = folder / name
            if not target.is_file() or target.read_bytes() != data:  # a rebuild leaves it be
                target.write_bytes(data)
        self._watch()

    def on_serve(self, server: Any, /, *, config: Any, builder: Any) -> Any:
        self.server = server
        self._watch()
        return server

    def _watch(self) -> None:
        if self.server is None:
            return
        for path in sorted(self.inputs - self.watched):
            # docs_dir is watched already; a spec or data file elsewhere is not
            self.server.watch(str(path), recursive=False)
            self.watched.add(path)


def _front_matter_lines(source: Path, markdown: str) -> int:
    """How many lines MkDocs took off the top of the page (its front matter) before
    on_page_markdown: errors must name the lines of the file."""
    try:
        text = source.read_text(encoding="utf-8-sig")
    except OSError:
        return 0
    return max(0, len(text.splitlines()) - len(markdown.splitlines()))


def _asset_url(name: str, page: Any) -> str:
    return get_relative_url(f"{ASSETS}/{name}", page.url)


def _before_last(text: str, tag: str, insert: str) -> str:
    at = text.rfind(tag)
    return text + insert if at < 0 else text[:at] + insert + text[at:]
