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
    return p


def main(argv: Sequence[str] | None = None) -> int:
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
    start = args.paths[0] if args.paths else Path.cwd()
    project = open_project(find_root(start if start.is_dir() else start.parent))
    files = project.spec_files(args.paths or None)
    if not files:
        raise UsageError(f"no spec files (*.yaml) found in {', '.join(map(str, args.paths or [project.specs_dir]))}")
    ctx = ReadContext(project.root, project.settings["max_cells"])
    errors, warnings = [], []
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
    print(f"{len(files)} spec{'s' if len(files) != 1 else ''} valid"
          + (f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""))
    return 0


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
