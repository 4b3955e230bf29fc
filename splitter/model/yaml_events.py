"""YAML templates as position-keeping nodes (`splitter.model.nodes.Node`), with CloudFormation short tags kept.

`parse_yaml` first composes the text from libyaml's event stream (PyYAML's C parser), some fifty times faster than
ruamel.yaml and giving the same nodes. Whatever is unusual (a syntax error, a directive, many aliases, a duplicate
key, deep nesting, no libyaml) makes `compose` return None, and ruamel composes the text as before, errors included.

Aliases can make a tiny file expand exponentially (a "billion laughs"): what counts is the values reached through
aliases, never the values written out, so a long plain list costs linear time and a bomb is refused before any
expansion.
"""

from __future__ import annotations

from typing import Any

from splitter.errors import SplitterError
from splitter.model.nodes import Node

# The values a document may reach through aliases, counted before anything is expanded. CloudFormation caps a
# template at 1 MB and needs no aliases at all; a bomb goes past this at once.
MAX_ALIASED = 250_000
MAX_DEPTH = 100                    # deeper documents go to ruamel, which decides as it always has
MAX_COPIED = 10_000                # so do documents whose aliases copy more nodes (ruamel refuses bombs fast)
_LINE_BREAKS_11 = ("\x85", "\u2028", "\u2029")   # line breaks in YAML 1.1 (libyaml), not in 1.2 (ruamel)


def parse_yaml(text: str, path) -> Node:
    """The document's tree; a SplitterError naming `path` (and the line) when it is not a usable YAML document."""
    fast = compose(text)        # libyaml: the usual template, 50x faster; None leaves anything unusual to ruamel
    if fast is not None:
        return fast
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = (exc.problem or exc.context or "syntax error").strip()
        raise SplitterError(f"not valid YAML: {problem}", path, line, hint="fix the syntax") from None
    except (YAMLError, RecursionError) as exc:
        raise SplitterError(f"not valid YAML: {exc}", path) from None
    if root is None:
        raise SplitterError("the template is empty", path)
    _check_expansion(root, path)
    try:
        return _yaml_node(root, text, path, set())
    except RecursionError:
        raise SplitterError("not valid YAML: nested too deeply", path) from None


def _yaml_children(node) -> list:
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, SequenceNode) else []


def _check_expansion(root, path) -> None:
    """Refuse self-referring aliases, and aliases that reach more than MAX_ALIASED values in all, without expanding
    anything: values written out once cost nothing here, however many there are."""
    sizes: dict[int, int] = {}              # a finished node: how many values it expands to, itself included
    open_nodes: set[int] = set()            # the ancestors of the node being visited
    aliased = 0                             # the values reached through aliases so far
    stack = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _yaml_children(node))
            continue
        if key in sizes:                    # ruamel gives an alias the anchored node itself: met again, it is one
            aliased += sizes[key]
            if aliased > MAX_ALIASED:
                raise SplitterError("the YAML aliases expand to too many values (an alias bomb?)", path,
                                    node.start_mark.line + 1, hint="CloudFormation templates do not need YAML aliases")
            continue
        if key in open_nodes:
            raise SplitterError("a YAML alias refers to itself", path, node.start_mark.line + 1,
                                hint="CloudFormation templates cannot be recursive")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _yaml_children(node))


def _yaml_node(node, text: str, path, anchored: set[int]) -> Node:
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    tag = node.tag if isinstance(node.tag, str) else getattr(node.tag, "value", None)
    short = tag if tag and tag.startswith("!") and not tag.startswith("!!") else None
    start, end = node.start_mark.index, node.end_mark.index
    line, column = node.start_mark.line + 1, node.start_mark.column
    flow = bool(getattr(node, "flow_style", False))
    anchor = getattr(node, "anchor", None)
    anchor = anchor if isinstance(anchor, str) else getattr(anchor, "value", None)
    alias = anchor is not None and id(node) in anchored
    if anchor is not None:
        anchored.add(id(node))
    if isinstance(node, MappingNode):
        values: dict[str, Node] = {}
        keys: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = _yaml_node(key_node, text, path, anchored)
            name = str(key.value)
            if name in values:
                raise SplitterError(f"duplicate key {name!r}", path, key.line,
                                    hint="CloudFormation rejects duplicate keys; keep one")
            keys[name] = key
            values[name] = _yaml_node(value_node, text, path, anchored)
        end = _block_end(end, flow, [*keys.values(), *values.values()])
        return Node("map", values, start, end, line, column, short, keys, flow, anchor=anchor, alias=alias)
    if isinstance(node, SequenceNode):
        items = [_yaml_node(child, text, path, anchored) for child in node.value]
        end = _block_end(end, flow, items)
        return Node("seq", items, start, end, line, column, short, flow=flow, anchor=anchor, alias=alias)
    style = node.style if node.style in ("'", '"', "|", ">") else None
    if style in ("|", ">"):
        # The composer ends a block scalar after its line break (and any blank lines); the value ends before them.
        while end > start and text[end - 1] in " \t\r\n":
            end -= 1
    # ruamel marks each fold of a folded scalar with "\a" in the value; YAML text cannot hold that character.
    value = node.value.replace("\a", "") if style == ">" else node.value
    return Node("scalar", _yaml_scalar(value, tag, style), start, end, line, column, short, style=style,
                anchor=anchor, alias=alias)


def _block_end(end: int, flow: bool, children: list[Node]) -> int:
    """A block collection ends with its last value: the composer's end also covers trailing comments and indent."""
    if flow or not children:
        return end
    return max(child.end for child in children)


def _yaml_scalar(value: str, tag: str | None, style: str | None) -> Any:
    if style is not None or tag is None:
        return value
    if tag.endswith(":int"):
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return value
    if tag.endswith(":float"):
        try:
            return float(value)
        except ValueError:
            return value
    if tag.endswith(":bool"):
        return value.lower() in ("true", "yes", "on", "y")
    if tag.endswith(":null"):
        return None
    return value


# -- libyaml's events ------------------------------------------------------------------------------------------------

class _Unusual(Exception):
    """The text needs ruamel's exact handling."""


def compose(text: str) -> Node | None:
    """The document as nodes, or None when ruamel must compose it."""
    try:
        from yaml import YAMLError
        from yaml._yaml import CParser
    except ImportError:
        return None
    if "%" in text and any(line.startswith("%") for line in text.splitlines()) or \
            any(mark in text for mark in _LINE_BREAKS_11):
        return None
    parser = CParser(text)
    try:
        return _Composer(text).run(parser)
    except (YAMLError, _Unusual, RecursionError):
        return None
    finally:
        parser.dispose()


class _Composer:
    def __init__(self, text: str):
        self.text = text
        self.anchors: dict[str, tuple[Node, int]] = {}     # anchor: (node, how many nodes it expands to)
        self.copied = 0                                    # the nodes copied for aliases (values written out are free)
        self.rules: dict[str | None, list] | None = None         # ruamel's implicit tag rules, by first character
        self.default_tag: str | None = None

    def run(self, parser) -> Node:
        names = [type(parser.get_event()).__name__ for _ in range(2)]
        if names != ["StreamStartEvent", "DocumentStartEvent"]:
            raise _Unusual                           # no document: ruamel says the template is empty
        stack: list[list] = []                       # [start event, kind, items, pending key, nodes below, keys]
        root = None
        while root is None:
            event = parser.get_event()
            kind = type(event).__name__
            if kind in ("MappingStartEvent", "SequenceStartEvent"):
                stack.append([event, "map" if kind == "MappingStartEvent" else "seq", [], None, 0, set()])
                if len(stack) > MAX_DEPTH:
                    raise _Unusual
                # ruamel binds a redefined anchor when the collection starts: an alias inside it is recursive.
                self.anchors.pop(event.anchor, None)
                continue
            if kind == "ScalarEvent":
                node, size = self._scalar(event), 1
            elif kind == "AliasEvent":
                node, size = self._alias(event.anchor)
            elif kind in ("MappingEndEvent", "SequenceEndEvent"):
                frame = stack.pop()
                node, size = self._collection(frame, event), frame[4] + 1
            else:
                raise _Unusual
            if kind != "AliasEvent" and node.anchor is not None:
                self.anchors[node.anchor] = (node, size)     # a redefined anchor: later aliases mean this one
            if stack:
                self._add(stack[-1], node)
                stack[-1][4] += size
            else:
                root = node
        if [type(parser.get_event()).__name__ for _ in range(2)] != ["DocumentEndEvent", "StreamEndEvent"]:
            raise _Unusual                           # a second document
        return root

    def _scalar(self, event) -> Node:
        tag = event.tag
        if tag == "!":
            raise _Unusual
        if tag is None:
            tag = self._resolve(event.value, event.implicit)
        start, end = event.start_mark.index, event.end_mark.index
        style = event.style if event.style in ("'", '"', "|", ">") else None
        if style in ("|", ">"):
            # The composer ends a block scalar after its line break (and any blank lines); the value ends before them.
            while end > start and self.text[end - 1] in " \t\r\n":
                end -= 1
        short = tag if tag and tag.startswith("!") and not tag.startswith("!!") else None
        return Node("scalar", _yaml_scalar(event.value, tag, style), start, end, event.start_mark.line + 1,
                    event.start_mark.column, short, style=style, anchor=event.anchor)

    def _resolve(self, value: str, implicit) -> str | None:
        """The tag ruamel's YAML 1.2 resolver gives an untagged scalar: its implicit rules (a regular expression per
        first character), matched here directly; ruamel's own call costs more than the whole parse of the value."""
        if self.rules is None:
            from ruamel.yaml.resolver import VersionedResolver
            resolver = VersionedResolver()
            table = resolver.versioned_resolver
            anywhere = [(tag, regexp.match) for tag, regexp in table.get(None, [])]   # tried after the first's
            self.rules = {first: [(tag, regexp.match) for tag, regexp in rules] + anywhere
                          for first, rules in table.items() if first is not None}
            self.rules[None] = anywhere
            default = resolver.DEFAULT_SCALAR_TAG
            self.default_tag = default if isinstance(default, str) else getattr(default, "value", None)
        if implicit[0]:
            for tag, match in self.rules.get(value[:1], self.rules[None]):
                if match(value):
                    return tag
        return self.default_tag

    def _collection(self, frame: list, end_event) -> Node:
        start_event, kind, items, pending = frame[:4]
        if pending is not None:
            raise _Unusual
        tag = start_event.tag
        short = tag if tag and tag.startswith("!") and not tag.startswith("!!") else None
        flow = bool(start_event.flow_style)
        start, end = start_event.start_mark.index, end_event.end_mark.index
        line, column = start_event.start_mark.line + 1, start_event.start_mark.column
        if kind == "seq":
            return Node("seq", items, start, _block_end(end, flow, items), line, column, short, flow=flow,
                        anchor=start_event.anchor)
        values = {name: value for name, _, value in items}
        keys = {name: key for name, key, _ in items}
        end = _block_end(end, flow, [*keys.values(), *values.values()])
        return Node("map", values, start, end, line, column, short, keys, flow, anchor=start_event.anchor)

    def _add(self, frame: list, node: Node) -> None:
        if frame[1] == "seq":
            frame[2].append(node)
        elif frame[3] is None:
            if node.kind != "scalar":
                raise _Unusual                       # a complex key
            name = str(node.value)
            if name in frame[5]:
                raise _Unusual                       # ruamel reports the duplicate key with its line
            frame[5].add(name)
            frame[3] = node
        else:
            frame[2].append((str(frame[3].value), frame[3], node))
            frame[3] = None

    def _alias(self, anchor: str) -> tuple[Node, int]:
        if anchor not in self.anchors:
            raise _Unusual                           # undefined, or an alias inside its own anchor
        node, size = self.anchors[anchor]
        self.copied += size
        if self.copied > MAX_COPIED:
            raise _Unusual                           # checked before copying: a bomb costs nothing here
        return self._copy(node), size

    def _copy(self, node: Node) -> Node:
        """What ruamel's tree gives for an alias: a fresh copy of the anchored nodes, those with anchors marked."""
        if node.kind == "map":
            value = {name: self._copy(child) for name, child in node.value.items()}
            keys = {name: self._copy(key) for name, key in node.keys.items()}
        elif node.kind == "seq":
            value, keys = [self._copy(child) for child in node.value], {}
        else:
            value, keys = node.value, {}
        return Node(node.kind, value, node.start, node.end, node.line, node.column, node.tag, keys, node.flow,
                    node.style, node.anchor, alias=node.anchor is not None)
