"""Load (a spec's first stage): a YAML file becomes plain Python data that remembers where it came from.

Specs are read as YAML 1.2 (core schema) with libyaml doing the parsing. PyYAML's
resolver follows YAML 1.1 (``no`` is False, ``010`` is octal, ``1:20`` is 80), so
heatdoc takes libyaml's events, notes only *whether* a scalar was plain or quoted,
and resolves plain scalars itself by the 1.2 core rules.

The node tree is built from the events by yaml_nodes.py, within limits of depth
and alias growth.

The composed node tree is kept beside the data: a line and column is only looked up
when there is an error to report, so loading a valid spec pays nothing for it.
"""
from __future__ import annotations

import gc
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator, Sequence

import orjson
import yaml

from heatdoc.errors import HeatdocError, SpecError, display_path
from heatdoc.jsonout import SAFE_INT
from heatdoc.spec.yaml_nodes import (
    PLAIN,
    QUOTED,
    ComposeError,
    Lines,
    compose,
    syntax_error,
)

MAX_BYTES = 10 * 1024 * 1024  # big data belongs in a data file, not in the YAML

# Top-level keys whose list items are labels or cell text: kept as written, so
# ``y: [2019, 007]`` gives the labels "2019" and "007", never numbers.
TEXT_LISTS = frozenset({"x", "y", "tags", "text"})

_STANDARD_TAGS = {
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")
}

_NULL = re.compile(r"(?:null|Null|NULL|~|)\Z")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")


@dataclass
class Document:
    """A loaded YAML file: its data, its text, and the node tree for positions."""

    path: Path
    data: Any
    text: str
    node: yaml.Node | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return display_path(self.path)

    @cached_property
    def where(self) -> "Lines":
        return Lines(self.text)

    def position(self, keys: Sequence[str | int], *, of_key: bool = False) -> tuple[int, int]:
        """(line, col), 1-based, of the value at ``keys`` (or of its key), else of the
        nearest ancestor that exists."""
        node, line_col = self.node, (1, 1)
        if node is not None:
            line_col = self.where(node.start_mark)
        for i, k in enumerate(keys):
            if isinstance(node, yaml.MappingNode) and isinstance(k, str):
                for knode, vnode in node.value:
                    if knode.value == k:
                        last = i == len(keys) - 1
                        line_col = self.where((knode if (last and of_key) else vnode).start_mark)
                        node = vnode
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(k, int) and 0 <= k < len(node.value):
                node = node.value[k]
                line_col = self.where(node.start_mark)
            else:
                break
        return line_col

    def error(self, keys: Sequence[str | int], message: str, *, of_key: bool = False) -> SpecError:
        from heatdoc.errors import key_path

        line, col = self.position(keys, of_key=of_key)
        return SpecError(self.name, line, col, key_path(keys), message)


def load_yaml(path: Path | str, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read one YAML file by heatdoc's rules; raise HeatdocError on any problem."""
    path = Path(path)
    name = display_path(path)

    def fail(line: int, col: int, message: str) -> HeatdocError:
        return HeatdocError([SpecError(name, line, col, "", message)])

    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        raise fail(1, 1, f"cannot read the file: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise fail(1, 1, f"the file is larger than {max_bytes // (1024 * 1024)} MiB; "
                         "put large matrices in a data file ({file: ...})")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_line_col(raw, exc.start)
        raise fail(line, col, f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None

    try:
        with _no_gc():
            node = compose(text)
    except ComposeError as exc:
        raise fail(*Lines(text)(exc.mark), exc.message) from None
    except yaml.MarkedYAMLError as exc:
        raise HeatdocError([syntax_error(name, exc, Lines(text))]) from None
    except yaml.reader.ReaderError as exc:  # NUL, other control characters, U+FFFE
        line, col = _byte_line_col(raw, exc.position)  # libyaml counts UTF-8 bytes
        raise fail(line, col, f"the file contains the character U+{exc.character:04X}, "
                              "which YAML does not allow") from None
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml always gives marks
        raise fail(1, 1, f"YAML error: {exc}") from None
    if node is None:
        raise fail(1, 1, "the file is empty")

    doc = Document(path, None, text, node)
    with _no_gc():
        doc.data = _Converter(doc).convert(node)
    return doc


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cycle collector: a big inline matrix is a million new objects, none
    in a cycle, and the collector would walk them all again and again (2x slower)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _byte_line_col(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``offset``."""
    before = raw[:offset]
    start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(before[start:].decode("utf-8", "replace")) + 1


class _Converter:
    """Node tree -> Python data, collecting every error rather than stopping at one."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.errors: list[SpecError] = []

    def err(self, node: yaml.Node, message: str, keys: Sequence[str | int] = ()) -> None:
        from heatdoc.errors import key_path

        line, col = self.doc.where(node.start_mark)
        self.errors.append(SpecError(self.doc.name, line, col, key_path(keys), message))

    def convert(self, root: yaml.Node) -> Any:
        if not isinstance(root, yaml.MappingNode):
            if not self._tag_allowed(root, ()):
                raise HeatdocError(self.errors)
            self.err(root, "a spec is a mapping of keys (title: ..., z: ...) at the top level")
            raise HeatdocError(self.errors)
        data = self._node(root, (), False)
        if self.errors:
            raise HeatdocError(self.errors)
        return data

    def _tag_allowed(self, node: yaml.Node, keys: tuple) -> bool:
        tag = node.tag
        if tag in (PLAIN, QUOTED) or tag in _STANDARD_TAGS:
            return True
        self.err(node, f"YAML tags such as {tag.replace('tag:yaml.org,2002:', '!!')} "
                       "are not allowed in a spec", keys)
        return False

    def _node(self, node: yaml.Node, keys: tuple, as_text: bool) -> Any:
        if not self._tag_allowed(node, keys):
            return None
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, keys, as_text)
        if isinstance(node, yaml.SequenceNode):
            text_items = as_text or (len(keys) == 1 and keys[0] in TEXT_LISTS)
            if not text_items:
                row = _plain_numbers(node.value)
                if row is not None:
                    return row
            return [self._node(n, keys + (i,), text_items) for i, n in enumerate(node.value)]
        out: dict[str, Any] = {}
        first: dict[str, yaml.Node] = {}
        for knode, vnode in node.value:
            if not self._tag_allowed(knode, keys):
                continue
            if not isinstance(knode, yaml.ScalarNode):
                self.err(knode, "keys must be text, not a list or a mapping", keys)
                continue
            if knode.tag == PLAIN and _plain_value(knode.value) is not _TEXT:
                self.err(knode, f"the key {knode.value or 'null'} is not text; quote it "
                                f"(\"{knode.value}\") if it is meant as text", keys)
                continue
            key = knode.value
            if key == "<<" and knode.tag == PLAIN:
                self.err(knode, "merge keys (<<) are not part of YAML 1.2; write the keys out", keys)
                continue
            if key in first:
                line = self.doc.where(first[key].start_mark)[0]
                self.err(knode, f"duplicate key {key!r} (first defined at line {line})", keys + (key,))
                continue
            first[key] = knode
            out[key] = self._node(vnode, keys + (key,), False)
        return out

    def _scalar(self, node: yaml.ScalarNode, keys: tuple, as_text: bool) -> Any:
        value = node.value
        if node.tag == QUOTED or node.tag.endswith(":str"):
            return value
        if as_text:
            return None if _NULL.match(value) else value
        resolved = _plain_value(value)
        if resolved is _TEXT:
            return value
        if resolved is _INFINITY:
            self.err(node, f"{value} is infinite; JavaScript cannot draw it (use null for a gap)", keys)
            return None
        if resolved is _OVERFLOW:
            self.err(node, f"{_clip(value)} is too large for a number (beyond ±1.8e308)", keys)
            return None
        if resolved is _TOO_BIG:
            self.err(node, f"the integer {_clip(value)} is beyond "
                           "±2^53 and would lose digits in JavaScript", keys)
            return None
        return resolved


_TEXT, _INFINITY, _OVERFLOW, _TOO_BIG = object(), object(), object(), object()


def _plain_numbers(items: list[yaml.Node]) -> list[Any] | None:
    """A list of plain numbers (a matrix row, most of a spec) read in one call, or None to
    read it item by item. Every JSON number (and true, false, null) is a YAML 1.2 core
    scalar of the same value, and a plain scalar cannot start a JSON string, array or
    object, so text that orjson reads as exactly one value per item holds only those;
    anything else (text, .nan, 0x1F, an integer beyond 2^53 that orjson would make a
    float, items that together read as a JSON list or string) goes the item-by-item way,
    which also reports the errors."""
    if len(items) < 2:
        return None
    values = []
    for item in items:
        if item.tag != PLAIN or not isinstance(item, yaml.ScalarNode):
            return None
        values.append(item.value)
    try:
        row = orjson.loads("[" + ",".join(values) + "]")
    except orjson.JSONDecodeError:
        return None
    if len(row) != len(values):
        return None
    for value in row:
        # a plain scalar in a block may hold "[", "{" or '"': items such as `1,[2` and `3]`
        # make one JSON value each, but not numbers
        if value is not None and (type(value) not in (int, float, bool) or abs(value) > SAFE_INT):
            return None
    return row


def _clip(value: str) -> str:
    return value if len(value) <= 20 else f"{value[:20]}... ({len(value):,} characters)"


def _plain_value(value: str) -> Any:
    """Resolve a plain scalar by the YAML 1.2 core schema; NaN is a missing cell."""
    # Numbers come first: they are most of the scalars in a spec (matrix cells).
    if value and value[0] in _NUMBER_START:
        m = _DECIMAL.match(value)
        if m:
            if m.group(1) is None and m.group(2) is None and m.group(3) is None:
                if len(value) > 40:
                    return _TOO_BIG
                number = int(value)
                return _TOO_BIG if abs(number) > SAFE_INT else number
            number = float(value)  # linear in the digits, unlike int()
            return _OVERFLOW if math.isinf(number) else number
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _OCT.match(value) or _HEX.match(value):
        if len(value) > 40:
            return _TOO_BIG
        number = int(value, 0)
        return _TOO_BIG if abs(number) > SAFE_INT else number
    if _INF.match(value):
        return _INFINITY
    if _NAN.match(value):
        return None
    return _TEXT


_NUMBER_START = frozenset("0123456789-+.")
# int and float of the core schema in one pattern; no fraction and no exponent: an int
_DECIMAL = re.compile(r"[-+]?(?:[0-9]+(\.[0-9]*)?|(\.[0-9]+))([eE][-+]?[0-9]+)?\Z")
