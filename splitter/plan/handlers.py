"""Where handlers go: a handler type used by one architecture only moves to that architecture's project; one
that anything else needs stays in the library, with the reason."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass

from splitter.errors import SplitterError
from splitter.graph.migration import SourceProject, SplitTarget
from splitter.model.csharp import TypeDecl
from splitter.model.template import Function, Template, deployed_handler, handler_parts
from splitter.plan.result import Decision, FunctionProject, Plan


# -- where handlers go -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HandlerRef:
    assembly: str
    type_name: str
    method: str

    @classmethod
    def parse(cls, handler: str | None) -> "HandlerRef | None":
        parts = handler_parts(handler)
        return cls(*parts) if parts is not None else None

    def with_assembly(self, assembly: str, original: str) -> str:
        return assembly + original[original.index("::"):]


def place_handlers(target: SplitTarget, projects: dict[str, FunctionProject], result: Plan) -> None:
    project, source = target.project, target.source
    _refuse_unsupported(target)
    by_name = declared_in(target)
    users: dict[TypeDecl, list[Function]] = {}
    for fp in projects.values():
        for function in fp.functions:
            decl = _handler_type(HandlerRef.parse(function.handler), project.assembly_name, by_name, source)
            if decl is not None:
                users.setdefault(decl, []).append(function)
    pinned = _pinned_types(target, by_name)
    for decl in pinned.keys() - users.keys():
        result.decisions.append(Decision("shared", decl.full_name, f"stays in {project.name}: {pinned[decl]}"))
    for decl, functions in users.items():
        archs = sorted({f.architecture for f in functions})
        reason = pinned.get(decl) or why_shared(decl, archs, target)
        if reason:
            result.decisions.append(Decision("shared", decl.full_name, f"stays in {project.name}: {reason}"))
            continue
        fp = projects[archs[0]]
        fp.moved.append(decl)
        result.decisions.append(Decision("move", decl.full_name,
                                         f"moves to {fp.name}: only {archs[0]} functions use it"))


def extension_methods(decl: TypeDecl) -> set[str]:
    """The names of its extension methods (and its nested types'): only a static class declares them, so no other
    type's members are read to find out."""
    return {m.name for t in [decl, *decl.nested] if "static" in t.modifiers for m in t.methods if m.extension}


def declared_in(target: SplitTarget) -> Callable[[str], TypeDecl | None]:
    """The project's own type of a full name (`Ns.Outer.Inner`), the first in file order: only the files that may
    declare its simple name are parsed."""
    own = {id(cs) for cs in target.source.files}

    def find(full_name: str) -> TypeDecl | None:
        return next((d for d in target.symbols.named(full_name.rsplit(".", 1)[-1])
                     if d.full_name == full_name and id(d.file) in own), None)
    return find


def _handler_type(ref: HandlerRef | None, assembly: str, by_name: Callable[[str], TypeDecl | None],
                  source: SourceProject) -> TypeDecl | None:
    """The top-level type of the project that a handler names (a nested handler type moves with its outer type)."""
    if ref is None or ref.assembly != assembly:
        return None
    decl = by_name(ref.type_name)
    while decl is not None and not decl.top_level:
        decl = outer_of(decl, source)
    return decl


def _pinned_types(target: SplitTarget, by_name: Callable[[str], TypeDecl | None]) -> dict[TypeDecl, str]:
    """Types named by a handler the template writes through `!Sub` or `Ref`, with why they stay: migrate splices
    literal handler strings only, and one of these keeps naming the library's assembly, where the type must stay."""
    pinned: dict[TypeDecl, str] = {}
    for unit in target.units:
        if unit.source != "sam":
            continue
        for function in unit.functions:
            if function.handler is not None or function.handler_node is None:
                continue
            value, written = deployed_handler(function, unit.template)
            ref = HandlerRef.parse(value)
            decl = _handler_type(ref, target.project.assembly_name, by_name, target.source)
            if decl is not None:
                pinned.setdefault(decl, f"the Handler of {function.logical_id} is {written}, which lambda-split does "
                                        "not rewrite")
    return pinned


def _refuse_unsupported(target: SplitTarget) -> None:
    for unit in target.units:
        for function in unit.functions:
            handler = function.handler
            if handler is None and unit.source == "sam" and function.handler_node is not None:
                handler = _evaluated_handler(function, unit.template)
            if handler and "::" not in handler:
                raise SplitterError(
                    f"{function.logical_id} runs the executable assembly {handler}, whose hand-written Main "
                    "serves functions of both architectures; lambda-split cannot split a hand-written "
                    "Main without risking a package that does not start", function.template_path, function.line,
                    hint="split it by hand: one executable project per architecture, each with its own Main "
                         "(Amazon.Lambda.Annotations projects with GenerateMain are split automatically)")


def _evaluated_handler(function: Function, template: Template) -> str:
    """A handler written through an intrinsic, evaluated; one that cannot be could name any type migrate moves."""
    value, written = deployed_handler(function, template)
    if value is None:
        raise SplitterError(
            f"the Handler of {function.logical_id} is {written}, which lambda-split cannot evaluate, so it cannot tell "
            "which type the function runs and whether moving it would break the function",
            template.path, function.handler_node.line,
            hint="pass --parameter NAME=VALUE for the parameters it uses, or write the handler as a string")
    return value


def outer_of(decl: TypeDecl, source: SourceProject | None = None) -> TypeDecl | None:
    """The type `decl` is nested in (in its own file: C# nests types only inside one declaration)."""
    for candidate in decl.file.all_types():
        if decl in candidate.nested:
            return candidate
    return None


def why_shared(decl: TypeDecl, archs: list[str], target: SplitTarget) -> str | None:
    """Why a handler type one architecture uses cannot leave the library, naming the use; None when it can."""
    if len(archs) > 1:
        return "functions of both architectures use it"
    if decl.is_partial:
        return "it is a partial type"
    if target.project.folder not in decl.file.path.parents:
        return f"its file {decl.file.path.name} is linked in from outside the project (<Compile Include>)"
    if decl.file.has_errors:
        return f"{decl.file.path.name} has syntax errors lambda-split cannot read past"
    index = target.symbols
    for use in index.uses_of(decl, [decl.file]):
        return use.describe(f"uses {decl.full_name}", target.root)
    extension = _extension_used_elsewhere(decl, target)
    if extension:
        return extension
    for use in index.uses_of(decl, target.source.files):
        return use.describe(f"uses {decl.full_name}", target.root)
    for other in target.referencing:
        if not other.is_test:
            for use in index.uses_of(decl, other.files):
                return f"project {other.project.name}: " + use.describe(f"uses {decl.full_name}", target.root)
    for sibling in decl.file.types:
        if sibling is not decl and sibling.is_file_local:
            for use in index.uses_of(sibling, [decl.file]):
                if decl.start <= use.offset < decl.end:
                    return f"it uses the file-local type {sibling.name}: " + \
                        use.describe(f"uses {sibling.full_name}", target.root)
    handlers = [f for f in _functions_of(decl, target)]
    if any(f.handler is None for f in handlers):
        return "a function's Handler is not a plain string"
    return None


def _extension_used_elsewhere(decl: TypeDecl, target: SplitTarget) -> str | None:
    """Where code outside the type calls one of its extension methods: `text.Shout()` never names the class. Tests
    count too: migrate gives them a reference to a function project only for the types they name."""
    names = extension_methods(decl)
    index = target.symbols
    for name in sorted(names):
        for use in index.calls_of(name):
            if use.file is decl.file and decl.start <= use.offset < decl.end:
                continue
            where = next((f"project {other.project.name}: " for other in target.referencing
                          if any(f is use.file for f in other.files)), "")
            return where + use.describe(f"calls its extension method {name}", target.root)
    return None


_FUNCTIONS: "weakref.WeakKeyDictionary[SplitTarget, dict[str, list[Function]]]" = weakref.WeakKeyDictionary()


def _functions_of(decl: TypeDecl, target: SplitTarget) -> list[Function]:
    """The functions whose handler names the type or a type nested in it (built once per target)."""
    by_type = _FUNCTIONS.get(target)
    if by_type is None:
        by_type = _FUNCTIONS[target] = {}
        for unit in target.units:
            for function in unit.functions:
                ref = HandlerRef.parse(function.handler)
                if ref is None:
                    continue
                parts = ref.type_name.split(".")
                for n in range(1, len(parts) + 1):
                    by_type.setdefault(".".join(parts[:n]), []).append(function)
    return by_type.get(decl.full_name, [])
