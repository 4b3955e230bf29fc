"""Who deploys each template (graph/deployers.py), and what it changes: a unit is a hazard only where its deployer
builds it once for two architectures (Amazon.Lambda.Tools, CDK, serverless.yml), never where SAM CLI builds it.
A CodeUri naming a missing folder stops lambda-split only where the unit would have to be split."""

from __future__ import annotations

import json

import pytest

from support import run_cli
from invariants import copy_tree, read_tree
from splitter.graph.deployers import read_samconfig

CSPROJ = ('<Project Sdk="Microsoft.NET.Sdk">\n  <PropertyGroup>\n    <TargetFramework>net8.0</TargetFramework>\n'
          '    <AWSProjectType>Lambda</AWSProjectType>\n    <PublishReadyToRun>true</PublishReadyToRun>\n'
          '  </PropertyGroup>\n</Project>\n')
HANDLER_CS = ("namespace A\n{\n    public class F\n    {\n        public string H(string input) { return input; }\n"
              "    }\n}\n")


def template(code_uri: str = "src/A", archs=("x86_64", "arm64"), fmt: str = "yaml") -> str:
    resources = {f"Fn{i}": {"Type": "AWS::Serverless::Function",
                            "Properties": {"CodeUri": code_uri, "Handler": "A::A.F::H", "Runtime": "dotnet8",
                                           "Architectures": [arch]}}
                 for i, arch in enumerate(archs)}
    document = {"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31",
                "Resources": resources}
    return json.dumps(document, indent=2) + "\n"   # JSON is YAML too


def project(**more: str) -> dict[str, str]:
    return {"src/A/A.csproj": CSPROJ, "src/A/F.cs": HANDLER_CS, **more}


SAMCONFIG_BUILD = 'version = 0.1\n\n[default.build.parameters]\ntemplate_file = "template.yaml"\ncached = true\n'
SAMCONFIG_DEPLOY_ONLY = 'version = 0.1\n\n[default.deploy.parameters]\nstack_name = "a"\nresolve_s3 = true\n'


def check_json(path, *args) -> tuple[int, dict, str]:
    code, out, err = run_cli("check", str(path), "--format", "json", *args)
    return code, json.loads(out), err


def only_unit(report: dict) -> dict:
    (unit,) = report["units"]
    return unit


# -- Amazon.Lambda.Tools -----------------------------------------------------------------------------------------------

def test_a_template_named_by_a_defaults_file_is_deployed_by_lambda_tools(tmp_path, make_tree):
    make_tree(tmp_path, project(**{"stack.template": template(),
                                   "aws-lambda-tools-defaults.json": '{"template": "stack.template"}\n'}))
    code, report, err = check_json(tmp_path)
    assert code == 1, err
    unit = only_unit(report)
    assert unit["hazard"] is True and unit["deployer"] == "dotnet-lambda"
    assert unit["deployer_evidence"] == 'aws-lambda-tools-defaults.json "template": "stack.template"'


def test_serverless_template_beside_a_defaults_file_naming_none_is_lambda_tools(tmp_path, make_tree):
    make_tree(tmp_path, project(**{"serverless.template": template(),
                                   "aws-lambda-tools-defaults.json": '{"region": "us-east-1"}\n'}))
    code, report, _ = check_json(tmp_path)
    unit = only_unit(report)
    assert code == 1 and unit["deployer"] == "dotnet-lambda"
    assert unit["deployer_evidence"].startswith("aws-lambda-tools-defaults.json names no template")
    assert "serverless.template" in unit["deployer_evidence"]


# -- SAM CLI -----------------------------------------------------------------------------------------------------------

def test_samconfig_toml_template_file_in_default_build_makes_it_sam_built(tmp_path, make_tree):
    make_tree(tmp_path, project(**{"template.yaml": template(), "samconfig.toml": SAMCONFIG_BUILD}))
    code, report, err = check_json(tmp_path)
    assert code == 0 and report["hazard"] is False, err
    unit = only_unit(report)
    assert unit["deployer"] == "sam" and unit["hazard"] is False and unit["failing"] == []
    assert unit["deployer_evidence"] == "samconfig.toml [default.build.parameters] template_file = template.yaml"
    assert set(unit["functions"]) == {"x86_64", "arm64"}


def test_text_notes_why_a_sam_built_mixed_unit_is_no_hazard(tmp_path, make_tree):
    make_tree(tmp_path, project(**{"template.yaml": template(), "samconfig.toml": SAMCONFIG_BUILD}))
    code, out, err = run_cli("check", str(tmp_path))
    assert code == 0 and err == ""
    (note,) = [line for line in out.splitlines() if line.startswith("note:")]
    assert "SAM CLI" in note and "once per architecture" in note and "no hazard" in note
    assert "samconfig.toml [default.build.parameters] template_file = template.yaml" in note


def test_samconfig_names_a_template_in_another_environment(tmp_path, make_tree):
    config = 'version = 0.1\n\n[prod.deploy.parameters]\ntemplate_file = "infra/template.yaml"\nstack_name = "a"\n'
    make_tree(tmp_path, project(**{"infra/template.yaml": template(code_uri="../src/A"), "samconfig.toml": config}))
    code, report, err = check_json(tmp_path)
    assert code == 0, err
    unit = only_unit(report)
    assert unit["deployer"] == "sam"
    assert unit["deployer_evidence"] == "samconfig.toml [prod.deploy.parameters] template_file = infra/template.yaml"


def test_samconfig_template_key_in_global_parameters(tmp_path, make_tree):
    config = 'version = 0.1\n\n[default.global.parameters]\ntemplate = "infra/template.yaml"\n'
    make_tree(tmp_path, project(**{"infra/template.yaml": template(code_uri="../src/A"), "samconfig.toml": config}))
    code, report, _ = check_json(tmp_path)
    assert code == 0
    assert only_unit(report)["deployer_evidence"] == \
        "samconfig.toml [default.global.parameters] template = infra/template.yaml"


@pytest.mark.parametrize("name", ["samconfig.yaml", "samconfig.yml"])
def test_samconfig_yaml_names_the_template(tmp_path, make_tree, name):
    config = "version: 0.1\ndefault:\n  build:\n    parameters:\n      template_file: template.yaml\n" \
             "  deploy:\n    parameters:\n      stack_name: a\n"
    make_tree(tmp_path, project(**{"template.yaml": template(), name: config}))
    code, report, err = check_json(tmp_path)
    assert code == 0, err
    assert only_unit(report)["deployer_evidence"] == f"{name} [default.build.parameters] template_file = template.yaml"


@pytest.mark.parametrize("name", ["template.yaml", "template.yml", "template.json"])
def test_a_template_beside_a_samconfig_naming_none_is_sam_built(tmp_path, make_tree, name):
    make_tree(tmp_path, project(**{name: template(), "samconfig.toml": SAMCONFIG_DEPLOY_ONLY}))
    code, report, err = check_json(tmp_path)
    assert code == 0, err
    unit = only_unit(report)
    assert unit["deployer"] == "sam"
    assert unit["deployer_evidence"] == f"samconfig.toml names no template_file: sam uses {name} beside it"


def test_a_samconfig_naming_another_template_does_not_claim_the_one_beside_it(tmp_path, make_tree):
    config = 'version = 0.1\n[default.build.parameters]\ntemplate_file = "other/template.yaml"\n'
    make_tree(tmp_path, project(**{"template.yaml": template(), "samconfig.toml": config}))
    code, report, _ = check_json(tmp_path)
    assert code == 1 and only_unit(report)["deployer"] == "dotnet-lambda"


def test_an_unreadable_samconfig_names_nothing(tmp_path, make_tree):
    make_tree(tmp_path, project(**{"template.yaml": template(), "samconfig.toml": "[default.build.parameters\n"}))
    assert read_samconfig(tmp_path / "samconfig.toml") is None
    code, report, _ = check_json(tmp_path)
    assert code == 1 and only_unit(report)["deployer_evidence"].startswith("assumed")


# -- several deployers, none, and --deployer ---------------------------------------------------------------------------

def test_a_template_named_by_a_defaults_file_and_a_samconfig_is_a_hazard(tmp_path, make_tree):
    make_tree(tmp_path, project(**{"template.yaml": template(), "samconfig.toml": SAMCONFIG_BUILD,
                                   "aws-lambda-tools-defaults.json": '{"template": "template.yaml"}\n'}))
    code, report, _ = check_json(tmp_path)
    unit = only_unit(report)
    assert code == 1 and unit["hazard"] is True and unit["deployer"] == "dotnet-lambda"
    assert sorted(d["deployer"] for d in unit["deployers"]) == ["dotnet-lambda", "sam"]
    assert unit["failing"] == ["Fn1"]


def test_a_template_nobody_names_is_assumed_lambda_tools_and_the_note_says_sam_would_be_safe(tmp_path, make_tree):
    make_tree(tmp_path, project(**{"template.yaml": template()}))
    code, report, _ = check_json(tmp_path)
    unit = only_unit(report)
    assert code == 1 and unit["hazard"] is True and unit["deployer"] == "dotnet-lambda"
    assert unit["deployer_evidence"].startswith("assumed: no aws-lambda-tools-defaults.json or samconfig")
    code, out, _ = run_cli("check", str(tmp_path))
    assert code == 1
    (note,) = [line for line in out.splitlines() if line.startswith("note:")]
    assert "`sam build`" in note and "would be safe" in note and "--deployer sam" in note
    assert "  deployer: dotnet-lambda (assumed" in out


def test_deployer_sam_overrides_the_conservative_guess(tmp_path, make_tree):
    make_tree(tmp_path, project(**{"template.yaml": template()}))
    code, report, _ = check_json(tmp_path, "--deployer", "sam")
    unit = only_unit(report)
    assert code == 0 and unit["hazard"] is False
    assert unit["deployer"] == "sam" and unit["deployer_evidence"] == "--deployer sam"


def test_deployer_dotnet_lambda_overrides_a_samconfig(tmp_path, make_tree):
    make_tree(tmp_path, project(**{"template.yaml": template(), "samconfig.toml": SAMCONFIG_BUILD}))
    code, report, _ = check_json(tmp_path, "--deployer", "dotnet-lambda")
    unit = only_unit(report)
    assert code == 1 and unit["hazard"] is True and unit["deployer_evidence"] == "--deployer dotnet-lambda"
    code, out, _ = run_cli("check", str(tmp_path), "--deployer", "dotnet-lambda")
    assert code == 1 and "--deployer dotnet-lambda` to preview the fix" in out


def test_an_unknown_deployer_is_a_usage_error(tmp_path, make_tree):
    make_tree(tmp_path, project(**{"template.yaml": template()}))
    code, _, err = run_cli("check", str(tmp_path), "--deployer", "terraform")
    assert code == 2 and "terraform" in err


def test_the_annotations_generator_is_listed_but_does_not_decide(tmp_path, make_tree):
    csproj = CSPROJ.replace("</Project>", '  <ItemGroup>\n    <PackageReference Include="Amazon.Lambda.Annotations" '
                                          'Version="1.7.0" />\n  </ItemGroup>\n</Project>')
    make_tree(tmp_path, {"src/A/A.csproj": csproj, "src/A/F.cs": HANDLER_CS,
                         "src/A/serverless.template": template(code_uri=".")})
    code, report, _ = check_json(tmp_path)
    unit = only_unit(report)
    assert code == 1 and unit["deployer"] == "dotnet-lambda"
    assert [d["deployer"] for d in unit["deployers"]] == ["annotations", "dotnet-lambda"]
    assert unit["deployers"][0]["evidence"] == "src/A/A.csproj references Amazon.Lambda.Annotations, whose " \
                                               "generator syncs serverless.template"


# -- migrate -----------------------------------------------------------------------------------------------------------

def test_migrate_leaves_a_sam_built_project_alone_and_says_why(tmp_path, make_tree):
    make_tree(tmp_path / "src", project(**{"template.yaml": template(), "samconfig.toml": SAMCONFIG_BUILD}))
    work = copy_tree(tmp_path / "src", tmp_path / "work")
    before = read_tree(work)
    code, out, err = run_cli("migrate", str(work))
    assert code == 0, err
    assert "Nothing to do" in err and "SAM CLI" in err and "once per architecture" in err
    assert read_tree(work) == before


def test_migrate_deployer_overrides_both_ways(tmp_path, make_tree):
    make_tree(tmp_path / "sam", project(**{"template.yaml": template(), "samconfig.toml": SAMCONFIG_BUILD}))
    code, out, err = run_cli("migrate", "--dry-run", str(tmp_path / "sam"), "--deployer", "dotnet-lambda")
    assert code == 0 and "Split src/A/A.csproj" in err.replace(str(tmp_path / "sam") + "/", "")
    assert "+++ b/template.yaml" in out
    make_tree(tmp_path / "assumed", project(**{"template.yaml": template()}))
    code, out, err = run_cli("migrate", "--dry-run", str(tmp_path / "assumed"), "--deployer", "sam")
    assert code == 0 and out == "" and "Nothing to do" in err and "--deployer sam" in err


# -- a CodeUri naming a missing folder ---------------------------------------------------------------------------------

def test_a_missing_folder_of_one_architecture_is_a_warning_and_check_goes_on(tmp_path, make_tree):
    resources = json.loads(template())
    resources["Resources"]["Gone"] = {"Type": "AWS::Serverless::Function", "Properties": {
        "CodeUri": "src/Gone", "Handler": "Gone::Gone.F::H", "Runtime": "dotnet8", "Architectures": ["arm64"]}}
    make_tree(tmp_path, project(**{"template.yaml": json.dumps(resources, indent=2)}))
    code, report, err = check_json(tmp_path)
    assert code == 1 and report["errors"] == [] and err == ""      # the real hazard is still found
    (warning,) = [w for w in report["warnings"] if w["code"] == "missing-codeuri"]
    assert "'src/Gone'" in warning["message"] and warning["path"] == "template.yaml" and warning["line"]
    assert [u["code_uri"] for u in report["units"]] == ["src/A"]


def test_a_missing_folder_whose_functions_share_one_architecture_is_a_warning(tmp_path, make_tree):
    make_tree(tmp_path, {"template.yaml": template(code_uri="src/Gone", archs=("arm64", "arm64"))})
    code, report, err = check_json(tmp_path)
    assert code == 0 and report["errors"] == [], err
    assert [w["code"] for w in report["warnings"]] == ["missing-codeuri"]


def test_a_missing_folder_a_sam_build_would_build_per_architecture_is_a_warning(tmp_path, make_tree):
    make_tree(tmp_path, {"template.yaml": template(code_uri="src/Gone"), "samconfig.toml": SAMCONFIG_BUILD})
    code, report, err = check_json(tmp_path)
    assert code == 0 and report["errors"] == [], err
    (warning,) = report["warnings"]
    assert warning["code"] == "missing-codeuri" and "SAM CLI" in warning["message"]


def test_a_missing_folder_that_would_have_to_be_split_is_an_error(tmp_path, make_tree):
    make_tree(tmp_path, {"template.yaml": template(code_uri="src/Gone")})
    code, report, err = check_json(tmp_path)
    assert code == 2
    (error,) = report["errors"]
    assert "'src/Gone'" in error["message"] and "missing folder" in error["message"]
    assert error["path"] == "template.yaml" and error["line"]
    code, _, err = run_cli("migrate", "--dry-run", str(tmp_path))
    assert code == 2 and "missing folder" in err
