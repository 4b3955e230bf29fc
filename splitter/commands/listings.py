"""Functions `check` lists but never builds: container images, and zip code already in S3 (`CodeUri: s3://...`,
`CodeUri: {Bucket, Key}`, `Code: {S3Bucket, S3Key}`), each with its template and line."""

from __future__ import annotations

from splitter.model.nodes import Node


def _literal(node: Node | None) -> str | None:
    if node is None or node.kind != "scalar" or node.tag or node.value is None:
        return None
    return str(node.value)


def s3_location(function, globals_function: Node | None = None) -> str | None:
    """`s3://bucket/key` when a zip function's code is an S3 object (`s3://bucket/?` when a part is not a
    literal), else None (inline ZipFile code, an intrinsic, or no Properties)."""
    if function.properties is None:
        return None
    if function.resource_type == "AWS::Serverless::Function":
        node = function.property_node("CodeUri")
        if node is None and globals_function is not None and globals_function.kind == "map":
            node = globals_function.get("CodeUri")
        value = _literal(node)
        if value is not None:
            return value if value.startswith("s3://") else None
        if node is not None and node.kind == "map" and not node.tag and "Bucket" in node.value:
            return _join(node.get("Bucket"), node.get("Key"))
        return None
    code = function.property_node("Code")
    value = _literal(code)
    if value is not None:
        return value if value.startswith("s3://") else None
    if code is not None and code.kind == "map" and not code.tag and code.get("S3Bucket") is not None \
            and _literal(code.get("S3Bucket")) != "":
        return _join(code.get("S3Bucket"), code.get("S3Key"))
    return None


def _join(bucket: Node | None, key: Node | None) -> str:
    return f"s3://{_literal(bucket) or '?'}/{_literal(key) or '?'}"


def s3_functions(analysis) -> list[tuple[object, str]]:
    """(function, its s3:// location) for every function whose code is deployed from S3."""
    globals_of = {template.path: template.globals_function for template in analysis.templates}
    found = []
    for function in analysis.remote_functions:
        location = s3_location(function, globals_of.get(function.template_path))
        if location is not None:
            found.append((function, location))
    return found


def image_json(analysis) -> list[dict]:
    ws = analysis.workspace
    return [{"template": ws.relative(f.template_path), "logical_id": f.logical_id, "line": f.line,
             "architecture": f.architecture} for f in analysis.image_functions]


def s3_json(analysis) -> list[dict]:
    ws = analysis.workspace
    return [{"template": ws.relative(f.template_path), "logical_id": f.logical_id, "line": f.line,
             "architecture": f.architecture, "location": location} for f, location in s3_functions(analysis)]


def text_lines(analysis) -> list[str]:
    """The listing for `check`'s text output: per kind, one line per function, `path:line  LogicalId`."""
    ws = analysis.workspace
    lines = []
    images = analysis.image_functions
    if images:
        lines.append(f"{len(images)} Image function{'s' if len(images) != 1 else ''} (container images, not zip "
                     "builds; never a hazard):")
        lines += [f"  {ws.display(f.template_path)}:{f.line}  {f.logical_id}" for f in images]
    s3 = s3_functions(analysis)
    if s3:
        lines.append(f"{len(s3)} S3 function{'s' if len(s3) != 1 else ''} (code deployed from S3, not built "
                     "here; never a hazard):")
        lines += [f"  {ws.display(f.template_path)}:{f.line}  {f.logical_id}  {location}" for f, location in s3]
    return lines
