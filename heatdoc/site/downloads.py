"""A chart's CSV and JSON downloads as files of the site (`downloads: files` in heatdoc.yaml),
byte for byte what the page's script makes in the browser by default (heatdoc.js:
`matrixCsv`, `figureJson`), so a gallery's data can be linked and fetched without
JavaScript and a reader gets the same file either way.

The CSV: a header row of the x labels after an empty corner field, then one row per y
label in the order of the data, "\\n" line ends, UTF-8 without a byte-order mark. A gap is
an empty field. A label is quoted as RFC 4180 says when it holds `,`, `"`, CR or LF, and
one that a spreadsheet would run as a formula gets a leading `'` (`csv_text`). A number
is written as JavaScript's String(number) writes it (`js_number`).

The JSON: the figure as `JSON.stringify(figure, null, 2)` writes it, with plotly's template
put back when the spec gives none (the page leaves it out).
"""
from __future__ import annotations

import base64
import json
import math
import re
from decimal import Decimal
from typing import Any, Iterator

import numpy as np

FORMULA_START = "=+-@\t\r"
# ASCII digits only: "-٣" is not a number a spreadsheet reads, so it gets its '
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# plotly.js's typed-array dtypes, little-endian, and their long names (heatdoc.js TYPED_ARRAYS)
DTYPES = {"i1": "<i1", "u1": "<u1", "u1c": "<u1", "i2": "<i2", "u2": "<u2", "i4": "<i4", "u4": "<u4",
          "f4": "<f4", "f8": "<f8", "int8": "<i1", "uint8": "<u1", "uint8c": "<u1", "int16": "<i2",
          "uint16": "<u2", "int32": "<i4", "uint32": "<u4", "float32": "<f4", "float64": "<f8"}
ARRAY_INDEX = re.compile(r"(?:0|[1-9][0-9]*)\Z")


def js_number(v: float) -> str:
    """String(v) in JavaScript (ECMAScript Number::toString): the shortest digits that read
    back as ``v`` (the digits repr() finds), without an exponent from 1e-6 up to 1e21.
    Where repr() differs: 1e-05 -> "0.00001", 1.5e-07 -> "1.5e-7", 1e+16 ->
    "10000000000000000", 9007199254740994.0 -> "9007199254740994", 1.0 -> "1", -0.0 -> "0"."""
    if v == 0:
        return "0"
    digits_tuple = Decimal(repr(abs(float(v)))).normalize().as_tuple()
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


def js_string(value: Any) -> str:
    """String(value) in JavaScript, for the values a figure's JSON holds."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number(value) if math.isfinite(value) else ("NaN" if math.isnan(value) else
                                                              ("Infinity" if value > 0 else "-Infinity"))
    if isinstance(value, list):
        return ",".join("" if v is None else js_string(v) for v in value)
    return str(value) if not isinstance(value, dict) else "[object Object]"


def matrix_csv(trace: dict[str, Any]) -> Iterator[bytes]:
    """The CSV of a heatmap trace's z with its labels, a block of rows at a time."""
    rows, columns, row_of = _matrix(trace["z"])
    x, y = _labels(trace.get("x"), columns), _labels(trace.get("y"), rows)
    yield ("".join("," + csv_text(label) for label in x) + "\n").encode("utf-8")
    lines: list[str] = []
    for i in range(rows):
        row = row_of(i)
        fields = [csv_text(y[i])] + [_csv_value(row[j] if j < len(row) else None) for j in range(columns)]
        lines.append(",".join(fields) + "\n")
        if len(lines) == 256:
            yield "".join(lines).encode("utf-8")
            lines = []
    if lines:
        yield "".join(lines).encode("utf-8")


def _csv_value(v: Any) -> str:
    if isinstance(v, bool):
        return csv_text(js_string(v))
    if isinstance(v, (int, float, np.number)):
        v = float(v)
        return js_number(v) if math.isfinite(v) else ""
    return "" if v is None else csv_text(js_string(v))


def _labels(given: Any, count: int) -> list[str]:
    """The figure's labels, else 0, 1, 2, ... as plotly.js numbers the cells."""
    out = []
    for i in range(count):
        label = given[i] if isinstance(given, list) and i < len(given) else i
        out.append("" if label is None else js_string(label))
    return out


def _matrix(z: Any) -> tuple[int, int, Any]:
    """(rows, columns, row(i)) of z: a list of rows or a typed array {dtype, bdata, shape}."""
    if isinstance(z, list):
        rows = [r if isinstance(r, list) else [r] for r in z]
        return len(rows), max((len(r) for r in rows), default=0), lambda i: rows[i]
    bdata = z["bdata"]
    raw = bdata.data.tobytes() if hasattr(bdata, "data") else base64.b64decode(
        re.sub(r"\s+", "", bdata) + "=" * (-len(re.sub(r"\s+", "", bdata)) % 4))
    dtype = np.dtype(DTYPES[z["dtype"]])
    values = np.frombuffer(raw, dtype=dtype, count=len(raw) // dtype.itemsize)
    shape = [int(s) for s in str(z.get("shape", len(values))).split(",")]
    width = shape[1] if len(shape) > 1 else shape[0]
    rows = shape[0] if len(shape) > 1 else 1
    return rows, width, lambda i: values[i * width:(i + 1) * width].tolist()


def figure_json(figure: dict[str, Any], template: dict[str, Any] | None) -> Iterator[bytes]:
    """The figure as the browser's JSON download writes it, a piece at a time."""
    layout = figure.get("layout", {})
    if "template" not in layout and template is not None:
        figure = {**figure, "layout": {**layout, "template": template}}
    yield from _stringify(figure, "")
    yield b"\n"


def in_pieces(pieces: Iterator[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    """``pieces`` joined into pieces of at least ``size`` bytes (the last may be shorter):
    a small file is one piece."""
    buffer: list[bytes] = []
    held = 0
    for piece in pieces:
        buffer.append(piece)
        held += len(piece)
        if held >= size:
            yield b"".join(buffer)
            buffer, held = [], 0
    if buffer:
        yield b"".join(buffer)


def _stringify(value: Any, indent: str) -> Iterator[bytes]:
    """JSON.stringify(value, null, 2), as bytes."""
    if isinstance(value, dict):
        if not value:
            yield b"{}"
            return
        inner = indent + "  "
        # a JavaScript object lists its array-index keys first, in numeric order
        keys = sorted((k for k in value if ARRAY_INDEX.match(k) and int(k) < 2**32 - 1), key=int)
        keys += [k for k in value if k not in keys]
        yield b"{\n"
        for n, key in enumerate(keys):
            yield f"{inner}{_js_quote(key)}: ".encode("utf-8")
            yield from _stringify(value[key], inner)
            yield b",\n" if n < len(keys) - 1 else b"\n"
        yield f"{indent}}}".encode("utf-8")
    elif isinstance(value, (list, tuple)):
        if not value:
            yield b"[]"
            return
        inner = indent + "  "
        yield b"[\n"
        for n, item in enumerate(value):
            yield inner.encode("utf-8")
            yield from _stringify(item, inner)
            yield b",\n" if n < len(value) - 1 else b"\n"
        yield f"{indent}]".encode("utf-8")
    elif hasattr(value, "pieces"):  # compile.Base64: a big z's text, made as it is written
        yield b'"'
        yield from value.pieces()
        yield b'"'
    elif isinstance(value, str):
        yield _js_quote(value).encode("utf-8")
    elif value is None or (isinstance(value, float) and not math.isfinite(value)):
        yield b"null"
    else:
        yield js_string(value).encode("utf-8")


def _js_quote(text: str) -> str:
    # JSON.stringify escapes what json.dumps escapes (ensure_ascii off), in the same form
    return json.dumps(text, ensure_ascii=False)
