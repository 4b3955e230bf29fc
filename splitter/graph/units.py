"""Build units: functions grouped exactly as their deployer builds them.

A template's build unit is the template plus the raw CodeUri string (`./src/A` and `src/A` are two builds).
Amazon.Lambda.Tools builds a unit once, for the architecture of its first function in template order; a project unit
whose functions need two architectures is the hazard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import ClassVar

from splitter.discover import DEFAULTS_FILE, Workspace, read_defaults
from splitter.errors import SplitterError
from splitter.model.msbuild import Project, directory_build_props, load_project, project_files_in
from splitter.model.nodes import intrinsic
from splitter.model.template import ARCHITECTURES, Function, Template, allowed_values


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
                except SplitterError:
                    pass        # a broken props file is reported when a command edits it, not here
            self.projects[key] = load_project(key, inherited)
        return self.projects[key]


def _repository_top(root: Path) -> Path:
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return folder
    return root


def units_of(template: Template, analysis: Analysis, projects: ProjectCache) -> None:
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
            unknown.setdefault(id(architecture_node(template, function)), []).append(function)
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


def architecture_node(template: Template, function: Function):
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
    ref = architecture_ref(template, first)
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
    line = code_uri_line(template, function)
    if target.is_dir():
        found = project_files_in(target)
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            raise SplitterError(f"CodeUri {function.code_uri!r} of {function.logical_id} names a folder with "
                                f"{len(found)} project files ({names}); the AWS tools cannot tell which to build",
                                template.path, line, hint="point CodeUri at one project file")
        if found:
            return BuildUnit(template, function.code_uri, target, "project", projects.get(found[0]))
        return BuildUnit(template, function.code_uri, target, "folder", None)
    if target.is_file():
        if target.suffix.lower() in (".csproj", ".fsproj", ".vbproj"):
            return BuildUnit(template, function.code_uri, target, "project", projects.get(target))
        return BuildUnit(template, function.code_uri, target, "archive", None)
    if _is_build_output(function.code_uri):
        # Prebuilt output (bin/.../publish, a .zip) is absent from a fresh clone: not a typo, and not a project.
        kind = "archive" if target.suffix.lower() in ARCHIVE_SUFFIXES else "folder"
        return BuildUnit(template, function.code_uri, target, kind, None)
    raise SplitterError(f"CodeUri {function.code_uri!r} of {function.logical_id} names a missing folder "
                        f"({target})", template.path, line, hint="fix the CodeUri or restore the project")


ARCHIVE_SUFFIXES = (".zip", ".jar")
BUILD_OUTPUT_FOLDERS = {"bin", "publish", "artifacts", "dist", "out"}


def _is_build_output(code_uri: str) -> bool:
    parts = [part.lower() for part in PureWindowsPath(code_uri).parts]
    return code_uri.lower().endswith(ARCHIVE_SUFFIXES) or any(part in BUILD_OUTPUT_FOLDERS for part in parts)


def code_uri_line(template: Template, function: Function) -> int | None:
    node = function.property_node("CodeUri") or function.property_node("Code")
    if node is None and template.globals_function is not None:
        node = template.globals_function.get("CodeUri")
    return node.line if node is not None else function.line


def architecture_ref(template: Template, function: Function) -> str | None:
    node = architecture_node(template, function)
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
