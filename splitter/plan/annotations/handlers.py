"""Handlers of an Annotations project that are not Annotations ones, the other code that uses moved classes, the
test projects that need the function projects, and the summary of the split."""

from __future__ import annotations


from splitter.errors import SplitterError
from splitter.graph.migration import SourceProject, SplitTarget
from splitter.model.csharp import TypeDecl
from splitter.model.template import Function
from splitter.plan.handlers import HandlerRef, outer_of, why_shared
from splitter.plan.result import Decision, FunctionProject, Plan
from splitter.plan.annotations.classes import Layout


# -- handlers that are not Annotations ones ------------------------------------------------------------------------

def place_classic_handlers(target: SplitTarget, projects: dict[str, FunctionProject], layout: Layout,
                            result: Plan) -> None:
    """Functions the generator does not own keep the generic rule: a handler type one architecture uses moves."""
    annotated = {c.decl for c in layout.classes} | set(layout.startups)
    by_name = {d.full_name: d for cs in target.source.files for d in cs.all_types()}
    users: dict[TypeDecl, list[Function]] = {}
    for unit in target.units:
        for function in unit.functions:
            ref = HandlerRef.parse(function.handler)
            if function.managed_by_annotations or ref is None or ref.assembly != target.project.assembly_name:
                continue
            decl = by_name.get(ref.type_name)
            while decl is not None and not decl.top_level:
                decl = outer_of(decl, target.source)
            if decl is not None and decl not in annotated:
                users.setdefault(decl, []).append(function)
    for decl, functions in users.items():
        archs = sorted({f.architecture for f in functions})
        reason = why_shared(decl, archs, target)
        if reason:
            result.decisions.append(Decision("shared", decl.full_name,
                                                  f"stays in {target.project.name}: {reason}"))
            continue
        projects[archs[0]].moved.append(decl)
        result.decisions.append(Decision("move", decl.full_name, f"moves to {projects[archs[0]].name}: only "
                                                                      f"{archs[0]} functions use it"))


def check_other_code(target: SplitTarget, projects: dict[str, FunctionProject], layout: Layout) -> None:
    """The library cannot see the function projects: nothing that stays may use a class that leaves it."""
    leaving = {c.decl: c for c in layout.classes}
    leaving.update({s: None for s in layout.startups})
    for fp in projects.values():
        leaving.update({d: None for d in fp.moved})
    index = target.symbols
    index.ask({d.name for d in leaving})
    for decl in leaving:
        for use in index.uses_of(decl, target.source.files):
            other = _top_level(use.user)
            if other is decl:
                continue
            if other in leaving and _same_home(decl, other, layout, projects):
                continue
            user = other.full_name if other is not None else use.who
            name = other.name if other is not None else use.file.path.name
            raise SplitterError(f"{user} uses {decl.full_name}, which leaves {target.project.name} "
                                f"for the function project{'s' if decl not in _moved(projects) else ''} "
                                f"({use.text}{'; ' + use.note if use.note else ''})",
                                use.file.path, use.line,
                                hint=f"move what {name} needs from {decl.name} into a class of the "
                                     "library, then run again")
        for other in target.referencing:
            if other.is_test:
                continue
            for use in index.uses_of(decl, other.files):
                raise SplitterError(f"project {other.project.name} uses {decl.full_name}, which leaves "
                                    f"{target.project.name} for the function projects ({use.text})", use.file.path,
                                    use.line, hint=f"move what it needs from {decl.name} into the library, then "
                                                   "run again")


def _top_level(decl: TypeDecl | None) -> TypeDecl | None:
    """The top-level type a use sits in (the old check compared top-level types only)."""
    while decl is not None and not decl.top_level:
        decl = next((t for t in decl.file.all_types() if decl in t.nested), None)
    return decl


def _moved(projects: dict[str, FunctionProject]) -> set[TypeDecl]:
    return {d for fp in projects.values() for d in fp.moved}


def _homes(decl: TypeDecl, layout: Layout, projects: dict[str, FunctionProject]) -> set[str]:
    for placement in layout.classes:
        if placement.decl is decl:
            return {placement.whole} if placement.whole else set(projects)
    for arch, fp in projects.items():
        if decl in fp.moved:
            return {arch}
    return set(projects)                         # startups go everywhere


def _same_home(decl: TypeDecl, user: TypeDecl, layout: Layout, projects: dict[str, FunctionProject]) -> bool:
    used_where, user_where = _homes(decl, layout, projects), _homes(user, layout, projects)
    whole = {c.decl for c in layout.classes if c.whole} | _moved(projects) | set(layout.startups)
    return user_where <= used_where and (decl in whole or len(used_where) == 1)


def test_references(target: SplitTarget, projects: dict[str, FunctionProject],
                     layout: Layout) -> list[tuple[SourceProject, list[FunctionProject]]]:
    """The function projects each test project needs. Copies share their names, so a test project that needs both
    projects must not name a class both have."""
    found = []
    index = target.symbols                # which types a test uses is bound, as the compiler would
    for other in target.referencing:
        needed: set[str] = set()
        named_twice = []
        for placement in layout.classes:
            if not index.uses_of(placement.decl, other.files):
                continue
            if placement.whole:
                needed.add(placement.whole)
                continue
            named_twice.append(placement.decl.full_name)
            names = {arch: {n for m in part for n in m.names} for arch, part in placement.parts.items()}
            shared = set.intersection(*names.values())
            needed |= {arch for arch, own in names.items() if any(other.uses(n) for n in own - shared)}
        for startup in layout.startups:
            if index.uses_of(startup, other.files):
                named_twice.append(startup.full_name)
        for arch, fp in projects.items():
            if any(index.uses_of(d, other.files) for d in fp.moved):
                needed.add(arch)
        if named_twice and not needed:
            needed.add(next(iter(projects)))
        if len(needed) > 1 and named_twice:
            raise SplitterError(
                f"test project {other.project.name} uses {', '.join(named_twice)} with members of both "
                "architectures; after the split each function project has its own class of that name, and one "
                "project cannot reference both", other.project.path,
                hint="move the tests of one architecture into a test project of their own, then run again")
        if needed:
            found.append((other, [fp for arch, fp in projects.items() if arch in needed]))
    return found


# -- summary ------------------------------------------------------------------------------------------------------------

def report(target: SplitTarget, projects: dict[str, FunctionProject], layout: Layout,
            result: Plan) -> None:
    decisions = result.decisions
    for placement in layout.classes:
        name = placement.decl.full_name
        if placement.whole:
            fp = projects[placement.whole]
            decisions.append(Decision("move", name, f"moves whole to {fp.name}: all its [LambdaFunction] "
                                                         f"methods run on {placement.whole}"))
            continue
        copies = "; ".join(f"{projects[arch].name} gets " + ", ".join(
            m.name for m in placement.methods if m.architecture == arch) for arch in projects)
        decisions.append(Decision("split", name, f"is split into one copy per function project, same "
                                                      f"namespace and name (handler types and logical IDs "
                                                      f"unchanged): {copies}"))
        for member, why in placement.duplicated.items():
            label = "constructor" if member.kind == "constructor" else "/".join(member.names) or member.kind
            decisions.append(Decision("duplicate", f"{name}.{label}", f"is in both copies: {why}"))
    for startup in layout.startups:
        decisions.append(Decision(
            "copy", startup.full_name, "([LambdaStartup]) is copied into " + " and ".join(
                fp.name for fp in projects.values()) + " so that dependency injection works in each; the library "
            "drops it (without the generator it does nothing there, and one name in two assemblies would be "
            "ambiguous)"))
    for cs in {c.decl.file for c in layout.classes} | {s.file for s in layout.startups}:
        leaving = [t.name for t in cs.types if t in {c.decl for c in layout.classes} or t in layout.startups]
        for other in cs.types:
            if other.name not in leaving:
                decisions.append(Decision("note", other.full_name, f"stays in {target.project.name}, the "
                                                                        f"shared library (declared in "
                                                                        f"{cs.path.name} beside "
                                                                        f"{', '.join(leaving)})"))
    for function in layout.stale:
        decisions.append(Decision("note", function.logical_id, f"matches no [LambdaFunction] method: it goes "
                                                                    f"to {projects[function.architecture].name}'s "
                                                                    "template, whose generator deletes it at the "
                                                                    "next build (delete it now if it is stale)"))
    unplaced = [m for c in layout.classes for m in c.methods if not m.functions]
    for method in unplaced:
        decisions.append(Decision("note", f"{method.owner.full_name}.{method.name}",
                                       f"has no function in the template yet: it goes to {projects['x86_64'].name}, "
                                       "whose generator adds its resource (x86_64, the default)"))
