"""Serverless Framework services (`serverless.yml`), read through the position-keeping YAML tree: each .NET
function's architecture (`architecture`, else `provider.architecture`, else x86_64), `handler` and the artifact it
deploys (`package.artifact` of the function, else of the service). `${self:...}` references to literal values in the
same file are followed; other variables are reported as something lambda-split cannot decide.
"""

from __future__ import annotations

import re
from pathlib import Path

from splitter.model.literals import scalar_text
from splitter.errors import SplitterError
from splitter.model.apps.common import ARCHITECTURES, AppDocument, AppFunction, Piece, TracedString, Undecided, concat
from splitter.model.nodes import Node
from splitter.model.yaml_events import parse_yaml
from splitter.model.textfile import TextFile, read_text

SOURCE_KIND = "serverless"
FILE_NAMES = ("serverless.yml", "serverless.yaml")
_VARIABLE = re.compile(r"\$\{([^{}]*)\}")
MAX_DEPTH = 20
_TOP_KEY = re.compile(r"^[\"']?(AWSTemplateFormatVersion|Resources|service)[\"']?\s*:", re.MULTILINE)


def is_cloudformation(text: str) -> bool:
    """A serverless.yml/.yaml that is a CloudFormation (SAM) template: AWSTemplateFormatVersion or Resources at the
    top level and no `service` (a Serverless Framework service may carry `resources:`, lowercase, never these)."""
    keys = {m.group(1) for m in _TOP_KEY.finditer(text)}
    return "service" not in keys and bool(keys & {"AWSTemplateFormatVersion", "Resources"})


def load_service(path: Path, source: TextFile | None = None) -> AppDocument:
    """The service at path; from `source` (text already read, or planned) when given, else from the file."""
    source = source or read_text(path)
    root = parse_yaml(source.text, path)
    if root.kind != "map" or "service" not in root.value and "functions" not in root.value:
        raise SplitterError("not a Serverless Framework service (no `service` or `functions`)", path, 1,
                            hint="point lambda-split at the serverless.yml that deploys your functions")
    service = _Service(path, source.text, root)
    document = AppDocument(path=path, source=source, base=path.parent, source_kind=SOURCE_KIND,
                           literal=lambda value: scalar_text(value, "yaml"), app=path)
    functions = root.get("functions")
    if functions is None or functions.kind != "map":
        return document
    for name, declaration in functions.items():
        if declaration.kind == "map":
            service.read_function(name, declaration, functions.keys[name].line, document)
    return document


class _Service:
    def __init__(self, path: Path, text: str, root: Node):
        self.path, self.text, self.root = path, text, root
        self.provider = root.get("provider") if root.get("provider") is not None and \
            root.get("provider").kind == "map" else None

    def read_function(self, name: str, declaration: Node, line: int, document: AppDocument) -> None:

        def undecided(reason: str, asset: str | None = None) -> None:
            document.undecided.append(Undecided(name, self.path, line, reason, asset))

        runtime = self._setting(declaration, "runtime")
        runtime_value = self.string(runtime, declaration).value if runtime is not None else None
        if runtime_value is not None and not runtime_value.lower().startswith(("dotnet", "provided")):
            return None
        if declaration.get("image") is not None:
            document.add(_function(name, self.path, line, "Image", "x86_64", "default", None, None,
                                                "asset", declaration))
            return None
        architecture, origin, problem = self._architecture(declaration)
        asset, asset_kind = self._artifact(declaration)
        handler_node = declaration.get("handler")
        handler = self.string(handler_node, declaration) if handler_node is not None else None
        if asset is not None and asset.value is None:
            return undecided(f"its package.artifact {asset.problem}")
        known_asset = asset.value if asset is not None else None
        if problem:
            return undecided(problem, known_asset)
        if handler is not None and handler.value is None:
            return undecided(f"its handler {handler.problem}", known_asset)
        if asset is not None and re.match(r"^(s3://|https?://)", asset.value):
            asset = None                                    # already uploaded: not built here
        function = _function(name, self.path, line, "Zip", architecture, origin, asset, handler, asset_kind,
                             declaration)
        if asset is None and asset_kind != "service-folder":
            function.code_uri, function.code_uri_origin = None, "remote"
        document.add(function)

    def _setting(self, declaration: Node, key: str) -> Node | None:
        own = declaration.get(key)
        if own is not None:
            return own
        return self.provider.get(key) if self.provider is not None else None

    def _architecture(self, declaration: Node) -> tuple[str | None, str, str | None]:
        own = declaration.get("architecture")
        node, origin = (own, "function") if own is not None else (
            self.provider.get("architecture") if self.provider is not None else None, "provider")
        if node is None:
            return "x86_64", "default", None
        where = "its architecture" if origin == "function" else "provider.architecture"
        value = self.string(node, declaration)
        if value.value is None:
            return None, origin, f"{where} {value.problem}"
        if value.value not in ARCHITECTURES:
            return None, origin, f"{where} is {value.value!r}; Lambda knows only x86_64 and arm64"
        return value.value, origin, None

    def _artifact(self, declaration: Node) -> tuple[TracedString | None, str]:
        own = declaration.path("package", "artifact")
        if own is not None:
            return self.string(own, declaration), "artifact"
        shared = self.root.path("package", "artifact")
        if shared is not None:
            return self.string(shared, declaration), "service-artifact"
        # Without an artifact the framework zips the service folder as it is.
        folder = TracedString(".", [], -1, -1, False, declaration.line)
        return folder, "service-folder"

    def string(self, node: Node, declaration: Node, depth: int = 0) -> TracedString:
        own = declaration.start <= node.start and node.end <= declaration.end
        if depth > MAX_DEPTH:
            return TracedString.unknown("refers to itself", node.start, node.end, own, node.line)
        if node.kind != "scalar" or node.tag or node.value is None:
            return TracedString.unknown("is not a plain string", node.start, node.end, own, node.line)
        value = str(node.value)
        start, end = node.start, node.end
        if node.style in ("'", '"'):
            start, end = start + 1, end - 1
        if "${" not in value:
            return TracedString(value, [Piece(value, start, end, own, self._escaper(node))], node.start, node.end,
                                own, node.line)
        parts: list[TracedString] = []
        position = 0
        for match in _VARIABLE.finditer(value):
            if match.start() > position:
                parts.append(self._text(value[position:match.start()], node, start, position, own))
            parts.append(self._variable(match.group(1), match.group(0), node, declaration, depth))
            position = match.end()
        if position < len(value):
            parts.append(self._text(value[position:], node, start, position, own))
        traced = concat(parts, start, end, own, node.line)
        traced.write = self._escaper(node) if node.style in ("'", '"') else None
        return traced

    def _text(self, text: str, node: Node, start: int, offset: int, own: bool) -> TracedString:
        # Offsets inside the scalar are exact only when it is written without escapes.
        exact = self.text[start:start + len(str(node.value))] == str(node.value)
        if not exact:
            return TracedString(text, [Piece(text, -1, -1, False)], -1, -1, False, node.line)
        piece = Piece(text, start + offset, start + offset + len(text), own, self._escaper(node))
        return TracedString(text, [piece], piece.start, piece.end, own, node.line)

    def _variable(self, reference: str, written: str, node: Node, declaration: Node, depth: int) -> TracedString:
        reference = reference.strip()
        if reference.startswith("self:") and "," not in reference:
            target = self.root.path(*[k for k in reference[len("self:"):].split(".") if k])
            if target is not None:
                inner = self.string(target, declaration, depth + 1)
                if inner.value is not None:
                    return TracedString(inner.value, inner.pieces, -1, -1, False, node.line)
                return TracedString.unknown(f"uses {written}, which {inner.problem}", node.start, node.end, False,
                                            node.line)
            return TracedString.unknown(f"uses {written}, which names nothing in this file", node.start, node.end,
                                        False, node.line)
        source = reference.split(":", 1)[0]
        return TracedString.unknown(f"uses {written}, which is known only when `serverless` runs "
                                    f"({source or 'a variable'} is not followed)", node.start, node.end, False,
                                    node.line)

    @staticmethod
    def _escaper(node: Node):
        if node.style == "'":
            return lambda value: value.replace("'", "''")
        if node.style == '"':
            return lambda value: value.replace("\\", "\\\\").replace('"', '\\"')
        return lambda value: value


def _function(name: str, path: Path, line: int, package_type: str, architecture: str | None, origin: str,
              asset: TracedString | None, handler: TracedString | None, asset_kind: str,
              declaration: Node) -> AppFunction:
    return AppFunction(
        logical_id=name, resource_type="serverless:function", template_path=path, line=line,
        package_type=package_type, architecture=architecture, architecture_origin=origin, architecture_problem=None,
        code_uri=asset.value if asset is not None else None,
        code_uri_origin=("function" if asset_kind == "artifact" else "service") if asset is not None else "remote",
        handler=handler.value if handler is not None else None, node=declaration, properties=None,
        source_kind=SOURCE_KIND, asset=asset, asset_kind=asset_kind, handler_value=handler,
        declaration=declaration)
