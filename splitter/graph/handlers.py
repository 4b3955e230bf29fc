"""Does a function's handler resolve? The assembly is built by its CodeUri project or a project that one references,
the type is declared there (or is the `Class_Method_Generated` type Amazon.Lambda.Annotations writes for a
[LambdaFunction] method, in a project whose generator runs), and the method is declared on it or on a base type; an
executable's handler is its assembly name.

The question is asked of a `Sources` view: the tree on disk (`check`, and `migrate` on its input) or the tree a plan
would write (the self-check, splitter/proof/). Anything lambda-split cannot follow (a handler it cannot evaluate, an F#
or VB project, a base type from a package, a project that does not load) counts as resolved: a false warning on a
working repository costs more than a missed one.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from splitter.discover import files_below, normal_below
from splitter.errors import SplitterError
from splitter.model.csharp import CsFile, TypeDecl, parse_file
from splitter.model.csharp_words import WordIndex, declared_type_names, declared_type_names_in
from splitter.model.msbuild import Project, directory_build_props, load_project, msbuild_path
from splitter.model.template import Function, Template, deployed_handler
from splitter.model.textfile import MAX_TEXT_BYTES, text_from_bytes
from splitter.graph.migration import compile_items
from splitter.graph.units import Finding

GENERATOR_PACKAGE = "amazon.lambda.annotations"


@dataclass(frozen=True)
class Unresolved:
    function: Function
    handler: str
    project: Project               # the CodeUri project
    missing: str                   # what is missing, as a sentence tail: "names no type in Shop.X64"

    def __str__(self) -> str:
        return f"{self.function.logical_id}'s handler {self.handler} {self.missing}"


def _key(path: Path) -> str:
    """The absolute path as a string: a path that already is absolute and normal is taken as it is (abspath was
    130,000 calls on a 400-function project)."""
    text = str(path)
    if normal_below(text, "/") is not None:
        return text
    return os.path.abspath(path)


@functools.lru_cache(maxsize=1024)
def _call_of(method: str) -> re.Pattern:
    return re.compile(rb"\b" + re.escape(method.encode("utf-8")) + rb"\s*[<(]")


class Sources:
    """Projects and their compiled C# files, each read once. Subclasses say where bytes come from."""

    def __init__(self) -> None:
        self._parsed: dict[str, CsFile | None] = {}        # by absolute path, as found (not resolved: lstat costs)
        self._compiled: dict[str, list[Path] | None] = {}
        self._props: dict[Path, Project | None] = {}
        self._raw: dict[str, bytes | None] = {}
        self._names: dict[str, set[str]] = {}              # file -> the type names its bytes declare
        self._packages: dict[str, list[Project] | None] = {}
        self._indexes: list[tuple[WordIndex, set[str]]] = []
        self._coverage: dict[str, tuple[list, dict[str, list[Path]]]] = {}
        self.projects = None                        # a graph.units.ProjectCache, set by subclasses

    def project(self, path: Path) -> Project | None:          # None: it does not exist or does not load
        raise NotImplementedError

    def cs_paths(self, project: Project) -> list[Path] | None:   # None: cannot be known
        raise NotImplementedError

    def read_raw(self, path: Path) -> bytes | None:              # None: it cannot be read
        raise NotImplementedError

    def raw(self, path: Path) -> bytes | None:
        key = _key(path)
        if key not in self._raw:
            seeded = self._parsed.get(key)      # a seeded file's bytes are the ones its reader read
            self._raw[key] = seeded.source.raw if seeded is not None else self.read_raw(path)
        return self._raw[key]

    def props(self, project: Project) -> list[Project]:
        """The Directory.Build.props files MSBuild imports into the project, as projects (unreadable ones left out)."""
        found = []
        for path in directory_build_props(project.folder, self.projects.stop):
            key = path.resolve()
            if key not in self._props:
                try:
                    self._props[key] = load_project(path)
                except SplitterError:
                    self._props[key] = None
            if self._props[key] is not None:
                found.append(self._props[key])
        return found

    def seed(self, files: list[CsFile], words: WordIndex | None = None, project: Project | None = None) -> None:
        """C# files the caller already read (the model holds them, parsed or lazily): they are not read again. With
        their word index, the files that may declare a name are found without a scan of each; with the project
        they are all its compiled files, so its folder is not walked again."""
        if project is not None:
            self._compiled.setdefault(_key(project.path), [cs.path for cs in files])
        keys = set()
        for cs in files:
            key = _key(cs.path)
            keys.add(key)
            self._parsed.setdefault(key, cs)
        if words is not None:
            self._indexes.append((words, keys))

    def _files_declaring(self, project: Project, name: str) -> list[Path]:
        """The compiled files of the project that may declare a type called `name` (a superset): those a seeded word
        index covers are looked up in it, the others scanned once each."""
        pkey = _key(project.path)
        plan = self._coverage.get(pkey)
        if plan is None:
            compiled = self.compiled(project) or []
            remaining = {_key(path): path for path in compiled}
            parts = []
            for words, seeded in self._indexes:
                part = remaining.keys() & seeded
                if part:
                    parts.append((words, part))
                    for key in part:
                        del remaining[key]
            rest: dict[str, list[Path]] = {}        # declared name -> the files scanned that declare it
            for key, path in remaining.items():
                for declared in self._declared_names(path, key):
                    rest.setdefault(declared, []).append(path)
            plan = self._coverage[pkey] = (parts, rest)
        parts, rest = plan
        found = [cs.path for words, part in parts for cs in words.may_declare(name) if _key(cs.path) in part]
        found += rest.get(name, ())
        return found

    def compiled(self, project: Project) -> list[Path] | None:
        """The C# files the project compiles; None when that cannot be known."""
        key = _key(project.path)
        if key not in self._compiled:
            self._compiled[key] = self.cs_paths(project)
        return self._compiled[key]

    def types_named(self, project: Project, name: str) -> list[TypeDecl]:
        """The types called `name` (no namespace) the project compiles. A file is parsed only when a declaration of
        that name appears in its bytes, and at most once: `check` costs little more than reading the files."""
        found = []
        for path in self.compiled(project) or []:
            key = _key(path)
            seeded = self._parsed.get(key)
            if (seeded is None or not seeded.parsed) and name not in self._declared_names(path, key):
                continue
            cs = self.declarations(path)
            if cs is not None:
                found.extend(d for d in cs.all_types() if d.name == name)
        return found

    def declarations(self, path: Path) -> CsFile | None:
        """The file's declarations, parsed once (what its members use is not collected); None when unreadable."""
        key = _key(path)
        if key not in self._parsed:
            data = self.raw(path)
            try:
                self._parsed[key] = None if data is None else \
                    parse_file(path, text_from_bytes(path, data))
            except SplitterError:
                self._parsed[key] = None
        return self._parsed[key]

    def _declared_names(self, path: Path, key: str) -> set[str]:
        seeded = self._parsed.get(key)
        if key not in self._names and seeded is not None:
            self._names[key] = declared_type_names(seeded.text)
        if key not in self._names:
            data = self.raw(path)
            self._names[key] = declared_type_names_in(data) if data else set()
        return self._names[key]

    def declared_names_read(self) -> dict[str, set[str]]:
        """The type names each file's bytes declare, for the files read so far (by absolute path)."""
        return dict(self._names)

    def adopt_names(self, names: dict[str, set[str]]) -> None:
        """Declared names another reader found in the same bytes: not scanned again."""
        for key, found in names.items():
            self._names.setdefault(key, found)

    def plainly_declares(self, project: Project, type_name: str, method: str) -> bool:
        """Without parsing: a file the project compiles declares a type of that simple name, names every segment of
        its namespace and has `method(` or `method<` in it. Enough to call a handler resolved (the full check runs
        when this says no); never enough to call it unresolved."""
        *outer, name = type_name.split(".")
        call = _call_of(method)
        for path in self._files_declaring(project, name):
            data = self.raw(path) or b""
            if call.search(data) and all(segment.encode("utf-8") in data for segment in outer):
                return True
        return False

    def package(self, project: Project) -> list[Project] | None:
        """The project and every project it references, transitively; None when one of them does not load."""
        top = _key(project.path)
        if top in self._packages:
            return self._packages[top]
        seen: dict[str, Project] = {}
        stack = [project]
        while stack:
            current = stack.pop()
            key = _key(current.path)
            if key in seen:
                continue
            seen[key] = current
            for reference in current.project_references:
                loaded = self.project(reference.path)
                if loaded is None:
                    self._packages[top] = None
                    return None
                stack.append(loaded)
        self._packages[top] = list(seen.values())
        return self._packages[top]


def handler_of(function: Function, template) -> str | None:
    """The handler as it deploys: a literal, or a SAM `Ref`/`Fn::Sub` evaluated; None when it cannot be known."""
    if function.handler is not None:
        return function.handler
    if isinstance(template, Template):
        return deployed_handler(function, template)[0]
    return None


def unresolved(function: Function, handler: str | None, project: Project, sources: Sources,
               template=None) -> Unresolved | None:
    """Why the handler does not resolve in the package of `project` (the function's CodeUri project), or None."""
    missing = _missing(function, handler, project, sources, _runtime(function, template)) if handler else None
    return Unresolved(function, handler, project, missing) if missing else None


def _missing(function: Function, handler: str, project: Project, sources: Sources, runtime: str) -> str | None:
    if project.path.suffix.lower() != ".csproj" or "$(" in project.assembly_name:
        return None                                  # F#, VB, or an assembly name MSBuild computes
    if "::" not in handler:
        if project.output_type.lower() == "exe":
            if handler != project.assembly_name and runtime.startswith("dotnet"):
                return f"is not the executable's assembly name {project.assembly_name}"
            return None
        if not runtime.startswith("dotnet"):
            return None                              # a custom runtime ignores the handler
        return f"is not Assembly::Type::Method, and {project.name} is not an executable"
    parts = handler.split("::")
    if len(parts) != 3 or not all(p.strip() for p in parts):
        return "is not Assembly::Type::Method"
    assembly, type_name, method = (p.strip() for p in parts)
    package = sources.package(project)
    if package is None:
        return None
    builders = [p for p in package if p.assembly_name == assembly]
    if not builders:
        if any("$(" in p.assembly_name or p.path.suffix.lower() != ".csproj" for p in package) or \
                any(r.include.lower() == assembly.lower() for p in package for r in p.package_references) or \
                not any(sources.compiled(p) for p in package):
            return None      # a package's assembly, a name MSBuild computes, or no sources here to tell by
        return f"names assembly {assembly}, which no project in {project.name}'s package builds"
    builder = builders[0]
    if not sources.compiled(builder):
        return None                                  # its sources cannot be known (or are generated)
    type_name = type_name.replace("+", ".")
    if sources.plainly_declares(builder, type_name, method):
        return None
    declared = [d for d in sources.types_named(builder, type_name.split(".")[-1]) if d.full_name == type_name]
    generated = re.fullmatch(r"(?P<type>.+)_%s_Generated" % re.escape(method), type_name)
    if not declared and generated:
        owner = generated.group("type")
        owners = [d for d in sources.types_named(builder, owner.split(".")[-1]) if d.full_name == owner]
        if not owners:
            return f"names no type {generated.group('type')} (whose [LambdaFunction] {method} the " \
                   f"Annotations generator wraps) in {assembly}"
        if not any(_has_lambda_function(d, method) for d in owners):
            if function.managed_by_annotations:
                return None          # a stale resource of the generator's: its next build removes it
            return f"names no [LambdaFunction] method {method} of {generated.group('type')} in {assembly}"
        if not runs_generator(builder, sources.props(builder)):
            return f"needs the Amazon.Lambda.Annotations generator, which {builder.name} does not run"
        return None
    if not declared:
        return f"names no type {type_name} in {assembly}"
    if _declares_or_inherits(declared, method, package, sources):
        return None
    return f"names no method {method} on {type_name} (nor a base type) in {assembly}"


def _runtime(function: Function, template) -> str:
    """The function's literal Runtime (its own, else Globals'), lowercased; "unknown" otherwise."""
    node = function.property_node("Runtime")
    if node is None and isinstance(template, Template) and template.globals_function is not None:
        node = template.globals_function.get("Runtime")
    value = node.value if node is not None and node.kind == "scalar" else None
    return value.lower() if isinstance(value, str) else "unknown"


def _has_lambda_function(decl: TypeDecl, method: str) -> bool:
    return any(m.kind == "method" and m.name == method and "LambdaFunction" in m.attributes for m in decl.members)


def _declares_or_inherits(declared: list[TypeDecl], method: str, package: list[Project], sources: Sources) -> bool:
    """A declaration (partial classes are several) declares the method, or a base type does; a base type that is
    not in the package (a NuGet package's APIGatewayProxyFunction) may declare it, so it counts as declared."""
    seen: set[str] = set()
    todo = list(declared)
    while todo:
        decl = todo.pop()
        seen.add(decl.full_name)
        if decl.has_method(method) or any(m.name == method for m in decl.members if m.kind == "method"):
            return True
        for base in decl.bases:
            name = re.sub(r"<.*", "", base).split("(")[0].split(".")[-1].strip()
            found = [d for project in package for d in sources.types_named(project, name)] if name else []
            if not found:
                if not (len(name) > 1 and name[0] == "I" and name[1].isupper()):
                    return True              # a base class lambda-split cannot see
                continue                     # an interface: it declares no method body a handler could run
            todo.extend(d for d in found if d.full_name not in seen)
    return False


def runs_generator(project: Project, props: list[Project] = ()) -> bool:
    """The project references Amazon.Lambda.Annotations with analyzers: itself, or through a Directory.Build.props
    (`props`) unless its own `<PackageReference Update=... ExcludeAssets="analyzers">` turns them off."""
    def analyzers_excluded(element) -> bool:
        excluded = (element.get("ExcludeAssets") or "") + ";" + \
                   "".join(c.text or "" for c in element if str(c.tag).endswith("ExcludeAssets"))
        return "analyzers" in excluded.lower()

    for reference in project.package_references:
        if reference.include.lower() == GENERATOR_PACKAGE:
            return not analyzers_excluded(reference.element)
    inherited = [r for p in props for r in p.package_references if r.include.lower() == GENERATOR_PACKAGE]
    if inherited:
        updates = [e for e in project.root.iter() if isinstance(e.tag, str) and e.tag.split("}")[-1] ==
                   "PackageReference" and (e.get("Update") or "").lower() == GENERATOR_PACKAGE]
        return not analyzers_excluded(inherited[0].element) and not any(analyzers_excluded(e) for e in updates)
    # the generator as a project (aws-lambda-dotnet's own test apps): <ProjectReference OutputItemType="Analyzer">
    return any((r.element.get("OutputItemType") or "").lower() == "analyzer" and "annotations" in r.include.lower()
               for r in project.project_references)


# -- the tree on disk ---------------------------------------------------------------------------------------------------

class DiskSources(Sources):
    """The tree as it is: projects through the run's ProjectCache, C# files found by the SDK's globs."""

    def __init__(self, projects) -> None:          # a graph.units.ProjectCache
        super().__init__()
        self.projects = projects

    def project(self, path: Path) -> Project | None:
        if not path.is_file():
            return None
        try:
            return self.projects.get(path)
        except SplitterError:
            return None

    def cs_paths(self, project: Project) -> list[Path] | None:
        if any("$(" in include for include, _ in project.compile_includes):
            return None
        folders = [project.folder]
        if not project.default_compile_items:
            folders += [_fixed_prefix(project.folder, include) for include, _ in project.compile_includes]
        found: dict[Path, None] = {}
        for folder in folders:
            for path in (p for p in files_below(folder) if p.name.lower().endswith(".cs")):
                found.setdefault(path, None)
        return compile_items(project, list(found))

    def read_raw(self, path: Path) -> bytes | None:
        try:
            with open(path, "rb") as file:
                return file.read() if os.fstat(file.fileno()).st_size <= MAX_TEXT_BYTES else None
        except OSError:
            return None


def _fixed_prefix(folder: Path, include: str) -> Path:
    parts = []
    for part in include.replace("\\", "/").split("/")[:-1]:
        if "*" in part or "?" in part:
            break
        parts.append(part)
    return msbuild_path(folder, "/".join(parts)) if parts else folder


# -- `check`: the warning ---------------------------------------------------------------------------------------------

def warn_unresolved_handlers(analysis, projects) -> None:
    """An `unresolved-handler` warning for each zip function whose handler resolves nowhere in its package."""
    sources = DiskSources(projects)
    for problem in unresolved_in(analysis.units, sources):
        function = problem.function
        analysis.warnings.append(Finding("unresolved-handler", f"{problem}; the function would fail at its first "
                                         "invocation", function.template_path, function.line))


def unresolved_in(units, sources: Sources) -> list[Unresolved]:
    found = []
    for unit in units:
        if unit.project is None:
            continue
        for function in unit.functions:
            problem = unresolved(function, handler_of(function, unit.template), unit.project, sources,
                                 unit.template)
            if problem is not None:
                found.append(problem)
    return found


# -- `migrate`: the input must resolve ---------------------------------------------------------------------------------

def refuse_unresolved_targets(model) -> None:
    """`migrate` proves a split by resolving every handler afterwards; a project to split whose functions' handlers
    do not resolve now cannot be proven, so it is refused (exit 2) naming function, handler and what is missing."""
    sources = model.disk_sources = DiskSources(model.projects)
    for target in model.targets:
        for source in (target.source, *target.referencing):
            sources.seed(source.files, source.words, source.project)
    for target in model.targets:
        problems = unresolved_in(target.units, sources)
        if problems:
            first = problems[0]
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise SplitterError(f"{first}{more}, so a split of {target.project.name} cannot be proven",
                                first.function.template_path, first.function.line,
                                hint="fix the handler (`lambda-split check` lists every unresolved-handler), then "
                                     "run again")
