"""Build units and hazards: functions grouped exactly as Amazon.Lambda.Tools builds them, and what `check` reports.

A build unit is a template plus the raw CodeUri string (`./src/A` and `src/A` are two builds). The tooling builds a
unit once, for the architecture of its first function in template order; a project unit whose functions need two
architectures is the hazard.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import ClassVar

from splitter import progress
from splitter.discover import DEFAULTS_FILE, Workspace, read_defaults
from splitter.errors import SplitterError
from splitter.model.msbuild import (DtdRefused, Project, directory_build_props, load_project,
                                    project_files_in)
from splitter.model.nodes import intrinsic
from splitter.model.template import ARCHITECTURES, Function, Template, allowed_values, load_template


@dataclass
class Finding:
    code: str
    message: str
    path: Path | None = None
    line: int | None = None

    def to_json(self, workspace: Workspace) -> dict:
        return {"code": self.code, "message": self.message,
                "path": workspace.relative(self.path) if self.path else None, "line": self.line}


@dataclass(eq=False)
class BuildUnit:
    template: Template
    code_uri: str
    target: Path
    kind: str                                  # "project", "folder" (zipped as-is) or "archive" (a prebuilt zip)
    project: Project | None
    functions: list[Function] = field(default_factory=list)
    source: ClassVar[str] = "sam"              # where it is declared; splitter/apps.py adds the CDK and serverless

    @property
    def built_as(self) -> str:
        return self.functions[0].architecture

    @property
    def by_architecture(self) -> dict[str, list[Function]]:
        groups: dict[str, list[Function]] = {}
        for function in self.functions:
            groups.setdefault(function.architecture, []).append(function)
        return groups

    @property
    def architectures(self) -> list[str]:
        return [a for a in ARCHITECTURES if a in self.by_architecture]

    @property
    def failing(self) -> list[Function]:
        return [f for f in self.functions if f.architecture != self.built_as]

    @property
    def is_hazard(self) -> bool:
        return self.kind == "project" and len(self.architectures) > 1

    @property
    def ready_to_run(self) -> bool:
        return self.project is not None and \
            self.project.properties.get("PublishReadyToRun", "").strip().lower() == "true"


@dataclass
class Analysis:
    workspace: Workspace
    templates: list[Template] = field(default_factory=list)
    apps: list = field(default_factory=list)    # CDK stack files and serverless.yml (splitter/apps.py)
    units: list[BuildUnit] = field(default_factory=list)
    image_functions: list[Function] = field(default_factory=list)
    remote_functions: list[Function] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    errors: list[SplitterError] = field(default_factory=list)

    @property
    def hazards(self) -> list[BuildUnit]:
        return [u for u in self.units if u.is_hazard]


class ProjectCache:
    """Each project file is read once per run, whichever template or command asks for it."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.projects: dict[Path, Project] = {}
        self.stop = _repository_top(workspace.root)

    def get(self, path: Path) -> Project:
        key = path.resolve()
        if key not in self.projects:
            inherited: dict[str, str] = {}
            for props in reversed(directory_build_props(key.parent, self.stop)):
                try:
                    inherited.update(load_project(props).properties)
                except DtdRefused:
                    raise       # refused as in a project file: its properties are never silently dropped
                except SplitterError:
                    pass        # a broken props file is reported when a command edits it, not here
            self.projects[key] = load_project(key, inherited)
        return self.projects[key]


def _repository_top(root: Path) -> Path:
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return folder
    return root


def analyze(workspace: Workspace, parameters: dict[str, str] | None = None,
            projects: ProjectCache | None = None) -> Analysis:
    analysis = Analysis(workspace)
    projects = projects or ProjectCache(workspace)
    for path in progress.each(workspace.templates, "reading templates"):
        try:
            template = load_template(path, parameters)
        except SplitterError as error:
            if not workspace.explicit and not _could_be_cloudformation(path, error):
                continue            # e.g. a template.json or pipeline template.yml that is some other tool's file
            analysis.errors.append(error)
            continue
        analysis.templates.append(template)
        _units_of(template, analysis, projects)
    if workspace.apps:
        from splitter.apps import add_apps     # CDK apps and serverless.yml; that module builds on this one
        add_apps(workspace, analysis, projects)
    if not analysis.templates and not analysis.apps and not analysis.errors:
        analysis.errors.append(SplitterError(
            "no CloudFormation template found (serverless.template, template.yaml, template.yml, template.json, "
            "or the one aws-lambda-tools-defaults.json names), nor a CDK app (cdk.json) or serverless.yml",
            workspace.root,
            hint="give the path of your template or of the folder holding it"))
        return analysis
    _warn_spellings(analysis)
    _warn_runtime_identifiers(analysis)
    _warn_shared_folders(analysis)
    _warn_ref_architectures(analysis)
    # A project two templates build fails to load twice; say it once.
    analysis.errors = list({str(error): error for error in analysis.errors}.values())
    return analysis


def _could_be_cloudformation(path: Path, error: SplitterError) -> bool:
    """Whether a file found by its name, which failed to load, is worth reporting: it mentions AWS types."""
    if error.message.startswith("not a CloudFormation template"):
        return False
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    return "AWS::" in text or "AWSTemplateFormatVersion" in text


def _units_of(template: Template, analysis: Analysis, projects: ProjectCache) -> None:
    units: dict[str, BuildUnit] = {}
    broken: set[str] = set()                   # CodeUris already reported once
    unknown: dict[int, list[Function]] = {}    # functions whose architecture cannot be known, by source node
    for function in template.functions:
        if not function.is_zip:
            analysis.image_functions.append(function)
            continue
        if function.code_uri is None:
            analysis.remote_functions.append(function)
            continue
        if function.architecture is None:
            unknown.setdefault(id(_architecture_node(template, function)), []).append(function)
            continue
        if function.code_uri in broken:
            continue
        unit = units.get(function.code_uri)
        if unit is None:
            try:
                unit = _new_unit(template, function, projects)
            except SplitterError as error:
                analysis.errors.append(error)
                broken.add(function.code_uri)
                continue
            units[function.code_uri] = unit
            analysis.units.append(unit)
        unit.functions.append(function)
    analysis.errors.extend(_architecture_error(template, functions) for functions in unknown.values())


def _architecture_node(template: Template, function: Function):
    node = function.property_node("Architectures")
    if node is None and function.architecture_origin == "globals" and template.globals_function is not None:
        node = template.globals_function.get("Architectures")
    return node


def _architecture_error(template: Template, functions: list[Function]) -> SplitterError:
    """One error per Architectures value the tool cannot know, naming every function that uses it."""
    first = functions[0]
    node = first.property_node("Architectures")
    where = "Globals.Function.Architectures" if node is None else f"{first.logical_id}.Architectures"
    line = node.line if node is not None else _globals_line(template)
    ref = _architecture_ref(template, first)
    if ref:
        allowed = allowed_values(template, ref)
        hint = f"pass --parameter {ref}={'|'.join(allowed) if allowed else 'x86_64|arm64'}"
    elif "cannot be known" in (first.architecture_problem or ""):
        hint = "lambda-split cannot evaluate it; write one architecture, or a Ref to a parameter and pass --parameter"
    else:
        hint = "write exactly one of x86_64 or arm64"
    names = ", ".join(f.logical_id for f in functions)
    return SplitterError(f"function{'s' if len(functions) > 1 else ''} {names}: {where} "
                         f"{first.architecture_problem}", template.path, line, hint=hint)


def _globals_line(template: Template) -> int | None:
    node = template.root.path("Globals", "Function", "Architectures")
    return node.line if node is not None else None


def resolve_code_uri(template: Template, code_uri: str) -> Path:
    parts = PureWindowsPath(code_uri).parts if "\\" in code_uri else Path(code_uri).parts
    return Path(template.folder, *parts) if parts else template.folder


def _new_unit(template: Template, function: Function, projects: ProjectCache) -> BuildUnit:
    target = resolve_code_uri(template, function.code_uri)
    line = _code_uri_line(template, function)
    kind = _probe(target, template, function, line)
    if kind == "folder":
        found = project_files_in(target)
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            raise SplitterError(f"CodeUri {function.code_uri!r} of {function.logical_id} names a folder with "
                                f"{len(found)} project files ({names}); the AWS tools cannot tell which to build",
                                template.path, line, hint="point CodeUri at one project file")
        if found:
            return BuildUnit(template, function.code_uri, target, "project", projects.get(found[0]))
        return BuildUnit(template, function.code_uri, target, "folder", None)
    if kind == "file":
        if target.suffix.lower() in (".csproj", ".fsproj", ".vbproj"):
            return BuildUnit(template, function.code_uri, target, "project", projects.get(target))
        return BuildUnit(template, function.code_uri, target, "archive", None)
    if _is_build_output(function.code_uri):
        # Prebuilt output (bin/.../publish, a .zip) is absent from a fresh clone: not a typo, and not a project.
        kind = "archive" if target.suffix.lower() in ARCHIVE_SUFFIXES else "folder"
        return BuildUnit(template, function.code_uri, target, kind, None)
    raise SplitterError(f"CodeUri {function.code_uri!r} of {function.logical_id} names a missing folder "
                        f"({target})", template.path, line, hint="fix the CodeUri or restore the project")


def _probe(target: Path, template: Template, function: Function, line: int | None) -> str | None:
    """"folder", "file" or None (nothing there) for the path a CodeUri names; a SplitterError when the system cannot
    even look it up (a name longer than a file name may be, a path past PATH_MAX, a loop of links, no permission)."""
    try:
        if target.is_dir():
            return "folder"
        return "file" if target.is_file() else None
    except OSError as error:
        code_uri = function.code_uri
        shown = repr(code_uri) if len(code_uri) <= 80 else f"{code_uri[:60]!r}... ({len(code_uri)} characters)"
        if error.errno == errno.ENAMETOOLONG:
            problem, hint = "is too long to be a path", "a file name has at most 255 bytes, a path 4,096"
        elif error.errno == errno.ELOOP:
            problem, hint = "goes through a loop of symbolic links", "fix the link or the CodeUri"
        else:
            problem, hint = f"cannot be looked up ({error.strerror or error})", "fix the CodeUri or its folder"
        raise SplitterError(f"CodeUri {shown} of {function.logical_id} {problem}", template.path, line,
                            hint=hint) from None


ARCHIVE_SUFFIXES = (".zip", ".jar")
BUILD_OUTPUT_FOLDERS = {"bin", "publish", "artifacts", "dist", "out"}


def _is_build_output(code_uri: str) -> bool:
    parts = [part.lower() for part in PureWindowsPath(code_uri).parts]
    return code_uri.lower().endswith(ARCHIVE_SUFFIXES) or any(part in BUILD_OUTPUT_FOLDERS for part in parts)


def _code_uri_line(template: Template, function: Function) -> int | None:
    node = function.property_node("CodeUri") or function.property_node("Code")
    if node is None and template.globals_function is not None:
        node = template.globals_function.get("CodeUri")
    return node.line if node is not None else function.line


def _warn_spellings(analysis: Analysis) -> None:
    for template in analysis.templates:
        by_target: dict[Path, list[BuildUnit]] = {}
        for unit in analysis.units:
            if unit.template is template:
                key = unit.project.path.resolve() if unit.project else unit.target.resolve()
                by_target.setdefault(key, []).append(unit)
        for target, units in by_target.items():
            if len(units) > 1:
                spellings = ", ".join(repr(u.code_uri) for u in units)
                analysis.warnings.append(Finding(
                    "codeuri-spelling",
                    f"CodeUri spellings {spellings} name the same {analysis.workspace.relative(target)}; "
                    f"the AWS tools build and upload it {len(units)} times",
                    template.path, units[1].functions[0].line))


def rid_architecture(rid: str) -> str | None:
    rid = rid.strip().lower()
    if rid.endswith("-arm64"):
        return "arm64"
    if rid.endswith("-x64"):
        return "x86_64"
    return None


def _warn_runtime_identifiers(analysis: Analysis) -> None:
    for unit in analysis.units:
        rid = unit.project.runtime_identifier if unit.project else None
        arch = rid_architecture(rid) if rid else None
        if arch is None:
            continue
        others = [f.logical_id for f in unit.functions if f.architecture != arch]
        if others:
            analysis.warnings.append(Finding(
                "runtime-identifier",
                f"<RuntimeIdentifier>{rid}</RuntimeIdentifier> builds for {arch}, but "
                f"{', '.join(others)} run{'s' if len(others) == 1 else ''} on "
                f"{'arm64' if arch == 'x86_64' else 'x86_64'}",
                unit.project.path, _property_line(unit.project, "RuntimeIdentifier")))


def _property_line(project: Project, name: str) -> int | None:
    for element in project.root.iter():
        if isinstance(element.tag, str) and element.tag.split("}")[-1] == name:
            return element.sourceline
    return None


def _warn_shared_folders(analysis: Analysis) -> None:
    for unit in analysis.units:
        if unit.kind != "project" and not unit.target.exists():
            analysis.warnings.append(Finding(
                "missing-output", f"CodeUri {unit.code_uri!r} names build output that does not exist yet; "
                f"lambda-split cannot check what it will hold", unit.template.path, _code_uri_line(
                    unit.template, unit.functions[0])))
            continue
        if unit.kind != "project" and len(unit.architectures) > 1:
            analysis.warnings.append(Finding(
                "shared-artifact",
                f"CodeUri {unit.code_uri!r} is deployed as-is to both x86_64 and arm64 functions; "
                f"run `lambda-split verify` on it to check its binaries", unit.template.path,
                unit.functions[0].line))


def _warn_ref_architectures(analysis: Analysis) -> None:
    """Amazon.Lambda.Tools cannot evaluate a `Ref` architecture: it builds for the project's `function-architecture`
    in aws-lambda-tools-defaults.json, else x86_64 (aws-extensions-for-dotnet-cli #302), whatever the stack gets."""
    for unit in analysis.units:
        via_ref = [f for f in unit.functions if _architecture_ref(unit.template, f)]
        if unit.kind != "project" or not via_ref:
            continue
        tooling = defaults_architecture(unit.project.folder) or "x86_64"
        wrong = [f for f in via_ref if f.architecture != tooling]
        if wrong:
            first = wrong[0]
            node = _architecture_node(unit.template, first)
            analysis.warnings.append(Finding(
                "ref-architecture",
                f"{', '.join(f.logical_id for f in wrong)} get{'s' if len(wrong) == 1 else ''} {first.architecture} "
                f"through Ref {_architecture_ref(unit.template, first)}, which Amazon.Lambda.Tools cannot evaluate: "
                f"it builds CodeUri {unit.code_uri!r} for {tooling}; set \"function-architecture\": "
                f"\"{first.architecture}\" in {analysis.workspace.relative(unit.project.folder / DEFAULTS_FILE)}",
                unit.template.path, node.line if node is not None else first.line))


def _architecture_ref(template: Template, function: Function) -> str | None:
    node = _architecture_node(template, function)
    for candidate in [node] + (list(node.value) if node is not None and node.kind == "seq" else []):
        call = intrinsic(candidate)
        if call is not None and call[0] == "Ref" and call[1].kind == "scalar":
            return str(call[1].value)
    return None


def defaults_architecture(folder: Path) -> str | None:
    try:
        value = read_defaults(folder / DEFAULTS_FILE).get("function-architecture") \
            if (folder / DEFAULTS_FILE).is_file() else None
    except SplitterError:
        return None
    return value if value in ARCHITECTURES else None
