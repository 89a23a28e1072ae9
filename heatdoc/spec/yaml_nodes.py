"""libyaml's events -> the node tree of one YAML document, within limits.

libyaml's own composer recurses in C (a few thousand ``[`` crash the process) and
expands aliases without limit, so the tree is built here, iteratively: nesting and
alias growth are counted as the events arrive, and a hostile file is refused before
it costs anything. Scalars are only marked plain or quoted; load.py resolves them by
the YAML 1.2 rules.
"""
from __future__ import annotations

import bisect
import re
from typing import Any

import yaml

from heatdoc.errors import SpecError

MAX_DEPTH = 64
MAX_ALIAS_GROWTH = 100_000  # nodes that aliases may add to a document
PLAIN, QUOTED = "heatdoc:plain", "heatdoc:quoted"


class Lines:
    """1-based (line, col) of a libyaml mark as editors and grep count them.

    libyaml also starts a new line at a lone CR, NEL, U+2028 and U+2029; counted its
    way, an error after one of those would name a line the user cannot find."""

    _ODD_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")

    def __init__(self, text: str):
        self.text = text
        self._starts: list[int] | None = None

    def __call__(self, mark: yaml.Mark) -> tuple[int, int]:
        if self._starts is None:
            odd = self._ODD_BREAK.search(self.text)
            self._starts = [0, *(m.end() for m in re.finditer("\n", self.text))] if odd else []
        if not self._starts:
            return mark.line + 1, mark.column + 1
        i = bisect.bisect_right(self._starts, mark.index) - 1
        return i + 1, mark.index - self._starts[i] + 1


def syntax_error(name: str, exc: yaml.MarkedYAMLError, where: Lines) -> SpecError:
    """libyaml's complaint as one error at the place a person should look."""
    problem = (exc.problem or "invalid YAML").strip().replace("\t", "\\t")
    context = (exc.context or "").strip()
    mark = exc.problem_mark
    if mark is not None and "nesting depth" in problem:  # libyaml's own limit, 1000
        return SpecError(name, *where(mark), "", f"nested more than {MAX_DEPTH} levels deep")
    if mark is not None and ("tab" in problem or where.text[mark.index:mark.index + 1] == "\t"):
        return SpecError(name, *where(mark), "",
                         "YAML syntax error: a tab cannot indent YAML; indent with spaces")
    # An unclosed quote or bracket is found where the parser gives up, often lines
    # later; the place a person needs is where it was opened.
    opened = exc.context_mark
    unclosed = opened is not None and mark is not None and (
        ("quoted" in context and ("end of stream" in problem or "document indicator" in problem))
        or ("flow" in context and "did not find expected" in problem and where(mark)[0] > where(opened)[0]))
    if unclosed:
        mark, stop = exc.context_mark, exc.problem_mark
        opener = "quote" if "quoted" in context else "'['" if "sequence" in context else "'{'"
        problem = f"the {opener} opened here is not closed ({problem}"
        problem += " at line {}, column {})".format(*where(stop)) if stop is not None else ")"
    elif context:
        problem = f"{context}: {problem}"
    line, col = where(mark) if mark is not None else (1, 1)
    return SpecError(name, line, col, "", f"YAML syntax error: {problem}")


class ComposeError(Exception):
    def __init__(self, mark: yaml.Mark, message: str):
        super().__init__(message)
        self.mark, self.message = mark, message


def compose(text: str) -> yaml.Node | None:
    """libyaml's events -> one document's node tree, iteratively.

    Scalars are tagged only as plain or quoted (explicit tags are kept for the
    converter to judge). An anchor is usable only after its node is complete, so an
    alias can never make a cycle; every alias adds the values it stands for to a
    running count, and the depth an alias lands at counts like written nesting.
    """
    # Scalars are nearly every event (matrix cells): their path is kept short.
    scalar_event, scalar_node, plain, quoted = yaml.ScalarEvent, yaml.ScalarNode, PLAIN, QUOTED
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
                    raise ComposeError(event.start_mark, f"the alias *{event.anchor} refers to no "
                                        f"anchor (&{event.anchor}) completed before it")
                node, values, height = anchors[event.anchor]
                growth += values - 1
                if growth > MAX_ALIAS_GROWTH:
                    raise ComposeError(event.start_mark, "aliases (*name) expand this file by more "
                                        f"than {MAX_ALIAS_GROWTH:,} values; write the values out")
                if len(stack) + height > MAX_DEPTH:
                    raise ComposeError(event.start_mark, f"nested more than {MAX_DEPTH} levels deep")
            elif kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
                if len(stack) >= MAX_DEPTH:
                    raise ComposeError(event.start_mark, f"nested more than {MAX_DEPTH} levels deep")
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
                    raise ComposeError(event.start_mark, "a spec file holds one YAML document; "
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
