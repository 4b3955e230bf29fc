"""The names one C# file refers to, read from its syntax tree: every dotted name in a position where it may name a
type (base lists, declarations, `new T`, `typeof`, generic arguments, attributes, casts, `is`/`as`, the left side of
a member access), the namespace blocks and using directives that decide what those names bind to, and the member
names a call may use (extension methods). A member's own declared name, the right side of a member access
(`Keys.Function`), a named argument, an initializer's member name, strings and comments are never type names.

Binding the names to declared types is the project index's job (graph/symbols.py): this module only reads syntax.
The walk is the expensive part of reading a file, so it runs only for files that can contain an asked name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from splitter.model.csharp import CsFile
from splitter.model.nodes import ByteOffsets

DECLARING = {"class_declaration", "struct_declaration", "interface_declaration", "enum_declaration",
             "record_declaration", "record_struct_declaration", "delegate_declaration", "method_declaration",
             "property_declaration", "event_declaration", "variable_declarator", "parameter", "type_parameter",
             "enum_member_declaration", "local_function_statement", "constructor_declaration",
             "destructor_declaration", "declaration_pattern", "catch_declaration", "tuple_element",
             "argument", "attribute_argument", "using_directive", "labeled_statement", "from_clause",
             "let_clause", "join_clause", "query_continuation", "single_variable_designation", "indexer_declaration"}
CONTEXT_NODES = {"object_creation_expression", "typeof_expression", "cast_expression", "attribute", "base_list",
                 "parameter", "variable_declaration", "is_pattern_expression", "as_expression", "is_expression",
                 "invocation_expression", "type_argument_list", "declaration_pattern", "default_expression",
                 "property_declaration", "method_declaration", "type_parameter_constraint", "array_creation_expression"}
STRING_NODES = {"string_literal", "verbatim_string_literal", "raw_string_literal"}
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})")


@dataclass(frozen=True)
class Reference:
    """A dotted name as written (`Function`, `Shop.Orders.Function`, `Keys.Function`): in a type position every
    segment may name a type; in an expression only a prefix can (the rest are members)."""
    segments: tuple[str, ...]
    offset: int                  # character offset of the first segment
    in_type: bool                # a type position: the last segment is a type
    context: str                 # the code around it, one line, for messages
    global_alias: bool = False   # written `global::...`


@dataclass(frozen=True)
class Using:
    kind: str                    # "namespace", "static" or "alias"
    target: tuple[str, ...]      # the dotted name it imports
    alias: str = ""
    is_global: bool = False
    offset: int = -1             # character offset of the directive (-1: not read from a file's tree)
    text: str = ""               # the directive, one line, for messages


@dataclass
class Scope:
    """A namespace block (or the compilation unit, namespace "") with the usings written directly in it."""
    namespace: str
    start: int
    end: int
    usings: list[Using] = field(default_factory=list)


@dataclass
class FileSymbols:
    references: list[Reference] = field(default_factory=list)
    members: list[tuple[str, int, str]] = field(default_factory=list)   # (name, offset, context): names calls use
    strings: list[tuple[str, int]] = field(default_factory=list)        # string literals holding a dotted name
    scopes: list[Scope] = field(default_factory=list)                   # compilation unit first


def identifier(text: str) -> str:
    """An identifier as the compiler reads it: `@class` is `class`, `\\u0046oo` is `Foo`."""
    if text.startswith("@"):
        text = text[1:]
    if "\\" in text:
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return text


def read_symbols(cs: CsFile, interesting: set[str] | frozenset[str] | None = None,
                 walk: bool = False) -> FileSymbols:
    """The file's references, usings and calls. With `interesting`, only references one of whose segments is in it
    are kept (the names of the project's types, namespaces and aliases: no other reference can bind to one)."""
    tree, data = cs.take_tree("symbols")
    reader = _Reader(data, ByteOffsets(cs.text), cs.text, interesting)
    reader.walking = walk
    root = tree.root_node
    unit = Scope("", 0, len(cs.text))
    reader.out.scopes.append(unit)
    reader.container(root, unit)
    if not walk:
        reader.from_query(root)
    return reader.out


_QUERIES: dict[str, object] = {}


def _query(kind: str):
    """The tree-sitter queries (run in C: only the nodes they capture become Python objects)."""
    if not _QUERIES:
        import tree_sitter
        import tree_sitter_c_sharp
        language = tree_sitter.Language(tree_sitter_c_sharp.language())
        _QUERIES["names"] = tree_sitter.Query(language, "(identifier) @id")
        _QUERIES["strings"] = tree_sitter.Query(
            language, "[(string_literal) (verbatim_string_literal) (raw_string_literal)] @s")
    return _QUERIES[kind]


CHAIN_NODES = ("qualified_name", "alias_qualified_name")


class _Reader:
    def __init__(self, data: bytes, offsets: ByteOffsets, text: str = "", interesting=None):
        self.data = data
        self.offsets = offsets
        self.source = text
        self.interesting = interesting
        self.out = FileSymbols()

    def text(self, node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", errors="replace")

    def char(self, node) -> int:
        return self.offsets.char(node.start_byte)

    def container(self, node, scope: Scope) -> None:
        """Namespace blocks and usings at the top of the compilation unit or of a namespace body."""
        current = scope
        for child in node.named_children:
            if child.type == "using_directive":
                self.using(child, current)
            elif child.type == "file_scoped_namespace_declaration":
                name = self.dotted(child.child_by_field_name("name"))
                full = ".".join(((current.namespace,) if current.namespace else ()) + name)
                current = Scope(full, self.char(child), scope.end)
                self.out.scopes.append(current)
            elif child.type == "namespace_declaration":
                name = self.dotted(child.child_by_field_name("name"))
                full = ".".join(((current.namespace,) if current.namespace else ()) + name)
                inner = Scope(full, self.char(child), self.offsets.char(child.end_byte))
                self.out.scopes.append(inner)
                body = child.child_by_field_name("body")
                if body is not None:
                    self.container(body, inner)
            elif self.walking:
                self.walk(child)

    def using(self, node, scope: Scope) -> None:
        is_global = any(c.type == "global" for c in node.children)
        alias = node.child_by_field_name("alias") or node.child_by_field_name("name")
        names = [c for c in node.named_children if c.type in ("identifier", "qualified_name", "alias_qualified_name",
                                                              "generic_name") and c != alias]
        where = self.char(node)
        written = " ".join(self.text(node).split())
        written = written if len(written) <= 70 else written[:67] + "..."
        if alias is not None and any(c.type == "=" for c in node.children):
            target = self.dotted(names[-1]) if names else ()
            scope.usings.append(Using("alias", target, identifier(self.text(alias)), is_global, where, written))
        elif names or alias is not None:
            target = self.dotted(names[-1] if names else alias)
            kind = "static" if any(c.type == "static" for c in node.children) else "namespace"
            scope.usings.append(Using(kind, target, "", is_global, where, written))

    def dotted(self, node) -> tuple[str, ...]:
        if node is None:
            return ()
        kind = node.type
        if kind == "identifier":
            return (identifier(self.text(node)),)
        if kind == "generic_name":
            name = next((c for c in node.named_children if c.type == "identifier"), None)
            return (identifier(self.text(name)),) if name is not None else ()
        if kind == "qualified_name":
            return self.dotted(node.child_by_field_name("qualifier")) + self.dotted(node.child_by_field_name("name"))
        if kind == "alias_qualified_name":
            return self.dotted(node.child_by_field_name("name"))
        if kind == "member_access_expression":
            left = self.dotted(node.child_by_field_name("expression"))
            return left + self.dotted(node.child_by_field_name("name")) if left else ()
        return ()

    def context(self, node) -> str:
        current = node
        for _ in range(4):
            parent = current.parent
            if parent is None or parent.type in ("block", "declaration_list", "compilation_unit"):
                break
            current = parent
            if current.type in CONTEXT_NODES:
                break
        text = " ".join(self.text(current).split())
        return text if len(text) <= 70 else text[:67] + "..."

    def reference(self, node, segments: tuple[str, ...], in_type: bool | None, global_alias: bool = False) -> None:
        """Record a dotted name; `in_type` None for a simple name, whose position decides (worked out only for the
        names kept)."""
        if segments and (self.interesting is None or not self.interesting.isdisjoint(segments)):
            if in_type is None:
                in_type = not _in_expression(node)
            if not in_type and not global_alias and self.local(node, segments[0]):
                return          # a value named by a parameter or local of that name: it hides any type
            self.out.references.append(Reference(segments, self.char(node), in_type, self.context(node),
                                                 global_alias))

    def local(self, node, name: str) -> bool:
        """A parameter or local variable called `name` is in scope at `node` (the method's, a lambda's, a block's
        declarations, a for/foreach/using/catch variable); the enclosing type ends the search."""
        current = node.parent
        while current is not None:
            kind = current.type
            if kind in _SCOPE_ENDS:
                parameters = current.child_by_field_name("parameters")     # a primary constructor's
                return parameters is not None and self._declares_parameter(parameters, name)
            if kind in _FUNCTIONS:
                for child in current.named_children:
                    if child.type == "parameter_list" and self._declares_parameter(child, name):
                        return True
                    if child.type == "implicit_parameter" and identifier(self.text(child)) == name:
                        return True
            elif kind in ("block", "switch_section"):
                for statement in current.named_children:
                    if statement.type == "local_declaration_statement" and \
                            self._declares_variable(statement, name):
                        return True
            elif kind in ("for_statement", "using_statement", "fixed_statement"):
                if self._declares_variable(current, name):
                    return True
            elif kind == "foreach_statement":
                left = current.child_by_field_name("left")
                if left is not None and left.type == "identifier" and identifier(self.text(left)) == name:
                    return True
            elif kind == "catch_clause":
                for child in current.named_children:
                    if child.type == "catch_declaration":
                        named = child.child_by_field_name("name")
                        if named is not None and identifier(self.text(named)) == name:
                            return True
            current = current.parent
        return False

    def _declares_parameter(self, parameters, name: str) -> bool:
        for parameter in parameters.named_children:
            if parameter.type == "parameter":
                named = parameter.child_by_field_name("name")
                if named is not None and identifier(self.text(named)) == name:
                    return True
        return False

    def _declares_variable(self, node, name: str) -> bool:
        for declaration in node.named_children:
            if declaration.type == "variable_declaration":
                for declarator in declaration.named_children:
                    if declarator.type == "variable_declarator":
                        named = declarator.child_by_field_name("name") or next(
                            (c for c in declarator.named_children if c.type == "identifier"), None)
                        if named is not None and identifier(self.text(named)) == name:
                            return True
        return False

    def member(self, node, name: str) -> None:
        """A name a call or member access uses, with its source line as the context (cheap: most are never asked)."""
        offset = self.char(node)
        start = self.source.rfind("\n", 0, offset) + 1
        end = self.source.find("\n", offset)
        line = " ".join(self.source[start:end if end >= 0 else len(self.source)].split())
        self.out.members.append((name, offset, line if len(line) <= 70 else line[:67] + "..."))

    def type_arguments(self, node) -> None:
        for child in node.named_children:
            if child.type == "type_argument_list":
                self.walk(child)

    def walk(self, root) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            kind = node.type
            if kind == "identifier":
                parent = node.parent
                if not self.declared_name(node, parent):
                    self.reference(node, (identifier(self.text(node)),), None)
                if parent is not None and parent.type in ("member_access_expression", "invocation_expression",
                                                          "member_binding_expression"):
                    self.member(node, identifier(self.text(node)))
                continue
            if kind in ("qualified_name", "alias_qualified_name"):
                self.reference(node, self.dotted(node), True, kind == "alias_qualified_name" or
                               node.named_children[0].type == "alias_qualified_name")
                stack.extend(c for c in self.generics(node))
                continue
            if kind == "generic_name":
                self.reference(node, self.dotted(node), True)
                stack.extend(reversed(node.named_children[1:]))
                continue
            if kind == "member_access_expression":
                chain = self.dotted(node)
                name = node.child_by_field_name("name")
                member = self.dotted(name)
                if member:
                    self.member(name, member[-1])
                if chain:
                    self.reference(node, chain, False)
                    stack.extend(self.generics(node))
                else:
                    expression = node.child_by_field_name("expression")
                    if expression is not None:
                        stack.append(expression)
                    if name is not None and name.type == "generic_name":
                        stack.extend(name.named_children[1:])
                continue
            if kind in STRING_NODES:
                text = self.text(node)
                if "." in text:
                    self.out.strings.append((text, self.char(node)))
                continue
            if kind == "comment":
                continue
            if kind == "using_directive":
                continue
            stack.extend(reversed(node.named_children))

    def from_query(self, root) -> None:
        """What walk() finds, from the identifiers a query captures: each climbs to the dotted name it is part of,
        and that name is read once. Only identifiers outside using directives and namespace names count."""
        import tree_sitter
        seen: set[tuple[int, int]] = set()
        chains: dict[tuple[int, int], bool] = {}
        found: list[tuple[int, int, object]] = []        # (start byte, order, action)
        captures = tree_sitter.QueryCursor(_query("names")).captures(root).get("id", [])
        for node in captures:
            name = identifier(self.text(node))
            parent, child = node.parent, node
            if parent is not None and parent.type == "generic_name" and parent.named_children[0] == node:
                parent, child = parent.parent, parent        # `services.AddSingleton<T>()` names AddSingleton
            if parent is not None and child is not node and parent.type == "member_access_expression" and \
                    _field(parent, child) == "name":
                found.append((child.start_byte, 1, ("member", child, name)))
            elif parent is not None and child is node and parent.type in (
                    "member_access_expression", "invocation_expression", "member_binding_expression") and \
                    (parent.type != "member_access_expression" or _field(parent, node) == "name"):
                found.append((node.start_byte, 1, ("member", node, name)))
            if self.interesting is not None and name not in self.interesting:
                continue           # a dotted name it is part of is read from its interesting segment, if any
            top, member_only = node, False
            while True:
                up = top.parent
                if up is None:
                    break
                if up.type in CHAIN_NODES:
                    top = up
                    continue
                if up.type == "generic_name" and _field(up, top) is None and top.type == "identifier" and \
                        up.named_children and up.named_children[0] == top:
                    top = up
                    continue
                if up.type == "member_access_expression":
                    key = (up.start_byte, up.end_byte)
                    if key not in chains:
                        chains[key] = bool(self.dotted(up))
                    if chains[key]:
                        top = up
                        continue
                    if _field(up, top) == "name":
                        member_only = True
                break
            if member_only:
                continue
            if any(_inside_using_or_namespace_name(top)):
                continue
            key = (top.start_byte, top.end_byte)
            if key in seen:
                continue
            seen.add(key)
            found.append((top.start_byte, 0, ("reference", top, None)))
        for _, _, (action, node, name) in sorted(found, key=lambda f: (f[0], f[1])):
            if action == "member":
                self.member(node, name)
                continue
            kind = node.type
            if kind == "identifier":
                if not self.declared_name(node, node.parent):
                    self.reference(node, (identifier(self.text(node)),), None)
            elif kind in CHAIN_NODES:
                self.reference(node, self.dotted(node), True, kind == "alias_qualified_name" or
                               node.named_children[0].type == "alias_qualified_name")
            elif kind == "generic_name":
                self.reference(node, self.dotted(node), True)
            else:
                self.reference(node, self.dotted(node), False)
        strings = tree_sitter.QueryCursor(_query("strings")).captures(root).get("s", [])
        for node in sorted(strings, key=lambda n: n.start_byte):
            text = self.text(node)
            if "." in text and not any(_inside_using_or_namespace_name(node)):
                self.out.strings.append((text, self.char(node)))

    def generics(self, node) -> list:
        found, stack = [], [node]
        while stack:
            current = stack.pop()
            for child in current.named_children:
                if child.type == "type_argument_list":
                    found.append(child)
                elif child.type in ("qualified_name", "generic_name", "member_access_expression",
                                    "alias_qualified_name"):
                    stack.append(child)
        return found

    walking = True

    @staticmethod
    def declared_name(node, parent) -> bool:
        """A name the code declares, or a member name: never a reference to a type."""
        if parent is None:
            return False
        field_name = None
        for index, child in enumerate(parent.children):
            if child == node:
                field_name = parent.field_name_for_child(index)
                break
        ptype = parent.type
        if field_name == "name":
            return ptype != "attribute"
        if field_name == "left" and ptype in ("assignment_expression", "foreach_statement"):
            return True
        if ptype in ("anonymous_object_creation_expression", "member_binding_expression", "name_equals",
                     "name_colon", "tuple_pattern", "parenthesized_variable_designation"):
            return True
        if ptype == "foreach_statement" and field_name != "type" and field_name != "right":
            return True
        return ptype in DECLARING and field_name not in ("type", "returns", None) or \
            ptype in ("labeled_statement", "goto_statement") and field_name is None


_SCOPE_ENDS = {"class_declaration", "struct_declaration", "interface_declaration", "record_declaration",
               "record_struct_declaration", "enum_declaration", "compilation_unit"}
_FUNCTIONS = {"method_declaration", "constructor_declaration", "local_function_statement", "operator_declaration",
              "conversion_operator_declaration", "indexer_declaration", "lambda_expression",
              "anonymous_method_expression", "delegate_declaration"}

# Where a simple name can only be a value (an expression), never a type: there a member of an enclosing type of
# that name hides a type of the namespace (`Function.Length` reads the property `Function`).
_VALUE_PARENTS = {"argument": None, "return_statement": None, "equals_value_clause": None, "interpolation": None,
                  "arrow_expression_clause": None, "expression_statement": None,
                  "assignment_expression": "right", "invocation_expression": "function"}


def _in_expression(node) -> bool:
    parent = node.parent
    if parent is None or parent.type not in _VALUE_PARENTS:
        return False
    wanted = _VALUE_PARENTS[parent.type]
    return wanted is None or _field(parent, node) == wanted


def _field(parent, child) -> str | None:
    for index in range(parent.child_count):
        if parent.child(index) == child:
            return parent.field_name_for_child(index)
    return None


def _inside_using_or_namespace_name(node):
    """Yields True when `node` (the top of a dotted name) is a using directive's or a namespace declaration's."""
    parent = node.parent
    if parent is None:
        return
    if parent.type == "using_directive":
        yield True
    elif parent.type in ("namespace_declaration", "file_scoped_namespace_declaration") and \
            _field(parent, node) == "name":
        yield True
