"""Amazon.Lambda.Annotations projects in `migrate`: member-level class splits, [LambdaStartup] copies, one template and
stack per function project, what stays in the original template, executables, and the cases refused with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from ruamel.yaml import YAML

from annotated_shop import CSPROJ, FUNCTIONS, MIXED, SERIALIZER, USINGS, defaults, function, shop
from builders import NET8, csproj
from dotnet_compile import assert_compiles
from invariants import (assert_architectures_kept, assert_handlers_resolve, assert_nothing_lost,
                        assert_one_architecture_per_build, assert_one_generator_per_template,
                        assert_resources_unchanged, read_tree)
from splitter.plan.annotations import classes as annotations
from splitter.plan.annotations.template import references, remove_keys
from splitter.changes.edits import apply_edits
from splitter.graph.migration import load_migration
from splitter.model.nodes import parse_json
from splitter.model.yaml_events import parse_yaml
from splitter.plan.layout import function_projects as _function_projects
from splitter.plan.result import Options
from support import run_cli, write_tree

def migrate(root: Path, *args: str) -> tuple[int, str]:
    code, out, err = run_cli("migrate", root, *args)
    return code, err


def split_layout(root: Path):
    model = load_migration(str(root), {})
    target = model.targets[0]
    projects = _function_projects(target, Options(), model.workspace.root, set())
    return target, annotations.analyze(target, projects)


def part_names(layout, arch: str) -> list[str]:
    placement = layout.classes[0]
    return [m.name for m in placement.parts[arch]]


# -- detection and member analysis -----------------------------------------------------------------------------------

def test_annotations_projects_are_recognised_by_package_owned_resources_or_generated_handlers(tmp_path):
    without_package = CSPROJ.replace('    <PackageReference Include="Amazon.Lambda.Annotations" Version="1.7.0" />\n',
                                     "")
    root = shop(tmp_path / "package")
    assert annotations.is_annotations_project(load_migration(str(root), {}).targets[0])
    root = shop(tmp_path / "metadata", {"src/Shop/Shop.csproj": without_package.format(extra="")})
    assert annotations.is_annotations_project(load_migration(str(root), {}).targets[0])
    plain = [(name, {**resource, "Metadata": {}}) for name, resource in MIXED]
    root = shop(tmp_path / "handler", {"src/Shop/Shop.csproj": without_package.format(extra="")}, resources=plain)
    assert annotations.is_annotations_project(load_migration(str(root), {}).targets[0])


def test_each_copy_keeps_its_methods_and_what_they_need_transitively(tmp_path):
    _, layout = split_layout(shop(tmp_path))
    # Ping (x86_64) needs Stamp, which needs _clock; Count (arm64) needs Limit; Where (arm64) needs Stamp and _region.
    assert part_names(layout, "x86_64") == ["_clock", "_region", "Functions", "Ping", "Stamp", "Unused"]
    assert part_names(layout, "arm64") == ["Limit", "_clock", "_region", "Functions", "Count", "Where", "Stamp",
                                           "Unused"]


def test_duplicated_members_are_reported_with_the_reason(tmp_path):
    _, layout = split_layout(shop(tmp_path))
    reasons = {"/".join(m.names): why for m, why in layout.classes[0].duplicated.items()}
    assert reasons["Functions"].startswith("the generated handlers construct the class")
    assert reasons["Stamp"] == "used by Ping (x86_64) and Where (arm64)"
    assert "constructor assigns it" in reasons["_region"] or "used by" in reasons["_region"]
    assert reasons["Unused"].startswith("no [LambdaFunction] method uses it")
    assert "Limit" not in reasons


def test_members_that_may_implement_the_base_list_stay_in_every_copy(tmp_path):
    disposable = FUNCTIONS.replace("public class Functions\n", "public class Functions : IDisposable\n").replace(
        "        public static string Unused()", "        public void Dispose()\n        {\n        }\n\n"
        "        public override string ToString()\n        {\n            return Stamp(\"functions\");\n        }\n\n"
        "        public static string Unused()")
    _, layout = split_layout(shop(tmp_path, {"src/Shop/Functions.cs": disposable}))
    for arch in ("x86_64", "arm64"):
        assert {"Dispose", "ToString", "Stamp"} <= set(part_names(layout, arch))
    reasons = {"/".join(m.names): why for m, why in layout.classes[0].duplicated.items()}
    assert reasons["Dispose"].startswith("it may implement or override")


def test_a_class_whose_functions_share_one_architecture_moves_whole(tmp_path):
    arm = USINGS + """
namespace Shop
{
    public class Reports
    {
        [LambdaFunction]
        public string Daily()
        {
            return "daily";
        }
    }
}
"""
    resources = MIXED + (function("Daily", "arm64", cls="Shop.Reports"),)
    root = shop(tmp_path, {"src/Shop/Reports.cs": arm}, resources=resources)
    before = (root / "src/Shop/Reports.cs").read_bytes()
    code, err = migrate(root)
    assert code == 0, err
    assert (root / "src/Shop.Arm64/Reports.cs").read_bytes() == before
    assert not (root / "src/Shop/Reports.cs").exists() and not (root / "src/Shop.X64/Reports.cs").exists()
    assert "Shop.Reports moves whole to Shop.Arm64" in err


# -- the migrated tree -----------------------------------------------------------------------------------------------

def test_startup_beside_the_functions_is_copied_and_other_types_stay_in_the_library(tmp_path, mcs):
    together = FUNCTIONS.replace("namespace Shop\n{\n", "using Microsoft.Extensions.DependencyInjection;\n\n"
                                 "namespace Shop\n{\n    public class Receipt\n    {\n        public string Id;\n"
                                 "    }\n\n    [LambdaStartup]\n    public class Startup\n    {\n        public void "
                                 "ConfigureServices(IServiceCollection services)\n        {\n            services."
                                 "AddSingleton<IClock, Clock>();\n        }\n    }\n\n", 1)
    root = shop(tmp_path, {"src/Shop/Functions.cs": together, "src/Shop/Startup.cs": None})
    before = tmp_path.parent / (tmp_path.name + "-before")
    write_tree(before, read_tree(root))
    code, err = migrate(root)
    assert code == 0, err
    library = (root / "src/Shop/Functions.cs").read_text()
    assert "class Receipt" in library and "class Startup" not in library and "class Functions" not in library
    for arch in ("X64", "Arm64"):
        copy = (root / f"src/Shop.{arch}/Functions.cs").read_text()
        assert "[LambdaStartup]" in copy and "class Receipt" not in copy
    assert "Shop.Receipt stays in Shop, the shared library" in err
    assert_compiles(root)
    assert_handlers_resolve(root)
    assert_nothing_lost(read_tree(before), read_tree(root), before, root)


def test_the_split_keeps_logical_ids_architectures_and_every_resource(tmp_path):
    root = shop(tmp_path)
    before = tmp_path.parent / (tmp_path.name + "-before")
    write_tree(before, read_tree(root))
    code, err = migrate(root)
    assert code == 0, err
    assert_architectures_kept(before, root)
    assert_resources_unchanged(before, root)
    assert_one_architecture_per_build(root)
    assert_one_generator_per_template(root)
    x64 = json.loads((root / "src/Shop.X64/serverless.template").read_text())
    assert list(x64["Resources"]) == ["ShopFunctionsPingGenerated"]
    ping = x64["Resources"]["ShopFunctionsPingGenerated"]["Properties"]
    assert ping["Handler"] == "Shop.X64::Shop.Functions_Ping_Generated::Ping"
    assert ping["CodeUri"] == "." and ping["Architectures"] == ["x86_64"]
    assert not (root / "src/Shop/serverless.template").exists()
    code, err = migrate(root)
    assert code == 0 and "Nothing to do" in err


def test_each_function_project_deploys_its_own_stack(tmp_path):
    root = shop(tmp_path)
    code, err = migrate(root)
    assert code == 0, err
    x64 = json.loads((root / "src/Shop.X64/aws-lambda-tools-defaults.json").read_text())
    arm64 = json.loads((root / "src/Shop.Arm64/aws-lambda-tools-defaults.json").read_text())
    assert (x64["stack-name"], arm64["stack-name"]) == ("shop-x64", "shop-arm64")
    assert (x64["template"], x64["function-architecture"], x64["s3-prefix"]) == \
        ("serverless.template", "x86_64", "Shop.X64/")
    assert (x64["profile"], x64["region"]) == ("default", "eu-west-1")
    assert "shop-x64: src/Shop.X64/serverless.template (1 function)" in err
    assert "CloudFormation creates every function anew" in err
    assert not (root / "src/Shop/aws-lambda-tools-defaults.json").exists()


def test_windows_line_endings_and_byte_order_marks_survive_the_split(tmp_path):
    root = shop(tmp_path)
    for path in root.rglob("*"):
        if path.is_file():
            path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    code, out, err = run_cli("migrate", root, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["schema"] == "lambda-split/migrate/v1"
    for rel in ("src/Shop.X64/serverless.template", "src/Shop.Arm64/serverless.template",
                "src/Shop.Arm64/Functions.cs", "src/Shop/Shop.csproj", "src/Shop.Arm64/aws-lambda-tools-defaults.json"):
        data = (root / rel).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\n") == data.count(b"\r\n"), rel
    arm64 = json.loads((root / "src/Shop.Arm64/serverless.template").read_text(encoding="utf-8-sig"))
    assert list(arm64["Resources"]) == ["ShopFunctionsCountGenerated", "ShopFunctionsWhereGenerated"]


def test_a_stack_name_comes_from_the_project_when_the_defaults_file_names_none(tmp_path):
    root = shop(tmp_path, {"src/Shop/aws-lambda-tools-defaults.json": defaults()})
    code, err = migrate(root)
    assert code == 0, err
    assert json.loads((root / "src/Shop.Arm64/aws-lambda-tools-defaults.json").read_text())["stack-name"] == \
        "Shop-arm64"
    assert "names no stack-name" in err


def test_template_parameters_keep_only_those_each_template_declares(tmp_path):
    resources = (function("Ping", None, Environment={"Variables": {"KEY": {"Ref": "ApiKey"}}}),) + MIXED[1:]
    parameters = {"ApiKey": {"Type": "String", "Default": ""}, "Unused": {"Type": "String", "Default": ""}}
    root = shop(tmp_path, {"src/Shop/aws-lambda-tools-defaults.json": defaults(**{
        "template-parameters": "ApiKey=abc;Unused=x", "stack-name": "shop"})}, resources=resources,
        Parameters=parameters)
    code, err = migrate(root)
    assert code == 0, err
    x64 = json.loads((root / "src/Shop.X64/serverless.template").read_text())
    arm64 = json.loads((root / "src/Shop.Arm64/serverless.template").read_text())
    assert list(x64["Parameters"]) == ["ApiKey"] and "Parameters" not in arm64
    assert json.loads((root / "src/Shop.X64/aws-lambda-tools-defaults.json").read_text())[
        "template-parameters"] == "ApiKey=abc"
    assert json.loads((root / "src/Shop.Arm64/aws-lambda-tools-defaults.json").read_text())[
        "template-parameters"] == ""


def test_outputs_follow_what_they_refer_to_and_an_implicit_api_exists_in_each_template(tmp_path):
    events = {"Events": {"RootGet": {"Type": "HttpApi", "Properties": {"Path": "/", "Method": "GET"}}}}
    resources = (function("Ping", None, **events), function("Count", "arm64", **events), MIXED[2])
    outputs = {"ApiURL": {"Value": {"Fn::Sub": "https://${ServerlessHttpApi}.execute-api.${AWS::Region}"
                                               ".amazonaws.com/"}},
               "CountArn": {"Value": {"Fn::GetAtt": ["ShopFunctionsCountGenerated", "Arn"]}},
               "PingRole": {"Value": {"Ref": "ShopFunctionsPingGeneratedRole"}}}
    root = shop(tmp_path, resources=resources, Outputs=outputs)
    code, err = migrate(root)
    assert code == 0, err
    x64 = json.loads((root / "src/Shop.X64/serverless.template").read_text())
    arm64 = json.loads((root / "src/Shop.Arm64/serverless.template").read_text())
    assert list(x64["Outputs"]) == ["ApiURL", "PingRole"]
    assert list(arm64["Outputs"]) == ["ApiURL", "CountArn"]
    assert "Each new stack creates its own ServerlessHttpApi" in err


def test_an_export_both_stacks_would_share_is_reported(tmp_path):
    events = {"Events": {"RootGet": {"Type": "HttpApi", "Properties": {"Path": "/", "Method": "GET"}}}}
    resources = (function("Ping", None, **events), function("Count", "arm64", **events), MIXED[2])
    outputs = {"ApiURL": {"Value": {"Fn::Sub": "https://${ServerlessHttpApi}.execute-api.amazonaws.com/"},
                          "Export": {"Name": "shop-api-url"}},
               "ApiId": {"Value": {"Ref": "ServerlessHttpApi"},
                         "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-api-id"}}}}
    root = shop(tmp_path, resources=resources, Outputs=outputs)
    code, err = migrate(root)
    assert code == 0, err
    assert "Output ApiURL is in both stacks and exports the same name" in err
    assert "Output ApiId" not in err


def test_resources_the_generator_does_not_own_stay_and_the_original_still_deploys(tmp_path):
    topic = ("AlertsTopic", {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "alerts"}})
    outputs = {"TopicArn": {"Value": {"Ref": "AlertsTopic"}}}
    root = shop(tmp_path, resources=MIXED + (topic,), Outputs=outputs)
    before = tmp_path.parent / (tmp_path.name + "-before")
    write_tree(before, read_tree(root))
    code, err = migrate(root)
    assert code == 0, err
    original = json.loads((root / "src/Shop/serverless.template").read_text())
    assert list(original["Resources"]) == ["AlertsTopic"] and list(original["Outputs"]) == ["TopicArn"]
    assert (root / "src/Shop/aws-lambda-tools-defaults.json").read_bytes() == \
        (before / "src/Shop/aws-lambda-tools-defaults.json").read_bytes()
    assert "keeps what the generator does not own (AlertsTopic) and still deploys the stack shop" in err
    assert_resources_unchanged(before, root)
    assert_one_generator_per_template(root)


def test_yaml_templates_are_cut_keeping_every_other_byte(tmp_path):
    yaml_template = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: Shop. This template is partially managed by Amazon.Lambda.Annotations (v1.7.0.0).
Resources:
  # The health check.
  ShopFunctionsPingGenerated:
    Type: AWS::Serverless::Function
    Metadata:
      Tool: Amazon.Lambda.Annotations
    Properties:
      Runtime: dotnet8
      CodeUri: .
      Handler: Shop::Shop.Functions_Ping_Generated::Ping   # generated
  # Counting runs on Graviton.
  ShopFunctionsCountGenerated:
    Type: AWS::Serverless::Function
    Metadata:
      Tool: Amazon.Lambda.Annotations
    Properties:
      Architectures: [arm64]
      Runtime: dotnet8
      CodeUri: .
      Handler: Shop::Shop.Functions_Count_Generated::Count
  ShopFunctionsWhereGenerated:
    Type: AWS::Serverless::Function
    Metadata:
      Tool: Amazon.Lambda.Annotations
    Properties:
      Architectures: [arm64]
      Runtime: dotnet8
      CodeUri: .
      Handler: !Sub "Shop::Shop.Functions_Where_Generated::Where"
Outputs:
  PingArn:
    Value: !GetAtt ShopFunctionsPingGenerated.Arn
"""
    root = shop(tmp_path, {"src/Shop/serverless.template": None, "src/Shop/template.yaml": yaml_template,
                           "src/Shop/aws-lambda-tools-defaults.json": defaults(template="template.yaml")})
    code, err = migrate(root)
    assert code == 0, err
    x64 = (root / "src/Shop.X64/template.yaml").read_text()
    arm64 = (root / "src/Shop.Arm64/template.yaml").read_text()
    assert "  # The health check.\n  ShopFunctionsPingGenerated:" in x64 and "Counting" not in x64
    assert "Handler: Shop.X64::Shop.Functions_Ping_Generated::Ping   # generated" in x64
    assert "Outputs:\n  PingArn:\n    Value: !GetAtt ShopFunctionsPingGenerated.Arn\n" in x64
    assert "# The health check." not in arm64 and "  # Counting runs on Graviton.\n" in arm64
    # An intrinsic Handler becomes the string the generator writes, with the function project's assembly.
    assert "      Handler: \"Shop.Arm64::Shop.Functions_Where_Generated::Where\"\n" in arm64
    assert "Outputs" not in arm64
    for text in (x64, arm64):
        assert YAML().load(text)["Resources"]


# -- executables ------------------------------------------------------------------------------------------------------

GENERATE_MAIN = SERIALIZER.replace("using Amazon.Lambda.Core;\n", "using Amazon.Lambda.Annotations;\n"
                                   "using Amazon.Lambda.Core;\n") + \
    "[assembly: LambdaGlobalProperties(GenerateMain = true, Runtime = \"provided.al2023\")]\n"


def executable(tmp_path: Path, assembly_info: str) -> Path:
    resources = []
    for name, resource in MIXED:
        properties = dict(resource["Properties"], Handler="bootstrap", Runtime="provided.al2023")
        method = name[len("ShopFunctions"):-len("Generated")]
        properties["Environment"] = {"Variables": {"ANNOTATIONS_HANDLER": method}}
        resources.append((name, {**resource, "Properties": properties}))
    extra = "\n    <OutputType>Exe</OutputType>\n    <AssemblyName>bootstrap</AssemblyName>\n" \
            "    <PublishAot>true</PublishAot>"
    return shop(tmp_path, {"src/Shop/AssemblyInfo.cs": assembly_info}, resources=tuple(resources),
                csproj_extra=extra)


def test_a_generate_main_executable_splits_into_one_executable_per_architecture(tmp_path, mcs):
    root = executable(tmp_path, GENERATE_MAIN)
    code, err = migrate(root)
    assert code == 0, err
    for arch in ("X64", "Arm64"):
        csproj = (root / f"src/Shop.{arch}/Shop.{arch}.csproj").read_text()
        assert "<OutputType>Exe</OutputType>" in csproj and "<AssemblyName>bootstrap</AssemblyName>" in csproj
        assert "<PublishAot>true</PublishAot>" in csproj
        assert "GenerateMain = true" in (root / f"src/Shop.{arch}/AssemblyAttributes.cs").read_text()
    library = (root / "src/Shop/Shop.csproj").read_text()
    assert "OutputType" not in library and "AssemblyName" not in library and "PublishAot" not in library
    assert '<InternalsVisibleTo Include="bootstrap" />' in library
    arm64 = json.loads((root / "src/Shop.Arm64/serverless.template").read_text())
    assert {r["Properties"]["Handler"] for r in arm64["Resources"].values()} == {"bootstrap"}
    assert_handlers_resolve(root)
    assert_compiles(root)


def test_an_executable_with_a_hand_written_main_exits_2(tmp_path):
    root = executable(tmp_path, SERIALIZER)
    code, err = migrate(root)
    assert code == 2
    assert "hand-written Main" in err and "GenerateMain" in err
    assert (root / "src/Shop/serverless.template").exists()


# -- refused ---------------------------------------------------------------------------------------------------------

TESTS_CSPROJ = csproj({**NET8, "IsTestProject": "true"}, {"xunit": "2.7.0"}, ("..\\..\\src\\Shop\\Shop.csproj",))


def with_tests_calling(*calls: str) -> dict[str, str]:
    body = "\n".join(f"            {call};" for call in calls)
    return {"test/Shop.Tests/Shop.Tests.csproj": TESTS_CSPROJ,
            "test/Shop.Tests/FunctionsTests.cs": "using Xunit;\n\nnamespace Shop.Tests\n{\n    public class "
                                                 "FunctionsTests\n    {\n        [Fact]\n        public void Runs()\n"
                                                 "        {\n            var functions = new Functions(null);\n"
                                                 f"{body}\n        }}\n    }}\n}}\n"}


def test_tests_of_one_architecture_reference_that_function_project(tmp_path):
    root = shop(tmp_path, with_tests_calling("functions.Ping()"))
    code, err = migrate(root)
    assert code == 0, err
    tests = (root / "test/Shop.Tests/Shop.Tests.csproj").read_text()
    assert "Shop.X64.csproj" in tests and "Shop.Arm64" not in tests


def test_tests_using_both_architectures_of_a_split_class_exit_2(tmp_path):
    root = shop(tmp_path, with_tests_calling("functions.Ping()", "functions.Count(3)"))
    code, err = migrate(root)
    assert code == 2
    assert "test project Shop.Tests uses Shop.Functions with members of both architectures" in err


def test_library_code_that_uses_the_functions_class_exits_2(tmp_path):
    user = "namespace Shop\n{\n    public class Report\n    {\n        public string Run()\n        {\n"\
           "            return new Functions(null).Ping();\n        }\n    }\n}\n"
    root = shop(tmp_path, {"src/Shop/Report.cs": user})
    code, err = migrate(root)
    assert code == 2
    assert "Shop.Report uses Shop.Functions, which leaves Shop" in err


def test_a_function_that_refers_to_a_resource_the_generator_does_not_own_exits_2(tmp_path):
    queue = ("OrdersQueue", {"Type": "AWS::SQS::Queue"})
    resources = (MIXED[0], function("Count", "arm64", Environment={"Variables": {"QUEUE": {"Ref": "OrdersQueue"}}}),
                 MIXED[2], queue)
    root = shop(tmp_path, resources=resources)
    code, err = migrate(root)
    assert code == 2
    assert "refers to OrdersQueue, which Amazon.Lambda.Annotations does not own" in err
    assert "template parameter" in err


def test_an_output_that_needs_both_architectures_exits_2(tmp_path):
    outputs = {"Both": {"Value": {"Fn::Join": [",", [{"Fn::GetAtt": ["ShopFunctionsPingGenerated", "Arn"]},
                                                     {"Fn::GetAtt": ["ShopFunctionsCountGenerated", "Arn"]}]]}}}
    root = shop(tmp_path, Outputs=outputs)
    code, err = migrate(root)
    assert code == 2
    assert "output Both refers to ShopFunctionsCountGenerated, ShopFunctionsPingGenerated" in err


def test_an_owned_function_no_method_generates_is_kept_and_reported(tmp_path):
    stale = function("Gone", None)
    root = shop(tmp_path, resources=MIXED + (stale,))
    code, err = migrate(root)
    assert code == 0, err
    assert "ShopFunctionsGoneGenerated" in json.loads((root / "src/Shop.X64/serverless.template").read_text())[
        "Resources"]
    assert "ShopFunctionsGoneGenerated matches no [LambdaFunction] method" in err


def test_a_method_serving_both_architectures_exits_2(tmp_path):
    twin = ("PingArm", {**MIXED[0][1], "Properties": dict(MIXED[0][1]["Properties"], Architectures=["arm64"])})
    root = shop(tmp_path, resources=MIXED + (twin,))
    code, err = migrate(root)
    assert code == 2
    assert "Shop.Functions.Ping serves functions of both architectures" in err


def test_an_interface_with_functions_of_both_architectures_exits_2(tmp_path):
    contract = FUNCTIONS.replace("public class Functions\n", "public interface IShop\n    {\n        string Ping();\n"
                                 "        int Count(int value);\n    }\n\n    public class Functions : IShop\n")
    root = shop(tmp_path, {"src/Shop/Functions.cs": contract})
    code, err = migrate(root)
    assert code == 2
    assert "Shop.Functions implements IShop, which declares [LambdaFunction] methods of both architectures" in err


def test_an_image_function_of_the_project_exits_2(tmp_path):
    image = ("ShopFunctionsExportGenerated", {"Type": "AWS::Serverless::Function",
                                               "Metadata": {"Tool": "Amazon.Lambda.Annotations"},
                                               "Properties": {"PackageType": "Image", "ImageUri": ".",
                                                              "ImageConfig": {"Command": ["x"]}}})
    root = shop(tmp_path, resources=MIXED + (image,))
    code, err = migrate(root)
    assert code == 2
    assert "Image function" in err


def test_an_executable_that_is_not_annotations_exits_2_with_why(tmp_path):
    plain = {"src/Shop/Shop.csproj": CSPROJ.format(extra="\n    <OutputType>Exe</OutputType>").replace(
        '    <PackageReference Include="Amazon.Lambda.Annotations" Version="1.7.0" />\n', ""),
        "src/Shop/Functions.cs": "namespace Shop\n{\n    public class Program\n    {\n        public static void "
                                 "Main()\n        {\n        }\n    }\n}\n",
        "src/Shop/Startup.cs": None}
    resources = [(n.replace("ShopFunctions", ""), {"Type": "AWS::Serverless::Function", "Properties": dict(
        r["Properties"], Handler="Shop")}) for n, r in MIXED]
    root = shop(tmp_path, plain, resources=tuple(resources))
    code, err = migrate(root)
    assert code == 2
    assert "runs the executable assembly Shop" in err and "hand-written Main" in err


# -- the library ------------------------------------------------------------------------------------------------------

def test_the_library_keeps_the_attributes_but_not_the_generator(tmp_path):
    root = shop(tmp_path)
    code, err = migrate(root)
    assert code == 0, err
    library = (root / "src/Shop/Shop.csproj").read_text()
    assert '<PackageReference Include="Amazon.Lambda.Annotations" Version="1.7.0" ExcludeAssets="analyzers" />' \
        in library
    assert "AWSProjectType" not in library
    for arch in ("X64", "Arm64"):
        assert '<PackageReference Include="Amazon.Lambda.Annotations" Version="1.7.0" />' in \
            (root / f"src/Shop.{arch}/Shop.{arch}.csproj").read_text()


def test_an_inherited_annotations_package_is_switched_off_in_the_library(tmp_path):
    props = "<Project>\n  <ItemGroup>\n    <PackageReference Include=\"Amazon.Lambda.Annotations\" " \
            "Version=\"1.7.0\" />\n  </ItemGroup>\n</Project>\n"
    csproj = CSPROJ.format(extra="").replace(
        '    <PackageReference Include="Amazon.Lambda.Annotations" Version="1.7.0" />\n', "")
    root = shop(tmp_path, {"Directory.Build.props": props, "src/Shop/Shop.csproj": csproj})
    code, err = migrate(root)
    assert code == 0, err
    library = (root / "src/Shop/Shop.csproj").read_text()
    assert '<PackageReference Update="Amazon.Lambda.Annotations" ExcludeAssets="analyzers" />' in library
    assert "<PackageReference" not in (root / "src/Shop.X64/Shop.X64.csproj").read_text()


# -- template text ----------------------------------------------------------------------------------------------------

def test_removing_json_entries_keeps_commas_and_layout():
    text = '{\n  "A": 1,\n  "B": {\n    "x": 2\n  },\n  "C": 3,\n  "D": 4\n}'
    root = parse_json(text, "t.json")
    for names, expected in [
        (["A"], '{\n  "B": {\n    "x": 2\n  },\n  "C": 3,\n  "D": 4\n}'),
        (["B", "C"], '{\n  "A": 1,\n  "D": 4\n}'),
        (["D"], '{\n  "A": 1,\n  "B": {\n    "x": 2\n  },\n  "C": 3\n}'),
        (["A", "D"], '{\n  "B": {\n    "x": 2\n  },\n  "C": 3\n}'),
        (["A", "B", "C", "D"], "{}"),
    ]:
        after = apply_edits(text, remove_keys(text, root, names, "json"))
        assert after == expected, names
        assert list(json.loads(after)) == [k for k in "ABCD" if k not in names]


def test_removing_yaml_entries_takes_their_comment_lines():
    text = "a: 1\n# about b\nb:\n  x: 2\n\n# about c\nc: 3\n"
    root = parse_yaml(text, "t.yaml")
    assert apply_edits(text, remove_keys(text, root, ["b"], "yaml")) == "a: 1\n# about c\nc: 3\n"
    assert apply_edits(text, remove_keys(text, root, ["c"], "yaml")) == "a: 1\n# about b\nb:\n  x: 2\n\n"


def test_references_cover_ref_getatt_sub_findinmap_conditions_and_depends_on():
    text = json.dumps({"DependsOn": ["Table"], "Condition": "IsProd", "Properties": {
        "A": {"Ref": "Param"}, "B": {"Fn::GetAtt": ["Queue", "Arn"]}, "C": {"Fn::GetAtt": "Bucket.Arn"},
        "D": {"Fn::Sub": ["${Api}/${Local}/${AWS::Region}/${!Literal}", {"Local": "x"}]},
        "E": {"Fn::FindInMap": ["Sizes", "a", "b"]}, "F": {"Fn::If": ["IsBig", 1, 2]}}})
    assert references(parse_json(text, "r.json")) == {"Table", "IsProd", "Param", "Queue", "Bucket", "Api",
                                                       "Sizes", "IsBig"}
