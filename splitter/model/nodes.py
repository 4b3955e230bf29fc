"""Position-keeping document trees for JSON and YAML templates: every value knows its exact source span.

Edits splice text at these spans, so a template can be changed without re-serializing (and reformatting) it.
This module holds the tree (`Node`) and the JSON reader: JSON is parsed by tree-sitter-json (after `json.loads` has
proved it valid and located any syntax error). YAML is read by `splitter.model.yaml_events.parse_yaml`, which builds
on this module (never the other way round).
"""

from __future__ import annotations

import bisect
import functools
import json
from dataclasses import dataclass, field
from typing import Any, Iterator

from splitter.errors import SplitterError

@dataclass(eq=False)
class Node:
    kind: str                      # "map", "seq" or "scalar"
    value: Any                     # map: dict[str, Node]; seq: list[Node]; scalar: str/int/float/bool/None
    start: int                     # character offsets into the decoded text (BOM excluded)
    end: int
    line: int                      # 1-based
    column: int                    # 0-based
    tag: str | None = None         # YAML short tag such as "!Ref"; None for plain values and all JSON
    keys: dict[str, "Node"] = field(default_factory=dict)   # map only: the key nodes
    flow: bool = True              # YAML: flow style ({...}/[...] or a scalar); JSON: always True
    style: str | None = None       # YAML scalar style: None (plain), "'", '"', "|", ">"
    anchor: str | None = None      # YAML: the anchor (&name) this value defines; its span includes `&name `
    alias: bool = False            # YAML: reached through an alias (*name); the span is the anchored value's

    def get(self, key: str) -> "Node | None":
        return self.value.get(key) if self.kind == "map" else None

    def path(self, *keys: str) -> "Node | None":
        node: Node | None = self
        for key in keys:
            node = node.get(key) if node is not None else None
        return node

    def items(self) -> Iterator[tuple[str, "Node"]]:
        return iter(self.value.items()) if self.kind == "map" else iter(())

    def plain(self) -> Any:
        """The value as plain Python (intrinsics as {"Ref": ...} mappings), for reports and comparisons."""
        if self.tag:
            name = intrinsic_name(self.tag)
            inner = Node(self.kind, self.value, self.start, self.end, self.line, self.column, None, self.keys)
            return {name: inner.plain()}
        if self.kind == "map":
            return {k: v.plain() for k, v in self.value.items()}
        if self.kind == "seq":
            return [v.plain() for v in self.value]
        return self.value


def intrinsic_name(tag: str) -> str:
    short = tag.lstrip("!")
    return short if short in ("Ref", "Condition") else f"Fn::{short}"


def intrinsic(node: Node | None) -> tuple[str, Node] | None:
    """(function name, argument) when the node is an intrinsic function call in either syntax, else None."""
    if node is None:
        return None
    if node.tag:
        arg = Node(node.kind, node.value, node.start, node.end, node.line, node.column, None, node.keys, node.flow,
                   node.style)
        return intrinsic_name(node.tag), arg
    if node.kind == "map" and len(node.value) == 1:
        (name, arg), = node.value.items()
        if name == "Ref" or name == "Condition" or name.startswith("Fn::"):
            return name, arg
    return None


# -- JSON -----------------------------------------------------------------------------------------------------------

class ByteOffsets:
    """Maps tree-sitter byte offsets to character offsets; identity for ASCII text."""

    def __init__(self, text: str):
        self.ascii = text.isascii()
        if not self.ascii:
            self.byte_ends: list[int] = []
            self.extra: list[int] = []
            pos = extra = 0
            for char in text:
                width = len(char.encode("utf-8", errors="surrogatepass"))
                pos += width
                if width > 1:
                    extra += width - 1
                    self.byte_ends.append(pos)
                    self.extra.append(extra)

    def char(self, byte_offset: int) -> int:
        if self.ascii:
            return byte_offset
        index = bisect.bisect_right(self.byte_ends, byte_offset) - 1
        return byte_offset - (self.extra[index] if index >= 0 else 0)


@functools.lru_cache(maxsize=None)
def tree_sitter_parser(grammar: str):
    """One tree-sitter parser per grammar module (tree_sitter_json, tree_sitter_c_sharp), made on first use."""
    import importlib

    import tree_sitter
    return tree_sitter.Parser(tree_sitter.Language(importlib.import_module(grammar).language()))


def parse_json(text: str, path) -> Node:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise SplitterError(f"not valid JSON: {exc.msg} (column {exc.colno})", path, exc.lineno,
                            hint="fix the syntax; CloudFormation would reject it too") from None
    except RecursionError:
        raise SplitterError("JSON nested too deeply", path) from None
    data = text.encode("utf-8", errors="surrogatepass")
    tree = tree_sitter_parser("tree_sitter_json").parse(data)
    offsets = ByteOffsets(text)
    root = tree.root_node
    values = [child for child in root.named_children if child.type != "comment"]
    if len(values) != 1:
        raise SplitterError("expected one JSON document", path)
    counter = [0]
    try:
        return _json_node(values[0], data, offsets, path, counter)
    except RecursionError:
        raise SplitterError("JSON nested too deeply", path) from None


def _json_node(ts, data: bytes, offsets: ByteOffsets, path, counter) -> Node:
    counter[0] += 1
    start, end = offsets.char(ts.start_byte), offsets.char(ts.end_byte)
    # tree-sitter counts columns in bytes; YAML nodes and editors count characters.
    line, column = ts.start_point[0] + 1, start - offsets.char(ts.start_byte - ts.start_point[1])
    if ts.type == "object":
        values: dict[str, Node] = {}
        keys: dict[str, Node] = {}
        for pair in ts.named_children:
            if pair.type != "pair":
                continue
            key_ts, value_ts = pair.child_by_field_name("key"), pair.child_by_field_name("value")
            key = _json_node(key_ts, data, offsets, path, counter)
            if key.value in values:
                raise SplitterError(f"duplicate key {key.value!r}", path, key.line,
                                    hint="CloudFormation rejects duplicate keys; keep one")
            keys[key.value] = key
            values[key.value] = _json_node(value_ts, data, offsets, path, counter)
        return Node("map", values, start, end, line, column, keys=keys)
    if ts.type == "array":
        items = [_json_node(c, data, offsets, path, counter) for c in ts.named_children if c.type != "comment"]
        return Node("seq", items, start, end, line, column)
    raw = data[ts.start_byte:ts.end_byte].decode("utf-8", errors="surrogatepass")
    # The document is valid JSON (checked above): a string without a backslash is its text between the quotes.
    value = raw[1:-1] if ts.type == "string" and "\\" not in raw else json.loads(raw)
    return Node("scalar", value, start, end, line, column, style='"' if ts.type == "string" else None)
