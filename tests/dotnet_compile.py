"""Type-check a .NET solution with Mono's C# compiler (mcs) against stub assemblies of the Lambda and xunit packages.

Usage in a test: `assert_compiles(root)` (raises AssertionError carrying every mcs message) or
`compile_solution(root)` for a `CompileResult` to inspect; take the `mcs` fixture so the test skips without mcs
(fails instead when CI is set). Each project is evaluated like the SDK would (see `dotnet_project`), compiled once,
in ProjectReference order, into a temporary folder outside the solution.

What mcs accepts is C# 7.x (`-langversion:7.2`): no records, file-scoped namespaces, global usings, top-level
statements, nullable reference annotations (`string?`), switch expressions, `using var`, target-typed `new()`,
default interface members, local functions or `case ... when` guards. `ImplicitUsings` is not emulated on purpose
(mcs has no global usings): sources checked here carry explicit usings. Framework surface: Mono's mscorlib, System,
System.Core, System.Numerics, System.Xml and Microsoft.CSharp, plus a System.Text.Json stub; no System.Net.Http.

Like the SDK: a parent project globs the sources of projects nested in its folder (exclude them with
`DefaultItemExcludes` or `<Compile Remove>`); ProjectReferences and PackageReferences flow transitively (not those
with PrivateAssets=all); the generated AssemblyInfo attributes and `<InternalsVisibleTo>`/`<AssemblyAttribute>`
items are compiled in. A PackageReference maps to the stubs whose `// stub-packages:` header names it; others are
ignored, so code that needs them fails. An Exe is checked as a library when its entry point comes from elsewhere
(test SDK, Annotations GenerateMain) or is an async Main, which mcs lacks. mcs reports errors phase by phase: a later
kind of error can appear only once earlier ones are fixed. TreatWarningsAsErrors is not honoured (mcs warns differently).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dotnet_project import DotnetProject, ProjectFileError, load_project
from splitter.model.textfile import decode
from support import skip_or_fail_in_ci

HERE = Path(__file__).resolve().parent
STUB_SOURCES = HERE / "stubs"
STUB_CACHE = HERE / ".stubs-cache"
LANGVERSION = "7.2"
FRAMEWORK_ASSEMBLIES = ("System.dll", "System.Core.dll", "System.Numerics.dll", "System.Xml.dll", "Microsoft.CSharp.dll")
# Referenced by every project: the parts of the .NET shared framework that Mono's profile lacks.
FRAMEWORK_STUBS = ("System.Text.Json",)
SKIPPED_FOLDERS = frozenset({"bin", "obj", "node_modules"})

_MESSAGE = re.compile(r"^(?:(?P<path>.+?)\((?P<line>\d+),(?P<column>\d+)\): )?"
                      r"(?P<severity>error|warning) (?P<code>CS\d+): (?P<text>.*)$")
_GENERATES_MAIN = re.compile(r"LambdaGlobalProperties\s*\([^)]*GenerateMain\s*=\s*true", re.IGNORECASE)
_ASYNC_MAIN = re.compile(r"\bstatic\s+(?:async\s+)?(?:System\.Threading\.Tasks\.)?Task(?:\s*<\s*int\s*>)?\s+Main\s*\(")


# ---------------------------------------------------------------------------------------------------------------
# Results

@dataclass(frozen=True)
class CompilerMessage:
    severity: str               # "error" or "warning"
    code: str                   # CSxxxx, or an MSBuild-style code for project problems
    text: str
    path: Path | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}({self.line},{self.column}): " if self.path and self.line else \
            (f"{self.path}: " if self.path else "")
        return f"{where}{self.severity} {self.code}: {self.text}"


@dataclass
class ProjectResult:
    project: Path               # the .csproj
    assembly_name: str
    target: str                 # "library" or "exe", as passed to mcs
    status: str                 # "compiled", "failed" or "blocked" (a referenced project did not compile)
    sources: tuple[Path, ...] = ()
    references: tuple[Path, ...] = ()
    output: Path | None = None
    target_note: str | None = None   # why an Exe project was checked as a library
    codepage: str = "utf8"
    command: tuple[str, ...] = ()
    messages: tuple[CompilerMessage, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == "compiled"

    @property
    def errors(self) -> list[CompilerMessage]:
        return [m for m in self.messages if m.severity == "error"]

    @property
    def warnings(self) -> list[CompilerMessage]:
        return [m for m in self.messages if m.severity == "warning"]


@dataclass
class CompileResult:
    root: Path
    out_dir: Path
    projects: list[ProjectResult] = field(default_factory=list)   # unreadable and cyclic ones, then build order

    @property
    def ok(self) -> bool:
        return bool(self.projects) and all(p.ok for p in self.projects)

    @property
    def errors(self) -> list[CompilerMessage]:
        return [m for p in self.projects for m in p.errors]

    def project(self, name: str) -> ProjectResult:
        """The result for an assembly name or a csproj file name/stem."""
        for result in self.projects:
            if name in (result.assembly_name, result.project.name, result.project.stem):
                return result
        raise KeyError(f"no project {name!r} in {[p.assembly_name for p in self.projects]}")

    def report(self) -> str:
        if not self.projects:
            return f"no .csproj found under {self.root}"
        lines = []
        for result in self.projects:
            lines.append(f"{result.assembly_name} ({result.project}): {result.status}")
            lines.extend(f"  {message}" for message in result.messages if message.severity == "error")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# mcs and the stub assemblies

def have_mcs() -> bool:
    return shutil.which("mcs") is not None


def require_mcs() -> None:
    """Skip the calling test when mcs is missing, except in CI where that is a failure."""
    if not have_mcs():
        skip_or_fail_in_ci("mcs is not installed (apt-get install mono-mcs; .ci/run does)")


@pytest.fixture(scope="session")
def mcs() -> str:
    """The mcs executable, with the stub assemblies built; skips (fails in CI) without mcs."""
    require_mcs()
    stub_assemblies()
    return shutil.which("mcs")


@dataclass(frozen=True)
class Stub:
    assembly: str
    source: Path
    packages: tuple[str, ...]         # lower-cased PackageReference names this assembly stands in for
    references: tuple[str, ...]       # other stub assemblies it is compiled against


def stub_catalog() -> dict[str, Stub]:
    """Stubs by assembly name, read from the `// stub-packages:` and `// stub-references:` header lines."""
    catalog = {}
    for source in sorted(STUB_SOURCES.glob("*.cs")):
        header = source.read_text(encoding="utf-8").split("\nusing ", 1)[0]
        catalog[source.stem] = Stub(source.stem, source, _header_list(header, "stub-packages"),
                                    _header_list(header, "stub-references"))
    return catalog


def _header_list(header: str, key: str) -> tuple[str, ...]:
    match = re.search(rf"^// {key}:(.*)$", header, re.MULTILINE)
    return tuple(v.strip().lower() if key == "stub-packages" else v.strip()
                 for v in (match.group(1).split(",") if match else []) if v.strip())


_built_stubs: dict[str, Path] | None = None


def stub_assemblies() -> dict[str, Path]:
    """Build the stubs once per session into a cache folder keyed by a hash of their sources; assembly -> dll."""
    global _built_stubs
    if _built_stubs is not None:
        return _built_stubs
    catalog = stub_catalog()
    digest = hashlib.sha256(LANGVERSION.encode())
    for stub in catalog.values():
        digest.update(stub.source.name.encode() + b"\0" + stub.source.read_bytes() + b"\0")
    final = STUB_CACHE / digest.hexdigest()[:16]
    if not all((final / f"{name}.dll").is_file() for name in catalog):
        _build_stubs(catalog, final)
    _built_stubs = {name: final / f"{name}.dll" for name in catalog}
    return _built_stubs


def _build_stubs(catalog: dict[str, Stub], final: Path) -> None:
    STUB_CACHE.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=STUB_CACHE))
    try:
        for name in _stub_order(catalog):
            stub = catalog[name]
            refs = [f"-r:{staging / (ref + '.dll')}" for ref in _stub_closure(catalog, stub.references)]
            command = [shutil.which("mcs") or "mcs", *_common_flags(), "-target:library", "-codepage:utf8",
                       f"-out:{staging / (name + '.dll')}", *refs, str(stub.source)]
            run = subprocess.run(command, capture_output=True, text=True)
            if run.returncode != 0:
                raise RuntimeError(f"stub {stub.source.name} does not compile:\n{run.stdout}{run.stderr}")
        try:
            staging.rename(final)
        except OSError:
            if not final.is_dir():   # a concurrent session may have won the race; otherwise it is a real error
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _stub_order(catalog: dict[str, Stub]) -> list[str]:
    order: list[str] = []

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in order:
            return
        if name in trail or name not in catalog:
            raise RuntimeError(f"stub reference problem at {' -> '.join(trail + (name,))}")
        for ref in catalog[name].references:
            visit(ref, trail + (name,))
        order.append(name)

    for name in sorted(catalog):
        visit(name, ())
    return order


def _stub_closure(catalog: dict[str, Stub], names) -> list[str]:
    closure: list[str] = []
    pending = list(names)
    while pending:
        name = pending.pop(0)
        if name not in closure:
            closure.append(name)
            pending.extend(catalog[name].references)
    return closure


def _common_flags() -> list[str]:
    return ["-noconfig", f"-langversion:{LANGVERSION}", *(f"-r:{a}" for a in FRAMEWORK_ASSEMBLIES)]


# ---------------------------------------------------------------------------------------------------------------
# The solution

def find_projects(root: Path) -> list[Path]:
    """Every *.csproj under root, skipping bin/, obj/ and hidden folders."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_FOLDERS and not d.startswith("."))
        found.extend(Path(dirpath) / name for name in sorted(filenames) if name.endswith(".csproj"))
    return [Path(os.path.normpath(p.absolute())) for p in found]


def compile_solution(root: Path, out_dir: Path | None = None) -> CompileResult:
    """Compile every project under root with mcs; never raises for compile errors (see `CompileResult.ok`)."""
    root = Path(os.path.normpath(Path(root).absolute()))
    out_dir = Path(out_dir).absolute() if out_dir else _session_out_dir()
    if out_dir == root or root in out_dir.parents:
        raise ValueError(f"output folder {out_dir} is inside the solution {root}")
    out_dir.mkdir(parents=True, exist_ok=True)
    stubs = stub_assemblies()
    catalog = stub_catalog()
    result = CompileResult(root=root, out_dir=out_dir)
    projects, load_failures = _load_all(root)
    result.projects.extend(load_failures)
    order, problems = _build_order(projects)
    for path, message in problems.items():
        project = projects[path]
        result.projects.append(ProjectResult(path, project.assembly_name, _target(project)[0], "failed",
                                             messages=(CompilerMessage("error", "MSB4006", message, path),)))
    outputs: dict[Path, ProjectResult] = {}
    for path in order:
        outputs[path] = _compile_project(projects[path], projects, outputs, stubs, catalog, out_dir, len(outputs))
        result.projects.append(outputs[path])
    return result


def assert_compiles(root: Path, out_dir: Path | None = None) -> CompileResult:
    """compile_solution, raising AssertionError with every mcs error (file, line, message) unless all compiled."""
    result = compile_solution(root, out_dir)
    if not result.ok:
        raise AssertionError("solution does not compile with mcs:\n" + result.report())
    return result


_session_dirs: list[Path] = []


def _session_out_dir() -> Path:
    if not _session_dirs:
        _session_dirs.append(Path(tempfile.mkdtemp(prefix="mcs-out-")))
        atexit.register(shutil.rmtree, _session_dirs[0], True)
    return Path(tempfile.mkdtemp(prefix="solution-", dir=_session_dirs[0]))


def _load_all(root: Path) -> tuple[dict[Path, DotnetProject], list[ProjectResult]]:
    projects: dict[Path, DotnetProject] = {}
    failures: list[ProjectResult] = []
    pending = find_projects(root)
    while pending:
        path = pending.pop(0)
        if path in projects or any(f.project == path for f in failures):
            continue
        if not path.is_file():
            continue   # reported by the referencing project
        try:
            project = load_project(path, root)
        except ProjectFileError as exc:
            failures.append(ProjectResult(path, path.stem, "library", "failed",
                                          messages=(CompilerMessage("error", "MSB4025", str(exc), path),)))
            continue
        projects[path] = project
        pending.extend(ref.path for ref in project.project_references)   # referenced projects outside root too
    return projects, failures


def _build_order(projects: dict[Path, DotnetProject]) -> tuple[list[Path], dict[Path, str]]:
    """Referenced projects first; projects on a reference cycle are reported instead of ordered."""
    order: list[Path] = []
    problems: dict[Path, str] = {}
    state: dict[Path, str] = {}

    def visit(path: Path, trail: list[Path]) -> None:
        if state.get(path) == "done" or path in problems:
            return
        if state.get(path) == "visiting":
            cycle = trail[trail.index(path):] + [path]
            for member in cycle[:-1]:
                problems[member] = "circular ProjectReference: " + " -> ".join(p.name for p in cycle)
            return
        state[path] = "visiting"
        for ref in projects[path].project_references:
            if ref.path in projects:
                visit(ref.path, trail + [path])
        state[path] = "done"
        if path not in problems:
            order.append(path)

    for path in sorted(projects):
        visit(path, [])
    return [p for p in order if p not in problems], problems


def _target(project: DotnetProject) -> tuple[str, str | None]:
    """mcs's -target, and why an executable is checked as a library when mcs cannot build its entry point."""
    if project.output_type not in ("exe", "winexe"):
        return "library", None
    if project.is_test_project:
        return "library", "the test SDK writes the entry point"
    texts = [_read_source(s) for s in project.sources if s.is_file()]
    if any(_GENERATES_MAIN.search(text) for text in texts):
        return "library", "Amazon.Lambda.Annotations generates Main (LambdaGlobalProperties GenerateMain)"
    if any(_ASYNC_MAIN.search(text) for text in texts):
        return "library", "mcs has no async Main (C# 7.1); its body is still type-checked"
    return "exe", None


def _read_source(path: Path) -> str:
    return decode(path.read_bytes())[0]


def _transitive(project: DotnetProject, projects: dict[Path, DotnetProject]) -> tuple[list[Path], list[str]]:
    """Projects whose assemblies this one references (ProjectReferences are transitive in the SDK) and the package
    names that flow to it (its own, plus those of referenced projects unless PrivateAssets=all)."""
    referenced: list[Path] = []
    packages = [p.name.lower() for p in project.package_references]
    pending = [r.path for r in project.project_references if r.reference_output]
    while pending:
        path = pending.pop(0)
        if path in referenced or path not in projects:
            continue
        referenced.append(path)
        packages.extend(p.name.lower() for p in projects[path].package_references if not p.private)
        pending.extend(r.path for r in projects[path].project_references if r.reference_output)
    return referenced, list(dict.fromkeys(packages))


def _compile_project(project: DotnetProject, projects: dict[Path, DotnetProject],
                     outputs: dict[Path, ProjectResult], stubs: dict[str, Path], catalog: dict, out_dir: Path,
                     index: int) -> ProjectResult:
    target, target_note = _target(project)
    result = ProjectResult(project.path, project.assembly_name, target, "failed", sources=tuple(project.sources),
                           target_note=target_note)
    messages = [CompilerMessage("error", code, text, project.path) for code, text in project.problems]
    for ref in project.project_references:
        if ref.path not in projects:
            messages.append(CompilerMessage("error", "MSB9008",
                                            f"the referenced project {ref.written_as} does not exist", project.path))
    referenced, packages = _transitive(project, projects)
    # Build order puts every referenced project first, so one without a good output failed or sits on a cycle.
    needed = referenced + [r.path for r in project.project_references if not r.reference_output]
    blocked = [projects[p].assembly_name for p in dict.fromkeys(needed)
               if p in projects and (p not in outputs or not outputs[p].ok)]
    if blocked:
        result.status = "blocked"
        result.messages = tuple(messages) + (CompilerMessage("error", "BLOCKED", "not compiled: referenced project "
                                                             f"{', '.join(blocked)} did not compile", project.path),)
        return result
    if messages:
        result.messages = tuple(messages)
        return result

    work = out_dir / f"{index:02d}-{project.assembly_name}"
    work.mkdir(parents=True, exist_ok=True)
    suffix = ".exe" if target == "exe" else ".dll"
    output = work / f"{project.assembly_name}{suffix}"
    sources, codepage = _prepare_sources(project, work)
    stub_names = [s.assembly for s in catalog.values() if set(s.packages) & set(packages)]
    stub_names = _stub_closure(catalog, list(FRAMEWORK_STUBS) + stub_names)
    references = [stubs[name] for name in stub_names] + [outputs[p].output for p in referenced]
    defines = ";".join(project.define_constants)
    command = [shutil.which("mcs") or "mcs", *_common_flags(), f"-target:{target}", f"-codepage:{codepage}",
               f"-out:{output}", *(f"-r:{r}" for r in references), *([f"-define:{defines}"] if defines else []),
               *(str(s) for s in sources)]
    run = subprocess.run(command, capture_output=True, text=True, cwd=project.folder)
    parsed = _parse_messages(run.stdout + run.stderr)
    if run.returncode != 0 and not any(m.severity == "error" for m in parsed):
        parsed.append(CompilerMessage("error", "MCS", (run.stdout + run.stderr).strip() or f"exit {run.returncode}",
                                      project.path))
    result.status = "compiled" if run.returncode == 0 else "failed"
    result.references, result.codepage, result.command = tuple(references), codepage, tuple(command)
    result.output = output if run.returncode == 0 else None
    result.messages = tuple(parsed)
    return result


def _prepare_sources(project: DotnetProject, work: Path) -> tuple[list[Path], str]:
    """Sources to pass to mcs and the -codepage that reads them as the SDK would (UTF-8, else cp1252 per file).

    One codepage serves the whole compilation: cp1252 when some files need it and no BOM-less UTF-8 file holds
    non-ASCII text, else UTF-8. A file the chosen codepage would misread is passed as a UTF-8-with-BOM copy that
    starts with `#line 1 "<original>"`, so mcs still reports the original path and line numbers.
    """
    kinds = {source: _encoding_kind(source) for source in project.sources}
    codepage = "1252" if "cp1252" in kinds.values() and "utf8" not in kinds.values() else "utf8"
    misread = "cp1252" if codepage == "utf8" else "utf8"
    sources: list[Path] = []
    for number, source in enumerate(project.sources):
        if kinds[source] != misread:
            sources.append(source)
            continue
        copy = work / "recoded" / f"{number:03d}-{source.name}"
        copy.parent.mkdir(parents=True, exist_ok=True)
        text = _read_source(source)
        copy.write_bytes(b"\xef\xbb\xbf" + f'#line 1 "{source}"\n{text}'.encode("utf-8"))
        sources.append(copy)
    if project.generated_attributes:
        info = work / "obj" / f"{project.assembly_name}.AssemblyInfo.cs"
        info.parent.mkdir(parents=True, exist_ok=True)
        info.write_text("// Generated like the SDK's obj/<Name>.AssemblyInfo.cs\n"
                        + "\n".join(project.generated_attributes) + "\n", encoding="utf-8")
        sources.append(info)
    return sources, codepage


def _encoding_kind(path: Path) -> str:
    """"bom", "ascii", "utf8" (BOM-less, non-ASCII) or "cp1252"; a missing file is left for mcs to report."""
    try:
        raw = path.read_bytes()
    except OSError:
        return "ascii"
    if raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return "bom"
    if raw.isascii():
        return "ascii"
    return "utf8" if decode(raw)[1] == "utf-8" else "cp1252"


def _parse_messages(output: str) -> list[CompilerMessage]:
    messages = []
    for line in output.splitlines():
        match = _MESSAGE.match(line.strip())
        if not match:
            continue
        path = match.group("path")
        messages.append(CompilerMessage(
            severity=match.group("severity"), code=match.group("code"), text=match.group("text"),
            path=Path(path) if path else None,
            line=int(match.group("line")) if match.group("line") else None,
            column=int(match.group("column")) if match.group("column") else None))
    return messages
