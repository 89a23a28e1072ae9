"""The fenced ``heatmap`` blocks of a Markdown page, found by markdown-it-py as CommonMark
reads the page (a fence inside a list item or a block quote too; one inside another code
block is code, not a chart). The parser is the one heatdoc renders Markdown with."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from heatdoc.embed.chart import INFO


@dataclass(frozen=True)
class Block:
    """One fenced block: lines ``start`` to ``end`` (0-based, end excluded) of the text it
    was found in, its body, and the line of the body's first line in the page's file
    (1-based: what an error names)."""

    start: int
    end: int
    body: str
    first_line: int
    prefix: str  # what stands before the fence on its first line: indentation, "> "


def is_heatmap(token: Any) -> bool:
    return token.type == "fence" and token.info.split()[:1] == [INFO] and token.map is not None


def heatmap_blocks(text: str, *, lines_before: int = 0, tokens: list[Any] | None = None) -> list[Block]:
    """Every fenced block of ``text`` whose info string is ``heatmap``. ``lines_before``:
    the lines of the file above ``text`` (front matter a host took off); ``tokens``: the
    text as markdown-it parsed it already."""
    from heatdoc.site.render.markdown import markdown_parser

    lines = text.splitlines()
    found = []
    for token in tokens if tokens is not None else markdown_parser().parse(text):
        if not is_heatmap(token):
            continue
        start, end = token.map
        opening = lines[start]
        found.append(Block(start, end, token.content, lines_before + start + 2,
                           opening[:opening.index(token.markup)]))
    return found
