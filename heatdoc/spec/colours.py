"""Colour scales: names and lists become the [[stop, colour], ...] list that is drawn.

Names are looked up as px.imshow looks them up (plotly.colors' sequential, diverging
and cyclical scales, case-insensitive, `_r` reverses), so a spec's `Greys` draws what
`px.imshow(..., color_continuous_scale="Greys")` draws: white to black. plotly.js has
its own, reversed `Greys`; heatdoc never hands it a name.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from heatdoc.errors import did_you_mean

DEFAULT_SCALE = "Plasma"  # plotly's default sequential scale, as px.imshow uses


@lru_cache(maxsize=1)
def _named() -> dict[str, list[str]]:
    """Plotly's named scales, lower-cased, as its ColorscaleValidator lists them: the
    lists of plotly.colors' sequential, diverging and cyclical modules, without the
    ``_r`` copies. Read from the modules themselves: importing the validator costs
    ~80 ms (narwhals and all the validators), the scale modules ~5 ms."""
    from _plotly_utils.colors import cyclical, diverging, sequential

    named: dict[str, list[str]] = {}
    for module in (sequential, diverging, cyclical):
        for name, value in sorted(vars(module).items()):  # the validator's order: the last wins
            if isinstance(value, list) and not name.startswith("_") and not name.endswith("_r"):
                named[name.lower()] = value
    return named


def scale_names() -> list[str]:
    return sorted(_named())


def unknown_scale_message(name: str) -> str | None:
    """None if ``name`` is a known scale, else a message listing close names."""
    lower = name.lower()
    base = lower[:-2] if lower.endswith("_r") else lower
    if lower in _named() or base in _named():
        return None
    hint = did_you_mean(base, _named(), n=4) or "; see `heatdoc schema` for the list"
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


def stop_problems(stops: list[float]) -> list[tuple[int, str]]:
    """(index, message) for each stop plotly.js would not take: it silently draws
    its default scale unless stops run from 0 up to 1."""
    out = []
    if stops[0] != 0:
        out.append((0, f"the first stop must be 0, not {stops[0]}"))
    if stops[-1] != 1:
        out.append((len(stops) - 1, f"the last stop must be 1, not {stops[-1]}"))
    out += [(i, f"stop {stops[i]} comes after {stops[i - 1]}; stops must not decrease")
            for i in range(1, len(stops)) if stops[i] < stops[i - 1]]
    return out


def _spaced(colours: list[str]) -> list[list[Any]]:
    last = len(colours) - 1
    return [[i / last, c] for i, c in enumerate(colours)]


# --- colour strings ---------------------------------------------------------
# The forms both plotly.js (culori in v4, tinycolor before) and plotly.py's
# validator read the same way. Anything else is refused rather than left to
# plotly.js, which draws an unknown colour as black and only warns in the console.
COLOUR_FORMS = "a CSS colour name, #rgb, #rrggbb(aa), rgb(R, G, B) with 0-255 or %, or hsl(H, S%, L%)"
_HEX = re.compile(r"#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})\Z")
_NUMBER = r"-?(?:\d+(?:\.\d+)?|\.\d+)"  # no '5.' (plotly.js), no exponent or '+' (plotly.py)
_COLOUR_FUNCTION = re.compile(
    rf"(?P<kind>rgba?|hsla?)\(\s*(?P<a>{_NUMBER}(?:%|deg)?)"
    rf"(?:\s*,\s*(?P<b>{_NUMBER}%?)\s*,\s*(?P<c>{_NUMBER}%?)(?:\s*,\s*(?P<alpha>{_NUMBER}%?))?"
    rf"|\s+(?P<b2>{_NUMBER}%?)\s+(?P<c2>{_NUMBER}%?)(?:\s*/\s*(?P<alpha2>{_NUMBER}%?))?)\s*\)\Z")


def colour_problem(value: str) -> str | None:
    """None if plotly.js and plotly.py both read ``value`` as the colour it looks
    like, else a message that says why not."""
    problem = _problem(value.strip().lower())
    return None if problem is None else f"{value!r}{problem}"


def _problem(text: str) -> str | None:
    if text in _css_names() or _HEX.match(text):
        return None
    match = _COLOUR_FUNCTION.match(text)
    if not match:
        head = text.split("(", 1)[0].strip()
        if head in ("hsv", "hsva", "hsb", "hwb", "lab", "lch", "oklab", "oklch", "color", "cmyk"):
            return f": {head}() colours are not read alike by plotly.js and plotly.py; use {COLOUR_FORMS}"
        if text == "transparent":
            return ": plotly.py does not know 'transparent'; use rgba(0,0,0,0)"
        return f" is not a colour{did_you_mean(text, _css_names(), cutoff=0.75)}; use {COLOUR_FORMS}"
    kind, first = match["kind"], match["a"]
    second, third = match["b"] or match["b2"], match["c"] or match["c2"]
    alpha = match["alpha"] or match["alpha2"]
    if alpha is not None and not _in_range(alpha, 1):
        return f": alpha {alpha} is outside 0-1 (or 0%-100%)"
    if kind.startswith("rgb"):
        channels = [first, second, third]
        if first.endswith("deg"):
            return ": rgb() channels are numbers 0-255 or percentages, not angles"
        plain = [float(c) for c in channels if not c.endswith("%")]
        if 0 < len(plain) < 3:
            return ": rgb() channels are all numbers 0-255 or all percentages, not a mix"
        if len(plain) == 3 and all(0 <= c <= 1 for c in plain) and any(not c.is_integer() for c in plain):
            scaled = ", ".join(str(round(c * 255)) for c in plain)
            return f": rgb() channels run 0-255, not 0-1, so this is almost black; write rgb({scaled})"
        bad = [c for c in channels if not _in_range(c, 255)]
        return f": rgb() channel {bad[0]} is outside 0-255 (or 0%-100%)" if bad else None
    if first.endswith("%") or first.startswith("-"):
        return ": hsl() hue is an angle from 0 to 360 degrees"
    if not second.endswith("%") or not third.endswith("%"):
        return ": hsl() saturation and lightness are percentages: hsl(H, S%, L%)"
    bad = [c for c in (second, third) if not _in_range(c, 100)]
    return f": hsl() value {bad[0]} is outside 0%-100%" if bad else None


def _in_range(text: str, top: float) -> bool:
    # '-0' too: plotly.py's validator reads no sign
    return not text.startswith("-") and float(text.rstrip("%")) <= (100 if text.endswith("%") else top)


def _css_names() -> dict[str, str]:
    from heatdoc.spec.colour_names import (
        CSS_COLOURS,  # the same 148 names plotly.py's validator knows
    )

    return CSS_COLOURS


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
    from heatdoc.spec.colour_names import CSS_COLOURS

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
