"""Position-keeping document trees for JSON and YAML templates: every value knows its exact source span.

Edits splice text at these spans, so a template can be changed without re-serializing (and reformatting) it.
This module holds the tree (`Node`) and the JSON reader: `json.loads` proves a JSON document valid (and locates any
syntax error), then one regular-expression scan of its tokens gives every value its span. YAML is read by `splitter.model.yaml_events.parse_yaml`, which builds
on this module (never the other way round).
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from json.decoder import scanstring
from dataclasses import dataclass, field
from typing import Any, Iterator

from splitter.errors import SplitterError

@dataclass(eq=False, slots=True)
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


# One token of a document json.loads has already accepted (a string, an opening or closing bracket, or a bare literal:
# number, true, false, null, NaN, Infinity) with the blanks, commas and colons before it. In a valid document these
# pieces cover the text up to its trailing blanks, so a token's offset is the sum of the lengths before it, and a map's
# tokens alternate key, value. A string holds no raw line break: lines end only in the blanks. `findall` hands the
# pieces over as strings, without a match object per token.
_JSON_PIECE = re.compile(r'([ \t\n\r,:]*)("[^"\\]*(?:\\.[^"\\]*)*"|[{\[\]}]|[^ \t\n\r,:{}\[\]"]+)', re.DOTALL)
_JSON_CONSTANTS = {"true": True, "false": False, "null": None,
                   "NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
MAX_JSON_DEPTH = 400     # deeper documents are refused here, not by a RecursionError in whatever walks the tree next


def parse_json(text: str, path) -> Node:
    """The document as a tree of Nodes with character offsets, 1-based lines and 0-based character columns (only a
    line feed ends a line). `json.loads` proves the text valid (its error names the line); a single scan of the tokens
    then builds the tree, without recursion, so a document is refused for its depth only beyond MAX_JSON_DEPTH."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise SplitterError(f"not valid JSON: {exc.msg} (column {exc.colno})", path, exc.lineno,
                            hint="fix the syntax; CloudFormation would reject it too") from None
    except RecursionError:
        raise SplitterError("JSON nested too deeply", path) from None
    end = 0                           # where the last token ended
    line, line_start = 1, 0
    stack: list[tuple[Node | None, Node | None, bool]] = []
    push, pop = stack.append, stack.pop
    root: Node | None = None
    container: Node | None = None     # the innermost open map or sequence
    in_map = False                    # container is a map
    key: Node | None = None           # the key of container whose value comes next
    constants = _JSON_CONSTANTS
    new = Node
    for blank, token in _JSON_PIECE.findall(text):
        start = end + len(blank)
        if "\n" in blank:
            line += blank.count("\n")
            line_start = end + blank.rindex("\n") + 1
        end = start + len(token)
        first = token[0]
        if first == '"':
            # A string without a backslash is its text between the quotes.
            value = token[1:-1] if "\\" not in token else scanstring(token, 1)[0]
            if in_map and key is None:
                if value in container.value:
                    raise SplitterError(f"duplicate key {value!r}", path, line,
                                        hint="CloudFormation rejects duplicate keys; keep one")
                key = container.keys[value] = new("scalar", value, start, end, line, start - line_start,
                                                  None, {}, True, '"')
                continue
            node = new("scalar", value, start, end, line, start - line_start, None, {}, True, '"')
        elif first == "}" or first == "]":
            container.end = end
            container, key, in_map = pop()
            continue
        elif first == "{":
            node = new("map", {}, start, end, line, start - line_start)
        elif first == "[":
            node = new("seq", [], start, end, line, start - line_start)
        else:
            value = constants.get(token, constants)
            if value is constants:
                value = float(token) if "." in token or "e" in token or "E" in token else int(token)
            node = new("scalar", value, start, end, line, start - line_start)
        if container is None:
            root = node
        elif key is not None:
            container.value[key.value] = node
            key = None
        else:
            container.value.append(node)
        if first == "{" or first == "[":
            push((container, key, in_map))
            if len(stack) > MAX_JSON_DEPTH:
                raise SplitterError("JSON nested too deeply", path)
            container, key, in_map = node, None, first == "{"
    return root
