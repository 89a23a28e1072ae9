"""Stages 3 and 5 for each chart: a spec file becomes its chart's parts, or its errors.

A chart's *parts* are everything about it that does not depend on where it sits in the
site: the thumbnail, the CSV, the figure JSON, the page's fields. They are made once per
spec and kept in the build cache (`heatdoc.cache`) under a key of every byte they come
from, so an unchanged spec is neither parsed, validated nor compiled again. What depends
on the neighbours (links, section, breadcrumbs) is left to `render`.

For a large project the specs that need work are shared out over a pool of processes
(`MIN_SPECS_FOR_POOL`): a small one is done in this process, as a pool costs more to
start than ten charts cost to make.
"""
from __future__ import annotations

import hashlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import orjson

from .cache import RACY_NS, BuildCache, digest_of, name_in_project, read_parts
from .errors import SpecError
from .project import Project

MIN_SPECS_FOR_POOL = 64  # measured: below this a pool's start-up eats the gain (2 cores)
YAML_SHOWN_CHARS = 100_000  # a longer spec (inline data) is cut on the page; the CSV has it all
PART_FILES = {".svg": "thumbnail.svg", ".csv": "matrix.csv", ".json": "figure.json"}


@dataclass(frozen=True)
class SpecSummary:
    """What planning the site needs of a spec (`pages.plan_site` reads these fields)."""

    path: Path
    title: str
    order: float | None
    tags: list[str]
    description: str


@dataclass(frozen=True)
class ChartParts:
    """A spec's chart: its summary, its key in the cache and the folder with its parts."""

    summary: SpecSummary
    key: str
    folder: Path

    def file(self, suffix: str) -> Path:
        """The part that becomes the site file CHART``suffix`` (.svg, .csv, .json)."""
        return self.folder / PART_FILES[suffix]

    def fields(self) -> dict[str, Any]:
        """The page fields kept in parts.json (`render.ChartPage`), the figure read back in."""
        parts = read_parts(self.folder)
        if parts is None:
            raise OSError(f"the cached parts of {self.summary.path} are gone")
        parts["figure_json"] = (self.folder / "page-figure.json").read_text(encoding="utf-8")
        return parts


def read_charts(project: Project, files: list[Path], cache: BuildCache,
                tick: Callable[[], None] = lambda: None) -> tuple[list[ChartParts], list[SpecError]]:
    """A chart for every spec file (in the order given), or every error of every spec."""
    started = time.time_ns()
    settings = _chart_settings(project)
    charts: dict[Path, ChartParts] = {}
    todo = []
    for path in files:
        record = cache.known_chart(name_in_project(path, project.root), settings)
        if record is not None:
            charts[path] = _chart(cache, path, record)
            cache.remember_chart(name_in_project(path, project.root), record)
            tick()
        else:
            todo.append(path)
    errors: list[SpecError] = []
    if todo:
        cache.ensure_folder()
        # The spec's digest before it is read: an edit during the build is seen next time.
        before = {path: cache.digest(path) for path in todo}
        jobs = [(path, project.root, project.settings["max_cells"], started) for path in todo]
        for path, result in zip(todo, _map(_make_chart, jobs)):
            tick()
            if isinstance(result, list):
                errors.extend(result)
                continue
            folder, summary, data = result
            name = name_in_project(path, project.root)
            data_digests = [(d, cache.digest(project.root / d)) for d in data]
            key = cache.chart_key(settings, name, before[path], data_digests)
            record = {"key": key, "data": data, "summary": summary, "files": part_stamps(Path(folder))}
            # A file written while this build read it: its chart is used now, but never
            # kept, and its key matches nothing later, so the next build makes it again.
            if (before[path] is None or _changed_since(started, [path] + [project.root / d for d in data])
                    or not cache.keep_chart(Path(folder), key)):
                charts[path] = ChartParts(_summary(path, summary), f"unkept-{os.urandom(16).hex()}", Path(folder))
                continue
            cache.remember_chart(name, record)
            charts[path] = _chart(cache, path, record)
    return [charts[p] for p in files if p in charts], errors


def _changed_since(started_ns: int, paths: list[Path]) -> bool:
    for p in paths:
        try:
            if os.stat(p).st_mtime_ns >= started_ns - RACY_NS:
                return True
        except OSError:
            return True
    return False


def _chart(cache: BuildCache, path: Path, record: dict[str, Any]) -> ChartParts:
    return ChartParts(_summary(path, record["summary"]), record["key"], cache.chart_folder(record["key"]))


def _summary(path: Path, s: dict[str, Any]) -> SpecSummary:
    return SpecSummary(path, s["title"], s["order"], list(s["tags"]), s["description"])


def _chart_settings(project: Project) -> dict[str, Any]:
    # All of heatdoc.yaml: a chart's parts depend on few settings today (max_cells), but a
    # key that holds them all cannot go stale when a new one starts to matter.
    return project.settings


# --- making one chart (in this process or a worker) -------------------------------------

_CONTEXT: dict[tuple[Path, int, int], Any] = {}


def _make_chart(job: tuple[Path, Path, int, int]) -> tuple[str, dict[str, Any], list[str]] | list[SpecError]:
    """Load, validate and compile one spec and write its parts into a new folder of the
    cache: (that folder, its summary, the data files it read), or its errors."""
    from .compile import compile_figure
    from .errors import HeatdocError
    from .load import load_yaml
    from .sources import ReadContext
    from .validate import check_spec

    path, root, max_cells, build = job
    # One context per process and build: a data file that several specs read is read once
    # a build, and never kept for the next one (`heatdoc serve` builds in one process).
    if (root, max_cells, build) not in _CONTEXT:
        _CONTEXT.clear()
        _CONTEXT[root, max_cells, build] = ReadContext(root, max_cells)
    ctx = _CONTEXT[root, max_cells, build]
    try:
        doc = load_yaml(path)
        spec = check_spec(doc, ctx)
    except HeatdocError as exc:
        return exc.errors
    figure = compile_figure(spec, template=False)
    folder = BuildCache(root).new_chart_folder()
    write_parts(folder, spec, figure)
    summary = {"title": spec.title, "order": spec.order, "tags": list(spec.tags),
               "description": spec.description}
    return str(folder), summary, data_files(doc.path, doc.data, root)


def write_parts(folder: Path, spec: Any, figure: dict[str, Any]) -> None:
    """The chart's parts as files: thumbnail, CSV, figure JSON (with plotly's template),
    the figure for the page (without it), and parts.json with the page's other fields."""
    from .jsonout import dumps_bytes, script_json
    from .table import data_table, matrix_csv
    from .text import markdown_html
    from .thumbnails import thumbnail_svg

    (folder / PART_FILES[".svg"]).write_bytes(
        thumbnail_svg(spec.z, figure["data"][0], figure["layout"]).encode())
    (folder / PART_FILES[".csv"]).write_bytes(matrix_csv(spec))
    (folder / PART_FILES[".json"]).write_bytes(dumps_bytes(_with_template(figure), indent=True) + b"\n")
    (folder / "page-figure.json").write_text(script_json(figure), encoding="utf-8")
    rows, cols = spec.shape
    table = data_table(spec)
    where = "the data table below" if table else "the CSV download below"
    text = spec.doc.text
    fields = dict(
        tags=list(spec.tags), description=str(markdown_html(spec.description)),
        thumbnail_alt=f"Heatmap “{spec.title}”, {rows} × {cols} cells; the values are in {where}.",
        rows=rows, columns=cols, yaml=text[:YAML_SHOWN_CHARS], yaml_cut=len(text) > YAML_SHOWN_CHARS,
        table=None if table is None else [list(table.columns), [[r.label, list(r.cells)] for r in table.rows],
                                          list(table.parts)],
    )
    (folder / "parts.json").write_bytes(orjson.dumps(fields))


def part_stamps(folder: Path) -> dict[str, list[int]]:
    """Size and mtime of each part: the site hard-links them, so an edit made in place to
    a site file would change the part too; a changed stamp makes the part untrusted."""
    stamps = {}
    for name in os.listdir(folder):
        st = os.stat(folder / name)
        stamps[name] = [st.st_size, st.st_mtime_ns]
    return stamps


def _with_template(figure: dict[str, Any]) -> dict[str, Any]:
    from .compile import plotly_template

    if "template" in figure["layout"]:
        return figure
    return {**figure, "layout": {**figure["layout"], "template": plotly_template()}}


def data_files(spec_path: Path, data: Any, root: Path) -> list[str]:
    """The data files a valid spec reads, relative to the project: every ``file`` and
    ``database`` of its matrices (SPEC.md, "Matrix values")."""
    sources = []
    if isinstance(data, dict):
        sources = [data.get("z"), data.get("text")]
        if isinstance(data.get("customdata"), dict):
            sources += list(data["customdata"].values())
    found = []
    for source in sources:
        if isinstance(source, dict):
            for key in ("file", "database"):
                if isinstance(source.get(key), str):
                    found.append(name_in_project(spec_path.parent / source[key], root))
    return sorted(set(found))


# --- many charts at once ---------------------------------------------------------------

def _map(fn: Callable[[Any], Any], jobs: list[Any]) -> list[Any]:
    """``[fn(job) for job in jobs]``, over a process pool when there are enough jobs."""
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < MIN_SPECS_FOR_POOL or workers < 2 or not sys.platform.startswith("linux"):
        # fork is Linux's cheap start; elsewhere a spawned worker re-imports everything.
        return [fn(job) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Specs that read data files go first, one at a time: one big matrix must not land
    # in the last batch and finish alone. Inline specs go in batches (fewer round trips).
    heavy = [i for i, job in enumerate(jobs) if _reads_files(job[0])]
    heavy_set = set(heavy)
    light = [i for i in range(len(jobs)) if i not in heavy_set]
    results: list[Any] = [None] * len(jobs)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        first = pool.map(fn, [jobs[i] for i in heavy], chunksize=1)
        rest = pool.map(fn, [jobs[i] for i in light], chunksize=max(1, len(light) // (workers * 4)))
        for i, result in zip(heavy, first):
            results[i] = result
        for i, result in zip(light, rest):
            results[i] = result
    return results


def _reads_files(path: Path) -> bool:
    try:
        text = path.read_bytes()
    except OSError:
        return False
    return b"file:" in text or b"database:" in text


def page_identity(*parts: Any) -> str:
    return digest_of("page", *parts)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
