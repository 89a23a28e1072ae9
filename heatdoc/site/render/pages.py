"""Render (after the plan): the site's files, in memory, from the plan and the compiled figures.

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
import secrets
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Callable, Iterator

import jinja2
from markupsafe import Markup

from heatdoc.errors import HeatdocError, SpecError, display_path
from heatdoc.jsonout import dumps_bytes, script_json
from heatdoc.paths import resolve_inside
from heatdoc.site import charts as chart_parts
from heatdoc.site import plan as P
from heatdoc.site.cache.digests import digest_of
from heatdoc.site.charts import PART_FILES, ChartParts
from heatdoc.site.project import Project
from heatdoc.site.render.assets import (
    TEMPLATE_JS,
    THEME_DIR,
    PlotlyJs,
    plotly_js,
    template_js,
    theme_assets,
)
from heatdoc.site.render.datatable import DataTable, TableRow
from heatdoc.site.render.markdown import markdown_html, summary
from heatdoc.site.render.reference import KeyGroup, reference_groups, scale_names
from heatdoc.site.write import Later, Part, SiteFiles


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
    kind: str = "chart"  # or "report" (its thumbnail is its first chart's; None without one)


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
    download_name: str  # the file name of the downloads without suffix: NAME.csv and NAME.json
    download_files: bool  # `downloads: files`: NAME.csv and NAME.json are files beside the page
    yaml: str  # the spec file's text (cut after YAML_SHOWN_CHARS characters)
    yaml_cut: bool
    source: str  # the spec's path in the project, e.g. "specs/chemistry/periodic-table.yaml"
    table: DataTable | None  # None when the matrix is too big to read as a table
    previous: Link | None
    next: Link | None


@dataclass(frozen=True)
class ReportPage(Page):
    section: Link | None
    description: str
    body: Markup  # the report as HTML, each chart in place (heatdoc.embed's markup)
    has_heading: bool  # the body starts with its own <h1> (else the page puts the title)
    has_charts: bool  # the page loads plotly.js only then
    source: str  # the report's path in the project, e.g. "specs/sales/report.md"


@dataclass(frozen=True)
class ReferencePage(Page):
    groups: tuple[KeyGroup, ...]
    scale_names: tuple[str, ...]


def environment(templates: Path | None) -> jinja2.Environment:
    """The project's templates folder (if any) first, then the default theme."""
    folders = [str(templates)] if templates is not None and templates.is_dir() else []
    env = jinja2.Environment(
        loader=_Loader(folders + [str(THEME_DIR)]),
        autoescape=True,  # every template, whatever its name: spec text is never markup
        undefined=jinja2.StrictUndefined,  # a misspelt field in an override is an error, not ""
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, auto_reload=False,
    )
    env.filters["url"] = _url
    return env


class _Loader(jinja2.FileSystemLoader):
    """Templates from their folders, but never through a symbolic link that leads out of
    one: like a theme asset (assets.theme_assets), such a template could put any file of
    the building machine into every page. Checked before the file is opened."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.searchpath:
            path = os.path.join(folder, *pieces)
            if os.path.isfile(path):  # the one FileSystemLoader will read
                real, inside = resolve_inside(path, folder)
                if not inside:
                    raise HeatdocError([SpecError(display_path(path), 1, 1, "", (
                        f"the template leads outside its folder {folder} (to {real}); heatdoc "
                        "reads only files inside the project"))])
                break
        return super().get_source(environment, template)


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


def _environment_for(templates: Path, salt: str) -> jinja2.Environment:
    """The environment of the last build when the templates are the same (``salt`` holds a
    digest of every template and of heatdoc's code): `heatdoc serve` rebuilds in one
    process, and compiling the theme's templates again costs more than a small edit."""
    return _kept_environment(templates, salt) if salt else environment(templates)


@lru_cache(maxsize=1)
def _kept_environment(templates: Path, salt: str) -> jinja2.Environment:
    # A memo of this process, from one build to the next. A forked worker does not read
    # it: it renders the pages it is handed, which hold the build's environment.
    return environment(templates)


def render_site(plan: P.SitePlan, charts: dict[str, ChartParts], project: Project,
                tick: Callable[[], None] = lambda: None, salt: str = "") -> tuple[SiteFiles, list[str]]:
    """Every file of the site, and warnings. ``charts`` maps a chart's stem to its parts.

    Pages are `Later`: each is named by a digest of its template and everything handed
    to it (``salt`` stands for heatdoc's code and the project's templates), and rendered
    only when the previous site does not already hold a page of that name."""
    settings = project.settings
    js = plotly_js(settings.get("plotlyjs", "bundled"))
    site = SiteContext(settings["title"], markdown_html(settings.get("description") or ""),
                       settings.get("base_url") or "",
                       tuple(Link(s.title, s.page) for s in plan.sections if s.page), len(plan.charts), js)
    pages = _Pages(site, salt, _Lazy(lambda: _environment_for(project.templates_dir, salt)))
    home = (Link(settings["title"], P.INDEX),)
    for chart in plan.charts:
        _add_chart(pages, chart, charts[chart.stem], home)
        tick()
    for place in plan.reports:
        _add_report(pages, place, home)
    groups = _card_groups(plan)
    index = dict(groups=groups, tags=_all_tags(plan), search_data=_search_data(groups))
    pages.add(IndexPage, P.INDEX, settings["title"], (), lambda: index, repr(index))
    for section, group in zip(plan.sections, groups):
        if section.page:
            pages.add(SectionPage, section.page, section.title, home, lambda: {}, "", group=group)
    pages.add(ReferencePage, P.REFERENCE, "Spec reference", home,
              lambda: dict(groups=tuple(reference_groups()), scale_names=tuple(scale_names())), "")
    return pages.files, _add_site_wide_files(pages, project.templates_dir)


_KINDS = {IndexPage: "index", SectionPage: "section", ChartPage: "chart", ReportPage: "report",
          ReferencePage: "reference"}


class _Pages:
    """The files of the site as they are named, each page a `Later` made from the
    template of its kind (KIND.html)."""

    def __init__(self, site: SiteContext, salt: str, env: "_Lazy"):
        self.site, self.salt, self.env = site, salt, env
        self.files: SiteFiles = {}
        self._site_repr = repr(site)

    def add(self, cls: type, path: str, title: str, crumbs: tuple[Link, ...],
            content: Callable[[], dict[str, Any]], content_id: str, big: bool = False, **fields: Any) -> None:
        """``fields`` place the page; ``content`` gives the rest, named by ``content_id``.
        A ``big`` page is rendered as it is written, a piece at a time."""
        kind = _KINDS[cls]
        template = f"{kind}.html"
        common = dict(kind=kind, path=path, title=title, root="../" * path.count("/"),
                      canonical=_absolute(self.site.base_url, path), breadcrumbs=crumbs, **fields)
        identity = digest_of("page", self.salt, template, self._site_repr, content_id,
                             repr(sorted(common.items())))
        env, site = self.env, self.site

        def make() -> bytes:
            if big:
                return b"".join(chunks())
            return _render(env.get(), template, site=site, page=cls(**common, **content()))

        def chunks() -> Iterator[bytes]:
            return _render_chunks(env.get(), template, site=site, page=cls(**common, **content()))

        self.files[path] = Later(identity, make, chunks if big else None)


def _add_chart(pages: _Pages, chart: P.Chart, parts: ChartParts, home: tuple[Link, ...]) -> None:
    """A chart's page, and its files (the thumbnail) taken from its parts in the cache."""
    for suffix in (s for s in PART_FILES if s in parts.blobs):  # the CSV and JSON with `downloads: files`
        path, offset, length = parts.part(suffix)
        pages.files[chart.file(suffix)] = Part(path, offset, length, digest_of("part", parts.key, suffix),
                                               link=parts.is_alone(suffix))
    section = Link(chart.section.title, chart.section.page) if chart.section.page else None
    big = parts.part("figure")[2] >= chart_parts.BIG_PART
    pages.add(ChartPage, chart.page, chart.spec.title, home + ((section,) if section else ()),
              partial(_big_chart_fields if big else _chart_fields, parts), parts.key, big=big,
              section=section, thumbnail=chart.file(".svg"), download_name=chart.stem.rpartition("/")[2],
              download_files=".csv" in parts.blobs, source=chart.source,
              previous=Link(chart.previous.spec.title, chart.previous.page) if chart.previous else None,
              next=Link(chart.next.spec.title, chart.next.page) if chart.next else None)


def _add_report(pages: _Pages, place: P.ReportPlace, home: tuple[Link, ...]) -> None:
    """A report's page, and the thumbnail of its first chart."""
    report = place.report
    if report.thumbnail is not None:
        pages.files[place.file(".svg")] = report.thumbnail.encode("utf-8")
    section = Link(place.section.title, place.section.page) if place.section.page else None
    content = dict(body=Markup(report.body), has_heading=report.has_heading, has_charts=report.charts > 0,
                   description=report.description)
    pages.add(ReportPage, place.page, report.title, home + ((section,) if section else ()),
              partial(dict, content), digest_of(content), section=section, source=place.source)


def _add_site_wide_files(pages: _Pages, templates: Path) -> list[str]:
    """The files beside the pages: the schema, the sitemap (with a base URL), plotly.js
    and its template, the theme's assets. Returns the warnings about the assets."""
    from heatdoc.spec.schema import SPEC_SCHEMA

    files, base_url = pages.files, pages.site.base_url
    files[P.SCHEMA] = dumps_bytes(SPEC_SCHEMA, indent=True) + b"\n"
    if base_url:
        urls = sorted(_absolute(base_url, p) for p in files if p.endswith(".html"))
        files[P.SITEMAP] = _render(pages.env.get(), "sitemap.xml", urls=urls)
    js = pages.site.plotlyjs
    if js.file is not None:
        files[js.url] = js.file
    files[TEMPLATE_JS] = template_js()
    assets, warnings = theme_assets(templates)
    files.update(assets)
    return warnings


class _Lazy:
    """The Jinja environment, made when the first page is rendered: a rebuild whose
    pages are all in the previous site renders none and never needs one."""

    def __init__(self, make: Callable[[], Any]):
        self._make, self._value = make, None

    def get(self) -> Any:
        if self._value is None:
            self._value = self._make()
        return self._value


class FigureToken(Markup):
    """Where a big chart's figure goes in its page: `_render_chunks` writes the figure's
    part of the cache there, a piece at a time."""

    def __new__(cls, parts: ChartParts) -> "FigureToken":
        token = super().__new__(cls, f"heatdoc-figure-{secrets.token_hex(16)}")
        token.part = parts.part("figure")
        return token


def _big_chart_fields(parts: ChartParts) -> dict[str, Any]:
    # the figure stands in the page as a token until the page is written, and is then
    # copied from its file in the cache: tens of MB that are never a Python string
    return _chart_fields(parts, figure=FigureToken(parts))


def _chart_fields(parts: ChartParts, figure: Markup | None = None) -> dict[str, Any]:
    """The page fields kept with the chart's parts, as the template gets them."""
    f = parts.fields(figure=figure is None)
    table = None
    if f["table"] is not None:
        columns, rows, names = f["table"]
        table = DataTable(tuple(columns), tuple(TableRow(label, tuple(cells)) for label, cells in rows),
                          tuple(names))
    return dict(tags=tuple(f["tags"]), description=Markup(f["description"]),
                figure_json=figure if figure is not None else Markup(f["figure_json"]),
                thumbnail_alt=f["thumbnail_alt"],
                rows=f["rows"], columns=f["columns"], yaml=f["yaml"], yaml_cut=f["yaml_cut"], table=table)


def _card_groups(plan: P.SitePlan) -> tuple[CardGroup, ...]:
    groups, number = [], 0
    for section in plan.sections:
        link = Link(section.title, section.page) if section.page else None
        cards = []
        for chart in section.charts:
            cards.append(Card(number, chart.spec.title, chart.page, chart.file(".svg"), link,
                              tuple(chart.spec.tags), summary(chart.spec.description)))
            number += 1
        for place in section.reports:
            report = place.report
            cards.append(Card(number, report.title, place.page,
                              place.file(".svg") if report.thumbnail is not None else None, link, (),
                              summary(report.description), kind="report"))
            number += 1
        groups.append(CardGroup(section.title, section.page, tuple(cards)))
    return tuple(groups)


def _search_data(groups: tuple[CardGroup, ...]) -> Markup:
    cards = [{"title": c.title, "section": c.section.title if c.section else "", "tags": list(c.tags),
              "summary": c.summary, "kind": c.kind} for g in groups for c in g.cards]
    return Markup(script_json(cards))


def _all_tags(plan: P.SitePlan) -> tuple[str, ...]:
    return tuple(sorted({t for c in plan.charts for t in c.spec.tags}, key=lambda t: (t.casefold(), t)))


def _absolute(base_url: str, path: str) -> str | None:
    if not base_url:
        return None
    path = path.removesuffix(P.INDEX) if path.endswith("/" + P.INDEX) or path == P.INDEX else path
    return base_url.rstrip("/") + "/" + path


def _render(env: jinja2.Environment, name: str, **context: Any) -> bytes:
    """One page; a broken template (most likely a project's override) is a user error."""
    try:
        return env.get_template(name).render(**context).encode("utf-8")
    except jinja2.TemplateError as exc:
        raise _template_error(exc, name) from None


def _render_chunks(env: jinja2.Environment, name: str, **context: Any) -> Iterator[bytes]:
    """One page as it is rendered, a piece at a time: the page of a big matrix is never
    whole in memory, nor is its figure (a `FigureToken` in the page, copied from its file)."""
    figure = getattr(context.get("page"), "figure_json", None)
    token = str(figure) if isinstance(figure, FigureToken) else None
    try:
        for piece in env.get_template(name).generate(**context):
            while token is not None and token in piece:
                before, piece = piece.split(token, 1)
                yield before.encode("utf-8")
                yield from Part(*figure.part, identity="").chunks()
            for start in range(0, len(piece), 1 << 20):
                yield piece[start:start + (1 << 20)].encode("utf-8")
    except jinja2.TemplateError as exc:
        raise _template_error(exc, name) from None


def _template_error(exc: jinja2.TemplateError, name: str) -> HeatdocError:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = exc.filename or name
        return HeatdocError([SpecError(where, exc.lineno or 1, 1, "", f"template error: {exc.message}")])
    where, line = _template_frame(exc)
    if isinstance(exc, jinja2.TemplateNotFound):
        return HeatdocError([SpecError(where or name, line, 1, "", f"template {exc.name!r} not found in "
                                       "the templates folder or the default theme")])
    return HeatdocError([SpecError(where or name, line, 1, "", f"template error: {exc}")])


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
