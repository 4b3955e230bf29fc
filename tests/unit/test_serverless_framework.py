"""Serverless Framework services in `check` and `migrate`: a function's architecture is its own, else
`provider.architecture`, else x86_64; its build is the `package.artifact` zip it deploys (its own, else the
service's); migrate gives each function its own artifact path and handler by splicing serverless.yml."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pytest

from builders import LAMBDA, csproj
from invariants import copy_tree, git_run, read_tree
from splitter.graph.analyze import analyze
from splitter.discover import discover
from splitter.model.yaml_events import parse_yaml
from support import FIXTURES, fixture_copy, run_cli, write_tree

CSPROJ = csproj(LAMBDA)
HANDLERS = "namespace App\n{\n" + "".join(
    f"    public class {name} {{ public string Run(string s) {{ return s; }} }}\n" for name in "ABCD") + "}\n"
ZIP = "src/App/bin/Release/net8.0/app.zip"


def service(tmp_path: Path, yml: str, newline: str = "\n") -> Path:
    write_tree(tmp_path, {"serverless.yml": yml.replace("\n", newline), "src/App/App.csproj": CSPROJ,
                          "src/App/Handlers.cs": HANDLERS})
    return tmp_path


def functions(root: Path) -> dict[str, tuple[str | None, str | None, str | None]]:
    analysis = analyze(discover(root))
    assert not analysis.errors, [str(e) for e in analysis.errors]
    return {f.logical_id: (f.architecture, f.code_uri, f.handler) for d in analysis.apps for f in d.functions}


def check_json(root: Path) -> tuple[int, dict]:
    code, out, _ = run_cli("check", root, "--format", "json")
    return code, json.loads(out)


def migrate(root: Path, *args: str) -> tuple[int, str, str]:
    git_run(root, "init", "-q")
    git_run(root, "add", "-A")
    git_run(root, "commit", "-qm", "before")
    return run_cli("migrate", root, *args)


# -- check ------------------------------------------------------------------------------------------------------------

def test_architecture_comes_from_the_function_then_the_provider_then_x86_64(tmp_path):
    service(tmp_path, f"""service: s
provider:
  name: aws
  runtime: dotnet8
  architecture: arm64
package:
  artifact: {ZIP}
functions:
  inherits:
    handler: App::App.A::Run
  overrides:
    handler: App::App.B::Run
    architecture: x86_64
""")
    assert functions(tmp_path) == {"inherits": ("arm64", ZIP, "App::App.A::Run"),
                                   "overrides": ("x86_64", ZIP, "App::App.B::Run")}
    (tmp_path / "serverless.yml").write_text(f"service: s\nprovider: {{name: aws, runtime: dotnet8}}\n"
                                             f"functions:\n  plain: {{handler: App::App.A::Run, "
                                             f"package: {{artifact: {ZIP}}}}}\n")
    assert functions(tmp_path) == {"plain": ("x86_64", ZIP, "App::App.A::Run")}


def test_a_shared_artifact_is_one_build_however_it_is_spelled(tmp_path):
    service(tmp_path, f"""service: s
custom:
  zip: {ZIP}
provider:
  name: aws
  runtime: dotnet8
functions:
  viaSelf:
    handler: App::App.A::Run
    package:
      artifact: ${{self:custom.zip}}
  dotted:
    handler: App::App.B::Run
    architecture: arm64
    package:
      artifact: ./{ZIP}
""")
    code, report = check_json(tmp_path)
    assert code == 1
    (unit,) = report["units"]
    assert unit["source"] == "serverless" and unit["hazard"] and unit["project"] == "src/App/App.csproj"
    assert unit["functions"] == {"x86_64": ["viaSelf"], "arm64": ["dotted"]}


def test_fixture_check_names_the_hazard_and_the_function_it_cannot_decide():
    code, out, _ = run_cli("check", fixture_copy("serverless-framework"))
    assert code == 1
    assert "the artifact 'src/Inventory/bin/Release/net8.0/inventory.zip' is one build of" in out
    assert re.search(r"x86_64\s+restock \(.*serverless\.yml:26\)", out)
    assert re.search(r"arm64\s+stockLevel \(.*serverless\.yml:21\), audit \(.*serverless\.yml:34\)", out)
    assert re.search(r"serverless\.yml:42:1: warning\[LS106\]: cannot decide function report: its architecture uses "
                     r"\$\{opt:report-arch, 'x86_64'\}, which is known only when `serverless` runs", out)
    assert "health" not in out


@pytest.mark.parametrize("artifact", ["s3://bucket/app.zip", "https://bucket.s3.amazonaws.com/app.zip"])
def test_an_artifact_already_uploaded_is_not_a_build(tmp_path, artifact):
    service(tmp_path, f"""service: s
provider: {{name: aws, runtime: dotnet8}}
functions:
  a: {{handler: App::App.A::Run, package: {{artifact: "{artifact}"}}}}
  b: {{handler: App::App.B::Run, architecture: arm64, package: {{artifact: "{artifact}"}}}}
""")
    code, report = check_json(tmp_path)
    assert code == 0 and report["units"] == []


def test_functions_of_other_runtimes_are_ignored(tmp_path):
    service(tmp_path, f"""service: s
provider: {{name: aws, runtime: nodejs20.x}}
package: {{artifact: {ZIP}}}
functions:
  node: {{handler: index.handler}}
  dotnet: {{handler: App::App.A::Run, runtime: dotnet8, architecture: arm64}}
""")
    assert functions(tmp_path) == {"dotnet": ("arm64", ZIP, "App::App.A::Run")}


def test_an_unknown_architecture_value_is_reported_not_guessed(tmp_path):
    service(tmp_path, f"""service: s
provider: {{name: aws, runtime: dotnet8, architecture: aarch64}}
package: {{artifact: {ZIP}}}
functions:
  a: {{handler: App::App.A::Run}}
""")
    code, report = check_json(tmp_path)
    (warning,) = report["warnings"]
    assert code == 0 and warning["code"] == "cannot-decide" and warning["line"] == 5
    assert "provider.architecture is 'aarch64'; Lambda knows only x86_64 and arm64" in warning["message"]


def test_serverless_yml_given_as_the_path_is_checked():
    code, report = check_json(fixture_copy("serverless-framework") / "serverless.yml")
    assert code == 1 and report["apps"] == [{"path": "serverless.yml", "source": "serverless",
                                             "app": "serverless.yml"}]


def test_a_yaml_error_is_one_error_line(tmp_path):
    service(tmp_path, "service: s\nfunctions:\n  a: [\n")
    code, _, err = run_cli("check", tmp_path)
    assert code == 2 and re.fullmatch(r"lambda-split: error: .*serverless\.yml:\d+: not valid YAML: .*\n", err), err


# -- migrate ----------------------------------------------------------------------------------------------------------

def test_fixture_migration_changes_only_handler_and_artifact_lines(tmp_path):
    work = copy_tree(FIXTURES / "serverless-framework" / "before", tmp_path / "work")
    before = (work / "serverless.yml").read_text()
    code, _, err = run_cli("migrate", work)
    assert code == 0, err
    after = (work / "serverless.yml").read_text()
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    removed = [line[2:] for line in diff if line.startswith("- ")]
    added = [line[2:] for line in diff if line.startswith("+ ")]
    assert removed == ["    handler: Inventory::Inventory.StockLevelHandler::FunctionHandler",
                       "    handler: Inventory::Inventory.RestockHandler::FunctionHandler",
                       '    handler: "Inventory::Inventory.AuditHandler::FunctionHandler"',
                       "      artifact: src/Inventory/bin/Release/net8.0/inventory.zip"]
    assert added == ["    handler: Inventory.Arm64::Inventory.StockLevelHandler::FunctionHandler",
                     "    package:",
                     "      artifact: src/Inventory.Arm64/bin/Release/net8.0/inventory.zip",
                     "    handler: Inventory.X64::Inventory.RestockHandler::FunctionHandler",
                     "    package:",
                     "      artifact: src/Inventory.X64/bin/Release/net8.0/inventory.zip",
                     '    handler: "Inventory.Arm64::Inventory.AuditHandler::FunctionHandler"',
                     "      artifact: src/Inventory.Arm64/bin/Release/net8.0/inventory.zip"]
    migrated = parse_yaml(after, "serverless.yml").plain()
    assert migrated["package"] == {"artifact": "${self:custom.artifact}"}      # the service's own stays
    assert migrated["functions"]["report"] == parse_yaml(before, "x").plain()["functions"]["report"]


def test_inserted_artifacts_follow_the_file_indentation_style_and_line_endings(tmp_path):
    service(tmp_path, f"""service: s   # four-space file, CRLF
provider:
    name: aws
    runtime: dotnet8
package:
    artifact: {ZIP}
functions:
    blockNoPackage:
        handler: App::App.A::Run
        timeout: 30
    blockWithPackage:
        handler: App::App.B::Run
        architecture: arm64
        package:
            patterns: ['!**/*.pdb']
    flow: {{handler: App::App.C::Run, architecture: arm64}}
""", newline="\r\n")
    code, _, err = migrate(tmp_path)
    assert code == 0, err
    raw = (tmp_path / "serverless.yml").read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n")
    text = raw.decode()
    assert ("        handler: App.X64::App.A::Run\r\n        package:\r\n"
            "            artifact: src/App.X64/bin/Release/net8.0/app.zip\r\n        timeout: 30\r\n") in text
    assert ("        package:\r\n            artifact: src/App.Arm64/bin/Release/net8.0/app.zip\r\n"
            "            patterns: ['!**/*.pdb']\r\n") in text
    assert ("    flow: {handler: App.Arm64::App.C::Run, architecture: arm64, package: "
            "{artifact: src/App.Arm64/bin/Release/net8.0/app.zip}}\r\n") in text
    assert functions(tmp_path)["flow"] == ("arm64", "src/App.Arm64/bin/Release/net8.0/app.zip",
                                           "App.Arm64::App.C::Run")
    code, out, _ = run_cli("check", tmp_path)
    assert code == 0 and out.startswith("No hazard: 2 build units (3 functions) in 1 app file")


def test_an_artifact_named_through_a_shared_variable_is_written_out(tmp_path):
    service(tmp_path, f"""service: s
custom:
  zip: {ZIP}
provider: {{name: aws, runtime: dotnet8}}
functions:
  a:
    handler: App::App.A::Run
    package: {{artifact: '${{self:custom.zip}}'}}
  b:
    handler: App::App.B::Run
    architecture: arm64
    package: {{artifact: "${{self:custom.zip}}"}}
""")
    code, _, err = migrate(tmp_path)
    assert code == 0, err
    text = (tmp_path / "serverless.yml").read_text()
    assert "package: {artifact: 'src/App.X64/bin/Release/net8.0/app.zip'}" in text
    assert 'package: {artifact: "src/App.Arm64/bin/Release/net8.0/app.zip"}' in text
    assert f"  zip: {ZIP}\n" in text


def test_project_beside_serverless_yml_splits_into_subfolders(tmp_path):
    """The aws-csharp template's layout: the project, serverless.yml and the artifact's bin/ in one folder."""
    write_tree(tmp_path, {"serverless.yml": """service: hello
provider:
  name: aws
  runtime: dotnet8
package:
  individually: true
functions:
  hello:
    handler: App::App.A::Run
    package:
      artifact: bin/Release/net8.0/hello.zip
  world:
    handler: App::App.B::Run
    architecture: arm64
    package:
      artifact: bin/Release/net8.0/hello.zip
""", "App.csproj": CSPROJ, "Handlers.cs": HANDLERS})
    code, _, err = migrate(tmp_path)
    assert code == 0, err
    assert functions(tmp_path) == {"hello": ("x86_64", "App.X64/bin/Release/net8.0/hello.zip", "App.X64::App.A::Run"),
                                   "world": ("arm64", "App.Arm64/bin/Release/net8.0/hello.zip",
                                             "App.Arm64::App.B::Run")}
    tree = read_tree(tmp_path)
    code, _, err = run_cli("migrate", tmp_path, "--allow-dirty")
    assert code == 0 and "Nothing to do" in err and read_tree(tmp_path) == tree


def test_an_undecided_function_on_the_project_stops_migrate(tmp_path):
    service(tmp_path, f"""service: s
provider: {{name: aws, runtime: dotnet8}}
package: {{artifact: {ZIP}}}
functions:
  a: {{handler: App::App.A::Run}}
  b: {{handler: App::App.B::Run, architecture: arm64}}
  c: {{handler: App::App.C::Run, architecture: '${{opt:arch}}'}}
""")
    code, _, err = migrate(tmp_path)
    assert code == 2 and "serverless.yml:7: cannot split App: function c builds from it too" in err
    assert not (tmp_path / "src" / "App.X64").exists()
