"""Template edits: each function's CodeUri, Handler and Architectures point at its architecture's project."""

from __future__ import annotations

import itertools
from pathlib import Path

from splitter.changes.edits import Edit, insert_keys, line_start, replace_scalar
from splitter.model.literals import scalar_text
from splitter.errors import SplitterError
from splitter.graph.migration import SplitTarget
from splitter.model.nodes import Node
from splitter.model.template import Function, Template
from splitter.plan.projects import posix_relpath
from splitter.plan.handlers import HandlerRef
from splitter.plan.retarget import retarget_unit
from splitter.plan.result import FunctionProject, Plan
from splitter.changes.edits import merge_inserts


def template_edits(target: SplitTarget, projects: dict[str, FunctionProject], result: Plan):
    moved_to = {decl.full_name: fp for fp in projects.values() for decl in fp.moved}
    per_template: dict[int, tuple[Template, list[Edit]]] = {}
    for unit in target.units:
        if unit.source != "sam":        # a CDK app or serverless.yml: plan/retarget.py edits its own files
            edited, decisions = retarget_unit(unit, {arch: fp.folder for arch, fp in projects.items()},
                                              lambda function: _moved_handler(function, moved_to), result.root)
            for document, edits in edited:
                per_template.setdefault(id(document), (document, []))[1].extend(edits)
            result.decisions.extend(d for d in decisions if d not in result.decisions)
            continue
        template = unit.template
        edits = per_template.setdefault(id(template), (template, []))[1]
        for function in unit.functions:
            fp = projects[function.architecture]
            edits.extend(function_edits(template, function, fp, moved_to, unit.code_uri))
    return list(per_template.values())


def _moved_handler(function: Function, moved_to: dict[str, FunctionProject]) -> str | None:
    """The function's handler with the assembly of the project its type moved to; None if the type stayed."""
    ref = HandlerRef.parse(function.handler)
    target_fp = moved_to.get(_top_level_name(ref, moved_to)) if ref else None
    return ref.with_assembly(target_fp.name, function.handler) if target_fp is not None else None


def code_uri_for(template: Template, folder: Path, original: str) -> str:
    rel = posix_relpath(folder, template.folder)
    if original.startswith("./") and not rel.startswith(".."):
        rel = "./" + rel
    if original.endswith("/") and original not in ("./", "/"):
        rel += "/"
    return rel


def function_edits(template: Template, function: Function, fp: FunctionProject,
                    moved_to: dict[str, FunctionProject], original_uri: str) -> list[Edit]:
    text, fmt = template.source.text, template.format
    props = function.properties
    if props is None:
        raise SplitterError(f"{function.logical_id} has no Properties to edit", template.path, function.line)
    edits: list[Edit] = []
    inserted: list[tuple[str, str, list[str] | None]] = []
    new_uri = code_uri_for(template, fp.folder, original_uri)
    code_node = props.get("CodeUri") if function.resource_type.endswith("Serverless::Function") else None
    if function.resource_type == "AWS::Lambda::Function":
        code = props.get("Code")
        code_node = code if code is not None and code.kind == "scalar" else code.get("S3Key")
    if code_node is not None:
        edits.append(replace_scalar(code_node, new_uri, fmt, template.path, f"the CodeUri of {function.logical_id}",
                                    _key_line(props, "CodeUri", code_node), text))
    else:
        inserted.append(("CodeUri", scalar(new_uri, fmt), None))
    ref = HandlerRef.parse(function.handler)
    target_fp = moved_to.get(_top_level_name(ref, moved_to)) if ref else None
    if target_fp is not None:
        new_handler = ref.with_assembly(target_fp.name, function.handler)
        handler_node = props.get("Handler")
        if handler_node is not None:
            edits.append(replace_scalar(handler_node, new_handler, fmt, template.path,
                                        f"the Handler of {function.logical_id}",
                                        _key_line(props, "Handler", handler_node), text))
        else:
            inserted.append(("Handler", scalar(new_handler, fmt), None))
    # A function that ran on the default architecture gets it written out, so that its project and its
    # Architectures agree on the page. One that inherits Globals keeps inheriting: SAM translators up to 1.110
    # (bundled with cfn-lint, older SAM CLIs) concatenate Globals and function lists, so a repeated value would
    # become ["arm64", "arm64"] (cfn-lint E3037) and a deployment error.
    if function.architecture_origin == "default":
        inserted.append(("Architectures",) + architectures_value(template, function.architecture))
    anchor = "CodeUri" if "CodeUri" in props.value else "Handler"
    edits.extend(insert_keys(text, props, inserted, fmt, after=anchor))
    return merge_inserts(edits)


def _key_line(props: Node, key: str, value: Node) -> int:
    """The line the key is written on (an aliased value's own position is the anchor's)."""
    return props.keys[key].line if key in props.keys else value.line


def _top_level_name(ref: HandlerRef, moved_to: dict[str, FunctionProject]) -> str:
    name = ref.type_name
    while name and name not in moved_to and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def scalar(value: str, fmt: str) -> str:
    return scalar_text(value, fmt)


def architectures_value(template: Template, arch: str) -> tuple[str, list[str] | None]:
    """The Architectures value written as the template already writes one (flow or block, quotes)."""
    example = _existing_architectures(template)
    if template.format == "json":
        if example is not None and example.kind == "seq" and "\n" not in template.source.text[example.start:example.end]:
            sample = template.source.text[example.start:example.end]
            literal = example.value[0]
            inner = template.source.text[literal.start:literal.end]
            return sample.replace(inner, f'"{arch}"', 1), None
        return f'["{arch}"]', None
    if example is not None and example.kind == "seq" and not example.flow:
        item = example.value[0]
        key_column = _key_column(template, example)
        dash = template.source.text.rfind("-", 0, item.start)
        offset = dash - line_start(template.source.text, dash) - key_column
        return "", [" " * max(offset, 0) + f"- {arch}"]
    return f"[{arch}]", None


def _existing_architectures(template: Template) -> Node | None:
    """The first one-item Architectures list the template writes (Globals first), as the example to follow; found
    once per template (each edited function asks, and scanning every function per edit was quadratic)."""
    cached = template.__dict__.get("_architectures_example", False)
    if cached is not False:
        return cached
    found = None
    globals_fn = template.globals_function
    candidates = [globals_fn.get("Architectures")] if globals_fn is not None else []
    for node in itertools.chain(candidates, (f.property_node("Architectures") for f in template.functions)):
        if node is not None and node.kind == "seq" and len(node.value) == 1 and node.value[0].kind == "scalar" \
                and not node.value[0].tag:
            found = node
            break
    template.__dict__["_architectures_example"] = found
    return found


def _key_column(template: Template, value: Node) -> int:
    text = template.source.text
    key_line_start = line_start(text, text.rfind("Architectures", 0, value.start))
    return len(text[key_line_start:]) - len(text[key_line_start:].lstrip(" "))
