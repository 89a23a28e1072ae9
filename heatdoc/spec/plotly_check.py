"""Check `layout`, `trace`, `xaxis`, `yaxis` and `colorbar` against Plotly's own
property validators, so a typo there gets the same file:line:col error as any other.

This imports plotly.graph_objects (slow, ~70 ms), so it only runs when a spec uses
one of these escape hatches, and only in validation, never on the compile path.
Plotly's own messages run to dozens of lines; each is replaced by one line that
says what was expected.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from heatdoc.errors import describe, did_you_mean
from heatdoc.spec.colours import colour_problem, stop_problems
from heatdoc.spec.compile import deep_merge

# spec key -> the plotly class whose properties it may hold
TARGETS = {
    "layout": "plotly.graph_objects.Layout",
    "trace": "plotly.graph_objects.Heatmap",
    "xaxis": "plotly.graph_objs.layout.XAxis",
    "yaxis": "plotly.graph_objs.layout.YAxis",
    "colorbar": "plotly.graph_objs.heatmap.ColorBar",
}
Problem = tuple[tuple, str, bool]  # (keys, message, points at the key rather than the value)


def _new(dotted: str) -> Any:
    import importlib

    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)()


def check(spec_key: str, value: dict) -> Iterator[Problem]:
    """Yield (keys, message, points_at_key) for each invalid property."""
    yield from _walk(_new(TARGETS[spec_key]), value, (spec_key,), False)


def _validator(obj: Any, name: str) -> Any:
    """Plotly's validator of property ``name`` of ``obj``, or None if it has none."""
    if name in obj._valid_props:
        return obj._get_validator(name)
    match = getattr(obj, "_subplot_re_match", lambda _: None)(name)  # layout.xaxis2, ...
    if match:
        return obj._subplotid_validators[match.group(1)]
    return None


def _walk(obj: Any, value: dict, at: tuple, magic: bool) -> Iterator[Problem]:
    """``at`` is where the spec wrote ``value``; inside a magic-underscore name such
    as title_font_size (``magic``) every problem is reported at that one key."""
    from _plotly_utils.basevalidators import CompoundValidator

    for name, item in value.items():
        here = at if magic else at + (name,)
        validator = _validator(obj, name)
        if validator is None:
            head, _, rest = name.partition("_")
            parent = _validator(obj, head) if rest else None
            if isinstance(parent, CompoundValidator):
                # plotly's "magic underscore": title_text means title: {text: ...}
                yield from _walk(parent.data_class(), {rest: item}, here, True)
                continue
            names = sorted(obj._valid_props)
            yield here, f"unknown Plotly property {name!r} of {obj._path_str}{did_you_mean(name, names)}", True
            continue
        yield from _value(validator, name, item, here, magic)


def _value(validator: Any, name: str, item: Any, here: tuple, magic: bool) -> Iterator[Problem]:
    from _plotly_utils.basevalidators import (
        BaseTemplateValidator,
        ColorlistValidator,
        ColorscaleValidator,
        ColorValidator,
        CompoundArrayValidator,
        CompoundValidator,
        LiteralValidator,
    )

    def into(*index: Any) -> tuple:
        return here if magic else here + index

    if isinstance(validator, CompoundValidator) and isinstance(item, dict):
        yield from _walk(validator.data_class(), item, here, magic)
        return
    if isinstance(validator, CompoundArrayValidator) and isinstance(item, list):
        for i, element in enumerate(item):
            if isinstance(element, dict):
                yield from _walk(validator.data_class(), element, into(i), magic)
            else:
                yield into(i), f"expected a mapping of {name} properties, got {describe(element)}", False
        return
    if isinstance(validator, BaseTemplateValidator) and isinstance(item, str):
        yield here, ("plotly.js does not know template names (only plotly.py does); give the "
                     "template's properties as a mapping"), False
        return
    if isinstance(validator, LiteralValidator):
        if item != validator.val:
            yield here, f"is always {validator.val!r} here; remove it", True
        return
    # Colours first: plotly.py accepts some that plotly.js draws wrongly
    # (rgb(0.5, 0.2, 0.1)), and its own refusal would not say which entry is wrong.
    colours: list[tuple[tuple, Any]] = []  # (index in item, colour)
    if isinstance(validator, (ColorValidator, ColorlistValidator)):
        colours = [((), item)] if not isinstance(item, list) else [((i,), c) for i, c in enumerate(item)]
    elif isinstance(validator, ColorscaleValidator) and isinstance(item, list):
        colours = [((i, 1), e[1]) if isinstance(e, list) and len(e) == 2 else ((i,), e)
                   for i, e in enumerate(item)]
    problems = [(into(*index), colour_problem(c)) for index, c in colours if isinstance(c, str)]
    problems = [(where, message) for where, message in problems if message]
    if problems:
        for where, message in problems:
            yield where, message, False
        return
    try:
        validator.validate_coerce(item)
    except Exception as exc:  # noqa: BLE001 - any refusal by plotly is the user's error
        yield here, _message(validator, name, item, str(exc)), False
        return
    if isinstance(validator, ColorscaleValidator):
        # plotly.py turns names and colour lists into pairs; heatdoc's figure goes
        # to plotly.js as written, which knows a few names of its own and no lists.
        if not (isinstance(item, list) and isinstance(item[0], list)):
            yield here, ("plotly.js reads only [stop, colour] pairs here; a scale name or a list of "
                         "colours belongs in the spec's own colorscale key"), False
            return
        for i, message in stop_problems([stop for stop, _ in item]):
            yield into(i, 0), message, False


def _message(validator: Any, name: str, item: Any, plotly_message: str) -> str:
    from _plotly_utils.basevalidators import (
        AngleValidator,
        BooleanValidator,
        ColorlistValidator,
        ColorscaleValidator,
        ColorValidator,
        CompoundValidator,
        DataArrayValidator,
        EnumeratedValidator,
        FlaglistValidator,
        IntegerValidator,
        NumberValidator,
        StringValidator,
        SubplotidValidator,
    )

    got = describe(item)
    if isinstance(validator, EnumeratedValidator):
        return _choice(item, validator.values)
    if isinstance(validator, BooleanValidator):
        return f"expected true or false, got {got}"
    if isinstance(validator, (NumberValidator, IntegerValidator)):
        what = "an integer" if isinstance(validator, IntegerValidator) else "a number"
        low, high = getattr(validator, "min_val", None), getattr(validator, "max_val", None)
        if low is not None and low != float("-inf") and high is not None and high != float("inf"):
            what += f" from {low:g} to {high:g}"
        elif low is not None and low != float("-inf"):
            what += f" of at least {low:g}"
        elif high is not None and high != float("inf"):
            what += f" of at most {high:g}"
        return f"expected {what}, got {got}"
    if isinstance(validator, AngleValidator):
        return f"expected an angle in degrees, got {got}"
    if isinstance(validator, ColorscaleValidator):
        return f"expected a colour scale name or a list of colours or [stop, colour] pairs, got {got}"
    if isinstance(validator, (ColorValidator, ColorlistValidator)):
        if isinstance(item, str):
            return colour_problem(item) or f"expected a colour, got {got}"
        return f"expected a colour, got {got}"
    if isinstance(validator, FlaglistValidator):
        extras = f", or one of {', '.join(map(str, validator.extras))}" if validator.extras else ""
        return f"expected flags joined by '+' from {', '.join(validator.flags)}{extras}; got {got}"
    if isinstance(validator, SubplotidValidator):
        return f"expected a subplot id such as {validator.base} or {validator.base}2, got {got}"
    if isinstance(validator, StringValidator):
        if validator.values:
            return _choice(item, validator.values)
        return f"expected text, got {got}"
    if isinstance(validator, DataArrayValidator):
        return f"expected a list, got {got}"
    if isinstance(validator, CompoundValidator):
        return f"expected a mapping of {name} properties, got {got}"
    kind = re.search(r"property is (an? [^\n]*?)(?: that| and|:|$)", plotly_message)
    return f"{got} is not valid here" + (f": expected {kind.group(1)}" if kind else "")


def _choice(item: Any, values: list) -> str:
    words = [v for v in values if not (isinstance(v, str) and len(v) > 1 and v[0] == v[-1] == "/")]
    patterns = [v.strip("/").strip("^$") for v in values if v not in words]
    shown = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in words[:12])
    if len(words) > 12:
        shown += f", ... ({len(words)} in all)"
    if patterns:
        shown += (", or " if shown else "") + " or ".join(f"a name matching {p}" for p in patterns)
    hint = did_you_mean(item, [str(v) for v in words]) if isinstance(item, str) else ""
    return f"{describe(item)} is not one of {shown}{hint}"


def expand(spec_key: str, value: dict) -> dict:
    """``value`` with plotly.py's magic-underscore names (title_font_size) written
    out as nested mappings (title: {font: {size: ...}}): plotly.js, which draws
    heatdoc's figures, does not know them. Call on a checked value."""
    return _expand(_new(TARGETS[spec_key]), value)


def _expand(obj: Any, value: dict) -> dict:
    from _plotly_utils.basevalidators import CompoundArrayValidator, CompoundValidator

    out: dict = {}
    for name, item in value.items():
        validator = _validator(obj, name)
        if validator is None:  # magic underscore: title_text -> title: {text: ...}
            head, _, rest = name.partition("_")
            item, name = _expand(_validator(obj, head).data_class(), {rest: item}), head
        elif isinstance(validator, CompoundValidator) and isinstance(item, dict):
            item = _expand(validator.data_class(), item)
        elif isinstance(validator, CompoundArrayValidator) and isinstance(item, list):
            item = [_expand(validator.data_class(), e) if isinstance(e, dict) else e for e in item]
        if isinstance(item, dict) and isinstance(out.get(name), dict):
            deep_merge(out[name], item)
        else:
            out[name] = item
    return out
