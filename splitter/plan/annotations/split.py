"""The Amazon.Lambda.Annotations split, step by step: a project whose `[LambdaFunction]` methods serve both
architectures. The source generator owns the template its defaults file names and rewrites it on every build, so each
function project gets its own generator and its own template; the classes move to where their methods run.
"""

from __future__ import annotations

from pathlib import Path

from splitter.plan.annotations import projects as annotations_projects
from splitter.plan.annotations.template import TemplateSplit, owned_function_edits, split_template, template_changes
from splitter.changes.edits import Edit
from splitter.errors import SplitterError
from splitter.graph.migration import SplitTarget
from splitter.model.template import Function, Template
from splitter.plan.templates import function_edits
from splitter.plan.handlers import HandlerRef
from splitter.plan.retarget import retarget_unit
from splitter.plan.result import FunctionProject, Plan
from splitter.plan.annotations.sources import move_sources
from splitter.plan.annotations.handlers import check_other_code, place_classic_handlers, report, test_references
from splitter.plan.annotations.classes import Layout, analyze


# -- step -------------------------------------------------------------------------------------------------------------

def split_project(target: SplitTarget, projects: dict[str, FunctionProject], result: Plan, root: Path,
                  separator: str) -> list[tuple[Template, list[Edit]]]:
    """Plan the split of one Annotations project into `result`; return the edits of templates that stay."""
    _refuse_unsupported(target)
    layout = analyze(target, projects)
    place_classic_handlers(target, projects, layout, result)
    check_other_code(target, projects, layout)
    tests = test_references(target, projects, layout)
    report(target, projects, layout, result)
    move_sources(target, projects, layout, result)
    staying, splits = _split_templates(target, projects, layout, result)
    annotations_projects.create_projects(target, projects, layout, splits, result, separator)
    annotations_projects.edit_library(target, projects, layout, result, root)
    annotations_projects.edit_tests(target, tests, result)
    return staying


def _refuse_unsupported(target: SplitTarget) -> None:
    project = target.project
    for unit in target.units:
        for function in unit.template.functions:
            if function.managed_by_annotations and not function.is_zip and unit.project is not None and \
                    function.template_path == unit.template.path and _builds(unit, project):
                raise SplitterError(f"{function.logical_id} is an Image function of this Annotations project; "
                                    "lambda-split splits Zip functions only", function.template_path, function.line,
                                    hint="split the project by hand, or make the function a Zip function first")
    for reference in project.project_references:
        if (reference.element.get("OutputItemType") or "").lower() == "analyzer" and \
                "annotations" in reference.path.name.lower():
            raise SplitterError(f"the project runs the Annotations generator from a project reference "
                                f"({reference.include}); lambda-split moves only the Amazon.Lambda.Annotations "
                                "package", project.path, reference.element.sourceline,
                                hint="reference the Amazon.Lambda.Annotations package, or split by hand")
    templates = {f.template_path for u in target.units for f in u.functions if f.managed_by_annotations}
    if len(templates) > 1:
        raise SplitterError("the project's Annotations functions are kept in more than one template: "
                            + ", ".join(sorted(p.name for p in templates)), project.path,
                            hint="the generator writes one template per project; remove the stale one first")


def _builds(unit, project) -> bool:
    return unit.project.path.resolve() == project.path.resolve()


# -- templates ----------------------------------------------------------------------------------------------------------

def _handler(function: Function, layout: Layout) -> str | None:
    """The handler string the function project's generator writes (None: leave the function's own)."""
    assembly = layout.assemblies[function.architecture]
    if layout.executable:
        return assembly
    method = next((m for c in layout.classes for m in c.methods if function in m.functions), None)
    if method is not None:
        return f"{assembly}::{method.generated_type}::{method.name}"
    if function.handler and "::" in function.handler:
        return assembly + function.handler[function.handler.index("::"):]
    return None


def _retarget_apps(target: SplitTarget, projects: dict[str, FunctionProject], moved_to: dict[str, FunctionProject],
                   result: Plan) -> list:
    """CDK apps and serverless.yml that build the project: each function is deployed from the project its handler
    type moved to (the one whose generator owns it), else from its architecture's project."""
    def home(function) -> FunctionProject:
        ref = HandlerRef.parse(function.handler)
        return (moved_to.get(ref.type_name) if ref is not None else None) or projects[function.architecture]

    def handler(function) -> str | None:
        ref = HandlerRef.parse(function.handler)
        fp = home(function)
        return ref.with_assembly(fp.name, function.handler) if ref is not None and ref.type_name in moved_to \
            else None

    per_document: dict[int, tuple] = {}
    for unit in target.units:
        if unit.source == "sam":
            continue
        edited, decisions = retarget_unit(unit, {a: fp.folder for a, fp in projects.items()}, handler, result.root,
                                          folder_for=lambda function: home(function).folder)
        for document, edits in edited:
            per_document.setdefault(id(document), (document, []))[1].extend(edits)
        result.decisions.extend(d for d in decisions if d not in result.decisions)
    return list(per_document.values())


def _split_templates(target: SplitTarget, projects: dict[str, FunctionProject], layout: Layout,
                     result: Plan) -> tuple[list[tuple[Template, list[Edit]]], list[TemplateSplit]]:
    templates: dict[int, tuple[Template, list]] = {}
    for unit in target.units:
        if unit.source == "sam":
            templates.setdefault(id(unit.template), (unit.template, []))[1].append(unit)
    moved_to = {m.generated_type: projects[m.architecture] for c in layout.classes for m in c.methods}
    moved_to.update({d.full_name: fp for fp in projects.values() for d in fp.moved})
    staying: list[tuple[Template, list[Edit]]] = _retarget_apps(target, projects, moved_to, result)
    splits = []
    for template, units in templates.values():
        homes: dict[str, str] = {}
        edits: dict[str, list[Edit]] = {}
        staying_edits: list[Edit] = []
        for unit in units:
            for function in unit.functions:
                fp = projects[function.architecture]
                if function.managed_by_annotations:
                    homes[function.logical_id] = function.architecture
                    edits.setdefault(function.architecture, []).extend(
                        owned_function_edits(template, function, _handler(function, layout)))
                else:
                    staying_edits += function_edits(template, function, fp, moved_to, unit.code_uri)
        if not homes:
            staying.append((template, staying_edits))
            continue
        split = split_template(template, homes, edits, staying_edits)
        splits.append(split)
        template_changes(split, projects, result)
        if not split.retired:
            staying.append((template, split.original_edits))
    return staying, splits
