"""The heads of C# declarations, read from tree-sitter nodes: modifiers, attributes and their arguments, the
names a member assigns, string literals. Leaf helpers of model/csharp.py: nodes and bytes in, plain values out."""

from __future__ import annotations

import re
import sys

def node_text(node, data: bytes) -> str:
    text = data[node.start_byte:node.end_byte].decode("utf-8", errors="replace")
    # names, modifiers and usings repeat across thousands of files: one copy each
    return sys.intern(text) if len(text) < 64 else text


def is_extension(method, data: bytes) -> bool:
    parameters = method.child_by_field_name("parameters")
    first = next((c for c in parameters.named_children if c.type == "parameter"), None) if parameters else None
    return first is not None and any(c.type == "modifier" and node_text(c, data) == "this" for c in first.children)


def assigned_names(node, data: bytes) -> set[str]:
    """Names a constructor assigns: `x = ...`, `this.x = ...` (and compound assignments)."""
    names: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "assignment_expression":
            left = current.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                names.add(node_text(left, data))
            elif left is not None and left.type == "member_access_expression":
                target = left.child_by_field_name("expression")
                name = left.child_by_field_name("name")
                if target is not None and node_text(target, data) == "this" and name is not None:
                    names.add(node_text(name, data))
        stack.extend(current.named_children)
    return names


def _head(node, data: bytes) -> tuple[set[str], list, dict[str, str]]:
    """A declaration's modifiers, attribute names and attribute arguments, read in one pass over the attribute
    lists and modifiers that open it (they precede everything else, so the rest of its children are never made)."""
    key = (node.id, data is not None and id(data))
    cached = HEAD_CACHE.get("last")
    if cached is not None and cached[0] == key:
        return cached[1]
    modifiers: set[str] = set()
    names: list[str] = []
    arguments: dict[str, str] = {}
    for index in range(node.child_count):
        child = node.child(index)
        kind = child.type
        if kind == "modifier":
            modifiers.add(node_text(child, data))
        elif kind == "attribute_list":
            for attribute in child.named_children:
                if attribute.type == "attribute":
                    name = attribute_name(attribute, data)
                    names.append(name)
                    args = next((c for c in attribute.named_children if c.type == "attribute_argument_list"), None)
                    arguments.setdefault(name, node_text(args, data)[1:-1].strip() if args is not None else "")
        elif kind not in ("comment", "preproc_if", "preproc_else", "preproc_endif", "preproc_region",
                          "preproc_endregion", "preproc_pragma", "preproc_nullable"):
            break
    result = (modifiers, names, arguments)
    HEAD_CACHE["last"] = (key, result)
    return result


HEAD_CACHE: dict[str, tuple] = {}


def modifiers(node, data: bytes) -> set[str]:
    return set(_head(node, data)[0])


def attributes(node, data: bytes) -> list[str]:
    return list(_head(node, data)[1])


def attribute_arguments(node, data: bytes) -> dict[str, str]:
    return dict(_head(node, data)[2])


def named_argument(arguments: str, name: str) -> str | None:
    """The string value of `Name = "value"` in an attribute's argument text, if written as a plain literal."""
    match = re.search(r"\b%s\s*=\s*\"((?:[^\"\\]|\\.)*)\"" % re.escape(name), arguments)
    return match.group(1) if match else None


def attribute_name(attribute, data: bytes) -> str:
    name_node = attribute.child_by_field_name("name") or attribute.named_children[0]
    name = node_text(name_node, data).split(".")[-1].split("<")[0].strip()
    return name[:-len("Attribute")] if name.endswith("Attribute") and name != "Attribute" else name


def string_argument(argument: str) -> str | None:
    """The value of a simple string literal argument such as `"Orders.Tests"` (InternalsVisibleTo)."""
    argument = argument.strip()
    if len(argument) >= 2 and argument[0] == argument[-1] == '"':
        return argument[1:-1].split(",")[0].strip()
    return None
