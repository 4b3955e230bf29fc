"""The invariants a migration keeps, checked on the planned tree against the input. Each check returns Failures; an
input that already breaks an invariant (a handler that resolved nowhere before) is not the plan's fault and is not
reported."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from splitter.discover import DEFAULTS_FILE, read_defaults
from splitter.errors import SplitterError
from splitter.graph.handlers import Sources, handler_of, runs_generator, unresolved
from splitter.proof.loaded import Failure, PlannedUnit
from splitter.proof.tree import PlannedTree

KEYS_SPLIT = ("CodeUri", "Handler", "Architectures")


# -- functions: logical IDs, properties, architectures --------------------------------------------------------------

def _by_id(documents: list) -> dict[str, list]:
    found: dict[str, list] = {}
    for document in documents:
        for function in document.functions:
            found.setdefault(function.logical_id, []).append((document, function))
    return found


def functions_kept(before: list, after: list) -> list[Failure]:
    failures = []
    old, new = _by_id(before), _by_id(after)
    for name in sorted(old.keys() - new.keys()):
        failures.append(Failure("function-kept", f"{name} is in no template of the planned tree"))
    for name in sorted(new.keys() - old.keys()):
        failures.append(Failure("function-kept", f"{name} appears in the planned tree, but was in no template"))
    for name in sorted(old.keys() & new.keys()):
        (was_doc, was), (now_doc, now) = old[name][0], new[name][0]
        archs = Counter(f.architecture for _, f in old[name]), Counter(f.architecture for _, f in new[name])
        if len(old[name]) != len(new[name]):
            failures.append(Failure("function-kept", f"{name} is declared {len(new[name])} times in the planned "
                                                     f"tree, {len(old[name])} before"))
        elif archs[0] != archs[1]:
            failures.append(Failure("architecture-kept", f"{name} runs on {now.architecture} in the planned tree, "
                                                         f"but on {was.architecture} before"))
        old_handler, new_handler = handler_of(was, was_doc), handler_of(now, now_doc)
        if old_handler and "::" in old_handler and (not new_handler or
                                                    new_handler.split("::")[1:] != old_handler.split("::")[1:]):
            failures.append(Failure("handler-kept", f"{name}'s handler {old_handler} becomes {new_handler}: its type "
                                                    "or method changed"))
        if was.node is not None and now.node is not None and hasattr(was.node, "plain") and \
                hasattr(now.node, "plain") and getattr(was, "source_kind", "sam") == "sam":
            changed = _changed_keys(_plain(was, was_doc), _plain(now, now_doc))
            if changed:
                failures.append(Failure("properties-kept", f"{name}'s {', '.join(changed)} changed in the planned "
                                                           "tree (only CodeUri, Handler and Architectures may)"))
    return failures


def _plain(function, document):
    """The function's resource as plain values: for JSON, its own text read by json (what Node.plain gives, at C
    speed: hundreds of resources a template)."""
    node = function.node
    if getattr(document, "format", None) == "json" and getattr(document, "source", None) is not None:
        return json.loads(document.source.text[node.start:node.end])
    return node.plain()


def _changed_keys(old, new) -> list[str]:
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [] if old == new else ["resource"]
    changed = [k for k in sorted(set(old) | set(new), key=str) if k != "Properties" and old.get(k) != new.get(k)]
    was, now = old.get("Properties") or {}, new.get("Properties") or {}
    for key in sorted(set(was) | set(now), key=str):
        if key in KEYS_SPLIT:
            continue
        if key == "Code" and isinstance(was.get(key), dict) and isinstance(now.get(key), dict):
            if {k: v for k, v in was[key].items() if k != "S3Key"} != \
                    {k: v for k, v in now[key].items() if k != "S3Key"}:
                changed.append("Properties.Code")
        elif was.get(key) != now.get(key):
            changed.append(f"Properties.{key}")
    return changed


def resources_kept(before: list, after: list) -> list[Failure]:
    """Every resource that is not a function keeps its logical ID and its value."""
    def resources(templates) -> dict[str, object]:
        found = {}
        for template in templates:
            node = template.root.get("Resources")
            functions = {f.logical_id for f in template.functions}
            if node is not None and node.kind == "map":
                for name, resource in node.items():
                    if name not in functions:
                        found.setdefault(name, resource.plain())
        return found
    old, new = resources(before), resources(after)
    failures = [Failure("resource-kept", f"resource {name} is in no template of the planned tree")
                for name in sorted(old.keys() - new.keys())]
    failures += [Failure("resource-kept", f"resource {name} changed in the planned tree")
                 for name in sorted(old.keys() & new.keys()) if old[name] != new[name]]
    return failures


# -- build units ------------------------------------------------------------------------------------------------------

def units_sound(units: list[PlannedUnit], model, tree: PlannedTree) -> list[Failure]:
    """No unit a hazard-prone deployer builds (a project) serves two architectures; every CodeUri or asset names a
    path of the planned tree (unless it named missing build output before as well)."""
    failures = []
    before = {(str(u.template.path), u.code_uri): u for u in model.analysis.units}
    built_before = {f.logical_id for u in model.analysis.units if u.kind == "project" for f in u.functions}
    missing_before = {f.logical_id for u in [*model.analysis.units, *model.analysis.missing]
                      for f in u.functions if not u.target.exists()}
    for unit in units:
        ids = [f.logical_id for f in unit.functions]
        if unit.kind == "missing" and not set(ids) <= missing_before:
            rel = tree.rel(unit.target) or str(unit.target)
            failures.append(Failure("consumer-path", f"{ids[0]}'s CodeUri {unit.code_uri!r} in "
                                                     f"{tree.rel(unit.document.path)} names {rel}, which the planned "
                                                     "tree does not hold"))
        if unit.kind != "project" and unit.kind != "missing" and set(ids) <= built_before:
            failures.append(Failure("consumer-path", f"{ids[0]}'s CodeUri {unit.code_uri!r} in "
                                                     f"{tree.rel(unit.document.path)} names "
                                                     f"{tree.rel(unit.target) or '.'}, which holds no project in the "
                                                     "planned tree (it was built from one before)"))
        if unit.kind == "project" and len(unit.architectures) > 1:
            was = before.get((str(unit.document.path), unit.code_uri))
            if was is not None and len(was.architectures) > 1 and not was.is_hazard:
                continue                 # the input built it so, and the analysis did not call it a hazard
            failures.append(Failure("one-architecture", f"CodeUri {unit.code_uri!r} in {tree.rel(unit.document.path)} "
                                                        f"builds {tree.rel(unit.project)} once for functions of both "
                                                        f"architectures ({', '.join(ids)})"))
    return failures


# -- handlers ---------------------------------------------------------------------------------------------------------

def handlers_resolve(units: list[PlannedUnit], model, tree: PlannedTree, sources: Sources,
                     before: Sources) -> list[Failure]:
    """Every handler that resolved in the input resolves in the planned tree, in its function's new package. A
    function whose CodeUri and handler the plan kept, in a package the plan did not touch, resolves as before."""
    failures = []
    original = {f.logical_id: (u, f) for u in model.analysis.units if u.project is not None for f in u.functions}
    touched = [rel + "/" for rel in (*tree.written, *tree.removed)]
    for unit in units:
        if unit.kind != "project":
            continue
        project = sources.project(unit.project)
        if project is None:
            failures.append(Failure("project-loads", f"{tree.rel(unit.project)}, which "
                                                     f"{unit.functions[0].logical_id} deploys, does not load in the "
                                                     "planned tree"))
            continue
        package = sources.package(project)
        folders = [(tree.rel(p.folder) or "") + "/" for p in package] if package is not None else [""]
        changed_package = any(t.startswith(f) or f == "/" for t in touched for f in folders)
        deployed = os.path.abspath(unit.project)
        for function in unit.functions:
            was_unit, was = original.get(function.logical_id, (None, None))
            handler = handler_of(function, unit.document)
            same = was is not None and was.code_uri == function.code_uri and handler_of(was, was_unit.template) == \
                handler and os.path.abspath(was_unit.project.path) == deployed
            if same and not changed_package:
                continue
            problem = unresolved(function, handler, project, sources, unit.document)
            if problem is None:
                continue
            if was is not None and unresolved(was, handler_of(was, was_unit.template), was_unit.project, before,
                                              was_unit.template) is not None:
                continue                 # it did not resolve before either
            failures.append(Failure("handler-resolves", str(problem)))
    return failures


def generator_owns(units: list[PlannedUnit], templates: list, tree: PlannedTree, sources: Sources,
                   model) -> list[Failure]:
    """Every function the Annotations generator owns, in a template the plan writes, is deployed from the one
    project whose generator writes that template."""
    failures = []
    for template in templates:
        owned = [f for f in getattr(template, "functions", []) if f.managed_by_annotations]
        if not owned or tree.rel(template.path) not in tree.written:
            continue
        builders = {u.project for u in units if u.document is template and u.project is not None
                    and any(f in u.functions for f in owned)}
        if len(builders) != 1:
            failures.append(Failure("generator-owns", f"the functions the Annotations generator owns in "
                                                      f"{tree.rel(template.path)} are built by {len(builders)} "
                                                      "projects"))
            continue
        builder = sources.project(next(iter(builders)))
        if builder is None:
            continue
        writes = _generator_template(builder.folder, tree)
        if not runs_generator(builder, sources.props(builder)) or \
                Path(os.path.normpath(writes)) != Path(os.path.normpath(template.path)):
            failures.append(Failure("generator-owns", f"{owned[0].logical_id} is deployed from {builder.name}, "
                                                      f"whose generator does not write {tree.rel(template.path)}"))
            continue
        failures += _startup_kept(builder, model, sources)
    return failures


def _startup_kept(builder, model, sources: Sources) -> list[Failure]:
    """The generator wires a function's dependencies from the [LambdaStartup] class of its own compilation: a
    function project split from a project that had one has it too."""
    failures = []
    referenced = {os.path.abspath(r.path) for r in builder.project_references}
    for target in model.targets:
        if os.path.abspath(target.project.path) not in referenced:
            continue
        for cs in target.source.files:
            for decl in cs.all_types():
                if not any(a.split(".")[-1] in ("LambdaStartup", "LambdaStartupAttribute") for a in decl.attributes):
                    continue
                if not any(d.full_name == decl.full_name for d in sources.types_named(builder, decl.name)):
                    failures.append(Failure("generator-owns", f"{builder.name} runs the Annotations generator "
                                                              f"without the [LambdaStartup] class {decl.full_name} "
                                                              f"of {target.project.name}"))
    return failures


def _generator_template(folder: Path, tree: PlannedTree) -> Path:
    defaults = folder / DEFAULTS_FILE
    if tree.is_file(defaults):
        try:
            data = read_defaults(defaults, tree.planned_text(defaults))
        except SplitterError:
            data = {}
        if isinstance(data, dict) and isinstance(data.get("template"), str):
            return folder / data["template"]
    return folder / "serverless.template"
