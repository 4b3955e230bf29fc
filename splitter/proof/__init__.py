"""The self-check: before `migrate` writes (or prints a dry run's patch) it proves its plan, as black proves that a
reformatted file has the same AST. The planned tree (the files read, overlaid with the change set) is loaded with the
same readers and checked against the input: functions, properties and architectures kept, one architecture per build
unit, handlers resolving, generator-owned functions deployed from their generator's project, consumers' paths
present, original bytes kept, references sound. A failure is a bug of lambda-split.

Layering: proof/ reads model/, graph/ and the change set; commands/migrate.py calls it; plan/ never imports it.
"""

from __future__ import annotations

from splitter.graph.handlers import DiskSources
from splitter.proof import checks, files
from splitter.proof.loaded import Failure, planned_apps, planned_templates, planned_units
from splitter.proof.tree import PlannedSources, PlannedTree
from splitter.graph.units import ProjectCache

__all__ = ["Failure", "prove"]


def prove(model, result) -> list[Failure]:
    """Every broken invariant of the plan `result` made from `model` (a MigrationModel), in a stable order; [] when
    the plan keeps them all."""
    if model.projects is None:
        model.projects = ProjectCache(model.workspace)
    tree = PlannedTree(model.workspace.root, model.existing, result.changes)
    sources = PlannedSources(tree, model.projects)
    before = model.disk_sources if isinstance(model.disk_sources, DiskSources) else DiskSources(model.projects)
    for target in model.targets:
        for source in (target.source, *target.referencing):
            sources.seed_unchanged(source.files, source.words)
            before.seed(source.files)
    sources.adopt_unchanged_names(before)
    sources.seed_moved(model)
    failures: list[Failure] = files.bytes_kept(result.changes, model, tree)
    templates = planned_templates(model, tree, failures)
    apps = planned_apps(model, tree, failures)
    failures += checks.functions_kept([*model.analysis.templates, *model.analysis.apps], [*templates, *apps])
    failures += checks.resources_kept(model.analysis.templates, templates)
    units = planned_units(templates, apps, tree, failures)
    failures += checks.units_sound(units, model, tree)
    failures += checks.handlers_resolve(units, model, tree, sources, before)
    failures += checks.generator_owns(units, templates, tree, sources, model)
    failures += files.consumers_resolve(model, tree, sources)
    failures += files.references_sound(model, tree, sources, units)
    failures += files.types_kept(model, tree, sources)
    return failures
