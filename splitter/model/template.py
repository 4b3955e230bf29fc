"""CloudFormation/SAM templates (JSON or YAML) and the Lambda functions they declare, as Amazon.Lambda.Tools sees them.

A function's architecture, CodeUri and handler are resolved with `Globals.Function` inheritance exactly as the
AWS tooling does, and each keeps the node it came from, so that `migrate` can edit that exact span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from splitter.errors import SplitterError
from splitter.model.nodes import Node, intrinsic, parse_json
from splitter.model.yaml_events import parse_yaml
from splitter.model.textfile import TextFile, read_text

ARCHITECTURES = ("x86_64", "arm64")
SERVERLESS_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
ANNOTATIONS_TOOL = "Amazon.Lambda.Annotations"


@dataclass(eq=False)
class Function:
    logical_id: str
    resource_type: str
    template_path: Path
    line: int
    package_type: str                       # "Zip" or "Image"
    architecture: str | None                # "x86_64" / "arm64"; None only when it cannot be known
    architecture_origin: str                # "function", "globals" or "default"
    architecture_problem: str | None        # why the architecture cannot be known, if it cannot
    code_uri: str | None                    # the raw local path string; None when not built locally
    code_uri_origin: str                    # "function", "globals", "default" or "remote"
    handler: str | None
    node: Node                              # the resource
    properties: Node | None
    managed_by_annotations: bool = False
    handler_node: Node | None = None        # the Handler value (the function's own or Globals'), literal or not
    deploy_instruction: ClassVar[str] = "Deploy the whole stack from the template's folder with " \
        "`dotnet lambda deploy-serverless`."

    @property
    def is_zip(self) -> bool:
        return self.package_type == "Zip"

    def property_node(self, name: str) -> Node | None:
        return self.properties.get(name) if self.properties is not None else None


@dataclass(eq=False)
class Template:
    path: Path
    format: str                             # "json" or "yaml"
    source: TextFile
    root: Node
    functions: list[Function] = field(default_factory=list)
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def globals_function(self) -> Node | None:
        return self.root.path("Globals", "Function")

    @property
    def annotations_managed(self) -> bool:
        return any(f.managed_by_annotations for f in self.functions)


def template_format(path: Path, text: str) -> str:
    if path.suffix.lower() in (".yaml", ".yml"):
        return "yaml"
    if path.suffix.lower() == ".json":
        return "json"
    # serverless.template may be either; JSON documents start with "{".
    return "json" if text.lstrip().startswith("{") else "yaml"


def parse_template_file(path: Path, source: TextFile | None = None) -> tuple[TextFile, str, Node]:
    source = source or read_text(path)
    fmt = template_format(path, source.text)
    root = parse_json(source.text, path) if fmt == "json" else parse_yaml(source.text, path)
    return source, fmt, root


def looks_like_template(root: Node) -> bool:
    if root.kind != "map":
        return False
    resources = root.get("Resources")
    return resources is not None and resources.kind == "map" or "AWSTemplateFormatVersion" in root.value \
        or "Transform" in root.value


def load_template(path: Path, parameters: dict[str, str] | None = None, source: TextFile | None = None) -> Template:
    """The template at path; from `source` (text already read, or planned) when given, else from the file."""
    source, fmt, root = parse_template_file(path, source)
    if not looks_like_template(root):
        raise SplitterError("not a CloudFormation template (no Resources section)", path,
                            hint="point lambda-split at a serverless.template or template.yaml")
    template = Template(path=path, format=fmt, source=source, root=root, parameters=dict(parameters or {}))
    resources = root.get("Resources")
    if resources is None or resources.kind != "map":
        return template
    for logical_id, resource in resources.items():
        if resource.kind != "map":
            continue
        type_node = resource.get("Type")
        resource_type = type_node.value if type_node is not None and type_node.kind == "scalar" else None
        if resource_type in (SERVERLESS_FUNCTION, LAMBDA_FUNCTION):
            template.functions.append(_function(template, logical_id, resource, resource_type))
    return template


def _function(template: Template, logical_id: str, resource: Node, resource_type: str) -> Function:
    properties = resource.get("Properties")
    if properties is not None and properties.kind != "map":
        properties = None
    serverless = resource_type == SERVERLESS_FUNCTION
    globals_fn = template.globals_function if serverless else None

    def inherited(name: str) -> tuple[Node | None, str]:
        own = properties.get(name) if properties is not None else None
        if own is not None:
            return own, "function"
        shared = globals_fn.get(name) if globals_fn is not None and globals_fn.kind == "map" else None
        return (shared, "globals") if shared is not None else (None, "default")

    package_node, _ = inherited("PackageType")
    package_type = "Image" if _literal(package_node) == "Image" else "Zip"
    if serverless and package_type == "Zip" and properties is not None and "ImageUri" in properties.value \
            and "CodeUri" not in properties.value:
        package_type = "Image"

    arch_node, arch_origin = inherited("Architectures")
    architecture, problem = resolve_architecture(arch_node, template)

    code_uri, code_origin = _code_uri(properties, inherited, serverless) if package_type == "Zip" else (None,
                                                                                                        "remote")
    handler_node, _ = inherited("Handler")
    metadata = resource.get("Metadata")
    tool = metadata.get("Tool") if metadata is not None else None
    return Function(
        logical_id=logical_id, resource_type=resource_type, template_path=template.path, line=resource.line,
        package_type=package_type, architecture=architecture, architecture_origin=arch_origin,
        architecture_problem=problem, code_uri=code_uri, code_uri_origin=code_origin,
        handler=_literal(handler_node), node=resource, properties=properties,
        managed_by_annotations=_literal(tool) == ANNOTATIONS_TOOL, handler_node=handler_node,
    )


def _literal(node: Node | None) -> str | None:
    if node is None or node.kind != "scalar" or node.tag:
        return None
    return None if node.value is None else str(node.value)


def _code_uri(properties, inherited, serverless: bool) -> tuple[str | None, str]:
    if properties is None:
        return None, "remote"           # Amazon.Lambda.Tools skips a resource without Properties
    if serverless:
        node, origin = inherited("CodeUri")
        if node is None or (node.kind == "scalar" and node.value is None and not node.tag):
            return ".", "default"       # absent, `CodeUri:` (null) and "" all mean the template's folder
        value = _literal(node)
        if value is None:
            return None, "remote"          # {Bucket, Key} or an intrinsic: not a local build
        if value.startswith("s3://"):
            return None, "remote"
        return (value or "."), origin
    # Amazon.Lambda.Tools builds `Code.S3Key` (empty or absent: ".") unless `Code.S3Bucket` is non-empty; the
    # blueprints ship `"S3Bucket": "", "S3Key": ""`. Inline `ZipFile` code and images are not built.
    code = properties.get("Code") if properties is not None else None
    if code is None:
        return ".", "default"
    if code.kind == "scalar" and not code.tag:
        value = _literal(code) or "."
        return (None, "remote") if value.startswith("s3://") else (value, "function")
    if code.kind != "map" or code.tag or "ImageUri" in code.value or _non_empty(code.get("ZipFile")) \
            or _non_empty(code.get("S3Bucket")):
        return None, "remote"
    key_node = code.get("S3Key")
    if key_node is None or (key_node.kind == "scalar" and not key_node.tag and not key_node.value):
        return ".", "default"
    key = _literal(key_node)
    if key is None:
        return None, "remote"           # an intrinsic: an object already in S3
    return key, "function"


def _non_empty(node: Node | None) -> bool:
    """True for any value but an absent, null or empty-string one (an intrinsic counts as set)."""
    return node is not None and not (node.kind == "scalar" and not node.tag and node.value in (None, ""))


def resolve_architecture(node: Node | None, template: Template) -> tuple[str | None, str | None]:
    """(architecture, None) or (None, why it cannot be known). No node means the default, x86_64."""
    if node is None:
        return "x86_64", None
    values: list[str] = []
    call = intrinsic(node)
    if call is not None:
        resolved = _resolve_ref(call, template)
        if resolved is None:
            return None, f"is {_describe(call)}, which cannot be known before deployment"
        values = [v.strip() for v in resolved.split(",")]
    elif node.kind == "seq":
        for item in node.value:
            item_call = intrinsic(item)
            if item_call is not None:
                resolved = _resolve_ref(item_call, template)
                if resolved is None:
                    return None, f"is [{_describe(item_call)}], which cannot be known before deployment"
                values.append(resolved.strip())
            elif item.kind == "scalar" and item.value is not None:
                values.append(str(item.value))
            else:
                return None, "holds a value that is not a string"
    elif node.kind == "scalar":
        values = [str(node.value)]
    else:
        return None, "is not a list of one architecture"
    if len(values) != 1:
        return None, f"lists {len(values)} values; Lambda takes exactly one"
    if values[0] not in ARCHITECTURES:
        return None, f"is {values[0]!r}; Lambda knows only x86_64 and arm64"
    return values[0], None


def handler_parts(handler: str | None) -> tuple[str, str, str] | None:
    """(assembly, type, method) of an `Assembly::Namespace.Type::Method` handler, stripped, a nested type's `+`
    written "."; None for any other string."""
    parts = handler.split("::") if isinstance(handler, str) else ()
    if len(parts) != 3:
        return None
    return parts[0].strip(), parts[1].strip().replace("+", "."), parts[2].strip()


def deployed_handler(function: Function, template: Template) -> tuple[str | None, str]:
    """The handler string a function deploys with, and how the template writes it. A literal is itself; a `Ref`
    to a parameter or a `Fn::Sub` over parameters resolves through --parameter, else the parameter's Default, as for
    architectures. (None, how it is written) when it cannot be known before deployment."""
    node = function.handler_node
    if function.handler is not None or node is None:
        return function.handler, "a string"
    call = intrinsic(node)
    if call is None:
        return None, "not a string"
    name, arg = call
    written = _written(node, template)
    if name == "Ref":
        return _resolve_ref(call, template), written
    if name != "Fn::Sub":
        return None, written
    variables: dict[str, str | None] = {}
    if arg.kind == "seq" and len(arg.value) == 2 and arg.value[1].kind == "map":
        variables = {key: _literal(value) for key, value in arg.value[1].items()}
        arg = arg.value[0]
    if arg.kind != "scalar" or arg.tag or not isinstance(arg.value, str):
        return None, written
    unknown = False

    def substitute(match) -> str:
        nonlocal unknown
        key = match.group(1)
        if key.startswith("!"):
            return "${" + key[1:] + "}"            # ${!Literal} writes ${Literal}
        value = variables[key] if key in variables else parameter_value(template, key)
        unknown |= value is None
        return value or ""
    value = re.sub(r"\$\{([^}]*)\}", substitute, arg.value)
    return (None if unknown else value), written


def _written(node: Node, template: Template) -> str:
    text = " ".join(template.source.text[node.start:node.end].split())
    return text if len(text) <= 80 else text[:77] + "..."


def parameter_value(template: Template, parameter: str) -> str | None:
    """A parameter's value from --parameter, else its Default; None for anything else (pseudo parameters too)."""
    if parameter in template.parameters:
        return template.parameters[parameter]
    declared = template.root.path("Parameters", parameter)
    return _literal(declared.get("Default")) if declared is not None else None


def _describe(call: tuple[str, Node]) -> str:
    name, arg = call
    if name == "Ref" and arg.kind == "scalar":
        return f"Ref {arg.value}"
    return name


def _resolve_ref(call: tuple[str, Node], template: Template) -> str | None:
    """A `Ref` to a parameter resolves through --parameter, else the parameter's Default (as SAM does)."""
    name, arg = call
    if name != "Ref" or arg.kind != "scalar":
        return None
    return parameter_value(template, str(arg.value))


def allowed_values(template: Template, parameter: str) -> list[str]:
    declared = template.root.path("Parameters", parameter)
    allowed = declared.get("AllowedValues") if declared is not None else None
    if allowed is None or allowed.kind != "seq":
        return []
    return [str(v.value) for v in allowed.value if v.kind == "scalar"]
