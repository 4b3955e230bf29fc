"""Build units: functions grouped exactly as their deployer builds them.

A template's build unit is the template plus the raw CodeUri string (`./src/A` and `src/A` are two builds).
Amazon.Lambda.Tools builds a unit once, for the architecture of its first function in template order; a project unit
whose functions need two architectures is the hazard where its deployer builds once for every architecture
(graph/deployers.py: Amazon.Lambda.Tools, CDK assets, serverless.yml artifacts; never SAM CLI).
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import ClassVar

from splitter.discover import DEFAULTS_FILE, Workspace, read_defaults, repository_top
from splitter.errors import SplitterError
from splitter.graph.deployer import Deployer, deciding
from splitter.model.msbuild import (DtdRefused, Project, directory_build_props, load_project,
                                    project_files_in)
from splitter.model.nodes import intrinsic
from splitter.model.template import ARCHITECTURES, Function, Template, allowed_values


@dataclass
class Finding:
    code: str
    message: str
    path: Path | None = None
    line: int | None = None
    severity: str | None = None                # "error": a problem found (exit 1); None: the code's own severity

    def to_json(self, workspace: Workspace) -> dict:
        return {"code": self.code, "message": self.message,
                "path": workspace.relative(self.path) if self.path else None, "line": self.line,
                **({"severity": self.severity} if self.severity else {})}


@dataclass(eq=False)
class BuildUnit:
    template: Template
    code_uri: str
    target: Path
    kind: str                                  # "project", "folder" (zipped as-is), "archive" (a prebuilt zip) or
                                               # "missing" (names a folder that does not exist: Analysis.missing)
    project: Project | None
    functions: list[Function] = field(default_factory=list)
    source: ClassVar[str] = "sam"              # where it is declared; splitter/apps.py adds the CDK and serverless
    deployers: tuple[Deployer, ...] = ()       # who deploys its template (graph/deployers.py, set by analyze)

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
    def deployer(self) -> Deployer | None:
        """The deployer that decides: one that builds once for every architecture, if any deploys the template."""
        return deciding(self.deployers)

    @property
    def builds_once(self) -> bool:
        """One build serves every architecture (no deployer known yet counts as Amazon.Lambda.Tools)."""
        deployer = self.deployer
        return deployer is None or deployer.builds_once

    @property
    def mixed(self) -> bool:
        return self.kind == "project" and len(self.architectures) > 1

    @property
    def failing(self) -> list[Function]:
        if not self.builds_once:
            return []                           # SAM CLI builds it once per architecture
        return [f for f in self.functions if f.architecture != self.built_as]

    @property
    def is_hazard(self) -> bool:
        return self.mixed and self.builds_once

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
    missing: list[BuildUnit] = field(default_factory=list)   # CodeUris naming a missing folder (kind "missing")
    unknown: list[BuildUnit] = field(default_factory=list)   # functions sharing one architecture lambda-split cannot
                                                # know (one unresolved Ref): never mixed, so not judged (B6)
    image_functions: list[Function] = field(default_factory=list)
    remote_functions: list[Function] = field(default_factory=list)
    # aws-lambda-tools-defaults.json files of `dotnet lambda deploy-function` projects (a function-handler and no
    # template): one function each, built for its own function-architecture, so never a hazard.
    function_deployments: list[Path] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    errors: list[SplitterError] = field(default_factory=list)
    deployer: str = "auto"                      # --deployer: "auto", or the deployer of every template

    @property
    def hazards(self) -> list[BuildUnit]:
        return [u for u in self.units if u.is_hazard]

    @property
    def problems(self) -> list[Finding]:
        """Findings that are a problem found, like a hazard (exit 1): a Ref architecture built for the other CPU."""
        return [w for w in self.warnings if w.severity == "error"]


class ProjectCache:
    """Each project file is read once per run, whichever template or command asks for it."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.projects: dict[Path, Project] = {}
        self.stop = repository_top(workspace.root) or workspace.root

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
            # A missing folder is an error only where its unit is one to split (analyze decides, once the
            # deployers are known); elsewhere it is a `missing-codeuri` warning.
            (analysis.missing if unit.kind == "missing" else analysis.units).append(unit)
        unit.functions.append(function)
    for functions in unknown.values():
        # Only a Ref (a parameter with no Default and no --parameter) is one value known at deployment; Fn::If,
        # two values or a misspelling stay errors.
        if not architecture_ref(template, functions[0]) or _could_be_mixed(functions, units, unknown):
            analysis.errors.append(_architecture_error(template, functions))
        else:
            _add_unknown_units(template, functions, analysis, projects)


def _could_be_mixed(functions: list[Function], units: dict[str, BuildUnit], unknown: dict) -> bool:
    """Whether an architecture value lambda-split cannot know could make a unit mixed: a CodeUri it shares with a
    function of a known architecture, or with a function taking another unknown value."""
    code_uris = {f.code_uri for f in functions}
    others = {f.code_uri for group in unknown.values() if group is not functions for f in group}
    return bool(code_uris & (set(units) | others))


def _add_unknown_units(template: Template, functions: list[Function], analysis: Analysis,
                       projects: ProjectCache) -> None:
    """Functions that all take one unknown architecture: whatever it is, each of their units serves one."""
    units: dict[str, BuildUnit] = {}
    for function in functions:
        if function.code_uri not in units:
            try:
                units[function.code_uri] = _new_unit(template, function, projects)
            except SplitterError as error:
                analysis.errors.append(error)
                continue
            analysis.unknown.append(units[function.code_uri])
        units[function.code_uri].functions.append(function)


def unknown_architecture_hint(template: Template, function: Function) -> str:
    """How to tell lambda-split the architecture it cannot know (the hint of `_architecture_error`)."""
    ref = architecture_ref(template, function)
    allowed = allowed_values(template, ref) if ref else None
    return f"pass --parameter {ref}={'|'.join(allowed) if allowed else 'x86_64|arm64'}"


def architecture_node(template: Template, function: Function):
    node = function.property_node("Architectures")
    if node is None and function.architecture_origin == "globals" and template.globals_function is not None:
        node = template.globals_function.get("Architectures")
    return node


def unknown_architecture_error(unit: BuildUnit) -> SplitterError:
    """A unit of one unknown architecture (Analysis.unknown) that deploys a project migrate splits: its functions
    must move to one function project or the other, so the architecture must be known after all."""
    return _architecture_error(unit.template, unit.functions)


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
    return BuildUnit(template, function.code_uri, target, "missing", None)


def missing_folder_error(unit: BuildUnit) -> SplitterError:
    """A unit lambda-split must split whose CodeUri names a folder that does not exist."""
    first = unit.functions[0]
    return SplitterError(f"CodeUri {unit.code_uri!r} of {first.logical_id} names a missing folder ({unit.target})",
                         unit.template.path, code_uri_line(unit.template, first),
                         hint="fix the CodeUri or restore the project")


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
