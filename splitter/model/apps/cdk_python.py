"""CDK stacks written in Python, read with libcst: each `aws_lambda.Function(...)` (any import alias; also
`DockerImageFunction` and the .NET construct's `DotNetFunction`) with its architecture, runtime, handler and
`Code.from_asset(path, bundling=...)`, every value traced to its exact source span. Names assigned once in the module
are followed; anything else is reported as a function lambda-split cannot decide.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import libcst as cst
from libcst.metadata import ByteSpanPositionProvider, MetadataWrapper, ParentNodeProvider, PositionProvider, \
    QualifiedNameProvider

from splitter.errors import SplitterError
from splitter.model.apps.common import AppDocument, Piece, Scope, TracedString, concat, joined
from splitter.model.apps.cdk_common import MAX_DEPTH, StackReader
from splitter.model.nodes import ByteOffsets
from splitter.model.textfile import TextFile, read_text

SOURCE_KIND = "cdk-python"
REMOTE_CODE = ("Code.from_bucket", "Code.from_bucket_v2", "Code.from_inline", "Code.from_cfn_parameters",
               "InlineCode", "S3Code", "CfnParametersCode")
IMAGE_CODE = ("Code.from_ecr_image", "Code.from_asset_image", "EcrImageCode", "AssetImageCode")
JOIN_CALLS = ("os.path.join", "posixpath.join", "path.join")


def mentions_functions(text: str) -> bool:
    """A cheap test before parsing: the file imports the CDK and constructs something called *Function."""
    return "aws_cdk" in text and "Function(" in text


def load_stack(path: Path, base: Path, app: Path | None = None, source: TextFile | None = None) -> AppDocument:
    source = source or read_text(path)
    try:
        module = cst.parse_module(source.text)
    except cst.ParserSyntaxError as error:
        raise SplitterError(f"not valid Python: {error.message}", path, error.raw_line,
                            hint="fix the syntax; `cdk synth` would fail too") from None
    stack = _Stack(path, source.text, module)
    document = AppDocument(path=path, source=source, base=base, source_kind=SOURCE_KIND, literal=stack.literal,
                           app=app)
    for call, kind in stack.constructions():
        stack.read_function(call, kind, document)
    return document


class _Names(cst.CSTVisitor):
    """What each simple name is bound to: single assignments, loop targets, parameters, imports, Function subclasses."""

    def __init__(self):
        self.assigned: dict[str, list[cst.BaseExpression | None]] = {}
        self.loops: dict[str, cst.CSTNode] = {}
        self.parameters: dict[str, str] = {}
        self.imported: set[str] = set()
        self.classes: dict[str, cst.ClassDef] = {}
        self.functions: list[str] = []
        self.mentions: Counter = Counter()

    def visit_Name(self, node: cst.Name) -> None:
        self.mentions[node.value] += 1

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.assigned.setdefault(target.target.value, []).append(node.value)
            else:
                for name in _target_names(target.target):
                    self.assigned.setdefault(name, []).append(None)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name):
            self.assigned.setdefault(node.target.value, []).append(node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        for name in _target_names(node.target):
            self.assigned.setdefault(name, []).append(None)

    def visit_For(self, node: cst.For) -> None:
        for name in _target_names(node.target):
            self.loops[name] = node

    def visit_CompFor(self, node: cst.CompFor) -> None:
        for name in _target_names(node.target):
            self.loops[name] = node

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.append(node.name.value)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.pop()

    def visit_Param(self, node: cst.Param) -> None:
        if self.functions:
            self.parameters[node.name.value] = self.functions[-1]

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        bound = node.asname.name if node.asname else node.name
        if isinstance(bound, cst.Name):
            self.imported.add(bound.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes[node.name.value] = node


def _target_names(node: cst.CSTNode) -> list[str]:
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for element in node.elements for n in _target_names(element.value)]
    return []


class _Stack(StackReader):
    SOURCE_KIND = SOURCE_KIND
    KEYS = {key: key for key in ("runtime", "architecture", "code", "handler", "project_dir")}
    COMMAND = "command"
    UNDECLARED = "which is not assigned in this module"
    SUBCLASS = "{type} subclasses Function; lambda-split reads only Function(...) and DotNetFunction(...) themselves"

    def __init__(self, path: Path, text: str, module: cst.Module):
        super().__init__(path, text)
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.spans = wrapper.resolve(ByteSpanPositionProvider)
        self.positions = wrapper.resolve(PositionProvider)
        self.parents = wrapper.resolve(ParentNodeProvider)
        self._qualified = wrapper.resolve(QualifiedNameProvider)
        self.offsets = ByteOffsets(text)
        self.names = _Names()
        module.visit(self.names)
        self.declared, self.loops, self.imported = self.names.assigned, self.names.loops, self.names.imported
        self.parameters = {name: f"{function}()" for name, function in self.names.parameters.items()}
        self.mentions = self.names.mentions
        self.module = module
        quotes = Counter(n.quote[0] for n in self._all(cst.SimpleString))
        self.quote = "'" if quotes["'"] > quotes['"'] else '"'

    # -- plumbing --------------------------------------------------------------------------------------------------

    def _all(self, kind):
        return [node for node in self.spans if isinstance(node, kind)]

    def qualified(self, node: cst.CSTNode) -> set[str]:
        value = self._qualified.get(node, set())
        value = value() if callable(value) else value
        return {q.name for q in value}

    def is_a(self, node: cst.CSTNode, *suffixes: str) -> bool:
        names = self.qualified(node)
        if not names and isinstance(node, (cst.Name, cst.Attribute)):
            names = {self.code(node)}
        return any(name == s or name.endswith("." + s) for name in names for s in suffixes)

    def span(self, node: cst.CSTNode) -> tuple[int, int]:
        span = self.spans[node]
        return self.offsets.char(span.start), self.offsets.char(span.start + span.length)

    def line(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    def code(self, node: cst.CSTNode) -> str:
        start, end = self.span(node)
        return " ".join(self.text[start:end].split())

    def literal(self, value: str) -> str:
        return self.quote + _escape(value, "", self.quote, False) + self.quote

    # -- finding constructions -------------------------------------------------------------------------------------

    def constructions(self) -> list[tuple[cst.Call, str]]:
        subclasses = {name for name, node in self.names.classes.items()
                      if any(self._kind(base.value) for base in node.bases)}
        found = []
        for call in self._all(cst.Call):
            kind = self._kind(call.func)
            if kind is None and isinstance(call.func, cst.Name) and call.func.value in subclasses:
                kind = "subclass"
            if kind is not None:
                found.append((call, kind))
        return sorted(found, key=lambda item: self.span(item[0])[0])

    def _kind(self, func: cst.CSTNode) -> str | None:
        if self.is_a(func, "aws_cdk.aws_lambda.Function"):
            return "Function"
        if self.is_a(func, "aws_cdk.aws_lambda.DockerImageFunction"):
            return "Image"
        if self.is_a(func, "DotNetFunction"):
            return "DotNetFunction"
        return None

    # -- one function ----------------------------------------------------------------------------------------------

    def name_argument(self, call: cst.Call):
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        return positional[1] if len(positional) > 1 else self._keywords(call).get("id")

    def _keywords(self, call: cst.Call) -> dict:
        return {a.keyword.value: a.value for a in call.args if a.keyword is not None}

    def subclass_name(self, call: cst.Call) -> str:
        return self.code(call.func)

    def properties(self, call: cst.Call, scope: Scope) -> tuple[dict, str | None]:
        if any(a.star for a in call.args):
            return {}, "its properties are passed with **, which lambda-split cannot read"
        return self._keywords(call), None

    def enclosing_loop(self, node: cst.CSTNode) -> cst.CSTNode | None:
        current = self.parents.get(node)
        while current is not None and not isinstance(current, cst.Module):
            if isinstance(current, (cst.For, cst.While, cst.CompFor, cst.ListComp, cst.GeneratorExp, cst.DictComp,
                                    cst.SetComp)):
                return current
            if isinstance(current, (cst.FunctionDef, cst.ClassDef)):
                return None
            current = self.parents.get(current)
        return None

    def is_constant(self, target, dotted: str) -> bool:
        return self.is_a(target, dotted)

    def runtime_member(self, target) -> str | None:
        if not isinstance(target, cst.Attribute):
            return None
        return target.attr.value if self.is_a(target.value, "Runtime") else None

    def asset_code(self, expr, target, scope: Scope):
        if not isinstance(target, cst.Call):
            return None, None, None, f"its code `{self.code(expr)}` is not a Code.from_asset(...) call"
        if self.is_a(target.func, *REMOTE_CODE):
            return "remote", None, None, None
        if self.is_a(target.func, *IMAGE_CODE):
            return "image", None, None, None
        if not self.is_a(target.func, "Code.from_asset", "Code.asset", "AssetCode"):
            return None, None, None, f"its code `{self.code(target.func)}(...)` is not Code.from_asset(...)"
        args = [a.value for a in target.args if a.keyword is None and not a.star]
        options = self._keywords(target)
        path_expr = args[0] if args else options.get("path")
        if path_expr is None:
            return None, None, None, "its Code.from_asset(...) has no path"
        return "asset", path_expr, options.get("bundling"), None

    def bundling_options(self, target) -> dict | None:
        return self._keywords(target) if isinstance(target, cst.Call) else None

    def elements(self, node) -> list | None:
        return [element.value for element in node.elements] if isinstance(node, (cst.List, cst.Tuple)) else None

    def label(self, expr) -> str | None:
        return expr.value if isinstance(expr, cst.Name) else None

    # -- values ----------------------------------------------------------------------------------------------------

    def follow(self, expr, scope: Scope | None = None, depth: int = 0) -> tuple[cst.CSTNode, str | None]:
        """The expression a name stands for, through names assigned once; or why it cannot be followed. A value no
        other code uses joins the function's `scope`: migrate may edit it in place."""
        while isinstance(expr, cst.Name) and depth < MAX_DEPTH:
            why = self.unfollowable(expr.value)
            if why:
                return expr, why
            expr = self.value_of(expr.value, scope)
            depth += 1
        return expr, None

    def string_at(self, expr, scope: Scope, start: int, end: int, own: bool, line: int,
                  depth: int) -> TracedString:
        if isinstance(expr, cst.SimpleString):
            return self._simple_string(expr, scope, own, line)
        if isinstance(expr, cst.ConcatenatedString):
            parts = [self.string(expr.left, scope, depth + 1), self.string(expr.right, scope, depth + 1)]
            return concat(parts, start, end, own, line)
        if isinstance(expr, cst.FormattedString):
            return self._formatted(expr, scope, own, line, depth)
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
            parts = [self.string(expr.left, scope, depth + 1), self.string(expr.right, scope, depth + 1)]
            return concat(parts, start, end, own, line)
        if isinstance(expr, cst.Name):
            why = self.unfollowable(expr.value)
            if why:
                return TracedString.unknown(why, start, end, own, line)
            inner = self.string(self.value_of(expr.value, scope), scope, depth + 1)
            return TracedString(inner.value, inner.pieces, start, end, own, line, inner.problem)
        if isinstance(expr, cst.Call) and self.is_a(expr.func, *JOIN_CALLS) and \
                all(a.keyword is None and not a.star for a in expr.args):
            parts = [self.string(a.value, scope, depth + 1) for a in expr.args]
            return joined(parts, "/", start, end, own, line)
        if isinstance(expr, cst.Attribute):
            return TracedString.unknown(f"is `{self.code(expr)}`, which lambda-split cannot follow", start, end, own,
                                        line)
        return TracedString.unknown(f"is `{self.code(expr)}`, not a string lambda-split can follow", start, end,
                                    own, line)

    def _simple_string(self, node: cst.SimpleString, scope, own: bool, line: int) -> TracedString:
        start, end = self.span(node)
        value = node.evaluated_value
        if isinstance(value, bytes):
            return TracedString.unknown(f"is `{self.code(node)}`, bytes, not a string", start, end, own, line)
        prefix, quote = node.prefix, node.quote
        content = (start + len(prefix) + len(quote), end - len(quote))
        piece = Piece(value, *content, own, lambda v, p=prefix, q=quote: _escape(v, p, q, False))
        return TracedString(value, [piece], start, end, own, line)

    def _formatted(self, node: cst.FormattedString, scope, own: bool, line: int, depth: int) -> TracedString:
        start, end = self.span(node)
        prefix, quote = node.prefix, node.end
        parts: list[TracedString] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                p_start, p_end = self.span(part)
                value = _fstring_text(part.value, prefix, quote)
                piece = Piece(value, p_start, p_end, own, lambda v, p=prefix, q=quote: _escape(v, p, q, True))
                parts.append(TracedString(value, [piece], p_start, p_end, own, line))
            elif part.conversion is None and part.format_spec is None:
                parts.append(self.string(part.expression, scope, depth + 1))
            else:
                p_start, p_end = self.span(part)
                parts.append(TracedString.unknown(f"formats `{self.code(part)}`, which lambda-split cannot follow",
                                                  p_start, p_end, own, line))
        return concat(parts, start, end, own, line)


def _escape(value: str, prefix: str, quote: str, fstring: bool) -> str:
    if "r" not in prefix.lower():
        value = value.replace("\\", "\\\\")
        if len(quote) == 1:
            value = value.replace(quote, "\\" + quote).replace("\n", "\\n")
    return value.replace("{", "{{").replace("}", "}}") if fstring else value


def _fstring_text(raw: str, prefix: str, quote: str) -> str:
    text = raw.replace("{{", "{").replace("}}", "}")
    if "r" in prefix.lower() or "\\" not in text:
        return text
    try:
        return ast.literal_eval(quote + text + quote)
    except (SyntaxError, ValueError):
        return text
