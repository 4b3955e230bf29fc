"""The model of an Annotations split: each `[LambdaFunction]` method, the class that declares it, and where each
class goes (one architecture's project, or a copy in each with the other architecture's methods cut out)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from splitter.plan import usings
from splitter.errors import SplitterError
from splitter.graph.migration import SourceProject, SplitTarget
from splitter.model.csharp import MemberDecl, TypeDecl
from splitter.model.csharp_syntax import named_argument
from splitter.model.template import Function
from splitter.plan.handlers import HandlerRef
from splitter.plan.result import FunctionProject


PACKAGE = "Amazon.Lambda.Annotations"
GENERATED = re.compile(r"^(?P<type>.+)_(?P<method>[A-Za-z_][A-Za-z0-9_]*)_Generated$")


def is_annotations_project(target: SplitTarget) -> bool:
    """The package, a resource the generator owns, or a handler in the generator's `_Generated` form; built from a
    SAM template (the one its generator syncs). Only a CDK app or serverless.yml deploying it (the generated handlers
    as plain ones, no template) gets the plain split; beside a template they are retargeted with it."""
    if all(getattr(unit, "source", "sam") != "sam" for unit in target.units):
        return False
    if target.project.has_package(PACKAGE):
        return True
    functions = [f for unit in target.units for f in unit.functions]
    return any(f.managed_by_annotations for f in functions) or any(
        (ref := HandlerRef.parse(f.handler)) is not None and GENERATED.match(ref.type_name) for f in functions)


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


def analyze(target: SplitTarget, projects: dict[str, FunctionProject]) -> Layout:
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
        if "LambdaFunction" not in cs.text and not cs.has_escapes:
            continue               # no [LambdaFunction] here: its members need not be read
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
        raise SplitterError("this Annotations project is an executable whose hand-written Main serves "
                            "functions of both architectures; lambda-split cannot split that Main "
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
            ref = HandlerRef.parse(function.handler)
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
