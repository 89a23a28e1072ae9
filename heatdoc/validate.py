"""Stage 2, validate: a loaded document becomes a `Spec`, or every error it has.

First the JSON Schema (keys, types, enums), with each error mapped back to the
YAML line of the value and unknown keys answered with "did you mean". Then what
a schema cannot say: matrices are read and their shapes compared, labels are
unique, templates name layers that exist, scale names exist, Plotly properties
are Plotly's.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable

from . import colors
from .errors import HeatdocError, SpecError, did_you_mean
from .load import Document
from .schema import SPEC_SCHEMA
from .sources import Matrix, ReadContext, read_matrix
from .spec import Spec

# %{customdata.NAME} and %{customdata.NAME:format}
LAYER_REF = re.compile(r"%\{customdata\.([^}:|]*)")
# d3-format's own grammar (d3-format/src/formatSpecifier.js)
D3_FORMAT = re.compile(r"(?:(.)?([<>=^]))?([+\-( ])?([$#])?(0)?(\d+)?(,)?(\.\d+)?(~)?([a-z%])?\Z", re.I)
TEMPLATE_FIELD = re.compile(r"%\{([^}:|]*)(?::([^}]*))?")


@lru_cache(maxsize=1)
def _schema_validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(SPEC_SCHEMA)


def schema_errors(doc: Document, schema: dict | None = None) -> list[SpecError]:
    """Every JSON Schema error of ``doc``, one line each, at the offending value."""
    if schema is None:
        validator = _schema_validator()
    else:
        import jsonschema

        validator = jsonschema.Draft202012Validator(schema)
    out: list[SpecError] = []
    data = _without_plain_rows(doc.data) if schema is None else doc.data
    for error in validator.iter_errors(data):
        out.extend(_translate(doc, error))
    return out


_CELL_TYPES = (int, float, str, bool, type(None))


def _plain_rows(value: Any) -> bool:
    """True when ``value`` is inline rows exactly as $defs/rows allows them."""
    return (isinstance(value, list) and bool(value)
            and all(isinstance(row, list) and row and all(isinstance(c, _CELL_TYPES) for c in row)
                    for row in value))


def _without_plain_rows(data: Any) -> Any:
    """The spec with each valid inline matrix replaced by one cell.

    jsonschema checks every cell against four alternatives, most of the cost of
    validating a small spec; a plain loop proves the same for valid rows. Rows that
    are not plainly valid stay, so their errors are reported exactly as before."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for key in ("z", "text"):
        if _plain_rows(out.get(key)):
            out[key] = [[0]]
    layers = out.get("customdata")
    if isinstance(layers, dict):
        out["customdata"] = {name: [[0]] if _plain_rows(v) else v for name, v in layers.items()}
    return out


def _translate(doc: Document, error: Any) -> Iterable[SpecError]:
    keys = tuple(error.absolute_path)
    kind, instance, schema = error.validator, error.instance, error.schema
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = list(schema.get("properties", {}))
        for name in instance:
            if name not in known:
                hint = did_you_mean(name, known) if known else ""
                what = "unknown key" if known else "unexpected key"
                yield doc.error(keys + (name,), f"{what} {name!r}{hint}", of_key=True)
        return
    if kind == "required":
        for name in error.validator_value:
            if name not in instance:
                yield doc.error(keys, f"missing required key {name!r}")
        return
    if kind in ("anyOf", "oneOf"):
        branch = _best_branch(error)
        if branch:
            for sub in branch:
                yield from _translate(doc, sub)
            return
        yield doc.error(keys, f"{_describe(instance)} is not {_expected(schema)}")
        return
    if kind == "type":
        wanted = error.validator_value
        wanted = " or ".join(map(_article, wanted)) if isinstance(wanted, list) else _article(wanted)
        yield doc.error(keys, f"expected {wanted}, got {_describe(instance)}")
        return
    if kind == "enum":
        options = [str(v) for v in error.validator_value]
        hint = did_you_mean(str(instance), options) if isinstance(instance, str) else ""
        yield doc.error(keys, f"{instance!r} is not one of {', '.join(options)}{hint}")
        return
    if kind == "propertyNames":
        yield doc.error(keys + (instance,) if isinstance(instance, str) else keys,
                        f"{instance!r} is not a valid name: use letters, digits and _", of_key=True)
        return
    yield doc.error(keys, error.message)


def _best_branch(error: Any) -> list | None:
    """The errors of the alternative the user most plausibly meant: one whose type
    matched at the top, with its errors deepest. None when no branch fits at all."""
    branches: dict[int, list] = {}
    for sub in error.context:
        branches.setdefault(sub.schema_path[0], []).append(sub)
    fitting = []
    for errs in branches.values():
        if any(not e.relative_path and e.validator in ("type", "required") for e in errs):
            continue
        fitting.append(errs)
    if not fitting:
        return None
    return max(fitting, key=lambda errs: (max(len(e.relative_path) for e in errs), -len(errs)))


def _expected(schema: dict) -> str:
    refs = [b.get("$ref", "").rsplit("/", 1)[-1] for b in schema.get("anyOf", [])]
    if "rows" in refs:
        return ("a matrix: inline rows ([[1, 2], [3, 4]]), {file: PATH}, "
                "{sql: QUERY, database: PATH} or {random: normal, shape: [ROWS, COLS]}")
    if schema.get("description"):
        return "valid here: " + schema["description"].split(".")[0].lower()
    return "valid here"


def _article(word: str) -> str:
    return {"object": "a mapping", "array": "a list", "string": "text", "integer": "an integer",
            "number": "a number", "boolean": "true or false", "null": "null"}.get(word, word)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def check_spec(doc: Document, ctx: ReadContext) -> Spec:
    """Validate ``doc`` and read its matrices; raise HeatdocError with every error.

    Keys the schema refused are left out of the later checks (their types are
    unknown), but every other key is still checked, so one run reports it all."""
    errors = schema_errors(doc)
    refused = {re.split(r"[.\[]", e.key, maxsplit=1)[0] for e in errors}
    data = doc.data if isinstance(doc.data, dict) else {}

    def usable(key: str) -> bool:
        return key in data and key not in refused

    # a long table selects and orders its categories by the spec's x/y lists
    axes = {axis: data[axis] for axis in ("x", "y") if usable(axis)}
    z = _read(doc, ("z",), data["z"], "z", ctx, errors, axes) if usable("z") else None
    text = _read(doc, ("text",), data["text"], "text", ctx, errors, axes) if usable("text") else None
    layers = {name: _read(doc, ("customdata", name), src, "layer", ctx, errors, axes)
              for name, src in data["customdata"].items()} if usable("customdata") else {}
    x = y = None
    if z is not None:
        shape = z.shape
        for keys, m in [(("text",), text)] + [(("customdata", n), m) for n, m in layers.items()]:
            if m is not None and m.shape != shape:
                errors.append(doc.error(keys, f"has {m.shape[0]} x {m.shape[1]} cells; z has "
                                              f"{shape[0]} x {shape[1]}"))
        if "x" not in refused:
            x = _labels(doc, "x", data.get("x"), z.x, shape[1], errors)
        if "y" not in refused:
            y = _labels(doc, "y", data.get("y"), z.y, shape[0], errors)

    if "customdata" not in refused:
        errors.extend(_template_errors(doc, {k: v for k, v in data.items() if k not in refused}, list(layers)))
    if usable("colorscale") and isinstance(data["colorscale"], str):
        message = colors.unknown_scale_message(data["colorscale"])
        if message:
            errors.append(doc.error(("colorscale",), message))
    for key in ("layout", "trace", "xaxis", "yaxis", "colorbar"):
        if usable(key) and data[key]:
            from . import plotly_check

            for keys, message, at_key in plotly_check.check(key, data[key]):
                errors.append(doc.error(keys, message, of_key=at_key))
    if errors:
        raise HeatdocError(errors)

    assert z is not None
    return Spec(
        doc=doc, title=data["title"], z=z.cells, x=x, y=y,
        text=text.cells if text is not None else None,
        layers={name: m.cells for name, m in layers.items() if m is not None},
        description=data.get("description", ""), tags=list(data.get("tags", [])),
        order=data.get("order"),
        options={k: v for k, v in data.items()
                 if k not in ("title", "description", "tags", "order", "z", "text", "customdata", "x", "y")},
    )


def _read(doc: Document, keys: tuple, source: Any, kind: str, ctx: ReadContext,
          errors: list[SpecError], axes: dict[str, list]) -> Matrix | None:
    try:
        return read_matrix(doc, keys, source, kind, ctx, axes=axes)  # type: ignore[arg-type]
    except HeatdocError as exc:
        errors.extend(exc.errors)
        return None


def _labels(doc: Document, axis: str, given: list | None, from_source: list[str] | None, count: int,
            errors: list[SpecError]) -> list[str] | None:
    labels = given if given is not None else from_source
    if labels is None:
        return None
    what = "columns" if axis == "x" else "rows"
    if len(labels) != count:
        errors.append(doc.error((axis,), f"{len(labels)} labels for {count} {what} of z"))
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):
        if label in seen:
            where = (axis, i) if given is not None else ("z",)
            errors.append(doc.error(where, f"duplicate label {label!r} (also at position {seen[label]}); "
                                           "Plotly would draw both in one place"))
        seen.setdefault(label, i)
    return [str(label) for label in labels]


def _template_errors(doc: Document, data: dict, layer_names: list[str]) -> Iterable[SpecError]:
    for key in ("hovertemplate", "texttemplate"):
        template = data.get(key)
        if not isinstance(template, str):
            continue
        for name in LAYER_REF.findall(template):
            if name not in layer_names:
                have = ", ".join(layer_names) if layer_names else "none (add a customdata: mapping)"
                yield doc.error((key,), f"%{{customdata.{name}}} names no layer{did_you_mean(name, layer_names)}; "
                                        f"the layers are: {have}")
        for _field, fmt in TEMPLATE_FIELD.findall(template):
            if fmt and not D3_FORMAT.match(fmt):
                yield doc.error((key,), f"{fmt!r} is not a d3 number format (e.g. .2f, ,d, .1%)")
    auto = data.get("text_auto")
    if isinstance(auto, str) and not D3_FORMAT.match(auto):
        yield doc.error(("text_auto",), f"{auto!r} is not a d3 number format (e.g. .2f, ,d, .1%)")

