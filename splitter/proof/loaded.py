"""The planned tree read as the repository model reads the real one: its templates and app files (those the plan
writes parsed from their planned bytes, the rest reused from the model), and their functions grouped into the build
units their deployers build."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from splitter.discover import TEMPLATE_NAMES
from splitter.errors import SplitterError
from splitter.graph.units import resolve_code_uri
from splitter.model.apps.common import resolve
from splitter.model.template import Function, load_template
from splitter.proof.tree import PlannedTree


@dataclass(frozen=True)
class Failure:
    invariant: str          # "function-kept", "one-architecture", "handler-resolves", "consumer-path", ...
    message: str

    def __str__(self) -> str:
        return self.message

    def to_json(self) -> dict:
        return {"invariant": self.invariant, "message": self.message}


@dataclass(eq=False)
class PlannedUnit:
    document: object                    # the planned Template or AppDocument
    code_uri: str
    target: Path
    kind: str                           # "project", "folder", "archive" or "missing"
    project: Path | None
    functions: list[Function] = field(default_factory=list)

    @property
    def architectures(self) -> set[str]:
        return {f.architecture for f in self.functions if f.architecture}


def planned_templates(model, tree: PlannedTree, failures: list[Failure]) -> list:
    """Every template of the planned tree that holds the model's templates or the plan created."""
    found, seen = [], set()
    parameters = next((t.parameters for t in model.analysis.templates), {})
    for template in model.analysis.templates:
        rel = tree.rel(template.path)
        rel = tree.moved_to.get(rel, rel)
        seen.add(rel)
        if rel not in tree.written:
            found.append(template)
            continue
        path = tree.path(rel)
        try:
            found.append(load_template(path, template.parameters, tree.planned_text(path)))
        except SplitterError as error:
            failures.append(Failure("template-loads", f"the planned {rel} does not load: {error.message}"))
    for rel in sorted(set(tree.written) - seen):
        name = rel.rsplit("/", 1)[-1]
        if name not in TEMPLATE_NAMES and not name.endswith(".template"):
            continue
        path = tree.path(rel)
        try:
            found.append(load_template(path, parameters, tree.planned_text(path)))
        except SplitterError as error:
            if not error.message.startswith("not a CloudFormation template"):
                failures.append(Failure("template-loads", f"the planned {rel} does not load: {error.message}"))
    return found


def planned_apps(model, tree: PlannedTree, failures: list[Failure]) -> list:
    """The app documents (CDK stack files, serverless.yml) of the planned tree."""
    found = []
    for document in model.analysis.apps:
        rel = tree.rel(document.path)
        if rel not in tree.written:
            found.append(document)
            continue
        text = tree.planned_text(document.path)
        try:
            if document.source_kind == "serverless":
                from splitter.model.apps.serverless import load_service
                found.append(load_service(document.path, text))
            elif document.source_kind == "cdk-python":
                from splitter.model.apps.cdk_python import load_stack
                found.append(load_stack(document.path, document.base, document.app, text))
            else:
                from splitter.model.apps.cdk_csharp import load_stack
                found.append(load_stack(document.path, document.base, document.app, text))
        except SplitterError as error:
            failures.append(Failure("template-loads", f"the planned {rel} does not load: {error.message}"))
    return found


def planned_units(templates: list, apps: list, tree: PlannedTree, failures: list[Failure]) -> list[PlannedUnit]:
    units: dict[tuple, PlannedUnit] = {}
    for template in templates:
        for function in template.functions:
            if not function.is_zip or function.code_uri is None or function.architecture is None:
                continue
            key = (id(template), function.code_uri)
            if key not in units:
                target = resolve_code_uri(template, function.code_uri)
                units[key] = _unit(template, function, target, tree, failures)
            units[key].functions.append(function)
    for document in apps:
        for function in document.functions:
            if not function.is_zip or function.code_uri is None or function.architecture is None:
                continue
            bundling = getattr(function, "bundling", None)
            target = resolve(document.base, function.code_uri)
            key = (str(target), bundling.key if bundling else None,
                   function.architecture if function.asset_kind == "project-dir" else None)
            if key not in units:
                built_in = function.code_uri
                if bundling is not None and bundling.subfolder and function.asset_kind == "asset":
                    built_in = function.code_uri.rstrip("/\\") + "/" + bundling.subfolder
                units[key] = _app_unit(document, function, target, resolve(document.base, built_in), tree)
            units[key].functions.append(function)
    return list(units.values())


def _unit(template, function: Function, target: Path, tree: PlannedTree, failures: list[Failure]) -> PlannedUnit:
    if tree.is_dir(target):
        found = tree.project_files_in(target)
        if len(found) > 1:
            failures.append(Failure("one-project", f"{function.logical_id}'s CodeUri {function.code_uri!r} names a "
                                                   f"folder with {len(found)} project files in the planned tree"))
        if found:
            return PlannedUnit(template, function.code_uri, target, "project", found[0])
        return PlannedUnit(template, function.code_uri, target, "folder", None)
    if tree.is_file(target):
        if target.suffix.lower() in (".csproj", ".fsproj", ".vbproj"):
            return PlannedUnit(template, function.code_uri, target, "project", target)
        return PlannedUnit(template, function.code_uri, target, "archive", None)
    return PlannedUnit(template, function.code_uri, target, "missing", None)


def _app_unit(document, function, target: Path, built_in: Path, tree: PlannedTree) -> PlannedUnit:
    if function.asset_kind == "service-folder":
        return PlannedUnit(document, function.code_uri, target, "folder", None)
    folder = built_in.parent if built_in.suffix.lower() in (".zip", ".jar") or tree.is_file(built_in) else built_in
    base = Path(resolve(document.base, "."))
    while True:
        found = tree.project_files_in(folder) if tree.is_dir(folder) else []
        if found:
            return PlannedUnit(document, function.code_uri, target, "project", found[0])
        if folder == base or folder in base.parents or folder.parent == folder:
            break
        folder = folder.parent
    kind = "folder" if tree.exists(target) else "missing"
    return PlannedUnit(document, function.code_uri, target, kind, None)
