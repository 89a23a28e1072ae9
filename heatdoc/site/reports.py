"""Reports: Markdown files in the specs folder, prose with charts, become pages of the site.

A report is in its folder's section beside the charts, titled by its front matter's
``title:`` or its first ``# heading``. Each fenced ``heatmap`` block becomes the chart
`heatdoc build` draws for that spec (`heatdoc.embed`); a block that names a spec file of the
project links to that chart's own page. The report's card shows its first chart.

Reports are made again by every build that does anything (they are few and cheap); the
files each one read are kept in the site's record, so that the nothing-changed check
(`heatdoc.site.uptodate`) sees an edit to any of them.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heatdoc.errors import HeatdocError, SpecError, did_you_mean, display_path
from heatdoc.site.project import Project

FRONT_MATTER = "---"
FRONT_MATTER_KEYS = {"title": str, "description": str, "order": (int, float)}


@dataclass(frozen=True)
class Report:
    """One report, made: what planning needs (path, title, order) and what its page shows."""

    path: Path
    title: str
    order: float | None
    description: str
    body: str  # the report as HTML, its charts in place
    has_heading: bool  # the body starts with its own <h1>
    charts: int
    thumbnail: str | None  # the SVG of its first chart, for its card
    inputs: tuple[str, ...]  # every file it read, relative to the project: itself, specs, data


def read_reports(project: Project, files: list[Path], spec_files: list[Path]
                 ) -> tuple[list[Report], list[SpecError]]:
    """Every report made, or every error of every report."""
    from heatdoc.site.plan import page_stem

    pages = {Path(project.real_path(path)): page_stem(path, project)[2] + ".html" for path in spec_files}
    reports, errors = [], []
    for path in files:
        try:
            project.check_inside(path)
            reports.append(_read(project, path, pages))
        except HeatdocError as exc:
            errors.extend(exc.errors)
    return reports, errors


def _read(project: Project, path: Path, chart_pages: dict[Path, str]) -> Report:
    from heatdoc.embed.chart import embed_block
    from heatdoc.embed.markdown import heatmap_blocks, is_heatmap
    from heatdoc.site.project import name_in_project
    from heatdoc.site.plan import page_stem
    from heatdoc.site.render.markdown import markdown_parser

    text = _text(path)
    meta, markdown, skipped = _front_matter(path, text)
    page = page_stem(path, project)[2] + ".html"

    def link_of(spec: Path) -> str | None:
        target = chart_pages.get(Path(project.real_path(spec)))
        return None if target is None else posixpath.relpath(target, posixpath.dirname(page) or ".")

    parser = markdown_parser()
    tokens = parser.parse(markdown)
    charts, inputs, errors = {}, [path], []
    for block in heatmap_blocks(markdown, lines_before=skipped, tokens=tokens):
        try:
            chart = embed_block(block.body, source=path, first_line=block.first_line, root=project.root,
                                link_of=link_of, max_cells=project.settings["max_cells"])
        except HeatdocError as exc:
            errors.extend(exc.errors)
            continue
        charts[block.start] = chart
        inputs.extend(chart.inputs)
    if errors:
        raise HeatdocError(errors)

    # a renderer of its own: the shared parser's stays as it is
    renderer = parser.renderer.__class__(parser)
    code = renderer.rules["fence"]

    def fence(tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        return charts[token.map[0]].html if is_heatmap(token) else code(tokens, idx, options, env)

    renderer.rules["fence"] = fence
    body = renderer.render(tokens, parser.options, {})
    heading = next((tokens[i + 1].content for i, t in enumerate(tokens)
                    if t.type == "heading_open" and t.tag == "h1"), None)
    first_is_heading = bool(tokens) and tokens[0].type == "heading_open" and tokens[0].tag == "h1"
    title = meta.get("title") or (_plain(heading) if heading else path.stem.replace("-", " ").capitalize())
    first = next(iter(charts.values()), None)
    return Report(path, title, meta.get("order"), meta.get("description", ""), body, first_is_heading,
                  len(charts), first.svg if first else None,
                  tuple(sorted({name_in_project(p, project.root) for p in inputs})))


def _text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise HeatdocError([SpecError(display_path(path), 1, 1, "", f"cannot read the file: "
                                                                   f"{exc.strerror or exc}")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise HeatdocError([SpecError(display_path(path), line, 1, "", "the file is not UTF-8 text")]) from None


def _front_matter(path: Path, text: str) -> tuple[dict[str, Any], str, int]:
    """The front matter (YAML between ``---`` lines at the top, read by heatdoc's loader, so
    its errors have lines too), the Markdown after it, and the lines it took."""
    from heatdoc.spec.load import load_text

    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != FRONT_MATTER:
        return {}, text, 0
    end = next((i for i, line in enumerate(lines[1:], start=1) if line.rstrip() in (FRONT_MATTER, "...")), None)
    if end is None:
        raise HeatdocError([SpecError(display_path(path), 1, 1, "", "the front matter (---) is not closed "
                                                                   "by a --- line")])
    if not "".join(lines[1:end]).strip():
        return {}, "".join(lines[end + 1:]), end + 1
    doc = load_text("".join(lines[1:end]), path, first_line=2)
    errors = []
    for key, value in doc.data.items():
        wanted = FRONT_MATTER_KEYS.get(key)
        if wanted is None:
            errors.append(doc.error((key,), f"unknown key in a report's front matter{did_you_mean(key, FRONT_MATTER_KEYS)}"
                                            f"; a report knows {', '.join(FRONT_MATTER_KEYS)}", of_key=True))
        elif not isinstance(value, wanted) or isinstance(value, bool):
            errors.append(doc.error((key,), "must be a number" if key == "order" else "must be text"))
    if errors:
        raise HeatdocError(errors)
    return doc.data, "".join(lines[end + 1:]), end + 1


def _plain(inline: str) -> str:
    """A heading's Markdown as plain text (a title)."""
    from heatdoc.site.render.markdown import markdown_parser

    words = []
    for token in markdown_parser().parseInline(inline)[0].children or []:
        if token.type in ("text", "code_inline"):
            words.append(token.content)
    return " ".join("".join(words).split()) or inline
