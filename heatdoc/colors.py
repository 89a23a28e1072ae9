"""Colour scales: names and lists become the [[stop, colour], ...] list that is drawn.

Names are looked up as px.imshow looks them up (plotly.colors' sequential, diverging
and cyclical scales, case-insensitive, `_r` reverses), so a spec's `Greys` draws what
`px.imshow(..., color_continuous_scale="Greys")` draws: white to black. plotly.js has
its own, reversed `Greys`; heatdoc never hands it a name.
"""
from __future__ import annotations

import difflib
import re
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


RGBA = tuple[float, float, float, float]
_FUNCTION = re.compile(r"(rgba?|hsla?)\(\s*([^)]*)\)\Z")
_GREY: RGBA = (128.0, 128.0, 128.0, 1.0)


@lru_cache(maxsize=512)
def parse_colour(text: str) -> RGBA:
    """A CSS colour as plotly.js reads it (hex, rgb(a), hsl(a), a name) -> (r, g, b, alpha).

    Only the thumbnails use this: the chart itself is drawn by plotly.js. Anything it
    cannot read becomes mid grey rather than an error, since validation has already
    judged the spec.
    """
    from .colour_names import CSS_COLOURS

    value = text.strip().lower()
    if value == "transparent":
        return (0.0, 0.0, 0.0, 0.0)
    value = "#" + CSS_COLOURS[value] if value in CSS_COLOURS else value
    if value.startswith("#") and len(value) in (4, 5, 7, 9):
        digits = value[1:]
        if len(digits) <= 4:
            digits = "".join(d * 2 for d in digits)
        try:
            channels = [int(digits[i:i + 2], 16) for i in range(0, len(digits), 2)]
        except ValueError:
            return _GREY
        alpha = channels[3] / 255 if len(channels) == 4 else 1.0
        return (float(channels[0]), float(channels[1]), float(channels[2]), alpha)
    match = _FUNCTION.match(value)
    if not match:
        return _GREY
    parts = [p for p in re.split(r"[\s,/]+", match.group(2)) if p]
    if len(parts) not in (3, 4):
        return _GREY
    try:
        alpha = _number(parts[3], 1.0) if len(parts) == 4 else 1.0
        if match.group(1).startswith("rgb"):
            r, g, b = (_number(p, 255.0) for p in parts[:3])
        else:
            r, g, b = _hsl_to_rgb(float(parts[0].removesuffix("deg")), _number(parts[1], 1.0),
                                  _number(parts[2], 1.0))
    except ValueError:
        return _GREY
    clip = lambda v, top: min(max(v, 0.0), top)  # noqa: E731
    return (clip(r, 255.0), clip(g, 255.0), clip(b, 255.0), clip(alpha, 1.0))


def _number(part: str, full: float) -> float:
    """'50%' -> half of ``full``; '0.5' or '128' as written."""
    return float(part[:-1]) / 100 * full if part.endswith("%") else float(part)


def _hsl_to_rgb(h: float, s: float, lightness: float) -> tuple[float, float, float]:
    import colorsys

    r, g, b = colorsys.hls_to_rgb((h % 360) / 360, lightness, s)
    return (r * 255, g * 255, b * 255)


def colour_at(scale: list[list[Any]], t: float) -> RGBA:
    """The colour at ``t`` (0..1) of a resolved scale, interpolated in RGB as plotly.js does."""
    t = min(max(t, 0.0), 1.0)
    stops = sorted((float(stop), parse_colour(str(colour))) for stop, colour in scale)
    if t <= stops[0][0]:
        return stops[0][1]
    for (s0, c0), (s1, c1) in zip(stops, stops[1:]):
        if t <= s1:
            f = 0.0 if s1 == s0 else (t - s0) / (s1 - s0)
            return tuple(a + (b - a) * f for a, b in zip(c0, c1))  # type: ignore[return-value]
    return stops[-1][1]


def hex_colour(rgba: RGBA) -> str:
    """'#rrggbb' (alpha is written separately, as SVG's fill-opacity)."""
    return "#" + "".join(f"{round(c):02x}" for c in rgba[:3])
