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
from splitter.model.apps.common import (AppDocument, AppFunction, Bundling, Piece, Scope, TracedString, Undecided, concat,
                                joined)
from splitter.model.nodes import ByteOffsets
from splitter.model.textfile import TextFile, read_text

SOURCE_KIND = "cdk-python"
NOT_DOTNET = ("PYTHON", "NODEJS", "JAVA", "RUBY", "GO_", "GO1")
REMOTE_CODE = ("Code.from_bucket", "Code.from_bucket_v2", "Code.from_inline", "Code.from_cfn_parameters",
               "InlineCode", "S3Code", "CfnParametersCode")
IMAGE_CODE = ("Code.from_ecr_image", "Code.from_asset_image", "EcrImageCode", "AssetImageCode")
JOIN_CALLS = ("os.path.join", "posixpath.join", "path.join")
MAX_DEPTH = 20


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


class _Stack:
    def __init__(self, path: Path, text: str, module: cst.Module):
        self.path, self.text = path, text
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.spans = wrapper.resolve(ByteSpanPositionProvider)
        self.positions = wrapper.resolve(PositionProvider)
        self.parents = wrapper.resolve(ParentNodeProvider)
        self._qualified = wrapper.resolve(QualifiedNameProvider)
        self.offsets = ByteOffsets(text)
        self.names = _Names()
        module.visit(self.names)
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

    def read_function(self, call: cst.Call, kind: str, document: AppDocument) -> None:
        scope = Scope(*self.span(call))
        line = self.line(call)
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        name_expr = positional[1] if len(positional) > 1 else keywords.get("id")
        name_value = self.string(name_expr, scope).value if name_expr is not None else None
        name = name_value or (f"`{self.code(name_expr)}`" if name_expr is not None else f"at line {line}")

        def undecided(reason: str, asset: str | None = None) -> None:
            document.undecided.append(Undecided(name, self.path, line, reason, asset))

        if kind == "subclass":
            return undecided(f"{self.code(call.func)} subclasses Function; lambda-split reads only Function(...) "
                             "and DotNetFunction(...) themselves")
        if any(a.star for a in call.args):
            return undecided("its properties are passed with **, which lambda-split cannot read")
        runtime = self._runtime(keywords.get("runtime"))
        if runtime is not None and runtime.startswith(NOT_DOTNET):
            return None
        architecture, origin, problem = self._architecture(keywords.get("architecture"))
        asset, asset_kind, bundling, image, code_problem = self._code(kind, keywords, scope)
        known_asset = asset.value if asset is not None else None
        loop = self._enclosing_loop(call)
        if loop is not None:
            return undecided(f"it is built in a loop (line {self.line(loop)}), so lambda-split cannot tell how many "
                             "functions it makes or their values", known_asset)
        if kind == "Image" or image:
            return document.add(_function(name, self.path, line, "Image", architecture or "x86_64", origin,
                                          None, None, None))
        handler = self.string(keywords["handler"], scope) if "handler" in keywords else None
        if code_problem:
            return undecided(code_problem)
        if problem:
            return undecided(problem, known_asset)
        if handler is not None and handler.value is None:
            return undecided(f"its handler {handler.problem}", known_asset)
        function = _function(name, self.path, line, "Zip", architecture, origin, asset, handler, bundling)
        function.asset_kind = asset_kind
        document.add(function)

    def _enclosing_loop(self, node: cst.CSTNode) -> cst.CSTNode | None:
        current = self.parents.get(node)
        while current is not None and not isinstance(current, cst.Module):
            if isinstance(current, (cst.For, cst.While, cst.CompFor, cst.ListComp, cst.GeneratorExp, cst.DictComp,
                                    cst.SetComp)):
                return current
            if isinstance(current, (cst.FunctionDef, cst.ClassDef)):
                return None
            current = self.parents.get(current)
        return None

    def _architecture(self, expr) -> tuple[str | None, str, str | None]:
        if expr is None:
            return "x86_64", "default", None
        target, why = self.follow(expr)
        if why:
            return None, "function", f"its architecture {why}"
        if self.is_a(target, "Architecture.ARM_64"):
            return "arm64", "function", None
        if self.is_a(target, "Architecture.X86_64"):
            return "x86_64", "function", None
        return None, "function", (f"its architecture `{self.code(expr)}` is not Architecture.ARM_64 or "
                                  "Architecture.X86_64")

    def _runtime(self, expr) -> str | None:
        if expr is None:
            return None
        target, why = self.follow(expr)
        if why or not isinstance(target, cst.Attribute):
            return None
        return target.attr.value if self.is_a(target.value, "Runtime") else None

    def _code(self, kind: str, keywords: dict, scope):
        """(asset path, asset kind, bundling, is an image, problem)."""
        if kind == "DotNetFunction":
            if "project_dir" not in keywords:
                return None, "project-dir", None, False, "it has no project_dir"
            asset = self.string(keywords["project_dir"], scope)
            return asset, "project-dir", None, False, (f"its project_dir {asset.problem}" if asset.value is None
                                                       else None)
        expr = keywords.get("code")
        if expr is None:
            return None, "asset", None, False, "it has no code"
        target, why = self.follow(expr, scope)
        if why:
            return None, "asset", None, False, f"its code {why}"
        if not isinstance(target, cst.Call):
            return None, "asset", None, False, f"its code `{self.code(expr)}` is not a Code.from_asset(...) call"
        if self.is_a(target.func, *REMOTE_CODE):
            return None, "asset", None, False, None
        if self.is_a(target.func, *IMAGE_CODE):
            return None, "asset", None, True, None
        if not self.is_a(target.func, "Code.from_asset", "Code.asset", "AssetCode"):
            return None, "asset", None, False, (f"its code `{self.code(target.func)}(...)` is not "
                                                "Code.from_asset(...)")
        args = [a.value for a in target.args if a.keyword is None and not a.star]
        options = {a.keyword.value: a.value for a in target.args if a.keyword is not None}
        path_expr = args[0] if args else options.get("path")
        if path_expr is None:
            return None, "asset", None, False, "its Code.from_asset(...) has no path"
        asset = self.string(path_expr, scope)
        if asset.value is None:
            return asset, "asset", None, False, f"its asset path {asset.problem}"
        bundling = self._bundling(options["bundling"], scope) if "bundling" in options else None
        return asset, "asset", bundling, False, None

    def _bundling(self, expr, scope: Scope) -> Bundling:
        target, why = self.follow(expr, scope)
        start, end = self.span(target)
        own = scope.owns(start, end)
        name = expr.value if isinstance(expr, cst.Name) else None
        if why or not isinstance(target, cst.Call):
            return Bundling(None, start, end, self.line(target), own, f"expression@{start}", name)
        options = {a.keyword.value: a.value for a in target.args if a.keyword is not None}
        command_expr = options.get("command")
        command = None
        if command_expr is not None:
            listed, _ = self.follow(command_expr, scope)
            if isinstance(listed, (cst.List, cst.Tuple)):
                command = [self.string(element.value, scope) for element in listed.elements]
        others = sorted(f"{k}={self.code(v)}" for k, v in options.items() if k != "command")
        values = [t.value for t in command] if command is not None else None
        key = repr((values, others)) if values is not None and None not in values else f"expression@{start}"
        return Bundling(command, start, end, self.line(target), own, key, name)

    # -- values ----------------------------------------------------------------------------------------------------

    def follow(self, expr, scope: Scope | None = None, depth: int = 0) -> tuple[cst.CSTNode, str | None]:
        """The expression a name stands for, through names assigned once; or why it cannot be followed. A value no
        other code uses joins the function's `scope`: migrate may edit it in place."""
        while isinstance(expr, cst.Name) and depth < MAX_DEPTH:
            why = self._unfollowable(expr.value)
            if why:
                return expr, why
            expr = self._value_of(expr.value, scope)
            depth += 1
        return expr, None

    def _value_of(self, name: str, scope: Scope | None):
        value = self.names.assigned[name][0]
        if scope is not None and self.names.mentions[name] - len(self.names.assigned[name]) == 1:
            scope.add(*self.span(value))
        return value

    def _unfollowable(self, name: str) -> str | None:
        if name in self.names.loops:
            return (f"is the loop variable `{name}` (line {self.line(self.names.loops[name])}), so lambda-split cannot "
                    "tell which functions the loop builds")
        if name in self.names.parameters:
            return f"is `{name}`, a parameter of {self.names.parameters[name]}(), known only where it is called"
        if name in self.names.imported:
            return f"is `{name}`, imported from another module lambda-split does not follow"
        values = self.names.assigned.get(name)
        if not values:
            return f"is `{name}`, which is not assigned in this module"
        if len(values) > 1 or values[0] is None:
            return f"is `{name}`, which is assigned more than once"
        return None

    def string(self, expr, scope: Scope, depth: int = 0) -> TracedString:
        start, end = self.span(expr)
        own = scope.owns(start, end)
        line = self.line(expr)
        if depth > MAX_DEPTH:
            return TracedString.unknown("is nested too deeply to follow", start, end, own, line)
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
            why = self._unfollowable(expr.value)
            if why:
                return TracedString.unknown(why, start, end, own, line)
            inner = self.string(self._value_of(expr.value, scope), scope, depth + 1)
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


def _function(name: str, path: Path, line: int, package_type: str, architecture: str | None, origin: str,
              asset: TracedString | None, handler: TracedString | None, bundling: Bundling | None) -> AppFunction:
    return AppFunction(
        logical_id=name, resource_type="AWS::Lambda::Function", template_path=path, line=line,
        package_type=package_type, architecture=architecture, architecture_origin=origin, architecture_problem=None,
        code_uri=asset.value if asset is not None else None,
        code_uri_origin="function" if asset is not None else "remote",
        handler=handler.value if handler is not None else None, node=None, properties=None,
        source_kind=SOURCE_KIND, asset=asset, handler_value=handler, bundling=bundling)
