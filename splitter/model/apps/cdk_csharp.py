"""CDK stacks written in C#, read with tree-sitter: each `new Function(this, "Id", new FunctionProps { ... })` (also
`DockerImageFunction` and the .NET construct's `DotNetFunction`) with its Architecture, Runtime, Handler and
`Code.FromAsset(path, new AssetOptions { Bundling = ... })`, every value traced to its exact source span. Variables
declared once in the file are followed; anything else is reported as a function lambda-split cannot decide.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from splitter.model.apps.common import AppDocument, Piece, Scope, TracedString, concat, joined
from splitter.model.apps.cdk_common import MAX_DEPTH, StackReader
from splitter.model.csharp import parser
from splitter.model.nodes import ByteOffsets
from splitter.model.textfile import TextFile, read_text

SOURCE_KIND = "cdk-csharp"
FUNCTION_TYPES = {"Function": "Function", "DockerImageFunction": "Image", "DotNetFunction": "DotNetFunction"}
REMOTE_CODE = ("FromBucket", "FromBucketV2", "FromInline", "FromCfnParameters")
IMAGE_CODE = ("FromEcrImage", "FromAssetImage")
LOOPS = ("for_statement", "foreach_statement", "while_statement", "do_statement", "lambda_expression",
         "anonymous_method_expression")
SCOPES = ("method_declaration", "constructor_declaration", "local_function_statement", "class_declaration")
_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "0": "\0", "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
            "t": "\t", "v": "\v", "e": "\x1b"}


def mentions_functions(text: str) -> bool:
    return "Amazon.CDK" in text and "Function" in text


def load_stack(path: Path, base: Path, app: Path | None = None, source: TextFile | None = None) -> AppDocument:
    source = source or read_text(path)
    stack = _Stack(path, source.text)
    document = AppDocument(path=path, source=source, base=base, source_kind=SOURCE_KIND, literal=_literal, app=app)
    for node, kind in stack.constructions():
        stack.read_function(node, kind, document)
    return document


def _literal(value: str) -> str:
    return '"' + _escape(value, False, False) + '"'


def _escape(value: str, verbatim: bool, interpolated: bool) -> str:
    value = value.replace('"', '""') if verbatim else value.replace("\\", "\\\\").replace('"', '\\"')
    return value.replace("{", "{{").replace("}", "}}") if interpolated else value


def _unescape(sequence: str) -> str:
    body = sequence[1:]
    if body[:1] in ("u", "x", "U") and len(body) > 1:
        try:
            return chr(int(body[1:], 16))
        except ValueError:
            return sequence
    return _ESCAPES.get(body, sequence)


class _Stack(StackReader):
    SOURCE_KIND = SOURCE_KIND
    KEYS = {"runtime": "Runtime", "architecture": "Architecture", "code": "Code", "handler": "Handler",
            "project_dir": "ProjectDir"}
    COMMAND = "Command"
    UNDECLARED = "which is not declared in this file"
    SUBCLASS = ("{type} subclasses Function; lambda-split reads only new Function(...) and new DotNetFunction(...) "
                "themselves")

    def __init__(self, path: Path, text: str):
        super().__init__(path, text)
        self.data = text.encode("utf-8", errors="surrogatepass")
        self.root = parser().parse(self.data).root_node
        self.offsets = ByteOffsets(text)
        self.classes: dict[str, object] = {}
        self.mentions = Counter()
        self._collect(self.root)

    def _collect(self, root) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type == "identifier":
                self.mentions[self.code(node)] += 1
            if node.type == "variable_declarator":
                named = node.named_children
                value = named[-1] if len(named) > 1 else None
                self.declared.setdefault(self.code(named[0]), []).append(value)
            elif node.type == "foreach_statement" and node.child_by_field_name("left") is not None:
                self.loops[self.code(node.child_by_field_name("left"))] = node
            elif node.type == "parameter" and node.child_by_field_name("name") is not None:
                self.parameters[self.code(node.child_by_field_name("name"))] = self._scope_name(node)
            elif node.type == "assignment_expression" and node.parent is not None and \
                    node.parent.type == "expression_statement":
                self.declared.setdefault(self.code(node.child_by_field_name("left")), []).append(None)
            elif node.type == "class_declaration" and node.child_by_field_name("name") is not None:
                self.classes[self.code(node.child_by_field_name("name"))] = node
            stack.extend(node.children)

    def _scope_name(self, node) -> str:
        while node is not None and node.type not in SCOPES:
            node = node.parent
        name = node.child_by_field_name("name") if node is not None else None
        return self.code(name) if name is not None else "a lambda"

    # -- plumbing --------------------------------------------------------------------------------------------------

    def span(self, node) -> tuple[int, int]:
        return self.offsets.char(node.start_byte), self.offsets.char(node.end_byte)

    def line(self, node) -> int:
        return node.start_point[0] + 1

    def code(self, node) -> str:
        return " ".join(self.data[node.start_byte:node.end_byte].decode("utf-8", errors="replace").split())

    # -- finding constructions -------------------------------------------------------------------------------------

    def constructions(self) -> list[tuple[object, str]]:
        uses_lambda = "Amazon.CDK.AWS.Lambda" in self.text
        subclasses = {name for name, node in self.classes.items()
                      if any(self._type_kind(base, True) for base in self._bases(node))}
        found, stack = [], [self.root]
        while stack:
            node = stack.pop()
            stack.extend(node.children)
            if node.type != "object_creation_expression":
                continue
            type_node = node.child_by_field_name("type")
            kind = self._type_kind(type_node, uses_lambda) if type_node is not None else None
            if kind is None and type_node is not None and self.code(type_node) in subclasses:
                kind = "subclass"
            if kind is not None:
                found.append((node, kind))
        return sorted(found, key=lambda item: item[0].start_byte)

    def _bases(self, node) -> list:
        bases = next((c for c in node.children if c.type == "base_list"), None)
        return bases.named_children if bases is not None else []

    def _type_kind(self, type_node, uses_lambda: bool) -> str | None:
        name = self.code(type_node)
        last = name.split(".")[-1]
        if last not in FUNCTION_TYPES:
            return None
        if last == "Function" and not (uses_lambda or "Lambda" in name):
            return None
        return FUNCTION_TYPES[last]

    # -- one function ----------------------------------------------------------------------------------------------

    def _arguments(self, node) -> list:
        arguments = node.child_by_field_name("arguments")
        return [a.children[-1] for a in (arguments.named_children if arguments is not None else [])
                if a.type == "argument" and a.children]

    def name_argument(self, node):
        args = self._arguments(node)
        return args[1] if len(args) > 1 else None

    def subclass_name(self, node) -> str:
        return self.code(node.child_by_field_name("type"))

    def properties(self, node, scope: Scope) -> tuple[dict, str | None]:
        args = self._arguments(node)
        if len(args) < 3:
            return {}, "it has no properties argument"
        props, why = self._properties(args[2], scope)
        return props, (f"its properties {why}" if why else None)

    def loop_words(self, loop) -> str:
        return loop.type.replace("_", " ")

    def enclosing_loop(self, node):
        current = node.parent
        while current is not None and current.type not in SCOPES:
            if current.type in LOOPS:
                return current
            current = current.parent
        return None

    def _properties(self, expr, scope: Scope) -> tuple[dict, str | None]:
        target, why = self.follow(expr, scope)
        if why:
            return {}, why
        initializer = next((c for c in target.children if c.type == "initializer_expression"), None)
        if target.type not in ("object_creation_expression", "implicit_object_creation_expression") or \
                initializer is None:
            return {}, f"`{self.code(expr)}` are not a `new FunctionProps {{ ... }}` lambda-split can read"
        return self._initializer(initializer), None

    def _initializer(self, initializer) -> dict:
        props = {}
        for assignment in initializer.named_children:
            if assignment.type == "assignment_expression":
                props[self.code(assignment.child_by_field_name("left"))] = assignment.child_by_field_name("right")
        return props

    def is_constant(self, target, dotted: str) -> bool:
        return self.code(target).replace(" ", "").endswith(dotted)

    def runtime_member(self, target) -> str | None:
        match = re.search(r"(?:^|\.)Runtime\.(\w+)$", self.code(target).replace(" ", ""))
        return match.group(1) if match else None

    def asset_code(self, expr, target, scope: Scope):
        method, args = self._call(target)
        if method in REMOTE_CODE:
            return "remote", None, None, None
        if method in IMAGE_CODE:
            return "image", None, None, None
        if method not in ("FromAsset", "AssetCode") or not args:
            return None, None, None, f"its Code `{self.code(expr)}` is not Code.FromAsset(...)"
        bundling = None
        if len(args) > 1:
            options, _ = self.follow(args[1], scope)
            initializer = next((c for c in options.children if c.type == "initializer_expression"), None)
            bundling = (self._initializer(initializer) if initializer is not None else {}).get("Bundling")
        return "asset", args[0], bundling, None

    def _call(self, node) -> tuple[str | None, list]:
        """(method or type name, argument expressions) of `Code.FromAsset(...)` or `new AssetCode(...)`."""
        if node.type == "invocation_expression":
            function = node.child_by_field_name("function")
            name = function.child_by_field_name("name") if function.type == "member_access_expression" else None
            method = self.code(name) if name is not None else None
        elif node.type == "object_creation_expression":
            method = self.code(node.child_by_field_name("type")).split(".")[-1]
        else:
            return None, []
        arguments = node.child_by_field_name("arguments")
        args = [a.children[-1] for a in (arguments.named_children if arguments is not None else [])
                if a.type == "argument" and a.children]
        return method, args

    def bundling_options(self, target) -> dict | None:
        initializer = next((c for c in target.children if c.type == "initializer_expression"), None)
        return self._initializer(initializer) if initializer is not None else None

    def label(self, expr) -> str | None:
        return self.code(expr) if expr.type == "identifier" else None

    def elements(self, node) -> list | None:
        if node.type in ("implicit_array_creation_expression", "array_creation_expression"):
            initializer = next((c for c in node.children if c.type == "initializer_expression"), None)
            return initializer.named_children if initializer is not None else None
        if node.type == "collection_expression":
            return [e.named_children[0].named_children[0] for e in node.named_children
                    if e.named_children and e.named_children[0].type == "expression_element"]
        return None

    # -- values ----------------------------------------------------------------------------------------------------

    def follow(self, expr, scope: Scope | None = None, depth: int = 0):
        """The expression a variable stands for, through variables declared once; or why it cannot be followed. A
        value no other code uses joins the function's `scope`: migrate may edit it in place."""
        while expr.type in ("identifier", "member_access_expression", "parenthesized_expression") and \
                depth < MAX_DEPTH:
            if expr.type == "parenthesized_expression":
                expr = expr.named_children[0]
                continue
            name = self._variable_name(expr)
            if name is None:
                return expr, None
            why = self.unfollowable(name)
            if why:
                return expr, why
            expr = self.value_of(name, scope)
            depth += 1
        return expr, None

    def _variable_name(self, expr) -> str | None:
        if expr.type == "identifier":
            return self.code(expr)
        owner = expr.child_by_field_name("expression")
        name = expr.child_by_field_name("name")
        # `Paths.Project`: a field of a class in this file; `Architecture.ARM_64` and the like are not variables.
        if owner is not None and name is not None and self.code(name) in self.declared and \
                self.code(owner) in self.classes:
            return self.code(name)
        return None

    def string_at(self, expr, scope: Scope, start: int, end: int, own: bool, line: int,
                  depth: int) -> TracedString:
        kind = expr.type
        if kind == "string_literal":
            return self._regular(expr, scope, own, line)
        if kind == "verbatim_string_literal":
            content = (start + 2, end - 1)
            value = self.text[content[0]:content[1]].replace('""', '"')
            piece = Piece(value, *content, own, lambda v: _escape(v, True, False))
            return TracedString(value, [piece], start, end, own, line)
        if kind == "raw_string_literal":
            content = next((c for c in expr.named_children if c.type == "raw_string_content"), None)
            if content is None:
                return TracedString("", [], start, end, own, line)
            c_start, c_end = self.span(content)
            value = self.text[c_start:c_end]
            return TracedString(value, [Piece(value, c_start, c_end, own, lambda v: v)], start, end, own, line)
        if kind == "interpolated_string_expression":
            return self._interpolated(expr, scope, own, line, depth)
        if kind == "binary_expression" and self.code(expr.child_by_field_name("operator")) == "+":
            parts = [self.string(expr.child_by_field_name(side), scope, depth + 1) for side in ("left", "right")]
            return concat(parts, start, end, own, line)
        if kind == "parenthesized_expression":
            inner = self.string(expr.named_children[0], scope, depth + 1)
            return TracedString(inner.value, inner.pieces, start, end, own, line, inner.problem)
        if kind in ("identifier", "member_access_expression") and self._variable_name(expr) is not None:
            name = self._variable_name(expr)
            why = self.unfollowable(name)
            if why:
                return TracedString.unknown(why, start, end, own, line)
            inner = self.string(self.value_of(name, scope), scope, depth + 1)
            return TracedString(inner.value, inner.pieces, start, end, own, line, inner.problem)
        if kind == "invocation_expression" and self.code(expr.child_by_field_name("function")).replace(" ", "") in \
                ("Path.Combine", "System.IO.Path.Combine"):
            method, args = self._call(expr)
            return joined([self.string(a, scope, depth + 1) for a in args], "/", start, end, own, line)
        return TracedString.unknown(f"is `{self.code(expr)}`, not a string lambda-split can follow", start, end, own,
                                    line)

    def _regular(self, node, scope, own: bool, line: int) -> TracedString:
        start, end = self.span(node)
        parts = []
        for child in node.named_children:
            c_start, c_end = self.span(child)
            value = self.text[c_start:c_end] if child.type == "string_literal_content" else _unescape(
                self.text[c_start:c_end])
            parts.append(Piece(value, c_start, c_end, own, lambda v: _escape(v, False, False)))
        return TracedString("".join(p.text for p in parts), parts, start, end, own, line)

    def _interpolated(self, node, scope, own: bool, line: int, depth: int) -> TracedString:
        start, end = self.span(node)
        opening = next((c for c in node.children if c.type == "interpolation_start"), None)
        verbatim = opening is not None and "@" in self.code(opening)
        parts: list[TracedString] = []
        for child in node.named_children:
            c_start, c_end = self.span(child)
            raw = self.text[c_start:c_end]
            if child.type == "string_content":
                value = raw.replace("{{", "{").replace("}}", "}")
                value = value.replace('""', '"') if verbatim else value
            elif child.type == "escape_sequence":
                value = _unescape(raw)
            elif child.type == "interpolation":
                inner = [c for c in child.named_children if c.type != "interpolation_brace"]
                if len(inner) != 1:
                    parts.append(TracedString.unknown(f"formats `{raw}`, which lambda-split cannot follow", c_start,
                                                      c_end, own, line))
                else:
                    parts.append(self.string(inner[0], scope, depth + 1))
                continue
            else:
                continue
            piece = Piece(value, c_start, c_end, own, lambda v, b=verbatim: _escape(v, b, True))
            parts.append(TracedString(value, [piece], c_start, c_end, own, line))
        return concat(parts, start, end, own, line)
