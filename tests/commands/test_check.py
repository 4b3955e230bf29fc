"""`lambda-split check` end to end: small solutions in tmp folders, run through the CLI, judged by exit code and output.

Exit codes: 0 no hazard, 1 a build unit serves two architectures, 2 bad input (one line per error, never a traceback).
"""

from __future__ import annotations

import codecs
import json
import re
import time
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from builders import LAMBDA, csproj
from support import FIXTURES, REPO_ROOT, fixture_copy, run_cli



def lambda_csproj(rid: str | None = None, ready_to_run: bool = True) -> str:
    return csproj({**LAMBDA, "PublishReadyToRun": str(ready_to_run).lower(), **({"RuntimeIdentifier": rid} if rid else {})})


def fn(handler: str = "A::A.F::H", arch: str | None = None, code_uri: str | None = ".", **more) -> dict:
    properties: dict = {"Handler": handler, "Runtime": "dotnet8"}
    if code_uri is not None:
        properties["CodeUri"] = code_uri
    if arch is not None:
        properties["Architectures"] = [arch]
    properties.update(more)
    return {"Type": "AWS::Serverless::Function", "Properties": properties}


def sam(resources: dict, globals_function: dict | None = None, parameters: dict | None = None) -> str:
    document: dict = {"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31"}
    if parameters:
        document["Parameters"] = parameters
    if globals_function:
        document["Globals"] = {"Function": globals_function}
    document["Resources"] = resources
    return json.dumps(document, indent=2) + "\n"


def check(*args) -> tuple[int, str, str]:
    return run_cli("check", *args)


def check_json(*args) -> tuple[int, dict, str]:
    code, out, err = check(*args, "--format", "json")
    return code, json.loads(out), err


def assert_error_lines(err: str, *needles: str) -> list[str]:
    """Every stderr line is one `lambda-split: error:` line; together they mention every needle."""
    lines = err.strip().splitlines()
    assert lines, "expected an error line"
    for line in lines:
        assert line.startswith("lambda-split: error: "), line
    for needle in needles:
        assert needle in err, (needle, err)
    return lines


MIXED = {
    "src/A/A.csproj": lambda_csproj(),
    "src/A/serverless.template": sam({
        "First": fn(arch="x86_64"), "Second": fn(), "Third": fn(arch="arm64"), "Fourth": fn(arch="arm64")}),
}


# -- hazards ---------------------------------------------------------------------------------------------------------

def test_mixed_project_exits_1_naming_every_function_and_both_architectures(tmp_path, make_tree):
    make_tree(tmp_path, MIXED)
    code, out, err = check(tmp_path)
    assert code == 1 and err == ""
    for name in ("First", "Second", "Third", "Fourth", "x86_64", "arm64", "A.csproj", "serverless.template"):
        assert name in out
    by_architecture = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert "Third" in by_architecture["arm64"] and "Fourth" in by_architecture["arm64"]
    assert by_architecture["arm64"].endswith("<- would fail") and "would fail" not in by_architecture["x86_64"]
    assert "First" in by_architecture["x86_64"] and "Second" in by_architecture["x86_64"]
    assert "for x86_64 (the architecture of First" in out
    assert "BadImageFormatException" in out             # PublishReadyToRun is on


def test_mixed_project_json_reports_the_unit(tmp_path, make_tree):
    make_tree(tmp_path, MIXED)
    code, report, _ = check_json(tmp_path)
    assert code == 1 and report["hazard"] is True
    (unit,) = report["units"]
    assert unit.pop("deployer") == "dotnet-lambda" and unit.pop("deployer_evidence").startswith("assumed")
    assert [d["deployer"] for d in unit.pop("deployers")] == ["dotnet-lambda"]
    assert unit == {"template": "src/A/serverless.template", "code_uri": ".", "kind": "project",
                    "project": "src/A/A.csproj", "functions": {"x86_64": ["First", "Second"],
                                                               "arm64": ["Third", "Fourth"]},
                    "built_as": "x86_64", "failing": ["Third", "Fourth"], "ready_to_run": True, "hazard": True,
                    "source": "sam", "rule_id": "LS001"}


def test_the_unit_is_built_for_its_first_function_in_template_order(tmp_path, make_tree):
    make_tree(tmp_path, {"A.csproj": lambda_csproj(ready_to_run=False), "serverless.template": sam({
        "Zed": fn(arch="arm64"), "Alpha": fn(arch="x86_64"), "Beta": fn(arch="arm64")})})
    code, report, _ = check_json(tmp_path)
    (unit,) = report["units"]
    assert code == 1 and unit["built_as"] == "arm64" and unit["failing"] == ["Alpha"]
    assert unit["ready_to_run"] is False
    code, out, _ = check(tmp_path)
    assert "linux-arm64" in out and "Alpha" in out


def test_each_unit_with_one_architecture_exits_0(tmp_path, make_tree):
    make_tree(tmp_path, {
        "src/Api/Api.csproj": lambda_csproj(), "src/Worker/Worker.csproj": lambda_csproj(),
        "serverless.template": sam({"Get": fn(code_uri="src/Api"), "List": fn(code_uri="src/Api", arch="x86_64"),
                                    "Work": fn(code_uri="src/Worker", arch="arm64"),
                                    "Purge": fn(code_uri="src/Worker", arch="arm64")})})
    code, out, err = check(tmp_path)
    assert code == 0 and err == ""
    assert out.startswith("No hazard: 2 build units (4 functions) in 1 template")
    code, report, _ = check_json(tmp_path)
    assert report["hazard"] is False and [u["built_as"] for u in report["units"]] == ["x86_64", "arm64"]


def test_globals_architecture_with_one_override_is_a_hazard(tmp_path, make_tree):
    make_tree(tmp_path, {"A.csproj": lambda_csproj(), "serverless.template": sam(
        {"Inherits": fn(code_uri=None), "Overrides": fn(code_uri=None, arch="x86_64")},
        globals_function={"Architectures": ["arm64"], "CodeUri": "."})})
    code, report, _ = check_json(tmp_path)
    assert code == 1
    assert report["units"][0]["functions"] == {"arm64": ["Inherits"], "x86_64": ["Overrides"]}


YAML_MIXED = """\
# Shop: API on Graviton, a legacy worker on x86_64
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}
Globals:
  Function:
    Runtime: dotnet8
    CodeUri: ./src/Shop/   # every function builds this project
    Architectures: [!Ref DefaultArch]
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Handler: Shop::Shop.Api::Handle
      FunctionName: !Sub "shop-api-${Stage}"
      Events:
        Get: {Type: HttpApi, Properties: {Path: /, Method: GET}}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: Shop::Shop.Worker::Handle   # still x86_64
      Architectures:
        - x86_64
      Policies:
        - SQSPollerPolicy: {QueueName: !GetAtt Queue.QueueName}
  Queue:
    Type: AWS::SQS::Queue
"""


def test_yaml_short_tags_and_comments_mixed_exits_1(tmp_path, make_tree):
    template = YAML_MIXED.replace("Parameters:\n", "Parameters:\n  DefaultArch: {Type: String, Default: arm64}\n")
    make_tree(tmp_path, {"template.yaml": template, "src/Shop/Shop.csproj": lambda_csproj()})
    code, report, _ = check_json(tmp_path)
    assert code == 1
    assert report["units"][0]["functions"] == {"arm64": ["Api"], "x86_64": ["Worker"]}
    assert report["units"][0]["code_uri"] == "./src/Shop/"


@pytest.mark.parametrize("bom", [False, True])
def test_crlf_templates_with_or_without_bom_are_checked(tmp_path, make_tree, bom):
    json_text = sam({"X": fn(arch="x86_64", code_uri="src/A"), "Y": fn(arch="arm64", code_uri="src/A")})
    yaml_text = YAML_MIXED.replace("Parameters:\n", "Parameters:\n  DefaultArch: {Type: String, Default: arm64}\n")
    to_bytes = (lambda text: (codecs.BOM_UTF8 if bom else b"") + text.replace("\n", "\r\n").encode())
    make_tree(tmp_path, {"json/serverless.template": to_bytes(json_text), "json/src/A/A.csproj": to_bytes(lambda_csproj()),
                         "yaml/template.yaml": to_bytes(yaml_text), "yaml/src/Shop/Shop.csproj": to_bytes(lambda_csproj())})
    code, report, _ = check_json(tmp_path)
    assert code == 1 and report["errors"] == []
    assert sorted(u["template"] for u in report["units"] if u["hazard"]) == ["json/serverless.template",
                                                                            "yaml/template.yaml"]


def test_plain_cloudformation_functions_are_grouped_by_s3key(tmp_path, make_tree):
    lambda_fn = (lambda arch, code: {"Type": "AWS::Lambda::Function", "Properties": {
        "Handler": "A::A.F::H", "Runtime": "dotnet8", "Architectures": [arch], "Code": code}})
    make_tree(tmp_path, {"src/A/A.csproj": lambda_csproj(), "stack.template": json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09", "Resources": {
            "X": lambda_fn("x86_64", {"S3Key": "src/A"}), "Y": lambda_fn("arm64", {"S3Bucket": "", "S3Key": "src/A"}),
            "Remote": lambda_fn("arm64", {"S3Bucket": "artifacts", "S3Key": "src/A"})}})})
    code, report, _ = check_json(tmp_path / "stack.template")
    assert code == 1
    assert report["units"][0]["functions"] == {"x86_64": ["X"], "arm64": ["Y"]}


def test_several_templates_and_projects_in_one_solution(tmp_path, make_tree):
    make_tree(tmp_path, {
        "Platform.sln": "",
        "services/pay/serverless.template": sam({"Charge": fn(code_uri="src/Pay", arch="x86_64"),
                                                 "Hook": fn(code_uri="src/Pay", arch="arm64"),
                                                 "Legacy": fn(code_uri="src/Legacy")}),
        "services/pay/src/Pay/Pay.csproj": lambda_csproj(), "services/pay/src/Legacy/Legacy.csproj": lambda_csproj(),
        "services/search/template.yaml": "Resources:\n  Find:\n    Type: AWS::Serverless::Function\n"
                                         "    Properties: {CodeUri: src/Search, Architectures: [arm64]}\n",
        "services/search/src/Search/Search.csproj": lambda_csproj(),
    })
    code, report, _ = check_json(tmp_path)
    assert code == 1
    assert report["templates"] == ["services/pay/serverless.template", "services/search/template.yaml"]
    hazards = [(u["template"], u["code_uri"]) for u in report["units"] if u["hazard"]]
    assert hazards == [("services/pay/serverless.template", "src/Pay")]
    assert len(report["units"]) == 3
    code, out, _ = check(tmp_path)
    assert "Charge" in out and "Hook" in out and "Find" not in out


def test_image_functions_are_listed_and_never_a_hazard(tmp_path, make_tree):
    image = (lambda arch: {"Type": "AWS::Serverless::Function", "Properties": {
        "PackageType": "Image", "Architectures": [arch]}, "Metadata": {"DockerContext": "."}})
    make_tree(tmp_path, {"A.csproj": lambda_csproj(), "serverless.template": sam({
        "ImgX": image("x86_64"), "ImgArm": image("arm64"), "Zip": fn(arch="arm64")})})
    code, report, _ = check_json(tmp_path)
    assert code == 0
    assert [(f["logical_id"], f["architecture"]) for f in report["image_functions"]] == [("ImgX", "x86_64"),
                                                                                         ("ImgArm", "arm64")]
    assert [u["functions"] for u in report["units"]] == [{"arm64": ["Zip"]}]
    code, out, _ = check(tmp_path)
    assert code == 0 and "ImgX" in out and "ImgArm" in out


def test_a_folder_without_a_project_is_zipped_as_is_and_only_warned_about(tmp_path, make_tree):
    make_tree(tmp_path, {"prebuilt/bootstrap": "", "serverless.template": sam({
        "X": fn(code_uri="prebuilt", arch="x86_64"), "Y": fn(code_uri="prebuilt", arch="arm64")})})
    code, report, _ = check_json(tmp_path)
    assert code == 0 and report["units"][0]["kind"] == "folder"
    assert [w["code"] for w in report["warnings"]] == ["shared-artifact"]


# -- warnings --------------------------------------------------------------------------------------------------------

def test_codeuri_spelled_two_ways_for_one_project_is_a_warning(tmp_path, make_tree):
    make_tree(tmp_path, {"src/A/A.csproj": lambda_csproj(), "serverless.template": sam({
        "X": fn(code_uri="./src/A", arch="x86_64"), "Y": fn(code_uri="src/A/", arch="arm64")})})
    code, report, _ = check_json(tmp_path)
    assert code == 0                                    # two spellings are two builds, each for one architecture
    (warning,) = report["warnings"]
    assert warning["code"] == "codeuri-spelling" and "'./src/A'" in warning["message"]
    assert "'src/A/'" in warning["message"] and warning["path"] == "serverless.template"
    code, out, _ = check(tmp_path)
    assert any(re.search(r"serverless\.template:\d+:1: warning\[LS102\]: ", line) and "src/A/" in line
               for line in out.splitlines())


def test_runtime_identifier_contradicting_the_functions_is_a_warning(tmp_path, make_tree):
    make_tree(tmp_path, {"src/A/A.csproj": lambda_csproj(rid="linux-x64"), "serverless.template": sam({
        "Y": fn(code_uri="src/A", arch="arm64")})})
    code, report, _ = check_json(tmp_path)
    assert code == 0
    (warning,) = report["warnings"]
    assert warning["code"] == "runtime-identifier" and warning["path"] == "src/A/A.csproj"
    assert warning["line"] == 6 and "linux-x64" in warning["message"] and "Y" in warning["message"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "cp1252"])
def test_project_files_in_windows_encodings_are_read(tmp_path, make_tree, encoding):
    project = ('<?xml version="1.0" encoding="{}"?>\r\n'.format("utf-16" if encoding == "utf-16" else "utf-8")
               + lambda_csproj(rid="linux-x64").replace("<TargetFramework>", "<Description>Caf\u00e9</Description>"
                                                 "<TargetFramework>").replace("\n", "\r\n"))
    make_tree(tmp_path, {"src/A/A.csproj": project.encode(encoding), "serverless.template": sam({
        "Y": fn(code_uri="src/A", arch="arm64")})})
    code, report, _ = check_json(tmp_path)
    assert code == 0 and [w["code"] for w in report["warnings"]] == ["runtime-identifier"]


def test_runtime_identifier_matching_the_functions_is_fine(tmp_path, make_tree):
    make_tree(tmp_path, {"src/A/A.csproj": lambda_csproj(rid="linux-arm64"), "serverless.template": sam({
        "Y": fn(code_uri="src/A", arch="arm64")})})
    code, report, _ = check_json(tmp_path)
    assert code == 0 and report["warnings"] == []


# -- architectures the tool cannot know ------------------------------------------------------------------------------

UNRESOLVED_YAML = YAML_MIXED.replace(
    "Parameters:\n", "Parameters:\n  DefaultArch:\n    Type: String\n    AllowedValues: [arm64, x86_64]\n")
UNRESOLVED = {"src/Shop/Shop.csproj": lambda_csproj(), "template.yaml": UNRESOLVED_YAML}
UNRESOLVED_LINE = UNRESOLVED_YAML[:UNRESOLVED_YAML.index("Architectures: [!Ref")].count("\n") + 1


def test_unresolved_ref_exits_2_naming_template_functions_property_and_parameter(tmp_path, make_tree):
    make_tree(tmp_path, UNRESOLVED)
    code, out, err = check(tmp_path)
    assert code == 2
    (line,) = assert_error_lines(err, f"template.yaml:{UNRESOLVED_LINE}:", "Api", "Globals.Function.Architectures",
                                 "--parameter DefaultArch=arm64|x86_64")
    assert "Worker" not in line                          # its own Architectures is a literal


def test_parameter_resolves_the_ref(tmp_path, make_tree):
    make_tree(tmp_path, UNRESOLVED)
    assert check(tmp_path, "--parameter", "DefaultArch=x86_64")[0] == 0
    code, report, _ = check_json(tmp_path, "--parameter", "DefaultArch=arm64", "--parameter", "Other=1")
    assert code == 1 and report["units"][0]["failing"] == ["Worker"]


def test_parameter_accepts_sams_long_form(tmp_path, make_tree):
    make_tree(tmp_path, UNRESOLVED)
    assert check(tmp_path, "--parameter", "ParameterKey=DefaultArch,ParameterValue=x86_64")[0] == 0


def test_parameter_default_resolves_the_ref_and_parameter_overrides_it(tmp_path, make_tree):
    template = YAML_MIXED.replace("Parameters:\n", "Parameters:\n  DefaultArch: {Type: String, Default: x86_64}\n")
    make_tree(tmp_path, {"src/Shop/Shop.csproj": lambda_csproj(), "template.yaml": template})
    assert check(tmp_path)[0] == 0
    assert check(tmp_path, "--parameter", "DefaultArch=arm64")[0] == 1


def test_ref_architecture_the_tooling_cannot_evaluate_is_a_warning_unless_defaults_pin_it(tmp_path, make_tree):
    template = YAML_MIXED.replace("Parameters:\n", "Parameters:\n  DefaultArch: {Type: String, Default: arm64}\n")
    template = template.replace("      Architectures:\n        - x86_64\n", "")
    # without ReadyToRun: with it, Amazon.Lambda.Tools' wrong build is an error (tests/commands/test_qa_regressions.py)
    make_tree(tmp_path, {"src/Shop/Shop.csproj": lambda_csproj(ready_to_run=False), "template.yaml": template})
    code, report, _ = check_json(tmp_path)
    assert code == 0
    (warning,) = report["warnings"]
    assert warning["code"] == "ref-architecture" and warning["path"] == "template.yaml"
    assert "Api, Worker get arm64 through Ref DefaultArch" in warning["message"]
    assert "src/Shop/aws-lambda-tools-defaults.json" in warning["message"]
    make_tree(tmp_path, {"src/Shop/aws-lambda-tools-defaults.json": '{"function-architecture": "arm64"}'})
    assert check_json(tmp_path)[1]["warnings"] == []
    assert check_json(tmp_path, "--parameter", "DefaultArch=x86_64")[1]["warnings"][0]["code"] == "ref-architecture"


def test_fn_if_architecture_exits_2_without_suggesting_a_parameter(tmp_path, make_tree):
    make_tree(tmp_path, {"A.csproj": lambda_csproj(), "serverless.template": sam({
        "F": fn(Architectures={"Fn::If": ["IsArm", ["arm64"], ["x86_64"]]})})})
    code, _, err = check(tmp_path, "--parameter", "IsArm=true")
    assert code == 2
    (line,) = assert_error_lines(err, "serverless.template:", "F.Architectures", "Fn::If", "cannot evaluate")
    assert "IsArm" not in line and "x86_64|arm64" not in line      # no --parameter can resolve an Fn::If


def test_two_architectures_in_one_function_exit_2(tmp_path, make_tree):
    make_tree(tmp_path, {"A.csproj": lambda_csproj(), "serverless.template": sam({
        "F": fn(Architectures=["x86_64", "arm64"])})})
    code, _, err = check(tmp_path)
    assert code == 2
    assert_error_lines(err, "serverless.template:", "function F: F.Architectures lists 2 values")


# -- bad input -------------------------------------------------------------------------------------------------------

def test_missing_path_exits_2(tmp_path):
    code, out, err = check(tmp_path / "nope")
    assert code == 2 and out == ""
    assert_error_lines(err, "nope", "no such file or folder")


def test_no_template_exits_2(tmp_path, make_tree):
    make_tree(tmp_path, {"src/A/A.csproj": lambda_csproj(), "template.json": '{"name": "not cloudformation"}'})
    code, _, err = check(tmp_path)
    assert code == 2
    assert_error_lines(err, "no CloudFormation template found")


@pytest.mark.parametrize("args", [["check"], ["check", ".", "--parameter", "NoEquals"],
                                  ["check", ".", "--format", "xml"]])
def test_usage_errors_exit_2(args):
    code, out, err = run_cli(*args)
    assert code == 2 and out == "" and err.strip()


@pytest.mark.parametrize("name, text, line", [
    ("serverless.template", '{\n  "Resources": {\n    "F": {"Type": "AWS::Serverless::Function",}\n  }\n}\n', 3),
    ("template.yaml", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n   Properties: {}\n", 4),
    ("template.yaml", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Type: AWS::Lambda::Function\n", 4),
    ("serverless.template", '{"Resources": {\n"F": {"Type": "AWS::SNS::Topic"},\n"F": {}}}', 3),
])
def test_unparsable_template_exits_2_with_file_and_line(tmp_path, make_tree, name, text, line):
    make_tree(tmp_path, {name: text})
    code, out, err = check(tmp_path)
    assert code == 2
    assert_error_lines(err, f"{name}:{line}: ")
    code, out, err = check(tmp_path / name, "--format", "json")
    assert code == 2 and json.loads(out)["errors"][0]["line"] == line


def test_codeuri_naming_a_missing_folder_exits_2(tmp_path, make_tree):
    # F and G need two architectures of one build: lambda-split would have to split the missing project.
    make_tree(tmp_path, {"serverless.template": sam({"F": fn(code_uri="src/Gone"),
                                                     "G": fn(code_uri="src/Gone", arch="arm64")})})
    code, _, err = check(tmp_path)
    assert code == 2
    (line,) = assert_error_lines(err, "serverless.template:", "'src/Gone'", "missing folder")


@pytest.mark.parametrize("code_uri, kind", [("src/A/bin/Release/net8.0/publish/", "folder"),
                                             ("artifacts\\F.zip", "archive")])
def test_codeuri_naming_build_output_not_built_yet_is_a_warning(tmp_path, make_tree, code_uri, kind):
    from splitter.commands import check as check_module

    make_tree(tmp_path, {"src/A/A.csproj": lambda_csproj(), "serverless.template": sam({
        "X": fn(code_uri=code_uri, arch="x86_64"), "Y": fn(code_uri=code_uri, arch="arm64")})})
    code, report, _ = check_json(tmp_path)
    assert code == 0 and report["units"][0]["kind"] == kind
    assert [w["code"] for w in report["warnings"]] == ["missing-output"]
    assert '"missing-output"' in check_module.__doc__


def test_folder_with_two_project_files_exits_2(tmp_path, make_tree):
    make_tree(tmp_path, {"src/A/A.csproj": lambda_csproj(), "src/A/B.fsproj": lambda_csproj(),
                         "serverless.template": sam({"F": fn(code_uri="src/A")})})
    code, _, err = check(tmp_path)
    assert code == 2
    assert_error_lines(err, "serverless.template:", "A.csproj", "B.fsproj")


def test_invalid_project_xml_exits_2_with_its_line(tmp_path, make_tree):
    make_tree(tmp_path, {"A.csproj": "<Project>\n  <PropertyGroup>\n</Project>\n",
                         "serverless.template": sam({"F": fn()})})
    code, _, err = check(tmp_path)
    assert code == 2
    assert_error_lines(err, "A.csproj:3: ", "not valid XML")


@pytest.mark.parametrize("target", ["A.csproj", "serverless.template"])
def test_a_bom_followed_by_invalid_utf8_exits_2_naming_the_file(tmp_path, make_tree, target):
    make_tree(tmp_path, {"A.csproj": lambda_csproj(), "serverless.template": sam({"F": fn()})})
    path = tmp_path / target
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes().replace(b"net8.0", b"net\xff8").replace(b"dotnet8", b"\xff"))
    code, _, err = check(tmp_path)
    assert code == 2
    assert_error_lines(err, f"{target}: not valid UTF-8 text")


def test_alias_bomb_template_exits_2_fast(tmp_path, make_tree):
    lines = ["Transform: AWS::Serverless-2016-10-31", "Resources: {}", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        name, previous = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    make_tree(tmp_path, {"template.yaml": "\n".join(lines) + "\n"})
    started = time.perf_counter()
    code, _, err = check(tmp_path)
    assert time.perf_counter() - started < 10.0   # generous: an expanded bomb takes hours, not seconds
    assert code == 2
    assert_error_lines(err, "template.yaml:", "alias")


# -- hostile XML -----------------------------------------------------------------------------------------------------

SECRET = "TOPSECRET-7f3a9c"


def hostile_tree(tmp_path, make_tree, padding: str) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    project = (f'<?xml version="1.0"?>\n{padding}<!DOCTYPE Project [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>\n'
               '<Project Sdk="Microsoft.NET.Sdk">\n  <PropertyGroup>\n'
               "    <RuntimeIdentifier>&leak;</RuntimeIdentifier>\n    <AssemblyName>&leak;</AssemblyName>\n"
               "  </PropertyGroup>\n</Project>\n")
    return make_tree(tmp_path / "sln", {"src/A/A.csproj": project, "serverless.template": sam({
        "X": fn(code_uri="src/A", arch="x86_64"), "Y": fn(code_uri="src/A", arch="arm64")})})


@pytest.mark.parametrize("padding", ["", "<!--" + "x" * 6000 + "-->\n"], ids=["dtd-first", "dtd-after-long-comment"])
@pytest.mark.parametrize("output_format", ["text", "json"])
def test_external_entity_in_a_project_exits_2_and_never_leaks(tmp_path, make_tree, padding, output_format):
    root = hostile_tree(tmp_path, make_tree, padding)
    code, out, err = check(root, "--format", output_format)
    assert code == 2
    assert SECRET not in out and SECRET not in err
    assert_error_lines(err, "A.csproj", "DTD")


def test_external_entity_in_directory_build_props_is_never_read(tmp_path, make_tree):
    # Refused as in a project file (it was skipped, its properties silently dropped), and never resolved.
    root = hostile_tree(tmp_path, make_tree, "")
    props = (root / "src" / "A" / "A.csproj").read_text()
    make_tree(root, {"Directory.Build.props": props, "src/A/A.csproj": lambda_csproj()})
    for output_format in ("text", "json"):
        code, out, err = check(root, "--format", output_format)
        assert SECRET not in out and SECRET not in err
        errors = [line for line in err.splitlines() if line.startswith("lambda-split: error:")]
        assert code == 2 and len(errors) == 1 and "Directory.Build.props" in errors[0] and "DTD" in errors[0], err


# -- JSON schema -----------------------------------------------------------------------------------------------------

def test_json_schema_is_stable(tmp_path, make_tree):
    make_tree(tmp_path, {**MIXED, "src/A/serverless.template": sam({
        "X": fn(arch="x86_64"), "Y": fn(arch="arm64"), "Img": {"Type": "AWS::Serverless::Function",
                                                               "Properties": {"PackageType": "Image"}}})})
    code, report, err = check_json(tmp_path)
    assert code == 1 and err == ""
    assert set(report) == {"schema", "root", "templates", "apps", "hazard", "units", "image_functions", "warnings",
                           "errors", "s3_functions", "function_deployments"}
    assert report["schema"] == "lambda-split/check/v1"
    assert set(report["units"][0]) == {"template", "code_uri", "kind", "project", "functions", "built_as", "failing",
                                       "ready_to_run", "hazard", "source", "deployer", "deployer_evidence",
                                       "deployers", "rule_id"}
    assert set(report["image_functions"][0]) == {"template", "logical_id", "line", "architecture"}


def test_every_warning_code_is_documented_in_the_schema(tmp_path, make_tree):
    from splitter.commands import check as check_module

    template = YAML_MIXED.replace("Parameters:\n", "Parameters:\n  DefaultArch: {Type: String, Default: arm64}\n")
    make_tree(tmp_path, {
        "shop/template.yaml": template.replace("      Architectures:\n        - x86_64\n", ""),
        # not ReadyToRun, where the Ref architecture is a warning (an error with it: test_qa_regressions.py)
        "shop/src/Shop/Shop.csproj": lambda_csproj(rid="linux-x64", ready_to_run=False),
        "other/src/A/A.csproj": lambda_csproj(), "other/prebuilt/bootstrap": "", "other/serverless.template": sam({
            "X": fn(code_uri="./src/A"), "Y": fn(code_uri="src/A/"),
            "P": fn(code_uri="prebuilt", arch="x86_64"), "Q": fn(code_uri="prebuilt", arch="arm64")})})
    code, report, _ = check_json(tmp_path)
    codes = {warning["code"] for warning in report["warnings"]}
    assert code == 0
    assert codes == {"codeuri-spelling", "runtime-identifier", "shared-artifact", "ref-architecture"}
    assert all(f'"{code}"' in check_module.__doc__ for code in codes)


def test_json_errors_carry_path_line_message_and_hint(tmp_path, make_tree):
    make_tree(tmp_path, UNRESOLVED)
    code, report, err = check_json(tmp_path)
    assert code == 2
    (error,) = report["errors"]
    assert error == {"path": "template.yaml", "line": UNRESOLVED_LINE, "message": error["message"],
                     "hint": error["hint"]}
    assert "DefaultArch" in error["hint"] and "Api" in error["message"]
    assert_error_lines(err, f"template.yaml:{UNRESOLVED_LINE}:")


# -- whole-solution fixtures -----------------------------------------------------------------------------------------

FIXTURE_FAILING = {
    "mixed-json": ["ResizeImageFunction", "ProcessQueueFunction"],
    "shared-handler-yaml": ["HelloArm64", "AddFunction", "FibonacciFunction"],
    "windows-crlf": ["ReceiptFunction", "RefundFunction"],
    "multi-template": ["WebhookFunction"],
    "crosscutting-tests": ["RestockFunction", "StockReportFunction"],
    "single-arch": [],
}


def fixture_case(case: str) -> Path:
    return fixture_copy(case)


@pytest.mark.parametrize("case", sorted(FIXTURE_FAILING))
def test_fixture_check_reports_exactly_the_failing_functions(case):
    code, report, err = check_json(fixture_case(case))
    expected = FIXTURE_FAILING[case]
    assert code == (1 if expected else 0), err
    assert report["errors"] == []
    assert [name for unit in report["units"] for name in unit["failing"]] == expected
    for unit in report["units"]:
        assert unit["hazard"] == bool(unit["failing"])
        if unit["hazard"]:
            assert set(unit["functions"]) == {"x86_64", "arm64"}
            assert unit["failing"] == unit["functions"]["arm64" if unit["built_as"] == "x86_64" else "x86_64"]


@pytest.mark.parametrize("case", sorted(FIXTURE_FAILING))
def test_fixture_text_names_every_mixed_function(case):
    code, out, _ = check(fixture_case(case))
    _, report, _ = check_json(fixture_case(case))
    for unit in report["units"]:
        if unit["hazard"]:
            for names in unit["functions"].values():
                assert all(name in out for name in names)


ALL_FIXTURES = sorted(path.parent.name for path in FIXTURES.glob("*/before"))
MIGRATED_FIXTURES = sorted(path.parent.name for path in FIXTURES.glob("*/after"))


@pytest.mark.parametrize("case", ALL_FIXTURES)
def test_every_fixture_loads_without_errors(case):
    code, report, err = check_json(fixture_copy(case))
    assert code in (0, 1) and report["errors"] == [] and err == ""
    assert report["hazard"] == (code == 1) == any(unit["hazard"] for unit in report["units"])


@pytest.mark.parametrize("case", MIGRATED_FIXTURES)
def test_every_migrated_fixture_has_no_hazard_and_keeps_every_function(case):
    _, before, _ = check_json(fixture_copy(case))
    code, after, err = check_json(fixture_copy(case, "after"))
    assert code == 0 and after["errors"] == [], err
    functions = (lambda report: sorted(name for unit in report["units"] for names in unit["functions"].values()
                                       for name in names))
    assert functions(after) == functions(before)


# -- pre-commit hook -------------------------------------------------------------------------------------------------

def load_hooks() -> list[dict]:
    return YAML(typ="safe").load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())


def test_pre_commit_hook_runs_check_on_the_repository():
    (hook,) = load_hooks()
    assert hook["id"] == "lambda-split-check" and hook["language"] == "python"
    assert hook["entry"] == "lambda-split check" and hook["pass_filenames"] is False
    assert "lambda-split = \"splitter.cli:main\"" in (REPO_ROOT / "pyproject.toml").read_text()
    files = re.compile(hook["files"])
    for path in ("serverless.template", "infra/template.yaml", "a/template.yml", "template.json",
                 "src/A/A.csproj", "src/B/B.fsproj", "src/A/aws-lambda-tools-defaults.json", "Directory.Build.props"):
        assert files.search(path), path
    for path in ("src/A/Function.cs", "README.md", "mytemplate.yaml"):
        assert not files.search(path), path


def test_pre_commit_hook_command_fails_on_a_mixed_solution(tmp_path, make_tree, monkeypatch):
    (hook,) = load_hooks()
    make_tree(tmp_path, MIXED)
    monkeypatch.chdir(tmp_path)
    command = hook["entry"].split()[1:] + hook.get("args", [])
    assert run_cli(*command)[0] == 1
    (tmp_path / "src" / "A" / "serverless.template").write_text(sam({"X": fn(arch="arm64")}))
    assert run_cli(*command)[0] == 0
