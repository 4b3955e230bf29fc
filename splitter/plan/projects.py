"""The function projects created beside the library: csproj, assembly attributes, aws-lambda-tools-defaults.json."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from splitter.model.architecture import rid_cpu
from splitter.changes.changeset import Create
from splitter.graph.migration import MigrationModel, SplitTarget
from splitter.model.csharp import CsFile
from splitter.model.csharp_syntax import string_argument
from splitter.render import render
from splitter.model.textfile import detect_indent, encode
from splitter.plan.sources import namespaces_after
from splitter.plan.layout import is_nested
from splitter.plan.result import Decision, FunctionProject, Plan


# Properties that make a project a Lambda deployment: they leave the shared library for the function projects.
LAMBDA_ONLY = ("AWSProjectType", "PublishReadyToRun", "GenerateRuntimeConfigurationFiles",
               "CopyLocalLockFileAssemblies", "RuntimeIdentifier", "SelfContained", "TieredCompilation",
               "TieredCompilationQuickJitForLoops", "TieredPGO", "PublishReadyToRunComposite")
# Settings the SDK writes into the published app's runtimeconfig.json or applies when it publishes: they shape the
# function only in the project Lambda deploys, so they follow the code into the function projects.
RUNTIME_SETTINGS = ("ServerGarbageCollector", "ConcurrentGarbageCollection", "RetainVMGarbageCollection",
                    "TieredCompilationQuickJit", "RollForward", "PredefinedCulturesOnly", "UseSystemResourceKeys",
                    "EventSourceSupport", "ThreadPoolMinThreads", "ThreadPoolMaxThreads", "AutoreleasePoolSupport",
                    "DebuggerSupport", "MetadataUpdaterSupport", "HttpActivityPropagationSupport",
                    "StartupHookSupport", "UseNativeHttpHandler", "EnableUnsafeBinaryFormatterSerialization",
                    "EnableUnsafeUTF7Encoding", "SatelliteResourceLanguages", "PublishReadyToRunEmitSymbols",
                    "JsonSerializerIsReflectionEnabledByDefault")
# Properties the function projects carry over from the original, in the original's order.
COPIED = LAMBDA_ONLY[:2] + ("GenerateRuntimeConfigurationFiles", "CopyLocalLockFileAssemblies", "Nullable",
                            "ImplicitUsings", "LangVersion", "AllowUnsafeBlocks", "TreatWarningsAsErrors",
                            "WarningsAsErrors", "NoWarn", "InvariantGlobalization", "TieredCompilation",
                            "TieredCompilationQuickJitForLoops", "TieredPGO", "PublishReadyToRunComposite",
                            "EnableNETAnalyzers", "AnalysisLevel", "Deterministic") + RUNTIME_SETTINGS
# Switches of the SDK's default globs: the original may list its sources, a function project globs the moved ones.
DEFAULT_ITEMS = ("EnableDefaultItems", "EnableDefaultCompileItems")
# Settings of the original's aws-lambda-tools-defaults.json that shape how its code is packaged; the AWS tools read
# the defaults file in each CodeUri folder when they package it, so the function projects carry them.
DEFAULTS_KEPT = ("profile", "region", "configuration", "framework", "msbuild-parameters")
_RID_ARGUMENT = re.compile(r"(?P<flag>--runtime[ =]|-r |/p:RuntimeIdentifier=)(?P<rid>linux-(?:musl-)?(?:x64|arm64))")

# -- new projects ------------------------------------------------------------------------------------------------------

def reference_separator(model: MigrationModel) -> str:
    for target in model.targets:
        for project in [target.project] + [r.project for r in target.referencing]:
            for ref in project.project_references:
                return "/" if "/" in ref.include and "\\" not in ref.include else "\\"
    return "\\"


def msbuild_relpath(path: Path, start: Path, separator: str) -> str:
    return os.path.relpath(path, start).replace(os.sep, separator)


def serializer_attributes(target: SplitTarget) -> tuple[list[str], list[str], CsFile | None]:
    """The original's assembly-level [LambdaSerializer], with the using directives its file needs."""
    for cs in target.source.files_with("assembly"):
        attributes = [a for a in cs.assembly_attributes if a.name == "LambdaSerializer"]
        if attributes:
            usings = [u.text for u in cs.usings if not u.is_global]
            return usings, [a.text for a in attributes], cs
    return [], [], None


def internals_visible_to(target: SplitTarget) -> list[str]:
    """The assemblies the original grants its internals to, for the function projects to grant too (tests of moved
    types). `<InternalsVisibleTo Include="$(AssemblyName).Tests" />` means the original's tests, so it is expanded."""
    names = [target.project.expand_names(name) for name in target.project.internals_visible_to]
    for cs in target.source.files_with("assembly"):
        for attribute in cs.assembly_attributes:
            if attribute.name == "InternalsVisibleTo":
                name = string_argument(attribute.argument)
                if name and name not in names:
                    names.append(name)
    return names


_SDK_ATTRIBUTE = re.compile(r"""<Project\b[^>]*?\s(Sdk\s*=\s*(?:"[^"]*"|'[^']*'))""", re.DOTALL)


def sdk_attribute(text: str) -> str | None:
    """The original project's `Sdk="..."` attribute as written (Microsoft.NET.Sdk.Web, .Worker, ...): a function
    project holding its moved code needs the same SDK, whose implicit usings and items that code relies on."""
    match = _SDK_ATTRIBUTE.search(text)
    return match.group(1) if match else None


def add_function_csproj(target: SplitTarget, fp: FunctionProject, result: Plan, own: dict[str, str], *,
                        comment: str, properties: list[tuple[str, str]], packages: list,
                        internals_visible: list[str], separator: str) -> None:
    """The function project's csproj (one template for the plain and the Annotations split): it references the
    library, carries the given properties and packages, and is written in the original's newline, indent and
    encoding."""
    project = target.project
    source = project.source
    tf_element = "TargetFrameworks" if "TargetFrameworks" in own else "TargetFramework"
    content = render(
        "function.csproj.j2", newline=source.newline, indent=detect_indent(source.text), comment=comment,
        sdk_attribute=sdk_attribute(source.text),
        target_framework_element=tf_element, target_frameworks=own.get(tf_element, ""),
        properties=properties,
        project_references=[msbuild_relpath(project.path, fp.folder, separator)],
        package_references=[{"include": p.include, "version": p.version, "private_assets": p.private_assets,
                             "include_assets": p.include_assets} for p in packages],
        internals_visible_to=internals_visible)
    result.changes.add(Create(result.rel(fp.csproj), encode(content, source.encoding, source.bom),
                              f"{fp.architecture} function project"))
    result.decisions.append(Decision("create", result.rel(fp.csproj),
                                     f"{fp.architecture}: " + ", ".join(f.logical_id for f in fp.functions)))


def create_projects(target: SplitTarget, projects: dict[str, FunctionProject], result: Plan, root: Path,
                    separator: str) -> None:
    project = target.project
    own = function_project_properties(target, projects)
    usings, serializer, serializer_file = serializer_attributes(target)
    namespaces = namespaces_after(target, projects)
    for fp in projects.values():
        has_code = bool(fp.moved)
        global_usings = [u.text for cs in target.source.files_with("global") for u in cs.usings
                         if u.is_global and namespaces.keeps(u, fp.architecture)]
        templates = sorted({posix_relpath(f.template_path, fp.folder) for f in fp.functions})
        add_function_csproj(
            target, fp, result, own,
            comment=f"Builds the {fp.architecture} Lambda functions of {', '.join(templates)} "
                    f"(split from {project.name} by lambda-split).",
            properties=[(k, v) for k, v in own.items() if k in COPIED or k in DEFAULT_ITEMS],
            packages=[p for p in project.package_references
                      if has_code and (p.private_assets or "").lower() == "all"],
            internals_visible=internals_visible_to(target) if has_code else [], separator=separator)
        result.changes.add(_defaults_file(target, fp, result))
        if has_code and (serializer or global_usings):
            result.changes.add(assembly_attributes_file(
                result, fp, global_usings, [u for u in usings if namespaces.keeps_text(u, fp.architecture)],
                serializer, serializer_file or fp.moved[0].file,
                "the library's assembly-level LambdaSerializer and global usings"))


def function_project_properties(target: SplitTarget, projects: dict[str, FunctionProject]) -> dict[str, str]:
    """The properties the function projects take over: the original's own, and those a Directory.Build.props in
    its folder gives it, which MSBuild does not import into the projects created beside that folder (a target
    framework set there would be missing, and the build would fail)."""
    own = {k: v for k, v in target.project.own_properties.items() if k not in DEFAULT_ITEMS}
    if not is_nested(target, projects):
        inherited = {k: v for k, v in target.folder_props.items() if k not in own and k not in DEFAULT_ITEMS}
        if "TargetFramework" in own or "TargetFrameworks" in own:
            inherited.pop("TargetFramework", None)
            inherited.pop("TargetFrameworks", None)
        own.update(inherited)
    # Moved files reach a function project through its globs: a Directory.Build.props that turns them off for every
    # project is overruled there (the original lists its sources; the function projects do not).
    if any(target.project.properties.get(k, "").strip().lower() == "false" and k not in target.project.own_properties
           for k in DEFAULT_ITEMS):
        own.update({k: "true" for k in DEFAULT_ITEMS})
    return own


def _for_architecture(value, architecture: str):
    """msbuild-parameters with any linux runtime identifier set to the function project's architecture."""
    if not isinstance(value, str):
        return value
    return _RID_ARGUMENT.sub(lambda m: m.group("flag") + re.sub(r"(x64|arm64)$", rid_cpu(architecture),
                                                                 m.group("rid")), value)


def assembly_attributes_file(result: Plan, fp: FunctionProject, global_usings: list[str], usings: list[str],
                             attributes: list[str], style: CsFile, reason: str) -> Create:
    """AssemblyAttributes.cs of a function project: the original's global usings, then the using directives the
    attributes need, then the attributes, in the encoding and line endings of the file they came from."""
    lines = global_usings + ([""] if global_usings and attributes else []) + \
        [u for u in usings if u not in global_usings] + ([""] if usings else []) + attributes
    text = render("assembly-attributes.cs.j2", newline=style.source.newline, lines=lines, comment=[
        "Carried over from the shared library by lambda-split: the Lambda runtime reads the serializer from the",
        "assembly that holds the handler."])
    path = next(fp.folder / name for name in ("AssemblyAttributes.cs", "LambdaAssemblyAttributes.cs",
                                              "AssemblyAttributes.Lambda.cs")
                if result.rel(fp.folder / name) not in result.changes.targets)
    return Create(result.rel(path), encode(text, style.source.encoding, style.source.bom), reason)


def posix_relpath(path: Path, start: Path) -> str:
    path, start = os.fspath(path), os.fspath(start)
    if os.path.isabs(path) and os.path.isabs(start):
        return _absolute_relpath(path, start)        # asked once per function of a template: remembered
    return os.path.relpath(path, start).replace(os.sep, "/")     # relpath's answer is already normal


@functools.lru_cache(maxsize=256)
def _absolute_relpath(path: str, start: str) -> str:
    return os.path.relpath(path, start).replace(os.sep, "/")


def _defaults_file(target: SplitTarget, fp: FunctionProject, result: Plan) -> Create:
    original = target.defaults
    settings: list[tuple[str, object]] = []
    templates = sorted({posix_relpath(f.template_path, fp.folder) for f in fp.functions})
    settings.append(("Information", [
        f"This project builds the {fp.architecture} functions of {', '.join(templates)}.",
        fp.functions[0].deploy_instruction,
    ]))
    if original is not None:
        source, data = original
        settings += [(k, _for_architecture(data[k], fp.architecture) if k == "msbuild-parameters" else data[k])
                     for k in DEFAULTS_KEPT if k in data]
        nl, indent, encoding, bom = source.newline, detect_indent(source.text), source.encoding, source.bom
    else:
        nl, indent, encoding, bom = target.project.source.newline, "  ", "utf-8", False  # as the csproj ends lines
    settings.append(("function-architecture", fp.architecture))
    text = render("aws-lambda-tools-defaults.json.j2", newline=nl, indent=indent, settings=settings)
    return Create(result.rel(fp.folder / "aws-lambda-tools-defaults.json"), encode(text, encoding, bom),
                  f"package settings for {fp.architecture}")
