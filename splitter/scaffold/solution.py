"""`lambda-split new`: a split-ready solution (shared library, one Lambda project per architecture, tests, template)
built as a ChangeSet of created files, so that `--dry-run` and a real run list exactly the same files."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path


from splitter.model.architecture import PROJECT_SUFFIX, linux_rid
from splitter.model.msbuild import project_guid
from splitter.model import naming
from splitter.changes.changeset import ChangeSet, Create
from splitter.errors import SplitterError
from splitter.render import render

RUNTIMES = {"dotnet8": "net8.0", "dotnet10": "net10.0"}
# The day Lambda deprecates each runtime (cfn-lint warns from then on, and errors once creation is disabled).
DEPRECATED_ON = {"dotnet6": date(2024, 12, 20), "dotnet8": date(2026, 11, 10)}
# Lambda architecture -> suffix of the project that builds its functions, and the RID it is published for.
ARCHITECTURES = {arch: (suffix, linux_rid(arch)) for arch, suffix in PROJECT_SUFFIX.items()}
MAX_HANDLER = 128           # characters of a Lambda function's Handler

PACKAGE_VERSIONS = {
    "Amazon.Lambda.Core": "2.8.1",
    "Amazon.Lambda.Serialization.SystemTextJson": "2.4.5",
    "Amazon.Lambda.Annotations": "1.9.0",
    "Microsoft.Extensions.DependencyInjection": "8.0.0",
    "Amazon.Lambda.TestUtilities": "2.0.0",
    "Microsoft.NET.Test.Sdk": "17.10.0",
    "xunit": "2.9.0",
    "xunit.runner.visualstudio": "2.8.2",
}
ANNOTATIONS_DESCRIPTION = "This template is partially managed by Amazon.Lambda.Annotations (v1.9.0.0)."

# Types the generated C# names or declares by simple name: a namespace segment or function class spelled the same
# would shadow them, so such names are refused up front rather than producing code that does not compile.
GENERATED_TYPE_NAMES = frozenset([
    "GreetingService", "Startup", "FunctionTests", "ILambdaContext", "LambdaSerializer",
    "LambdaSerializerAttribute", "DefaultLambdaJsonSerializer", "LambdaFunction", "LambdaFunctionAttribute",
    "LambdaStartup", "LambdaStartupAttribute", "IServiceCollection", "TestLambdaContext", "Assert", "Fact",
    "FactAttribute",
])
# A function class is looked up by simple name from the test namespace: a namespace of the same name, among those
# the generated projects declare or reference, would be found first.
NAMESPACE_NAMES = frozenset(["X64", "Arm64", "Tests", "System", "Amazon", "Microsoft", "Xunit"])

SDK_CSHARP_PROJECT = "{9A19103F-16F7-4668-BE54-9A1E7A4F7556}"
SOLUTION_FOLDER = "{2150E333-8FDC-42A3-9474-1A3956D46DE8}"


@dataclass(frozen=True)
class Function:
    name: str
    architecture: str


@dataclass(frozen=True)
class FunctionProject:
    name: str                  # also its assembly and root namespace, e.g. Acme.Orders.X64
    architecture: str
    functions: tuple[Function, ...]

    @property
    def folder(self) -> str:
        return f"src/{self.name}"

    @property
    def functions_namespace(self) -> str:
        return f"{self.name}.Functions"

    @property
    def rid(self) -> str:
        return ARCHITECTURES[self.architecture][1]


@dataclass(frozen=True)
class Solution:
    name: str
    runtime: str
    target_framework: str
    template_format: str       # "json" or "yaml"
    annotations: bool
    functions: tuple[Function, ...]
    projects: tuple[FunctionProject, ...]

    @property
    def template_file(self) -> str:
        return "template.yaml" if self.template_format == "yaml" else "serverless.template"

    @property
    def library(self) -> str:
        return self.name

    @property
    def tests(self) -> str:
        return f"{self.name}.Tests"

    def handler(self, project: FunctionProject, function: Function) -> str:
        if self.annotations:   # the class Amazon.Lambda.Annotations generates for [LambdaFunction] Handle
            return f"{project.name}::{project.functions_namespace}.{function.name}_Handle_Generated::Handle"
        return f"{project.name}::{project.functions_namespace}.{function.name}::Handle"

    def code_uri(self, project: FunctionProject) -> str:
        # Relative to the template's folder: the solution root, or the project itself for Annotations.
        return "." if self.annotations else project.folder


# -- the request -----------------------------------------------------------------------------------------------

def parse_request(name: str, functions: tuple[str, ...] | list[str], runtime: str, template_format: str,
                  annotations: bool) -> Solution:
    """Validate everything the user typed; the first problem is raised as a one-line SplitterError."""
    segments = naming.check_dotted_name(name)
    for segment in segments:
        if segment in GENERATED_TYPE_NAMES:
            raise SplitterError(f"solution name {name!r}: segment {segment!r} clashes with a name the generated "
                                "code uses", hint="choose another name")
    if runtime not in RUNTIMES:
        raise SplitterError(f"unknown runtime {runtime!r}", hint="use dotnet8 or dotnet10")
    if template_format not in ("json", "yaml"):
        raise SplitterError(f"unknown template format {template_format!r}", hint="use json or yaml")
    if not functions:
        raise SplitterError("no function given", hint="add --function NAME:ARCH, for example --function Get:arm64")
    parsed = [_parse_function(spec, segments) for spec in functions]
    _check_unique(parsed)
    projects = tuple(
        FunctionProject(f"{name}.{suffix}", arch, tuple(f for f in parsed if f.architecture == arch))
        for arch, (suffix, _rid) in ARCHITECTURES.items()
        if any(f.architecture == arch for f in parsed))
    solution = Solution(name, runtime, RUNTIMES[runtime], template_format, annotations, tuple(parsed), projects)
    _check_handler_lengths(solution)
    return solution


def _check_handler_lengths(solution: Solution) -> None:
    """Lambda refuses a Handler longer than 128 characters (cfn-lint E3033); it holds the project name twice, so
    long names are refused here rather than in a template that cannot deploy."""
    for project in solution.projects:
        for function in project.functions:
            handler = solution.handler(project, function)
            if len(handler) > MAX_HANDLER:
                shown = function.name if len(function.name) <= 40 else function.name[:40] + "..."
                raise SplitterError(f"function {shown!r}: its handler would be {len(handler)} characters "
                                    f"({handler[:40]}...); Lambda allows at most {MAX_HANDLER}",
                                    hint="shorten the solution name or the function name")


def _parse_function(spec: str, solution_segments: list[str]) -> Function:
    function_name, sep, arch = spec.partition(":")
    if not sep:
        raise SplitterError(f"--function {spec!r} is not NAME:ARCH", hint="for example --function GetOrder:arm64")
    naming.check_logical_id(function_name)
    if not function_name[0].isalpha():
        raise SplitterError(f"function name {function_name!r} must start with a letter: it also names a C# class",
                            hint="for example Get1 rather than 1Get")
    naming.check_identifier(function_name, "function name")
    if function_name in GENERATED_TYPE_NAMES or function_name in NAMESPACE_NAMES or function_name == "Handle":
        raise SplitterError(f"function name {function_name!r} clashes with a name the generated code uses",
                            hint="choose another name")
    if function_name in solution_segments:
        raise SplitterError(f"function name {function_name!r} is also a segment of the solution name, so the "
                            "class would be hidden by the namespace", hint="choose another name")
    if arch not in ARCHITECTURES:
        raise SplitterError(f"function {function_name!r}: architecture {arch!r} is not x86_64 or arm64",
                            hint=f"for example --function {function_name}:arm64")
    return Function(function_name, arch)


def _check_unique(functions: list[Function]) -> None:
    seen: dict[str, str] = {}
    for function in functions:
        key = function.name.lower()
        if key in seen:
            if seen[key] == function.name:
                raise SplitterError(f"function name {function.name!r} is given twice",
                                    hint="each function needs its own name")
            raise SplitterError(f"function names {seen[key]!r} and {function.name!r} differ only in case",
                                hint="their source files would collide on Windows and macOS")
        seen[key] = function.name
    for function in functions:
        # SAM names the role it creates for function X "XRole".
        if function.name.endswith("Role") and function.name[:-4].lower() in seen:
            raise SplitterError(f"function name {function.name!r} collides with the role SAM creates for "
                                f"{seen[function.name[:-4].lower()]!r}", hint="choose another name")


# -- the change set ----------------------------------------------------------------------------------------------

def plan(solution: Solution, output_dir: Path) -> ChangeSet:
    """Every file of the new solution as a Create under `output_dir`, paths starting with the solution name."""
    changes = ChangeSet(output_dir)
    for path, text in solution_files(solution).items():
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        changes.add(Create(f"{solution.name}/{path}", data, reason="new solution"))
    return changes


def solution_files(solution: Solution) -> dict[str, str | bytes]:
    """Relative path inside the solution folder -> content. Pure: nothing here touches the disk."""
    name = solution.name
    files: dict[str, str | bytes] = {
        f"{name}.sln": solution_file(solution),
        "README.md": render("new/README.md.j2", **_readme_context(solution)),
        ".gitignore": render("new/gitignore.j2"),
        f"src/{name}/{name}.csproj": render("new/library.csproj.j2", target_framework=solution.target_framework),
        f"src/{name}/GreetingService.cs": render("new/GreetingService.cs.j2", namespace=name),
    }
    if not solution.annotations:
        files["aws-lambda-tools-defaults.json"] = render("aws-lambda-tools-defaults.json.j2",
                                                         settings=_root_defaults(solution))
        files[solution.template_file] = _template(solution, solution.projects, managed=False)
    for project in solution.projects:
        files.update(_function_project_files(solution, project))
    tests = solution.tests
    files[f"test/{tests}/{tests}.csproj"] = render(
        "new/tests.csproj.j2", target_framework=solution.target_framework, packages=_packages(
            "Microsoft.NET.Test.Sdk", "xunit", "xunit.runner.visualstudio", "Amazon.Lambda.Core",
            "Amazon.Lambda.TestUtilities"),
        project_references=[_msbuild_path(f"../../src/{p}/{p}.csproj") for p in _project_names(solution)[:-1]])
    files[f"test/{tests}/FunctionTests.cs"] = render(
        "new/FunctionTests.cs.j2", namespace=tests,
        function_namespaces=[p.functions_namespace for p in solution.projects],
        functions=[f.name for f in solution.functions])
    return files


def _function_project_files(solution: Solution, project: FunctionProject) -> dict[str, str]:
    folder = project.folder
    packages = ["Amazon.Lambda.Core", "Amazon.Lambda.Serialization.SystemTextJson"]
    if solution.annotations:
        packages = ["Amazon.Lambda.Annotations", *packages, "Microsoft.Extensions.DependencyInjection"]
    files = {
        f"{folder}/{project.name}.csproj": render(
            "function.csproj.j2", target_framework_element="TargetFramework",
            target_frameworks=solution.target_framework, properties=_function_properties(),
            project_references=[_msbuild_path(f"../{solution.library}/{solution.library}.csproj")],
            package_references=_packages(*packages), internals_visible_to=[],
            comment=f"{project.architecture} functions only: Amazon.Lambda.Tools publishes this project for "
                    f"{project.rid}, so its ReadyToRun code matches every function it serves."),
        f"{folder}/aws-lambda-tools-defaults.json": render(
            "aws-lambda-tools-defaults.json.j2", settings=_project_defaults(solution, project)),
        f"{folder}/AssemblyAttributes.cs": render("assembly-attributes.cs.j2", comment=[
            "Every function in this assembly reads its input and writes its result as JSON with System.Text.Json."],
            lines=["using Amazon.Lambda.Core;", "using Amazon.Lambda.Serialization.SystemTextJson;", "",
                   "[assembly: LambdaSerializer(typeof(DefaultLambdaJsonSerializer))]"]),
    }
    if solution.annotations:
        files[f"{folder}/Startup.cs"] = render("new/Startup.cs.j2", namespace=project.name)
        files[f"{folder}/{solution.template_file}"] = _template(solution, (project,), managed=True)
    for function in project.functions:
        files[f"{folder}/Functions/{function.name}.cs"] = render(
            "new/Function.cs.j2", namespace=project.functions_namespace, function=function.name,
            architecture=project.architecture, annotations=solution.annotations)
    return files


def _function_properties() -> list[tuple[str, str]]:
    return [("ImplicitUsings", "enable"), ("Nullable", "enable"),
            ("GenerateRuntimeConfigurationFiles", "true"), ("AWSProjectType", "Lambda"),
            ("CopyLocalLockFileAssemblies", "true"), ("PublishReadyToRun", "true")]


def _packages(*names: str) -> list[dict]:
    return [{"include": n, "version": PACKAGE_VERSIONS[n], "private_assets": None, "include_assets": None}
            for n in names]


def _msbuild_path(path: str) -> str:
    return path.replace("/", "\\")


def _root_defaults(solution: Solution) -> list[tuple[str, str]]:
    return [("profile", ""), ("region", ""), ("configuration", "Release"), ("s3-prefix", f"{solution.name}/"),
            ("template", solution.template_file), ("template-parameters", ""),
            ("stack-name", naming.stack_name(solution.name))]


def project_stack(solution: Solution, project: FunctionProject) -> str:
    """The stack of a function project that deploys its own template (--annotations): Acme-Orders-x64."""
    return naming.stack_name(solution.name, ARCHITECTURES[project.architecture][0].lower())


def _project_defaults(solution: Solution, project: FunctionProject) -> list[tuple[str, object]]:
    common = [("profile", ""), ("region", ""), ("configuration", "Release")]
    if solution.annotations:   # each function project is deployed as its own stack from its own template
        return [*common, ("s3-prefix", f"{project.name}/"), ("template", solution.template_file),
                ("template-parameters", ""),
                ("stack-name", project_stack(solution, project)),
                ("function-architecture", project.architecture)]
    # The same keys `migrate` writes into the function projects it creates.
    information = [f"This project builds the {project.architecture} functions of ../../{solution.template_file}.",
                   "Deploy the whole stack from the template's folder with `dotnet lambda deploy-serverless`."]
    return [("Information", information), *common, ("function-architecture", project.architecture)]


def _template(solution: Solution, projects: tuple[FunctionProject, ...], managed: bool) -> str:
    if managed:
        description = f"{projects[0].name}: the {projects[0].architecture} functions. {ANNOTATIONS_DESCRIPTION}"
    else:
        description = f"{solution.name}: one Lambda project per CPU architecture."
    resources = [{"name": f.name, "architecture": p.architecture, "code_uri": solution.code_uri(p),
                  "handler": solution.handler(p, f)} for p in projects for f in p.functions]
    if solution.template_format == "yaml":
        resources = [{key: _yaml_scalar(value) for key, value in r.items()} for r in resources]
        return render("new/template.yaml.j2", description=_yaml_scalar(description), runtime=solution.runtime,
                      resources=resources, managed=managed)
    return render("new/serverless.template.j2", description=description, runtime=solution.runtime,
                  resources=resources, managed=managed)


YAML_PLAIN_WORDS = {"y", "yes", "n", "no", "true", "false", "on", "off", "null", "~"}


def _yaml_scalar(text: str) -> str:
    """The value as a YAML scalar: plain when YAML 1.1 reads it back as this same string, else double-quoted."""
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.:/-]*(?: [A-Za-z0-9_.()/-]+)*[.]?", text)
    if plain and text.lower() not in YAML_PLAIN_WORDS and ": " not in text and " #" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


# -- the solution file -----------------------------------------------------------------------------------------

def _project_names(solution: Solution) -> list[str]:
    return [solution.library, *(p.name for p in solution.projects), solution.tests]


def _guid(solution: Solution, relative_path: str) -> str:
    return "{" + project_guid(f"{solution.name}.sln", relative_path) + "}"


def solution_file(solution: Solution) -> bytes:
    """A Visual Studio solution as Visual Studio writes it: UTF-8 BOM, CRLF, tabs."""
    folders = {folder: _guid(solution, folder) for folder in ("src", "test")}
    projects = []
    for name in _project_names(solution):
        folder = "test" if name == solution.tests else "src"
        path = f"{folder}\\{name}\\{name}.csproj"
        projects.append({"name": name, "path": path, "guid": _guid(solution, path),
                         "folder_guid": folders[folder]})
    text = render("new/solution.sln.j2", newline="\r\n", folders=folders, projects=projects,
                  solution_guid=_guid(solution, f"{solution.name}.sln"),
                  project_type=SDK_CSHARP_PROJECT, folder_type=SOLUTION_FOLDER)
    return "\ufeff".encode("utf-8") + text.encode("utf-8")


# -- the README of the new solution --------------------------------------------------------------------------------

def _readme_context(solution: Solution) -> dict:
    paths = [f"test/{solution.tests}/", *(f"{p.folder}/" for p in solution.projects)]
    if solution.annotations:
        paths += [f"{p.folder}/aws-lambda-tools-defaults.json" for p in solution.projects]
    else:
        paths += [solution.template_file, "aws-lambda-tools-defaults.json"]
    return {
        "solution": solution.name, "runtime": solution.runtime, "template_file": solution.template_file,
        "annotations": solution.annotations, "tests": solution.tests, "stack": naming.stack_name(solution.name),
        "projects": [{"name": p.name, "architecture": p.architecture, "rid": p.rid, "folder": p.folder,
                      "functions": [f.name for f in p.functions], "stack": project_stack(solution, p)}
                     for p in solution.projects],
        "width": max(len(path) for path in paths) + 2,
    }


def runtime_warning(runtime: str, today: date) -> str | None:
    deprecated = DEPRECATED_ON.get(runtime)
    if deprecated is None or today < deprecated:
        return None
    return (f"{runtime} is deprecated in AWS Lambda since {deprecated.isoformat()}: new functions may be refused "
            "and cfn-lint flags it; prefer --runtime dotnet10")
