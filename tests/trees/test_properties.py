"""Property-based tests: hypothesis generates whole small solutions (handler classes and methods laid out in files,
functions of random architectures, JSON or YAML templates, Globals or not, CRLF or LF, BOM or not) and every
migration invariant must hold on each: architectures kept, one architecture per build, handlers resolve, nothing lost,
a second run changes nothing, and the dry-run patch applies to exactly the migrated tree.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st

from builders import LAMBDA_PACKAGES, NET8, csproj
from invariants import (assert_architectures_kept, assert_handlers_resolve, assert_nothing_lost,
                        assert_one_architecture_per_build, assert_only_intended_template_lines, functions_by_id,
                        git_run, read_tree)
from support import run_cli, sampled_given

ARCHS = ("x86_64", "arm64")
SETTINGS = settings(max_examples=50, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@dataclass(frozen=True)
class HandlerClass:
    name: str
    methods: tuple[str, ...]
    uses_helper: bool


@dataclass(frozen=True)
class Function:
    logical_id: str
    handler_class: str
    method: str
    architecture: str | None            # None: no Architectures of its own (Globals or the x86_64 default)
    flow_list: bool


@dataclass(frozen=True)
class Solution:
    name: str
    files: tuple[tuple[HandlerClass, ...], ...]
    functions: tuple[Function, ...]
    template_format: str
    template_at_root: bool
    globals_architecture: str | None
    newline: str
    bom: bool
    with_tests: bool
    with_sln: bool

    def effective(self, function: Function) -> str:
        return function.architecture or self.globals_architecture or "x86_64"

    @property
    def is_mixed(self) -> bool:
        return len({self.effective(f) for f in self.functions}) > 1


@st.composite
def solutions(draw) -> Solution:
    name = draw(st.sampled_from(["Orders", "Acme.Billing", "Svc"]))
    files, index = [], 0
    for _ in range(draw(st.integers(1, 3))):
        classes = []
        for _ in range(draw(st.integers(1, 3))):
            index += 1
            methods = tuple(f"Handle{m}" for m in range(1, draw(st.integers(1, 3)) + 1))
            classes.append(HandlerClass(f"Handler{index}", methods, draw(st.booleans())))
        files.append(tuple(classes))
    every_method = [(c.name, m) for f in files for c in f for m in c.methods]
    functions = []
    for number in range(1, draw(st.integers(1, 6)) + 1):
        handler_class, method = draw(st.sampled_from(every_method))
        functions.append(Function(f"Function{number}", handler_class, method,
                                  draw(st.sampled_from([None, *ARCHS])), draw(st.booleans())))
    solution = Solution(name, tuple(files), tuple(functions), draw(st.sampled_from(["json", "yaml"])),
                        draw(st.booleans()), draw(st.sampled_from([None, *ARCHS])),
                        draw(st.sampled_from(["\n", "\r\n"])), draw(st.booleans()), draw(st.booleans()),
                        draw(st.booleans()))
    if len(functions) > 1 and not solution.is_mixed and draw(st.sampled_from([True, True, False])):
        # Most generated solutions should need a split: turn one function to the other architecture.
        last = functions[-1]
        other = ARCHS[1 - ARCHS.index(solution.effective(last))]
        functions[-1] = Function(last.logical_id, last.handler_class, last.method, other, last.flow_list)
        solution = replace(solution, functions=tuple(functions))
    return solution


# -- writing a generated solution ------------------------------------------------------------------------------------

CSPROJ = csproj({**NET8, "GenerateRuntimeConfigurationFiles": "true", "AWSProjectType": "Lambda", "PublishReadyToRun": "true"},
                LAMBDA_PACKAGES)

TEST_CSPROJ = csproj({**NET8, "IsTestProject": "true"}, {"Microsoft.NET.Test.Sdk": "17.9.0", "xunit": "2.7.0"},
                     ("..\\..\\src\\{name}\\{name}.csproj",))   # a str.format template: {name}


def handler_file(namespace: str, classes: tuple[HandlerClass, ...]) -> str:
    body = []
    for cls in classes:
        methods = []
        for method in cls.methods:
            result = "Helper.Twice(input)" if cls.uses_helper else "input"
            methods.append(f"        public string {method}(string input, ILambdaContext context)\n"
                           f"        {{\n            return {result};\n        }}\n")
        body.append(f"    public class {cls.name}\n    {{\n" + "\n".join(methods) + "    }\n")
    return (f"using Amazon.Lambda.Core;\n\nnamespace {namespace}\n{{\n" + "\n".join(body) + "}\n")


def template_text(solution: Solution, code_uri: str) -> str:
    handler = lambda f: f"{solution.name}::{solution.name}.{f.handler_class}::{f.method}"  # noqa: E731
    if solution.template_format == "json":
        doc: dict = {"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31"}
        if solution.globals_architecture:
            doc["Globals"] = {"Function": {"Runtime": "dotnet8", "Architectures": [solution.globals_architecture]}}
        doc["Resources"] = {}
        for f in solution.functions:
            properties = {"Handler": handler(f), "Runtime": "dotnet8", "CodeUri": code_uri, "MemorySize": 256}
            if f.architecture:
                properties["Architectures"] = [f.architecture]
            doc["Resources"][f.logical_id] = {"Type": "AWS::Serverless::Function", "Properties": properties}
        return json.dumps(doc, indent=2) + "\n"
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Transform: AWS::Serverless-2016-10-31"]
    if solution.globals_architecture:
        lines += ["Globals:", "  Function:", "    Runtime: dotnet8", "    Architectures:",
                  f"      - {solution.globals_architecture}"]
    lines.append("Resources:")
    for f in solution.functions:
        lines += [f"  {f.logical_id}:", "    Type: AWS::Serverless::Function", "    Properties:",
                  f"      Handler: {handler(f)}", "      Runtime: dotnet8", f"      CodeUri: {code_uri}",
                  "      MemorySize: 256  # a comment that must survive"]
        if f.architecture and f.flow_list:
            lines.append(f"      Architectures: [{f.architecture}]")
        elif f.architecture:
            lines += ["      Architectures:", f"        - {f.architecture}"]
    return "\n".join(lines) + "\n"


def write(root: Path, solution: Solution) -> None:
    name = solution.name
    project = f"src/{name}"
    files = {f"{project}/{name}.csproj": CSPROJ,
             f"{project}/Helper.cs": f"namespace {name}\n{{\n    internal static class Helper\n    {{\n"
                                     "        public static string Twice(string s) { return s + s; }\n    }\n}\n"}
    for number, classes in enumerate(solution.files, 1):
        files[f"{project}/Handlers{number}.cs"] = handler_file(name, classes)
    template_name = "serverless.template" if solution.template_format == "json" else "template.yaml"
    if solution.template_at_root:
        files[template_name] = template_text(solution, f"./{project}/")
    else:
        files[f"{project}/{template_name}"] = template_text(solution, ".")
    if solution.with_tests:
        first = next(c for classes in solution.files for c in classes)
        files[f"test/{name}.Tests/{name}.Tests.csproj"] = TEST_CSPROJ.format(name=name)
        files[f"test/{name}.Tests/HandlerTests.cs"] = (
            f"using {name};\nusing Xunit;\n\nnamespace {name}.Tests\n{{\n    public class HandlerTests\n    {{\n"
            f"        [Fact]\n        public void Runs() {{ Assert.NotNull(new {first.name}()); }}\n    }}\n}}\n")
    if solution.with_sln:
        files[f"{name}.sln"] = sln_text(solution)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.replace("\n", solution.newline).encode("utf-8")
        path.write_bytes((b"\xef\xbb\xbf" if solution.bom else b"") + data)


def sln_text(solution: Solution) -> str:
    name, cs = solution.name, "FAE04EC0-301F-11D3-BF4B-00C04F79EFBC"
    entries = [(name, f"src\\{name}\\{name}.csproj", "11111111-1111-1111-1111-111111111111")]
    if solution.with_tests:
        entries.append((f"{name}.Tests", f"test\\{name}.Tests\\{name}.Tests.csproj",
                        "22222222-2222-2222-2222-222222222222"))
    projects = "".join(f'Project("{{{cs}}}") = "{n}", "{p}", "{{{g}}}"\nEndProject\n' for n, p, g in entries)
    configs = "".join(f"\t\t{{{g}}}.Debug|Any CPU.ActiveCfg = Debug|Any CPU\n" for _, _, g in entries)
    return ("\nMicrosoft Visual Studio Solution File, Format Version 12.00\n# Visual Studio Version 17\n" + projects
            + "Global\n\tGlobalSection(ProjectConfigurationPlatforms) = postSolution\n" + configs
            + "\tEndGlobalSection\nEndGlobal\n")


# -- the properties --------------------------------------------------------------------------------------------------

def migrate_generated(solution: Solution, work: Path) -> tuple[Path, Path]:
    before = work / "before"
    write(before, solution)
    migrated = work / "migrated"
    shutil.copytree(before, migrated)
    return before, migrated


@sampled_given(SETTINGS, 10, solutions())
def test_every_generated_solution_migrates_keeping_every_invariant(solution):
    with tempfile.TemporaryDirectory() as scratch:
        before, migrated = migrate_generated(solution, Path(scratch))
        mixed = solution.is_mixed
        event("mixed architectures" if mixed else "one architecture")
        check = run_cli("check", before)
        assert check.code == (1 if mixed else 0), check.out + check.err
        dry_run = run_cli("migrate", "--dry-run", migrated)
        assert dry_run.code == 0, dry_run.err
        assert read_tree(migrated) == read_tree(before), "--dry-run wrote something"
        result = run_cli("migrate", migrated)
        assert result.code == 0, result.err
        if not mixed:
            assert "Nothing to do" in result.err and read_tree(migrated) == read_tree(before)
            return
        assert_architectures_kept(before, migrated)
        assert_one_architecture_per_build(migrated)
        assert_handlers_resolve(migrated)
        old_tree, new_tree = read_tree(before), read_tree(migrated)
        assert_nothing_lost(old_tree, new_tree, before, migrated)
        for path, data in old_tree.items():
            if path.endswith((".template", ".yaml")) and data != new_tree.get(path, data):
                assert_only_intended_template_lines(data, new_tree[path], path)
        assert_new_files_follow_the_solution(solution, old_tree, new_tree)
        patched = Path(scratch) / "patched"
        shutil.copytree(before, patched)
        git_run(patched, "apply", "--whitespace=nowarn", "-", stdin=dry_run.out.encode("utf-8", "surrogateescape"))
        assert read_tree(patched) == new_tree, "the dry-run patch is not what migrate wrote"
        again = run_cli("migrate", migrated)
        assert again.code == 0 and "Nothing to do" in again.err, again.err
        assert read_tree(migrated) == new_tree


def assert_new_files_follow_the_solution(solution: Solution, old: dict, new: dict) -> None:
    """Line endings never mix within a file, and a solution written with CRLF gets CRLF files."""
    for path, data in new.items():
        if old.get(path) == data or not path.endswith((".cs", ".csproj", ".json", ".template", ".yaml", ".sln")):
            continue
        crlf, lf = data.count(b"\r\n"), data.count(b"\n")
        assert crlf in (0, lf), f"{path} mixes line endings"
        if solution.newline == "\r\n" and lf:
            assert crlf == lf, f"{path} is LF in a CRLF solution"


@sampled_given(SETTINGS, 10, solutions())
def test_functions_keep_their_architecture_and_handler_method(solution):
    """Compared function by function: the architecture is the same and the handler names the same type and method
    (only its assembly may change, to the function project's)."""
    with tempfile.TemporaryDirectory() as scratch:
        before, migrated = migrate_generated(solution, Path(scratch))
        assert run_cli("migrate", migrated).code == 0
        old, new = functions_by_id(before), functions_by_id(migrated)
        assert old.keys() == new.keys()
        for key, (arch, _, handler) in old.items():
            assert new[key][0] == arch
            assert new[key][2].split("::")[1:] == handler.split("::")[1:], (key, handler, new[key][2])
