"""YAML templates composed from libyaml's event stream (PyYAML's C parser) into the same position-keeping nodes
ruamel.yaml gives, some fifty times faster. Whatever is unusual (a syntax error, a directive, an alias bomb, a
duplicate key, deep nesting, no libyaml) returns None, and ruamel composes the text as before, errors included.
"""

from __future__ import annotations

from splitter.model.nodes import MAX_NODES, Node, _block_end, _yaml_scalar

MAX_DEPTH = 100                    # deeper documents go to ruamel, which decides as it always has
MAX_COPIED = 10_000                # so do documents whose aliases expand to more nodes (ruamel refuses bombs fast)
_LINE_BREAKS_11 = ("\x85", "\u2028", "\u2029")   # line breaks in YAML 1.1 (libyaml), not in 1.2 (ruamel)


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
        self.count = 0
        self.copied = 0
        self.tags: dict[str, str | None] = {}
        self.resolver = None

    def run(self, parser) -> Node:
        names = [type(parser.get_event()).__name__ for _ in range(2)]
        if names != ["StreamStartEvent", "DocumentStartEvent"]:
            raise _Unusual                           # no document: ruamel says the template is empty
        stack: list[list] = []                       # [start event, kind, items, pending key, nodes below]
        root = None
        while root is None:
            event = parser.get_event()
            kind = type(event).__name__
            if kind in ("MappingStartEvent", "SequenceStartEvent"):
                stack.append([event, "map" if kind == "MappingStartEvent" else "seq", [], None, 0])
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

    def _counted(self, amount: int = 1) -> None:
        self.count += amount
        if self.count > MAX_NODES:
            raise _Unusual                           # ruamel refuses it as an alias bomb

    def _scalar(self, event) -> Node:
        self._counted()
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
        """The tag ruamel's YAML 1.2 resolver gives an untagged scalar (the values it sees repeat: cached)."""
        key = (value, bool(implicit[0]))
        if key not in self.tags:
            if self.resolver is None:
                from ruamel.yaml.nodes import ScalarNode
                from ruamel.yaml.resolver import VersionedResolver
                self.resolver, self.scalar_node = VersionedResolver(), ScalarNode
            tag = self.resolver.resolve(self.scalar_node, value, tuple(implicit))
            self.tags[key] = tag if isinstance(tag, str) else getattr(tag, "value", None)
        return self.tags[key]

    def _collection(self, frame: list, end_event) -> Node:
        start_event, kind, items, pending, _ = frame
        if pending is not None:
            raise _Unusual
        self._counted()
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
            if any(name == other for other, _, _ in frame[2]):
                raise _Unusual                       # ruamel reports the duplicate key with its line
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
        self._counted()
        if node.kind == "map":
            value = {name: self._copy(child) for name, child in node.value.items()}
            keys = {name: self._copy(key) for name, key in node.keys.items()}
        elif node.kind == "seq":
            value, keys = [self._copy(child) for child in node.value], {}
        else:
            value, keys = node.value, {}
        return Node(node.kind, value, node.start, node.end, node.line, node.column, node.tag, keys, node.flow,
                    node.style, node.anchor, alias=node.anchor is not None)
