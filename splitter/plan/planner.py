"""The migration plan: a pure function from the loaded model to what moves where and every edit, as a ChangeSet.

No I/O here. For each project that builds functions of both architectures: the project stays as the shared library,
one function project per architecture is created next to it, handler types used by one architecture only move
there, and the template, solutions and test projects are edited in place.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from splitter.plan import usings
from splitter.changes.changeset import ChangeSet, Create, Modify, Move
from splitter.changes.edits import (Edit, apply_edits, element_span, indentation_at, insert_keys, line_end, line_start,
                            newline_of, remove_spans, replace_scalar, scalar_text,
                            xml_removal_edits)
from splitter.errors import SplitterError
from splitter.graph.migration import MigrationModel, SourceProject, SplitTarget
from splitter.model.csharp import CsFile, TypeDecl, string_argument
from splitter.model.msbuild import Solution, SolutionProject, local, msbuild_path
from splitter.model.nodes import Node
from splitter.model.template import Function, Template, deployed_handler
from splitter.render import render
from splitter.model.textfile import TextFile, detect_indent, encode

ARCH_SUFFIX = {"x86_64": "X64", "arm64": "Arm64"}
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


@dataclass(frozen=True)
class Options:
    x64_name: str | None = None
    arm64_name: str | None = None


@dataclass
class Decision:
    kind: str            # "create", "move", "shared", "edit", "note"
    subject: str
    detail: str

    def to_json(self) -> dict:
        return {"kind": self.kind, "subject": self.subject, "detail": self.detail}


@dataclass
class FunctionProject:
    architecture: str
    name: str
    folder: Path
    functions: list[Function] = field(default_factory=list)
    moved: list[TypeDecl] = field(default_factory=list)

    @property
    def csproj(self) -> Path:
        return self.folder / f"{self.name}.csproj"


@dataclass
class Plan:
    root: Path
    changes: ChangeSet
    decisions: list[Decision] = field(default_factory=list)
    split: list[tuple[SplitTarget, dict[str, FunctionProject]]] = field(default_factory=list)
    pending: dict[Path, tuple[Path, TextFile, list[Edit], str]] = field(default_factory=dict)

    def edit_text(self, path: Path, source: TextFile, edits: list[Edit], reason: str) -> None:
        """Edits of a file several split projects may touch (a test project referencing two of them): gathered
        here and written as one change when the plan is complete, since a file can change only once."""
        self.pending.setdefault(path.resolve(), (path, source, [], reason))[2].extend(edits)

    def write_pending(self) -> None:
        for path, source, edits, reason in self.pending.values():
            after = apply_edits(source.text, _merge_inserts(edits))
            self.changes.add(Modify(self.rel(path), source.raw, encode(after, source.encoding, source.bom), reason))
        self.pending.clear()

    def to_json(self) -> dict:
        rel = self.rel
        return {
            "schema": "lambda-split/migrate/v1",
            "root": str(self.root),
            "projects": [{
                "library": rel(target.project.path),
                "function_projects": [{
                    "architecture": fp.architecture, "project": rel(fp.csproj),
                    "functions": [f.logical_id for f in fp.functions],
                    "moved_types": [t.full_name for t in fp.moved]} for fp in projects.values()],
            } for target, projects in self.split],
            "decisions": [d.to_json() for d in self.decisions],
            "changes": [{"status": type(c).__name__.lower(), "path": getattr(c, "path", None) or c.target,
                         **({"from": c.source} if isinstance(c, Move) else {})} for c in self.changes.sorted()],
        }

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def plan(model: MigrationModel, options: Options = Options()) -> Plan:
    from splitter.plan.annotations import split as annotations     # it builds on this module's steps
    root = model.workspace.root
    result = Plan(root=root, changes=ChangeSet(root))
    template_edits: dict[int, tuple[Template, list[Edit]]] = {}
    sln_additions: dict[int, tuple[Solution, list[tuple[SolutionProject, str, Path]]]] = {}
    reference_style = _reference_separator(model)
    for target in model.targets:
        projects = _function_projects(target, options, root, model.existing)
        result.split.append((target, projects))
        if annotations.is_annotations_project(target):
            # The source generator owns the template: splitter/annotations.py splits classes and templates.
            for template, edits in annotations.split_project(target, projects, result, root, reference_style):
                template_edits.setdefault(id(template), (template, []))[1].extend(edits)
        else:
            _place_handlers(target, projects, result)
            _move_sources(target, projects, result, root)
            _create_projects(target, projects, result, root, reference_style)
            _edit_library(target, projects, result, root)
            _edit_tests(target, projects, result, root)
            for template, edits in _template_edits(target, projects, result):
                template_edits.setdefault(id(template), (template, []))[1].extend(edits)
        for solution in model.solutions:
            entry = next((p for p in solution.projects if p.path.resolve() == target.project.path.resolve()), None)
            if entry is not None:
                additions = sln_additions.setdefault(id(solution), (solution, []))[1]
                additions.extend((entry, fp.name, fp.csproj) for fp in projects.values())
    for template, edits in template_edits.values():
        edits = _shared_spans_once(template, edits)
        after = apply_edits(template.source.text, edits)
        result.changes.add(Modify(result.rel(template.path), template.source.raw,
                                  encode(after, template.source.encoding, template.source.bom),
                                  "point each function at its architecture's project"))
        result.decisions.append(Decision("edit", result.rel(template.path),
                                         f"{len(edits)} value{'s' if len(edits) != 1 else ''} changed or added"))
    for solution, additions in sln_additions.values():
        after = add_to_solution(solution, additions)
        result.changes.add(Modify(result.rel(solution.path), solution.source.raw,
                                  encode(after, solution.source.encoding, solution.source.bom),
                                  "list the function projects"))
        result.decisions.append(Decision("edit", result.rel(solution.path),
                                         "added " + ", ".join(name for _, name, _ in additions)))
    result.write_pending()
    return result


def _shared_spans_once(template: Template, edits: list[Edit]) -> list[Edit]:
    """Functions whose Properties are one YAML anchor and its aliases (`Properties: *common`) edit the same spans:
    the same edit is made once, and it serves them all; different edits of one span cannot both be made."""
    unique = list(dict.fromkeys(edits))
    ordered = sorted(unique, key=lambda e: (e.start, e.end))
    for before, after in zip(ordered, ordered[1:]):
        if after.start < before.end or (after.start == before.end == after.end == before.start):
            raise SplitterError("functions that share their properties through a YAML anchor and aliases need "
                                "different values there", template.path, template.source.line_of(after.start),
                                hint="write the properties out in each function, then run again")
    return unique


# -- layout ----------------------------------------------------------------------------------------------------------

def _function_projects(target: SplitTarget, options: Options, root: Path,
                       existing: set[str]) -> dict[str, FunctionProject]:
    project = target.project
    names = {"x86_64": options.x64_name or f"{project.name}.X64",
             "arm64": options.arm64_name or f"{project.name}.Arm64"}
    for arch, name in names.items():
        if not name or any(c in name for c in '/\\:*?"<>|') or name.startswith("."):
            raise SplitterError(f"{name!r} is not a usable project name", hint="choose a plain name like Orders.Arm64")
    if names["x86_64"] == names["arm64"] or project.name in names.values():
        raise SplitterError("the two function projects and the library need three different names",
                            project.path, hint="pass different --x64-name and --arm64-name")
    folder = project.folder.resolve()
    nested = folder == root or root not in folder.parent.parents and folder.parent != root
    base = folder if nested else folder.parent
    projects: dict[str, FunctionProject] = {}
    for unit in target.units:
        for function in unit.functions:
            arch = function.architecture
            if arch not in projects:
                projects[arch] = FunctionProject(arch, names[arch], base / names[arch])
            projects[arch].functions.append(function)
    for fp in projects.values():
        rel = fp.folder.relative_to(root).as_posix()
        if any(path == rel or path.startswith(rel + "/") for path in existing):
            raise SplitterError(f"the folder for the {fp.architecture} project already exists: {rel}",
                                fp.folder, hint="move it away, or name the project with --x64-name/--arm64-name")
    return dict(sorted(projects.items(), key=lambda item: item[0] != "x86_64"))


def _is_nested(target: SplitTarget, projects: dict[str, FunctionProject]) -> bool:
    folder = target.project.folder.resolve()
    return any(fp.folder.parent == folder for fp in projects.values())


# -- where handlers go -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HandlerRef:
    assembly: str
    type_name: str
    method: str

    @classmethod
    def parse(cls, handler: str | None) -> "HandlerRef | None":
        if not handler:
            return None
        parts = handler.split("::")
        if len(parts) != 3:
            return None
        return cls(parts[0].strip(), parts[1].strip().replace("+", "."), parts[2].strip())

    def with_assembly(self, assembly: str, original: str) -> str:
        return assembly + original[original.index("::"):]


def _place_handlers(target: SplitTarget, projects: dict[str, FunctionProject], result: Plan) -> None:
    project, source = target.project, target.source
    _refuse_unsupported(target)
    by_name: dict[str, TypeDecl] = {}
    for cs in source.files:
        for decl in cs.all_types():
            by_name.setdefault(decl.full_name, decl)
    users: dict[TypeDecl, list[Function]] = {}
    for fp in projects.values():
        for function in fp.functions:
            decl = _handler_type(HandlerRef.parse(function.handler), project.assembly_name, by_name, source)
            if decl is not None:
                users.setdefault(decl, []).append(function)
    pinned = _pinned_types(target, by_name)
    for decl in pinned.keys() - users.keys():
        result.decisions.append(Decision("shared", decl.full_name, f"stays in {project.name}: {pinned[decl]}"))
    for decl, functions in users.items():
        archs = sorted({f.architecture for f in functions})
        reason = pinned.get(decl) or _why_shared(decl, archs, target)
        if reason:
            result.decisions.append(Decision("shared", decl.full_name, f"stays in {project.name}: {reason}"))
            continue
        fp = projects[archs[0]]
        fp.moved.append(decl)
        result.decisions.append(Decision("move", decl.full_name,
                                         f"moves to {fp.name}: only {archs[0]} functions use it"))


def _handler_type(ref: HandlerRef | None, assembly: str, by_name: dict[str, TypeDecl],
                  source: SourceProject) -> TypeDecl | None:
    """The top-level type of the project that a handler names (a nested handler type moves with its outer type)."""
    if ref is None or ref.assembly != assembly:
        return None
    decl = by_name.get(ref.type_name)
    while decl is not None and not decl.top_level:
        decl = _outer_of(decl, source)
    return decl


def _pinned_types(target: SplitTarget, by_name: dict[str, TypeDecl]) -> dict[TypeDecl, str]:
    """Types named by a handler the template writes through `!Sub` or `Ref`, with why they stay: migrate splices
    literal handler strings only, and one of these keeps naming the library's assembly, where the type must stay."""
    pinned: dict[TypeDecl, str] = {}
    for unit in target.units:
        if unit.source != "sam":
            continue
        for function in unit.functions:
            if function.handler is not None or function.handler_node is None:
                continue
            value, written = deployed_handler(function, unit.template)
            ref = HandlerRef.parse(value)
            decl = _handler_type(ref, target.project.assembly_name, by_name, target.source)
            if decl is not None:
                pinned.setdefault(decl, f"the Handler of {function.logical_id} is {written}, which lambda-split does "
                                        "not rewrite")
    return pinned


def _refuse_unsupported(target: SplitTarget) -> None:
    for unit in target.units:
        for function in unit.functions:
            handler = function.handler
            if handler is None and unit.source == "sam" and function.handler_node is not None:
                handler = _evaluated_handler(function, unit.template)
            if handler and "::" not in handler:
                raise SplitterError(
                    f"{function.logical_id} runs the executable assembly {handler}, whose own Main picks "
                    "the function for functions of both architectures; lambda-split cannot split a hand-written "
                    "Main without risking a package that does not start", function.template_path, function.line,
                    hint="split it by hand: one executable project per architecture, each with its own Main "
                         "(Amazon.Lambda.Annotations projects with GenerateMain are split automatically)")


def _evaluated_handler(function: Function, template: Template) -> str:
    """A handler written through an intrinsic, evaluated; one that cannot be could name any type migrate moves."""
    value, written = deployed_handler(function, template)
    if value is None:
        raise SplitterError(
            f"the Handler of {function.logical_id} is {written}, which lambda-split cannot evaluate, so it cannot tell "
            "which type the function runs and whether moving it would break the function",
            template.path, function.handler_node.line,
            hint="pass --parameter NAME=VALUE for the parameters it uses, or write the handler as a string")
    return value


def _outer_of(decl: TypeDecl, source: SourceProject) -> TypeDecl | None:
    for cs in source.files:
        for candidate in cs.all_types():
            if decl in candidate.nested:
                return candidate
    return None


def _why_shared(decl: TypeDecl, archs: list[str], target: SplitTarget) -> str | None:
    if len(archs) > 1:
        return "functions of both architectures use it"
    if decl.is_partial:
        return "it is a partial type"
    if target.project.folder not in decl.file.path.parents:
        return f"its file {decl.file.path.name} is linked in from outside the project (<Compile Include>)"
    if decl.file.has_errors:
        return f"{decl.file.path.name} has syntax errors lambda-split cannot read past"
    if decl.file.uses(decl.name, outside=(decl.start, decl.end)):
        return f"other code in {decl.file.path.name} uses it"
    extension = _extension_used_elsewhere(decl, target)
    if extension:
        return f"{extension[0]} calls its extension method {extension[1]}"
    for cs in target.source.files:
        if cs is not decl.file and cs.uses(decl.name):
            return f"{cs.path.name} uses it"
    for other in target.referencing:
        if not other.is_test and other.uses(decl.name):
            return f"project {other.project.name} uses it"
    for sibling in decl.file.types:
        if sibling is not decl and sibling.is_file_local and decl.file.uses(sibling.name, (decl.start, decl.end)):
            return f"it uses the file-local type {sibling.name}"
    handlers = [f for f in _functions_of(decl, target)]
    if any(f.handler is None for f in handlers):
        return "a function's Handler is not a plain string"
    return None


def _extension_used_elsewhere(decl: TypeDecl, target: SplitTarget) -> tuple[str, str] | None:
    """(where, method) when code outside the type calls one of its extension methods: `text.Shout()` never names
    the class. Tests count too: migrate gives them a reference to a function project only for the types they name."""
    names = {m.name for t in [decl, *decl.nested] for m in t.methods if m.extension}
    for name in sorted(names):
        if decl.file.uses(name, outside=(decl.start, decl.end)):
            return f"other code in {decl.file.path.name}", name
        for cs in target.source.files:
            if cs is not decl.file and cs.uses(name):
                return cs.path.name, name
        for other in target.referencing:
            if other.uses(name):
                return f"project {other.project.name}", name
    return None


def _functions_of(decl: TypeDecl, target: SplitTarget) -> list[Function]:
    out = []
    for unit in target.units:
        for function in unit.functions:
            ref = HandlerRef.parse(function.handler)
            if ref is not None and (ref.type_name == decl.full_name or
                                    ref.type_name.startswith(decl.full_name + ".")):
                out.append(function)
    return out


# -- moving C# -------------------------------------------------------------------------------------------------------

def _namespaces_after(target: SplitTarget, projects: dict[str, FunctionProject]) -> usings.Namespaces:
    return usings.after_split(target.source.files, {arch: fp.moved for arch, fp in projects.items()})


def _move_sources(target: SplitTarget, projects: dict[str, FunctionProject], result: Plan, root: Path) -> None:
    """Moved types' files (or text) go to their function project. A using of a namespace only moved types declared
    is dropped wherever that namespace no longer exists: C# rejects it (CS0246)."""
    moving = {decl: fp for fp in projects.values() for decl in fp.moved}
    files: dict[CsFile, list[TypeDecl]] = {}
    for decl in moving:
        files.setdefault(decl.file, []).append(decl)
    folder = target.project.folder
    namespaces = _namespaces_after(target, projects)
    for cs in target.source.files:
        dangling = namespaces.dangling(cs, None)
        if cs not in files and dangling:
            result.changes.add(Modify(result.rel(cs.path), cs.source.raw, encode(
                remove_spans(cs.text, dangling), cs.source.encoding, cs.source.bom),
                "using directives of namespaces that left the library"))
    wholly = {cs for cs, decls in files.items() if len({moving[d].name for d in decls}) == 1
              and len(decls) == len(cs.types) and not cs.assembly_attributes and not any(u.is_global for u in cs.usings)}
    taken = {moving[decls[0]].folder / cs.path.relative_to(folder) for cs, decls in files.items() if cs in wholly}
    for cs, decls in files.items():
        rel_in_project = cs.path.relative_to(folder)
        destinations = {moving[d].name for d in decls}
        if cs in wholly:
            fp = moving[decls[0]]
            dangling = namespaces.dangling(cs, fp.architecture)
            after = encode(remove_spans(cs.text, dangling), cs.source.encoding, cs.source.bom) if dangling \
                else cs.source.raw
            result.changes.add(Move(result.rel(cs.path), result.rel(fp.folder / rel_in_project),
                                    cs.source.raw, after, f"only {fp.architecture} functions use it"))
            continue
        remaining = remove_spans(cs.text, [(d.start, d.end) for d in decls] + namespaces.dangling(cs, None))
        result.changes.add(Modify(result.rel(cs.path), cs.source.raw,
                                  encode(remaining, cs.source.encoding, cs.source.bom), "handler types moved out"))
        for name in sorted(destinations):
            fp = next(p for p in projects.values() if p.name == name)
            keep = [d for d in decls if moving[d] is fp]
            drop = [(t.start, t.end) for t in cs.types if t not in keep]
            drop += [(a.start, a.end) for a in cs.assembly_attributes]
            drop += [(u.start, u.end) for u in cs.usings if u.is_global]
            drop += namespaces.dangling(cs, fp.architecture)
            text = remove_spans(cs.text, drop)
            new_path = _free_path(fp.folder / rel_in_project.parent, [f"{keep[0].name}.cs"] * (len(keep) == 1)
                                  + [cs.path.name], taken)
            result.changes.add(Create(result.rel(new_path), encode(text, cs.source.encoding, cs.source.bom),
                                      f"{', '.join(d.name for d in keep)} moved from {cs.path.name}"))


def _free_path(folder: Path, names: list[str], taken: set[Path]) -> Path:
    """The first of `names` in `folder` that no other file moving there has taken (then `<stem>2.cs`, ...), taken
    now: a type cut out of Bar.cs is written as Foo.cs unless a file named Foo.cs moves there too."""
    stem = Path(names[-1]).stem
    candidates = [*names, *(f"{stem}{n}.cs" for n in range(2, 1000))]
    path = next(folder / name for name in candidates if folder / name not in taken)
    taken.add(path)
    return path


# -- new projects ------------------------------------------------------------------------------------------------------

def _reference_separator(model: MigrationModel) -> str:
    for target in model.targets:
        for project in [target.project] + [r.project for r in target.referencing]:
            for ref in project.project_references:
                return "/" if "/" in ref.include and "\\" not in ref.include else "\\"
    return "\\"


def _msbuild_relpath(path: Path, start: Path, separator: str) -> str:
    return os.path.relpath(path, start).replace(os.sep, separator)


def _serializer_attributes(target: SplitTarget) -> tuple[list[str], list[str], CsFile | None]:
    """The original's assembly-level [LambdaSerializer], with the using directives its file needs."""
    for cs in target.source.files:
        attributes = [a for a in cs.assembly_attributes if a.name == "LambdaSerializer"]
        if attributes:
            usings = [u.text for u in cs.usings if not u.is_global]
            return usings, [a.text for a in attributes], cs
    return [], [], None


def _internals_visible_to(target: SplitTarget) -> list[str]:
    """The assemblies the original grants its internals to, for the function projects to grant too (tests of moved
    types). `<InternalsVisibleTo Include="$(AssemblyName).Tests" />` means the original's tests, so it is expanded."""
    names = [target.project.expand_names(name) for name in target.project.internals_visible_to]
    for cs in target.source.files:
        for attribute in cs.assembly_attributes:
            if attribute.name == "InternalsVisibleTo":
                name = string_argument(attribute.argument)
                if name and name not in names:
                    names.append(name)
    return names


def _create_projects(target: SplitTarget, projects: dict[str, FunctionProject], result: Plan, root: Path,
                     separator: str) -> None:
    project = target.project
    source = project.source
    nl, indent = source.newline, detect_indent(source.text)
    own = function_project_properties(target, projects)
    tf_element = "TargetFrameworks" if "TargetFrameworks" in own else "TargetFramework"
    usings, serializer, serializer_file = _serializer_attributes(target)
    namespaces = _namespaces_after(target, projects)
    for fp in projects.values():
        has_code = bool(fp.moved)
        global_usings = [u.text for cs in target.source.files for u in cs.usings
                         if u.is_global and namespaces.keeps(u, fp.architecture)]
        templates = sorted({_rel(f.template_path, fp.folder) for f in fp.functions})
        content = render(
            "function.csproj.j2", newline=nl, indent=indent,
            comment=f"Builds the {fp.architecture} Lambda functions of {', '.join(templates)} "
                    f"(split from {project.name} by lambda-split).",
            target_framework_element=tf_element, target_frameworks=own.get(tf_element, ""),
            properties=[(k, v) for k, v in own.items() if k in COPIED or k in DEFAULT_ITEMS],
            project_references=[_msbuild_relpath(project.path, fp.folder, separator)],
            package_references=[{"include": p.include, "version": p.version, "private_assets": p.private_assets,
                                 "include_assets": p.include_assets}
                                for p in project.package_references
                                if has_code and (p.private_assets or "").lower() == "all"],
            internals_visible_to=_internals_visible_to(target) if has_code else [])
        result.changes.add(Create(result.rel(fp.csproj), encode(content, source.encoding, source.bom),
                                  f"{fp.architecture} function project"))
        result.decisions.append(Decision("create", result.rel(fp.csproj),
                                         f"{fp.architecture}: " + ", ".join(f.logical_id for f in fp.functions)))
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
    if not _is_nested(target, projects):
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
    cpu = "arm64" if architecture == "arm64" else "x64"
    return _RID_ARGUMENT.sub(lambda m: m.group("flag") + re.sub(r"(x64|arm64)$", cpu, m.group("rid")), value)


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


def _rel(path: Path, start: Path) -> str:
    return PurePosixPath(os.path.relpath(path, start).replace(os.sep, "/")).as_posix()


def _defaults_file(target: SplitTarget, fp: FunctionProject, result: Plan) -> Create:
    original = target.defaults
    settings: list[tuple[str, object]] = []
    templates = sorted({_rel(f.template_path, fp.folder) for f in fp.functions})
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


# -- the library and its tests -----------------------------------------------------------------------------------------

def _edit_library(target: SplitTarget, projects: dict[str, FunctionProject], result: Plan, root: Path,
                  receivers: list[str] | None = None, drop: tuple[str, ...] = (),
                  extra_edits: tuple[Edit, ...] = ()) -> None:
    """`receivers`, `drop` and `extra_edits` serve Annotations projects: the assemblies granted InternalsVisibleTo
    (default: the projects that received code), more properties to remove, more edits of the project file."""
    project = target.project
    text = project.source.text
    nl = project.source.newline
    unit = detect_indent(text)
    removals = []
    for group in project.root:
        if local(group.tag) != "PropertyGroup" or group.get("Condition") is not None:
            continue
        for prop in group:
            name = local(prop.tag)
            if (name in LAMBDA_ONLY or name in drop) and prop.get("Condition") is None:
                removals.append(element_span(text, prop.sourceline, prop.tag if ":" not in name else name))
    listed_removals, edits = _listed_moved_sources(target, result)
    removals += listed_removals
    receivers = receivers if receivers is not None else [fp.name for fp in projects.values() if fp.moved]
    granted = {project.expand_names(name) for name in project.internals_visible_to}
    new_ivt = [name for name in receivers if name not in granted]
    close = text.rfind("</Project>")
    if new_ivt:
        lines = [f"{unit}<ItemGroup>"] + [f"{unit * 2}<InternalsVisibleTo Include=\"{n}\" />" for n in new_ivt] + \
                [f"{unit}</ItemGroup>"]
        at = line_start(text, close)
        edits.append(Edit(at, at, nl.join(lines) + nl))
    if _is_nested(target, projects):
        globs = ";".join(f"{fp.name}/**" for fp in projects.values())
        group = next(g for g in project.root if local(g.tag) == "PropertyGroup" and g.get("Condition") is None)
        last = list(group)[-1]
        _, end = element_span(text, last.sourceline, local(last.tag))
        at = line_end(text, end)
        indent = indentation_at(text, line_start(text, end))
        edits.append(Edit(at, at, f"{indent}<DefaultItemExcludes>$(DefaultItemExcludes);{globs}"
                                  f"</DefaultItemExcludes>{nl}"))
    after = apply_edits(text, edits + list(extra_edits) + xml_removal_edits(text, removals))
    moved = [f"{key}" for key in ("AWSProjectType", "PublishReadyToRun") if key in project.own_properties]
    result.changes.add(Modify(result.rel(project.path), project.source.raw,
                              encode(after, project.source.encoding, project.source.bom),
                              "becomes the shared class library"))
    detail = "becomes the shared class library"
    if moved:
        detail += f"; {', '.join(moved)} move to the function projects"
    if new_ivt:
        detail += f"; grants InternalsVisibleTo to {', '.join(new_ivt)}"
    result.decisions.append(Decision("edit", result.rel(project.path), detail))


def _listed_moved_sources(target: SplitTarget, result: Plan) -> tuple[list[tuple[int, int]], list[Edit]]:
    """For a project that lists its sources, the `<Compile Include="...">` items (spans to remove) and the parts of
    `a.cs;b.cs` lists (edits) naming files that moved out: left, they name files that no longer exist (CS2001).
    A glob that matched them matches the rest as before."""
    project, text = target.project, target.project.source.text
    if project.default_compile_items:
        return [], []
    moved = {result.root / c.source for c in result.changes.changes if isinstance(c, Move)}
    removals, edits = [], []
    for include, element in project.compile_includes:
        parts = include.split(";")
        kept = [part for part in parts if not part.strip() or "*" in part or "?" in part or "$(" in part
                or Path(os.path.normpath(msbuild_path(project.folder, part.strip()))) not in moved]
        if len(kept) == len(parts):
            continue
        start, end = element_span(text, element.sourceline, local(element.tag))
        if not any(part.strip() for part in kept):
            removals.append((start, end))
            continue
        value = re.compile(r"\bInclude\s*=\s*([\"'])(.*?)\1", re.S).search(text, start, end)
        edits.append(Edit(value.start(2), value.end(2), ";".join(kept)))
    return removals, edits


def _edit_tests(target: SplitTarget, projects: dict[str, FunctionProject], result: Plan, root: Path) -> None:
    """Test projects reference the function projects whose types they name, or whose namespaces they import
    (a `using` of a namespace that now exists only there would not compile without the reference)."""
    namespaces = _namespaces_after(target, projects)
    for other in target.referencing:
        imported = {u for cs in other.files for u in cs.usings}
        needed = [fp for fp in projects.values() if any(other.uses(d.name) for d in fp.moved)
                  or any(not namespaces.keeps(u, None) and namespaces.keeps(u, fp.architecture) for u in imported)]
        if not needed:
            continue
        text = other.project.source.text
        ref = next(r for r in other.project.project_references
                   if r.path.resolve() == target.project.path.resolve())
        start, end = element_span(text, ref.element.sourceline, "ProjectReference")
        separator = "/" if "/" in ref.include and "\\" not in ref.include else "\\"
        indent = indentation_at(text, start)
        nl = other.project.source.newline
        at = line_end(text, end)
        lines = "".join(f"{indent}<ProjectReference Include=\"{_msbuild_relpath(fp.csproj, other.project.folder, separator)}\" />{nl}"
                        for fp in needed)
        result.edit_text(other.project.path, other.project.source, [Edit(at, at, lines)],
                         "reference the function projects whose types the tests use")
        result.decisions.append(Decision("edit", result.rel(other.project.path),
                                         "references " + ", ".join(fp.name for fp in needed)))


# -- template ------------------------------------------------------------------------------------------------------------

def _template_edits(target: SplitTarget, projects: dict[str, FunctionProject], result: Plan):
    moved_to = {decl.full_name: fp for fp in projects.values() for decl in fp.moved}
    per_template: dict[int, tuple[Template, list[Edit]]] = {}
    for unit in target.units:
        if unit.source != "sam":        # a CDK app or serverless.yml: splitter/retarget.py edits its own files
            edited, decisions = unit.retarget({arch: fp.folder for arch, fp in projects.items()},
                                              lambda function: _moved_handler(function, moved_to), result.root)
            for document, edits in edited:
                per_template.setdefault(id(document), (document, []))[1].extend(edits)
            result.decisions.extend(d for d in decisions if d not in result.decisions)
            continue
        template = unit.template
        edits = per_template.setdefault(id(template), (template, []))[1]
        for function in unit.functions:
            fp = projects[function.architecture]
            edits.extend(_function_edits(template, function, fp, moved_to, unit.code_uri))
    return list(per_template.values())


def _moved_handler(function: Function, moved_to: dict[str, FunctionProject]) -> str | None:
    """The function's handler with the assembly of the project its type moved to; None if the type stayed."""
    ref = HandlerRef.parse(function.handler)
    target_fp = moved_to.get(_top_level_name(ref, moved_to)) if ref else None
    return ref.with_assembly(target_fp.name, function.handler) if target_fp is not None else None


def code_uri_for(template: Template, folder: Path, original: str) -> str:
    rel = _rel(folder, template.folder)
    if original.startswith("./") and not rel.startswith(".."):
        rel = "./" + rel
    if original.endswith("/") and original not in ("./", "/"):
        rel += "/"
    return rel


def _function_edits(template: Template, function: Function, fp: FunctionProject,
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
        inserted.append(("CodeUri", _scalar(new_uri, fmt), None))
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
            inserted.append(("Handler", _scalar(new_handler, fmt), None))
    # A function that ran on the default architecture gets it written out, so that its project and its
    # Architectures agree on the page. One that inherits Globals keeps inheriting: SAM translators up to 1.110
    # (bundled with cfn-lint, older SAM CLIs) concatenate Globals and function lists, so a repeated value would
    # become ["arm64", "arm64"] (cfn-lint E3037) and a deployment error.
    if function.architecture_origin == "default":
        inserted.append(("Architectures",) + _architectures_value(template, function.architecture))
    anchor = "CodeUri" if "CodeUri" in props.value else "Handler"
    edits.extend(insert_keys(text, props, inserted, fmt, after=anchor))
    return _merge_inserts(edits)


def _key_line(props: Node, key: str, value: Node) -> int:
    """The line the key is written on (an aliased value's own position is the anchor's)."""
    return props.keys[key].line if key in props.keys else value.line


def _merge_inserts(edits: list[Edit]) -> list[Edit]:
    """Several insertions at one offset become one edit, in the order they were made."""
    merged: dict[tuple[int, int], Edit] = {}
    out = []
    for edit in edits:
        if edit.start == edit.end and (edit.start, edit.end) in merged:
            previous = merged[(edit.start, edit.end)]
            combined = Edit(edit.start, edit.end, previous.text + edit.text)
            out[out.index(previous)] = combined
            merged[(edit.start, edit.end)] = combined
            continue
        if edit.start == edit.end:
            merged[(edit.start, edit.end)] = edit
        out.append(edit)
    return out


def _top_level_name(ref: HandlerRef, moved_to: dict[str, FunctionProject]) -> str:
    name = ref.type_name
    while name and name not in moved_to and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def _scalar(value: str, fmt: str) -> str:
    return scalar_text(value, fmt)


def _architectures_value(template: Template, arch: str) -> tuple[str, list[str] | None]:
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
    candidates = []
    globals_fn = template.globals_function
    if globals_fn is not None and globals_fn.get("Architectures") is not None:
        candidates.append(globals_fn.get("Architectures"))
    for function in template.functions:
        node = function.property_node("Architectures")
        if node is not None:
            candidates.append(node)
    for node in candidates:
        if node.kind == "seq" and len(node.value) == 1 and node.value[0].kind == "scalar" and not node.value[0].tag:
            return node
    return None


def _key_column(template: Template, value: Node) -> int:
    text = template.source.text
    key_line_start = line_start(text, text.rfind("Architectures", 0, value.start))
    return len(text[key_line_start:]) - len(text[key_line_start:].lstrip(" "))


# -- solutions ------------------------------------------------------------------------------------------------------------

def project_guid(solution: Path, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"lambda-split:{solution.name}:{name}")).upper()


def add_to_solution(solution: Solution, additions: list[tuple[SolutionProject, str, Path]]) -> str:
    text = solution.source.text
    if solution.is_slnx:
        return _add_to_slnx(solution, additions)
    nl = newline_of(text)
    edits: list[Edit] = []
    by_original: dict[str, list[tuple[SolutionProject, str, Path]]] = {}
    for addition in additions:
        by_original.setdefault(addition[0].guid, []).append(addition)
    for guid, group in by_original.items():
        original = group[0][0]
        head = text.upper().find(f"\"{{{guid}}}\"")
        end_project = text.find("EndProject", head)
        at = line_end(text, end_project)
        blocks = []
        config_lines = _lines_with(text, f"{{{guid}}}.")
        nested_lines = _lines_with(text, f"{{{guid}}} = ")
        new_configs, new_nested = [], []
        for _, name, csproj in group:
            new_guid = project_guid(solution.path, name)
            separator = "/" if "/" in original.include and "\\" not in original.include else "\\"
            include = os.path.relpath(csproj, solution.path.parent).replace(os.sep, separator)
            blocks.append(f'Project("{{{original.type_guid}}}") = "{name}", "{include}", "{{{new_guid}}}"{nl}'
                          f"EndProject{nl}")
            new_configs += [_swap_guid(line, guid, new_guid) for _, line in config_lines]
            new_nested += [_swap_guid(line, guid, new_guid) for _, line in nested_lines]
        edits.append(Edit(at, at, "".join(blocks)))
        if config_lines:
            last = config_lines[-1][0]
            edits.append(Edit(last, last, "".join(new_configs)))
        if nested_lines:
            last = nested_lines[-1][0]
            edits.append(Edit(last, last, "".join(new_nested)))
    return apply_edits(text, edits)


def _lines_with(text: str, needle: str) -> list[tuple[int, str]]:
    """(offset just past the line, the line) for each line holding `needle`, case-insensitively."""
    found, upper, position = [], text.upper(), 0
    needle = needle.upper()
    while True:
        index = upper.find(needle, position)
        if index < 0:
            return found
        start, end = line_start(text, index), line_end(text, index)
        found.append((end, text[start:end]))
        position = end


def _swap_guid(line: str, old: str, new: str) -> str:
    index = line.upper().find(old.upper())
    return line[:index] + new + line[index + len(old):]


def _add_to_slnx(solution: Solution, additions: list[tuple[SolutionProject, str, Path]]) -> str:
    text = solution.source.text
    edits = []
    for original, name, csproj in additions:
        index = text.find(f'"{original.include}"')
        start, end = line_start(text, index), line_end(text, index)
        line = text[start:end]
        include = os.path.relpath(csproj, solution.path.parent).replace(os.sep, "/")
        edits.append(Edit(end, end, line.replace(original.include, include)))
    return apply_edits(text, _merge_inserts(edits))
