"""C# sources through tree-sitter: namespaces, type declarations with exact spans, methods, attributes, usings,
assembly-level attributes and the identifiers each piece of code uses.

Offsets are character offsets into the decoded text, so a type's text can be cut out of one file and into another
without touching any other byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from splitter.model.nodes import ByteOffsets
from splitter.textfile import TextFile, read_text

TYPE_NODES = {"class_declaration": "class", "struct_declaration": "struct", "interface_declaration": "interface",
              "enum_declaration": "enum", "record_declaration": "record", "record_struct_declaration": "record",
              "delegate_declaration": "delegate"}

_parser = None


def parser():
    global _parser
    if _parser is None:
        import tree_sitter
        import tree_sitter_c_sharp
        _parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_c_sharp.language()))
    return _parser


@dataclass(eq=False)
class MethodDecl:
    name: str
    attributes: list[str]
    modifiers: set[str]
    start: int
    end: int


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
    methods: list[MethodDecl] = field(default_factory=list)
    nested: list["TypeDecl"] = field(default_factory=list)
    top_level: bool = True

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


@dataclass(eq=False)
class CsFile:
    path: Path
    source: TextFile
    types: list[TypeDecl] = field(default_factory=list)          # top-level types, in file order
    usings: list[UsingDirective] = field(default_factory=list)
    assembly_attributes: list[AssemblyAttribute] = field(default_factory=list)
    namespaces: set[str] = field(default_factory=set)
    identifiers: list[tuple[int, str]] = field(default_factory=list)   # (offset, name), every identifier
    has_errors: bool = False

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

    def uses(self, name: str, outside: tuple[int, int] | None = None) -> bool:
        for offset, ident in self.identifiers:
            if ident == name and (outside is None or not outside[0] <= offset < outside[1]):
                return True
        return False


def _text(node, data: bytes) -> str:
    return data[node.start_byte:node.end_byte].decode("utf-8", errors="replace")


def parse_file(path: Path, source: TextFile | None = None) -> CsFile:
    source = source or read_text(path)
    data = source.text.encode("utf-8", errors="surrogatepass")
    tree = parser().parse(data)
    offsets = ByteOffsets(source.text)
    result = CsFile(path=path, source=source, has_errors=tree.root_node.has_error)
    _collect_identifiers(tree.root_node, data, offsets, result.identifiers)
    _walk_container(tree.root_node, "", data, offsets, result, None)
    return result


def _collect_identifiers(root, data: bytes, offsets: ByteOffsets, out: list) -> None:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "identifier":
            out.append((offsets.char(node.start_byte), _text(node, data)))
        elif node.child_count:
            stack.extend(reversed(node.children))


def _walk_container(container, namespace: str, data: bytes, offsets: ByteOffsets, result: CsFile,
                    outer: TypeDecl | None) -> None:
    current_ns = namespace
    for child in container.named_children:
        kind = child.type
        if kind == "using_directive":
            _using(child, data, offsets, result)
        elif kind == "global_attribute":
            _assembly_attribute(child, data, offsets, result)
        elif kind == "file_scoped_namespace_declaration":
            name = _text(child.child_by_field_name("name"), data)
            current_ns = f"{namespace}.{name}" if namespace else name
            result.namespaces.add(current_ns)
        elif kind == "namespace_declaration":
            name = _text(child.child_by_field_name("name"), data)
            inner = f"{current_ns}.{name}" if current_ns else name
            result.namespaces.add(inner)
            body = child.child_by_field_name("body")
            if body is not None:
                _walk_container(body, inner, data, offsets, result, None)
        elif kind in TYPE_NODES:
            result.types.append(_type(child, current_ns, data, offsets, result, None))


def _type(node, namespace: str, data: bytes, offsets: ByteOffsets, result: CsFile,
          outer: TypeDecl | None) -> TypeDecl:
    name_node = node.child_by_field_name("name")
    name = _text(name_node, data) if name_node is not None else "?"
    prefix = outer.full_name if outer else namespace
    decl = TypeDecl(
        name=name, full_name=f"{prefix}.{name}" if prefix else name, namespace=namespace,
        kind=TYPE_NODES[node.type], modifiers=_modifiers(node, data), attributes=_attributes(node, data),
        start=offsets.char(node.start_byte), end=offsets.char(node.end_byte), file=result,
        top_level=outer is None)
    body = node.child_by_field_name("body")
    if body is not None:
        for member in body.named_children:
            if member.type == "method_declaration":
                method_name = member.child_by_field_name("name")
                decl.methods.append(MethodDecl(
                    name=_text(method_name, data), attributes=_attributes(member, data),
                    modifiers=_modifiers(member, data), start=offsets.char(member.start_byte),
                    end=offsets.char(member.end_byte)))
            elif member.type in TYPE_NODES:
                decl.nested.append(_type(member, namespace, data, offsets, result, decl))
    return decl


def _modifiers(node, data: bytes) -> set[str]:
    return {_text(c, data) for c in node.children if c.type == "modifier"}


def _attributes(node, data: bytes) -> list[str]:
    names = []
    for child in node.children:
        if child.type == "attribute_list":
            for attribute in child.named_children:
                if attribute.type == "attribute":
                    names.append(_attribute_name(attribute, data))
    return names


def _attribute_name(attribute, data: bytes) -> str:
    name_node = attribute.child_by_field_name("name") or attribute.named_children[0]
    name = _text(name_node, data).split(".")[-1].split("<")[0].strip()
    return name[:-len("Attribute")] if name.endswith("Attribute") and name != "Attribute" else name


def _assembly_attribute(node, data: bytes, offsets: ByteOffsets, result: CsFile) -> None:
    text = _text(node, data)
    target = next((c for c in node.children if c.type in ("assembly", "module")), None)
    if target is None or target.type != "assembly":
        return
    for attribute in node.named_children:
        if attribute.type != "attribute":
            continue
        args = next((c for c in attribute.named_children if c.type == "attribute_argument_list"), None)
        argument = _text(args, data)[1:-1].strip() if args is not None else ""
        result.assembly_attributes.append(AssemblyAttribute(
            _attribute_name(attribute, data), text, argument, offsets.char(node.start_byte),
            offsets.char(node.end_byte)))


def _using(node, data: bytes, offsets: ByteOffsets, result: CsFile) -> None:
    text = _text(node, data)
    is_global = any(c.type == "global" for c in node.children)
    alias = any(c.type in ("static", "=") for c in node.children) or node.child_by_field_name("alias") is not None
    names = [c for c in node.named_children if c.type in ("identifier", "qualified_name", "alias_qualified_name")]
    namespace = _text(names[-1], data) if names else ""
    result.usings.append(UsingDirective(text, namespace, is_global, alias, offsets.char(node.start_byte),
                                        offsets.char(node.end_byte)))


def string_argument(argument: str) -> str | None:
    """The value of a simple string literal argument such as `"Orders.Tests"` (InternalsVisibleTo)."""
    argument = argument.strip()
    if len(argument) >= 2 and argument[0] == argument[-1] == '"':
        return argument[1:-1].split(",")[0].strip()
    return None
