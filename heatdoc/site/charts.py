"""Each chart on its own: a spec file is loaded, validated and compiled, and becomes its
chart's parts, or its errors.

A chart's *parts* are everything about it that does not depend on where it sits in the
site: the thumbnail, the figure as the page carries it, the page's other fields. They are
made once per spec and kept in the build cache (`heatdoc.site.cache`) under a key of every byte
they come from, so an unchanged spec is neither parsed, validated nor compiled again. What
depends on the neighbours (links, section, breadcrumbs) is left to `render`.

For a large project the specs that need work are shared out over a pool of processes
(`heatdoc.site.pool`): a small one is done in this process, as a pool costs more to start
than ten charts cost to make.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import orjson

from heatdoc.errors import SpecError
from heatdoc.site import pool
from heatdoc.site.cache import BuildCache
from heatdoc.site.cache.digests import RACY_NS
from heatdoc.site.cache.packs import (
    ALONE,
    new_alone_base,
    new_pack,
    part_file,
    tmp_folder,
)
from heatdoc.site.project import Project, name_in_project

YAML_SHOWN_CHARS = 100_000  # a longer spec (inline data) is cut on the page; the CSV download has it all
# The parts that are files of the site, beside the page. The CSV and JSON downloads are
# made in the browser from the page's figure (docs/performance.md: a file costs more to
# create than a chart costs to make), unless heatdoc.yaml says `downloads: files`.
PART_FILES = (".svg", ".csv", ".json")


@dataclass(frozen=True)
class SpecSummary:
    """What planning the site needs of a spec (`plan.PlannedSpec`, read by `plan.plan_site`)."""

    path: Path
    title: str
    order: float | None
    tags: list[str]
    description: str
    warnings: tuple[str, ...] = ()  # the spec's readability warnings, each one line


@dataclass(frozen=True)
class ChartParts:
    """A spec's chart: its summary, and its parts. The small parts sit in a pack of the
    cache (``pack``: the parts of many charts, one after the other); ``blobs`` gives where
    each part is in it, [offset, length]. A big part is a file of its own, named
    ``alone_base`` + its name (offset `ALONE`, `heatdoc.site.cache.packs.part_file`).
    ``name`` is the spec's path relative to the project, as the cache names it."""

    summary: SpecSummary
    key: str
    pack: Path
    alone_base: Path | str
    blobs: dict[str, list[int]]
    name: str = ""

    def part(self, name: str) -> tuple[Path, int, int]:
        """Where the bytes of a part are: (file, offset, length). The site file CHART.svg
        is the part named by its suffix."""
        offset, length = self.blobs[name]
        if offset == ALONE:
            return Path(part_file(self.alone_base, name)), 0, length
        return self.pack, offset, length

    def is_alone(self, name: str) -> bool:
        """Is this part a file of its own (which the site may hard-link)?"""
        return self.blobs[name][0] == ALONE

    def fields(self, figure: bool = True) -> dict[str, Any]:
        """The page fields (`render.ChartPage`), with the figure as the page carries it
        (unless ``figure`` is false: a big page copies it from its file as it is written)."""
        fields = orjson.loads(_read(*self.part("fields")))
        if figure:
            fields["figure_json"] = _read(*self.part("figure")).decode("utf-8")
        return fields


BIG_PART = 1 << 20  # a part this big gets a file of its own, which the site hard-links


def _read(path: Path, offset: int, length: int) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read(length)
    if len(data) != length:
        raise OSError(f"{path} is shorter than the build cache says")
    return data


def read_charts(project: Project, files: list[Path], cache: BuildCache,
                tick: Callable[[], None] = lambda: None) -> tuple[list[ChartParts], list[SpecError]]:
    """A chart for every spec file (in the order given), or every error of every spec.
    The cache gives the charts of the last build whose spec and data are unchanged, and
    keeps the ones made here."""
    started = cache.build
    settings = _chart_settings(project)
    charts: dict[Path, ChartParts] = {}
    names = {path: name_in_project(path, project.root) for path in files}
    todo = []
    for path in files:
        name = names[path]
        record = cache.catalog.known(name, settings)
        if record is not None:
            charts[path] = ChartParts(_summary(path, record["summary"]), record["key"],
                                      cache.packs.path(record["pack"]), cache.packs.alone_base(record["key"]),
                                      record["blobs"], name)
            cache.catalog.remember(name, record)
            tick()
        else:
            todo.append(path)
    errors: list[SpecError] = []
    if todo:
        cache.ensure_folder()
        # The spec's digest before it is read: an edit during the build is seen next time.
        before = {path: cache.digests.digest(path) for path in todo}
        reading = tuple((k, project.settings[k]) for k in READ_SETTINGS)
        jobs = [(path, project.root, reading, started, project.settings.get("downloads", "browser"))
                for path in todo]
        # Specs that read data files go first: one big matrix must not finish last, alone.
        heavy = [i for i, path in enumerate(todo) if _reads_files(path)]
        for path, result in zip(todo, pool.run(_make_chart, jobs, first=heavy)):
            tick()
            if isinstance(result, list):
                errors.extend(result)
                continue
            pack, alone_base, blobs, summary, data = result
            name = names[path]
            data_digests = [(d, cache.digests.digest(project.root / d)) for d in data]
            key = cache.catalog.chart_key(settings, name, before[path], data_digests)
            # A file written while this build read it: its chart is used now, but never
            # kept, and its key matches nothing later, so the next build makes it again.
            if before[path] is None or _changed_since(started, [path] + _data_paths(project.root, data)):
                key = f"unkept-{os.urandom(16).hex()}"
            else:
                cache.packs.keep(Path(pack), Path(alone_base), key, blobs)
                cache.catalog.remember(name, {"key": key, "data": data, "summary": summary, "blobs": blobs,
                                              "pack": Path(pack).name})
            # this build uses the new parts where they are, in tmp/ (all workers are done:
            # every pack is whole)
            charts[path] = ChartParts(_summary(path, summary), key, Path(pack), alone_base, blobs, name)
    return [charts[p] for p in files if p in charts], errors


def _reads_files(path: Path) -> bool:
    try:
        text = path.read_bytes()
    except OSError:
        return False
    return b"file:" in text or b"database:" in text


def _data_paths(root: Path, data: list[str]) -> list[Path]:
    """The files behind the data names: a glob pattern by what it matches now."""
    from heatdoc.sources.patterns import Outside, is_pattern, matches

    paths = []
    for name in data:
        try:
            paths += matches(root / name, root) if is_pattern(name) else [root / name]
        except Outside:
            paths.append(root / name)  # no file by that name: never kept
    return paths


def _changed_since(started_ns: int, paths: list[Path]) -> bool:
    for p in paths:
        try:
            if os.stat(p).st_mtime_ns >= started_ns - RACY_NS:
                return True
        except OSError:
            return True
    return False


def _summary(path: Path, s: dict[str, Any]) -> SpecSummary:
    return SpecSummary(path, s["title"], s["order"], list(s["tags"]), s["description"],
                       tuple(s.get("warnings", ())))


def _chart_settings(project: Project) -> dict[str, Any]:
    # All of heatdoc.yaml: a chart's parts depend on few settings today (max_cells), but a
    # key that holds them all cannot go stale when a new one starts to matter.
    return project.settings


# --- making one chart (in this process or a worker) -------------------------------------

READ_SETTINGS = ("max_cells", "long_tables", "duckdb_memory_limit")  # what ReadContext.for_project reads


def _make_chart(job: tuple  # (spec, project root, read settings, build, [downloads setting])
                ) -> tuple[str, str, dict[str, list[int]], dict[str, Any], list[str]] | list[SpecError]:
    """Load, validate and compile one spec and add its parts to this process's pack of
    the cache: (the pack, the name its big parts start with, where each part is, the
    spec's summary, the data files it read), or the spec's errors."""
    from heatdoc.errors import HeatdocError
    from heatdoc.spec.compile import compile_figure
    from heatdoc.spec.load import load_yaml
    from heatdoc.spec.readability import spec_warnings
    from heatdoc.spec.validate import check_spec

    path, root, reading, build, *more = job
    downloads = more[0] if more else "browser"
    if isinstance(reading, int):  # max_cells alone: the other settings at their defaults
        reading = (("max_cells", reading),)
    ctx = _read_context(root, reading, build)
    try:
        doc = load_yaml(path)
        spec = check_spec(doc, ctx)
    except HeatdocError as exc:
        return exc.errors
    # a figure whose base64 alone is a big part is written as it is made (`compile.Base64`)
    figure = compile_figure(spec, template=False, lazy=spec.z.size * 32 // 3 >= BIG_PART)
    # One pack a process and build: a thousand charts make two files, not a thousand
    tmp = tmp_folder(root)
    pack, alone_base = new_pack(tmp, build), new_alone_base(tmp, build)
    blobs = write_parts(pack, alone_base, spec, figure, download_files=downloads == "files")
    summary = {"title": spec.title, "order": spec.order, "tags": list(spec.tags),
               "description": spec.description, "warnings": list(map(str, spec_warnings(spec, figure)))}
    return str(pack), str(alone_base), blobs, summary, data_files(doc.path, doc.data, root)


def panels_alt(spec: Any) -> str:
    """What the thumbnail and the data table leave out of a facet or an animation: they show
    its first panel or frame."""
    if not spec.panels:
        return ""
    what = "panel" if "facet" in spec.options else "frame"
    key = spec.options.get("facet") or spec.options.get("animation")
    return f"; its first {what} of {len(spec.panels)} ({key}={spec.panels[0].label})"


@lru_cache(maxsize=1)
def _read_context(root: Path, reading: tuple, build: int) -> Any:
    """The reads of this process in one build: a data file that several specs read is
    read once a build, and never kept for the next one (`heatdoc serve` builds in one
    process). A memo, not a hand-over: each worker makes its own from its job."""
    from heatdoc.sources.dispatch import ReadContext

    return ReadContext.for_project(root, dict(reading))


def write_parts(pack: Path, alone_base: Path, spec: Any, figure: dict[str, Any], *,
                download_files: bool = False) -> dict[str, list[int]]:
    """The chart's parts, added one after the other at the end of ``pack``: thumbnail,
    the figure as the page carries it (without plotly's template), and the page's other
    fields (and with ``download_files``, its CSV and JSON downloads); a big one in a file
    of its own, named ``alone_base`` + its name. Returns where each one is."""
    from heatdoc.jsonout import script_json_chunks
    from heatdoc.site.render.datatable import data_table
    from heatdoc.site.render.markdown import markdown_html
    from heatdoc.site.render.thumbnails import thumbnail_svg

    rows, cols = spec.shape
    table = data_table(spec)
    # a matrix too big for a table has only the CSV download, which needs JavaScript
    where = "; the values are in the data table below" if table else ""
    text = spec.doc.text
    fields = dict(
        tags=list(spec.tags), description=str(markdown_html(spec.description)),
        thumbnail_alt=f"Heatmap “{spec.title}”, {rows} × {cols} cells{panels_alt(spec)}{where}.",
        rows=rows, columns=cols, yaml=text[:YAML_SHOWN_CHARS], yaml_cut=len(text) > YAML_SHOWN_CHARS,
        table=None if table is None else [list(table.columns), [[r.label, list(r.cells)] for r in table.rows],
                                          list(table.parts)],
    )
    # Made one at a time and written at once: a big chart never holds all its parts in memory.
    parts: list[tuple[str, Callable[[], Iterable[bytes]]]] = [
        (".svg", lambda: [thumbnail_svg(spec.z, figure["data"][0], figure["layout"]).encode()]),
        ("figure", lambda: script_json_chunks(figure)),  # pieces: a big one is never whole
        ("fields", lambda: [orjson.dumps(fields)]),
    ]
    if download_files:
        from heatdoc.site.downloads import figure_json, in_pieces, matrix_csv
        from heatdoc.spec.compile import plotly_template

        parts += [(".csv", lambda: in_pieces(matrix_csv(figure["data"][0]), BIG_PART)),
                  (".json", lambda: in_pieces(figure_json(figure, plotly_template()), BIG_PART))]
    blobs = {}
    with open(pack, "ab") as fh:
        offset = fh.seek(0, os.SEEK_END)
        for name, make in parts:
            pieces = iter(make())
            data = next(pieces, b"")
            more = next(pieces, None)
            if more is not None:  # written a piece at a time, to a file of its own
                with open(part_file(alone_base, name), "wb") as out:
                    size = out.write(data) + out.write(more) + sum(out.write(piece) for piece in pieces)
                blobs[name] = [ALONE, size]
                continue
            if len(data) >= BIG_PART:
                with open(part_file(alone_base, name), "wb") as out:
                    out.write(data)
                blobs[name] = [ALONE, len(data)]
            else:
                fh.write(data)
                blobs[name] = [offset, len(data)]
                offset += len(data)
            del data
    return blobs


def data_files(spec_path: Path, data: Any, root: Path) -> list[str]:
    """The data files a valid spec reads, relative to the project: every ``file`` and
    ``database`` of its matrices (docs/data-sources.md)."""
    sources = []
    if isinstance(data, dict):
        sources = [data.get("z"), data.get("text")]
        if isinstance(data.get("customdata"), dict):
            sources += list(data["customdata"].values())
    found = []
    for source in sources:
        if isinstance(source, dict):
            # a glob pattern is a name too (its digest covers every match); a `url`'s
            # name is no file, so the chart is made again every build
            for key in ("file", "database", "url"):
                if isinstance(source.get(key), str):
                    found.append(name_in_project(spec_path.parent / source[key], root))
    return sorted(set(found))
