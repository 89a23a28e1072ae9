"""The CSV download's format, written out in Python: what the page's script
(heatdoc/templates/assets/heatdoc.js) must make from a chart's figure. The browser tests
compare the file a click downloads with `expected_csv` of the spec.

The format: a header row of the x labels after an empty corner field, then one row per y
label in the order of the data, "\\n" line ends, UTF-8 without a byte-order mark. A gap is
an empty field. A label is quoted as RFC 4180 says when it holds `,`, `"`, CR or LF, and
one that a spreadsheet would run as a formula gets a leading `'` (`csv_text`). A number
is written as JavaScript's String(number) writes it (`js_number`). Both rules are
heatdoc's own (heatdoc/site/downloads.py, which writes the files of `downloads: files`);
the layout of the file (expected_csv) is written out here.
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

# the rules a field follows, as `downloads: files` writes them (heatdoc/site/downloads.py)
from heatdoc.site.downloads import csv_text, js_number

__all__ = ["csv_text", "expected_csv", "js_number"]


def expected_csv(z: np.ndarray, x: list[str] | None, y: list[str] | None) -> bytes:
    """The CSV download of a chart whose figure has this z and these labels (None: 0, 1, 2, ...)."""
    rows, cols = z.shape
    x = x if x is not None else [str(j) for j in range(cols)]
    y = y if y is not None else [str(i) for i in range(rows)]
    lines = ["".join("," + csv_text(label) for label in x)]
    for label, row in zip(y, z.tolist()):
        lines.append(",".join([csv_text(label), *_cells(row)]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _cells(row: Iterable[float]) -> list[str]:
    return ["" if math.isnan(v) else js_number(v) for v in row]
