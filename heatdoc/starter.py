"""Starter files: `heatdoc new SPEC` (one spec) and `heatdoc init DIR` (a project)."""
from __future__ import annotations

import os
from pathlib import Path

from heatdoc.errors import HeatdocError, SpecError, UsageError
from heatdoc.site.plan import readable_name
from heatdoc.site.project import find_root, open_project

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
    title = readable_name(path.stem) or "New heatmap"
    text = STARTER_SPEC.format(schema=schema_modeline_target(path), title=title)
    with open(path, "x", encoding="utf-8") as fh:
        fh.write(text)
    return path


STARTER_SETTINGS = """\
# Site settings of this heatdoc project. Every key has a default; the spec reference
# page of the built site (site/reference.html) lists them all.
title: {title}
description: |
  Heatmaps written as YAML specs. Add one with `heatdoc new specs/SECTION/NAME.yaml`.
# Sections are the folders under specs/; list them here to order and title them.
sections:
  basics: The basics
  from-files: Read from files
"""

STARTER_CSV_SPEC = """\
# yaml-language-server: $schema={schema}
title: Scores from a CSV file
description: |
  The header row gives the x labels and the first column the y labels;
  the cells show the values, the colour bar runs from 0 to 10.
tags: [example, csv]

z: {{file: ../../data/scores.csv}}
text_auto: true
zmin: 0
zmax: 10
colorscale: Blues
"""

STARTER_CSV = """\
team,Mon,Tue,Wed,Thu,Fri
Red,7,5,9,4,6
Green,3,8,6,7,2
Blue,5,5,10,6,8
"""

STARTER_MAIN = """\
{#- Overrides of the default theme: a file here replaces the theme's file of the same
    name. This one changes blocks of every page; see the docs (templates.md) for the
    blocks (title, head, header, content, footer, scripts) and the `site`/`page` fields.
    Delete it to use the theme as it is. -#}
{% extends "base.html" %}
{#
{% block footer %}
<footer class="site-footer"><div class="wrap"><p>Made by our team.</p></div></footer>
{% endblock %}
#}
"""


def init_project(directory: Path) -> Path:
    """Write a starter project (settings, two specs in two sections, a data file, a
    template override) into a new or empty folder; it builds as it is."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(f"{directory} exists and is not an empty folder; heatdoc init writes a "
                         "new project into a new or empty folder")
    title = readable_name(directory.resolve().name)
    files = {
        "heatdoc.yaml": STARTER_SETTINGS.format(title=title or "Heatmap gallery"),
        "data/scores.csv": STARTER_CSV,
        "templates/main.html": STARTER_MAIN,
        ".gitignore": "site/\n",
    }
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    write_spec(directory / "specs" / "basics" / "first-heatmap.yaml")
    csv_spec = directory / "specs" / "from-files" / "scores.yaml"
    csv_spec.parent.mkdir(parents=True, exist_ok=True)
    csv_spec.write_text(STARTER_CSV_SPEC.format(schema=schema_modeline_target(csv_spec)), encoding="utf-8")
    return directory
