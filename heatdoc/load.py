"""Stage 1, load: a YAML file becomes plain Python data that remembers where it came from.

Specs are read as YAML 1.2 (core schema) with libyaml doing the parsing. PyYAML's
resolver follows YAML 1.1 (``no`` is False, ``010`` is octal, ``1:20`` is 80), so
heatdoc asks libyaml only *whether* a scalar was plain or quoted and resolves plain
scalars itself by the 1.2 core rules.

The composed node tree is kept beside the data: a line and column is only looked up
when there is an error to report, so loading a valid spec pays nothing for it.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

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


class _Loader(yaml.CSafeLoader):
    """libyaml's parser and composer; scalars are tagged only as plain or quoted."""

    def resolve(self, kind, value, implicit):  # noqa: D102 - PyYAML hook
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _QUOTED
        return super().resolve(kind, value, implicit)


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
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise fail(line, col, f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise fail(line, 1, "the file contains a NUL character")

    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise HeatdocError([_syntax_error(name, exc)]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml always gives marks
        raise fail(1, 1, f"YAML error: {exc}") from None
    if node is None:
        raise fail(1, 1, "the file is empty")

    doc = Document(path, None, text, node)
    doc.data = _Converter(doc).convert(node)
    return doc


def _syntax_error(name: str, exc: yaml.MarkedYAMLError) -> SpecError:
    problem = (exc.problem or "invalid YAML").strip()
    mark = exc.problem_mark
    # An unclosed quote or bracket is reported at the end of the file; the place
    # a person needs is where it was opened.
    if exc.context_mark is not None and ("end of stream" in problem or "but found" in problem):
        if exc.context and ("quoted" in exc.context or "flow" in exc.context):
            mark = exc.context_mark
    if "expected a single document" in (exc.context or ""):
        problem = "a spec file holds one YAML document; remove the '---' separator and what follows"
    elif exc.context:
        problem = f"{exc.context.strip()}: {problem}"
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = problem.replace("\t", "\\t")
    return SpecError(name, line, col, "", f"YAML syntax error: {problem}")


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
        if "*" in self.doc.text:  # no alias without a '*'; most specs skip the walk
            self._check_aliases(root)
        if self.errors:
            raise HeatdocError(self.errors)
        if not isinstance(root, yaml.MappingNode):
            self.err(root, "a spec is a mapping of keys (title: ..., z: ...) at the top level")
            raise HeatdocError(self.errors)
        data = self._node(root, (), False)
        if self.errors:
            raise HeatdocError(self.errors)
        return data

    def _check_aliases(self, root: yaml.Node) -> None:
        """Aliases share nodes; count what they expand to before expanding anything,
        so a few hundred bytes that unfold into gigabytes are refused at once."""
        sizes: dict[int, int] = {}
        unique = 0

        def size(node: yaml.Node, depth: int) -> int:
            nonlocal unique
            key = id(node)
            if key in sizes:
                if sizes[key] < 0:
                    self.err(node, "an alias refers to the node that contains it")
                    return 1
                return sizes[key]
            if depth > MAX_DEPTH:
                self.err(node, f"nested more than {MAX_DEPTH} levels deep")
                sizes[key] = 1
                return 1
            sizes[key] = -1
            unique += 1
            total = 1
            if isinstance(node, yaml.SequenceNode):
                total += sum(size(n, depth + 1) for n in node.value)
            elif isinstance(node, yaml.MappingNode):
                total += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
            sizes[key] = total
            return total

        total = size(root, 0)
        if not self.errors and total > unique + MAX_ALIAS_GROWTH:
            self.err(root, f"aliases (*name) expand this file to {total:,} values; "
                           f"at most {MAX_ALIAS_GROWTH:,} more than are written are allowed")

    def _node(self, node: yaml.Node, keys: tuple, as_text: bool) -> Any:
        tag = node.tag
        if tag not in (_PLAIN, _QUOTED) and tag not in _STANDARD_TAGS:
            self.err(node, f"YAML tags such as {tag.replace('tag:yaml.org,2002:', '!!')} "
                           "are not allowed in a spec", keys)
            return None
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, keys, as_text)
        if isinstance(node, yaml.SequenceNode):
            text_items = as_text or (len(keys) == 1 and keys[0] in TEXT_LISTS)
            return [self._node(n, keys + (i,), text_items) for i, n in enumerate(node.value)]
        out: dict[str, Any] = {}
        first: dict[str, yaml.Node] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode) or (
                knode.tag == _PLAIN and _plain_value(knode.value) is not _TEXT
            ):
                self.err(knode, "keys must be text; quote it if it is meant as text", keys)
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
        if resolved is _TOO_BIG:
            self.err(node, f"the integer {value[:20]}{'...' if len(value) > 20 else ''} is beyond "
                           "±2^53 and would lose digits in JavaScript", keys)
            return None
        return resolved


_TEXT, _INFINITY, _TOO_BIG = object(), object(), object()


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
            if len(value) > 400:
                return _TOO_BIG
            number = float(value)
            return _INFINITY if math.isinf(number) else number
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
