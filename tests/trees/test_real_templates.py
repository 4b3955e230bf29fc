"""`check` on templates and projects from public .NET Lambda repositories (read in place from ../shared/real-templates).

Each expected result was worked out by reading the template: which functions are zip builds, their CodeUri, and
their architectures. The tests skip with a reason where the folder is absent, and fail in CI, where it is present.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from splitter.discover import discover
from splitter.model.template import load_template
from support import assert_spans_reparse, require_real_templates, run_cli


@dataclass
class Case:
    folder: str                      # below real-templates: the repository
    primary: str                     # the primary template, below the repository folder
    code: int                        # expected exit code of `check` on the primary template's folder
    units: dict[str, dict[str, list[str]]] = field(default_factory=dict)   # CodeUri -> {arch: [logical ids]}
    images: int = 0


BLUEPRINTS = "Blueprints/BlueprintDefinitions/vs2026"
CUSTOM_AUTHORIZER = ["CustomAuthorizer", "CustomAuthorizerV1", "RestApiAuthorizer", "SimpleAuthorizer",
                     "SimpleRestAuthorizer", "ProtectedEndpoint", "GetUserInfo", "HealthCheck", "RestUserInfo",
                     "HttpApiV1UserInfo", "IHttpResultUserInfo", "SimpleHttpApiUserInfo", "SimpleRestApiUserInfo",
                     "NonStringUserInfo"]

CASES = [
    # Annotations blueprint: two generated functions, both Architectures [x86_64], CodeUri ".".
    Case("awsdn-empty-annotations",
         f"{BLUEPRINTS}/EmptyServerless/template/src/BlueprintBaseName.1/serverless.template", 0,
         {".": {"x86_64": ["BlueprintBaseName._1FunctionsGetGenerated",
                           "BlueprintBaseName1FunctionsGetGenerated"]}}),
    # Three functions with CodeUri "" (meaning "."), no Architectures: x86_64.
    Case("awsdn-websocket", f"{BLUEPRINTS}/WebSocketAPIServerless/template/src/BlueprintBaseName.1/serverless.template",
         0, {".": {"x86_64": ["OnConnectFunction", "OnDisconnectFunction", "SendMessageFunction"]}}),
    # Plain AWS::Lambda::Function with Code {"S3Bucket": "", "S3Key": ""}: Amazon.Lambda.Tools builds ".".
    Case("awsdn-stepfunctions", f"{BLUEPRINTS}/StepFunctionsHelloWorld/template/src/BlueprintBaseName.1/"
         "serverless.template", 0, {".": {"x86_64": ["GreetingTask", "SalutationsTask"]}}),
    # 41 functions, every one PackageType Image: listed, never a build unit.
    Case("awsdn-testserverlessapp", "Libraries/test/TestServerlessApp/serverless.template", 0, {}, images=41),
    # Fourteen functions, CodeUri ".", PackageType Zip, no Architectures; a second copy of the template below.
    Case("awsdn-customauthorizer", "Libraries/test/TestCustomAuthorizerApp/serverless.template", 0,
         {".": {"x86_64": CUSTOM_AUTHORIZER}}),
    # Serverless functions with CodeUri "", Lambda functions with Code {} (built from "."), an Image function, and
    # a Lambda function without Properties (skipped, as the AWS tooling does).
    Case("awsdn-templateexample", "Tools/LambdaTestTool/tests/LambdaFunctions/ServerlessTemplateExample/"
         "serverless.template", 0, {".": {"x86_64": ["MyHelloWorld", "MyToUpper", "MissingHandler", "AFunction"]}},
         images=1),
    # Globals Architectures [!Ref LambdaArchitecture] with AllowedValues and no Default: unknowable, but every
    # function takes the same value, so no unit can be mixed: warnings, not an error (QA B6).
    Case("sdd-net8", "src/NET8/template.yaml", 0),
    # Globals Architectures [arm64], one function; its project's defaults file names "template.yaml" one level down.
    Case("sts-kinesis", "dotnet-test-samples/kinesis-lambda-dynamodb/src/template.yaml", 0,
         {"./KinesisEventHandler/": {"arm64": ["ProcessEmployeeFunction"]}}),
    # Three functions share ./src/HelloWorld/, none sets Architectures: one x86_64 build.
    Case("pt-batch", "examples/BatchProcessing/template.yaml", 0,
         {"./src/HelloWorld/": {"x86_64": ["SqsBatchProcessorFunction", "DdbStreamBatchProcessorFunction",
                                           "KinesisBatchProcessorFunction"]}}),
    # One arm64 function; the defaults file names a serverless.template that does not exist beside template.yaml.
    Case("pt-serverlessapi", "examples/ServerlessApi/src/LambdaPowertoolsAPI/template.yaml", 0,
         {".": {"arm64": ["AspNetCoreFunction"]}}),
]
IDS = [case.folder for case in CASES]


def check_json(*args) -> tuple[int, dict, str]:
    code, out, err = run_cli("check", *args, "--format", "json")
    return code, json.loads(out), err


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_check_on_the_primary_template_folder(case):
    template = require_real_templates() / case.folder / case.primary
    code, report, err = check_json(template.parent)
    assert code == case.code, err
    if case.code == 0:
        units = {u["code_uri"]: u["functions"] for u in report["units"]
                 if u["template"] == template.name}
        assert units == case.units
        assert len(report["image_functions"]) == case.images
        assert not report["hazard"] and report["errors"] == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_check_on_the_template_file_and_on_the_whole_repository_agree(case):
    root = require_real_templates() / case.folder
    template = root / case.primary
    assert run_cli("check", template)[0] == case.code
    code, report, err = check_json(root)
    assert code == case.code, err
    assert case.primary in report["templates"] or case.code == 2


def test_sdd_net8_without_the_parameter_warns_that_amazon_lambda_tools_builds_for_x86_64():
    root = require_real_templates() / "sdd-net8"
    code, out, err = run_cli("check", root / "src" / "NET8")
    assert code == 0 and err == ""
    lines = [line for line in out.splitlines() if "warning[LS104]" in line]
    assert len(lines) == 5 and all("template.yaml:7:" in line for line in lines)
    assert all("--parameter LambdaArchitecture=arm64|x86_64" in line for line in lines)
    for function in ("GetProductsFunction", "GetProductFunction", "DeleteProductFunction", "PutProductFunction",
                     "GenerateLoadTestResults"):
        assert sum(function in line for line in lines) == 1


def test_sdd_net8_with_the_parameter_has_five_single_architecture_units():
    root = require_real_templates() / "sdd-net8"
    code, report, _ = check_json(root, "--parameter", "LambdaArchitecture=arm64")
    # ReadyToRun projects that Amazon.Lambda.Tools builds for x86_64 and deploys to arm64: an error (QA B7b)
    assert code == 1 and not report["hazard"]
    assert [u["functions"] for u in report["units"]] == [{"arm64": [name]} for name in (
        "GetProductsFunction", "GetProductFunction", "DeleteProductFunction", "PutProductFunction",
        "GenerateLoadTestResults")]
    # Four of the five projects pin <RuntimeIdentifier>linux-x64</RuntimeIdentifier>, contradicting arm64.
    assert sorted(w["path"] for w in report["warnings"] if w["code"] == "runtime-identifier") == [
        f"src/NET8/{name}/{name}.csproj" for name in ("DeleteProduct", "GetProduct", "GetProducts", "PutProduct")]
    # No project pins "function-architecture", so Amazon.Lambda.Tools, unable to read the Ref, builds all for x86_64.
    assert [w.get("severity") for w in report["warnings"] if w["code"] == "ref-architecture"] == ["error"] * 5
    code, report, _ = check_json(root, "--parameter", "LambdaArchitecture=x86_64")
    assert code == 0 and report["warnings"] == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_real_template_spans_slice_their_exact_source(case):
    template = load_template(require_real_templates() / case.folder / case.primary, {"LambdaArchitecture": "arm64"})
    assert template.functions
    if any(f.property_node(name) for f in template.functions for name in ("CodeUri", "Handler", "Architectures")):
        assert_spans_reparse(template)


def test_discovery_skips_template_config_folders():
    root = require_real_templates() / "awsdn-empty-annotations"
    workspace = discover(root)
    assert [workspace.relative(t) for t in workspace.templates] == [CASES[0].primary]


def test_missing_real_templates_skip_with_a_reason_but_fail_in_ci(monkeypatch, tmp_path):
    import support

    monkeypatch.setattr(support, "REAL_TEMPLATES", tmp_path / "absent")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI always provides it"):
        support.require_real_templates()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="absent"):
        support.require_real_templates()
