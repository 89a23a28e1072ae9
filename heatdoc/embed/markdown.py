"""The fenced ``heatmap`` blocks of a Markdown page, found by markdown-it-py as CommonMark
reads the page (a fence inside a list item or a block quote too; one inside another code
block is code, not a chart)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from heatdoc.embed.chart import INFO

FRONT_MATTER = "---"


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


@lru_cache(maxsize=1)
def _parser():  # type: ignore[no-untyped-def]
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def heatmap_blocks(text: str, *, lines_before: int = 0) -> list[Block]:
    """Every fenced block of ``text`` whose info string is ``heatmap``. ``lines_before``:
    the lines of the file above ``text`` (front matter a host took off)."""
    lines = text.splitlines()
    found = []
    for token in _parser().parse(text):
        if token.type != "fence" or token.info.split()[:1] != [INFO] or token.map is None:
            continue
        start, end = token.map
        opening = lines[start]
        found.append(Block(start, end, token.content, lines_before + start + 2,
                           opening[:opening.index(token.markup)]))
    return found


def split_front_matter(text: str) -> tuple[dict[str, object], str, int]:
    """YAML front matter (between ``---`` lines at the top) as a mapping, the Markdown after
    it, and how many lines it took; ({}, text, 0) without one, or when it is not a mapping."""
    import yaml

    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != FRONT_MATTER:
        return {}, text, 0
    for i, line in enumerate(lines[1:], start=1):
        if line.rstrip() in (FRONT_MATTER, "..."):
            try:
                meta = yaml.safe_load("".join(lines[1:i]))
            except yaml.YAMLError:
                return {}, text, 0
            if not isinstance(meta, dict):
                return {}, text, 0
            return meta, "".join(lines[i + 1:]), i + 1
    return {}, text, 0
