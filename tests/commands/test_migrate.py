"""`migrate` behaviour beyond the whole-fixture comparisons: options, layouts, safety rails, output formats."""

from __future__ import annotations

import json
from pathlib import Path


from builders import LAMBDA, csproj
from invariants import (assert_architectures_kept, assert_handlers_resolve, assert_one_architecture_per_build,
                        copy_tree, git_run, read_tree)
from support import FIXTURES, run_cli


CSPROJ = csproj(LAMBDA, {"Amazon.Lambda.Core": "2.5.0"})

HANDLERS = {
    "Up.cs": "using System;\n\nnamespace App\n{\n    public class Up\n    {\n"
             "        public string Handle(string input) { return input.ToUpperInvariant(); }\n    }\n}\n",
    "Down.cs": "using System;\n\nnamespace App\n{\n    public class Down\n    {\n"
               "        public string Handle(string input) { return input.ToLowerInvariant(); }\n    }\n}\n",
}

JSON_TEMPLATE = """{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Transform": "AWS::Serverless-2016-10-31",
  "Resources": {
    "UpFunction": {
      "Type": "AWS::Serverless::Function",
      "Properties": {
        "Handler": "App::App.Up::Handle",
        "Runtime": "dotnet8",
        "CodeUri": "%(uri)s"
      }
    },
    "DownFunction": {
      "Type": "AWS::Serverless::Function",
      "Properties": {
        "Handler": "App::App.Down::Handle",
        "Runtime": "dotnet8",
        "CodeUri": "%(uri)s",
        "Architectures": ["arm64"]
      }
    }
  }
}
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    return root


def project_at_root(tmp_path: Path) -> Path:
    """The whole app in one folder: csproj, template and code at the repository root."""
    root = write(tmp_path / "repo", {"App.csproj": CSPROJ, "serverless.template": JSON_TEMPLATE % {"uri": "."},
                                     **HANDLERS})
    git_run(root, "init", "-q")
    git_run(root, "add", "-A")
    git_run(root, "commit", "-qm", "init")
    return root


def test_project_at_repository_root_gets_subfolders_excluded_from_its_globs(tmp_path):
    root = project_at_root(tmp_path)
    before = tmp_path / "before"
    copy_tree(root, before, git=False)
    code, _, err = run_cli("migrate", root)
    assert code == 0, err
    assert (root / "App.X64" / "App.X64.csproj").is_file()
    assert (root / "App.Arm64" / "Down.cs").is_file()
    library = (root / "App.csproj").read_text()
    assert "<DefaultItemExcludes>$(DefaultItemExcludes);App.X64/**;App.Arm64/**</DefaultItemExcludes>" in library
    assert '"CodeUri": "App.Arm64"' in (root / "serverless.template").read_text()
    assert_architectures_kept(before, root)
    assert_one_architecture_per_build(root)
    assert_handlers_resolve(root)


def test_project_at_root_compiles_after_the_split(tmp_path):
    from dotnet_compile import assert_compiles, require_mcs
    require_mcs()
    root = project_at_root(tmp_path)
    code, _, err = run_cli("migrate", root)
    assert code == 0, err
    assert_compiles(root)


def test_names_can_be_chosen(tmp_path):
    root = project_at_root(tmp_path)
    code, _, err = run_cli("migrate", root, "--x64-name", "App.Intel", "--arm64-name", "App.Graviton")
    assert code == 0, err
    assert (root / "App.Intel" / "App.Intel.csproj").is_file()
    assert (root / "App.Graviton" / "App.Graviton.csproj").is_file()
    template = (root / "serverless.template").read_text()
    assert '"Handler": "App.Graviton::App.Down::Handle"' in template


def test_same_name_for_both_projects_is_refused(tmp_path):
    root = project_at_root(tmp_path)
    snapshot = read_tree(root)
    code, _, err = run_cli("migrate", root, "--x64-name", "Same", "--arm64-name", "Same")
    assert code == 2
    assert "different" in err and err.count("\n") == 1
    assert read_tree(root) == snapshot


def test_uncommitted_changes_in_a_file_to_touch_are_refused_unless_allowed(tmp_path):
    root = project_at_root(tmp_path)
    (root / "Up.cs").write_text(HANDLERS["Up.cs"] + "// work in progress\n")
    snapshot = read_tree(root)
    code, _, err = run_cli("migrate", root)
    assert code == 2
    assert "uncommitted" in err and "--allow-dirty" in err
    assert read_tree(root) == snapshot
    code, _, err = run_cli("migrate", root, "--allow-dirty")
    assert code == 0, err
    assert "// work in progress" in (root / "App.X64" / "Up.cs").read_text()


def test_dry_run_json_prints_the_plan_and_writes_nothing(tmp_path):
    root = project_at_root(tmp_path)
    snapshot = read_tree(root)
    code, out, err = run_cli("migrate", "--dry-run", "--format", "json", root)
    assert code == 0, err
    plan = json.loads(out)
    assert plan["schema"] == "lambda-split/migrate/v1"
    (project,) = plan["projects"]
    assert project["library"] == "App.csproj"
    by_arch = {fp["architecture"]: fp for fp in project["function_projects"]}
    assert by_arch["x86_64"]["functions"] == ["UpFunction"]
    assert by_arch["arm64"]["moved_types"] == ["App.Down"]
    assert {c["status"] for c in plan["changes"]} == {"create", "modify", "move"}
    assert read_tree(root) == snapshot


def test_patch_is_colored_only_when_asked_or_on_a_terminal(tmp_path):
    root = project_at_root(tmp_path)
    code, plain, _ = run_cli("migrate", "--dry-run", root)
    assert code == 0 and "\x1b[" not in plain and plain.startswith("diff --git ")
    code, colored, _ = run_cli("migrate", "--dry-run", "--color", root)
    assert code == 0 and "\x1b[32m+" in colored


def test_summary_says_what_moved_what_stayed_and_how_to_deploy(tmp_path):
    work = copy_tree(FIXTURES / "shared-handler-yaml" / "before", tmp_path / "w")
    code, _, err = run_cli("migrate", "--dry-run", work)
    assert code == 0
    assert "Benchmarks.Fibonacci moves to Benchmarks.Arm64" in err
    assert "Benchmarks.Hello stays in Benchmarks: functions of both architectures use it" in err
    assert "dotnet lambda deploy-serverless" in err
    assert "loads the handler's assembly by name" in err


def test_slnx_solutions_list_the_new_projects(tmp_path):
    root = project_at_root(tmp_path)
    (root / "App.slnx").write_text('<Solution>\n  <Project Path="App.csproj" />\n</Solution>\n')
    git_run(root, "add", "-A")
    git_run(root, "commit", "-qm", "slnx")
    code, _, err = run_cli("migrate", root)
    assert code == 0, err
    assert (root / "App.slnx").read_text() == (
        '<Solution>\n  <Project Path="App.csproj" />\n  <Project Path="App.X64/App.X64.csproj" />\n'
        '  <Project Path="App.Arm64/App.Arm64.csproj" />\n</Solution>\n')


def test_project_with_no_hazard_is_left_alone(tmp_path):
    work = copy_tree(FIXTURES / "single-arch" / "before", tmp_path / "w")
    snapshot = read_tree(work)
    code, out, err = run_cli("migrate", work)
    assert code == 0 and "Nothing to do" in err and out == ""
    assert read_tree(work) == snapshot


def test_existing_target_folder_is_refused(tmp_path):
    root = project_at_root(tmp_path)
    write(root, {"App.Arm64/notes.txt": "mine\n"})
    snapshot = read_tree(root)
    code, _, err = run_cli("migrate", root, "--allow-dirty")
    assert code == 2 and "already exists" in err
    assert read_tree(root) == snapshot


def test_unknown_architecture_stops_migrate_like_check(tmp_path):
    root = project_at_root(tmp_path)
    template = (root / "serverless.template").read_text().replace('["arm64"]', '[{"Ref": "Arch"}]')
    (root / "serverless.template").write_text(template)
    code, _, err = run_cli("migrate", root, "--allow-dirty")
    assert code == 2 and "Arch" in err
    code, _, err = run_cli("migrate", root, "--allow-dirty", "--parameter", "Arch=arm64", "--dry-run")
    assert code == 0, err


def test_function_projects_carry_packaging_settings_for_their_architecture(tmp_path):
    root = project_at_root(tmp_path)
    write(root, {"aws-lambda-tools-defaults.json": json.dumps({
        "profile": "default", "region": "eu-west-1", "configuration": "Release", "s3-prefix": "app/",
        "template": "serverless.template", "msbuild-parameters": "--self-contained false --runtime linux-x64"},
        indent=4) + "\n"})
    git_run(root, "add", "-A")
    git_run(root, "commit", "-qm", "defaults")
    code, _, err = run_cli("migrate", root)
    assert code == 0, err
    arm = json.loads((root / "App.Arm64" / "aws-lambda-tools-defaults.json").read_text())
    assert arm["function-architecture"] == "arm64"
    assert arm["msbuild-parameters"] == "--self-contained false --runtime linux-arm64"
    assert arm["region"] == "eu-west-1" and "template" not in arm and "s3-prefix" not in arm
    assert (root / "App.Arm64" / "aws-lambda-tools-defaults.json").read_text().startswith('{\n    "Information"')


def test_empty_yaml_codeuri_is_replaced_with_valid_yaml(tmp_path):
    from ruamel.yaml import YAML
    root = write(tmp_path / "repo", {**HANDLERS, "App.csproj": CSPROJ, "template.yaml": (
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    CodeUri: .\nResources:\n"
        "  UpFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri:\n"
        "      Handler: App::App.Up::Handle\n"
        "  DownFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Handler: App::App.Down::Handle\n      Architectures: [arm64]\n")})
    code, _, err = run_cli("migrate", root)
    assert code == 0, err
    text = (root / "template.yaml").read_text()
    assert "      CodeUri: App.X64\n" in text
    resources = YAML().load(text)["Resources"]
    assert resources["UpFunction"]["Properties"]["CodeUri"] == "App.X64"
    assert resources["DownFunction"]["Properties"]["CodeUri"] == "App.Arm64"
