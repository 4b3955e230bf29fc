"""One reader of CDK stacks over two syntax trees: what a `Function` construction says (architecture, runtime,
handler, asset path, bundling) and why a value cannot be followed is decided here once; `cdk_python` (libcst) and
`cdk_csharp` (tree-sitter) say only how their language writes arguments, constants, calls and strings.
"""

from __future__ import annotations

from pathlib import Path

from splitter.model.apps.common import AppDocument, AppFunction, Bundling, Scope, TracedString, Undecided

NOT_DOTNET = ("PYTHON", "NODEJS", "JAVA", "RUBY", "GO_", "GO1")
MAX_DEPTH = 20


class StackReader:
    """The walk over one stack file. A subclass sets the tables below and implements the syntax hooks."""

    SOURCE_KIND = ""
    # How the language spells each property: {"architecture": "Architecture", ...} in C#, the keyword in Python.
    KEYS: dict[str, str] = {}
    COMMAND = "command"                 # the bundling options' command key
    UNDECLARED = "which is not declared in this file"
    SUBCLASS = ""                       # "{type} subclasses Function; ...": why a subclass is left alone

    def __init__(self, path: Path, text: str):
        self.path, self.text = path, text
        self.declared: dict[str, list] = {}      # name -> the values assigned to it (None: not a plain value)
        self.loops: dict[str, object] = {}       # loop variable -> its loop
        self.parameters: dict[str, str] = {}     # parameter -> the function or method it belongs to
        self.imported: set[str] = set()
        self.mentions: dict[str, int] = {}

    # -- syntax hooks ----------------------------------------------------------------------------------------------

    def span(self, node) -> tuple[int, int]:
        raise NotImplementedError

    def line(self, node) -> int:
        raise NotImplementedError

    def code(self, node) -> str:
        raise NotImplementedError

    def name_argument(self, node):
        """The construct id expression (`this, "Id", ...`), or None."""
        raise NotImplementedError

    def properties(self, node, scope: Scope) -> tuple[dict, str | None]:
        """{written property name: expression}, or why the properties cannot be read."""
        raise NotImplementedError

    def enclosing_loop(self, node):
        raise NotImplementedError

    def loop_words(self, loop) -> str:
        return "loop"

    def is_constant(self, target, dotted: str) -> bool:
        """Whether an expression names the constant `dotted` (`Architecture.ARM_64`), however it was imported."""
        raise NotImplementedError

    def runtime_member(self, target) -> str | None:
        """X of an expression `Runtime.X`, or None."""
        raise NotImplementedError

    def asset_code(self, expr, target, scope: Scope) -> tuple[str | None, object, object, str | None]:
        """(what the Code is: "remote", "image" or "asset", the asset path expression, the bundling expression, or
        why it is not a `Code.FromAsset(...)` lambda-split can read)."""
        raise NotImplementedError

    def bundling_options(self, target) -> dict | None:
        raise NotImplementedError

    def elements(self, node) -> list | None:
        """The element expressions of a list or array literal."""
        raise NotImplementedError

    def label(self, expr) -> str | None:
        """The variable an expression names, for messages about a shared bundling."""
        raise NotImplementedError

    def follow(self, expr, scope: Scope | None = None, depth: int = 0):
        raise NotImplementedError

    def string(self, expr, scope: Scope, depth: int = 0) -> TracedString:
        """The string an expression evaluates to, traced to the spans it is written in; or why it cannot be."""
        start, end = self.span(expr)
        own = scope.owns(start, end)
        line = self.line(expr)
        if depth > MAX_DEPTH:
            return TracedString.unknown("is nested too deeply to follow", start, end, own, line)
        return self.string_at(expr, scope, start, end, own, line, depth)

    def string_at(self, expr, scope: Scope, start: int, end: int, own: bool, line: int,
                  depth: int) -> TracedString:
        raise NotImplementedError

    # -- one function ----------------------------------------------------------------------------------------------

    def read_function(self, node, kind: str, document: AppDocument) -> None:
        scope = Scope(*self.span(node))
        line = self.line(node)
        name_expr = self.name_argument(node)
        name_value = self.string(name_expr, scope).value if name_expr is not None else None
        name = name_value or (f"`{self.code(name_expr)}`" if name_expr is not None else f"at line {line}")

        def undecided(reason: str, asset: str | None = None) -> None:
            document.undecided.append(Undecided(name, self.path, line, reason, asset))

        if kind == "subclass":
            return undecided(self.SUBCLASS.format(type=self.subclass_name(node)))
        props, why = self.properties(node, scope)
        if why:
            return undecided(why)
        runtime = self.runtime_of(props.get(self.KEYS["runtime"]))
        if runtime is not None and runtime.startswith(NOT_DOTNET):
            return None
        architecture, origin, problem = self.architecture(props.get(self.KEYS["architecture"]))
        asset, asset_kind, bundling, image, code_problem = self.code_of(kind, props, scope)
        known_asset = asset.value if asset is not None else None
        loop = self.enclosing_loop(node)
        if loop is not None:
            return undecided(f"it is built in a {self.loop_words(loop)} (line {self.line(loop)}), so lambda-split "
                             "cannot tell how many functions it makes or their values", known_asset)
        if kind == "Image" or image:
            return document.add(self.function(name, line, "Image", architecture or "x86_64", origin))
        handler_key = self.KEYS["handler"]
        handler = self.string(props[handler_key], scope) if handler_key in props else None
        if code_problem:
            return undecided(code_problem)
        if problem:
            return undecided(problem, known_asset)
        if handler is not None and handler.value is None:
            return undecided(f"its {handler_key} {handler.problem}", known_asset)
        function = self.function(name, line, "Zip", architecture, origin, asset, handler, bundling)
        function.asset_kind = asset_kind
        document.add(function)

    def subclass_name(self, node) -> str:
        raise NotImplementedError

    def architecture_of(self, target) -> str | None:
        for architecture, constant in (("arm64", "Architecture.ARM_64"), ("x86_64", "Architecture.X86_64")):
            if self.is_constant(target, constant):
                return architecture
        return None

    def runtime_of(self, expr) -> str | None:
        """The `Runtime.X` member name of a runtime expression, when it is one."""
        if expr is None:
            return None
        target, why = self.follow(expr)
        return None if why else self.runtime_member(target)

    def architecture(self, expr) -> tuple[str | None, str, str | None]:
        key = self.KEYS["architecture"]
        if expr is None:
            return "x86_64", "default", None
        target, why = self.follow(expr)
        if why:
            return None, "function", f"its {key} {why}"
        found = self.architecture_of(target)
        if found is not None:
            return found, "function", None
        return None, "function", (f"its {key} `{self.code(expr)}` is not Architecture.ARM_64 or "
                                  "Architecture.X86_64")

    def code_of(self, kind: str, props: dict, scope: Scope):
        """(asset path, asset kind, bundling, is an image, problem)."""
        if kind == "DotNetFunction":
            key = self.KEYS["project_dir"]
            if key not in props:
                return None, "project-dir", None, False, f"it has no {key}"
            asset = self.string(props[key], scope)
            return asset, "project-dir", None, False, (f"its {key} {asset.problem}" if asset.value is None
                                                       else None)
        key = self.KEYS["code"]
        expr = props.get(key)
        if expr is None:
            return None, "asset", None, False, f"it has no {key}"
        target, why = self.follow(expr, scope)
        if why:
            return None, "asset", None, False, f"its {key} {why}"
        what, path_expr, bundling_expr, problem = self.asset_code(expr, target, scope)
        if problem or what != "asset":
            return None, "asset", None, what == "image", problem
        asset = self.string(path_expr, scope)
        if asset.value is None:
            return asset, "asset", None, False, f"its asset path {asset.problem}"
        bundling = self.bundling(bundling_expr, scope) if bundling_expr is not None else None
        return asset, "asset", bundling, False, None

    def bundling(self, expr, scope: Scope) -> Bundling:
        target, why = self.follow(expr, scope)
        start, end = self.span(target)
        own = scope.owns(start, end)
        name = self.label(expr)
        options = None if why else self.bundling_options(target)
        if options is None:
            return Bundling(None, start, end, self.line(target), own, f"expression@{start}", name)
        command = None
        if self.COMMAND in options:
            listed, _ = self.follow(options[self.COMMAND], scope)
            elements = self.elements(listed)
            if elements is not None:
                command = [self.string(element, scope) for element in elements]
        others = sorted(f"{k}={self.code(v)}" for k, v in options.items() if k != self.COMMAND)
        values = [t.value for t in command] if command is not None else None
        key = repr((values, others)) if values is not None and None not in values else f"expression@{start}"
        return Bundling(command, start, end, self.line(target), own, key, name)

    # -- values ----------------------------------------------------------------------------------------------------

    def value_of(self, name: str, scope: Scope | None):
        """The one value assigned to `name`; a value no other code uses joins the function's `scope`, so migrate
        may edit it in place."""
        value = self.declared[name][0]
        if scope is not None and self.mentions.get(name, 0) - len(self.declared[name]) == 1:
            scope.add(*self.span(value))
        return value

    def unfollowable(self, name: str) -> str | None:
        if name in self.loops:
            return (f"is the loop variable `{name}` (line {self.line(self.loops[name])}), so lambda-split cannot "
                    "tell which functions the loop builds")
        if name in self.parameters:
            return f"is `{name}`, a parameter of {self.parameters[name]}, known only where it is called"
        if name in self.imported:
            return f"is `{name}`, imported from another module lambda-split does not follow"
        values = self.declared.get(name)
        if not values:
            return f"is `{name}`, {self.UNDECLARED}"
        if len(values) > 1 or values[0] is None:
            return f"is `{name}`, which is assigned more than once"
        return None

    def function(self, name: str, line: int, package_type: str, architecture: str | None, origin: str,
                 asset: TracedString | None = None, handler: TracedString | None = None,
                 bundling: Bundling | None = None) -> AppFunction:
        return AppFunction(
            logical_id=name, resource_type="AWS::Lambda::Function", template_path=self.path, line=line,
            package_type=package_type, architecture=architecture, architecture_origin=origin,
            architecture_problem=None, code_uri=asset.value if asset is not None else None,
            code_uri_origin="function" if asset is not None else "remote",
            handler=handler.value if handler is not None else None, node=None, properties=None,
            source_kind=self.SOURCE_KIND, asset=asset, handler_value=handler, bundling=bundling)
