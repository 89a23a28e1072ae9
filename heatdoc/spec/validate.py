"""Validate (after load): a loaded document becomes a `Spec`, or every error it has.

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

from heatdoc.errors import HeatdocError, SpecError, describe, did_you_mean
from heatdoc.sources.dispatch import ReadContext, read_matrix
from heatdoc.spec import analysis, colours
from heatdoc.spec.compile import LAYER_REF
from heatdoc.spec.load import TEXT_LISTS, Document
from heatdoc.spec.model import Matrix, Panel, Spec
from heatdoc.spec.schema import SPEC_SCHEMA

# d3-format's own grammar (d3-format/src/formatSpecifier.js), with only the types
# d3 knows: d3 reads any other letter as "g" and plotly.js would format silently.
D3_FORMAT = re.compile(r"(?:(.)?([<>=^]))?([+\-( ])?([$#])?(0)?(\d+)?(,)?(\.\d+)?(~)?([efgrs%pbodxXcn])?\Z")
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


MATRIX_KEYS = ("z", "text", "customdata")
PLOTLY_KEYS = ("layout", "trace", "xaxis", "yaxis", "colorbar")  # checked by plotly_check
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
    """One jsonschema error as heatdoc's errors, worded by the keyword that failed."""
    keys = tuple(error.absolute_path)
    if "propertyNames" in error.schema_path:  # a customdata layer name (its pattern failed)
        return _layer_name(doc, error, keys)
    return _BY_KEYWORD.get(error.validator, _as_jsonschema_says)(doc, error, keys)


def _unknown_keys(doc: Document, error: Any, keys: tuple) -> Iterable[SpecError]:
    if not isinstance(error.instance, dict):
        yield from _as_jsonschema_says(doc, error, keys)
        return
    known = list(error.schema.get("properties", {}))
    for name in error.instance:
        if name not in known:
            hint = did_you_mean(name, known) if known else ""
            what = "unknown key" if known else "unexpected key"
            yield doc.error(keys + (name,), f"{what} {name!r}{hint}", of_key=True)


def _missing_keys(doc: Document, error: Any, keys: tuple) -> Iterable[SpecError]:
    for name in error.validator_value:
        if name not in error.instance:
            yield doc.error(keys, f"missing required key {name!r}")


def _wrong_type(doc: Document, error: Any, keys: tuple) -> Iterable[SpecError]:
    limit, instance = error.validator_value, error.instance
    wanted = limit if isinstance(limit, list) else [limit]
    if keys and keys[0] in TEXT_LISTS:  # a number or true there is read as text: a label is text
        wanted = [w for w in wanted if w not in ("number", "boolean")]
    if keys and keys[0] in MATRIX_KEYS and isinstance(instance, (list, dict)) and "array" not in wanted:
        yield doc.error(keys, f"a cell is one number, text or null, not {describe(instance)}: "
                              "a matrix has two levels, a list of rows of cells")
        return
    expected = " or ".join(dict.fromkeys(_article(w) for w in wanted))
    yield doc.error(keys, f"expected {expected}, got {describe(instance)}")


def _not_an_option(doc: Document, error: Any, keys: tuple) -> Iterable[SpecError]:
    instance = error.instance
    options = [str(v) for v in error.validator_value]
    hint = did_you_mean(str(instance), options) if isinstance(instance, str) else ""
    yield doc.error(keys, f"{instance!r} is not one of {', '.join(options)}{hint}")


def _layer_name(doc: Document, error: Any, keys: tuple) -> Iterable[SpecError]:
    name = error.instance
    yield doc.error(keys + (name,), f"{name!r} is not a valid layer name: use letters, "
                                    "digits and _, not starting with a digit", of_key=True)


def _too_short(doc: Document, error: Any, keys: tuple) -> Iterable[SpecError]:
    if error.validator_value == 1:
        yield doc.error(keys, "must not be empty")
    elif error.validator == "minItems":
        yield doc.error(keys, f"needs at least {error.validator_value} items, has {len(error.instance)}")
    else:
        yield from _as_jsonschema_says(doc, error, keys)


def _too_long(doc: Document, error: Any, keys: tuple) -> Iterable[SpecError]:
    yield doc.error(keys, f"has {len(error.instance)} items; at most {error.validator_value} are allowed")


def _repeated_items(doc: Document, error: Any, keys: tuple) -> Iterable[SpecError]:
    seen: set = set()
    for i, item in enumerate(error.instance):
        if repr(item) in seen:
            yield doc.error(keys + (i,), f"{item!r} is already in the list")
        seen.add(repr(item))


_BOUNDS = {"minimum": "at least", "maximum": "at most",
           "exclusiveMinimum": "more than", "exclusiveMaximum": "less than"}


def _out_of_bounds(doc: Document, error: Any, keys: tuple) -> Iterable[SpecError]:
    yield doc.error(keys, f"must be {_BOUNDS[error.validator]} {error.validator_value}, got {error.instance}")


def _as_jsonschema_says(doc: Document, error: Any, keys: tuple) -> Iterable[SpecError]:
    message = error.message
    yield doc.error(keys, message if len(message) <= 200 else message[:200] + "...")


def _alternatives(doc: Document, error: Any, keys: tuple) -> Iterable[SpecError]:
    """anyOf/oneOf: the errors of the branch the user meant, never "is not valid
    under any of the given schemas"."""
    instance, schema = error.instance, error.schema
    if _is_matrix(schema) and isinstance(instance, list) and instance \
            and not any(isinstance(row, list) for row in instance):
        yield doc.error(keys, "a matrix is a list of rows: write [[1, 2, 3]] for a single row")
        return
    branch = _best_branch(error)
    if branch:
        for sub in branch:
            yield from _translate(doc, sub)
        return
    if isinstance(instance, dict):
        # No branch fits: a mistyped key (fiel: data.csv) is the likeliest reason.
        known = {name for sub in error.context if not sub.relative_path
                 for name in sub.schema.get("properties", {})}
        unknown = [name for name in instance if name not in known]
        for name in unknown:
            yield doc.error(keys + (name,), f"unknown key {name!r}{did_you_mean(name, sorted(known))}",
                            of_key=True)
        if unknown:
            return
    yield doc.error(keys, f"expected {_expected(schema)}; got {describe(instance)}")


# the JSON Schema keyword that failed -> the words for it; any other keyword is worded
# as jsonschema words it
_BY_KEYWORD = {
    "additionalProperties": _unknown_keys, "required": _missing_keys,
    "anyOf": _alternatives, "oneOf": _alternatives, "type": _wrong_type, "enum": _not_an_option,
    "minItems": _too_short, "minLength": _too_short, "maxItems": _too_long,
    "uniqueItems": _repeated_items, **{keyword: _out_of_bounds for keyword in _BOUNDS},
}


def _best_branch(error: Any) -> list | None:
    """The errors of the alternative the user most plausibly meant, or None when
    no branch fits at all (its type differs at the top, or it lacks every key
    it requires).

    Branches are ranked by how deep their shape matched the value (the depth of
    their shallowest type error), then by their deepest error, then by fewer
    errors: ``colorscale: [red]`` is a too-short list of colours, not a list of
    [stop, colour] pairs whose first pair is wrong."""
    branches: dict[int, list] = {}
    for sub in error.context:
        branches.setdefault(sub.schema_path[0], []).append(sub)
    best, best_rank = None, None
    for errs in branches.values():
        top = [e for e in errs if not e.relative_path]
        if any(e.validator == "type" for e in top):
            continue
        required = [name for e in top if e.validator == "required" for name in e.validator_value]
        if required and isinstance(error.instance, dict) and not any(k in error.instance for k in required):
            continue
        fit = min((len(e.relative_path) for e in errs if e.validator == "type"), default=1_000)
        rank = (fit, max(len(e.relative_path) for e in errs), -len(errs))
        if best_rank is None or rank > best_rank:
            best, best_rank = errs, rank
    return best


def _is_matrix(schema: dict) -> bool:
    return any(b.get("$ref", "").endswith("/rows") for b in schema.get("anyOf", []))


def _expected(schema: dict) -> str:
    if _is_matrix(schema):
        return ("a matrix: inline rows ([[1, 2], [3, 4]]), {file: PATH}, "
                "{sql: QUERY, database: PATH} or {random: normal, shape: [ROWS, COLS]}")
    if schema.get("description"):
        first = schema["description"].split(". ")[0].rstrip(".")
        return first[0].lower() + first[1:]
    return "another kind of value"


def _article(word: str) -> str:
    return {"object": "a mapping", "array": "a list", "string": "text", "integer": "an integer",
            "number": "a number", "boolean": "true or false", "null": "null"}.get(word, word)


def check_spec(doc: Document, ctx: ReadContext) -> Spec:
    """Validate ``doc`` and read its matrices; raise HeatdocError with every error.

    Keys the schema refused are left out of the later checks (their types are
    unknown), but every other key is still checked, so one run reports it all."""
    errors = schema_errors(doc)
    refused = {re.split(r"[.\[]", e.key, maxsplit=1)[0] for e in errors}
    data = doc.data if isinstance(doc.data, dict) else {}
    checked = {k: v for k, v in data.items() if k not in refused}

    split = split_key(doc, checked, errors)
    z, text, layers = _read_matrices(doc, checked, ctx, errors, split)
    x = y = None
    if z is not None:
        errors.extend(_shape_errors(doc, z, text, layers, split))
        if "x" not in refused:
            x = _labels(doc, "x", data.get("x"), z.x, z.shape[1], errors)
        if "y" not in refused:
            y = _labels(doc, "y", data.get("y"), z.y, z.shape[0], errors)
        if "mask" not in refused:
            errors.extend(analysis.mask_errors(doc, data.get("mask"), z.shape))
    if "customdata" not in refused:
        errors.extend(_template_errors(doc, checked, list(layers)))
    errors.extend(_colour_errors(doc, checked))
    errors.extend(_analysis_errors(doc, checked))
    plotly_keys = [key for key in PLOTLY_KEYS if checked.get(key)]
    errors.extend(_plotly_errors(doc, data, plotly_keys))
    if errors:
        raise HeatdocError(errors)
    if plotly_keys:
        from heatdoc.spec import plotly_check

        data = {**data, **{key: plotly_check.expand(key, data[key]) for key in plotly_keys}}

    assert z is not None
    order = data.get("order")
    spec = Spec(
        doc=doc, title=data["title"], z=z.cells, x=x, y=y,
        text=text.cells if text is not None else None,
        layers={name: m.cells for name, m in layers.items() if m is not None},
        description=data.get("description", ""), tags=list(data.get("tags", [])),
        # a number is the chart's place in its section; a mapping orders rows and columns
        order=order.get("gallery") if isinstance(order, dict) else order,
        options={k: v for k, v in data.items() if k not in _NOT_OPTIONS},
        panels=_panels(z, text, layers),
    )
    return analysis.analyse(spec)


# the keys a `Spec` holds in its own fields; every other key is an option of the figure
# (`order` stays one: its mapping form is applied by spec/analysis.py)
_NOT_OPTIONS = ("title", "description", "tags", "z", "text", "customdata", "x", "y")


def _panels(z: Matrix, text: Matrix | None, layers: dict[str, Matrix | None]) -> list[Panel]:
    """The facet panels or animation frames, each with its text and layers."""
    return [Panel(label, m.cells, text.panels[i][1].cells if text is not None and text.panels else None,
                  {name: layer.panels[i][1].cells for name, layer in layers.items()
                   if layer is not None and layer.panels})
            for i, (label, m) in enumerate(z.panels or [])]


def _panel_labels(matrix: Matrix) -> list[str]:
    return [label for label, _ in matrix.panels or []]


def split_key(doc: Document, checked: dict, errors: list[SpecError]) -> tuple[tuple, str] | None:
    """(the key, the column) that splits the long tables into facet panels or animation frames."""
    keys = [key for key in ("facet", "animation") if key in checked]
    if len(keys) == 2:
        errors.append(doc.error(("animation",), "use facet or animation, not both"))
    return ((keys[0],), checked[keys[0]]) if keys else None


def _analysis_errors(doc: Document, data: dict) -> Iterable[SpecError]:
    """Keys that need another key, and a zmid outside zmin..zmax."""
    for key in ("facet_wrap", "facet_scale"):
        if key in data and "facet" not in data:
            yield doc.error((key,), "applies to facet panels; add facet: COLUMN", of_key=True)
    order = data.get("order")
    if isinstance(order, dict):
        clustered = "cluster" in (order.get("rows"), order.get("columns"))
        for key in ("method", "metric", "dendrogram"):
            if key in order and not clustered:
                yield doc.error(("order", key), "applies to clustering; set rows or columns to cluster",
                                of_key=True)
        if order.get("dendrogram") and ("facet" in data or "animation" in data):
            yield doc.error(("order", "dendrogram"), "draws beside one heatmap, not beside facet panels "
                                                     "or animation frames")
    if all(isinstance(data.get(k), (int, float)) for k in ("zmin", "zmid", "zmax")):
        if not data["zmin"] < data["zmid"] < data["zmax"]:
            yield doc.error(("zmid",), f"must lie between zmin ({data['zmin']}) and zmax ({data['zmax']})")


def _read_matrices(doc: Document, checked: dict, ctx: ReadContext, errors: list[SpecError],
                   split: tuple[tuple, str] | None) -> tuple[Matrix | None, Matrix | None, dict[str, Matrix | None]]:
    """z, text and the customdata layers, each read from its source (None when it could
    not be, its errors added to ``errors``). ``checked``: the keys the schema accepted."""
    # a long table selects and orders its categories by the spec's x/y lists
    axes = {axis: checked[axis] for axis in ("x", "y") if axis in checked}
    z = _read(doc, ("z",), checked["z"], "z", ctx, errors, axes, split) if "z" in checked else None
    text = _read(doc, ("text",), checked["text"], "text", ctx, errors, axes, split) if "text" in checked else None
    layers = {name: _read(doc, ("customdata", name), src, "layer", ctx, errors, axes, split)
              for name, src in checked["customdata"].items()} if "customdata" in checked else {}
    return z, text, layers


def _shape_errors(doc: Document, z: Matrix, text: Matrix | None, layers: dict[str, Matrix | None],
                  split: tuple[tuple, str] | None) -> Iterable[SpecError]:
    """text and every layer have the shape of z, and split into the same panels."""
    rows, cols = z.shape
    for keys, m in [(("text",), text)] + [(("customdata", n), m) for n, m in layers.items()]:
        if m is not None and m.shape != z.shape:
            yield doc.error(keys, f"has {m.shape[0]} x {m.shape[1]} cells; z has {rows} x {cols}")
        elif m is not None and split is not None and _panel_labels(m) != _panel_labels(z):
            yield doc.error(keys, f"splits into {', '.join(_panel_labels(m))} by {split[1]!r}; "
                                  f"z into {', '.join(_panel_labels(z))}")


def _plotly_errors(doc: Document, data: dict, plotly_keys: list[str]) -> Iterable[SpecError]:
    """The pass-through keys (layout, trace, ...) checked by Plotly's own validators."""
    if not plotly_keys:
        return
    from heatdoc.spec import plotly_check

    for key in plotly_keys:
        for keys, message, at_key in plotly_check.check(key, data[key]):
            yield doc.error(keys, message, of_key=at_key)


def _colour_errors(doc: Document, data: dict) -> Iterable[SpecError]:
    scale = data.get("colorscale")
    if isinstance(scale, str):
        message = colours.unknown_scale_message(scale)
        if message:
            yield doc.error(("colorscale",), message)
    elif isinstance(scale, list):
        pairs = isinstance(scale[0], list)
        for i, item in enumerate(scale):
            problem = colours.colour_problem(item[1] if pairs else item)
            if problem:
                yield doc.error(("colorscale", i, 1) if pairs else ("colorscale", i), problem)
        if pairs:
            for i, message in colours.stop_problems([stop for stop, _ in scale]):
                yield doc.error(("colorscale", i, 0), message)
    colour = data.get("textfont", {}).get("color")
    if isinstance(colour, str):
        problem = colours.colour_problem(colour)
        if problem:
            yield doc.error(("textfont", "color"), problem)


def _read(doc: Document, keys: tuple, source: Any, kind: str, ctx: ReadContext,
          errors: list[SpecError], axes: dict[str, list], split: tuple[tuple, str] | None = None
          ) -> Matrix | None:
    try:
        return read_matrix(doc, keys, source, kind, ctx, axes=axes, split=split)  # type: ignore[arg-type]
    except HeatdocError as exc:
        errors.extend(exc.errors)
        return None


def _labels(doc: Document, axis: str, given: list | None, from_source: list[str] | None, count: int,
            errors: list[SpecError]) -> list[str] | None:
    labels = given if given is not None else from_source
    if labels is None:
        return None
    labels = ["" if label is None else str(label) for label in labels]  # `~` is an empty label
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
    return labels


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

