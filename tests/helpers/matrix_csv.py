"""The CSV download's format, written out in Python: what the page's script
(heatdoc/templates/assets/heatdoc.js) must make from a chart's figure. The browser tests
compare the file a click downloads with `expected_csv` of the spec.

The format: a header row of the x labels after an empty corner field, then one row per y
label in the order of the data, "\\n" line ends, UTF-8 without a byte-order mark. A gap is
an empty field. A label is quoted as RFC 4180 says when it holds `,`, `"`, CR or LF, and
one that a spreadsheet would run as a formula gets a leading `'` (`csv_text`). A number
is written as JavaScript's String(number) writes it (`js_number`).
"""
from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Iterable

import numpy as np

FORMULA_START = "=+-@\t\r"
# ASCII digits only: "-٣" is not a number a spreadsheet reads, so it gets its '
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def js_number(v: float) -> str:
    """String(v) in JavaScript (ECMAScript Number::toString): the shortest digits that read
    back as ``v`` (the digits repr() finds), without an exponent from 1e-6 up to 1e21.
    Where repr() differs: 1e-05 -> "0.00001", 1.5e-07 -> "1.5e-7", 1e+16 ->
    "10000000000000000", 9007199254740994.0 -> "9007199254740994", 1.0 -> "1", -0.0 -> "0"."""
    if v == 0:
        return "0"
    digits_tuple = Decimal(repr(abs(v))).normalize().as_tuple()
    digits = "".join(map(str, digits_tuple.digits))
    k = len(digits)
    n = k + int(digits_tuple.exponent)  # v = 0.DIGITS × 10^n
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * -n + digits
    else:
        e = n - 1
        body = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return ("-" if v < 0 else "") + body


def csv_text(text: str) -> str:
    """A label as its CSV field: Excel, LibreOffice and Google Sheets run a field starting
    with = + - @, a tab or a carriage return, so such a label gets a leading ' (OWASP),
    unless it is a plain number (-5, +0.5, -1e3)."""
    if text[:1] and text[0] in FORMULA_START and not PLAIN_NUMBER.fullmatch(text):
        text = "'" + text
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


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
