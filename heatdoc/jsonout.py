"""JSON out: orjson (fast, deterministic), with the escaping that HTML <script> needs."""
from __future__ import annotations

from typing import Any

import numpy as np
import orjson

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


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
    out = dumps_bytes(value)
    for char, escape in _SCRIPT_ESCAPES:
        if char in out:
            out = out.replace(char, escape)
    return out


def _default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
