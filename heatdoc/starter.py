"""Starter files: `heatdoc new SPEC`."""
from __future__ import annotations

import os
from pathlib import Path

from .errors import HeatdocError, SpecError
from .project import find_root, open_project

STARTER_SPEC = """\
# yaml-language-server: $schema={schema}
title: {title}
description: |
  What this heatmap shows, in Markdown.
tags: [example]

z: [[1, 2, 3],
    [4, 5, 6]]
x: [A, B, C]
y: [first, second]
text_auto: true
colorscale: Viridis
"""


def schema_modeline_target(spec_path: Path) -> str:
    """Relative path from the spec's folder to the schema the build publishes."""
    project = open_project(find_root(spec_path.parent))
    schema = project.output_dir / "heatdoc.schema.json"
    return Path(os.path.relpath(schema, spec_path.parent.resolve())).as_posix()


def write_spec(path: Path) -> Path:
    if path.exists():
        raise HeatdocError([SpecError(str(path), 1, 1, "", "the file exists already; heatdoc new "
                                      "never overwrites a file")])
    path.parent.mkdir(parents=True, exist_ok=True)
    title = path.stem.replace("-", " ").replace("_", " ").strip().capitalize() or "New heatmap"
    text = STARTER_SPEC.format(schema=schema_modeline_target(path), title=title)
    with open(path, "x", encoding="utf-8") as fh:
        fh.write(text)
    return path
