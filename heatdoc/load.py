"""Stage 1, load: a YAML file becomes plain Python data that remembers where it came from.

Specs are read as YAML 1.2 (core schema) with libyaml doing the parsing. PyYAML's
resolver follows YAML 1.1 (``no`` is False, ``010`` is octal, ``1:20`` is 80), so
heatdoc takes libyaml's events, notes only *whether* a scalar was plain or quoted,
and resolves plain scalars itself by the 1.2 core rules.

The node tree is built here from the events, not by libyaml's composer: that one
recurses in C (a few thousand ``[`` crash the process) and expands aliases without
limit. Here nesting and alias growth are counted as the events arrive, so a hostile
file is refused before it costs anything.

The composed node tree is kept beside the data: a line and column is only looked up
when there is an error to report, so loading a valid spec pays nothing for it.
"""
from __future__ import annotations

import gc
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

import yaml

from .errors import HeatdocError, SpecError, display_path

MAX_BYTES = 10 * 1024 * 1024  # big data belongs in a data file, not in the YAML
MAX_DEPTH = 64
MAX_ALIAS_GROWTH = 100_000  # nodes that aliases may add to a document
SAFE_INT = 2**53  # beyond this a JavaScript number is no longer exact

# Top-level keys whose list items are labels or cell text: kept as written, so
# ``y: [2019, 007]`` gives the labels "2019" and "007", never numbers.
TEXT_LISTS = frozenset({"x", "y", "tags", "text"})

_PLAIN, _QUOTED = "heatdoc:plain", "heatdoc:quoted"
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

    def position(self, keys: Sequence[str | int], *, of_key: bool = False) -> tuple[int, int]:
        """(line, col), 1-based, of the value at ``keys`` (or of its key), else of the
        nearest ancestor that exists."""
        node, line_col = self.node, (1, 1)
        if node is not None:
            line_col = _mark(node)
        for i, k in enumerate(keys):
            if isinstance(node, yaml.MappingNode) and isinstance(k, str):
                for knode, vnode in node.value:
                    if knode.value == k:
                        last = i == len(keys) - 1
                        line_col = _mark(knode if (last and of_key) else vnode)
                        node = vnode
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(k, int) and 0 <= k < len(node.value):
                node = node.value[k]
                line_col = _mark(node)
            else:
                break
        return line_col

    def error(self, keys: Sequence[str | int], message: str, *, of_key: bool = False) -> SpecError:
        from .errors import key_path

        line, col = self.position(keys, of_key=of_key)
        return SpecError(self.name, line, col, key_path(keys), message)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


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
        line, col = _line_col(raw, exc.start)
        raise fail(line, col, f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None

    try:
        with _no_gc():
            node = _compose(text)
    except _ComposeError as exc:
        raise fail(exc.mark.line + 1, exc.mark.column + 1, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        raise HeatdocError([_syntax_error(name, exc, text)]) from None
    except yaml.reader.ReaderError as exc:  # NUL, other control characters, U+FFFE
        line, col = _line_col(raw, exc.position)  # libyaml counts UTF-8 bytes
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


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``offset``."""
    before = raw[:offset]
    start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(before[start:].decode("utf-8", "replace")) + 1


def _syntax_error(name: str, exc: yaml.MarkedYAMLError, text: str) -> SpecError:
    problem = (exc.problem or "invalid YAML").strip().replace("\t", "\\t")
    context = (exc.context or "").strip()
    mark = exc.problem_mark
    if mark is not None and "nesting depth" in problem:  # libyaml's own limit, 1000
        return SpecError(name, mark.line + 1, mark.column + 1, "", f"nested more than {MAX_DEPTH} levels deep")
    if mark is not None and ("tab" in problem or _char_at(text, mark) == "\t"):
        return SpecError(name, mark.line + 1, mark.column + 1, "",
                         "YAML syntax error: a tab cannot indent YAML; indent with spaces")
    # An unclosed quote or bracket is found where the parser gives up, often lines
    # later; the place a person needs is where it was opened.
    opened = exc.context_mark
    unclosed = opened is not None and mark is not None and (
        ("quoted" in context and ("end of stream" in problem or "document indicator" in problem))
        or ("flow" in context and "did not find expected" in problem and mark.line > opened.line))
    if unclosed:
        mark, stop = exc.context_mark, exc.problem_mark
        opener = "quote" if "quoted" in context else "'['" if "sequence" in context else "'{'"
        problem = f"the {opener} opened here is not closed ({problem}"
        problem += f" at line {stop.line + 1}, column {stop.column + 1})" if stop is not None else ")"
    elif context:
        problem = f"{context}: {problem}"
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return SpecError(name, line, col, "", f"YAML syntax error: {problem}")


def _char_at(text: str, mark: yaml.Mark) -> str:
    lines = text.split("\n", mark.line + 1)
    line = lines[mark.line] if mark.line < len(lines) else ""
    return line[mark.column:mark.column + 1]


class _ComposeError(Exception):
    def __init__(self, mark: yaml.Mark, message: str):
        super().__init__(message)
        self.mark, self.message = mark, message


def _compose(text: str) -> yaml.Node | None:
    """libyaml's events -> one document's node tree, iteratively.

    Scalars are tagged only as plain or quoted (explicit tags are kept for the
    converter to judge). An anchor is usable only after its node is complete, so an
    alias can never make a cycle; every alias adds the values it stands for to a
    running count, and the depth an alias lands at counts like written nesting.
    """
    # Scalars are nearly every event (matrix cells): their path is kept short.
    scalar_event, scalar_node, plain, quoted = yaml.ScalarEvent, yaml.ScalarNode, _PLAIN, _QUOTED
    anchors: dict[str, tuple[yaml.Node, int, int]] = {}  # name -> (node, values, height)
    # each open collection: [node, items, values, height, anchor]
    stack: list[list[Any]] = []
    top: list[Any] = [None, [], 0, 0, None]  # stands for the document: its one item is the root
    documents = growth = 0
    loader = yaml.CSafeLoader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            kind = event.__class__
            if kind is scalar_event:
                tag = event.tag
                if tag is None or tag == "!":
                    tag = plain if event.implicit[0] else quoted
                node: yaml.Node = scalar_node(tag, event.value, event.start_mark, event.end_mark, event.style)
                if event.anchor is not None:
                    anchors[event.anchor] = (node, 1, 0)
                top[1].append(node)
                top[2] += 1
                continue
            if kind is yaml.AliasEvent:
                if event.anchor not in anchors:
                    raise _ComposeError(event.start_mark, f"the alias *{event.anchor} refers to no "
                                        f"anchor (&{event.anchor}) completed before it")
                node, values, height = anchors[event.anchor]
                growth += values - 1
                if growth > MAX_ALIAS_GROWTH:
                    raise _ComposeError(event.start_mark, "aliases (*name) expand this file by more "
                                        f"than {MAX_ALIAS_GROWTH:,} values; write the values out")
                if len(stack) + height > MAX_DEPTH:
                    raise _ComposeError(event.start_mark, f"nested more than {MAX_DEPTH} levels deep")
            elif kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
                if len(stack) >= MAX_DEPTH:
                    raise _ComposeError(event.start_mark, f"nested more than {MAX_DEPTH} levels deep")
                seq = kind is yaml.SequenceStartEvent
                tag = event.tag
                if tag is None or tag == "!":
                    tag = "tag:yaml.org,2002:seq" if seq else "tag:yaml.org,2002:map"
                cls = yaml.SequenceNode if seq else yaml.MappingNode
                stack.append(top)
                top = [cls(tag, [], event.start_mark, None, event.flow_style), [], 1, 1, event.anchor]
                continue
            elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                node, items, values, height, anchor = top
                top = stack.pop()
                node.end_mark = event.end_mark
                node.value = items if kind is yaml.SequenceEndEvent else list(zip(items[::2], items[1::2]))
                if anchor is not None:
                    anchors[anchor] = (node, values, height)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _ComposeError(event.start_mark, "a spec file holds one YAML document; "
                                        "remove the '---' separator and what follows")
                continue
            else:  # stream start/end, document end
                continue
            top[1].append(node)
            top[2] += values
            top[3] = max(top[3], height + 1)
    finally:
        loader.dispose()
    return top[1][0] if top[1] else None


class _Converter:
    """Node tree -> Python data, collecting every error rather than stopping at one."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.errors: list[SpecError] = []

    def err(self, node: yaml.Node, message: str, keys: Sequence[str | int] = ()) -> None:
        from .errors import key_path

        line, col = _mark(node)
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
        if tag in (_PLAIN, _QUOTED) or tag in _STANDARD_TAGS:
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
            return [self._node(n, keys + (i,), text_items) for i, n in enumerate(node.value)]
        out: dict[str, Any] = {}
        first: dict[str, yaml.Node] = {}
        for knode, vnode in node.value:
            if not self._tag_allowed(knode, keys):
                continue
            if not isinstance(knode, yaml.ScalarNode):
                self.err(knode, "keys must be text, not a list or a mapping", keys)
                continue
            if knode.tag == _PLAIN and _plain_value(knode.value) is not _TEXT:
                self.err(knode, f"the key {knode.value or 'null'} is not text; quote it "
                                f"(\"{knode.value}\") if it is meant as text", keys)
                continue
            key = knode.value
            if key == "<<" and knode.tag == _PLAIN:
                self.err(knode, "merge keys (<<) are not part of YAML 1.2; write the keys out", keys)
                continue
            if key in first:
                line = first[key].start_mark.line + 1
                self.err(knode, f"duplicate key {key!r} (first defined at line {line})", keys + (key,))
                continue
            first[key] = knode
            out[key] = self._node(vnode, keys + (key,), False)
        return out

    def _scalar(self, node: yaml.ScalarNode, keys: tuple, as_text: bool) -> Any:
        value = node.value
        if node.tag == _QUOTED or node.tag.endswith(":str"):
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
