"""JSON out: orjson (fast, deterministic), with the escaping that HTML <script> needs."""
from __future__ import annotations

import secrets
from typing import Any, Iterator

import numpy as np
import orjson

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
# Beyond this an integer is no longer exact as a JavaScript number: the spec loader and
# the file readers refuse such integers, and only integers below it are written bare.
SAFE_INT = 2**53


def dumps(value: Any, *, indent: bool = False) -> str:
    return dumps_bytes(value, indent=indent).decode("utf-8")


def dumps_bytes(value: Any, *, indent: bool = False) -> bytes:
    return orjson.dumps(value, option=_OPTIONS | (orjson.OPT_INDENT_2 if indent else 0), default=_default)


def script_json(value: Any) -> str:
    """JSON that is safe inside <script>: no </script>, <!--, or & can end or bend it."""
    return script_json_bytes(value).decode("utf-8")


# what script_json escapes, as UTF-8 bytes (U+2028 and U+2029 end a line in old JavaScript)
_SCRIPT_ESCAPES = ((b"<", b"\\u003c"), (b">", b"\\u003e"), (b"&", b"\\u0026"),
                   ("\u2028".encode(), b"\\u2028"), ("\u2029".encode(), b"\\u2029"))


def script_json_bytes(value: Any) -> bytes:
    """`script_json` as UTF-8. Each escape is applied only where needed: a figure of a big
    matrix is tens of MB, and every replace() would copy it."""
    return _escaped(dumps_bytes(value))


def _escaped(out: bytes) -> bytes:
    for char, escape in _SCRIPT_ESCAPES:
        if char in out:
            out = out.replace(char, escape)
    return out


def script_json_chunks(value: Any) -> Iterator[bytes]:
    """`script_json_bytes`, a piece at a time: the text of each `compile.Base64` in
    ``value`` is made as it is written (base64 needs no escaping), the rest at once."""
    token, texts = secrets.token_hex(16), []

    def default(item: Any) -> Any:
        if hasattr(item, "pieces"):  # a compile.Base64
            texts.append(item)
            return f"{token}-{len(texts) - 1}"
        return _default(item)

    out = _escaped(orjson.dumps(value, option=_OPTIONS, default=default))
    start = 0
    for i, text in enumerate(texts):
        at = out.index(f'"{token}-{i}"'.encode("ascii"), start)
        yield out[start:at + 1]  # up to the opening quote
        yield from text.pieces()
        start = at + len(f'"{token}-{i}"') - 1  # from the closing quote
    yield out[start:]


def _default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "pieces"):  # a compile.Base64 wherever the whole text is wanted
        return value.text()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
