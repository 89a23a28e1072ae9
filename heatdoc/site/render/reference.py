"""The spec reference page's content, generated from the JSON Schema in schema.py.

The validator reads the same dicts, so the page cannot drift from what heatdoc
accepts: a key added to the schema appears here with its type, default,
description and example on the next build.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from heatdoc.site.render.markdown import markdown_inline
from heatdoc.spec.schema import SITE_SCHEMA, SPEC_SCHEMA

_MATRIX_FORMS = [("rows", "inline rows"), ("file_source", "a data file"),
                 ("sql_source", "an SQLite query"), ("random_source", "generated data")]
_REF_TYPES = {"rows": "matrix rows", "labels": "list of text", "tags": "list of text",
              "colorscale": "scale name or list",
              "plotly_object": "mapping (Plotly properties)"}
_TYPE_NAMES = {"string": "text", "number": "number", "integer": "integer", "boolean": "true/false",
               "array": "list", "object": "mapping", "null": "null"}


@dataclass(frozen=True)
class KeyDoc:
    """One key: ``anchor`` is the id of its row (``#key-title``); ``default`` and
    ``example`` are YAML text, or None when the schema has none."""

    name: str
    anchor: str
    type: str
    required: bool
    default: str | None
    description: Markup
    example: str | None


@dataclass(frozen=True)
class KeyGroup:
    """A table of keys under a heading: the spec's keys, one matrix form, the site settings."""

    title: str
    anchor: str
    description: Markup
    keys: tuple[KeyDoc, ...]
    example: str | None = None


def reference_groups() -> list[KeyGroup]:
    """Everything the reference page shows, in order."""
    groups = [_group("Spec keys", "spec", SPEC_SCHEMA, SPEC_SCHEMA["description"], "key")]
    for name, title in _MATRIX_FORMS:
        node = SPEC_SCHEMA["$defs"][name]
        example = _entry("z", node["examples"][0]) if node.get("examples") else None
        groups.append(_group(f"Matrix values: {title}", name.replace("_", "-"), node,
                             node.get("description", ""), f"{name.split('_')[0]}", example))
    groups.append(_group("Site settings (heatdoc.yaml)", "settings", SITE_SCHEMA,
                         SITE_SCHEMA["description"], "setting"))
    return groups


def scale_names() -> list[str]:
    """The colour scale names a spec may use (each also with `_r`)."""
    from heatdoc.spec.colours import scale_names as names

    return names()


def type_of(node: dict[str, Any]) -> str:
    """A short, readable type: 'text', 'list of text', 'upper | lower', 'matrix', ..."""
    if "$ref" in node:
        return _REF_TYPES.get(node["$ref"].rsplit("/", 1)[-1], "mapping")
    if "enum" in node:
        return " | ".join(str(v) for v in node["enum"])
    if "anyOf" in node:
        refs = [b.get("$ref", "").rsplit("/", 1)[-1] for b in node["anyOf"]]
        if "rows" in refs:
            return "matrix (rows, file, SQL or random)"
        return " or ".join(type_of(b) for b in node["anyOf"])
    kind = node.get("type")
    if isinstance(kind, list):
        return " or ".join(_TYPE_NAMES.get(k, k) for k in kind)
    if kind == "array" and isinstance(node.get("items"), dict) and "type" in node["items"]:
        return f"list of {type_of(node['items'])}"
    if kind == "object" and isinstance(node.get("additionalProperties"), dict):
        return f"mapping of name → {type_of(node['additionalProperties'])}"
    return _TYPE_NAMES.get(kind, "any") if isinstance(kind, str) else "any"


def _group(title: str, anchor: str, schema: dict[str, Any], description: str, prefix: str,
           example: str | None = None) -> KeyGroup:
    required = set(schema.get("required", []))
    keys = []
    for name, node in schema.get("properties", {}).items():
        node = _with_ref(node)
        keys.append(KeyDoc(
            name=name,
            anchor=f"{prefix}-{_anchor(name)}",
            type=type_of(node),
            required=name in required,
            default=_yaml_value(node["default"]) if "default" in node else None,
            description=markdown_inline(node.get("description", "")),
            example=_example(name, node),
        ))
    return KeyGroup(title, anchor, markdown_inline(description), tuple(keys), example)


def _with_ref(node: dict[str, Any]) -> dict[str, Any]:
    """A key that only points at a shared definition borrows its description and examples."""
    ref = node.get("$ref", "").rsplit("/", 1)[-1]
    shared = SPEC_SCHEMA["$defs"].get(ref, {})
    return {**{k: v for k, v in shared.items() if k in ("description", "examples")}, **node}


def _anchor(name: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-") or "key"


def _example(name: str, node: dict[str, Any]) -> str | None:
    """The schema's example, else for a choice the first value that is not the default."""
    if node.get("examples"):
        return _entry(name, node["examples"][0])
    choices = node.get("enum") or ([True, False] if node.get("type") == "boolean" else [])
    other = [c for c in choices if c != node.get("default")]
    return _entry(name, other[0]) if other else None


def _entry(name: str, value: Any) -> str:
    """``name: value`` in YAML, the value on one line (flow style), as a spec would write it."""
    return f"{name}: {_yaml_value(value)}"


def _yaml_value(value: Any) -> str:
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, allow_unicode=True, width=1000)
    return text.strip().removesuffix("...").strip()
