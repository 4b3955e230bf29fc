"""Amazon.Lambda.Annotations projects in `migrate`: which [LambdaFunction] methods, class members and [LambdaStartup]
classes each function project needs, and the plan step that splits such a project (sources, templates, projects).

The source generator of a project writes the resources of the [LambdaFunction] methods compiled into it, in the
template its aws-lambda-tools-defaults.json names, and deletes the resources it owns but no longer finds. So each
function project gets the class under the same namespace and name (handler types and logical IDs stay the same)
with only its architecture's methods and the members they need, its own template and its own stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from splitter.plan.annotations import projects as annotations_projects
from splitter.plan import planner as base
from splitter.plan import usings
from splitter.plan.annotations.projects import PACKAGE
from splitter.plan.annotations.template import TemplateSplit, owned_function_edits, split_template, template_changes
from splitter.changes.changeset import Create, Modify, Move
from splitter.changes.edits import Edit, line_start, remove_spans
from splitter.errors import SplitterError
from splitter.graph.migration import SourceProject, SplitTarget
from splitter.model.csharp import CsFile, MemberDecl, TypeDecl, named_argument
from splitter.model.template import Function, Template
from splitter.model.textfile import encode

GENERATED = re.compile(r"^(?P<type>.+)_(?P<method>[A-Za-z_][A-Za-z0-9_]*)_Generated$")


def is_annotations_project(target: SplitTarget) -> bool:
    """The package, a resource the generator owns, or a handler in the generator's `_Generated` form; built from
    SAM templates (a CDK app or serverless.yml deploys the generated handlers as plain ones)."""
    if any(getattr(unit, "source", "sam") != "sam" for unit in target.units):
        return False
    if target.project.has_package(PACKAGE):
        return True
    functions = [f for unit in target.units for f in unit.functions]
    return any(f.managed_by_annotations for f in functions) or any(
        (ref := base.HandlerRef.parse(f.handler)) is not None and GENERATED.match(ref.type_name) for f in functions)


# -- the model of a split -------------------------------------------------------------------------------------------

@dataclass(eq=False)
class LambdaMethod:
    owner: TypeDecl
    member: MemberDecl
    functions: list[Function] = field(default_factory=list)
    architecture: str = "x86_64"

    @property
    def name(self) -> str:
        return self.member.name

    @property
    def generated_type(self) -> str:
        return f"{self.owner.full_name}_{self.name}_Generated"

    @property
    def resource_name(self) -> str:
        explicit = named_argument(self.member.attribute_arguments.get("LambdaFunction", ""), "ResourceName")
        return explicit or re.sub(r"[^A-Za-z0-9]", "", self.generated_type)


@dataclass(eq=False)
class ClassPlacement:
    """A class with [LambdaFunction] methods: moved whole to one project, or split into one copy per architecture."""
    decl: TypeDecl
    methods: list[LambdaMethod]
    parts: dict[str, list[MemberDecl]] = field(default_factory=dict)      # architecture -> members of that copy
    duplicated: dict[MemberDecl, str] = field(default_factory=dict)       # member in several copies -> why

    @property
    def whole(self) -> str | None:
        archs = {m.architecture for m in self.methods}
        return archs.pop() if len(archs) == 1 else None


@dataclass
class Layout:
    classes: list[ClassPlacement]
    startups: list[TypeDecl]
    executable: bool
    assemblies: dict[str, str]                  # architecture -> the function project's assembly name
    stale: list[Function] = field(default_factory=list)    # owned functions no [LambdaFunction] method generates
    namespaces: usings.Namespaces | None = None  # which of the project's namespaces exist where, after the split


# -- step -------------------------------------------------------------------------------------------------------------

def split_project(target: SplitTarget, projects: dict[str, base.FunctionProject], result: base.Plan, root: Path,
                  separator: str) -> list[tuple[Template, list[Edit]]]:
    """Plan the split of one Annotations project into `result`; return the edits of templates that stay."""
    _refuse_unsupported(target)
    layout = analyze(target, projects)
    _place_classic_handlers(target, projects, layout, result)
    _check_other_code(target, projects, layout)
    tests = _test_references(target, projects, layout)
    _report(target, projects, layout, result)
    _move_sources(target, projects, layout, result)
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
                                "package", project.path,
                                hint="reference the Amazon.Lambda.Annotations package, or split by hand")
    templates = {f.template_path for u in target.units for f in u.functions if f.managed_by_annotations}
    if len(templates) > 1:
        raise SplitterError("the project's Annotations functions are kept in more than one template: "
                            + ", ".join(sorted(p.name for p in templates)), project.path,
                            hint="the generator writes one template per project; remove the stale one first")


def _builds(unit, project) -> bool:
    return unit.project.path.resolve() == project.path.resolve()


def analyze(target: SplitTarget, projects: dict[str, base.FunctionProject]) -> Layout:
    """Which architecture each [LambdaFunction] method serves, and which members each copy of its class keeps."""
    source = target.source
    methods = _lambda_methods(source)
    executable = _is_executable(target)
    _match_functions(target, methods, executable)
    classes: dict[TypeDecl, ClassPlacement] = {}
    for method in methods:
        classes.setdefault(method.owner, ClassPlacement(method.owner, [])).methods.append(method)
    for placement in classes.values():
        _refuse_partial(placement.decl, source)
        if placement.whole is None:
            _refuse_interface_functions(placement, source)
            _split_members(placement, [a for a in projects])
    startups = [t for cs in source.files for t in cs.types if "LambdaStartup" in t.attributes]
    assemblies = {arch: fp.name for arch, fp in projects.items()}
    if executable and target.project.own_properties.get("AssemblyName"):
        assemblies = {arch: target.project.own_properties["AssemblyName"] for arch in projects}
    matched = {id(f) for m in methods for f in m.functions}
    stale = [f for u in target.units for f in u.functions if f.managed_by_annotations and id(f) not in matched]
    return Layout(list(classes.values()), startups, executable, assemblies, stale)


def _lambda_methods(source: SourceProject) -> list[LambdaMethod]:
    found = []
    for cs in source.files:
        for decl in cs.all_types():
            for member in decl.members:
                if member.kind == "method" and "LambdaFunction" in member.attributes:
                    if not decl.top_level:
                        raise SplitterError(f"[LambdaFunction] {member.name} is declared in the nested class "
                                            f"{decl.full_name}", cs.path, cs.source.line_of(member.start),
                                            hint="Amazon.Lambda.Annotations expects top-level classes")
                    found.append(LambdaMethod(decl, member))
    return found


def _is_executable(target: SplitTarget) -> bool:
    handlers = [f.handler for u in target.units for f in u.functions if f.handler]
    if target.project.output_type.lower() != "exe" and all("::" in h for h in handlers):
        return False
    generates_main = any(a.name == "LambdaGlobalProperties" and re.search(r"GenerateMain\s*=\s*true", a.argument)
                         for cs in target.source.files for a in cs.assembly_attributes)
    if not generates_main:
        raise SplitterError("this Annotations project is an executable with a hand-written Main, which picks the "
                            "function for functions of both architectures; lambda-split cannot split that Main "
                            "without risking a package that does not start", target.project.path,
                            hint="let Amazon.Lambda.Annotations write Main "
                                 "([assembly: LambdaGlobalProperties(GenerateMain = true)]), or split by hand")
    return True


def _match_functions(target: SplitTarget, methods: list[LambdaMethod], executable: bool) -> None:
    by_handler = {(m.generated_type, m.name): m for m in methods}
    by_resource = {m.resource_name: m for m in methods}
    for unit in target.units:
        for function in unit.functions:
            method = by_resource.get(function.logical_id)
            ref = base.HandlerRef.parse(function.handler)
            if ref is not None and (ref.type_name, ref.method) in by_handler:
                method = by_handler[(ref.type_name, ref.method)]
            if executable and method is None:
                name = _environment(function, "ANNOTATIONS_HANDLER")
                method = next((m for m in methods if m.name == name), None)
            if method is not None:
                method.functions.append(function)
    for method in methods:
        archs = sorted({f.architecture for f in method.functions})
        if len(archs) > 1:
            names = ", ".join(f"{f.logical_id} ({f.architecture})" for f in method.functions)
            raise SplitterError(f"{method.owner.full_name}.{method.name} serves functions of both architectures "
                                f"({names}); its generated handler can live in one project only",
                                method.owner.file.path, method.owner.file.source.line_of(method.member.start),
                                hint="give those functions one architecture, or one [LambdaFunction] method each")
        method.architecture = archs[0] if archs else "x86_64"


def _environment(function: Function, name: str) -> str | None:
    node = function.properties.path("Environment", "Variables", name) if function.properties is not None else None
    return str(node.value) if node is not None and node.kind == "scalar" else None


def _refuse_partial(decl: TypeDecl, source: SourceProject) -> None:
    if not decl.is_partial:
        return
    others = [cs for cs in source.files if cs is not decl.file and any(
        t.full_name == decl.full_name for t in cs.all_types())]
    if others:
        raise SplitterError(f"the [LambdaFunction] class {decl.full_name} is partial, declared in "
                            f"{decl.file.path.name} and {others[0].path.name}", decl.file.path,
                            decl.file.source.line_of(decl.start), hint="merge its parts into one file first")


def _refuse_interface_functions(placement: ClassPlacement, source: SourceProject) -> None:
    """A class split by architecture cannot keep implementing an interface of the project that declares
    [LambdaFunction] methods of both architectures."""
    bases = {b.split("<")[0].split(".")[-1] for b in placement.decl.bases}
    for cs in source.files:
        for decl in cs.all_types():
            if decl.kind != "interface" or decl.name not in bases:
                continue
            declared = {n for m in decl.members for n in m.names}
            archs = {m.architecture for m in placement.methods if m.name in declared}
            if len(archs) > 1:
                raise SplitterError(f"{placement.decl.full_name} implements {decl.name}, which declares "
                                    "[LambdaFunction] methods of both architectures; neither copy could implement it",
                                    cs.path, cs.source.line_of(decl.start),
                                    hint=f"split {decl.name} by architecture, or drop it from the class, then run "
                                         "again")


def _split_members(placement: ClassPlacement, architectures: list[str]) -> None:
    """Each copy keeps its architecture's [LambdaFunction] methods and what they need, transitively; every
    constructor (the generated handlers construct the class) and what it assigns; what may implement the class's
    base list (overrides, interface members); members no method needs go into every copy so that nothing is lost."""
    members = placement.decl.members
    lambda_members = {m.member: m for m in placement.methods}
    plain = [m for m in members if m not in lambda_members]
    always = [m for m in plain if m.kind in ("constructor", "destructor") or _may_implement(m, placement.decl)]

    def needs(member: MemberDecl) -> list[MemberDecl]:
        return [other for other in plain if other is not member and member.uses.intersection(other.names)]

    def reach(seeds: list[MemberDecl]) -> list[MemberDecl]:
        seen: list[MemberDecl] = []
        queue = list(seeds)
        while queue:
            member = queue.pop(0)
            if member in seen:
                continue
            seen.append(member)
            queue.extend(needs(member))
        return seen

    reasons: dict[MemberDecl, dict[str, list[str]]] = {}
    for method in placement.methods:
        for member in reach([method.member])[1:]:
            reasons.setdefault(member, {}).setdefault(method.architecture, []).append(method.name)
    used = set(reach(always + [m.member for m in placement.methods]))
    orphans = [m for m in plain if m not in used]
    for arch in architectures:
        seeds = [m.member for m in placement.methods if m.architecture == arch] + always + orphans
        kept = set(reach(seeds))
        placement.parts[arch] = [m for m in members if m in kept]
    for member in plain:
        if sum(member in part for part in placement.parts.values()) < 2:
            continue
        placement.duplicated[member] = _why_duplicated(member, reasons.get(member, {}), always, orphans)


def _may_implement(member: MemberDecl, decl: TypeDecl) -> bool:
    """Overrides and interface implementations: a copy without them may not compile against the base list."""
    if member.explicit_interface or "override" in member.modifiers or "abstract" in member.modifiers:
        return True
    visible = member.modifiers & {"public", "internal", "protected"}
    return bool(decl.bases) and bool(visible) and not member.is_static and \
        member.kind in ("method", "property", "event", "indexer")


def _why_duplicated(member: MemberDecl, users: dict[str, list[str]], always: list[MemberDecl],
                    orphans: list[MemberDecl]) -> str:
    if member.kind in ("constructor", "destructor"):
        return "the generated handlers construct the class, so every copy keeps every constructor"
    if member in always:
        return "it may implement or override a member of the class's base list, which every copy keeps"
    if len(users) > 1:
        return "used by " + " and ".join(f"{', '.join(names)} ({arch})" for arch, names in users.items())
    if any(member.names and set(member.names) & c.assigns for c in always):
        return "the constructor assigns it"
    if member in orphans:
        return "no [LambdaFunction] method uses it; kept in every copy so that nothing is lost"
    return "a member every copy keeps uses it"


# -- handlers that are not Annotations ones ------------------------------------------------------------------------

def _place_classic_handlers(target: SplitTarget, projects: dict[str, base.FunctionProject], layout: Layout,
                            result: base.Plan) -> None:
    """Functions the generator does not own keep the generic rule: a handler type one architecture uses moves."""
    annotated = {c.decl for c in layout.classes} | set(layout.startups)
    by_name = {d.full_name: d for cs in target.source.files for d in cs.all_types()}
    users: dict[TypeDecl, list[Function]] = {}
    for unit in target.units:
        for function in unit.functions:
            ref = base.HandlerRef.parse(function.handler)
            if function.managed_by_annotations or ref is None or ref.assembly != target.project.assembly_name:
                continue
            decl = by_name.get(ref.type_name)
            while decl is not None and not decl.top_level:
                decl = base._outer_of(decl, target.source)
            if decl is not None and decl not in annotated:
                users.setdefault(decl, []).append(function)
    for decl, functions in users.items():
        archs = sorted({f.architecture for f in functions})
        reason = base._why_shared(decl, archs, target)
        if reason:
            result.decisions.append(base.Decision("shared", decl.full_name,
                                                  f"stays in {target.project.name}: {reason}"))
            continue
        projects[archs[0]].moved.append(decl)
        result.decisions.append(base.Decision("move", decl.full_name, f"moves to {projects[archs[0]].name}: only "
                                                                      f"{archs[0]} functions use it"))


def _check_other_code(target: SplitTarget, projects: dict[str, base.FunctionProject], layout: Layout) -> None:
    """The library cannot see the function projects: nothing that stays may use a class that leaves it."""
    leaving = {c.decl: c for c in layout.classes}
    leaving.update({s: None for s in layout.startups})
    for fp in projects.values():
        leaving.update({d: None for d in fp.moved})
    for decl in leaving:
        for cs in target.source.files:
            for other in cs.types:
                if other is decl or not cs.uses(decl.name, None) or not _uses_within(cs, decl.name, other):
                    continue
                if other in leaving and _same_home(decl, other, layout, projects):
                    continue
                raise SplitterError(f"{other.full_name} uses {decl.full_name}, which leaves {target.project.name} "
                                    f"for the function project{'s' if decl not in _moved(projects) else ''}",
                                    cs.path, cs.source.line_of(other.start),
                                    hint=f"move what {other.name} needs from {decl.name} into a class of the "
                                         "library, then run again")
        for other in target.referencing:
            if not other.is_test and other.uses(decl.name):
                raise SplitterError(f"project {other.project.name} uses {decl.full_name}, which leaves "
                                    f"{target.project.name} for the function projects", other.project.path,
                                    hint=f"move what it needs from {decl.name} into the library, then run again")


def _uses_within(cs: CsFile, name: str, decl: TypeDecl) -> bool:
    return any(ident == name for offset, ident in cs.identifiers if decl.start <= offset < decl.end)


def _moved(projects: dict[str, base.FunctionProject]) -> set[TypeDecl]:
    return {d for fp in projects.values() for d in fp.moved}


def _homes(decl: TypeDecl, layout: Layout, projects: dict[str, base.FunctionProject]) -> set[str]:
    for placement in layout.classes:
        if placement.decl is decl:
            return {placement.whole} if placement.whole else set(projects)
    for arch, fp in projects.items():
        if decl in fp.moved:
            return {arch}
    return set(projects)                         # startups go everywhere


def _same_home(decl: TypeDecl, user: TypeDecl, layout: Layout, projects: dict[str, base.FunctionProject]) -> bool:
    used_where, user_where = _homes(decl, layout, projects), _homes(user, layout, projects)
    whole = {c.decl for c in layout.classes if c.whole} | _moved(projects) | set(layout.startups)
    return user_where <= used_where and (decl in whole or len(used_where) == 1)


def _test_references(target: SplitTarget, projects: dict[str, base.FunctionProject],
                     layout: Layout) -> list[tuple[SourceProject, list[base.FunctionProject]]]:
    """The function projects each test project needs. Copies share their names, so a test project that needs both
    projects must not name a class both have."""
    found = []
    for other in target.referencing:
        needed: set[str] = set()
        named_twice = []
        for placement in layout.classes:
            if not other.uses(placement.decl.name):
                continue
            if placement.whole:
                needed.add(placement.whole)
                continue
            named_twice.append(placement.decl.full_name)
            names = {arch: {n for m in part for n in m.names} for arch, part in placement.parts.items()}
            shared = set.intersection(*names.values())
            needed |= {arch for arch, own in names.items() if any(other.uses(n) for n in own - shared)}
        for startup in layout.startups:
            if other.uses(startup.name):
                named_twice.append(startup.full_name)
        for arch, fp in projects.items():
            if any(other.uses(d.name) for d in fp.moved):
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

def _report(target: SplitTarget, projects: dict[str, base.FunctionProject], layout: Layout,
            result: base.Plan) -> None:
    decisions = result.decisions
    for placement in layout.classes:
        name = placement.decl.full_name
        if placement.whole:
            fp = projects[placement.whole]
            decisions.append(base.Decision("move", name, f"moves whole to {fp.name}: all its [LambdaFunction] "
                                                         f"methods run on {placement.whole}"))
            continue
        copies = "; ".join(f"{projects[arch].name} gets " + ", ".join(
            m.name for m in placement.methods if m.architecture == arch) for arch in projects)
        decisions.append(base.Decision("split", name, f"is split into one copy per function project, same "
                                                      f"namespace and name (handler types and logical IDs "
                                                      f"unchanged): {copies}"))
        for member, why in placement.duplicated.items():
            label = "constructor" if member.kind == "constructor" else "/".join(member.names) or member.kind
            decisions.append(base.Decision("duplicate", f"{name}.{label}", f"is in both copies: {why}"))
    for startup in layout.startups:
        decisions.append(base.Decision(
            "copy", startup.full_name, "([LambdaStartup]) is copied into " + " and ".join(
                fp.name for fp in projects.values()) + " so that dependency injection works in each; the library "
            "drops it (without the generator it does nothing there, and one name in two assemblies would be "
            "ambiguous)"))
    for cs in {c.decl.file for c in layout.classes} | {s.file for s in layout.startups}:
        leaving = [t.name for t in cs.types if t in {c.decl for c in layout.classes} or t in layout.startups]
        for other in cs.types:
            if other.name not in leaving:
                decisions.append(base.Decision("note", other.full_name, f"stays in {target.project.name}, the "
                                                                        f"shared library (declared in "
                                                                        f"{cs.path.name} beside "
                                                                        f"{', '.join(leaving)})"))
    for function in layout.stale:
        decisions.append(base.Decision("note", function.logical_id, f"matches no [LambdaFunction] method: it goes "
                                                                    f"to {projects[function.architecture].name}'s "
                                                                    "template, whose generator deletes it at the "
                                                                    "next build (delete it now if it is stale)"))
    unplaced = [m for c in layout.classes for m in c.methods if not m.functions]
    for method in unplaced:
        decisions.append(base.Decision("note", f"{method.owner.full_name}.{method.name}",
                                       f"has no function in the template yet: it goes to {projects['x86_64'].name}, "
                                       "whose generator adds its resource (x86_64, the default)"))


# -- sources ------------------------------------------------------------------------------------------------------------

def _move_sources(target: SplitTarget, projects: dict[str, base.FunctionProject], layout: Layout,
                  result: base.Plan) -> None:
    whole = {c.decl: c.whole for c in layout.classes if c.whole}
    whole.update({d: arch for arch, fp in projects.items() for d in fp.moved})
    split = {c.decl: c for c in layout.classes if not c.whole}
    startups = set(layout.startups)
    folder = target.project.folder
    namespaces = layout.namespaces = usings.after_split(target.source.files, {
        arch: [t for t, home in whole.items() if home == arch] + list(split) + list(startups) for arch in projects})
    for cs in target.source.files:
        leaving = [t for t in cs.types if t in whole or t in split or t in startups]
        dangling = namespaces.dangling(cs, None)
        if not leaving:
            if dangling:
                result.changes.add(Modify(result.rel(cs.path), cs.source.raw, encode(
                    remove_spans(cs.text, dangling), cs.source.encoding, cs.source.bom),
                    "using directives of namespaces that left the library"))
            continue
        library_text = _without(cs, [(t.start, t.end) for t in leaving] + dangling, set(leaving))
        nothing_left = len(leaving) == len(cs.types) and not cs.assembly_attributes and \
            not any(u.is_global for u in cs.usings)
        copies: dict[str, str] = {}
        for arch in projects:
            gets = [t for t in leaving if whole.get(t) == arch or t in split or t in startups]
            if not gets:
                continue
            drop = [(t.start, t.end) for t in cs.types if t not in gets]
            for decl in gets:
                if decl in split:
                    drop += [(m.start, m.end) for m in decl.members if m not in split[decl].parts[arch]]
            drop += [(a.start, a.end) for a in cs.assembly_attributes]
            drop += [(u.start, u.end) for u in cs.usings if u.is_global]
            drop += namespaces.dangling(cs, arch)
            copies[arch] = _without(cs, drop, set(cs.types) - set(gets))
            for decl in gets:
                if decl in split:
                    copies[arch] = _silence_unread_parameters(copies[arch], decl, split[decl].parts[arch])
        rel = cs.path.relative_to(folder)
        first = True
        for arch, text in copies.items():
            fp = projects[arch]
            data = encode(text, cs.source.encoding, cs.source.bom)
            what = ", ".join(t.name for t in leaving if whole.get(t) == arch or t in split or t in startups)
            if nothing_left and first:
                result.changes.add(Move(result.rel(cs.path), result.rel(fp.folder / rel), cs.source.raw, data,
                                        f"{what} for the {arch} functions"))
            else:
                result.changes.add(Create(result.rel(fp.folder / rel), data, f"{what} from {cs.path.name}"))
            first = False
        if not nothing_left:
            result.changes.add(Modify(result.rel(cs.path), cs.source.raw,
                                      encode(library_text, cs.source.encoding, cs.source.bom),
                                      "Annotations classes moved to the function projects"))


def _silence_unread_parameters(text: str, decl: TypeDecl, kept: list[MemberDecl]) -> str:
    """A copy that no longer reads some parameters of its primary constructor (only the other architecture's
    methods did) would warn CS9113, an error under TreatWarningsAsErrors. The parameters stay, since dependency
    injection constructs the class with them; the copy disables that warning above the class."""
    used = set(decl.base_uses).union(*(m.uses for m in kept))
    unread = [p for p in decl.primary_parameters if p not in used]
    header = decl.file.text[decl.start:decl.body_start] if decl.body_start is not None else ""
    at = text.find(header) if unread and header else -1
    if at < 0:
        return text
    start = line_start(text, at)
    indent = text[start:at]
    while start > 0 and text[line_start(text, start - 1):start].strip().startswith("///"):   # its doc comment
        start = line_start(text, start - 1)
    pragma = f"{indent}#pragma warning disable CS9113 // {', '.join(unread)}: read only by the other " \
             f"architecture's methods (lambda-split){decl.file.source.newline}"
    return text[:start] + pragma + text[start:]


def _without(cs: CsFile, spans: list[tuple[int, int]], gone: set[TypeDecl]) -> str:
    """The file without `spans`, and without namespace blocks whose every type is gone. Neighbouring declarations
    go as one span, so that the blank lines between them go too."""
    spans = list(spans)
    for block in cs.namespace_blocks:
        if block.types and all(t in gone for t in block.types):
            spans.append((block.start, block.end))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or _only_comments(cs.text[merged[-1][1]:start])):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return remove_spans(cs.text, [(start, end) for start, end in merged])


def _only_comments(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines()]
    return all(not line or line.startswith(("//", "/*", "*")) for line in lines)


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


def _split_templates(target: SplitTarget, projects: dict[str, base.FunctionProject], layout: Layout,
                     result: base.Plan) -> tuple[list[tuple[Template, list[Edit]]], list[TemplateSplit]]:
    templates: dict[int, tuple[Template, list]] = {}
    for unit in target.units:
        templates.setdefault(id(unit.template), (unit.template, []))[1].append(unit)
    moved_to = {m.generated_type: projects[m.architecture] for c in layout.classes for m in c.methods}
    moved_to.update({d.full_name: fp for fp in projects.values() for d in fp.moved})
    staying: list[tuple[Template, list[Edit]]] = []
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
                    staying_edits += base._function_edits(template, function, fp, moved_to, unit.code_uri)
        if not homes:
            staying.append((template, staying_edits))
            continue
        split = split_template(template, homes, edits, staying_edits)
        splits.append(split)
        template_changes(split, projects, result)
        if not split.retired:
            staying.append((template, split.original_edits))
    return staying, splits
