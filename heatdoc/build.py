"""`heatdoc build`: a project's specs become a static site, or nothing is written.

One function of named stages. Everything that can fail because of what a user wrote
(settings, specs, page paths, templates) happens before the first byte is written,
and the write itself replaces the previous site in one step.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .errors import HeatdocError, UsageError


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
    from .compile import compile_figure
    from .load import load_yaml
    from .pages import plan_site
    from .project import open_project
    from .render import render_site
    from .sources import ReadContext
    from .validate import check_spec
    from .write import check_output, write_site

    started = time.perf_counter()
    progress = Progress(None if quiet else sys.stderr, started)

    # 1. Settings first: heatdoc.yaml says where the specs, templates and site are.
    project = open_project(Path(project_dir))

    # 2. Judge the output folder before reading a single spec: a refused folder should
    #    not cost a full validation, and nothing may be created there by mistake.
    site_dir = check_output(Path(out) if out is not None else project.output_dir, project)

    files = project.spec_files() if project.specs_dir.is_dir() else []
    if not files:
        raise UsageError(f"no spec files (*.yaml) in {project.specs_dir}; write one with "
                         f"`heatdoc new {_shown(project.specs_dir / 'first.yaml')}`")

    # 3. Load and validate ALL specs, collecting every error: a build that stopped at
    #    the first bad spec would make a user fix them one run at a time.
    ctx = ReadContext(project.root, project.settings["max_cells"])
    specs, errors = [], []
    for i, path in enumerate(files, 1):
        try:
            specs.append(check_spec(load_yaml(path), ctx))
        except HeatdocError as exc:
            errors.extend(exc.errors)
        progress.show(f"reading {len(files)} specs", i, len(files))
    if errors:
        raise HeatdocError(errors)

    # 4. Place every spec in the site (paths, sections, previous/next) before rendering,
    #    so two specs that would write one page are an error naming both.
    plan = plan_site(project, specs)

    # 5. Compile each spec to its figure. The page carries it without plotly's template,
    #    which every page shares from assets/.
    figures = {chart.stem: compile_figure(chart.spec, template=False) for chart in plan.charts}

    # 6. Render every page and file into memory. A broken template override is still a
    #    user error with nothing written, and the previous site is still untouched.
    done = [0]

    def tick() -> None:
        done[0] += 1
        progress.show(f"rendering {len(plan.charts)} chart pages", done[0], len(plan.charts))

    site_files, warnings = render_site(plan, figures, project, tick)
    warnings = plan.warnings + warnings

    # 7. Write: staged beside the output, unchanged files kept, swapped in whole.
    progress.show(f"writing {_shown(site_dir)}", 1, 1)
    try:
        written = write_site(site_dir, site_files)
    except OSError as exc:
        raise UsageError(f"cannot write the site to {site_dir}: {exc.strerror or exc}"
                         f"{f' ({exc.filename})' if exc.filename else ''}; the previous site is "
                         "unchanged") from None

    pages = sum(1 for name in site_files if name.endswith(".html"))
    report = BuildReport(site_dir, len(plan.charts), sum(1 for s in plan.sections if s.page), pages,
                         written.written, written.unchanged, time.perf_counter() - started,
                         tuple(warnings))
    progress.done()
    if not quiet:
        for warning in warnings:
            print(f"heatdoc: warning: {warning}", file=sys.stderr)
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
    """A path as the user would type it: relative to the current folder when inside it."""
    try:
        rel = path.resolve().relative_to(Path.cwd().resolve())
        return (rel.as_posix() or ".") + ("/" if path.is_dir() else "")
    except ValueError:
        return str(path)
