"""Before a build: is the site already exactly what this build would write?

It is when heatdoc's code, heatdoc.yaml, the templates, the list of specs and reports,
every spec, report and every data file they read are byte for byte what the last build of that output
folder read (their digests, `heatdoc.site.cache`), and every file of the site is still the
file that build wrote (same size, mtime and inode). Then the build has nothing to do.

The check reads the cache's JSON, lists the specs and stats files; it imports neither
the YAML parser, the validator, numpy nor Jinja, so that a build with nothing to do
costs little more than starting Python.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heatdoc.site.cache import BuildCache
from heatdoc.site.cache.digests import Digests, digest_of
from heatdoc.site.project import SETTINGS_FILE, Project, name_in_project


def settings_record(digests: Digests, project: Project) -> dict[str, Any]:
    """What the catalog keeps of heatdoc.yaml, so that the check need not parse it again."""
    return {"file": _settings_digest(digests, project.root), "code": digests.code(), "values": project.settings}


def reports_record(digests: Digests, project: Project, reports: list[Any]) -> dict[str, Any]:
    """Each report (by its name in the project) with every file it read and its digest."""
    return {name_in_project(r.path, project.root): [[name, digests.digest(project.root / name)] for name in r.inputs]
            for r in reports}


def site_salt(digests: Digests, project: Project) -> str:
    """heatdoc's code and the project's templates: what every page of the site depends on."""
    return digest_of(digests.code(), digests.tree(project.templates_dir))


@dataclass
class Check:
    """What the check found: the last build's record when there is nothing to do, and the
    spec files when it listed them with heatdoc.yaml as the last build read it (a build
    of the same settings lists the same files, so it need not list them again)."""

    record: dict[str, Any] | None = None
    specs: list[Path] | None = None
    settings: dict[str, Any] | None = None


def unchanged_site(project_dir: Path, out: Path | None) -> Check:
    """Whether the site of the last build is still what this build would write."""
    root = project_dir.resolve()
    cache = BuildCache(root)
    check = Check()
    if not cache.existed:
        return check
    try:
        _unchanged(cache, root, out, check)
    except (KeyError, TypeError, ValueError, AttributeError, OSError):
        return Check()
    if check.record is not None:  # nothing to do, done: the digests read again are worth keeping
        cache.digests.save()
    return check


def _unchanged(cache: BuildCache, root: Path, out: Path | None, check: Check) -> None:
    digests = cache.digests
    settings = cache.catalog.last_settings()
    if (not isinstance(settings, dict) or settings["file"] != _settings_digest(digests, root)
            or settings["code"] != digests.code()):
        return
    project = Project(root, settings["values"])
    files = project.spec_files() if project.specs_dir.is_dir() else []
    check.specs, check.settings = files, settings["values"]
    site = Path(os.path.abspath(out if out is not None else project.output_dir)).resolve()
    record = cache.sites.get(site)
    if not record:
        return
    charts: dict[str, str] = record["charts"]
    names = [name_in_project(path, root) for path in files]
    if names != list(charts):
        return
    for name in names:
        known = cache.catalog.known(name, project.settings)
        if known is None or known["key"] != charts[name]:
            return
    if record["salt"] != site_salt(digests, project):
        return
    reports: dict[str, list[list[str]]] = record.get("reports", {})
    if [name_in_project(path, root) for path in project.report_files()] != list(reports):
        return
    if any(digests.digest(root / name) != digest for inputs in reports.values() for name, digest in inputs):
        return
    from heatdoc.site.files import site_is_intact

    if site_is_intact(site, record["files"]):
        check.record = {**record, "site": site}


def _settings_digest(digests: Digests, root: Path) -> str | None:
    path = root / SETTINGS_FILE
    return digests.digest(path) if path.is_file() else None
