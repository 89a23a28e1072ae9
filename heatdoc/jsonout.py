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
    return (dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
