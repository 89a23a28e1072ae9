"""Markdown from specs and settings, rendered safely.

Descriptions come from people we may not know (a spec in a pull request), so raw
HTML is off: `<script>` in a description is shown as text. markdown-it's link check
refuses `javascript:`, `vbscript:`, `file:` and `data:` links (other than images).
"""
from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup

SUMMARY_CHARS = 200


@lru_cache(maxsize=1)
def markdown_parser():  # type: ignore[no-untyped-def]
    """heatdoc's one Markdown parser: CommonMark, raw HTML off."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "typographer": False})


def markdown_html(text: str) -> Markup:
    """Block Markdown (paragraphs, lists, code, links) as HTML."""
    return Markup(markdown_parser().render(text)) if text.strip() else Markup("")


def markdown_inline(text: str) -> Markup:
    """One line of Markdown (code spans, emphasis, links) as HTML, without a paragraph."""
    return Markup(markdown_parser().renderInline(text))


def summary(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The first paragraph of a Markdown description as plain text, for a card.

    Plain text because a card is itself a link, and a link inside a link is invalid HTML.
    """
    first = text.strip().split("\n\n", 1)[0]
    if not first:
        return ""
    words: list[str] = []
    for token in markdown_parser().parseInline(first)[0].children or []:
        if token.type in ("text", "code_inline"):
            words.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            words.append(" ")
        elif token.type == "image":
            words.append(token.content)
    plain = " ".join("".join(words).split())
    if len(plain) <= limit:
        return plain
    cut = plain[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"
