"""Check `layout`, `trace`, `xaxis`, `yaxis` and `colorbar` against Plotly's own
property validators, so a typo there gets the same file:line:col error as any other.

This imports plotly.graph_objects (slow, ~70 ms), so it only runs when a spec uses
one of these escape hatches, and only in validation, never on the compile path.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from .errors import did_you_mean

# spec key -> the plotly class whose properties it may hold
TARGETS = {
    "layout": "plotly.graph_objects.Layout",
    "trace": "plotly.graph_objects.Heatmap",
    "xaxis": "plotly.graph_objs.layout.XAxis",
    "yaxis": "plotly.graph_objs.layout.YAxis",
    "colorbar": "plotly.graph_objs.heatmap.ColorBar",
}


def _new(dotted: str) -> Any:
    import importlib

    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)()


def check(spec_key: str, value: dict) -> Iterator[tuple[tuple, str, bool]]:
    """Yield (keys, message, points_at_key) for each invalid property."""
    yield from _walk(_new(TARGETS[spec_key]), value, (spec_key,))


def _walk(obj: Any, value: dict, keys: tuple) -> Iterator[tuple[tuple, str, bool]]:
    from _plotly_utils.basevalidators import CompoundArrayValidator, CompoundValidator

    valid = obj._valid_props
    for name, item in value.items():
        here = keys + (name,)
        if name not in valid:
            head, _, rest = name.partition("_")
            if rest and head in valid and isinstance(obj._get_validator(head), CompoundValidator):
                # plotly's "magic underscore": title_text means title: {text: ...}
                for _, message, at_key in _walk(obj._get_validator(head).data_class(), {rest: item}, keys):
                    yield here, message, at_key
                continue
            where = obj._parent_path_str or obj._path_str or "figure"
            yield here, f"unknown Plotly property {name!r} of {where}{did_you_mean(name, sorted(valid))}", True
            continue
        validator = obj._get_validator(name)
        if isinstance(validator, CompoundValidator) and isinstance(item, dict):
            yield from _walk(validator.data_class(), item, here)
        elif isinstance(validator, CompoundArrayValidator) and isinstance(item, list):
            for i, element in enumerate(item):
                if isinstance(element, dict):
                    yield from _walk(validator.data_class(), element, here + (i,))
                else:
                    yield here + (i,), f"expected a mapping of {name} properties, got {element!r}", False
        else:
            try:
                validator.validate_coerce(item)
            except ValueError as exc:
                yield here, _short(str(exc), item), False


def _short(message: str, value: Any) -> str:
    """Plotly's validator messages run to dozens of lines; keep what a person needs."""
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    how = [ln for ln in lines if ln.startswith("- ")][:3]
    kind = next((ln for ln in lines if re.match(r"The '.*' property is", ln)), "")
    kind = re.sub(r" and may be specified as:?$", "", kind)
    text = f"invalid value {value!r}"
    if kind:
        text += f": {kind[0].lower()}{kind[1:]}"
    if how:
        text += " (" + "; ".join(h[2:] for h in how) + ")"
    return text
