"""The invariants over files and projects: every original file's bytes are in the planned tree, every path a
consumer names exists there, project references form no cycle, and no library gains a reference to a function
project; every type and method of a split project is still declared."""

from __future__ import annotations

import os
import re
from pathlib import Path

from splitter.changes.changeset import ChangeSet, Create, Move
from splitter.discover import DEFAULTS_FILE, SOLUTION_SUFFIXES, read_defaults
from splitter.errors import SplitterError
from splitter.model.msbuild import PROJECT_SUFFIXES, load_solution
from splitter.proof.loaded import Failure, PlannedUnit
from splitter.proof.tree import PlannedSources, PlannedTree

_USING = re.compile(rb"(?m)^[ \t]*(?:global[ \t]+)?using[ \t]+[\w.]+[ \t]*;[ \t]*\r?\n")


def read_bytes(model) -> "dict[str, _Raw]":
    """The bytes the model's readers hold, by relative path: what the plan's changes must start from."""
    root = model.workspace.root
    prefix = str(root) + os.sep
    held: dict[str, object] = {}

    def add(path: Path, source) -> None:
        text = str(path)
        if path.is_absolute() and text.startswith(prefix) and ".." not in text:
            held.setdefault(text[len(prefix):].replace(os.sep, "/"), source)
            return
        try:
            held.setdefault(path.resolve().relative_to(root).as_posix(), source)
        except ValueError:
            pass
    for template in model.analysis.templates:
        add(template.path, template.source)
    for document in model.analysis.apps:
        add(document.path, document.source)
    for project in (model.projects.projects.values() if model.projects is not None else ()):
        add(project.path, project.source)
    for solution in model.solutions:
        add(solution.path, solution.source)
    for target in model.targets:
        for source in (target.source, *target.referencing):
            for cs in source.files:
                add(cs.path, cs.source)
    return {rel: _Raw(source) for rel, source in held.items()}


class _Raw:
    """A reader's bytes, encoded when first compared (most held files are never changed)."""
    __slots__ = ("source",)

    def __init__(self, source):
        self.source = source

    def __eq__(self, other) -> bool:
        return self.source.raw == other

    def __ne__(self, other) -> bool:
        return not self == other

    __hash__ = None


def bytes_kept(changes: ChangeSet, model, tree: PlannedTree) -> list[Failure]:
    """Each change starts from the bytes that were read; nothing is created over a file that exists; a moved C# file
    keeps its bytes but for using directives; a file's bytes are lost only where the plan edits it."""
    failures = []
    held = read_bytes(model)
    sources = {c.source for c in changes.changes if isinstance(c, Move)}
    # An Amazon.Lambda.Annotations class is split member by member between the function projects; what it keeps is
    # checked by types_kept. Other moved C# files keep every byte but their using directives.
    annotations = tuple(tree.rel(t.project.folder) + "/" for t in model.targets if _annotations(t))
    for change in changes.changes:
        if isinstance(change, Create):
            if change.path in model.existing and change.path not in sources:
                failures.append(Failure("bytes-kept", f"the plan creates {change.path} over a file that exists"))
            continue
        path = change.source if isinstance(change, Move) else change.path
        if path not in model.existing:
            failures.append(Failure("bytes-kept", f"the plan changes {path}, which does not exist"))
        elif path in held and held[path] != change.before:
            failures.append(Failure("bytes-kept", f"the plan starts {path} from bytes other than those read"))
        if isinstance(change, Move):
            if change.target in model.existing and change.target not in sources:
                failures.append(Failure("bytes-kept", f"the plan moves {change.source} over {change.target}, "
                                                      "which exists"))
            if change.source.lower().endswith(".cs") and not change.source.startswith(annotations) and \
                    not _same_but_usings(change.before, change.after):
                failures.append(Failure("bytes-kept", f"{change.source} moves to {change.target} with changes "
                                                      "beyond its using directives"))
    return failures


def _same_but_usings(before: bytes, after: bytes) -> bool:
    """The two texts differ in using directives at most (most moves keep every byte: no regex then)."""
    return before == after or _USING.sub(b"", before) == _USING.sub(b"", after)


def _annotations(target) -> bool:
    return target.project.has_package("Amazon.Lambda.Annotations") or \
        any(f.managed_by_annotations or "_Generated::" in (f.handler or "") for u in target.units for f in u.functions)


def consumers_resolve(model, tree: PlannedTree, sources: PlannedSources) -> list[Failure]:
    """Every path a file the plan writes names exists in the planned tree: project references, solution entries,
    a defaults file's template. A path the file named before, as written, is not the plan's to fix."""
    failures = []
    solutions = {tree.rel(s.path): {e.include for e in s.projects} for s in model.solutions}
    for rel in sorted(tree.written):
        path = tree.path(rel)
        suffix = path.suffix.lower()
        if suffix in PROJECT_SUFFIXES:
            project = sources.project(path)
            if project is None:
                failures.append(Failure("project-loads", f"the planned {rel} does not load"))
                continue
            before = _references_before(model, rel, path)
            for reference in project.project_references:
                if reference.include not in before and not tree.is_file(reference.path):
                    failures.append(Failure("consumer-path", f"{rel} references {reference.include}, which the "
                                                             "planned tree does not hold"))
        elif suffix in SOLUTION_SUFFIXES:
            try:
                solution = load_solution(path, tree.planned_text(path))
            except SplitterError as error:
                failures.append(Failure("project-loads", f"the planned {rel} does not load: {error.message}"))
                continue
            for entry in solution.projects:
                if entry.path.suffix.lower() in PROJECT_SUFFIXES and not tree.is_file(entry.path) and \
                        entry.include not in solutions.get(rel, ()):
                    failures.append(Failure("consumer-path", f"{rel} lists {entry.include}, which the planned tree "
                                                             "does not hold"))
        elif path.name == DEFAULTS_FILE:
            try:
                data = read_defaults(path, tree.planned_text(path))
            except SplitterError as error:
                failures.append(Failure("consumer-path", f"the planned {rel} does not load: {error.message}"))
                continue
            named = data.get("template")
            if isinstance(named, str) and named and not tree.is_file(path.parent / named):
                failures.append(Failure("consumer-path", f"{rel} names the template {named}, which the planned "
                                                         "tree does not hold"))
    return failures


def _references_before(model, rel: str, path: Path) -> set[str]:
    if rel not in model.existing or model.projects is None:
        return set()
    try:
        return {r.include for r in model.projects.get(path).project_references}
    except SplitterError:
        return set()


def references_sound(model, tree: PlannedTree, sources: PlannedSources, units: list[PlannedUnit]) -> list[Failure]:
    """Project references form no cycle, and no library references a function project it did not reference."""
    failures = []
    function_projects = {Path(str(u.project)).resolve() for u in units if u.project is not None}
    for target in model.targets:
        library = sources.project(target.project.path)
        if library is None:
            failures.append(Failure("project-loads", f"the library {target.project.name} does not load in the "
                                                     "planned tree"))
            continue
        before = {r.path.resolve() for r in target.project.project_references}
        for reference in library.project_references:
            if reference.path.resolve() in function_projects and reference.path.resolve() not in before:
                failures.append(Failure("library-references", f"the library {target.project.name} references the "
                                                              f"function project {reference.include}"))
    written = [tree.path(rel) for rel in sorted(tree.written) if Path(rel).suffix.lower() in PROJECT_SUFFIXES]
    cycle = _cycle(written, sources)
    if cycle:
        failures.append(Failure("no-cycle", "project references form a cycle: " +
                                " -> ".join(tree.rel(p) or str(p) for p in cycle)))
    return failures


def _cycle(starts: list[Path], sources: PlannedSources) -> list[Path] | None:
    state: dict[Path, int] = {}              # 1: on the path being walked, 2: done

    def walk(path: Path, trail: list[Path]) -> list[Path] | None:
        key = path.resolve()
        if state.get(key) == 1:
            return trail[[p.resolve() for p in trail].index(key):] + [path]
        if state.get(key) == 2:
            return None
        state[key] = 1
        project = sources.project(path)
        for reference in (project.project_references if project is not None else []):
            found = walk(reference.path, trail + [path])
            if found:
                return found
        state[key] = 2
        return None
    for start in starts:
        found = walk(start, [])
        if found:
            return found
    return None


def types_kept(model, tree: PlannedTree, sources: PlannedSources) -> list[Failure]:
    """Every type and method a split project declared is declared somewhere in the planned tree. A file the plan
    leaves alone, or moves with the same bytes but for using directives (which declare nothing), declares the same
    before and after, so only the types of files it edits, creates or removes otherwise are asked about, and only
    the files that hold one of their names as a word are read (their methods on demand)."""
    conserved_from, conserved_to = set(), set()
    for change in tree.moves:
        if change.source.lower().endswith(".cs") and _same_but_usings(change.before, change.after):
            conserved_from.add(change.source)
            conserved_to.add(change.target)
    changed_rels = (set(tree.written) | tree.removed) - conserved_from - conserved_to
    changed = lambda cs: tree.rel(cs.path) in changed_rels  # noqa: E731
    conserved = lambda cs: tree.rel(cs.path) in conserved_from  # noqa: E731
    touched = [cs for target in model.targets for cs in target.source.files if changed(cs)]
    asked = {decl.full_name for cs in touched for decl in cs.all_types()}
    if not asked:
        return []
    words = {name.rsplit(".", 1)[-1] for name in asked}
    touched_ids = {id(cs) for cs in touched}
    kept = [cs for target in model.targets for cs in target.source.files_with(*words)
            if id(cs) not in touched_ids and not conserved(cs)]
    written = [sources.declarations(tree.path(rel)) for rel in sorted(tree.written)
               if rel.lower().endswith(".cs") and rel not in conserved_to]

    def methods(group) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for cs in group:
            for decl in cs.all_types():
                if decl.full_name in asked:
                    found.setdefault(decl.full_name, set()).update(m.name for m in decl.methods)
        return found

    before = methods(touched + kept)
    after = methods([*kept, *(cs for cs in written if cs is not None)])
    failures = []
    for name in sorted(before):
        if name not in after:
            failures.append(Failure("nothing-lost", f"type {name} is declared nowhere in the planned tree"))
            continue
        for method in sorted(before[name] - after[name]):
            failures.append(Failure("nothing-lost", f"method {name}.{method} is declared nowhere in the planned "
                                                    "tree"))
    return failures
