"""The command line: a thin layer over the stages. Exit 0 ok, 1 invalid input, 2 usage.

Nothing heavy is imported at module level, so `heatdoc --help` starts fast.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from heatdoc.errors import HeatdocError, UsageError

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    COMMANDS[fn.__name__.removeprefix("cmd_")] = fn
    return fn


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="heatdoc", description="YAML specs -> annotated Plotly heatmaps "
                                "and a static HTML gallery.")
    p.add_argument("--version", action="version", version=f"heatdoc {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    s = sub.add_parser("validate", help="check specs (files or folders); exit 1 on any error")
    s.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="spec files or folders (default: the project's specs folder)")
    s.add_argument("--only-specs", action="store_true",
                   help="skip each given file that is not in its project's specs folder (heatdoc.yaml, "
                   "CI files, ...): for a pre-commit hook that passes every staged YAML file")

    s = sub.add_parser("figure", help="print the compiled Plotly figure of a spec as JSON")
    s.add_argument("spec", type=Path, metavar="SPEC")

    sub.add_parser("schema", help="print the JSON Schema of a spec")

    s = sub.add_parser("new", help="write a starter spec")
    s.add_argument("spec", type=Path, metavar="SPEC")

    s = sub.add_parser("build", help="validate every spec, then write the site")
    s.add_argument("dir", nargs="?", type=Path, default=None, metavar="DIR",
                   help="the project folder (default: the nearest with heatdoc.yaml, else .)")
    s.add_argument("-o", "--output", type=Path, default=None, metavar="OUT",
                   help="the site folder (default: the project's output setting, site/)")

    s = sub.add_parser("serve", help="build, serve on 127.0.0.1 and rebuild on every change")
    s.add_argument("dir", nargs="?", type=Path, default=None, metavar="DIR")
    s.add_argument("--port", type=int, default=8000, metavar="N")
    s.add_argument("--host", default="127.0.0.1", metavar="HOST",
                   help="address to bind (default 127.0.0.1; anything else is reachable by others)")

    s = sub.add_parser("init", help="write a starter project that builds as it is")
    s.add_argument("dir", type=Path, metavar="DIR")

    s = sub.add_parser("diff", help="what changed in the charts between two git revisions or two folders",
                       usage="heatdoc diff [options] [BASE [HEAD]] [[--] PATH ...]",
                       description="Compare the charts of BASE (default HEAD) and HEAD (default the working "
                       "tree): two git revisions, or two project folders. PATH limits the comparison to "
                       "some specs: the first argument that names an existing file or folder (not a "
                       "project folder) starts the paths, and after -- every argument is a path.")
    s.add_argument("revisions", nargs="*", metavar="BASE HEAD PATH",
                   help="git revisions or project folders, then spec files or folders")
    s.add_argument("--project", type=Path, default=None, metavar="DIR",
                   help="the project folder (default: the nearest with heatdoc.yaml, else .)")
    s.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    s.add_argument("--tolerance", type=float, default=None, metavar="REL",
                   help="a cell changed when |HEAD - BASE| > REL x max(|BASE|, |HEAD|) (default: whole "
                   "numbers exactly, others 1e-9)")
    s.add_argument("--top", type=int, default=10, metavar="N", help="changed cells listed per chart (default 10)")
    s.add_argument("--site", type=Path, default=None, metavar="OUT",
                   help="also write a diff site to OUT (before, after and difference of each changed chart)")
    s.add_argument("--exit-code", action="store_true",
                   help="exit 1 when a chart changed (was added, removed or moved), 0 when none did")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" in argv and argv[:1] == ["diff"]:  # heatdoc diff [BASE [HEAD]] -- PATH ...
        cut = argv.index("--")
        args = parser().parse_args(argv[:cut])
        args.paths = [Path(p) for p in argv[cut + 1:]]
    else:
        args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except HeatdocError as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        n = len(exc.errors)
        print(f"heatdoc: {n} error{'s' if n != 1 else ''}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"heatdoc: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("heatdoc: interrupted", file=sys.stderr)
        return 130
    except ModuleNotFoundError as exc:  # an install without heatdoc's dependencies
        if (exc.name or "heatdoc").split(".")[0] == "heatdoc":
            raise  # a module of heatdoc's own: a bug, shown as one
        print(f"heatdoc: the Python package {exc.name!r} is missing from this environment; "
              f"install heatdoc with its dependencies (pip install -e . in a checkout)", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `heatdoc figure x.yaml | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _version() -> str:
    from heatdoc import __version__

    return __version__


@command
def cmd_validate(args: argparse.Namespace) -> int:
    from heatdoc.site.project import find_root, open_project
    from heatdoc.sources.dispatch import ReadContext
    from heatdoc.spec.compile import compile_figure
    from heatdoc.spec.load import load_yaml
    from heatdoc.spec.readability import spec_warnings
    from heatdoc.spec.validate import check_spec

    for p in args.paths:
        if not p.exists():
            raise UsageError(f"no such file or folder: {p}")
    if args.only_specs and args.paths:
        groups = _specs_by_project(args.paths)
    else:
        start = args.paths[0] if args.paths else Path.cwd()
        project = open_project(find_root(start if start.is_dir() else start.parent))
        groups = [(project, project.spec_files(args.paths or None))]
        if not groups[0][1]:
            raise UsageError(f"no spec files (*.yaml) found in {', '.join(map(str, args.paths or [project.specs_dir]))}")
    errors, warnings, count = [], [], 0
    for project, files in groups:
        ctx = ReadContext.for_project(project.root, project.settings)
        count += len(files)
        for path in files:
            try:
                project.check_inside(path)
                spec = check_spec(load_yaml(path), ctx)
            except HeatdocError as exc:
                errors.extend(exc.errors)
                continue
            warnings.extend(spec_warnings(spec, compile_figure(spec, template=False)))
    for warning in warnings:  # a warning never fails: exit 0 when there is nothing else
        print(warning, file=sys.stderr)
    if errors:
        raise HeatdocError(errors)
    print(f"{count} spec{'s' if count != 1 else ''} valid"
          + (f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""))
    return 0


def _specs_by_project(paths: list[Path]) -> list:
    """The given files that are specs, by project: each file belongs to the nearest project
    above it, and is a spec when it lies in that project's specs folder. Everything else a
    hook may pass (heatdoc.yaml, .pre-commit-config.yaml, CI files) is skipped."""
    from heatdoc.site.project import find_root, open_project

    projects: dict[Path, tuple] = {}
    for path in paths:
        for spec in (sorted(path.rglob("*.y*ml")) if path.is_dir() else [path]):
            root = find_root(spec.parent)
            if root not in projects:
                projects[root] = (open_project(root), [])
            project, files = projects[root]
            if spec.suffix in (".yaml", ".yml") and spec.resolve().is_relative_to(project.specs_dir.resolve()):
                files.append(spec)
    return [group for group in projects.values() if group[1]]


@command
def cmd_figure(args: argparse.Namespace) -> int:
    from heatdoc import figure_dict
    from heatdoc.jsonout import dumps

    if not args.spec.is_file():
        raise UsageError(f"no such spec file: {args.spec}")
    sys.stdout.write(dumps(figure_dict(args.spec), indent=True) + "\n")
    return 0


@command
def cmd_schema(args: argparse.Namespace) -> int:
    from heatdoc.jsonout import dumps
    from heatdoc.spec.schema import SPEC_SCHEMA

    sys.stdout.write(dumps(SPEC_SCHEMA, indent=True) + "\n")
    return 0


@command
def cmd_new(args: argparse.Namespace) -> int:
    from heatdoc.starter import write_spec

    path = write_spec(args.spec)
    print(f"wrote {path}")
    return 0


def _project_dir(given: Path | None) -> Path:
    from heatdoc.site.project import find_root

    if given is None:
        return find_root(Path.cwd())
    if not given.is_dir():
        raise UsageError(f"no such project folder: {given}")
    return given


@command
def cmd_build(args: argparse.Namespace) -> int:
    from heatdoc.site.build import build_site

    build_site(_project_dir(args.dir), args.output)
    return 0


@command
def cmd_serve(args: argparse.Namespace) -> int:
    from heatdoc.serve.rebuild import serve

    return serve(_project_dir(args.dir), port=args.port, host=args.host)


@command
def cmd_init(args: argparse.Namespace) -> int:
    from heatdoc.starter import init_project

    path = init_project(args.dir)
    print(f"wrote a starter project in {path}; build it with: heatdoc build {args.dir}")
    return 0


@command
def cmd_diff(args: argparse.Namespace) -> int:
    from heatdoc.diff.compare import compare_sides, project_paths
    from heatdoc.diff.report import as_json, render_json, render_markdown, render_text
    from heatdoc.diff.revisions import open_sides, split_arguments

    if args.tolerance is not None and not args.tolerance >= 0:
        raise UsageError(f"--tolerance must be 0 or more, got {args.tolerance}")
    if args.top < 0:
        raise UsageError(f"--top must be 0 or more, got {args.top}")
    project_dir = _project_dir(args.project)
    base, head, paths = split_arguments(args.revisions, getattr(args, "paths", None))
    with open_sides(base, head, project_dir) as sides:
        only = project_paths(paths, sides) if paths else None
        pairs = compare_sides(sides, only, tolerance=args.tolerance, top=args.top)
        data = as_json(sides, pairs, args.tolerance)
        if args.site is not None:
            from heatdoc.diff.site import write_diff_site

            site = write_diff_site(args.site, sides, pairs, data)
            print(f"heatdoc: wrote the diff site {site}", file=sys.stderr)
    render = {"text": render_text, "markdown": render_markdown, "json": render_json}[args.format]
    sys.stdout.write(render(data))
    if args.exit_code:
        return 1 if any(p.changed for p in pairs) else 0
    return 0
