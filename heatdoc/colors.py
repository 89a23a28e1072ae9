"""Colour scales: names and lists become the [[stop, colour], ...] list that is drawn.

Names are looked up as px.imshow looks them up (plotly.colors' sequential, diverging
and cyclical scales, case-insensitive, `_r` reverses), so a spec's `Greys` draws what
`px.imshow(..., color_continuous_scale="Greys")` draws: white to black. plotly.js has
its own, reversed `Greys`; heatdoc never hands it a name.
"""
from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Any

DEFAULT_SCALE = "Plasma"  # plotly's default sequential scale, as px.imshow uses


@lru_cache(maxsize=1)
def _named() -> dict[str, list[str]]:
    from _plotly_utils.basevalidators import ColorscaleValidator

    return ColorscaleValidator("colorscale", "heatdoc").named_colorscales


def scale_names() -> list[str]:
    return sorted(_named())


def unknown_scale_message(name: str) -> str | None:
    """None if ``name`` is a known scale, else a message listing close names."""
    lower = name.lower()
    base = lower[:-2] if lower.endswith("_r") else lower
    if lower in _named() or base in _named():
        return None
    close = difflib.get_close_matches(base, _named(), n=4, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see `heatdoc schema` for the list"
    return f"unknown colour scale {name!r}{hint}"


def resolve_scale(value: Any) -> list[list[Any]]:
    """A scale name or list -> [[stop, colour], ...] (valid input assumed)."""
    if value is None:
        value = DEFAULT_SCALE
    if isinstance(value, str):
        lower = value.lower()
        if lower in _named():
            colours = _named()[lower]
        else:
            colours = _named()[lower[:-2]][::-1]
        return _spaced(colours)
    if value and isinstance(value[0], str):
        return _spaced(value)
    return [[float(stop), colour] for stop, colour in value]


def _spaced(colours: list[str]) -> list[list[Any]]:
    last = len(colours) - 1
    return [[i / last, c] for i, c in enumerate(colours)]
