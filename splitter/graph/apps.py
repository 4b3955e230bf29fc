"""CDK apps and Serverless Framework services in `check` and `migrate`: which files declare the functions (cdk.json's
`app` command names a Python or C# program; serverless.yml is its own), and those functions grouped into build units
the way the CDK (one asset per path and bundling command) and the framework (one artifact) build them.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from splitter.graph.units import Analysis, BuildUnit, Finding, ProjectCache, defaults_architecture
from splitter.discover import SKIP_DIRS, Workspace
from splitter.errors import SplitterError
from splitter.model.apps.common import AppDocument, AppFunction, Bundling, Undecided, project_folder_of, resolve
from splitter.model.msbuild import project_files_in
from splitter.model.apps.serverless import FILE_NAMES as SERVERLESS_FILES, load_service
from splitter.model.textfile import read_text

SKIP_SOURCE_DIRS = SKIP_DIRS | {"__pycache__", "venv", "env", "site-packages", "tests", "test"}


# -- loading -----------------------------------------------------------------------------------------------------------

def load_app(path: Path) -> tuple[list[AppDocument], list[Finding]]:
    """The documents of one app (cdk.json or serverless.yml) that declare functions, and what could not be read."""
    if path.name in SERVERLESS_FILES:
        return [load_service(path)], []
    return _load_cdk(path)


def _load_cdk(path: Path) -> tuple[list[AppDocument], list[Finding]]:
    try:
        settings = json.loads(read_text(path).text)
    except json.JSONDecodeError as error:
        raise SplitterError(f"not valid JSON: {error.msg}", path, error.lineno, hint="`cdk synth` would fail too") \
            from None
    command = settings.get("app") if isinstance(settings, dict) else None
    if not isinstance(command, str) or not command.strip():
        return [], [Finding("cdk-app", "cdk.json has no \"app\" command; lambda-split cannot tell which program "
                                       "defines the stacks", path)]
    folder = path.parent
    language, sources = _cdk_sources(folder, command)
    if language is None:
        return [], [Finding("cdk-app", f"the CDK app runs `{command}`; lambda-split reads CDK apps written in "
                                       "Python or C# only, so its functions are not checked", path)]
    if language == "python":
        from splitter.model.apps import cdk_python as loader      # libcst is imported only for Python apps
    else:
        from splitter.model.apps import cdk_csharp as loader
    documents = []
    for source in sources:
        text = read_text(source).text
        if loader.mentions_functions(text):
            document = loader.load_stack(source, folder, path)
            if document.functions or document.undecided:
                documents.append(document)
    if not documents:           # an app without Lambda functions: nothing to build, which `check` says
        documents.append(AppDocument(path=path, source=read_text(path), base=folder,
                                     source_kind=f"cdk-{language}", literal=str, app=path))
    return documents, []


def _cdk_sources(folder: Path, command: str) -> tuple[str | None, list[Path]]:
    """(language, source files) of the program a cdk.json `app` command runs."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    if any(w.endswith(".py") or re.search(r"(^|/)python[\d.]*$", w) for w in words):
        return "python", _files(folder, ".py")
    if any(re.search(r"(^|/)dotnet(\.exe)?$", w) for w in words):
        project = next((words[i + 1] for i, w in enumerate(words[:-1]) if w in ("--project", "-p")), None)
        if project is not None:
            target = (folder / project)
            target = target.parent if target.suffix.lower() in (".csproj", ".fsproj") else target
            if target.is_dir():
                return "csharp", _files(target, ".cs")
        return "csharp", _files(folder, ".cs")
    return None, []


def _files(top: Path, suffix: str) -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(top, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_SOURCE_DIRS and not d.startswith(".")
                         and not Path(folder, d, "pyvenv.cfg").exists())
        found.extend(Path(folder, f) for f in sorted(files) if f.endswith(suffix))
    return found


# -- build units -------------------------------------------------------------------------------------------------------

@dataclass(eq=False)
class AppBuildUnit(BuildUnit):
    """The functions one CDK asset (path plus bundling) or one serverless artifact serves."""
    source: str = "cdk-python"
    bundling: Bundling | None = None
    undecided: list[tuple[Undecided, Path | None]] = field(default_factory=list)   # the app's, with their projects

    @property
    def build_architecture(self) -> str | None:
        """The architecture the build is for, when the app says it: a DotNetFunction's own, a bundling command's
        `-r`/`--function-architecture`, or `dotnet lambda package`'s function-architecture default."""
        first = self.functions[0]
        if first.asset_kind == "project-dir":
            return first.architecture
        if self.bundling is None:
            return None
        fixed = self.bundling.architectures
        if len(fixed) == 1:
            return next(iter(fixed))
        if self.bundling.packages_with_lambda_tools and not fixed:
            return defaults_architecture(self.target) or "x86_64"
        return None

    @property
    def built_as(self) -> str:
        return self.build_architecture or self.functions[0].architecture



def add_apps(workspace: Workspace, analysis: Analysis, projects: ProjectCache) -> None:
    """Load every app the workspace found and group its functions into `analysis.units`."""
    seen: set[Path] = set()
    for path in workspace.apps:
        try:
            documents, findings = load_app(path)
        except SplitterError as error:
            if path.name in SERVERLESS_FILES and not workspace.explicit and \
                    (workspace.templates or len(workspace.apps) > 1):
                # one serverless.yml of a tree that cannot be read must not stop the check of everything else
                # (alone in the folder given, it is the error)
                analysis.warnings.append(Finding(
                    "serverless-app", f"{error.message}; its functions are not checked", error.path or path,
                    error.line or 1))
                continue
            analysis.errors.append(error)
            continue
        analysis.warnings.extend(findings)
        documents = [d for d in documents if d.path.resolve() not in seen]
        seen.update(d.path.resolve() for d in documents)
        analysis.apps.extend(documents)
        _group(documents, analysis, projects)


def _group(documents: list[AppDocument], analysis: Analysis, projects: ProjectCache) -> None:
    """One app's functions as build units: one per asset path and bundling command (the CDK hashes both into one
    asset), per artifact for serverless.yml; DotNetFunction builds per function, for its own architecture."""
    units: dict[tuple, AppBuildUnit] = {}
    undecided: list[tuple[Undecided, Path | None]] = []
    for document in documents:
        for entry in document.undecided:
            analysis.warnings.append(Finding("cannot-decide", str(entry), entry.path, entry.line))
            folder = project_folder_of(document.base, entry.asset)[0] if entry.asset else None
            undecided.append((entry, folder.resolve() if folder is not None else None))   # plan/ compares as is
    for document in documents:
        for function in document.functions:
            if not function.is_zip:
                analysis.image_functions.append(function)
            elif function.code_uri is None:
                analysis.remote_functions.append(function)
            else:
                unit = _unit_for(function, document, units, analysis, projects)
                if unit is not None:
                    unit.functions.append(function)
    for unit in units.values():
        unit.undecided = undecided
        analysis.units.append(unit)
        _warn_bundling_runtime(unit, analysis)


def _unit_for(function: AppFunction, document: AppDocument, units: dict, analysis: Analysis,
              projects: ProjectCache) -> AppBuildUnit | None:
    target = resolve(document.base, function.code_uri)
    bundling = function.bundling
    key = (str(target), bundling.key if bundling else None,
           function.architecture if function.asset_kind == "project-dir" else None)
    if key in units:
        return units[key]
    if function.asset_kind == "service-folder":
        kind, project = "folder", None
    else:
        built_in = function.code_uri
        if bundling is not None and bundling.subfolder and function.asset_kind == "asset":
            built_in = function.code_uri.rstrip("/\\") + "/" + bundling.subfolder
        folder, found = project_folder_of(document.base, built_in)
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            analysis.warnings.append(Finding("cannot-decide", str(Undecided(
                function.logical_id, function.template_path, function.line,
                f"its asset {function.code_uri!r} lies in {analysis.workspace.relative(folder)}, which holds "
                f"{len(found)} project files ({names}), so lambda-split cannot tell which one it is built from")),
                function.template_path, function.line))
            return None
        if found and document.source_kind == "cdk-csharp" and folder == _program_folder(document):
            found = []              # the CDK app's own program (cdk.json runs it) is never a Lambda project
        try:
            project = projects.get(found[0]) if found else None
        except SplitterError as error:
            analysis.errors.append(error)
            return None
        archive = target.suffix.lower() in (".zip", ".jar") or target.is_file()
        kind = "project" if project is not None else ("archive" if archive else "folder")
    unit = AppBuildUnit(template=document, code_uri=function.code_uri, target=target, kind=kind, project=project,
                        source=document.source_kind, bundling=bundling)
    units[key] = unit
    return unit


def _program_folder(document: AppDocument) -> Path | None:
    """The folder of the C# project a CDK stack source belongs to: the app's program, which cdk.json runs."""
    base = Path(os.path.normpath(document.base))
    for folder in Path(os.path.normpath(document.path)).parents:
        if project_files_in(folder):
            return folder
        if folder == base or folder in base.parents:
            return None
    return None


def _warn_bundling_runtime(unit: AppBuildUnit, analysis: Analysis) -> None:
    for function in unit.functions:
        bundling = function.bundling
        fixed = bundling.architectures if bundling is not None else set()
        if len(fixed) == 1 and function.architecture not in fixed:
            built = next(iter(fixed))
            analysis.warnings.append(Finding(
                "bundling-runtime",
                f"{function.logical_id} runs on {function.architecture}, but its bundling command builds for "
                f"{built}: `{short(bundling.text)}`", function.template_path, bundling.line))


def short(text: str | None, limit: int = 100) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 3] + "..."
