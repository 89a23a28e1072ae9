"""Charts in pages of other tools: heatdoc reports, MkDocs (`heatdoc.mkdocs_plugin`) and
Sphinx. `chart` makes one chart's markup; `assets` the files its page needs."""
from heatdoc.embed.chart import BlockError, EmbeddedChart, embed_inline, embed_spec_file, parse_block

__all__ = ["BlockError", "EmbeddedChart", "embed_inline", "embed_spec_file", "parse_block"]
