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
from typing import TYPE_CHECKING

from heatdoc.errors import HeatdocError, SpecError
from heatdoc.site.project import Project, relative_text

if TYPE_CHECKING:  # planning reads only path, title, order, tags: a build with nothing
    from heatdoc.spec.model import (
        Spec,  # to do should not import numpy to find that out
    )

# Files of the site that no spec may take.
INDEX, REFERENCE, SCHEMA, SITEMAP, MARKER = (
    "index.html", "reference.html", "heatdoc.schema.json", "sitemap.xml", ".heatdoc-site")
ASSETS = "assets"
ROOT_SECTION_TITLE = "Charts"  # specs directly in specs/, listed first on the index
# The files of one chart: its page and its thumbnail (the CSV and JSON downloads are made
# in the browser, from the page's figure).
CHART_FILES = (".html", ".svg")

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Chart:
    """One spec placed in the site. ``stem`` is its path without a suffix, e.g.
    ``chemistry/periodic-table``; every other path is derived from it."""

    spec: Spec
    source: str  # the spec's path relative to the project, for messages and the page
    stem: str
    section: "Section"
    previous: "Chart | None" = None
    next: "Chart | None" = None

    @property
    def page(self) -> str:
        return self.stem + ".html"

    def file(self, suffix: str) -> str:
        """A file the chart writes beside its page: ".svg" (its thumbnail)."""
        return self.stem + suffix


@dataclass
class Section:
    """A folder under specs/. ``key`` is its folder path ("" for specs at the top,
    which are listed on the index but have no section page of their own)."""

    key: str
    title: str
    folder: str  # the sanitised folder path in the site
    charts: list[Chart] = field(default_factory=list)

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


def plan_site(project: Project, specs: list[Spec]) -> SitePlan:
    """Place every spec; raise HeatdocError (naming both specs) on colliding paths."""
    sections: dict[str, Section] = {}
    for spec in specs:
        # the path in specs/, not where a symbolic link leads: a page mirrors the spec's name
        rel = PurePosixPath(relative_text(spec.path, project.specs_dir))
        key = rel.parent.as_posix() if rel.parent.as_posix() != "." else ""
        if key not in sections:
            folder = "/".join(slug(part) for part in key.split("/")) if key else ""
            sections[key] = Section(key, section_title(key, project), folder)
        section = sections[key]
        stem = "/".join(filter(None, [section.folder, slug(rel.stem)]))
        section.charts.append(Chart(spec, _shown(spec, project), stem, section))

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
        for before, after in zip(section.charts, section.charts[1:]):
            before.next, after.previous = after, before
    plan = SitePlan(ordered, warnings)
    _check_collisions(plan)
    return plan


def _chart_order(chart: Chart) -> tuple:
    # `order` first (specs without one after those with), then title, then path: total and stable
    order = chart.spec.order
    return (order is None, order if order is not None else 0, chart.spec.title.casefold(), chart.stem)


def _shown(spec: Spec, project: Project) -> str:
    try:
        return relative_text(spec.path, project.root)
    except ValueError:
        return str(spec.path)


def _check_collisions(plan: SitePlan) -> None:
    owners: dict[str, str] = {name: f"the site's {what}" for name, what in [
        (INDEX, "index page"), (REFERENCE, "spec reference page"), (SCHEMA, "schema file"),
        (SITEMAP, "sitemap"), (MARKER, "marker file"), (ASSETS, "assets folder")]}
    errors = []

    def claim(paths: list[str], owner: str, spec: Spec, what: str) -> None:
        for path in paths:
            other = owners.get(path.casefold())
            if other is not None and other != owner:
                where = other if other.startswith("the ") else f"the page of {other}"
                errors.append(SpecError(str(spec.path), 1, 1, "", f"{what} would collide with {where} "
                                        "(page names are compared ignoring case); rename one of them"))
                return
        for path in paths:
            owners[path.casefold()] = owner

    for section in plan.sections:
        if section.page:
            top = section.folder.split("/")[0]
            claim([section.page] + ([top] if top.casefold() == ASSETS else []),
                  f"the section page of {section.key}/", section.charts[0].spec,
                  f"its section page {section.page}")
    for chart in plan.charts:
        claim([chart.stem + suffix for suffix in CHART_FILES], chart.source, chart.spec,
              f"its page {chart.page}")
    if errors:
        raise HeatdocError(errors)
