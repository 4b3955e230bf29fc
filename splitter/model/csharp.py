"""C# sources through tree-sitter: namespaces, type declarations with exact spans, their members (fields, properties,
constructors, methods, nested types), attributes, usings, assembly-level attributes and the identifiers each piece of
code uses.

Offsets are character offsets into the decoded text, so a type's text can be cut out of one file and into another
without touching any other byte. (About 410 lines: the declaration types and the one walk that fills them, lazily
for members, belong together; the declaration-head readers are in csharp_syntax.py.)
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

from splitter.model.nodes import ByteOffsets, tree_sitter_parser
from splitter.model.textfile import TextFile, read_text
from splitter.model.csharp_syntax import (HEAD_CACHE, assigned_names, attribute_arguments, attribute_name, attributes,
                                          is_extension, modifiers, node_text)

TYPE_NODES = {"class_declaration": "class", "struct_declaration": "struct", "interface_declaration": "interface",
              "enum_declaration": "enum", "record_declaration": "record", "record_struct_declaration": "record",
              "delegate_declaration": "delegate"}

def parser():
    return tree_sitter_parser("tree_sitter_c_sharp")


@dataclass(eq=False)
class MethodDecl:
    name: str
    attributes: list[str]
    modifiers: set[str]
    start: int
    end: int
    extension: bool = False        # `static T Name(this U u)`: callers name the method, never its type


# Member declarations of a type body, by tree-sitter node type.
MEMBER_NODES = {"field_declaration": "field", "event_field_declaration": "event", "event_declaration": "event",
                "property_declaration": "property", "indexer_declaration": "indexer",
                "constructor_declaration": "constructor", "destructor_declaration": "destructor",
                "method_declaration": "method", "operator_declaration": "operator",
                "conversion_operator_declaration": "operator"}


@dataclass(eq=False)
class MemberDecl:
    """One member of a type body, with what it uses: enough to tell which members a method needs."""
    kind: str                      # "field", "property", "constructor", "method", "event", "type", ...
    names: list[str]               # declared names (`int a, b;` declares two); a constructor has its type's name
    attributes: list[str]
    attribute_arguments: dict[str, str]   # attribute name -> the text between its parentheses
    modifiers: set[str]
    start: int                     # the declaration with its attributes (not the doc comment above it)
    end: int
    assigns: set[str] = field(default_factory=set)    # constructors: names assigned (`x = ...`, `this.x = ...`)
    explicit_interface: bool = False                   # `void IFoo.Bar()`: implements an interface member
    file: "CsFile | None" = field(default=None, repr=False)

    @property
    def uses(self) -> set[str]:
        """Every identifier inside it (read on first use: walking every file's identifiers is the slow part)."""
        cached = self.__dict__.get("_uses")
        if cached is None:
            cached = self.__dict__["_uses"] = self.file.identifiers_in(self.start, self.end) if self.file else set()
        return cached

    @property
    def name(self) -> str:
        return self.names[0] if self.names else ""

    @property
    def is_static(self) -> bool:
        return "static" in self.modifiers or "const" in self.modifiers


@dataclass(eq=False)
class NamespaceDecl:
    name: str                      # the full name, outer namespaces included
    start: int
    end: int
    file_scoped: bool
    types: list["TypeDecl"] = field(default_factory=list)


@dataclass(eq=False)
class TypeDecl:
    name: str
    full_name: str                 # Namespace.Outer.Name (CLR nesting written with "." here)
    namespace: str
    kind: str
    modifiers: set[str]
    attributes: list[str]
    start: int                     # the declaration, attributes included
    end: int
    file: "CsFile"
    nested: list["TypeDecl"] = field(default_factory=list)
    top_level: bool = True
    bases: list[str] = field(default_factory=list)             # the base list as written: base class, interfaces
    primary_parameters: list[str] = field(default_factory=list)   # `class Functions(IStore store)`: ["store"]
    base_span: tuple[int, int] | None = None                   # the base list (`: Base(store), IDisposable`)
    body_start: int | None = None                              # the `{` of the body

    @property
    def methods(self) -> list[MethodDecl]:
        """Its methods (read on first use: most types of a project are never asked about their members)."""
        if "_methods" not in self.__dict__:
            self.file.read_members()
        return self.__dict__["_methods"]

    @property
    def members(self) -> list[MemberDecl]:
        """Every member, nested types included, in order (read on first use)."""
        if "_members" not in self.__dict__:
            self.file.read_members()
        return self.__dict__["_members"]

    @property
    def base_uses(self) -> set[str]:
        """The identifiers in the base list."""
        if self.base_span is None:
            return set()
        cached = self.__dict__.get("_base_uses")
        if cached is None:
            cached = self.__dict__["_base_uses"] = self.file.identifiers_in(*self.base_span)
        return cached

    @property
    def is_partial(self) -> bool:
        return "partial" in self.modifiers

    @property
    def is_file_local(self) -> bool:
        return "file" in self.modifiers

    def has_method(self, name: str) -> bool:
        return any(m.name == name for m in self.methods)


@dataclass(eq=False)
class AssemblyAttribute:
    name: str                      # last segment without "Attribute": "LambdaSerializer", "InternalsVisibleTo"
    text: str                      # the whole `[assembly: ...]` list as written
    argument: str                  # the text between the parentheses
    start: int
    end: int


@dataclass(eq=False)
class UsingDirective:
    text: str
    namespace: str
    is_global: bool
    is_static_or_alias: bool
    start: int
    end: int


# What parse_file fills in; a lazily read file parses itself on the first access of any of them.
DECLARATIONS = ("types", "usings", "assembly_attributes", "namespaces", "has_errors", "namespace_blocks")


class CsFile:
    """One C# file: its text, and its declarations (namespaces, usings, assembly attributes, top-level types in
    file order). A file read with `parse_file(..., lazy=True)` is parsed on the first access of a declaration:
    most files of a large project are only moved or left alone, and never need a syntax tree."""

    def __init__(self, path: Path, source: TextFile, has_errors: bool = False, *, lazy: bool = False):
        self.path = path
        self.source = source
        if not lazy:
            self._empty(has_errors)

    def _empty(self, has_errors: bool) -> None:
        d = self.__dict__
        d["types"], d["usings"], d["assembly_attributes"] = [], [], []
        d["namespaces"], d["has_errors"], d["namespace_blocks"] = set(), has_errors, []

    def __getattr__(self, name: str):
        if name in DECLARATIONS and "path" in self.__dict__:
            pending = self.__dict__.get("_prefetch")      # parsed ahead in a second process (csharp_prefetch.py)
            if pending is not None:
                pending.wait()
            if "types" not in self.__dict__:
                self._parse()
            return self.__dict__[name]
        raise AttributeError(name)

    @property
    def parsed(self) -> bool:
        return "types" in self.__dict__

    def _parse(self, keep_tree: bool = False):
        data = self.text.encode("utf-8", errors="surrogatepass")
        tree = parser().parse(data)
        self._empty(tree.root_node.has_error)
        _walk_container(tree.root_node, "", data, ByteOffsets(self.text), self, None, False)
        if keep_tree:
            self.__dict__["_tree"] = (tree, data)
        return tree, data

    def __repr__(self) -> str:
        return f"CsFile({str(self.path)!r})"

    @property
    def identifiers(self) -> list[tuple[int, str]]:
        """(offset, name) of every identifier, in order: the file is parsed again and walked on first use, since
        most files are never asked (the symbol index answers who uses a type)."""
        cached = self.__dict__.get("_identifiers")
        if cached is None:
            data = self.text.encode("utf-8", errors="surrogatepass")
            cached = self.__dict__["_identifiers"] = []
            _collect_identifiers(parser().parse(data).root_node, data, ByteOffsets(self.text), cached)
        return cached

    @property
    def text(self) -> str:
        return self.source.text

    def all_types(self) -> list[TypeDecl]:
        out: list[TypeDecl] = []
        stack = list(self.types)
        while stack:
            decl = stack.pop(0)
            out.append(decl)
            stack[0:0] = decl.nested
        return out

    def words(self) -> set[str] | None:
        """Every word of the text (identifiers, keywords, words in strings and comments), not kept; None when the
        text holds unicode escapes, which can spell an identifier no word scan sees."""
        return None if self.has_escapes else set(WORD.findall(self.text))

    @property
    def has_escapes(self) -> bool:
        return "\\u" in self.text or "\\U" in self.text

    def read_members(self) -> None:
        """Fill in the members of every type of the file: parse_file reads declarations only."""
        tree, data = self.take_tree("members")
        full = CsFile(path=self.path, source=self.source, has_errors=self.has_errors)
        _walk_container(tree.root_node, "", data, ByteOffsets(self.text), full, None, True)
        by_start = {(d.start, d.full_name): d for d in full.all_types()}
        for decl in self.all_types():
            twin = by_start.get((decl.start, decl.full_name))
            members = twin.members if twin is not None else []
            for member in members:
                member.file = self
            decl.__dict__["_members"] = members
            decl.__dict__["_methods"] = twin.methods if twin is not None else []

    def take_tree(self, purpose: str = ""):
        """(tree, utf-8 bytes): the tree parse_file kept, handed over once (then dropped: trees cost ~100 kB a file),
        else a new parse."""
        kept = self.__dict__.pop("_tree", None)
        if kept is not None:
            _KEPT[0] -= 1
            return kept
        if not self.parsed:
            _KEPT[0] += 1
            self._parse(keep_tree=True)
            return self.take_tree(purpose)
        data = self.text.encode("utf-8", errors="surrogatepass")
        return parser().parse(data), data

    def uses(self, name: str, outside: tuple[int, int] | None = None) -> bool:
        for offset, ident in self.identifiers:
            if ident == name and (outside is None or not outside[0] <= offset < outside[1]):
                return True
        return False

    def identifiers_in(self, start: int, end: int) -> set[str]:
        offsets = self._offsets()
        return {name for _, name in self.identifiers[bisect.bisect_left(offsets, start):
                                                     bisect.bisect_left(offsets, end)]}

    def _offsets(self) -> list[int]:
        cached = self.__dict__.get("_offset_list")
        if cached is None or len(cached) != len(self.identifiers):
            cached = self.__dict__["_offset_list"] = [offset for offset, _ in self.identifiers]
        return cached


WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
KEEP_AT_MOST = 64             # trees kept at once for the symbol index (memory: ~100 kB each)
_KEPT = [0]


def parse_file(path: Path, source: TextFile | None = None, keep_for: frozenset[str] = frozenset(),
               members: bool = False, lazy: bool = False) -> CsFile:
    """The file's declarations: namespaces, usings, assembly attributes and types (their members only with
    `members`; otherwise each type reads them from a new parse on first use). With `lazy`, only the text is read
    now and the file parses itself when a declaration is first asked for. With `keep_for`, a file whose words
    include one of those names keeps its syntax tree until `take_tree()`: the symbol index walks exactly those
    files, and parsing them twice cost a third of migrate (keeping every tree would cost ~100 kB a file)."""
    source = source or read_text(path)
    if lazy:
        return CsFile(path, source, lazy=True)
    data = source.text.encode("utf-8", errors="surrogatepass")
    tree = parser().parse(data)
    offsets = ByteOffsets(source.text)
    result = CsFile(path=path, source=source, has_errors=tree.root_node.has_error)
    if keep_for and _KEPT[0] < KEEP_AT_MOST:
        words = result.words()
        if words is None or not words.isdisjoint(keep_for):
            result.__dict__["_tree"] = (tree, data)
            _KEPT[0] += 1
    _walk_container(tree.root_node, "", data, offsets, result, None, members)
    if members:
        for decl in result.all_types():
            for member in decl.members:
                member.file = result
    return result


def _collect_identifiers(root, data: bytes, offsets: ByteOffsets, out: list) -> None:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "identifier":
            out.append((offsets.char(node.start_byte), node_text(node, data)))
        elif node.child_count:
            stack.extend(reversed(node.children))


def _walk_container(container, namespace: str, data: bytes, offsets: ByteOffsets, result: CsFile,
                    outer: TypeDecl | None, members: bool = True) -> None:
    if outer is None and not namespace:
        HEAD_CACHE.clear()
    current_ns = namespace
    for child in container.named_children:
        kind = child.type
        if kind == "using_directive":
            _using(child, data, offsets, result)
        elif kind == "global_attribute":
            _assembly_attribute(child, data, offsets, result)
        elif kind == "file_scoped_namespace_declaration":
            name = node_text(child.child_by_field_name("name"), data)
            current_ns = f"{namespace}.{name}" if namespace else name
            result.namespaces.add(current_ns)
            result.namespace_blocks.append(NamespaceDecl(current_ns, offsets.char(child.start_byte),
                                                         offsets.char(child.end_byte), True))
        elif kind == "namespace_declaration":
            name = node_text(child.child_by_field_name("name"), data)
            inner = f"{current_ns}.{name}" if current_ns else name
            result.namespaces.add(inner)
            block = NamespaceDecl(inner, offsets.char(child.start_byte), offsets.char(child.end_byte), False)
            result.namespace_blocks.append(block)
            body = child.child_by_field_name("body")
            if body is not None:
                _walk_container(body, inner, data, offsets, result, None, members)
        elif kind in TYPE_NODES:
            decl = _type(child, current_ns, data, offsets, result, None, members)
            result.types.append(decl)
            for block in result.namespace_blocks:
                if block.start <= decl.start and decl.end <= block.end or block.file_scoped and \
                        block.name == current_ns:
                    block.types.append(decl)


def _type(node, namespace: str, data: bytes, offsets: ByteOffsets, result: CsFile,
          outer: TypeDecl | None, members: bool = True) -> TypeDecl:
    name_node = node.child_by_field_name("name")
    name = node_text(name_node, data) if name_node is not None else "?"
    prefix = outer.full_name if outer else namespace
    decl = TypeDecl(
        name=name, full_name=f"{prefix}.{name}" if prefix else name, namespace=namespace,
        kind=TYPE_NODES[node.type], modifiers=modifiers(node, data), attributes=attributes(node, data),
        start=offsets.char(node.start_byte), end=offsets.char(node.end_byte), file=result,
        top_level=outer is None)
    bases = next((c for c in node.named_children if c.type == "base_list"), None)
    if bases is not None:
        decl.bases = [node_text(b, data) for b in bases.named_children]
        decl.base_span = (offsets.char(bases.start_byte), offsets.char(bases.end_byte))
    parameters = next((c for c in node.named_children if c.type == "parameter_list"), None)
    if parameters is not None:
        decl.primary_parameters = [node_text(p.child_by_field_name("name"), data) for p in parameters.named_children
                                   if p.type == "parameter" and p.child_by_field_name("name") is not None]
    body = node.child_by_field_name("body")
    if members:
        decl.__dict__["_methods"], decl.__dict__["_members"] = [], []
    if body is not None:
        decl.body_start = offsets.char(body.start_byte)
        for member in body.named_children:
            if not members:
                if member.type in TYPE_NODES:
                    decl.nested.append(_type(member, namespace, data, offsets, result, decl, False))
                continue
            if member.type == "method_declaration":
                method_name = member.child_by_field_name("name")
                decl.methods.append(MethodDecl(
                    name=node_text(method_name, data), attributes=attributes(member, data),
                    modifiers=modifiers(member, data), start=offsets.char(member.start_byte),
                    end=offsets.char(member.end_byte), extension=is_extension(member, data)))
            if member.type in TYPE_NODES:
                nested = _type(member, namespace, data, offsets, result, decl)
                decl.nested.append(nested)
                decl.members.append(MemberDecl("type", [nested.name], nested.attributes,
                                               attribute_arguments(member, data), nested.modifiers,
                                               nested.start, nested.end))
            elif member.type in MEMBER_NODES:
                decl.members.append(_member(member, decl.name, data, offsets))
    return decl


def _member(node, type_name: str, data: bytes, offsets: ByteOffsets) -> MemberDecl:
    kind = MEMBER_NODES[node.type]
    if kind in ("field", "event") and node.type != "event_declaration":
        declaration = next((c for c in node.named_children if c.type == "variable_declaration"), None)
        names = [node_text(d.child_by_field_name("name") or d.named_children[0], data)
                 for d in (declaration.named_children if declaration is not None else [])
                 if d.type == "variable_declarator"]
    elif kind in ("constructor", "destructor"):
        names = [type_name]
    elif kind == "indexer":
        names = ["this"]
    else:
        name_node = node.child_by_field_name("name")
        names = [node_text(name_node, data)] if name_node is not None else []
    member = MemberDecl(kind, names, attributes(node, data), attribute_arguments(node, data),
                        modifiers(node, data), offsets.char(node.start_byte), offsets.char(node.end_byte))
    if kind == "constructor":
        member.assigns = assigned_names(node, data)
    member.explicit_interface = any(c.type == "explicit_interface_specifier" for c in node.named_children)
    return member


def _assembly_attribute(node, data: bytes, offsets: ByteOffsets, result: CsFile) -> None:
    text = node_text(node, data)
    target = next((c for c in node.children if c.type in ("assembly", "module")), None)
    if target is None or target.type != "assembly":
        return
    for attribute in node.named_children:
        if attribute.type != "attribute":
            continue
        args = next((c for c in attribute.named_children if c.type == "attribute_argument_list"), None)
        argument = node_text(args, data)[1:-1].strip() if args is not None else ""
        result.assembly_attributes.append(AssemblyAttribute(
            attribute_name(attribute, data), text, argument, offsets.char(node.start_byte),
            offsets.char(node.end_byte)))


_USING_NAMES = frozenset(("identifier", "qualified_name", "alias_qualified_name"))


def _using(node, data: bytes, offsets: ByteOffsets, result: CsFile) -> None:
    text = node_text(node, data)
    is_global = alias = False
    name = None                     # the last name the directive holds: its namespace (or the alias's target)
    for child in node.children:     # one pass: each access of .children builds its nodes again
        kind = child.type
        if kind == "global":
            is_global = True
        elif kind == "static" or kind == "=":
            alias = True
        elif kind in _USING_NAMES and child.is_named:
            name = child
    alias = alias or node.child_by_field_name("alias") is not None
    namespace = node_text(name, data) if name is not None else ""
    result.usings.append(UsingDirective(text, namespace, is_global, alias, offsets.char(node.start_byte),
                                        offsets.char(node.end_byte)))


