"""Regressions from the QA pass on real repositories (/tmp/qa-report: B1, B3, B4, B6, B7, B7b, B8, B11, B12):
each test is the report's reproduction, cut to the behaviour that was wrong."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from builders import csproj
from support import run_cli, write_tree

READY_TO_RUN = """<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net8.0</TargetFramework><AWSProjectType>Lambda</AWSProjectType><PublishReadyToRun>true</PublishReadyToRun></PropertyGroup>
</Project>
"""
TWO_CLASSES = """namespace Fn
{
    public class X { public string H(string s) { return s; } }
    public class Y { public string H(string s) { return s; } }
}
"""
FN = {"Fn/Fn.csproj": READY_TO_RUN, "Fn/Function.cs": TWO_CLASSES}


def committed(root: Path, files: dict[str, str | bytes]) -> Path:
    write_tree(root, files)
    for command in (["init", "-q"], ["add", "-A"],
                    ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init"]):
        subprocess.run(["git", *command], cwd=root, check=True)
    return root


def check_json(*args) -> tuple[int, dict]:
    code, out, err = run_cli("check", "--format", "json", *args)
    return code, json.loads(out)


# -- B3: a CloudFormation template named serverless.yaml is a template only ---------------------------------------------

CFN_SERVERLESS_YAML = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ''
      Handler: Fn::Fn.X::H
      Runtime: dotnet8
  B:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ''
      Handler: Fn::Fn.Y::H
      Runtime: dotnet8
      Architectures: [arm64]
"""


def test_a_template_named_serverless_yaml_by_the_defaults_file_is_only_a_template(tmp_path):
    root = committed(tmp_path, {**FN, "Fn/serverless.yaml": CFN_SERVERLESS_YAML,
                                "Fn/aws-lambda-tools-defaults.json": '{"template": "serverless.yaml"}\n'})
    for given in (root, root / "Fn", root / "Fn" / "serverless.yaml"):
        code, out, err = run_cli("check", given)
        assert code == 1 and "error:" not in err and "Serverless Framework" not in out + err, (given, out, err)
    code, out, err = run_cli("migrate", "--dry-run", root)
    assert code == 0 and "Fn.Arm64/Fn.Arm64.csproj" in out, err


def test_a_cloudformation_serverless_yml_no_defaults_file_names_is_read_as_a_template(tmp_path):
    root = committed(tmp_path, {**FN, "Fn/serverless.yml": CFN_SERVERLESS_YAML})
    code, report = check_json(root)
    assert code == 1 and report["templates"] == ["Fn/serverless.yml"] and report["apps"] == []


def test_an_unreadable_serverless_yml_in_a_tree_is_a_warning_not_an_abort(tmp_path):
    root = committed(tmp_path, {**FN, "Fn/serverless.yaml": CFN_SERVERLESS_YAML,
                                "Fn/aws-lambda-tools-defaults.json": '{"template": "serverless.yaml"}\n',
                                "other/serverless.yml": "provider:\n  name: aws\n"})
    code, report = check_json(root)
    assert code == 1 and report["errors"] == []
    (warning,) = [w for w in report["warnings"] if w["code"] == "serverless-app"]
    assert warning["rule_id"] == "LS111" and warning["path"] == "other/serverless.yml" and warning["line"] == 1
    code, out, err = run_cli("check", "--explain", "LS111")
    assert code == 0 and "serverless-app" in out


def test_an_unreadable_serverless_yml_given_itself_is_an_error_with_a_line(tmp_path):     # B8
    root = committed(tmp_path, {"serverless.yml": "provider:\n  name: aws\n"})
    code, out, err = run_cli("check", root / "serverless.yml")
    assert code == 2 and f"{root / 'serverless.yml'}:1: not a Serverless Framework service" in err


# -- B4: function projects keep the original's SDK ---------------------------------------------------------------

WEB_API = {
    "src/Api/Api.csproj": """<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <OutputType>Library</OutputType>
    <AWSProjectType>Lambda</AWSProjectType>
    <PublishReadyToRun>true</PublishReadyToRun>
  </PropertyGroup>
</Project>
""",
    "src/Api/Orders.cs": """namespace Api
{
    public class Orders
    {
        public string Get(string id)
        {
            IConfiguration config = new ConfigurationBuilder().Build();
            return config["x"] ?? id;
        }
    }
}
""",
    "src/Api/Reports.cs": "namespace Api\n{\n    public class Reports\n    {\n"
                          "        public string Run(string id) { return id; }\n    }\n}\n",
    "src/Api/aws-lambda-tools-defaults.json": '{\n  "template": "serverless.template"\n}\n',
    "src/Api/serverless.template": json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31", "Resources": {
            "GetOrder": {"Type": "AWS::Serverless::Function", "Properties": {
                "CodeUri": "", "Handler": "Api::Api.Orders::Get", "Runtime": "dotnet8"}},
            "RunReport": {"Type": "AWS::Serverless::Function", "Properties": {
                "CodeUri": "", "Handler": "Api::Api.Reports::Run", "Runtime": "dotnet8",
                "Architectures": ["arm64"]}}}}, indent=2),
}


def test_function_projects_use_the_original_projects_sdk_as_written(tmp_path):
    root = committed(tmp_path, WEB_API)
    code, out, err = run_cli("migrate", root)
    assert code == 0, err
    for name in ("Api.X64", "Api.Arm64"):
        text = (root / "src" / name / f"{name}.csproj").read_text()
        assert text.startswith('<Project Sdk="Microsoft.NET.Sdk.Web">'), text
    assert (root / "src/Api.X64/Orders.cs").is_file()


def test_a_single_quoted_sdk_attribute_is_kept_byte_for_byte(tmp_path):
    files = dict(WEB_API)
    files["src/Api/Api.csproj"] = files["src/Api/Api.csproj"].replace(
        '<Project Sdk="Microsoft.NET.Sdk.Web">', "<Project Sdk='Microsoft.NET.Sdk.Worker'>")
    root = committed(tmp_path, files)
    code, out, err = run_cli("migrate", root)
    assert code == 0, err
    assert (root / "src/Api.Arm64/Api.Arm64.csproj").read_text().startswith(
        "<Project Sdk='Microsoft.NET.Sdk.Worker'>")


# -- B6, B7, B7b: architectures from a Ref ---------------------------------------------------------------------------

GLOBALS_REF = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  LambdaArchitecture:
    Type: String
    AllowedValues: [arm64, x86_64]
  Other:
    Type: String
Globals:
  Function:
    Architectures: [!Ref LambdaArchitecture]
    Runtime: dotnet8
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./Fn/
      Handler: Fn::Fn.X::H
  B:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./Fn/
      Handler: Fn::Fn.Y::H
"""


def ref_tree(root: Path, template: str = GLOBALS_REF, project: str = READY_TO_RUN) -> Path:
    return committed(root, {"Fn/Fn.csproj": project, "Fn/Function.cs": TWO_CLASSES, "template.yaml": template})


def test_one_unknown_architecture_shared_by_a_whole_unit_is_a_warning_not_an_abort(tmp_path):
    root = ref_tree(tmp_path)
    code, out, err = run_cli("check", root)
    assert code == 0 and "error" not in err, (out, err)
    assert "warning[LS104]" in out and "create Fn/aws-lambda-tools-defaults.json with" in out
    assert "No hazard: 1 build unit (2 functions)" in out
    code, out, err = run_cli("migrate", "--dry-run", root)
    assert code == 0 and "Nothing to do" in err and "error" not in err, err


def test_an_unknown_architecture_that_could_mix_a_unit_still_stops(tmp_path):
    literal = GLOBALS_REF.replace("      Handler: Fn::Fn.Y::H\n", "      Handler: Fn::Fn.Y::H\n      Architectures: [arm64]\n")
    other_ref = GLOBALS_REF.replace("      Handler: Fn::Fn.Y::H\n",
                                    "      Handler: Fn::Fn.Y::H\n      Architectures: [!Ref Other]\n")
    for case, template in (("literal", literal), ("other-ref", other_ref)):
        root = ref_tree(tmp_path / case, template)
        code, out, err = run_cli("check", root)
        assert code == 2 and "cannot be known before deployment" in err, (case, out, err)
        code, out, err = run_cli("migrate", "--dry-run", root)
        assert code == 2, (case, err)


def test_no_ref_architecture_warning_where_sam_decides(tmp_path):
    root = ref_tree(tmp_path)
    for extra in ((), ("--parameter", "LambdaArchitecture=arm64")):
        code, out, err = run_cli("check", root, "--deployer", "sam", *extra)
        assert code == 0 and "LS104" not in out, (extra, out)
    write_tree(root, {"samconfig.toml": 'version = 0.1\n[default.build.parameters]\ntemplate_file = "template.yaml"\n'})
    code, out, err = run_cli("check", root, "--parameter", "LambdaArchitecture=arm64")
    assert code == 0 and "LS104" not in out, out


def test_a_ref_architecture_built_for_the_other_cpu_on_ready_to_run_is_an_error(tmp_path):
    root = ref_tree(tmp_path)
    code, out, err = run_cli("check", root, "--parameter", "LambdaArchitecture=arm64")
    assert code == 1 and "error[LS104]" in out and "No hazard" not in out, out
    assert "A, B would fail with BadImageFormatException" in out
    assert 'create Fn/aws-lambda-tools-defaults.json with "function-architecture": "arm64"' in out
    code, report = check_json(root, "--parameter", "LambdaArchitecture=arm64")
    (warning,) = [w for w in report["warnings"] if w["code"] == "ref-architecture"]
    assert code == 1 and warning["severity"] == "error"
    code, out, err = run_cli("migrate", "--dry-run", root, "--parameter", "LambdaArchitecture=arm64")
    assert code == 0 and "Nothing to do" in err and "function-architecture" in err, err
    # the defaults file fixes it
    write_tree(root, {"Fn/aws-lambda-tools-defaults.json": '{"function-architecture": "arm64"}\n'})
    code, out, err = run_cli("check", root, "--parameter", "LambdaArchitecture=arm64")
    assert code == 0 and "LS104" not in out, out


def test_a_ref_architecture_without_ready_to_run_stays_a_warning_whose_hint_names_the_existing_file(tmp_path):
    root = ref_tree(tmp_path, project=READY_TO_RUN.replace("<PublishReadyToRun>true</PublishReadyToRun>", ""))
    write_tree(root, {"Fn/aws-lambda-tools-defaults.json": '{"configuration": "Release"}\n'})
    code, out, err = run_cli("check", root, "--parameter", "LambdaArchitecture=arm64")
    assert code == 0 and "warning[LS104]" in out
    assert 'set "function-architecture": "arm64" in Fn/aws-lambda-tools-defaults.json' in out


# -- B1, B12: a prebuilt CDK asset is an artifact, never a build of the CDK app's project ----------------------------

CDK_PROJECT = """<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net8.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageReference Include="Amazon.CDK.Lib" Version="2.100.0" /></ItemGroup>
</Project>
"""
CDK_STACK = """using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Constructs;

namespace Infra
{
    public class AppStack : Stack
    {
        public AppStack(Construct scope, string id) : base(scope, id)
        {
            new Function(this, "X64Fn", new FunctionProps
            {
                Runtime = Runtime.DOTNET_8,
                Architecture = Architecture.X86_64,
                Code = Code.FromAsset("ASSET"),
                Handler = "Fn::Fn.Function::Handle"
            });
            new Function(this, "ArmFn", new FunctionProps
            {
                Runtime = Runtime.DOTNET_8,
                Architecture = Architecture.ARM_64,
                Code = Code.FromAsset("ASSET"),
                Handler = "Fn::Fn.Function::Handle"
            });
        }
    }
}
"""
PY_STACK = """import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_

class S(cdk.Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        lambda_.Function(self, "X64Fn", handler="Fn::Fn.Function::Handle", runtime=lambda_.Runtime.DOTNET_8,
                         code=lambda_.Code.from_asset("ASSET"))
        lambda_.Function(self, "ArmFn", handler="Fn::Fn.Function::Handle", runtime=lambda_.Runtime.DOTNET_8,
                         code=lambda_.Code.from_asset("ASSET"), architecture=lambda_.Architecture.ARM_64)
"""


def assert_artifact_not_project(root: Path, kind: str) -> None:
    code, report = check_json(root)
    (unit,) = report["units"]
    assert code == 0 and unit["project"] is None and unit["kind"] == kind and not unit["hazard"], report
    assert [w["code"] for w in report["warnings"]] == ["shared-artifact"], report["warnings"]
    code, out, err = run_cli("check", root)
    assert "each built for one architecture" not in out and "deployed as-is to both architectures" in out, out
    code, out, err = run_cli("migrate", "--dry-run", root)
    assert code == 0 and out == "" and "Nothing to do" in err, (out, err)
    assert "already serves one architecture" not in err and "lambda-split verify" in err, err


def test_a_prebuilt_zip_beside_the_cdk_app_is_an_artifact_not_a_build_of_the_app(tmp_path):
    root = committed(tmp_path, {"Infra/cdk.json": '{ "app": "dotnet run --project Infra.csproj" }\n',
                                "Infra/Infra.csproj": CDK_PROJECT, "Infra/src/fn.zip": b"PK\x05\x06" + bytes(18),
                                "Infra/Stack.cs": CDK_STACK.replace("ASSET", "./src/fn.zip")})
    assert_artifact_not_project(root / "Infra", "archive")


def test_a_folder_of_prebuilt_files_in_the_cdk_app_is_an_artifact(tmp_path):
    root = committed(tmp_path, {"Infra/cdk.json": '{ "app": "dotnet run --project Infra.csproj" }\n',
                                "Infra/Infra.csproj": CDK_PROJECT, "Infra/out/Fn.dll": b"MZ",
                                "Infra/Stack.cs": CDK_STACK.replace("ASSET", "./out")})
    assert_artifact_not_project(root / "Infra", "folder")


def test_the_cdk_apps_own_folder_as_an_asset_is_never_a_lambda_project(tmp_path):
    root = committed(tmp_path, {"Infra/cdk.json": '{ "app": "dotnet run --project Infra.csproj" }\n',
                                "Infra/Infra.csproj": CDK_PROJECT, "Infra/Stack.cs": CDK_STACK.replace("ASSET", ".")})
    assert_artifact_not_project(root / "Infra", "folder")


def test_a_python_app_zip_beside_a_project_is_an_artifact_but_its_bin_output_is_its_build(tmp_path):
    files = {"cdk.json": '{"app": "python3 app.py"}\n', "src/Fn/Fn.csproj": READY_TO_RUN,
             "src/Fn/Function.cs": TWO_CLASSES, "src/Fn/prebuilt/fn.zip": b"PK\x05\x06" + bytes(18)}
    root = committed(tmp_path / "zip", {**files, "app.py": PY_STACK.replace("ASSET", "src/Fn/prebuilt/fn.zip")})
    assert_artifact_not_project(root, "archive")
    root = committed(tmp_path / "bin", {**files, "app.py": PY_STACK.replace(
        "ASSET", "src/Fn/bin/Release/net8.0/publish")})
    code, report = check_json(root)
    (unit,) = report["units"]
    assert code == 1 and unit["project"] == "src/Fn/Fn.csproj" and unit["hazard"]


# -- B8: the Annotations generator referenced as a project: the refusal names the element's line --------------------

def test_annotations_generator_as_a_project_reference_is_refused_at_its_line(tmp_path):
    from annotated_shop import CSPROJ, shop

    text = CSPROJ.format(extra="").replace("</Project>", '  <ItemGroup>\n    <ProjectReference Include="..\\Gen\\'
                                           'Amazon.Lambda.Annotations.SourceGenerator.csproj" OutputItemType="Analyzer"'
                                           ' ReferenceOutputAssembly="false" />\n  </ItemGroup>\n</Project>')
    line = text.splitlines().index(next(l for l in text.splitlines() if "OutputItemType" in l)) + 1
    root = shop(tmp_path, {"src/Shop/Shop.csproj": text,
                           "src/Gen/Amazon.Lambda.Annotations.SourceGenerator.csproj": READY_TO_RUN})
    code, out, err = run_cli("migrate", "--dry-run", root)
    assert code == 2 and f"Shop.csproj:{line}: the project runs the Annotations generator from a project reference" \
        in err, err


# -- B11: an executable with a hand-written Main serving both architectures is split by hand --------------------------

EXE = READY_TO_RUN.replace("<TargetFramework>", "<OutputType>Exe</OutputType><TargetFramework>")
MAIN = "namespace Fn\n{\n    public static class Program\n    {\n        public static void Main() { }\n    }\n}\n"


def executable_template(name: str) -> str:
    return json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31",
                       "Resources": {
                           f"{name}X64": {"Type": "AWS::Serverless::Function", "Properties": {
                               "CodeUri": ".", "Handler": "Fn", "Runtime": "dotnet8"}},
                           f"{name}Arm": {"Type": "AWS::Serverless::Function", "Properties": {
                               "CodeUri": ".", "Handler": "Fn", "Runtime": "dotnet8",
                               "Architectures": ["arm64"]}}}}, indent=2)


def test_check_says_a_hand_written_main_must_be_split_by_hand_and_migrate_names_every_such_unit(tmp_path):
    root = committed(tmp_path, {
        "one/Fn.csproj": EXE, "one/Program.cs": MAIN, "one/serverless.template": executable_template("One"),
        "two/Fn.csproj": EXE, "two/Program.cs": MAIN, "two/serverless.template": executable_template("Two")})
    code, out, err = run_cli("check", root)
    assert code == 1 and "migrate --dry-run" not in out and "Split the 2 executables" in out, out
    assert out.count("must be split by hand") == 2 and "hand-written Main serves functions of both" in out
    code, out, err = run_cli("migrate", "--dry-run", root)
    assert code == 2 and out == "", out
    lines = [line for line in err.splitlines() if line.startswith("lambda-split: error:")]
    assert len(lines) == 2 and all("whose hand-written Main serves functions of both architectures" in line
                                   for line in lines), err
    assert "OneArm" in err or "OneX64" in err
    assert "TwoArm" in err or "TwoX64" in err


# -- B12: names repeated across templates keep their template --------------------------------------------------------

def sam_template(code_uri: str) -> str:
    return json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31",
                       "Resources": {
                           "A": {"Type": "AWS::Serverless::Function", "Properties": {
                               "CodeUri": code_uri, "Handler": "Fn::Fn.X::H", "Runtime": "dotnet8"}},
                           "B": {"Type": "AWS::Serverless::Function", "Properties": {
                               "CodeUri": code_uri, "Handler": "Fn::Fn.Y::H", "Runtime": "dotnet8",
                               "Architectures": ["arm64"]}}}}, indent=2)


def test_the_migrate_summary_names_functions_with_their_template_when_ids_repeat(tmp_path):
    root = committed(tmp_path, {**FN, "Fn/serverless.template": sam_template(""),
                                "Fn/aws-lambda-tools-defaults.json": '{"template": "serverless.template"}\n',
                                "deploy/prod/serverless.template": sam_template("../../Fn")})
    code, out, err = run_cli("migrate", "--dry-run", root)
    assert code == 0, err
    assert "x86_64  Fn.X64: Fn/serverless.template:A, deploy/prod/serverless.template:A" in err or \
        "x86_64  Fn.X64: deploy/prod/serverless.template:A, Fn/serverless.template:A" in err, err
    assert "Fn.Arm64: " in err and ": B, B" not in err and ": A, A" not in err


def test_the_migrate_summary_keeps_bare_ids_when_they_are_unique(tmp_path):
    root = committed(tmp_path, {**FN, "Fn/serverless.template": sam_template(""),
                                "Fn/aws-lambda-tools-defaults.json": '{"template": "serverless.template"}\n'})
    code, out, err = run_cli("migrate", "--dry-run", root)
    assert code == 0 and "x86_64  Fn.X64: A\n" in err and "arm64   Fn.Arm64: B\n" in err, err


def test_annotations_function_projects_use_the_original_projects_sdk(tmp_path):      # B4, the Annotations split
    from annotated_shop import CSPROJ, shop

    text = CSPROJ.format(extra="")
    assert text.startswith('<Project Sdk="Microsoft.NET.Sdk">')
    root = shop(tmp_path, {"src/Shop/Shop.csproj": text.replace('Sdk="Microsoft.NET.Sdk"', 'Sdk="Microsoft.NET.Sdk.Web"', 1)})
    code, out, err = run_cli("migrate", root)
    assert code == 0, err
    for name in ("Shop.X64", "Shop.Arm64"):
        assert (root / "src" / name / f"{name}.csproj").read_text().startswith('<Project Sdk="Microsoft.NET.Sdk.Web">')


def test_migrate_still_stops_where_an_unknown_architecture_deploys_the_project_it_splits(tmp_path):   # B6
    template = GLOBALS_REF.replace("Globals:\n  Function:\n    Architectures: [!Ref LambdaArchitecture]\n",
                                   "Globals:\n  Function:\n") + """  C:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: Fn
      Handler: Fn::Fn.X::H
      Architectures: [!Ref LambdaArchitecture]
"""
    template = template.replace("      Handler: Fn::Fn.Y::H\n", "      Handler: Fn::Fn.Y::H\n      Architectures: [arm64]\n")
    root = ref_tree(tmp_path, template)
    code, out, err = run_cli("check", root)
    assert code == 1 and "error:" not in err, (out, err)         # the A/B hazard; C alone serves one architecture
    code, out, err = run_cli("migrate", "--dry-run", root)
    assert code == 2 and out == "" and "C.Architectures" in err and "--parameter LambdaArchitecture=" in err, err


# -- B13: a repository deployed with `dotnet lambda deploy-function` only ---------------------------------------------

def test_deploy_function_projects_alone_are_nothing_to_check(tmp_path):
    """Projects whose defaults file names a function-handler and no template build one function each, for their
    own function-architecture: `check` and `migrate` pass instead of failing on "no template found"."""
    files = {
        "Fn/Fn.csproj": csproj(properties={"TargetFramework": "net8.0", "AWSProjectType": "Lambda"}),
        "Fn/aws-lambda-tools-defaults.json": '{"function-handler": "Fn::Fn.X::H", "function-architecture": "arm64"}',
        "Other/Other.csproj": csproj(properties={"TargetFramework": "net8.0", "AWSProjectType": "Lambda"}),
        "Other/aws-lambda-tools-defaults.json": '{"function-name": "other", "function-handler": "Other::O.X::H"}',
    }
    root = write_tree(tmp_path / "r", files)
    code, out, err = run_cli("check", root)
    assert code == 0 and err == "", (out, err)
    assert "Nothing to check: 2 projects deployed with `dotnet lambda deploy-function`" in out
    code, out, err = run_cli("check", root, "--format", "json")
    assert code == 0 and sorted(json.loads(out)["function_deployments"]) == [
        "Fn/aws-lambda-tools-defaults.json", "Other/aws-lambda-tools-defaults.json"]
    code, _, err = run_cli("migrate", "--dry-run", root)
    assert code == 0 and "deploy-function" in err, err


def test_a_defaults_file_without_a_function_or_template_is_still_no_template_found(tmp_path):
    root = write_tree(tmp_path / "r", {"Fn/aws-lambda-tools-defaults.json": '{"region": "eu-west-1"}'})
    code, _, err = run_cli("check", root)
    assert code == 2 and "no CloudFormation template found" in err
