"""Before a build: is the site already exactly what this build would write?

It is when heatdoc's code, heatdoc.yaml, the templates, the list of specs, every spec
and every data file they read are byte for byte what the last build of that output
folder read (their digests, `heatdoc.cache`), and every file of the site is still the
file that build wrote (same size, mtime and inode). Then the build has nothing to do.

The check reads the cache's JSON, lists the specs and stats files; it imports neither
the YAML parser, the validator, numpy nor Jinja, so that a build with nothing to do
costs little more than starting Python.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .cache import BuildCache, digest_of, files_digest, name_in_project
from .project import SETTINGS_FILE, Project


def settings_record(cache: BuildCache, project: Project) -> dict[str, Any]:
    """What the catalog keeps of heatdoc.yaml, so that the check need not parse it again."""
    return {"file": _settings_digest(cache, project.root), "code": cache.code(), "values": project.settings}


def site_salt(cache: BuildCache, project: Project) -> str:
    """heatdoc's code and the project's templates: what every page of the site depends on."""
    return digest_of(cache.code(), files_digest(cache, project.templates_dir))


def unchanged_site(project_dir: Path, out: Path | None) -> dict[str, Any] | None:
    """The record of the last build of the site when nothing changed since, else None."""
    root = project_dir.resolve()
    cache = BuildCache(root)
    if not cache.existed:
        return None
    try:
        record = _unchanged(cache, root, out)
    except (KeyError, TypeError, ValueError, AttributeError, OSError):
        return None
    if record is not None:  # nothing to do, done: the digests it read again are worth keeping
        cache.save_digests()
    return record


def _unchanged(cache: BuildCache, root: Path, out: Path | None) -> dict[str, Any] | None:
    settings = cache.catalog.get("settings")
    if (not isinstance(settings, dict) or settings["file"] != _settings_digest(cache, root)
            or settings["code"] != cache.code()):
        return None
    project = Project(root, settings["values"])
    site = Path(os.path.abspath(out if out is not None else project.output_dir)).resolve()
    record = cache.site_record(site)
    if not record:
        return None
    files = project.spec_files() if project.specs_dir.is_dir() else []
    charts: dict[str, str] = record["charts"]
    names = [name_in_project(path, root) for path in files]
    if names != list(charts):
        return None
    for name in names:
        known = cache.known_chart(name, project.settings)
        if known is None or known["key"] != charts[name]:
            return None
    if record["salt"] != site_salt(cache, project):
        return None
    from .write import site_is_intact

    if not site_is_intact(site, record["files"]):
        return None
    return {**record, "site": site}


def _settings_digest(cache: BuildCache, root: Path) -> str | None:
    path = root / SETTINGS_FILE
    return cache.digest(path) if path.is_file() else None
