"""What `verify` checks and what it finds: the packages to look at (given artifacts, or each build unit's
publish output), every binary in them judged against the CPU of the functions that run it, and the likely cause of
a mismatch."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from splitter.discover import discover
from splitter.errors import SplitterError
from splitter.graph.analyze import analyze
from splitter.graph.units import BuildUnit
from splitter.model.architecture import RID_CPU as LAMBDA_CPU
from splitter.model.template import Function
from splitter.verify.binaries import Binary
from splitter.verify.package import Inspection, inspect_package, loaded_on


@dataclass
class Target:
    """A package to check and the functions that will run it, by architecture."""

    location: Path
    shown: str                                  # the path as the user reads it
    needs: dict[str, list[str]]                 # architecture -> logical ids ([] in ARTIFACT mode)
    unit: BuildUnit | None = None               # PATH mode: the build unit whose package this is
    inspection: Inspection | None = None


@dataclass
class Mismatch:
    target: Target
    binary: Binary
    architecture: str
    functions: list[str]
    cause: str

    @property
    def file(self) -> str:
        return self.target.inspection.display(self.binary.path, self.target.shown)


@dataclass
class Missing:
    unit: BuildUnit
    looked_for: list[Path]


@dataclass
class Report:
    targets: list[Target] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    errors: list[SplitterError] = field(default_factory=list)
    unchecked: list[tuple[Function, str]] = field(default_factory=list)   # (function, "image" | "remote")
    display: Callable[[Path], str] = str        # how a path is shown to the user


# -- what to check -----------------------------------------------------------------------------------------------

def artifact_report(paths: tuple[str, ...], architecture: str) -> Report:
    report = Report()
    seen: set[Path] = set()
    for given in paths:
        location = Path(given)
        if location.is_dir() and any(location.glob("*.??proj")):
            raise SplitterError("is a project folder, not a package", location,
                                hint="give bin/<Configuration>/<tfm>/publish or the zip, or drop --arch to find "
                                     "each function's package from the template")
        key = location.resolve()
        if key not in seen:
            seen.add(key)
            report.targets.append(Target(location, str(location), {architecture: []}))
    return report


def path_report(paths: tuple[str, ...], configuration: str, parameters: dict[str, str],
                deployer: str = "auto") -> Report:

    if len(paths) != 1:
        raise SplitterError(f"{len(paths)} paths given without --arch",
                            hint="check packages with --arch x86_64|arm64, or give one template, project or "
                                 "solution folder")
    given = Path(paths[0])
    if is_package(given):
        raise SplitterError("is a built package; say which architecture will run it", given,
                            hint="add --arch x86_64 or --arch arm64")
    workspace = discover(given)
    analysis = analyze(workspace, parameters, deployer=deployer)
    report = Report(errors=list(analysis.errors), display=workspace.display)
    report.unchecked = [(f, "image") for f in analysis.image_functions] + \
                       [(f, "remote") for f in analysis.remote_functions] + \
                       [(f, "unknown-architecture") for u in analysis.unknown for f in u.functions]   # a Ref with
                       # no Default and no --parameter: the CPU its package must hold is not known
    for unit in analysis.units:
        needs = {arch: [f.logical_id for f in functions] for arch, functions in unit.by_architecture.items()}
        location, looked_for = find_package(unit, configuration)
        if location is None:
            report.missing.append(Missing(unit, looked_for))
        else:
            report.targets.append(Target(location, workspace.display(location), needs, unit))
    return report


def is_package(path: Path) -> bool:
    if path.is_file():
        return path.suffix.lower() in (".zip", ".dll", ".so", ".exe") or zipfile.is_zipfile(path)
    return path.is_dir() and any(path.glob("*.deps.json"))


def find_package(unit: BuildUnit, configuration: str) -> tuple[Path | None, list[Path]]:
    """The package deploy-serverless or `dotnet lambda package` left for a build unit, and where it looked."""
    if unit.kind != "project":
        return unit.target, [unit.target]     # a folder zipped as-is, or a prebuilt archive
    project = unit.project
    if unit.source != "sam" and unit.target.resolve() != project.folder.resolve():
        # A CDK asset or serverless artifact names its package itself (a publish folder, a zip).
        return (unit.target if unit.target.exists() else None), [unit.target]
    output = project.folder / "bin" / configuration
    frameworks = project.target_frameworks or _built_frameworks(output) or ["<tfm>"]
    wanted = runtime_framework(unit)
    if wanted in frameworks:               # deploy-serverless publishes the framework of the function's Runtime
        frameworks = [wanted]
    names = dict.fromkeys([project.folder.name, project.name])
    zips = [output / tfm / f"{name}.zip" for tfm in frameworks for name in names]
    publish = [output / tfm / "publish" for tfm in frameworks]
    for candidates, exists in ((zips, Path.is_file), (publish, Path.is_dir)):
        found = [path for path in candidates if exists(path)]
        if found:
            return max(found, key=lambda path: path.stat().st_mtime), zips + publish
    return None, zips + publish


def runtime_framework(unit: BuildUnit) -> str | None:
    """dotnet8 -> net8.0, dotnetcore3.1 -> netcoreapp3.1, as Amazon.Lambda.Tools maps a function's Runtime."""
    function = unit.functions[0]
    node = function.property_node("Runtime")
    if node is None and unit.template.globals_function is not None:
        node = unit.template.globals_function.get("Runtime")
    runtime = str(node.value).strip().lower() if node is not None and node.kind == "scalar" and not node.tag else ""
    match = re.fullmatch(r"dotnet(core)?(\d+(?:\.\d+)?)", runtime)
    if not match:
        return None
    version = match.group(2) if "." in match.group(2) else f"{match.group(2)}.0"
    return f"netcoreapp{version}" if match.group(1) else f"net{version}"


def _built_frameworks(output: Path) -> list[str]:
    return sorted(p.name for p in output.iterdir() if p.is_dir()) if output.is_dir() else []


# -- checking ----------------------------------------------------------------------------------------------------

def inspect_all(report: Report) -> None:
    by_location: dict[Path, list[Target]] = {}
    for target in report.targets:
        by_location.setdefault(target.location.resolve(), []).append(target)
    for targets in by_location.values():
        architectures = sorted({arch for target in targets for arch in target.needs})
        try:
            inspection = inspect_package(targets[0].location, architectures)
        except SplitterError as error:
            report.errors.append(error)
            continue
        if targets[0].unit is None and not (inspection.binaries or inspection.skipped or inspection.not_loaded):
            report.errors.append(SplitterError(
                "holds no assembly, native library or deps.json: not a built .NET Lambda package", targets[0].location,
                hint="give the zip `dotnet lambda package` wrote, or its publish folder"))
            continue
        for target in targets:
            target.inspection = inspection
            report.mismatches.extend(judge(target))


def judge(target: Target) -> list[Mismatch]:
    mismatches = []
    for architecture, functions in target.needs.items():
        for binary in target.inspection.binaries:
            if loaded_on(binary.path, architecture) and not binary.platform.runs_on(architecture):
                mismatches.append(Mismatch(target, binary, architecture, functions,
                                           likely_cause(binary, architecture, target.unit)))
    return mismatches


def likely_cause(binary: Binary, architecture: str, unit: BuildUnit | None) -> str:
    platform, needed = binary.platform, f"linux-{LAMBDA_CPU[architecture]}"
    other = next((arch for arch, cpu in LAMBDA_CPU.items() if cpu == platform.cpu and arch != architecture), None)
    if binary.kind == "IL assembly":
        bits = " (32-bit only; Lambda runs 64-bit)" if platform.cpu == "x86" else ""
        return f"compiled with <PlatformTarget>{platform.cpu}</PlatformTarget>{bits}; use AnyCPU"
    if binary.kind == "mixed-mode assembly":
        return "a C++/CLI mixed-mode assembly runs only on Windows"
    if not other or platform.os not in (None, "linux"):
        if platform.os and platform.os != "linux":
            return f"published for {platform}; publish for {needed}"
        return f"built for {platform}, which a {architecture} function cannot load"
    parts = binary.path.split("/")
    if len(parts) >= 3 and parts[0].lower() == "runtimes" and parts[1].lower() != "any":
        return f"the NuGet package that ships it put a {platform} binary under runtimes/{parts[1]}/"
    what = "ReadyToRun code compiled" if binary.kind.startswith("ReadyToRun") else "published"
    if unit is not None and unit.is_hazard and unit.built_as == other:
        return (f"{what} for the first function's architecture ({unit.functions[0].logical_id}, {other}): "
                f"deploy-serverless builds CodeUri {unit.code_uri!r} once; split it with `lambda-split migrate`")
    stale = "; or the package predates the template's Architectures" if unit is not None else ""
    return (f"{what} for linux-{platform.cpu}; publish for {needed} (dotnet lambda package "
            f"--function-architecture {architecture}, or fix <RuntimeIdentifier>){stale}")
