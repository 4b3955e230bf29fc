"""The projects of an Amazon.Lambda.Annotations split: each function project's csproj (with the generator), its
assembly attributes and its defaults file naming its own template and stack; the library without the generator;
test project references; and what the split means for deployment, in the summary.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from splitter.discover import native_path
from splitter.plan.annotations.classes import PACKAGE, Layout
from splitter.plan.annotations.template import TemplateSplit
from splitter.plan import library
from splitter.changes.changeset import Create, Move
from splitter.changes.edits import Edit, element_span, indentation_at, line_end, line_start
from splitter.errors import SplitterError
from splitter.graph.migration import SourceProject, SplitTarget
from splitter.model.template import Template
from splitter.render import render
from splitter.model.textfile import detect_indent, encode
from splitter.plan.result import Decision, FunctionProject, Plan
from splitter.plan.projects import COPIED, DEFAULT_ITEMS, assembly_attributes_file, function_project_properties, internals_visible_to, msbuild_relpath, serializer_attributes
from splitter.plan.projects import add_function_csproj


# Properties of an executable project (GenerateMain) that each executable function project keeps.
EXECUTABLE_PROPERTIES = ("OutputType", "AssemblyName", "PublishAot", "StripSymbols", "PublishTrimmed", "TrimMode",
                         "OptimizationPreference", "IlcOptimizationPreference", "IlcGenerateStackTraceData",
                         "JsonSerializerIsReflectionEnabledByDefault", "EventSourceSupport", "UseSystemResourceKeys")
STACK_SUFFIX = {"x86_64": "x64", "arm64": "arm64"}
# Settings of the original defaults file that name the original's deployment, not a function project's.
DEFAULTS_REPLACED = ("Information", "template", "stack-name", "s3-prefix", "function-architecture",
                     "function-handler", "function-name")


# -- projects -----------------------------------------------------------------------------------------------------------

def create_projects(target: SplitTarget, projects: dict[str, FunctionProject], layout: Layout,
                    splits: list[TemplateSplit], result: Plan, separator: str) -> None:
    project = target.project
    own = function_project_properties(target, projects)
    properties = [(k, v) for k, v in own.items()
                  if k in COPIED or k in DEFAULT_ITEMS or layout.executable and k in EXECUTABLE_PROPERTIES]
    packages = [p for p in project.package_references
                if p.include.lower() == PACKAGE.lower() or (p.private_assets or "").lower() == "all"]
    template_name = splits[0].template.path.name if splits else "serverless.template"
    for arch, fp in projects.items():
        add_function_csproj(
            target, fp, result, own,
            comment=f"The {arch} Lambda functions of {project.name} (split by lambda-split): its Amazon.Lambda."
                    f"Annotations generator keeps {template_name} here, deployed as a stack of its own.",
            properties=properties, packages=packages, internals_visible=internals_visible_to(target),
            separator=separator)
        _assembly_attributes(target, fp, layout, result)
    _defaults_files(target, projects, splits, result)


def _assembly_attributes(target: SplitTarget, fp: FunctionProject, layout: Layout, result: Plan) -> None:
    usings, serializer, style = serializer_attributes(target)
    if layout.executable:
        for cs in target.source.files:
            main = [a.text for a in cs.assembly_attributes if a.name == "LambdaGlobalProperties"]
            if main:
                usings += [u.text for u in cs.usings if not u.is_global and u.text not in usings]
                serializer = serializer + [m for m in main if m not in serializer]
                style = style or cs
    namespaces = layout.namespaces         # set by annotations._move_sources: a using of a namespace the project
    usings = [u for u in usings if namespaces.keeps_text(u, fp.architecture)]   # lacks does not compile
    global_usings = [u.text for cs in target.source.files for u in cs.usings
                     if u.is_global and namespaces.keeps(u, fp.architecture)]
    if not (serializer or global_usings):
        return
    result.changes.add(assembly_attributes_file(
        result, fp, global_usings, usings, serializer, style or target.source.files[0],
        "the assembly-level attributes the generator and the runtime read"))


def stack_name(original: str | None, project_name: str, architecture: str) -> str:
    """The stack a function project deploys: the original stack-name with an architecture suffix."""
    from splitter.model import naming
    if original:
        return f"{original}-{STACK_SUFFIX[architecture]}"
    return naming.stack_name(project_name, STACK_SUFFIX[architecture])


def _defaults_files(target: SplitTarget, projects: dict[str, FunctionProject], splits: list[TemplateSplit],
                    result: Plan) -> None:
    original = target.defaults
    source, data = original if original is not None else (None, {})
    split = splits[0] if splits else None
    retired = split is not None and split.retired and source is not None and \
        _names_template(target, data, split.template)
    first = True
    for arch, fp in projects.items():
        template_name = split.template.path.name if split else "serverless.template"
        stack = stack_name(data.get("stack-name") if isinstance(data.get("stack-name"), str) else None,
                           target.project.name, arch)
        own = {"template": template_name, "stack-name": stack, "function-architecture": arch,
               "s3-prefix": f"{fp.name}/"}
        if split is not None and isinstance(data.get("template-parameters"), str):
            own["template-parameters"] = _parameters_for(data["template-parameters"],
                                                         split.projects[arch].parameters)
        settings: list[tuple[str, object]] = [("Information", [
            f"This project builds and deploys the {arch} functions split from {target.project.name} by lambda-split.",
            f"Its Amazon.Lambda.Annotations generator keeps {template_name} in sync; deploy it from this folder with "
            "`dotnet lambda deploy-serverless`.",
        ])]
        for key, value in data.items():
            if key in own:
                settings.append((key, own.pop(key)))
            elif key not in DEFAULTS_REPLACED:
                settings.append((key, value))
        settings += [(key, value) for key, value in own.items() if key != "s3-prefix"]
        if source is not None:
            nl, indent, encoding, bom = source.newline, detect_indent(source.text), source.encoding, source.bom
        else:
            nl, indent, encoding, bom = "\n", "  ", "utf-8", False
        text = render("aws-lambda-tools-defaults.json.j2", newline=nl, indent=indent, settings=settings)
        path = result.rel(fp.folder / "aws-lambda-tools-defaults.json")
        if retired and first:
            result.changes.add(Move(result.rel(source.path), path, source.raw, encode(text, encoding, bom),
                                    f"deploys the {arch} stack {stack}"))
        else:
            result.changes.add(Create(path, encode(text, encoding, bom), f"deploys the {arch} stack {stack}"))
        first = False
    if split is not None:
        _report_deployment(target, projects, split, data, retired, result)


def _parameters_for(assignments: str, declared: list[str]) -> str:
    """`template-parameters` ("Name=Value;...") limited to what the template declares: CloudFormation rejects a
    value for a parameter the template does not have."""
    kept = [a for a in assignments.split(";") if a.strip() and a.split("=", 1)[0].strip() in declared]
    return ";".join(kept)


def _names_template(target: SplitTarget, data: dict, template: Template) -> bool:
    named = data.get("template") if isinstance(data.get("template"), str) and data.get("template").strip() \
        else "serverless.template"
    return (target.project.folder / native_path(named.strip())).resolve() == template.path.resolve()


def _report_deployment(target: SplitTarget, projects: dict[str, FunctionProject], split: TemplateSplit,
                       data: dict, defaults_retired: bool, result: Plan) -> None:
    rel = result.rel
    original_stack = data.get("stack-name") if isinstance(data.get("stack-name"), str) else None
    old = f"the stack {original_stack}" if original_stack else "that stack"
    was = f"as the stack {original_stack}" if original_stack else \
        "as one stack (its defaults file names no stack-name: it was named when deploying)"
    lines = [f"Deployment: {rel(split.template.path)} was deployed {was}. Each function project now owns its "
             "template (the generator deletes resources it owns but does not find, so two projects never share one) "
             "and deploys it as a stack of its own:"]
    for arch, project_template in split.projects.items():
        fp = projects[arch]
        functions = [n for n in project_template.resources if n in {f.logical_id for f in fp.functions}]
        stack = stack_name(original_stack, target.project.name, arch)
        lines.append(f"  {stack}: {rel(fp.folder / split.template.path.name)} ({len(functions)} function"
                     f"{'s' if len(functions) != 1 else ''}), `cd {rel(fp.folder)} && dotnet lambda "
                     "deploy-serverless`")
    lines.append("  CloudFormation creates every function anew in these stacks (same logical IDs, new physical "
                 "functions and ARNs); " + (f"{old} keeps the old ones until you delete it." if split.retired else
                                            f"{old} deletes the moved functions at its next deployment, so deploy "
                                            "the new stacks first."))
    apis = sorted({api for t in split.projects.values() for api in t.implicit_apis})
    for api in apis:
        having = [arch for arch, t in split.projects.items() if api in t.implicit_apis]
        if len(having) > 1:
            lines.append(f"  Each new stack creates its own {api}: the routes of the " + " and of the ".join(
                f"{arch} functions" for arch in having) + " get different URLs; point clients (or a custom domain's "
                "API mappings) at both.")
        else:
            lines.append(f"  {api} (the implicit API) is created anew in the {having[0]} stack: its URL changes.")
    outputs = split.template.root.get("Outputs")
    for name in sorted({o for t in split.projects.values() for o in t.outputs}):
        export = outputs.path(name, "Export", "Name") if outputs is not None else None
        shared = sum(name in t.outputs for t in split.projects.values()) > 1
        if shared and export is not None and "AWS::StackName" not in json.dumps(export.plain()):
            lines.append(f"  Output {name} is in both stacks and exports the same name: CloudFormation refuses the "
                         "second stack until one export is renamed (include ${AWS::StackName}).")
    for name in dict.fromkeys(n for t in split.projects.values() for n in t.copied):   # listed by both templates
        lines.append(f"  {name} is owned by the generator and needed by both: each stack gets its own.")
    if split.retired:
        moved = rel(projects[next(iter(split.projects))].folder)
        lines.append(f"  Nothing else was in {rel(split.template.path)}: it " + (
            f"and {rel(target.defaults[0].path)} " if defaults_retired else "") + f"moved to {moved} and no longer "
            f"deploy{'s' if not defaults_retired else ''} the old stack; update any pipeline that deployed it.")
    else:
        lines.append(f"  {rel(split.template.path)} keeps what the generator does not own ("
                     f"{', '.join(split.remaining)}) and still deploys {old}.")
    result.decisions.append(Decision("deploy", rel(split.template.path), "\n".join(lines)))


# -- the library and its tests ------------------------------------------------------------------------------------------

def edit_library(target: SplitTarget, projects: dict[str, FunctionProject], layout: Layout,
                 result: Plan, root: Path) -> None:
    """The library keeps the Annotations attributes (its remaining code may use them) but not the generator."""
    project = target.project
    text = project.source.text
    edits: list[Edit] = []
    own = [p for p in project.package_references if p.include.lower() == PACKAGE.lower()]
    if own:
        edits.append(_exclude_analyzers(project, own[0]))
        detail = f"keeps {PACKAGE} with ExcludeAssets=analyzers: its attributes compile, its generator no longer " \
                 "rewrites a template from the library"
    else:
        close = text.rfind("</Project>")
        at = line_start(text, close)
        unit, nl = detect_indent(text), project.source.newline
        edits.append(Edit(at, at, f"{unit}<ItemGroup>{nl}{unit * 2}<PackageReference Update=\"{PACKAGE}\" "
                                  f"ExcludeAssets=\"analyzers\" />{nl}{unit}</ItemGroup>{nl}"))
        detail = f"turns off the {PACKAGE} generator it inherits (ExcludeAssets=analyzers)"
    drop = ("OutputType", "PublishAot", "StripSymbols") if layout.executable else ()
    if layout.executable and project.own_properties.get("AssemblyName"):
        drop += ("AssemblyName",)
    receivers = sorted(set(layout.assemblies.values()), key=list(layout.assemblies.values()).index)
    library.edit_library(target, projects, result, root, receivers=receivers, drop=drop, extra_edits=tuple(edits))
    result.decisions.append(Decision("edit", result.rel(project.path), detail))


def _exclude_analyzers(project, reference) -> Edit:
    text = project.source.text
    start, end = element_span(text, reference.element.sourceline, "PackageReference")
    element = text[start:end]
    if re.search(r"(Exclude|Include)Assets", element):
        raise SplitterError(f"the {PACKAGE} reference already sets IncludeAssets/ExcludeAssets", project.path,
                            reference.element.sourceline,
                            hint="exclude its analyzers from the library by hand (ExcludeAssets=\"analyzers\")")
    tag = element[:element.index(">")]
    head = tag[:-1] if tag.endswith("/") else tag
    at = start + len(head.rstrip())
    return Edit(at, at, ' ExcludeAssets="analyzers"')


def edit_tests(target: SplitTarget, tests: list[tuple[SourceProject, list[FunctionProject]]],
               result: Plan) -> None:
    for other, needed in tests:
        text = other.project.source.text
        ref = next(r for r in other.project.project_references
                   if r.path.resolve() == target.project.path.resolve())
        start, end = element_span(text, ref.element.sourceline, "ProjectReference")
        separator = "/" if "/" in ref.include and "\\" not in ref.include else "\\"
        indent, nl = indentation_at(text, start), other.project.source.newline
        at = line_end(text, end)
        lines = "".join(f"{indent}<ProjectReference Include=\""
                        f"{msbuild_relpath(fp.csproj, other.project.folder, separator)}\" />{nl}"
                        for fp in needed)
        result.edit_text(other.project.path, other.project.source, [Edit(at, at, lines)],
                         "reference the function projects whose classes the tests use")
        result.decisions.append(Decision("edit", result.rel(other.project.path),
                                              "references " + ", ".join(fp.name for fp in needed)))
