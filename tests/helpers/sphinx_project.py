"""A small Sphinx project with heatdoc charts (tests/test_sphinx.py), written into a folder:
reST and MyST pages, charts from spec files and inline, a 300×300 chart, a page without
a chart (the theme's own accessibility baseline), and a project with bad specs."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

# The cells each chart page draws, in the page's order: (rows, columns).
TEAMS = (3, 3)
SMALL = (2, 4)
INLINE = (2, 3)
BIG = (300, 300)
CHARTS = {
    "rest": [TEAMS, SMALL, INLINE],
    "myst": [TEAMS, TEAMS, SMALL, INLINE],
    "sub/nested": [TEAMS],
    "big": [BIG],
}
# Cell values that only the charts' data hold (search must not index them).
SMALL_VALUES = ["4711.25", "4712.25", "4713.25", "4714.25", "4715.25", "4716.25", "4717.25", "4718.25"]
INLINE_VALUES = ["8642.5", "8643.5", "8644.5", "8645.5", "8646.5", "8647.5"]
BIG_FIRST = 600_000  # the 300×300 chart's cells are BIG_FIRST, BIG_FIRST + 1, ...

CONF = """\
project = "heatdoc fixture"
extensions = ["heatdoc.sphinx", "myst_parser", "sphinxcontrib.cairosvgconverter"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "alabaster"
"""

INDEX = """\
heatdoc fixture
===============

.. toctree::

   rest
   myst
   plain
   big
   sub/nested
"""

REST = """\
Charts in reST
==============

A chart from a spec file, with a caption and a height.

.. heatmap:: ../specs/teams.yaml
   :caption: Games won by each team
   :height: 300px

A chart of a data file, written inline:

.. heatmap::

   title: Small inline
   z: {file: ../data/small.csv}
   colorscale: Viridis

And one with its matrix inline.

.. heatmap::

   title: Inline numbers
   z: [[8642.5, 8643.5, 8644.5], [8645.5, 8646.5, 8647.5]]
   text_auto: true
"""

MYST = """\
# Charts in MyST

The directive:

```{heatmap} ../specs/teams.yaml
```

The fenced block with a path:

```heatmap
../specs/teams.yaml
```

An inline spec in a fenced block:

```heatmap
title: Small in Markdown
z: {file: ../data/small.csv}
```

Numbers inline:

```{heatmap}
title: Inline numbers in MyST
z: [[8642.5, 8643.5, 8644.5], [8645.5, 8646.5, 8647.5]]
text_auto: true
```
"""

PLAIN = """\
No chart here
=============

A page without a chart. A word to search for: quokka.
"""

BIG_PAGE = """\
A big chart
===========

.. heatmap:: /../specs/big.yaml
"""

NESTED = """\
Nested page
===========

A path from the source folder, with a leading slash.

.. heatmap:: /charts/teams.yaml
"""

TEAMS_SPEC = """\
title: Games won
x: [Team A, Team B, Team C]
y: [Game One, Game Two, Game Three]
z: [[1, 3, 5], [10, 8, 6], [6, 4, 2]]
text_auto: true
"""


def write_project(root: Path) -> Path:
    """The fixture project under ``root`` (with heatdoc.yaml: the folder data paths may not
    leave); returns the Sphinx source folder, ``root/docs``."""
    files = {
        "heatdoc.yaml": "title: fixture\n",
        "specs/teams.yaml": TEAMS_SPEC,
        "specs/big.yaml": "title: Big matrix\nz: {file: ../data/big.csv, labels: false}\n",
        "data/small.csv": "," + ",".join("abcd") + "\n"
                          + "r1," + ",".join(SMALL_VALUES[:4]) + "\n"
                          + "r2," + ",".join(SMALL_VALUES[4:]) + "\n",
        "data/big.csv": "".join(",".join(str(BIG_FIRST + r * BIG[1] + c) for c in range(BIG[1])) + "\n"
                                for r in range(BIG[0])),
        "docs/conf.py": CONF,
        "docs/index.rst": INDEX,
        "docs/rest.rst": REST,
        "docs/myst.md": MYST,
        "docs/plain.rst": PLAIN,
        "docs/big.rst": BIG_PAGE,
        "docs/sub/nested.rst": NESTED,
        "docs/charts/teams.yaml": TEAMS_SPEC,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "docs"


BAD_SPEC = """\
title: Misspelt
z: [[1, 2], [3, 4]]
colorscale: Viridiss
"""

BAD_REST = """\
Bad charts
==========

.. heatmap:: bad.yaml

.. heatmap::

   title: Bad inline
   z: [[1, 2], [3, abc]]
"""

BAD_MYST = """\
# Bad in MyST

Some text.

```heatmap
title: Bad fence
z: [[1, 2], [3]]
```

The directive, inline:

```{heatmap}
:caption: Bad directive
title: Bad directive
z: [[1, 2], [3, 4]]
colorscale: Viridiss
```

An empty fence:

```heatmap
```
"""


def write_bad_project(root: Path) -> Path:
    """A project whose pages use bad specs; returns its source folder."""
    files = {
        "conf.py": CONF.replace(', "sphinxcontrib.cairosvgconverter"', ""),
        "index.rst": "Bad\n===\n\n.. toctree::\n\n   bad\n   badmyst\n",
        "bad.rst": BAD_REST,
        "badmyst.md": BAD_MYST,
        "bad.yaml": BAD_SPEC,
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def sphinx_build(src: Path, out: Path, *args: str, builder: str = "html",
                 timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m sphinx -b BUILDER SRC OUT ARGS` as a user runs it."""
    # NO_COLOR: Sphinx colours its log when CI=true (as CI sets it), and tests read the log
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "sphinx", "-b", builder, *args, str(src), str(out)],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=src)


def dedent(text: str) -> str:
    return textwrap.dedent(text)
