"""`lambda-split new`: the generated solution is split-ready (one architecture per build), complete (every project in
the solution, every handler compiled into its CodeUri's project), valid (C# parses, cfn-lint passes) and refused
names or targets change nothing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PureWindowsPath

import pytest
import tree_sitter
from hypothesis import HealthCheck, given, settings, strategies as st
import tree_sitter_c_sharp
from ruamel.yaml import YAML

from splitter.commands import new as new_command
from splitter.scaffold import solution as scaffold
from splitter.changes.journal import JOURNAL_NAME
from splitter.errors import SplitterError
from dotnet_compile import assert_compiles
from support import Run, require_module, run_cli, sampled_cases, sampled_given

CSHARP = tree_sitter.Language(tree_sitter_c_sharp.language())
SDK_CSHARP = "{9A19103F-16F7-4668-BE54-9A1E7A4F7556}"


# -- running the command -------------------------------------------------------------------------------------------

def new(output: Path, name: str, *functions: str, options: tuple[str, ...] = ()) -> Run:
    args = ["new", name, *(a for f in functions for a in ("--function", f)), "--output", str(output), *options]
    return run_cli(*args)


def tree_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- the generated solutions every invariant is checked on ---------------------------------------------------------

@dataclass(frozen=True)
class Variant:
    id: str
    name: str
    functions: tuple[str, ...]
    options: tuple[str, ...] = ()

    @property
    def annotations(self) -> bool:
        return "--annotations" in self.options

    @property
    def architectures(self) -> set[str]:
        return {f.split(":")[1] for f in self.functions}


VARIANTS = [
    Variant("both-json", "Acme.Orders", ("GetOrder:x86_64", "PutOrder:arm64", "ListOrders:arm64")),
    Variant("both-yaml", "Acme.Orders", ("GetOrder:x86_64", "PutOrder:arm64"), ("--template-format", "yaml")),
    Variant("x64-only-json", "Shop", ("Checkout:x86_64", "Refund:x86_64")),
    Variant("arm64-only-yaml", "Shop", ("Checkout:arm64",), ("--template-format", "yaml")),
    Variant("dotted-dotnet10", "Contoso.Retail.Orders", ("Get:arm64", "Put:x86_64"), ("--runtime", "dotnet10")),
    Variant("annotations-both-json", "Acme.Orders", ("GetOrder:x86_64", "PutOrder:arm64", "ListOrders:arm64"),
            ("--annotations",)),
    Variant("annotations-both-yaml", "Acme.Orders", ("GetOrder:x86_64", "PutOrder:arm64"),
            ("--annotations", "--template-format", "yaml")),
    Variant("annotations-arm64-only", "Contoso.Retail", ("Get:arm64",), ("--annotations", "--runtime", "dotnet10")),
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Each variant generated once, through the CLI, into its own output folder."""
    roots: dict[str, Path] = {}

    def get(variant: Variant) -> Path:
        if variant.id not in roots:
            output = tmp_path_factory.mktemp(variant.id)
            result = new(output, variant.name, *variant.functions, options=variant.options)
            assert result.code == 0, result.err
            roots[variant.id] = output / variant.name
        return roots[variant.id]
    return get


def by_id(variants):
    return pytest.mark.parametrize("variant", variants, ids=[v.id for v in variants])


# -- reading what was generated ------------------------------------------------------------------------------------

def load_template(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        return json.loads(text)
    return YAML(typ="safe").load(text)


def templates_of(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.name in ("serverless.template", "template.yaml"))


def functions_of(root: Path):
    """(template path, logical ID, properties) for every function in every template of the solution."""
    for template in templates_of(root):
        for logical_id, resource in load_template(template)["Resources"].items():
            if resource["Type"] == "AWS::Serverless::Function":
                yield template, logical_id, resource


def parse_csharp(path: Path) -> tree_sitter.Tree:
    return tree_sitter.Parser(CSHARP).parse(path.read_bytes())


def walk(node: tree_sitter.Node):
    yield node
    for child in node.children:
        yield from walk(child)


@dataclass(frozen=True)
class Method:
    namespace: str
    type_name: str
    name: str
    attributes: tuple[str, ...]
    is_public: bool


def methods_in(path: Path) -> list[Method]:
    """Every method with its block namespace and class, from the C# syntax tree."""
    found = []

    def visit(node, namespace, type_name):
        if node.type == "namespace_declaration":
            inner = node.child_by_field_name("name").text.decode()
            namespace = f"{namespace}.{inner}" if namespace else inner
        elif node.type == "class_declaration":
            type_name = node.child_by_field_name("name").text.decode()
        elif node.type == "method_declaration":
            attributes = tuple(a.child_by_field_name("name").text.decode()
                               for a in walk(node) if a.type == "attribute")
            modifiers = [c.text.decode() for c in node.children if c.type == "modifier"]
            found.append(Method(namespace, type_name, node.child_by_field_name("name").text.decode(),
                                attributes, "public" in modifiers))
        for child in node.children:
            visit(child, namespace, type_name)

    visit(parse_csharp(path).root_node, "", "")
    return found


def csharp_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.cs") if not {"bin", "obj"} & set(p.relative_to(folder).parts))


def resolve_handler(template: Path, properties: dict) -> Method | None:
    """The method a handler string names, looked up in the C# of the project its CodeUri names."""
    assembly, type_path, method = properties["Handler"].split("::")
    project = (template.parent / properties["CodeUri"]).resolve()
    csprojs = list(project.glob("*.csproj"))
    assert len(csprojs) == 1, f"CodeUri {properties['CodeUri']} must hold exactly one project"
    assert csprojs[0].stem == assembly, "the handler's assembly is the CodeUri project's assembly"
    namespace, _, type_name = type_path.rpartition(".")
    generated = re.fullmatch(r"(\w+)_(\w+)_Generated", type_name)
    for path in csharp_files(project):
        for candidate in methods_in(path):
            if candidate.namespace != namespace or candidate.name != method:
                continue
            if candidate.type_name == type_name:
                return candidate
            # Amazon.Lambda.Annotations generates Class_Method_Generated::Method for a [LambdaFunction] method.
            if generated and (candidate.type_name, candidate.name) == generated.groups() \
                    and "LambdaFunction" in candidate.attributes:
                return candidate
    return None


def solution_projects(sln: Path) -> dict[str, str]:
    """Project path (POSIX, relative to the solution) -> GUID, for every C# project entry in the .sln."""
    text = sln.read_bytes().decode("utf-8-sig")
    entries = re.findall(r'^Project\("(\{[^}]+\})"\) = "[^"]*", "([^"]*)", "(\{[^}]+\})"', text, re.M)
    return {PureWindowsPath(path).as_posix(): guid for kind, path, guid in entries if kind == SDK_CSHARP}


# -- acceptance: one and both architectures, JSON and YAML, dotted names -------------------------------------------

@by_id(VARIANTS)
def test_function_projects_exist_only_for_the_architectures_asked_for(generated, variant):
    root = generated(variant)
    projects = {p.parent.name for p in (root / "src").glob("*/*.csproj")}
    expected = {variant.name} | {f"{variant.name}.{suffix}" for arch, (suffix, _) in scaffold.ARCHITECTURES.items()
                                 if arch in variant.architectures}
    assert projects == expected
    assert (root / "test" / f"{variant.name}.Tests" / f"{variant.name}.Tests.csproj").is_file()


@by_id(VARIANTS)
def test_template_resources_are_named_as_the_functions_with_explicit_architecture(generated, variant):
    root = generated(variant)
    found = {logical_id: resource["Properties"]["Architectures"] for _, logical_id, resource in functions_of(root)}
    assert found == {f.split(":")[0]: [f.split(":")[1]] for f in variant.functions}


@by_id(VARIANTS)
def test_template_format_is_the_one_asked_for(generated, variant):
    root = generated(variant)
    yaml = "yaml" in variant.options
    for template in templates_of(root):
        assert template.name == ("template.yaml" if yaml else "serverless.template")
        assert template.read_text().lstrip().startswith("{") is not yaml


@by_id(VARIANTS)
def test_each_code_uri_is_one_project_of_one_architecture(generated, variant):
    root = generated(variant)
    architectures: dict[Path, set[str]] = {}
    spellings: dict[Path, set[str]] = {}
    for template, _, resource in functions_of(root):
        props = resource["Properties"]
        folder = (template.parent / props["CodeUri"]).resolve()
        architectures.setdefault(folder, set()).update(props["Architectures"])
        spellings.setdefault(folder, set()).add(props["CodeUri"])
        suffix = scaffold.ARCHITECTURES[props["Architectures"][0]][0]
        assert folder.name == f"{variant.name}.{suffix}"
    assert all(len(a) == 1 for a in architectures.values())
    assert all(len(s) == 1 for s in spellings.values()), "one identical CodeUri string per project"


@by_id(VARIANTS)
def test_every_handler_resolves_to_a_method_compiled_into_its_code_uri_project(generated, variant):
    root = generated(variant)
    for template, logical_id, resource in functions_of(root):
        method = resolve_handler(template, resource["Properties"])
        assert method is not None, f"{logical_id}: {resource['Properties']['Handler']} resolves to nothing"
        assert method.is_public and method.type_name == logical_id


@by_id(VARIANTS)
def test_generated_csharp_parses_and_uses_only_csharp7_syntax(generated, variant):
    root = generated(variant)
    newer = {"file_scoped_namespace_declaration", "record_declaration", "implicit_object_creation_expression",
             "nullable_type"}
    files = csharp_files(root)
    assert files
    for path in files:
        tree = parse_csharp(path)
        nodes = list(walk(tree.root_node))
        assert not tree.root_node.has_error, path
        assert not [n for n in nodes if n.type == "ERROR" or n.is_missing], path
        assert not [n.type for n in nodes if n.type in newer], path
        usings = [n for n in nodes if n.type == "using_directive"]
        assert not [u for u in usings if u.children[0].type == "global"], f"{path}: no global usings"
        for declaration in (n for n in nodes if n.type == "class_declaration"):
            assert declaration.parent.parent.type == "namespace_declaration", f"{path}: in a block namespace"


def test_handlers_use_only_explicit_usings(generated):
    root = generated(VARIANTS[0])
    handler = (root / "src/Acme.Orders.X64/Functions/GetOrder.cs").read_text()
    assert "using Amazon.Lambda.Core;" in handler
    assembly_attributes = (root / "src/Acme.Orders.X64/AssemblyAttributes.cs").read_text()
    assert "[assembly: LambdaSerializer(typeof(DefaultLambdaJsonSerializer))]" in assembly_attributes
    assert "using Amazon.Lambda.Serialization.SystemTextJson;" in assembly_attributes


@by_id(VARIANTS)
def test_every_project_is_in_the_solution_with_both_configurations(generated, variant):
    root = generated(variant)
    sln = root / f"{variant.name}.sln"
    listed = solution_projects(sln)
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*.csproj")}
    assert set(listed) == on_disk
    text = sln.read_bytes().decode("utf-8-sig")
    for guid in listed.values():
        for config in ("Debug", "Release"):
            assert f"{guid}.{config}|Any CPU.ActiveCfg = {config}|Any CPU" in text
            assert f"{guid}.{config}|Any CPU.Build.0 = {config}|Any CPU" in text
    assert len(set(listed.values())) == len(listed)


def test_solution_file_is_written_as_visual_studio_writes_it(generated):
    raw = (generated(VARIANTS[0]) / "Acme.Orders.sln").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf\r\nMicrosoft Visual Studio Solution File, Format Version 12.00\r\n"
                          b"# Visual Studio Version 17\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"GlobalSection(SolutionConfigurationPlatforms) = preSolution" in raw
    assert raw.endswith(b"EndGlobal\r\n")


def test_project_guids_are_derived_from_names(tmp_path):
    first = new(tmp_path / "a", "Acme.Orders", "GetOrder:x86_64", "PutOrder:arm64")
    second = new(tmp_path / "b", "Acme.Orders", "GetOrder:x86_64", "PutOrder:arm64")
    assert first.code == second.code == 0
    assert tree_of(tmp_path / "a") == tree_of(tmp_path / "b")
    other = new(tmp_path / "c", "Acme.Billing", "GetOrder:x86_64")
    assert other.code == 0
    assert not set(solution_projects(tmp_path / "a/Acme.Orders/Acme.Orders.sln").values()) \
        & set(solution_projects(tmp_path / "c/Acme.Billing/Acme.Billing.sln").values())


@by_id(VARIANTS)
def test_tests_project_has_one_fact_per_function_and_references_every_project(generated, variant):
    root = generated(variant)
    tests = root / "test" / f"{variant.name}.Tests"
    facts = [m for path in csharp_files(tests) for m in methods_in(path) if "Fact" in m.attributes]
    assert sorted(m.name for m in facts) == sorted(f"{f.split(':')[0]}_GreetsTheCaller" for f in variant.functions)
    source = (tests / "FunctionTests.cs").read_text()
    assert source.count("new TestLambdaContext()") == len(variant.functions)
    csproj = (tests / f"{variant.name}.Tests.csproj").read_text()
    for package in ("xunit", "Microsoft.NET.Test.Sdk", "Amazon.Lambda.TestUtilities"):
        assert f'Include="{package}"' in csproj
    referenced = {PureWindowsPath(p).name for p in re.findall(r'ProjectReference Include="([^"]+)"', csproj)}
    assert referenced == {p.name for p in (root / "src").glob("*/*.csproj")}


@by_id(VARIANTS)
def test_function_projects_carry_the_lambda_build_properties(generated, variant):
    root = generated(variant)
    for csproj in (root / "src").glob(f"{variant.name}.*/*.csproj"):
        text = csproj.read_text()
        for prop in ("<GenerateRuntimeConfigurationFiles>true", "<AWSProjectType>Lambda",
                     "<CopyLocalLockFileAssemblies>true", "<PublishReadyToRun>true"):
            assert prop in text, f"{csproj.name}: {prop}"
        assert f"..\\{variant.name}\\{variant.name}.csproj" in text
        defaults = json.loads((csproj.parent / "aws-lambda-tools-defaults.json").read_text())
        suffix = csproj.stem.rsplit(".", 1)[1]
        assert defaults["function-architecture"] == {"X64": "x86_64", "Arm64": "arm64"}[suffix]


@by_id([v for v in VARIANTS if not v.annotations])
def test_root_defaults_name_the_root_template(generated, variant):
    root = generated(variant)
    defaults = json.loads((root / "aws-lambda-tools-defaults.json").read_text())
    assert (root / defaults["template"]).is_file()
    assert {"profile", "region", "configuration", "s3-prefix", "template", "template-parameters"} <= set(defaults)


@pytest.mark.parametrize("runtime, framework", [("dotnet8", "net8.0"), ("dotnet10", "net10.0")])
def test_runtime_sets_target_framework_and_template_runtime(tmp_path, runtime, framework):
    assert new(tmp_path, "Acme", "Get:arm64", options=("--runtime", runtime)).code == 0
    root = tmp_path / "Acme"
    for csproj in root.rglob("*.csproj"):
        assert f"<TargetFramework>{framework}</TargetFramework>" in csproj.read_text()
    assert {r["Properties"]["Runtime"] for _, _, r in functions_of(root)} == {runtime}


def test_dotnet6_is_refused_in_one_line(tmp_path):
    result = new(tmp_path, "Acme", "Get:arm64", options=("--runtime", "dotnet6"))
    assert result.code == 2
    assert result.err.count("\n") == 1 and result.err.startswith("lambda-split: error: ")
    assert "'dotnet6' is not one of 'dotnet8', 'dotnet10'" in result.err
    assert not (tmp_path / "Acme").exists()


def test_runtime_warning_starts_on_the_deprecation_day():
    assert scaffold.runtime_warning("dotnet8", date(2026, 11, 9)) is None
    assert "dotnet8 is deprecated" in scaffold.runtime_warning("dotnet8", date(2026, 11, 10))
    assert scaffold.runtime_warning("dotnet10", date(2030, 1, 1)) is None


# -- acceptance: Annotations -----------------------------------------------------------------------------------------

@by_id([v for v in VARIANTS if v.annotations])
def test_annotations_each_function_project_owns_its_template(generated, variant):
    root = generated(variant)
    assert not (root / "serverless.template").exists() and not (root / "template.yaml").exists()
    stacks = set()
    for csproj in (root / "src").glob(f"{variant.name}.*/*.csproj"):
        project = csproj.parent
        defaults = json.loads((project / "aws-lambda-tools-defaults.json").read_text())
        template = load_template(project / defaults["template"])
        assert "partially managed by Amazon.Lambda.Annotations (v1." in template["Description"]
        stacks.add(defaults["stack-name"])
        assert defaults["stack-name"].endswith("-" + csproj.stem.rsplit(".", 1)[1].lower())
        for logical_id, resource in template["Resources"].items():
            assert resource["Metadata"] == {"Tool": "Amazon.Lambda.Annotations"}
            props = resource["Properties"]
            assert props["CodeUri"] == "."
            assert props["Handler"] == f"{project.name}::{project.name}.Functions.{logical_id}_Handle_Generated::Handle"
            source = (project / "Functions" / f"{logical_id}.cs").read_text()
            assert f'[LambdaFunction(ResourceName = "{logical_id}")]' in source
        startup = [m for p in csharp_files(project) for m in methods_in(p) if m.type_name == "Startup"]
        assert startup and "[LambdaStartup]" in (project / "Startup.cs").read_text()
        assert 'Include="Amazon.Lambda.Annotations"' in csproj.read_text()
    assert len(stacks) == len(variant.architectures)
    library = (root / "src" / variant.name / f"{variant.name}.csproj").read_text()
    assert "Amazon.Lambda.Annotations" not in library


# -- acceptance: tools agree ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", sampled_cases(VARIANTS, {"both-json", "annotations-both-yaml", "dotted-dotnet10"},
                                                  [v.id for v in VARIANTS]))
def test_cfn_lint_passes_on_every_template(generated, variant):
    require_module("cfnlint")
    root = generated(variant)
    runtime = variant.options[variant.options.index("--runtime") + 1] if "--runtime" in variant.options \
        else "dotnet8"
    # dotnet8 reached its Lambda deprecation date (2026-11-10): cfn-lint warns W2531 about that date, not the template.
    ignore = ["--ignore-checks", "W2531"] if runtime == "dotnet8" else []
    result = subprocess.run([sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())",
                             *ignore, "--", *map(str, templates_of(root))], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@by_id(VARIANTS)
def test_generated_solution_compiles_with_mcs(generated, variant, mcs):
    assert_compiles(generated(variant))


@pytest.mark.parametrize("annotations", [False, True], ids=["plain", "annotations"])
def test_names_that_share_a_namespace_or_local_name_still_compile(tmp_path, mcs, annotations):
    options = ("--annotations",) if annotations else ()
    for index, name in enumerate(("Amazon.Orders", "System.Orders", "Acme.Acme", "Tests", "Shop.X64")):
        output = tmp_path / str(index)
        result = new(output, name, "Functions:x86_64", "function:arm64", "context:arm64", "Greet:x86_64",
                     options=options)
        assert result.code == 0, result.err
        assert_compiles(output / name)


@by_id(VARIANTS)
def test_generated_solution_passes_check(generated, variant):
    result = run_cli("check", str(generated(variant)))
    assert result.code == 0, result.out + result.err


# -- dry run, real run, refusals ---------------------------------------------------------------------------------

def test_dry_run_lists_the_files_a_real_run_creates_and_writes_nothing(tmp_path):
    dry = new(tmp_path, "Acme.Orders", "GetOrder:x86_64", "PutOrder:arm64", options=("--dry-run",))
    assert dry.code == 0
    assert not any(tmp_path.iterdir())
    real = new(tmp_path, "Acme.Orders", "GetOrder:x86_64", "PutOrder:arm64")
    assert real.code == 0
    listed = [line for line in dry.out.splitlines() if line]
    assert listed == real.out.splitlines()[:len(listed)]
    created = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert [line.split(None, 1) for line in listed] == [["create", f"{tmp_path}/{path}"] for path in created]
    assert "Next steps:" in real.out and "Next steps:" not in dry.out
    assert not (tmp_path / JOURNAL_NAME).exists()


def test_output_defaults_to_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("new", "Acme", "--function", "Get:arm64")
    assert result.code == 0
    assert "create  Acme/Acme.sln" in result.out.splitlines()
    assert (tmp_path / "Acme" / "Acme.sln").is_file()


def test_refuses_to_write_into_a_non_empty_folder_and_changes_nothing(tmp_path):
    target = tmp_path / "Acme"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    before = tree_of(tmp_path)
    for options in ((), ("--dry-run",)):
        result = new(tmp_path, "Acme", "Get:arm64", options=options)
        assert result.code == 2
        assert "not empty" in result.err and len(result.err.strip().splitlines()) == 1
        assert tree_of(tmp_path) == before


def test_writes_into_an_existing_empty_folder(tmp_path):
    (tmp_path / "Acme").mkdir()
    assert new(tmp_path, "Acme", "Get:arm64").code == 0
    assert (tmp_path / "Acme" / "Acme.sln").is_file()


def test_refuses_a_target_that_is_a_file(tmp_path):
    (tmp_path / "Acme").write_text("a file")
    result = new(tmp_path, "Acme", "Get:arm64")
    assert result.code == 2
    assert (tmp_path / "Acme").read_text() == "a file"


BAD_REQUESTS = [
    (["new", "Acme", "--function", "my-func:arm64"],
     "function name 'my-func' is not a valid CloudFormation logical ID (letters and digits only)"),
    (["new", "Acme", "--function", "Get_Order:arm64"], "not a valid CloudFormation logical ID"),
    (["new", "Acme", "--function", "1Get:arm64"], "must start with a letter"),
    (["new", "Acme", "--function", "class:arm64"], "function name 'class' is a C# keyword"),
    (["new", "Acme", "--function", "Get:x64"], "architecture 'x64' is not x86_64 or arm64"),
    (["new", "Acme", "--function", "Get"], "is not NAME:ARCH"),
    (["new", "Acme", "--function", "Get:arm64", "--function", "Get:x86_64"], "'Get' is given twice"),
    (["new", "Acme", "--function", "Get:arm64", "--function", "GET:arm64"], "differ only in case"),
    (["new", "Acme", "--function", "Get:arm64", "--function", "GetRole:arm64"], "role SAM creates"),
    (["new", "Acme", "--function", "GreetingService:arm64"], "clashes with a name the generated code uses"),
    (["new", "Acme.Orders", "--function", "Orders:arm64"], "also a segment of the solution name"),
    (["new", "Acme..Orders", "--function", "Get:arm64"], "empty segment"),
    (["new", "Acme.1Orders", "--function", "Get:arm64"], "segment '1Orders' is not a C# identifier"),
    (["new", "Acme.namespace", "--function", "Get:arm64"], "segment 'namespace' is a C# keyword"),
    (["new", "Acme-Orders", "--function", "Get:arm64"], "is not a C# identifier"),
    (["new", "Acme.ILambdaContext", "--function", "Get:arm64"], "clashes with a name the generated code uses"),
    (["new", "CON", "--function", "Get:arm64"], "reserved device name on Windows"),
    (["new", "Acme", "--function", "Get:arm64", "--runtime", "dotnet7"], "'dotnet7' is not one of 'dotnet8', 'dotnet10'"),
]


@pytest.mark.parametrize("args, message", BAD_REQUESTS, ids=[" ".join(a[1:]) for a, _ in BAD_REQUESTS])
def test_bad_names_exit_2_with_one_clear_line_and_write_nothing(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = run_cli(*args)
    assert result.code == 2
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert result.out == ""
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("word", ["Yes", "No", "On", "Off", "True", "Null"])
def test_yaml_function_names_that_yaml_reads_as_booleans_stay_strings(tmp_path, word):
    assert new(tmp_path, "Acme", f"{word}:arm64", options=("--template-format", "yaml")).code == 0
    resources = load_template(tmp_path / "Acme" / "template.yaml")["Resources"]
    assert list(resources) == [word]




def test_output_folder_is_created_when_missing(tmp_path):
    result = new(tmp_path / "deep" / "er", "Acme", "Get:arm64")
    assert result.code == 0, result.err
    assert (tmp_path / "deep/er/Acme/Acme.sln").is_file()
    assert not (tmp_path / "deep/er" / JOURNAL_NAME).exists()


# -- properties over many requests (pure: no disk) ---------------------------------------------------------------

pascal_names = st.from_regex(r"[A-Z][a-z]{1,6}(?:[A-Z][a-z0-9]{1,5}){0,2}", fullmatch=True)


@sampled_given(settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]), 15,
               name=st.lists(pascal_names, min_size=1, max_size=3).map(".".join),
               functions=st.dictionaries(pascal_names, st.sampled_from(["x86_64", "arm64"]), min_size=1, max_size=5),
               template_format=st.sampled_from(["json", "yaml"]), annotations=st.booleans())
def test_every_accepted_request_yields_one_resource_per_function_and_parseable_files(name, functions,
                                                                                      template_format, annotations):
    specs = [f"{f}:{a}" for f, a in functions.items()]
    try:
        solution = scaffold.parse_request(name, specs, "dotnet10", template_format, annotations)
    except SplitterError:
        return   # a name the rules refuse (a clash, a keyword...): refusing is the contract
    files = scaffold.solution_files(solution)
    resources = {}
    for path, content in files.items():
        if path.endswith((".template", ".yaml")):
            text = content if isinstance(content, str) else content.decode()
            loaded = json.loads(text) if template_format == "json" else YAML(typ="safe").load(text)
            resources.update({k: v["Properties"]["Architectures"] for k, v in loaded["Resources"].items()})
        elif path.endswith(".cs"):
            tree = tree_sitter.Parser(CSHARP).parse(content.encode() if isinstance(content, str) else content)
            assert not tree.root_node.has_error, path
    assert resources == {f: [a] for f, a in functions.items()}


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=30), function=st.text(max_size=30))
def test_any_typed_name_is_accepted_or_refused_with_a_splitter_error(name, function):
    try:
        scaffold.parse_request(name, [function], "dotnet8", "json", False)
    except SplitterError as error:
        assert "\n" not in str(error), "one line"
