"""Cells as files write them: when a field is a number, a gap, or text.

A z cell is a number or a gap; `NA`, `nan` and an empty field are gaps, anything else
that is not a plain decimal number (not `1_000`, not `0x10`) is an error. A label or
text cell is the text as written.
"""
from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from heatdoc.jsonout import SAFE_INT

# A missing z cell as files write it; NaN in any spelling is a gap too.
MISSING = frozenset({"", "NA", "NaN", "nan", "null"})
NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
INTEGER = re.compile(r"[-+]?[0-9]+\Z")
INFINITE = re.compile(r"[-+]?inf(?:inity)?\Z", re.I)


class NotANumber(ValueError):
    """A z cell that is neither a number nor missing."""


def cell_number(value: Any) -> float:
    """A z cell as float64: NaN when missing; NotANumber (with the reason) otherwise."""
    if value is None:
        return math.nan
    if isinstance(value, str):
        text = value.strip()
        if text in MISSING or text.lower() in ("nan", "-nan", "+nan"):
            return math.nan
        if INFINITE.match(text):
            raise NotANumber("is infinite; leave the cell empty for a gap")
        if not NUMBER.match(text):
            raise NotANumber("is not a number")
        if INTEGER.match(text) and len(text) > 15 and abs(int(text)) > SAFE_INT:
            raise NotANumber("is an integer beyond ±2^53 and would lose digits in JavaScript")
        number = float(text)
    elif isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise NotANumber("is not a number")
    else:
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
    if math.isinf(number):
        raise NotANumber("is beyond the range of a float" if not INFINITE.match(str(value)) else
                         "is infinite; leave the cell empty for a gap")
    return number


def as_text(value: Any) -> str:
    """A label or text cell as written: an empty or missing field is ''."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(float(value))
    if hasattr(value, "isoformat"):  # dates and times from Excel or Parquet
        text = value.isoformat()
        return text[:-9] if text.endswith("T00:00:00") else text
    return str(value)
