"""Solution shapes found in real repositories that the fixtures do not cover, each one a regression found by trying
`check` and `migrate` on solutions written the way teams write them (modern C#, shared test projects, handlers
written through intrinsics, MSBuild properties in item names).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import write_tree
from dotnet_compile import assert_compiles, mcs  # noqa: F401  (mcs is a fixture: skips, or fails in CI, without mcs)
from invariants import (assert_architectures_kept, assert_handlers_resolve, assert_nothing_lost,
                        assert_one_architecture_per_build, copy_tree, git_run, read_tree)
from reliability import run_cli

LAMBDA_CSPROJ = """<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
    <AWSProjectType>Lambda</AWSProjectType>
    <GenerateRuntimeConfigurationFiles>true</GenerateRuntimeConfigurationFiles>
    <PublishReadyToRun>true</PublishReadyToRun>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Amazon.Lambda.Core" Version="2.5.0" />
    <PackageReference Include="Amazon.Lambda.Serialization.SystemTextJson" Version="2.4.4" />
  </ItemGroup>
{extra}</Project>
"""

TEST_CSPROJ = """<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="17.11.1" />
    <PackageReference Include="xunit" Version="2.9.2" />
  </ItemGroup>
  <ItemGroup>
{references}  </ItemGroup>
</Project>
"""

SERIALIZER = """using Amazon.Lambda.Core;

[assembly: LambdaSerializer(typeof(Amazon.Lambda.Serialization.SystemTextJson.DefaultLambdaJsonSerializer))]
"""


def handler(namespace: str, name: str, body: str = "return input.ToUpperInvariant();") -> str:
    return f"""using Amazon.Lambda.Core;

namespace {namespace}
{{
    public class {name}
    {{
        public string Handle(string input, ILambdaContext context)
        {{
            {body}
        }}
    }}
}}
"""


def lambda_project(name: str, handlers: list[str], extra: str = "", bodies: dict[str, str] | None = None) -> dict:
    """src/<name>/ with a Lambda csproj, the assembly serializer and one file per handler class."""
    files = {f"src/{name}/{name}.csproj": LAMBDA_CSPROJ.format(extra=extra),
             f"src/{name}/AssemblyInfo.cs": SERIALIZER}
    for cls in handlers:
        files[f"src/{name}/{cls}.cs"] = handler(name, cls, *([bodies[cls]] if bodies and cls in bodies else []))
    return files


def yaml_function(logical_id: str, code_uri: str, handler_text: str, arch: str | None = None) -> str:
    lines = [f"  {logical_id}:", "    Type: AWS::Serverless::Function", "    Properties:",
             f"      CodeUri: {code_uri}", f"      Handler: {handler_text}", "      Runtime: dotnet8"]
    if arch:
        lines.append(f"      Architectures: [{arch}]")
    return "\n".join(lines) + "\n"


def sam_template(*functions: str, head: str = "") -> str:
    return "Transform: AWS::Serverless-2016-10-31\n" + head + "Resources:\n" + "".join(functions)


def migrated(tmp_path: Path, files: dict) -> tuple[Path, Path]:
    """(before, after): the tree written and committed, then migrated; the dry-run patch must give the same tree."""
    before = write_tree(tmp_path / "before", files)
    work = copy_tree(before, tmp_path / "work")
    dry = run_cli("migrate", "--dry-run", work)
    assert dry.code == 0, dry.err
    assert read_tree(work) == read_tree(before), "--dry-run wrote files"
    result = run_cli("migrate", work)
    assert result.code == 0, result.err
    patched = tmp_path / "patched"
    shutil.copytree(before, patched)
    git_run(patched, "init", "-q")
    git_run(patched, "apply", "--whitespace=nowarn", "-", stdin=dry.out.encode("utf-8", "surrogateescape"))
    assert read_tree(patched) == read_tree(work), "the dry-run patch is not what migrate wrote"
    return before, work


def assert_migration_invariants(before: Path, after: Path) -> None:
    assert_architectures_kept(before, after)
    assert_one_architecture_per_build(after)
    assert_handlers_resolve(after)
    assert_nothing_lost(read_tree(before), read_tree(after), before, after)
    first = read_tree(after)
    again = run_cli("migrate", after, "--allow-dirty")
    assert again.code == 0 and "Nothing to do" in again.err, again.err
    assert read_tree(after) == first


# -- one file, edited for two split projects ---------------------------------------------------------------------------

def test_a_test_project_of_two_split_projects_references_both_function_projects(tmp_path, mcs):
    files = {
        **lambda_project("Core", ["Alpha", "Beta"]),
        **lambda_project("Edge", ["Left", "Right"], extra="""  <ItemGroup>
    <ProjectReference Include="..\\Core\\Core.csproj" />
  </ItemGroup>
"""),
        "test/All.Tests/All.Tests.csproj": TEST_CSPROJ.format(references=(
            '    <ProjectReference Include="..\\..\\src\\Core\\Core.csproj" />\n'
            '    <ProjectReference Include="..\\..\\src\\Edge\\Edge.csproj" />\n')),
        "test/All.Tests/Tests.cs": """using Xunit;

namespace All.Tests
{
    public class Tests
    {
        [Fact]
        public void EachArchitecture()
        {
            Assert.Equal("A", new Core.Beta().Handle("a", null));
            Assert.Equal("A", new Edge.Right().Handle("a", null));
        }
    }
}
""",
        "template.yaml": sam_template(
            yaml_function("AlphaFunction", "src/Core", "Core::Core.Alpha::Handle"),
            yaml_function("BetaFunction", "src/Core", "Core::Core.Beta::Handle", "arm64"),
            yaml_function("LeftFunction", "src/Edge", "Edge::Edge.Left::Handle", "arm64"),
            yaml_function("RightFunction", "src/Edge", "Edge::Edge.Right::Handle")),
    }
    before, after = migrated(tmp_path, files)
    tests = (after / "test/All.Tests/All.Tests.csproj").read_text()
    assert "src\\Core.Arm64\\Core.Arm64.csproj" in tests and "src\\Edge.X64\\Edge.X64.csproj" in tests
    assert_migration_invariants(before, after)
    assert_compiles(after)


# -- InternalsVisibleTo written with MSBuild properties ----------------------------------------------------------------

def test_internals_visible_to_the_assembly_name_tests_still_names_the_original_tests(tmp_path, mcs):
    """`<InternalsVisibleTo Include="$(AssemblyName).Tests" />` copied as written into Shop.X64 would grant
    Shop.X64.Tests; the tests of a moved handler's internal member are Shop.Tests."""
    files = {
        **lambda_project("Shop", ["Thumbnail"], extra="""  <ItemGroup>
    <InternalsVisibleTo Include="$(AssemblyName).Tests" />
  </ItemGroup>
"""),
        "src/Shop/Checkout.cs": """using Amazon.Lambda.Core;

namespace Shop
{
    public class Checkout
    {
        public string Handle(string input, ILambdaContext context)
        {
            return Total(input).ToString();
        }

        internal int Total(string input)
        {
            return input.Length * 2;
        }
    }
}
""",
        "test/Shop.Tests/Shop.Tests.csproj": TEST_CSPROJ.format(
            references='    <ProjectReference Include="..\\..\\src\\Shop\\Shop.csproj" />\n'),
        "test/Shop.Tests/CheckoutTests.cs": """using Xunit;

namespace Shop.Tests
{
    public class CheckoutTests
    {
        [Fact]
        public void TotalDoubles()
        {
            Assert.Equal(4, new Shop.Checkout().Total("ab"));
        }
    }
}
""",
        "template.yaml": sam_template(
            yaml_function("CheckoutFunction", "src/Shop", "Shop::Shop.Checkout::Handle"),
            yaml_function("ThumbnailFunction", "src/Shop", "Shop::Shop.Thumbnail::Handle", "arm64")),
    }
    before, after = migrated(tmp_path, files)
    assert '<InternalsVisibleTo Include="Shop.Tests" />' in (after / "src/Shop.X64/Shop.X64.csproj").read_text()
    assert_migration_invariants(before, after)
    assert_compiles(after)
