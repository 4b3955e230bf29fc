"""The migration plan: a pure function from the loaded model to what moves where and every edit, as a ChangeSet.

No I/O here. For each project that builds functions of both architectures: the project stays as the shared library,
one function project per architecture is created next to it, handler types used by one architecture only move
there, and the template, solutions and test projects are edited in place. The steps live beside this module, one a
file; the Amazon.Lambda.Annotations split (plan/annotations/) calls the same steps through their public names.
"""

from __future__ import annotations

from pathlib import Path

from splitter.changes.changeset import ChangeSet, Modify
from splitter.changes.edits import Edit, apply_edits
from splitter.errors import SplitterError
from splitter.graph.migration import MigrationModel
from splitter.model.msbuild import Solution, SolutionProject
from splitter.model.template import Template
from splitter.model.textfile import encode
from splitter.plan.handlers import place_handlers
from splitter.plan.sources import move_sources
from splitter.plan.layout import function_projects
from splitter.plan.library import edit_library, edit_tests
from splitter.plan.projects import create_projects, reference_separator
from splitter.plan.solutions import add_to_solution
from splitter.plan.result import Decision, Options, Plan
from splitter.plan.annotations.classes import is_annotations_project
from splitter.plan.annotations.split import split_project
from splitter.plan.templates import template_edits


def plan(model: MigrationModel, options: Options = Options()) -> Plan:
    root = model.workspace.root
    result = Plan(root=root, changes=ChangeSet(root))
    by_template: dict[int, tuple[Template, list[Edit]]] = {}
    sln_additions: dict[int, tuple[Solution, list[tuple[SolutionProject, str, Path]]]] = {}
    reference_style = reference_separator(model)
    for target in model.targets:
        projects = function_projects(target, options, root, model.existing)
        result.split.append((target, projects))
        if is_annotations_project(target):
            # The source generator owns the template: plan/annotations/ splits classes and templates.
            for template, edits in split_project(target, projects, result, root, reference_style):
                by_template.setdefault(id(template), (template, []))[1].extend(edits)
        else:
            place_handlers(target, projects, result)
            move_sources(target, projects, result, root)
            create_projects(target, projects, result, root, reference_style)
            edit_library(target, projects, result, root)
            edit_tests(target, projects, result, root)
            for template, edits in template_edits(target, projects, result):
                by_template.setdefault(id(template), (template, []))[1].extend(edits)
        for solution in model.solutions:
            entry = next((p for p in solution.projects if p.path.resolve() == target.project.path.resolve()), None)
            if entry is not None:
                additions = sln_additions.setdefault(id(solution), (solution, []))[1]
                additions.extend((entry, fp.name, fp.csproj) for fp in projects.values())
    for template, edits in by_template.values():
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
