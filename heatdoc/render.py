"""Stage 5, render: the site's files, in memory, from the plan and the compiled figures.

Pages come from Jinja templates found first in the project's ``templates/`` folder,
then in the default theme shipped inside the package (``heatdoc/templates``), so a
project replaces one file, or one block of ``main.html``, and inherits the rest.
Autoescape is on for every template: text from a spec is always text.

Each template gets two variables, ``site`` (a `SiteContext`) and ``page`` (an
`IndexPage`, `SectionPage`, `ChartPage` or `ReferencePage`); docs/templates.md lists
their fields. URLs in the context are relative to the site root; the ``url`` filter
makes them relative to the page, so the site works from file:// and under any sub-path.
"""
from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import jinja2
from markupsafe import Markup

from . import pages as P
from .assets import TEMPLATE_JS, THEME_DIR, PlotlyJs, plotly_js, template_js, theme_assets
from .errors import HeatdocError, SpecError
from .jsonout import dumps_bytes, script_json
from .project import Project
from .reference import KeyGroup, reference_groups, scale_names
from .table import DataTable, data_table, matrix_csv
from .text import markdown_html, summary
from .thumbnails import thumbnail_svg
from .write import SiteFiles

YAML_SHOWN_CHARS = 100_000  # a longer spec (inline data) is cut on the page; the CSV has it all


@dataclass(frozen=True)
class Link:
    title: str
    url: str  # relative to the site root


@dataclass(frozen=True)
class Card:
    """A chart as the index and section pages show it. ``number`` is its position in
    the index's search data (the filter script finds a card's data by it)."""

    number: int
    title: str
    url: str
    thumbnail: str
    section: Link | None
    tags: tuple[str, ...]
    summary: str  # the first paragraph of the description, as plain text


@dataclass(frozen=True)
class CardGroup:
    """A section's cards. ``url`` is the section page (None for specs at the top of specs/)."""

    title: str
    url: str | None
    cards: tuple[Card, ...]


@dataclass(frozen=True)
class SiteContext:
    """``site`` in every template."""

    title: str
    description: Markup  # heatdoc.yaml's description, rendered from Markdown
    base_url: str  # "" when not set
    sections: tuple[Link, ...]  # every section page, in gallery order
    chart_count: int
    plotlyjs: PlotlyJs  # .url (site-relative or CDN), .version, .integrity


@dataclass(frozen=True)
class Page:
    """Fields every ``page`` has."""

    kind: str  # "index", "section", "chart" or "reference"
    path: str  # this page in the site, e.g. "chemistry/periodic-table.html"
    title: str
    root: str  # "../" for each folder level: what the `url` filter puts before a site URL
    canonical: str | None  # absolute URL of this page when base_url is set
    breadcrumbs: tuple[Link, ...]  # from the index down to this page's parent


@dataclass(frozen=True)
class IndexPage(Page):
    groups: tuple[CardGroup, ...]
    tags: tuple[str, ...]  # every tag, sorted
    search_data: Markup  # JSON of every card (title, section, tags, summary), safe in <script>


@dataclass(frozen=True)
class SectionPage(Page):
    group: CardGroup


@dataclass(frozen=True)
class ChartPage(Page):
    tags: tuple[str, ...]
    description: Markup  # the spec's description, rendered from Markdown (raw HTML off)
    section: Link | None
    figure_json: Markup  # the figure (without plotly's template), safe in <script>
    thumbnail: str
    thumbnail_alt: str
    rows: int
    columns: int
    csv: str  # the matrix with its labels
    json: str  # the figure with plotly's template, as `heatdoc figure` prints it
    yaml: str  # the spec file's text (cut after YAML_SHOWN_CHARS characters)
    yaml_cut: bool
    source: str  # the spec's path in the project, e.g. "specs/chemistry/periodic-table.yaml"
    table: DataTable | None  # None when the matrix is too big to read as a table
    previous: Link | None
    next: Link | None


@dataclass(frozen=True)
class ReferencePage(Page):
    groups: tuple[KeyGroup, ...]
    scale_names: tuple[str, ...]


def environment(templates: Path | None) -> jinja2.Environment:
    """The project's templates folder (if any) first, then the default theme."""
    folders = [str(templates)] if templates is not None and templates.is_dir() else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders + [str(THEME_DIR)]),
        autoescape=True,  # every template, whatever its name: spec text is never markup
        undefined=jinja2.StrictUndefined,  # a misspelt field in an override is an error, not ""
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, auto_reload=False,
    )
    env.filters["url"] = _url
    return env


@jinja2.pass_context
def _url(context: Any, target: str) -> str:
    """A URL relative to the site root made relative to the page being rendered:
    ``chemistry/index.html`` is ``index.html`` on a chemistry page, ``../chemistry/index.html``
    on a page of another section."""
    if "://" in target or target.startswith(("#", "data:")):
        return target
    page = context.get("page")
    if page is None:
        raise jinja2.TemplateRuntimeError("the `url` filter needs `page`; import macros "
                                          "`with context`")
    path, hash_, fragment = target.partition("#")
    return _relative(path, posixpath.dirname(page.path)) + hash_ + fragment


def _relative(path: str, folder: str) -> str:
    """posixpath.relpath for the site's own clean paths, without its cost (it runs per link)."""
    if not folder:
        return path
    parts, base = path.split("/"), folder.split("/")
    common = 0
    while common < min(len(parts) - 1, len(base)) and parts[common] == base[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + parts[common:])


def render_site(plan: P.SitePlan, figures: dict[str, dict[str, Any]], project: Project,
                tick: Callable[[], None] = lambda: None) -> tuple[SiteFiles, list[str]]:
    """Every file of the site, and warnings. ``figures`` maps a chart's stem to its figure."""
    settings = project.settings
    env = environment(project.templates_dir)
    base_url = settings.get("base_url") or ""
    js = plotly_js(settings.get("plotlyjs", "bundled"))
    site = SiteContext(settings["title"], markdown_html(settings.get("description") or ""), base_url,
                       tuple(Link(s.title, s.page) for s in plan.sections if s.page),
                       len(plan.charts), js)
    files: SiteFiles = {}

    def page(cls: type, template: str, path: str, title: str, kind: str, crumbs: tuple, **fields: Any) -> None:
        context = cls(kind=kind, path=path, title=title, root="../" * path.count("/"),
                      canonical=_absolute(base_url, path), breadcrumbs=crumbs, **fields)
        files[path] = _render(env, template, site=site, page=context)

    groups = _card_groups(plan)
    home = (Link(settings["title"], P.INDEX),)
    for chart in plan.charts:
        figure = figures[chart.stem]
        files[chart.file(".svg")] = thumbnail_svg(chart.spec.z, figure["data"][0], figure["layout"]).encode()
        files[chart.file(".csv")] = matrix_csv(chart.spec)
        files[chart.file(".json")] = dumps_bytes(_with_template(figure), indent=True) + b"\n"
        section = Link(chart.section.title, chart.section.page) if chart.section.page else None
        page(ChartPage, "chart.html", chart.page, chart.spec.title, "chart",
             home + ((section,) if section else ()), **_chart_fields(chart, figure, section))
        tick()
    page(IndexPage, "index.html", P.INDEX, settings["title"], "index", (), groups=groups,
         tags=_all_tags(plan), search_data=_search_data(groups))
    for section, group in zip(plan.sections, groups):
        if section.page:
            page(SectionPage, "section.html", section.page, section.title, "section", home, group=group)
    page(ReferencePage, "reference.html", P.REFERENCE, "Spec reference", "reference", home,
         groups=tuple(reference_groups()), scale_names=tuple(scale_names()))

    from .schema import SPEC_SCHEMA

    files[P.SCHEMA] = dumps_bytes(SPEC_SCHEMA, indent=True) + b"\n"
    if base_url:
        urls = sorted(_absolute(base_url, p) for p in files if p.endswith(".html"))
        files[P.SITEMAP] = _render(env, "sitemap.xml", urls=urls)
    if js.file is not None:
        files[js.url] = js.file
    files[TEMPLATE_JS] = template_js()
    assets, warnings = theme_assets(project.templates_dir)
    files.update(assets)
    return files, warnings


def _chart_fields(chart: P.Chart, figure: dict[str, Any], section: Link | None) -> dict[str, Any]:
    spec = chart.spec
    rows, cols = spec.shape
    table = data_table(spec)
    where = "the data table below" if table else "the CSV download below"
    text = spec.doc.text
    return dict(
        tags=tuple(spec.tags), description=markdown_html(spec.description), section=section,
        figure_json=Markup(script_json(figure)), thumbnail=chart.file(".svg"),
        thumbnail_alt=f"Heatmap “{spec.title}”, {rows} × {cols} cells; the values are in {where}.",
        rows=rows, columns=cols, csv=chart.file(".csv"), json=chart.file(".json"),
        yaml=text[:YAML_SHOWN_CHARS], yaml_cut=len(text) > YAML_SHOWN_CHARS, source=chart.source,
        table=table,
        previous=Link(chart.previous.spec.title, chart.previous.page) if chart.previous else None,
        next=Link(chart.next.spec.title, chart.next.page) if chart.next else None,
    )


def _card_groups(plan: P.SitePlan) -> tuple[CardGroup, ...]:
    groups, number = [], 0
    for section in plan.sections:
        link = Link(section.title, section.page) if section.page else None
        cards = []
        for chart in section.charts:
            cards.append(Card(number, chart.spec.title, chart.page, chart.file(".svg"), link,
                              tuple(chart.spec.tags), summary(chart.spec.description)))
            number += 1
        groups.append(CardGroup(section.title, section.page, tuple(cards)))
    return tuple(groups)


def _search_data(groups: tuple[CardGroup, ...]) -> Markup:
    cards = [{"title": c.title, "section": c.section.title if c.section else "", "tags": list(c.tags),
              "summary": c.summary} for g in groups for c in g.cards]
    return Markup(script_json(cards))


def _all_tags(plan: P.SitePlan) -> tuple[str, ...]:
    return tuple(sorted({t for c in plan.charts for t in c.spec.tags}, key=lambda t: (t.casefold(), t)))


def _with_template(figure: dict[str, Any]) -> dict[str, Any]:
    from .compile import plotly_template

    if "template" in figure["layout"]:
        return figure
    return {**figure, "layout": {**figure["layout"], "template": plotly_template()}}


def _absolute(base_url: str, path: str) -> str | None:
    if not base_url:
        return None
    path = path.removesuffix(P.INDEX) if path.endswith("/" + P.INDEX) or path == P.INDEX else path
    return base_url.rstrip("/") + "/" + path


def _render(env: jinja2.Environment, name: str, **context: Any) -> bytes:
    """One page; a broken template (most likely a project's override) is a user error."""
    try:
        return env.get_template(name).render(**context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or name
        raise HeatdocError([SpecError(where, exc.lineno or 1, 1, "", f"template error: {exc.message}")]) from None
    except jinja2.TemplateNotFound as exc:
        where, line = _template_frame(exc)
        raise HeatdocError([SpecError(where or name, line, 1, "", f"template {exc.name!r} not found in "
                                      "the templates folder or the default theme")]) from None
    except jinja2.TemplateError as exc:
        where, line = _template_frame(exc)
        raise HeatdocError([SpecError(where or name, line, 1, "", f"template error: {exc}")]) from None


def _template_frame(exc: BaseException) -> tuple[str | None, int]:
    """The template file and line where rendering failed (Jinja maps its frames to them)."""
    found: tuple[str | None, int] = (None, 1)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml")) and os.path.isfile(filename):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
