"""`heatdoc build`: a project's specs become a static site, or nothing is written.

One function of named stages, in this order: the up-to-date check (site/uptodate.py),
settings (site/project.py), the output folder judged (site/write.py), every spec loaded,
validated and compiled (spec/, through site/charts.py), the site planned (site/plan.py),
rendered (site/render/) and written (site/write.py). Everything that can fail because of
what a user wrote (settings, specs, page paths, templates) happens before the first byte
is written, and the write itself is all or nothing.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from heatdoc.errors import HeatdocError, UsageError, display_path, is_located_warning


@dataclass(frozen=True)
class BuildReport:
    """What a build did; ``site`` is the output folder."""

    site: Path
    charts: int
    sections: int
    pages: int
    written: int  # files whose content changed (or are new)
    unchanged: int  # files kept as they were (same bytes, same mtime)
    seconds: float
    warnings: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        warned = f"{len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}"
        return (f"built {_shown(self.site)}: {self.charts} chart{'s' if self.charts != 1 else ''} in "
                f"{self.sections} section{'s' if self.sections != 1 else ''}, {self.pages} pages, "
                f"{self.written} files written, {self.unchanged} unchanged, {self.seconds:.2f} s, {warned}")


def build_site(project_dir: Path, out: Path | None = None, *, quiet: bool = False) -> BuildReport:
    """Validate every spec of the project in ``project_dir``, then write its site to ``out``
    (default: the project's ``output`` setting). Raise HeatdocError listing every error
    (nothing written), or UsageError for an output folder heatdoc must not touch."""
    from heatdoc.site.uptodate import unchanged_site

    started = time.perf_counter()
    progress = Progress(None if quiet else sys.stderr, started)

    # 0. When every input is byte for byte what the last build of this site read, and the
    #    site is as that build left it, there is nothing to do (site/uptodate.py).
    check = unchanged_site(Path(project_dir), Path(out) if out is not None else None)
    last = check.record
    if last is not None:
        return _finish(BuildReport(last["site"], len(last["charts"]), last["sections"], last["pages"], 0,
                                   len(last["files"]), time.perf_counter() - started,
                                   tuple(last["warnings"])), progress, quiet)

    from heatdoc.site.cache import BuildCache
    from heatdoc.site.charts import read_charts
    from heatdoc.site.files import render_changed
    from heatdoc.site.plan import plan_site
    from heatdoc.site.project import open_project
    from heatdoc.site.render.pages import render_site
    from heatdoc.site.reports import read_reports
    from heatdoc.site.uptodate import reports_record, settings_record, site_salt
    from heatdoc.site.write import check_output, write_site

    # 1. Settings first: heatdoc.yaml says where the specs, templates and site are.
    project = open_project(Path(project_dir))

    # 2. Judge the output folder before reading a single spec: a refused folder should
    #    not cost a full validation, and nothing may be created there by mistake.
    site_dir = check_output(Path(out) if out is not None else project.output_dir, project)

    # the check above listed the specs already, when heatdoc.yaml is as the last build read it
    same = check.specs is not None and check.settings == project.settings
    files = check.specs if same else project.spec_files() if project.specs_dir.is_dir() else []
    if not files:
        raise UsageError(f"no spec files (*.yaml) in {project.specs_dir}; write one with "
                         f"`heatdoc new {_shown(project.specs_dir / 'first.yaml')}`")

    # 3. Load, validate and compile ALL specs, collecting every error: a build that stopped
    #    at the first bad spec would make a user fix them one run at a time. A spec whose
    #    bytes and data are those of an earlier build is taken from the cache; the others
    #    are shared out over a process pool when there are many (site/charts.py).
    cache = BuildCache(project.root, lock=True)
    done = [0]

    def tick(stage: str) -> None:
        done[0] += 1
        progress.show(stage, done[0], len(files))

    ok = False
    try:
        errors, inside = [], []
        for path in files:
            try:
                project.check_inside(path)  # a symbolic link out of the project is refused
                inside.append(path)
            except HeatdocError as exc:
                errors.extend(exc.errors)
        try:
            charts, more = read_charts(project, inside, cache, lambda: tick(f"reading {len(files)} specs"))
        except OSError as exc:  # the charts' parts could not be written (a full disk)
            raise _cannot_write(site_dir, exc) from None
        errors.extend(more)
        # Reports (Markdown files beside the specs) are made with their charts, so a bad
        # chart in a report is listed with every other error.
        reports, more = read_reports(project, project.report_files(), inside)
        errors.extend(more)
        if errors:
            raise HeatdocError(errors)

        # 4. Place every spec and report in the site (paths, sections, previous/next) before
        #    rendering, so two specs that would write one page are an error naming both.
        plan = plan_site(project, [chart.summary for chart in charts], reports)

        # 5. Name every file of the site by its content, rendering nothing yet: a page the
        #    previous site already holds is not rendered again. A broken template override
        #    is still a user error with nothing written.
        by_path = {chart.summary.path: chart for chart in charts}
        salt = site_salt(cache.digests, project)
        done[0] = 0
        chart_count = len(plan.charts)
        site_files, warnings = render_site(plan, {c.stem: by_path[c.spec.path] for c in plan.charts},
                                           project, lambda: tick(f"rendering {chart_count} chart pages"),
                                           salt)
        # each spec's warnings first, in the order of the specs
        warnings = [w for chart in charts for w in chart.summary.warnings] + plan.warnings + warnings

        record = cache.sites.get(site_dir)
        render_changed(site_dir, site_files, record.get("files"))

        # 6. Write: changed files staged beside the output, then renamed in; unchanged
        #    files kept as they are, everything else in the folder removed.
        progress.show(f"writing {_shown(site_dir)}", 1, 1)
        try:
            written = write_site(site_dir, site_files, record.get("files"))
        except OSError as exc:
            raise _cannot_write(site_dir, exc) from None
        pages = sum(1 for name in site_files if name.endswith(".html"))
        sections = sum(1 for s in plan.sections if s.page)
        cache.catalog.keep_settings(settings_record(cache.digests, project))
        cache.sites.keep(site_dir, {
            "files": written.files, "salt": salt, "pages": pages, "sections": sections,
            "warnings": warnings, "charts": {c.name: c.key for c in charts},
            "reports": reports_record(cache.digests, project, reports)})
        ok = True
    finally:
        # 7. Keep what this build made for the next one; a build that failed leaves the
        #    project as it found it, cache included (what the last good build kept stays).
        cache.close(keep=ok)

    return _finish(BuildReport(site_dir, len(plan.charts), sections, pages, written.written,
                               written.unchanged, time.perf_counter() - started, tuple(warnings)),
                   progress, quiet)


def _cannot_write(site_dir: Path, exc: OSError) -> UsageError:
    return UsageError(f"cannot write the site to {site_dir}: {exc.strerror or exc}"
                      f"{f' ({exc.filename})' if exc.filename else ''}; the previous site is unchanged")


def _finish(report: BuildReport, progress: "Progress", quiet: bool) -> BuildReport:
    progress.done()
    if not quiet:
        for warning in report.warnings:
            # a spec's warning names its place (PATH:LINE:COL: key: warning: ...), others heatdoc
            print(warning if is_located_warning(warning) else f"heatdoc: warning: {warning}", file=sys.stderr)
        print(f"heatdoc: {report.summary()}", file=sys.stderr)
    return report


class Progress:
    """A progress line for builds that take more than a moment, on stderr.

    On a terminal it is one line rewritten in place; in a log (CI) one line per stage,
    so a slow build shows where it is without flooding the log.
    """

    DELAY = 1.0  # seconds before the first line: a quick build prints only its summary

    def __init__(self, stream: TextIO | None, started: float):
        self.stream, self.started = stream, started
        self.tty = bool(stream is not None and stream.isatty())
        self.last_stage, self.last_time, self.shown = "", 0.0, False

    def show(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if self.stream is None or now - self.started < self.DELAY:
            return
        if self.tty:
            if now - self.last_time >= 0.1 or done == total:
                self.stream.write(f"\rheatdoc: {stage}: {done}/{total}\x1b[K")
                self.stream.flush()
                self.last_time, self.shown = now, True
        elif stage != self.last_stage:
            self.stream.write(f"heatdoc: {stage}…\n")
            self.stream.flush()
        self.last_stage = stage

    def done(self) -> None:
        if self.tty and self.shown and self.stream is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _shown(path: Path) -> str:
    """A path as the user would type it, a folder with a trailing '/'."""
    return display_path(path.resolve()) + ("/" if path.is_dir() else "")
