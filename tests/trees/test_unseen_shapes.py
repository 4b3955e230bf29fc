"""Solution shapes found in real repositories that the fixtures do not cover, each one a regression found by trying
`check` and `migrate` on solutions written the way teams write them (modern C#, shared test projects, handlers
written through intrinsics, MSBuild properties in item names).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builders import LAMBDA_PACKAGES, NET8, csproj
from dotnet_compile import assert_compiles
from invariants import (assert_architectures_kept, assert_handlers_resolve, assert_nothing_lost,
                        assert_one_architecture_per_build, copy_tree, git_run, read_tree)
from reliability import assert_one_clear_line
from splitter.graph.analyze import analyze
from splitter.changes.changeset import ChangeSet, Create, Move
from splitter.discover import discover
from splitter.model.csharp import parse_file
from support import require_real_templates, run_cli, write_tree

LAMBDA_CSPROJ = csproj({**NET8, "AWSProjectType": "Lambda", "GenerateRuntimeConfigurationFiles": "true",
                         "PublishReadyToRun": "true"}, LAMBDA_PACKAGES, extra_items="{extra}")   # str.format: {extra}



def xunit_csproj(*references: str) -> str:
    """An xunit test project referencing the given projects."""
    return csproj(NET8, {"Microsoft.NET.Test.Sdk": "17.11.1", "xunit": "2.9.2"}, references)

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
        "test/All.Tests/All.Tests.csproj": xunit_csproj("..\\..\\src\\Core\\Core.csproj",
                                                                 "..\\..\\src\\Edge\\Edge.csproj"),
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
        "test/Shop.Tests/Shop.Tests.csproj": xunit_csproj("..\\..\\src\\Shop\\Shop.csproj"),
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


# -- handlers written through intrinsics -------------------------------------------------------------------------------

FEED_PARAMETERS = """Parameters:
  AssemblyName:
    Type: String
    Default: Feed
  IngestHandler:
    Type: String
"""


def test_a_type_named_by_a_sub_handler_stays_in_the_library_where_the_handler_finds_it(tmp_path, mcs):
    """IngestAgainFunction alone would move Feed.Ingest to Feed.X64, but IngestFunction names it through a !Sub that
    keeps saying `Feed::`; moved, the type would no longer be in the assembly that handler loads."""
    files = {
        **lambda_project("Feed", ["Ingest", "Publish"]),
        "template.yaml": sam_template(
            yaml_function("IngestFunction", "src/Feed", '!Sub "${AssemblyName}::Feed.Ingest::Handle"'),
            yaml_function("IngestAgainFunction", "src/Feed", "Feed::Feed.Ingest::Handle"),
            yaml_function("PublishFunction", "src/Feed", "Feed::Feed.Publish::Handle", "arm64"),
            head=FEED_PARAMETERS.replace("  IngestHandler:\n    Type: String\n", "")),
    }
    before, after = migrated(tmp_path, files)
    assert (after / "src/Feed/Ingest.cs").is_file() and not (after / "src/Feed.X64/Ingest.cs").exists()
    template = (after / "template.yaml").read_text()
    assert 'Handler: !Sub "${AssemblyName}::Feed.Ingest::Handle"' in template
    assert "Handler: Feed::Feed.Ingest::Handle" in template
    assert_migration_invariants(before, after)
    assert_compiles(after)


def test_a_handler_from_a_parameter_without_default_stops_migrate_with_one_line(tmp_path):
    files = {
        **lambda_project("Feed", ["Ingest", "Publish"]),
        "template.yaml": sam_template(
            yaml_function("IngestFunction", "src/Feed", "!Ref IngestHandler"),
            yaml_function("PublishFunction", "src/Feed", "Feed::Feed.Publish::Handle", "arm64"),
            head=FEED_PARAMETERS),
    }
    root = write_tree(tmp_path, files)
    before = read_tree(root)
    result = run_cli("migrate", "--dry-run", root)
    assert_one_clear_line(result, "template.yaml:13:", "IngestFunction", "!Ref IngestHandler", "--parameter")
    assert read_tree(root) == before
    resolved = run_cli("migrate", "--dry-run", root, "--parameter", "IngestHandler=Feed::Feed.Ingest::Handle")
    assert resolved.code == 0, resolved.err
    assert "Feed.Ingest stays in Feed: the Handler of IngestFunction is !Ref IngestHandler" in resolved.err


# -- handler types the runtime finds through inheritance or nesting ----------------------------------------------------

def test_handlers_inherited_from_a_generic_base_and_nested_types_move_with_their_declaring_type(tmp_path, mcs):
    files = {
        **lambda_project("Svc", []),
        "src/Svc/FunctionBase.cs": """using Amazon.Lambda.Core;

namespace Svc
{
    public abstract class FunctionBase<TRequest>
    {
        public string Handle(TRequest request, ILambdaContext context)
        {
            return Process(request);
        }

        protected abstract string Process(TRequest request);
    }
}
""",
        "src/Svc/Resize.cs": """namespace Svc
{
    public class ResizeRequest
    {
        public int Width { get; set; }
    }

    public class Resize : FunctionBase<ResizeRequest>
    {
        protected override string Process(ResizeRequest request)
        {
            return request.Width.ToString();
        }
    }
}
""",
        "src/Svc/Audit.cs": """using Amazon.Lambda.Core;

namespace Svc.Jobs
{
    public class Outer
    {
        public class Audit
        {
            public string Run(string input, ILambdaContext context)
            {
                return "audit";
            }
        }
    }
}
""",
        "src/Svc/Daily.cs": handler("Svc", "Daily"),
        "template.yaml": sam_template(
            yaml_function("ResizeFunction", "src/Svc", "Svc::Svc.Resize::Handle", "arm64"),
            yaml_function("AuditFunction", "src/Svc", "Svc::Svc.Jobs.Outer+Audit::Run", "arm64"),
            yaml_function("DailyFunction", "src/Svc", "Svc::Svc.Daily::Handle")),
    }
    before, after = migrated(tmp_path, files)
    assert "class Resize" in (after / "src/Svc.Arm64/Resize.cs").read_text()
    assert "class ResizeRequest" in (after / "src/Svc/Resize.cs").read_text()
    assert (after / "src/Svc.Arm64/Audit.cs").is_file()
    template = (after / "template.yaml").read_text()
    assert "Svc.Arm64::Svc.Jobs.Outer+Audit::Run" in template and "Svc.Arm64::Svc.Resize::Handle" in template
    assert_migration_invariants(before, after)
    assert_compiles(after)


# -- YAML anchors ------------------------------------------------------------------------------------------------------

def test_a_codeuri_shared_through_a_yaml_anchor_stops_migrate_naming_the_file_line_and_function(tmp_path):
    files = {
        **lambda_project("Feed", ["Ingest", "Publish"]),
        "template.yaml": sam_template(
            yaml_function("IngestFunction", "&code src/Feed", "Feed::Feed.Ingest::Handle"),
            yaml_function("PublishFunction", "*code", "Feed::Feed.Publish::Handle", "arm64")),
    }
    root = write_tree(tmp_path, files)
    before = read_tree(root)
    result = run_cli("migrate", root)
    assert_one_clear_line(result, "template.yaml:6:", "the CodeUri of IngestFunction", "&code")
    assert read_tree(root) == before


# -- properties the original inherits --------------------------------------------------------------------------------

def test_function_projects_keep_what_a_directory_build_props_in_the_project_folder_set(tmp_path):
    """src/Api/Directory.Build.props gives Api its target framework; MSBuild does not import it into src/Api.X64,
    so without the property written out the function projects would not build (NETSDK1013)."""
    files = {
        **lambda_project("Api", ["Get", "Put"]),
        "src/Api/Directory.Build.props": """<Project>
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
    <PublishReadyToRun>true</PublishReadyToRun>
  </PropertyGroup>
</Project>
""",
        "template.yaml": sam_template(
            yaml_function("GetFunction", "src/Api", "Api::Api.Get::Handle"),
            yaml_function("PutFunction", "src/Api", "Api::Api.Put::Handle", "arm64")),
    }
    files["src/Api/Api.csproj"] = files["src/Api/Api.csproj"].replace(
        "    <TargetFramework>net8.0</TargetFramework>\n", "").replace(
        "    <PublishReadyToRun>true</PublishReadyToRun>\n", "")
    before, after = migrated(tmp_path, files)
    units = analyze(discover(after)).units
    assert sorted(u.project.name for u in units) == ["Api.Arm64", "Api.X64"]
    for unit in units:
        assert unit.project.target_frameworks == ["net8.0"] and unit.ready_to_run, unit.project.source.text
    assert_migration_invariants(before, after)


# -- YAML styles around the values migrate writes ------------------------------------------------------------------------

def test_a_function_in_a_flow_mapping_gets_a_flow_architectures_list_in_a_template_of_block_lists(tmp_path):
    """The template writes `Architectures:` with a block list; in `Properties: {...}` the inserted value was empty
    (`Architectures: }`), which reads as null: an architecture check and SAM both reject it. Inserted before `}`,
    a key also followed a trailing comma (`, , Architectures`) or a comment."""
    template = """Transform: AWS::Serverless-2016-10-31
Resources:
  PublishFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/Feed, Handler: 'Feed::Feed.Publish::Handle', Runtime: dotnet8, }
  CheckFunction:
    Type: AWS::Serverless::Function
    Properties: {
      CodeUri: src/Feed,   # one line each
      Handler: Feed::Feed.Check::Handle,
    }
  IngestFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/Feed
      Handler: Feed::Feed.Ingest::Handle
      Runtime: dotnet8
      Architectures:
      - arm64
"""
    files = {**lambda_project("Feed", ["Ingest", "Publish", "Check"]), "template.yaml": template}
    before, after = migrated(tmp_path, files)
    written = (after / "template.yaml").read_text()
    assert "Properties: {CodeUri: src/Feed.X64, Architectures: [x86_64], Handler: 'Feed.X64::Feed.Publish::Handle', " \
           "Runtime: dotnet8, }\n" in written
    assert "      CodeUri: src/Feed.X64, Architectures: [x86_64],   # one line each\n" in written
    assert_migration_invariants(before, after)


def test_a_folded_handler_keeps_its_block_style_crlf_and_bom(tmp_path):
    template = ("\ufeffTransform: AWS::Serverless-2016-10-31\nResources:\n"
                + yaml_function("IngestFunction", "src/Feed", "Feed::Feed.Ingest::Handle")
                + yaml_function("AuditFunction", "src/Feed", ">-\n        Feed::Feed.Audit::Handle", "arm64"))
    files = {**lambda_project("Feed", ["Ingest", "Audit"]),
             "template.yaml": template.replace("\n", "\r\n").encode("utf-8")}
    before, after = migrated(tmp_path, files)
    data = (after / "template.yaml").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\n") == data.count(b"\r\n")
    assert b"      Handler: >-\r\n        Feed.Arm64::Feed.Audit::Handle\r\n" in data
    assert_migration_invariants(before, after)


# -- projects that list their sources ------------------------------------------------------------------------------------

LISTED = """  <PropertyGroup>
    <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
  </PropertyGroup>
  <ItemGroup>
    <Compile Include="AssemblyInfo.cs" />
    <Compile Include="Handlers\\Get.cs" />
    <Compile Include="Handlers\\Put.cs" />
    <Compile Include="..\\Shared\\Clock.cs" Link="Clock.cs" />
  </ItemGroup>
"""


def listed_sources_solution(extra: str) -> dict:
    files = lambda_project("Old", [], extra=extra)
    files.update({
        "src/Old/Handlers/Get.cs": handler("Old", "Get", "return Shared.Clock.Now();"),
        "src/Old/Handlers/Put.cs": handler("Old", "Put"),
        "src/Old/Handlers/Draft.cs": "this file is not compiled {",
        "src/Shared/Clock.cs": "namespace Shared\n{\n    public static class Clock\n    {\n"
                               "        public static string Now() { return \"now\"; }\n    }\n}\n",
        "template.yaml": sam_template(
            yaml_function("GetFunction", "src/Old", "Old::Old.Get::Handle"),
            yaml_function("PutFunction", "src/Old", "Old::Old.Put::Handle", "arm64")),
    })
    return files


def test_a_project_listing_its_sources_stops_listing_the_files_that_moved(tmp_path, mcs):
    """With EnableDefaultCompileItems=false the library kept `<Compile Include="Handlers\\Get.cs" />` for a file
    that had moved to Old.X64: CS2001, the library no longer built. Unlisted files are not its sources."""
    before, after = migrated(tmp_path, listed_sources_solution(LISTED))
    library = (after / "src/Old/Old.csproj").read_text()
    assert "Handlers\\Get.cs" not in library and "Handlers\\Put.cs" not in library
    assert '<Compile Include="AssemblyInfo.cs" />' in library and "..\\Shared\\Clock.cs" in library
    assert (after / "src/Old.X64/Handlers/Get.cs").is_file() and (after / "src/Old/Handlers/Draft.cs").is_file()
    assert_migration_invariants(before, after)
    assert_compiles(after)


def test_function_projects_glob_their_sources_when_directory_build_props_turns_globs_off(tmp_path, mcs):
    files = listed_sources_solution("""  <ItemGroup>
    <Compile Include="*.cs;Handlers\\Get.cs;Handlers\\Put.cs" />
  </ItemGroup>
""")
    files["Directory.Build.props"] = """<Project>
  <PropertyGroup>
    <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
  </PropertyGroup>
</Project>
"""
    files["src/Old/Handlers/Get.cs"] = handler("Old", "Get")
    before, after = migrated(tmp_path, files)
    for name in ("Old.X64", "Old.Arm64"):
        assert "<EnableDefaultCompileItems>true</EnableDefaultCompileItems>" in \
            (after / f"src/{name}/{name}.csproj").read_text()
    assert_migration_invariants(before, after)
    assert_compiles(after)


# -- a real repository: aws-samples/serverless-dotnet-demo (NET8), with an arm64 twin of one function ---------------------

def serverless_dotnet_demo(tmp_path: Path) -> Path:
    """The repository's project files and template as it keeps them (tab-indented csproj with a BOM, versions from
    Directory.Build.props, <RuntimeIdentifier>linux-x64, runtime switches), C# stand-ins for its sources (the shared
    copy holds none), and GetProductsArm64Function added on the same CodeUri, as a benchmark would add it."""
    root = tmp_path / "real"
    shutil.copytree(require_real_templates() / "sdd-net8", root)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    net8 = root / "src/NET8"
    for project in ("GetProducts", "GetProduct", "DeleteProduct", "PutProduct", "GenerateLoadTestResults"):
        write_tree(net8, {f"{project}/Function.cs": handler(project, "Function").replace(
            "Handle(", "FunctionHandler(").replace("using Amazon.Lambda.Core;\n", SERIALIZER, 1)})
    write_tree(net8, {"Shared/DataAccess/DynamoDbProducts.cs": "namespace Shared.DataAccess\n{\n"
                                                                "    public class DynamoDbProducts\n    {\n    }\n}\n"})
    template = (net8 / "template.yaml").read_text()
    twin = """  GetProductsArm64Function:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./GetProducts/
      Handler: GetProducts::GetProducts.Function::FunctionHandler
      Architectures: [arm64]

"""
    template = template.replace("  GetProductFunction:\n", twin + "  GetProductFunction:\n", 1)
    (net8 / "template.yaml").write_text(template)
    return root


def test_check_on_a_real_repository_names_the_parameter_migrate_needs_again(tmp_path):
    root = serverless_dotnet_demo(tmp_path)
    unknown = run_cli("check", root)
    assert_one_clear_line(unknown, "template.yaml:7:", "Ref LambdaArchitecture", "--parameter LambdaArchitecture=")
    result = run_cli("check", root, "--parameter", "LambdaArchitecture=x86_64")
    assert result.code == 1, result.err
    assert "GetProductsArm64Function (" in result.out and ":41)  <- would fail" in result.out
    assert "<RuntimeIdentifier>linux-x64</RuntimeIdentifier> builds for x86_64" in result.out
    assert result.out.splitlines()[-1].endswith(
        f"Run `lambda-split migrate --dry-run {root} --parameter LambdaArchitecture=x86_64` to preview the fix.")


def test_a_real_repository_split_keeps_the_runtime_switches_in_the_function_projects(tmp_path):
    """EventSourceSupport and UseSystemResourceKeys go into the runtimeconfig.json of the project Lambda deploys;
    left only in the library, the functions would run without them."""
    root = serverless_dotnet_demo(tmp_path)
    template = root / "src/NET8/template.yaml"
    template.write_text(template.read_text().replace("    Description: Enter arm64 or x86_64\n",
                                                     "    Description: Enter arm64 or x86_64\n    Default: x86_64\n"))
    before, after = migrated(tmp_path, {p.relative_to(root).as_posix(): p.read_bytes()
                                        for p in root.rglob("*") if p.is_file()})
    for name in ("GetProducts.X64", "GetProducts.Arm64"):
        project = (after / f"src/NET8/{name}/{name}.csproj").read_text(encoding="utf-8-sig")
        for setting in ("<EventSourceSupport>false</EventSourceSupport>", "<UseSystemResourceKeys>true</Use",
                        "<InvariantGlobalization>true</Invariant", "<PublishReadyToRun>true</Publish"):
            assert setting in project, (name, setting)
        assert "RuntimeIdentifier" not in project
    assert "RuntimeIdentifier" not in (after / "src/NET8/GetProducts/GetProducts.csproj").read_text(encoding="utf-8-sig")
    assert_migration_invariants(before, after)


# -- code that uses a handler type without naming it ---------------------------------------------------------------------

def test_a_handler_type_whose_extension_method_other_code_calls_stays_in_the_library(tmp_path, mcs):
    """`input.Shout()` in Whisper never names Shouting: moved to Txt.X64, the arm64 project lost Shout (CS1061)."""
    files = {
        **lambda_project("Txt", ["Whisper"], bodies={"Whisper": "return input.Shout().ToLowerInvariant();"}),
        "src/Txt/Shouting.cs": """using Amazon.Lambda.Core;

namespace Txt
{
    public static class Shouting
    {
        public static string Handle(string input, ILambdaContext context)
        {
            return input.Shout();
        }

        public static string Shout(this string text)
        {
            return text.ToUpperInvariant() + "!";
        }
    }
}
""",
        "template.yaml": sam_template(
            yaml_function("ShoutFunction", "src/Txt", "Txt::Txt.Shouting::Handle"),
            yaml_function("WhisperFunction", "src/Txt", "Txt::Txt.Whisper::Handle", "arm64")),
    }
    before, after = migrated(tmp_path, files)
    assert (after / "src/Txt/Shouting.cs").is_file() and (after / "src/Txt.Arm64/Whisper.cs").is_file()
    assert_migration_invariants(before, after)
    assert_compiles(after)


# -- several stacks deploying one project --------------------------------------------------------------------------------

def two_stacks(batch_functions: str, other: dict | None = None) -> dict:
    """stacks/api mixes architectures on src/Core; stacks/batch deploys src/Core too (arm64 only)."""
    return {
        **lambda_project("Core", ["Alpha", "Beta", "Gamma"]),
        **(other or {}),
        "stacks/api/template.yaml": sam_template(
            yaml_function("AlphaFunction", "../../src/Core", "Core::Core.Alpha::Handle"),
            yaml_function("BetaFunction", "../../src/Core", "Core::Core.Beta::Handle", "arm64")),
        "stacks/batch/template.yaml": sam_template(batch_functions, head="""Parameters:
  Arch:
    Type: String
"""),
    }


def migrated_from(tmp_path: Path, files: dict, folder: str) -> tuple[Path, Path, str]:
    before = write_tree(tmp_path / "before", files)
    work = copy_tree(before, tmp_path / "work")
    result = run_cli("migrate", work / folder)
    return before, work, result


def test_migrate_from_one_stack_folder_retargets_the_other_stacks_that_deploy_the_split_project(tmp_path):
    """Run from stacks/api, migrate saw only that template: Alpha, x86_64 there, moved to Core.X64 while
    stacks/batch kept deploying src/Core (now the library) to an arm64 function whose handler is Core.Alpha."""
    files = two_stacks(yaml_function("GammaFunction", "../../src/Core", "Core::Core.Gamma::Handle", "arm64")
                       + yaml_function("AlphaBatchFunction", "../../src/Core", "Core::Core.Alpha::Handle", "arm64"))
    before, after, result = migrated_from(tmp_path, files, "stacks/api")
    assert result.code == 0, result.err
    batch = (after / "stacks/batch/template.yaml").read_text()
    assert "CodeUri: ../../src/Core.Arm64" in batch and "Handler: Core.Arm64::Core.Gamma::Handle" in batch
    assert "Handler: Core::Core.Alpha::Handle" in batch and (after / "src/Core/Alpha.cs").is_file()
    assert "Deploy as before, from stacks/batch" in result.err
    assert_migration_invariants(before, after)


def test_another_stack_whose_architecture_is_unknown_stops_migrate_only_when_it_deploys_the_split_project(tmp_path):
    unrelated = two_stacks(yaml_function("ReportFunction", "../../src/Reports", "Reports::Reports.Report::Handle",
                                         "!Ref Arch"), other=lambda_project("Reports", ["Report"]))
    before, after, result = migrated_from(tmp_path / "unrelated", unrelated, "stacks/api")
    assert result.code == 0, result.err
    assert (after / "stacks/batch/template.yaml").read_bytes() == (before / "stacks/batch/template.yaml").read_bytes()
    related = two_stacks(yaml_function("GammaFunction", "../../src/Core", "Core::Core.Gamma::Handle", "!Ref Arch"))
    before, after, result = migrated_from(tmp_path / "related", related, "stacks/api")
    assert_one_clear_line(result, "stacks/batch/template.yaml:", "GammaFunction", "Ref Arch", "--parameter Arch=")
    assert read_tree(after) == read_tree(before)


# -- namespaces only moved types declared --------------------------------------------------------------------------------

def dangling_namespace_solution(ingest_usings: str = "") -> dict:
    files = lambda_project("Feed", [])
    files.update({
        "src/Feed/Ingest.cs": handler("Feed", "Ingest").replace("using Amazon.Lambda.Core;\n",
                                                                "using Amazon.Lambda.Core;\n" + ingest_usings),
        "src/Feed/Jobs/Nightly.cs": handler("Feed.Jobs", "Nightly"),
        "template.yaml": sam_template(
            yaml_function("IngestFunction", "src/Feed", "Feed::Feed.Ingest::Handle"),
            yaml_function("NightlyFunction", "src/Feed", "Feed::Feed.Jobs.Nightly::Handle", "arm64")),
    })
    return files


def test_a_using_of_a_namespace_that_moved_to_the_other_project_leaves_the_moved_file(tmp_path, mcs):
    """Feed.Jobs held only the arm64 handler: Ingest.cs, moved to Feed.X64 with its stale `using Feed.Jobs;`, named
    a namespace that project no longer sees (CS0234)."""
    before, after = migrated(tmp_path, dangling_namespace_solution("using Feed.Jobs;\n"))
    assert "using Feed.Jobs;" not in (after / "src/Feed.X64/Ingest.cs").read_text()
    assert_migration_invariants(before, after)
    assert_compiles(after)


def test_global_usings_of_namespaces_that_left_are_dropped_where_the_namespace_is_gone(tmp_path):
    files = dangling_namespace_solution()
    files["src/Feed/GlobalUsings.cs"] = "global using System.Text;\nglobal using Feed.Jobs;\n"
    before, after = migrated(tmp_path, files)
    assert (after / "src/Feed/GlobalUsings.cs").read_text() == "global using System.Text;\n"
    assert "global using Feed.Jobs;" not in (after / "src/Feed.X64/AssemblyAttributes.cs").read_text()
    assert "global using Feed.Jobs;" in (after / "src/Feed.Arm64/AssemblyAttributes.cs").read_text()
    assert "global using System.Text;" in (after / "src/Feed.X64/AssemblyAttributes.cs").read_text()
    assert_migration_invariants(before, after)
    assert not [p for p in after.rglob("*.cs") if parse_file(p).has_errors]


def test_a_test_project_importing_a_namespace_that_moved_references_the_project_that_has_it(tmp_path, mcs):
    files = dangling_namespace_solution()
    files.update({
        "test/Feed.Tests/Feed.Tests.csproj": xunit_csproj("..\\..\\src\\Feed\\Feed.csproj"),
        "test/Feed.Tests/IngestTests.cs": """using Feed.Jobs;
using Xunit;

namespace Feed.Tests
{
    public class IngestTests
    {
        [Fact]
        public void Upper()
        {
            Assert.Equal("A", new Feed.Ingest().Handle("a", null));
        }
    }
}
""",
    })
    before, after = migrated(tmp_path, files)
    tests = (after / "test/Feed.Tests/Feed.Tests.csproj").read_text()
    assert "Feed.X64.csproj" in tests and "Feed.Arm64.csproj" in tests
    assert_migration_invariants(before, after)
    assert_compiles(after)


# -- two files for one path ----------------------------------------------------------------------------------------------

def test_a_type_cut_out_of_a_file_does_not_overwrite_a_moved_file_of_its_name(tmp_path, mcs):
    """Foo, cut out of Bar.cs, was written as C.X64/Foo.cs, the path where Foo.cs (holding Qux) moved whole: one
    replaced the other and the type Foo was lost."""
    files = lambda_project("C", ["Qux"])
    files["src/C/Foo.cs"] = files.pop("src/C/Qux.cs")
    files.update({
        "src/C/Bar.cs": handler("C", "Foo") + "\n" + handler("C", "Baz").replace("using Amazon.Lambda.Core;\n", ""),
        "template.yaml": sam_template(
            yaml_function("FooFunction", "src/C", "C::C.Foo::Handle"),
            yaml_function("QuxFunction", "src/C", "C::C.Qux::Handle"),
            yaml_function("BazFunction", "src/C", "C::C.Baz::Handle", "arm64")),
    })
    before, after = migrated(tmp_path, files)
    assert "class Qux" in (after / "src/C.X64/Foo.cs").read_text()
    assert "class Foo" in (after / "src/C.X64/Bar.cs").read_text()
    assert_migration_invariants(before, after)
    assert_compiles(after)


def test_a_change_set_refuses_a_second_change_to_the_same_file(tmp_path):
    changes = ChangeSet(tmp_path)
    changes.add(Create("a/B.cs", b"one"))
    with pytest.raises(ValueError, match="two changes write a/B.cs"):
        changes.add(Move("c/B.cs", "a/B.cs", b"two", b"two"))
    assert [c.content for c in changes.changes] == [b"one"]


# -- functions with empty Properties -------------------------------------------------------------------------------------

def test_keys_inserted_into_empty_properties_are_separated_in_json_and_yaml(tmp_path):
    """`"Properties": {}` with CodeUri and Handler from Globals got `{"CodeUri": "...""Handler": "..."...}` and the
    YAML `Properties: {}` got `{, CodeUri: ...}`: neither parsed."""
    files = {
        **lambda_project("Api", ["Get", "Put"]),
        "src/Api/serverless.template": """{
  "Globals": {"Function": {"CodeUri": "", "Handler": "Api::Api.Get::Handle", "Runtime": "dotnet8"}},
  "Resources": {
    "GetFunction": {"Type": "AWS::Serverless::Function", "Properties": {}},
    "PutFunction": {"Type": "AWS::Serverless::Function",
                    "Properties": {"Handler": "Api::Api.Put::Handle", "Architectures": ["arm64"]}}
  }
}
""",
        "template.yaml": """Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    CodeUri: src/Api
    Handler: Api::Api.Get::Handle
    Runtime: dotnet8
Resources:
  GetAgain:
    Type: AWS::Serverless::Function
    Properties: {}
  PutAgain:
    Type: AWS::Serverless::Function
    Properties:
      Handler: Api::Api.Put::Handle
      Architectures: [arm64]
""",
    }
    before, after = migrated(tmp_path, files)
    assert '"GetFunction": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "../Api.X64", ' \
           '"Handler": "Api.X64::Api.Get::Handle", "Architectures": ["x86_64"]}},' in \
           (after / "src/Api/serverless.template").read_text()
    assert "    Properties: {CodeUri: src/Api.X64, Handler: Api.X64::Api.Get::Handle, Architectures: [x86_64]}\n" in \
           (after / "template.yaml").read_text()
    assert_migration_invariants(before, after)


def test_a_key_is_inserted_beside_its_own_function_when_the_key_before_it_is_a_yaml_alias(tmp_path):
    """IngestArmFunction's `Handler: *h` has the span of the anchored value in IngestFunction: its CodeUri went
    there, giving IngestFunction two CodeUri keys (the last, arm64, wins) and leaving the arm64 function on the
    library."""
    files = {**lambda_project("Feed", ["Ingest"]), "template.yaml": """Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    CodeUri: src/Feed
    Runtime: dotnet8
Resources:
  IngestFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: &h Feed::Feed.Ingest::Handle
      MemorySize: 256
  IngestArmFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: *h
      Architectures: [arm64]
"""}
    before, after = migrated(tmp_path, files)
    assert """  IngestArmFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/Feed.Arm64
      Handler: *h
      Architectures: [arm64]
""" in (after / "template.yaml").read_text()
    assert_migration_invariants(before, after)


def test_functions_sharing_their_properties_through_a_yaml_alias_get_the_one_edit_they_share(tmp_path):
    """`Properties: *p` edits the spans of the anchored mapping, like the function that holds it: the same edit
    twice was an internal error (overlapping edits)."""
    shared = """Transform: AWS::Serverless-2016-10-31
Resources:
  IngestFunction:
    Type: AWS::Serverless::Function
    Properties: &p
      CodeUri: src/Feed
      Handler: Feed::Feed.Ingest::Handle
      Runtime: dotnet8
  IngestAgain:
    Type: AWS::Serverless::Function
    Properties: *p
"""
    files = {**lambda_project("Feed", ["Ingest", "Publish"]),
             "template.yaml": shared + yaml_function("PublishFunction", "src/Feed", "Feed::Feed.Publish::Handle",
                                                     "arm64")}
    before, after = migrated(tmp_path, files)
    assert """    Properties: &p
      CodeUri: src/Feed.X64
      Architectures: [x86_64]
      Handler: Feed.X64::Feed.Ingest::Handle
""" in (after / "template.yaml").read_text()
    assert_migration_invariants(before, after)


def test_migrate_given_one_template_retargets_the_other_templates_that_deploy_the_split_project(tmp_path):
    files = two_stacks(yaml_function("GammaFunction", "../../src/Core", "Core::Core.Gamma::Handle", "arm64"))
    files["template.yaml"] = files.pop("stacks/api/template.yaml").replace("../../src/Core", "src/Core")
    before, after, result = migrated_from(tmp_path, files, "template.yaml")
    assert result.code == 0, result.err
    assert "CodeUri: ../../src/Core.Arm64" in (after / "stacks/batch/template.yaml").read_text()
    assert_migration_invariants(before, after)
