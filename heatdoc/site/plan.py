"""Plan the site (once every spec is compiled): which page each spec becomes, its section and its neighbours.

Page paths mirror spec paths (``specs/chemistry/periodic-table.yaml`` becomes
``chemistry/periodic-table.html``), so links stay stable as a gallery grows. Every
path is decided here, before anything is rendered, so that two specs that would
write the same file (also after case folding: macOS and Windows disks ignore case)
are an error naming both, and nothing is written.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol, Sequence

from heatdoc.errors import HeatdocError, SpecError
from heatdoc.site.project import Project, relative_text

if TYPE_CHECKING:
    from heatdoc.site.reports import Report

# Files of the site that no spec may take.
INDEX, REFERENCE, SCHEMA, SITEMAP, MARKER = (
    "index.html", "reference.html", "heatdoc.schema.json", "sitemap.xml", ".heatdoc-site")
ASSETS = "assets"
ROOT_SECTION_TITLE = "Charts"  # specs directly in specs/, listed first on the index
# The files of one chart: its page and its thumbnail (the CSV and JSON downloads are made
# in the browser, from the page's figure).
CHART_FILES = (".html", ".svg")

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class PlannedSpec(Protocol):
    """A spec as planning sees it: the summary the build has of each chart
    (`heatdoc.site.charts.SpecSummary`, taken from the cache for an unchanged spec, so
    that planning never needs the spec parsed), which a compiled `Spec` also has."""

    @property
    def path(self) -> Path: ...
    @property
    def title(self) -> str: ...
    @property
    def order(self) -> float | None: ...
    @property
    def tags(self) -> Sequence[str]: ...
    @property
    def description(self) -> str: ...


class _Placed:
    """A page of the site and the files beside it, all named from ``stem``."""

    stem: str

    @property
    def page(self) -> str:
        return self.stem + ".html"

    def file(self, suffix: str) -> str:
        """A file written beside the page: ".svg" (its thumbnail), ".csv", ".json"."""
        return self.stem + suffix


@dataclass
class Chart(_Placed):
    """One spec placed in the site. ``stem`` is its path without a suffix, e.g.
    ``chemistry/periodic-table``; every other path is derived from it."""

    spec: PlannedSpec
    source: str  # the spec's path relative to the project, for messages and the page
    stem: str
    section: "Section"
    previous: "Chart | None" = None
    next: "Chart | None" = None


@dataclass
class ReportPlace(_Placed):
    """One report placed in the site (a Markdown file under specs/): its page mirrors its
    path as a chart's does; ``thumbnail`` is the first chart's drawing, beside the page."""

    report: "Report"
    source: str
    stem: str
    section: "Section"


@dataclass
class Section:
    """A folder under specs/. ``key`` is its folder path ("" for specs at the top,
    which are listed on the index but have no section page of their own)."""

    key: str
    title: str
    folder: str  # the sanitised folder path in the site
    charts: list[Chart] = field(default_factory=list)
    reports: list[ReportPlace] = field(default_factory=list)

    @property
    def page(self) -> str | None:
        return f"{self.folder}/{INDEX}" if self.key else None


@dataclass
class SitePlan:
    sections: list[Section]
    warnings: list[str]

    @property
    def charts(self) -> list[Chart]:
        return [chart for section in self.sections for chart in section.charts]

    @property
    def reports(self) -> list[ReportPlace]:
        return [report for section in self.sections for report in section.reports]


def slug(name: str) -> str:
    """A file or folder name safe in a URL and on every disk: letters, digits, '.', '_', '-'.

    Accents are dropped (``Température`` -> ``Temperature``); a name with nothing
    left gets a short hash so it stays stable.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE.sub("-", ascii_name).strip("-.")
    return cleaned or "chart-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def readable_name(name: str) -> str:
    """A file or folder name as a title: ``sea-level_2024`` -> ``Sea level 2024``; '' when
    nothing is left. The title of a section without one in heatdoc.yaml, and of a new spec
    or project."""
    return name.replace("-", " ").replace("_", " ").strip().capitalize()


def section_title(key: str, project: Project) -> str:
    """heatdoc.yaml's title for the folder, else the folder name made readable."""
    titles = project.settings.get("sections") or {}
    if not key:
        return ROOT_SECTION_TITLE
    if key in titles:
        return titles[key]
    return " / ".join(readable_name(part) or part for part in key.split("/"))


def page_stem(path: Path, project: Project) -> tuple[str, str, str]:
    """Where a file of the specs folder goes in the site: (its section's key, the section's
    folder in the site, its page's path without suffix)."""
    # the path in specs/, not where a symbolic link leads: a page mirrors the file's name
    rel = PurePosixPath(relative_text(path, project.specs_dir))
    key = rel.parent.as_posix() if rel.parent.as_posix() != "." else ""
    folder = "/".join(slug(part) for part in key.split("/")) if key else ""
    return key, folder, "/".join(filter(None, [folder, slug(rel.stem)]))


def plan_site(project: Project, specs: Sequence[PlannedSpec], reports: "Sequence[Report]" = ()) -> SitePlan:
    """Place every spec and report; raise HeatdocError (naming both) on colliding paths."""
    sections: dict[str, Section] = {}

    def section_of(key: str, folder: str) -> Section:
        if key not in sections:
            sections[key] = Section(key, section_title(key, project), folder)
        return sections[key]

    for spec in specs:
        key, folder, stem = page_stem(spec.path, project)
        section = section_of(key, folder)
        section.charts.append(Chart(spec, _shown(spec, project), stem, section))
    for report in reports:
        key, folder, stem = page_stem(report.path, project)
        section = section_of(key, folder)
        section.reports.append(ReportPlace(report, _shown(report, project), stem, section))

    warnings = []
    named = list(project.settings.get("sections") or {})
    for key in named:
        if key not in sections:
            warnings.append(f"heatdoc.yaml: sections: no folder {key!r} with specs under "
                            f"{project.settings['specs']}/")
    # named sections first, in the order heatdoc.yaml gives; then the rest by folder name
    ordered = sorted(sections.values(), key=lambda s: (s.key != "", s.key not in named,
                                                       named.index(s.key) if s.key in named else 0,
                                                       s.key))
    for section in ordered:
        section.charts.sort(key=_chart_order)
        section.reports.sort(key=lambda r: (r.report.order is None, r.report.order or 0,
                                            r.report.title.casefold(), r.stem))
        for before, after in zip(section.charts, section.charts[1:]):
            before.next, after.previous = after, before
    plan = SitePlan(ordered, warnings)
    _check_collisions(plan)
    return plan


def _chart_order(chart: Chart) -> tuple:
    # `order` first (specs without one after those with), then title, then path: total and stable
    order = chart.spec.order
    return (order is None, order if order is not None else 0, chart.spec.title.casefold(), chart.stem)


def _shown(spec: "PlannedSpec | Report", project: Project) -> str:
    try:
        return relative_text(spec.path, project.root)
    except ValueError:
        return str(spec.path)


def _check_collisions(plan: SitePlan) -> None:
    owners: dict[str, str] = {name: f"the site's {what}" for name, what in [
        (INDEX, "index page"), (REFERENCE, "spec reference page"), (SCHEMA, "schema file"),
        (SITEMAP, "sitemap"), (MARKER, "marker file"), (ASSETS, "assets folder")]}
    errors = []

    def claim(paths: list[str], owner: str, source: Path, what: str) -> None:
        for path in paths:
            other = owners.get(path.casefold())
            if other is not None and other != owner:
                where = other if other.startswith("the ") else f"the page of {other}"
                errors.append(SpecError(str(source), 1, 1, "", f"{what} would collide with {where} "
                                        "(page names are compared ignoring case); rename one of them"))
                return
        for path in paths:
            owners[path.casefold()] = owner

    for section in plan.sections:
        if section.page:
            top = section.folder.split("/")[0]
            first = section.charts[0].spec.path if section.charts else section.reports[0].report.path
            claim([section.page] + ([top] if top.casefold() == ASSETS else []),
                  f"the section page of {section.key}/", first, f"its section page {section.page}")
    for chart in plan.charts:
        claim([chart.stem + suffix for suffix in CHART_FILES], chart.source, chart.spec.path,
              f"its page {chart.page}")
    for report in plan.reports:
        claim([report.stem + suffix for suffix in CHART_FILES], report.source, report.report.path,
              f"its page {report.page}")
    if errors:
        raise HeatdocError(errors)
