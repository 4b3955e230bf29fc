"""CDK apps (Python through libcst, C# through tree-sitter) in `check` and `migrate`: functions are found under any
import alias, grouped by asset path and bundling command, reported when two architectures share one build or a
bundling runtime contradicts a function, and retargeted by splicing only the values that change."""

from __future__ import annotations

import difflib
import io
import json
import re
import tokenize
from pathlib import Path

import pytest

from builders import LAMBDA, csproj
from invariants import copy_tree, git_run, read_tree
from splitter.graph.analyze import analyze
from splitter.discover import discover
from splitter.model.apps import cdk_csharp, cdk_python
from splitter.model.apps.common import Bundling, Piece, TracedString, moved_path
from splitter.plan.retarget import rewrite
from support import FIXTURES, fixture_copy, run_cli, write_tree

CSPROJ = csproj(LAMBDA)
HANDLERS = "namespace App\n{\n" + "".join(
    f"    public class {name} {{ public string Run(string s) {{ return s; }} }}\n" for name in "ABCD") + "}\n"


def python_app(tmp_path: Path, stack: str, newline: str = "\n") -> Path:
    write_tree(tmp_path, {"cdk.json": '{"app": "python3 app.py"}\n', "src/App/App.csproj": CSPROJ,
                          "src/App/Handlers.cs": HANDLERS, "app.py": stack.replace("\n", newline)})
    return tmp_path


def csharp_app(tmp_path: Path, stack: str, newline: str = "\n", bom: bool = False) -> Path:
    infra = csproj({"OutputType": "Exe"})
    data = ("\ufeff" if bom else "") + stack.replace("\n", newline)
    write_tree(tmp_path, {"cdk.json": '{"app": "dotnet run --project src/Infra/Infra.csproj"}\n',
                          "src/Infra/Infra.csproj": infra, "src/Infra/Stack.cs": data.encode("utf-8"),
                          "src/App/App.csproj": CSPROJ, "src/App/Handlers.cs": HANDLERS})
    return tmp_path


def functions(root: Path) -> dict[str, tuple[str, str | None, str | None]]:
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


PY_HEAD = '''import aws_cdk as cdk
from aws_cdk import BundlingOptions
from aws_cdk import aws_lambda as lambda_

'''


# -- Python: finding functions ----------------------------------------------------------------------------------------

def test_python_functions_are_found_under_every_import_alias(tmp_path):
    python_app(tmp_path, '''import aws_cdk as cdk
import aws_cdk.aws_lambda as _lambda
from aws_cdk import aws_lambda
from aws_cdk.aws_lambda import Architecture as Arch, Code, Function as LambdaFunction

class S(cdk.Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        _lambda.Function(self, "Alias", handler="App::App.A::Run", code=_lambda.Code.from_asset("src/App"))
        aws_lambda.Function(self, "Module", handler="App::App.B::Run", code=Code.from_asset("src/App"),
                            architecture=aws_lambda.Architecture.ARM_64)
        LambdaFunction(self, "Imported", handler="App::App.C::Run", code=Code.from_asset("src/App"),
                       architecture=Arch.ARM_64)
        cdk.aws_lambda.Function(self, "Root", handler="App::App.D::Run", code=Code.from_asset("src/App"),
                                architecture=cdk.aws_lambda.Architecture.X86_64)
        Function(self, "NotLambda", handler="x")
''')
    assert functions(tmp_path) == {"Alias": ("x86_64", "src/App", "App::App.A::Run"),
                                   "Module": ("arm64", "src/App", "App::App.B::Run"),
                                   "Imported": ("arm64", "src/App", "App::App.C::Run"),
                                   "Root": ("x86_64", "src/App", "App::App.D::Run")}


def test_python_module_constants_and_fstrings_are_followed(tmp_path):
    python_app(tmp_path, PY_HEAD + '''import os

PROJECT = "src/App"
PUBLISH: str = f"{PROJECT}/bin/Release/net8.0/publish"
ARM = lambda_.Architecture.ARM_64

class S(cdk.Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        prefix = "App::App."
        lambda_.Function(self, "Joined", handler=prefix + "A::Run", code=lambda_.Code.from_asset(
            os.path.join(PROJECT, "publish")))
        lambda_.Function(self, "Nested", handler=f"{prefix}B::Run", code=lambda_.Code.from_asset(PUBLISH),
                         architecture=ARM)
        lambda_.Function(self, "Implicit", handler="App::" "App.C::Run", code=lambda_.Code.from_asset(
            PROJECT + "/publish"))
''')
    assert functions(tmp_path) == {"Joined": ("x86_64", "src/App/publish", "App::App.A::Run"),
                                   "Nested": ("arm64", "src/App/bin/Release/net8.0/publish", "App::App.B::Run"),
                                   "Implicit": ("x86_64", "src/App/publish", "App::App.C::Run")}


@pytest.mark.parametrize("body, reason", [
    ('for arch in (lambda_.Architecture.ARM_64,):\n            lambda_.Function(self, "Looped", '
     'handler="App::App.A::Run", architecture=arch, code=lambda_.Code.from_asset("src/App"))',
     "built in a loop (line 13)"),
    ('self.make("Made", lambda_.Architecture.ARM_64)\n\n    def make(self, name, arch):\n        lambda_.Function('
     'self, "Made", handler="App::App.A::Run", architecture=arch, code=lambda_.Code.from_asset("src/App"))',
     "a parameter of make()"),
    ('lambda_.Function(self, "Imported", handler="App::App.A::Run", code=lambda_.Code.from_asset(settings.ASSET))',
     "`settings.ASSET`"),
    ('lambda_.Function(self, "FromModule", handler="App::App.A::Run", code=lambda_.Code.from_asset(ASSET_DIR))',
     "imported from another module"),
    ('lambda_.Function(self, "Twice", handler="App::App.A::Run", code=lambda_.Code.from_asset(TWICE))',
     "assigned more than once"),
    ('lambda_.Function(self, "Computed", handler="App::App.A::Run", architecture=pick(), '
     'code=lambda_.Code.from_asset("src/App"))', "`pick()` is not Architecture.ARM_64"),
    ('lambda_.Function(self, "Spread", **PROPS)', "passed with **"),
])
def test_python_values_lambda_split_cannot_follow_are_reported_and_left_alone(tmp_path, body, reason):
    python_app(tmp_path, PY_HEAD + f'''import settings
from shared import ASSET_DIR

TWICE = "src/App"
TWICE = "src/Other"

class S(cdk.Stack):
    def __init__(self, scope, id):
        {body}
''')
    code, report = check_json(tmp_path)
    assert code == 0 and report["units"] == []
    (warning,) = [w for w in report["warnings"] if w["code"] == "cannot-decide"]
    assert warning["path"] == "app.py" and warning["line"] >= 9
    assert reason in warning["message"] and "leaves it alone" in warning["message"]
    assert re.search(r"cannot decide function (Looped|Made|Imported|FromModule|Twice|Computed|Spread)\b",
                     warning["message"]), warning["message"]


def test_python_functions_of_other_runtimes_and_remote_code_are_not_builds(tmp_path):
    python_app(tmp_path, PY_HEAD + '''class S(cdk.Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        lambda_.Function(self, "Py", runtime=lambda_.Runtime.PYTHON_3_12, handler="i.h",
                         code=lambda_.Code.from_asset("lambda"))
        lambda_.Function(self, "Bucket", runtime=lambda_.Runtime.DOTNET_8, handler="App::App.A::Run",
                         code=lambda_.Code.from_bucket(bucket, "app.zip"))
        lambda_.DockerImageFunction(self, "Image", code=lambda_.DockerImageCode.from_image_asset("src/App"))
''')
    code, report = check_json(tmp_path)
    assert code == 0 and report["units"] == [] and report["warnings"] == []
    assert [f["logical_id"] for f in report["image_functions"]] == ["Image"]


# -- Python: check ----------------------------------------------------------------------------------------------------

def test_python_fixture_reports_both_shared_builds_and_the_contradicting_runtime():
    code, report = check_json(fixture_copy("cdk-python"))
    assert code == 1 and report["hazard"] is True
    assert report["apps"] == [{"path": "thumbnails_cdk/thumbnails_stack.py", "source": "cdk-python",
                               "app": "cdk.json"}]
    units = {u["code_uri"]: u for u in report["units"]}
    published = units["src/Thumbnails/bin/Release/net8.0/publish"]
    assert published["functions"] == {"x86_64": ["UploadFunction"], "arm64": ["ResizeFunction"]}
    assert published["hazard"] and published["source"] == "cdk-python" and published["bundling"] is None
    assert published["build_architecture"] is None
    bundled = units["src/Thumbnails"]
    assert bundled["functions"] == {"x86_64": ["CleanupFunction"], "arm64": ["IndexFunction"]}
    assert bundled["build_architecture"] == "x86_64" and bundled["failing"] == ["IndexFunction"]
    assert "-r linux-x64" in bundled["bundling"]
    codes = sorted((w["code"], w["line"]) for w in report["warnings"])
    assert codes == [("bundling-runtime", 57), ("cannot-decide", 72)]


def test_bundling_runtime_that_contradicts_a_function_alone_is_a_warning(tmp_path):
    python_app(tmp_path, PY_HEAD + '''class S(cdk.Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        lambda_.Function(self, "Arm", handler="App::App.A::Run", architecture=lambda_.Architecture.ARM_64,
                         code=lambda_.Code.from_asset("src/App", bundling=BundlingOptions(
                             image=lambda_.Runtime.DOTNET_8.bundling_image,
                             command=["dotnet", "publish", "-c", "Release", "--runtime", "linux-x64"])))
''')
    code, out, _ = run_cli("check", tmp_path)
    assert code == 0
    assert re.search(r"app\.py:9:1: warning\[LS107\]: Arm runs on arm64, but its bundling command builds for "
                     r"x86_64", out)


def test_dotnet_function_builds_per_function_so_sharing_a_project_is_no_hazard(tmp_path):
    python_app(tmp_path, '''import aws_cdk as cdk
import cdklabs.aws_lambda_dotnet as dotnet
from aws_cdk import aws_lambda as lambda_

class S(cdk.Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        dotnet.DotNetFunction(self, "X", project_dir="src/App", handler="App::App.A::Run")
        dotnet.DotNetFunction(self, "Y", project_dir="src/App", handler="App::App.B::Run",
                              architecture=lambda_.Architecture.ARM_64)
''')
    code, report = check_json(tmp_path)
    assert code == 0
    assert sorted((u["build_architecture"], tuple(u["functions"])) for u in report["units"]) == \
        [("arm64", ("arm64",)), ("x86_64", ("x86_64",))]


# -- Python: migrate --------------------------------------------------------------------------------------------------

def _string_spans(text: str) -> list[tuple[int, int]]:
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    spans = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.STRING:
            spans.append((starts[token.start[0] - 1] + token.start[1], starts[token.end[0] - 1] + token.end[1]))
    return spans


def _changed_regions(before: str, after: str) -> list[tuple[int, int]]:
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [(i1, i2) for tag, i1, i2, _, _ in matcher.get_opcodes() if tag != "equal"]


def test_python_fixture_migration_changes_only_characters_inside_string_literals(tmp_path):
    work = copy_tree(FIXTURES / "cdk-python" / "before", tmp_path / "work")
    before = (work / "thumbnails_cdk" / "thumbnails_stack.py").read_text(encoding="utf-8")
    code, _, err = run_cli("migrate", work)
    assert code == 0, err
    after = (work / "thumbnails_cdk" / "thumbnails_stack.py").read_text(encoding="utf-8")
    spans = _string_spans(before)
    regions = _changed_regions(before, after)
    assert len(regions) >= 8
    for start, end in regions:
        assert any(s < start and end < e for s, e in spans), before[start - 20:end + 20]
    assert after.count("Thumbnails.X64::") == 2 and after.count("Thumbnails.Arm64::") == 2
    assert 'f"{PROJECT}.Arm64/bin/Release/net8.0/publish"' in after
    assert 'PROJECT + ".X64/bin/Release/net8.0/publish"' in after
    # A bundled function's asset widens to the folder holding its project and the library it references, and its
    # command builds in its project's folder: the container mounts only the asset.
    assert after.count('"cd Thumbnails.X64 && dotnet publish -c Release -r linux-x64') == 1
    assert after.count('"cd Thumbnails.Arm64 && dotnet publish -c Release -r linux-arm64') == 1
    assert after.count('from_asset(\n                "src",') == 2


def test_python_crlf_and_non_ascii_survive_and_a_constant_only_path_becomes_a_literal(tmp_path):
    stack = "# Stack für Bilder — é\n" + PY_HEAD + '''ASSET = "src/App/publish"

class S(cdk.Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        lambda_.Function(self, "Fa", handler="App::App.A::Run", code=lambda_.Code.from_asset(ASSET))
        lambda_.Function(self, "Fb", handler='App::App.B::Run', code=lambda_.Code.from_asset(ASSET),
                         architecture=lambda_.Architecture.ARM_64)
'''
    python_app(tmp_path, stack, newline="\r\n")
    raw = (tmp_path / "app.py").read_bytes()
    code, _, err = migrate(tmp_path)
    assert code == 0, err
    expected = raw.replace(b'"App::App.A::Run", code=lambda_.Code.from_asset(ASSET)',
                           b'"App.X64::App.A::Run", code=lambda_.Code.from_asset("src/App.X64/publish")')
    expected = expected.replace(b"'App::App.B::Run', code=lambda_.Code.from_asset(ASSET)",
                                b"'App.Arm64::App.B::Run', code=lambda_.Code.from_asset(\"src/App.Arm64/publish\")")
    assert (tmp_path / "app.py").read_bytes() == expected


def test_python_shared_code_variable_stops_migrate_before_anything_is_written(tmp_path):
    python_app(tmp_path, PY_HEAD + '''CODE = lambda_.Code.from_asset("src/App/publish")

class S(cdk.Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        lambda_.Function(self, "Fa", handler="App::App.A::Run", code=CODE)
        lambda_.Function(self, "Fb", handler="App::App.B::Run", code=CODE, architecture=lambda_.Architecture.ARM_64)
''')
    code, _, err = migrate(tmp_path)
    tree = read_tree(tmp_path)
    assert code == 2
    assert "app.py:5:" in err and "Fa: its asset path 'src/App/publish' comes from a value other functions share" \
        in err
    assert read_tree(tmp_path) == tree and not (tmp_path / "src" / "App.X64").exists()


def test_python_shared_bundling_command_is_left_alone_with_a_note(tmp_path):
    python_app(tmp_path, PY_HEAD + '''SHARED = BundlingOptions(image=lambda_.Runtime.DOTNET_8.bundling_image,
                         command=["bash", "-c", "dotnet publish -r linux-x64 -o /asset-output"])

class S(cdk.Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        lambda_.Function(self, "Fa", handler="App::App.A::Run",
                         code=lambda_.Code.from_asset("src/App", bundling=SHARED))
        lambda_.Function(self, "Fb", handler="App::App.B::Run", architecture=lambda_.Architecture.ARM_64,
                         code=lambda_.Code.from_asset("src/App", bundling=SHARED))
''')
    code, _, err = migrate(tmp_path)
    assert code == 0, err
    assert "Fb runs on arm64, but `SHARED` (line 5) is shared with other functions" in err
    assert "mounts only src/App.Arm64" in err and "'/asset-input/App.Arm64'" in err
    stack = (tmp_path / "app.py").read_text()
    assert stack.count("linux-x64") == 1 and 'from_asset("src/App.Arm64", bundling=SHARED)' in stack
    code, out, _ = run_cli("check", tmp_path)
    assert code == 0 and "Fb runs on arm64, but its bundling command builds for x86_64" in out


def test_undecided_function_on_the_project_to_split_stops_migrate(tmp_path):
    python_app(tmp_path, PY_HEAD + '''class S(cdk.Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        lambda_.Function(self, "Fa", handler="App::App.A::Run", code=lambda_.Code.from_asset("src/App/publish"))
        lambda_.Function(self, "Fb", handler="App::App.B::Run", code=lambda_.Code.from_asset("src/App/publish"),
                         architecture=lambda_.Architecture.ARM_64)
        for name in ("C1", "C2"):
            lambda_.Function(self, name, handler="App::App.C::Run", code=lambda_.Code.from_asset("src/App/publish"))
''')
    code, _, err = migrate(tmp_path)
    assert code == 2
    assert "app.py:12: cannot split App: function `name` builds from it too" in err and "built in a loop" in err


# -- C# ---------------------------------------------------------------------------------------------------------------

CS_STACK = '''using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Lambda = Amazon.CDK.AWS.Lambda;
using Constructs;

namespace Infra
{
    public class AppStack : Stack
    {
        private const string Project = "src/App";
        private static readonly string Publish = $"{Project}/bin/Release/net8.0/publish";

        internal AppStack(Construct scope, string id) : base(scope, id)
        {
            var props = new FunctionProps
            {
                Handler = "App::App.A::Run",
                Code = Code.FromAsset(Project + "/bin/Release/net8.0/publish"),
            };
            new Function(this, "Fa", props);
            new Lambda.Function(this, "Fb", new FunctionProps
            {
                Architecture = Architecture.ARM_64,
                Handler = @"App::App.B::Run",
                Code = Code.FromAsset(Publish)
            });
            new Amazon.CDK.AWS.Lambda.Function(this, "Fc", new()
            {
                Architecture = Lambda.Architecture.X86_64,
                Handler = "App::" + "App.C::Run",
                Code = Code.FromAsset(System.IO.Path.Combine(Project, "bin", "Release", "net8.0", "publish"))
            });
            new Function(this, "Fd", new FunctionProps
            {
                Runtime = Runtime.DOTNET_8,
                Architecture = Architecture.ARM_64,
                Handler = "App::App.D::Run",
                Code = Code.FromAsset("src/App", new Amazon.CDK.AWS.S3.Assets.AssetOptions
                {
                    Bundling = new BundlingOptions
                    {
                        Image = Runtime.DOTNET_8.BundlingImage,
                        Command = new[] { "bash", "-c", "dotnet publish -c Release -r linux-x64 -o /asset-output" }
                    }
                })
            });
        }
    }
}
'''


def test_csharp_functions_props_variables_and_aliases_are_read(tmp_path):
    csharp_app(tmp_path, CS_STACK)
    publish = "src/App/bin/Release/net8.0/publish"
    assert functions(tmp_path) == {"Fa": ("x86_64", publish, "App::App.A::Run"),
                                   "Fb": ("arm64", publish, "App::App.B::Run"),
                                   "Fc": ("x86_64", publish, "App::App.C::Run"),
                                   "Fd": ("arm64", "src/App", "App::App.D::Run")}


def test_csharp_check_reports_the_shared_publish_folder_and_the_bundling_runtime(tmp_path):
    csharp_app(tmp_path, CS_STACK)
    code, report = check_json(tmp_path)
    assert code == 1
    (hazard,) = [u for u in report["units"] if u["hazard"]]
    assert hazard["source"] == "cdk-csharp" and hazard["functions"] == {"x86_64": ["Fa", "Fc"], "arm64": ["Fb"]}
    assert [(w["code"], w["path"]) for w in report["warnings"]] == [("bundling-runtime", "src/Infra/Stack.cs")]


def test_csharp_migration_splices_values_and_keeps_bom_and_crlf(tmp_path):
    csharp_app(tmp_path, CS_STACK, newline="\r\n", bom=True)
    raw = (tmp_path / "src" / "Infra" / "Stack.cs").read_bytes()
    code, _, err = migrate(tmp_path)
    assert code == 0, err
    after = (tmp_path / "src" / "Infra" / "Stack.cs").read_bytes()
    replacements = [
        (b'"App::App.A::Run"', b'"App.X64::App.A::Run"'),
        (b'Project + "/bin/Release/net8.0/publish"', b'Project + ".X64/bin/Release/net8.0/publish"'),
        (b'@"App::App.B::Run"', b'@"App.Arm64::App.B::Run"'),
        (b'$"{Project}/bin/Release/net8.0/publish"', b'$"{Project}.Arm64/bin/Release/net8.0/publish"'),
        (b'"App::" + "App.C::Run"', b'"App.X64::" + "App.C::Run"'),
        (b'Code.FromAsset(System.IO.Path.Combine(Project, "bin", "Release", "net8.0", "publish"))',
         b'Code.FromAsset("src/App.X64/bin/Release/net8.0/publish")'),
        (b'"App::App.D::Run"', b'"App.Arm64::App.D::Run"'),
        (b'Code.FromAsset("src/App", new', b'Code.FromAsset("src", new'),
        (b'"dotnet publish -c Release -r linux-x64', b'"cd App.Arm64 && dotnet publish -c Release -r linux-arm64'),
    ]
    expected = raw
    for old, new in replacements:
        assert expected.count(old) == 1, old
        expected = expected.replace(old, new)
    assert after == expected
    assert after.startswith(b"\xef\xbb\xbf") and after.count(b"\n") == after.count(b"\r\n")


def test_csharp_fixture_hunks_in_the_dry_run_patch_are_exactly_the_stack_edits(tmp_path):
    work = copy_tree(FIXTURES / "cdk-csharp" / "before", tmp_path / "work")
    code, patch, err = run_cli("migrate", "--dry-run", work)
    assert code == 0, err
    header = "diff --git a/src/Infra/PaymentsStack.cs b/src/Infra/PaymentsStack.cs\n"
    stack = patch.split(header)[1].split("diff --git")[0]
    removed = [line[1:].strip() for line in stack.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in stack.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert removed == [
        'Handler = "Payments::Payments.ChargeHandler::FunctionHandler",',
        "Code = Code.FromAsset(PaymentsProject, new Amazon.CDK.AWS.S3.Assets.AssetOptions",
        'Handler = "Payments::Payments.RefundHandler::FunctionHandler",',
        "Code = Code.FromAsset(PaymentsProject, new Amazon.CDK.AWS.S3.Assets.AssetOptions",
        'Handler = "Payments::Payments.StatementHandler::FunctionHandler",',
        'Code = Code.FromAsset(@"src/Payments/bin/Release/net8.0/publish")',
        'Handler = "Payments::Payments.ReceiptHandler::FunctionHandler",',
        'Code = Code.FromAsset($"{PaymentsProject}/bin/Release/net8.0/publish")']
    assert added == [
        'Handler = "Payments.X64::Payments.ChargeHandler::FunctionHandler",',
        'Code = Code.FromAsset("src/Payments.X64", new Amazon.CDK.AWS.S3.Assets.AssetOptions',
        'Handler = "Payments.Arm64::Payments.RefundHandler::FunctionHandler",',
        'Code = Code.FromAsset("src/Payments.Arm64", new Amazon.CDK.AWS.S3.Assets.AssetOptions',
        'Handler = "Payments.X64::Payments.StatementHandler::FunctionHandler",',
        'Code = Code.FromAsset(@"src/Payments.X64/bin/Release/net8.0/publish")',
        'Handler = "Payments.Arm64::Payments.ReceiptHandler::FunctionHandler",',
        'Code = Code.FromAsset($"{PaymentsProject}.Arm64/bin/Release/net8.0/publish")']
    assert "ReconcileHandler" not in stack      # built from a parameter: left alone


def test_csharp_helper_parameters_and_loops_are_reported_with_file_and_line(tmp_path):
    csharp_app(tmp_path, '''using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Constructs;

namespace Infra
{
    public class AppStack : Stack
    {
        internal AppStack(Construct scope, string id) : base(scope, id)
        {
            foreach (var name in new[] { "A", "B" })
            {
                new Function(this, name, new FunctionProps { Handler = "App::App.A::Run", Code = Code.FromAsset("x") });
            }
            Make(Architecture.ARM_64);
        }

        private void Make(Architecture arch)
        {
            new Function(this, "Made", new FunctionProps { Architecture = arch, Handler = "App::App.A::Run",
                                                           Code = Code.FromAsset("src/App") });
        }
    }
}
''')
    code, out, _ = run_cli("check", tmp_path)
    assert code == 0
    assert re.search(r"Stack\.cs:13:1: warning\[LS106\]: cannot decide function `name`: it is built in a "
                     r"foreach statement \(line 11\)", out), out
    assert re.search(r"Stack\.cs:20:1: warning\[LS106\]: cannot decide function Made: its Architecture is `arch`, "
                     r"a parameter of Make", out), out


# -- discovery --------------------------------------------------------------------------------------------------------

def test_an_app_above_the_project_folder_is_found_inside_the_repository(tmp_path):
    work = copy_tree(FIXTURES / "cdk-python" / "before", tmp_path / "work")
    code, out, _ = run_cli("check", work / "src" / "Thumbnails")
    assert code == 1 and "thumbnails_stack.py" in out


def test_cdk_json_given_as_the_path_is_checked():
    code, report = check_json(fixture_copy("cdk-csharp") / "cdk.json")
    assert code == 1 and [a["path"] for a in report["apps"]] == ["src/Infra/PaymentsStack.cs"]


def test_a_cdk_app_in_another_language_is_named_not_guessed(tmp_path):
    write_tree(tmp_path, {"cdk.json": '{"app": "npx ts-node --prefer-ts-exts bin/app.ts"}\n'})
    code, out, err = run_cli("check", tmp_path)
    assert code == 2 and "no CloudFormation template found" in err
    assert "runs `npx ts-node --prefer-ts-exts bin/app.ts`; lambda-split reads CDK apps written in Python or C#" in out


def test_a_cdk_app_without_lambda_functions_has_no_hazard(tmp_path):
    write_tree(tmp_path, {"cdk.json": '{"app": "python3 app.py"}\n',
                          "app.py": "import aws_cdk as cdk\napp = cdk.App()\napp.synth()\n"})
    code, out, _ = run_cli("check", tmp_path)
    assert code == 0 and out.startswith("No hazard: 0 build units (0 functions) in 1 app file")


def test_a_python_syntax_error_is_one_error_line(tmp_path):
    python_app(tmp_path, PY_HEAD + "lambda_.Function(self, 'X', code=\n")
    code, _, err = run_cli("check", tmp_path)
    assert code == 2 and re.fullmatch(r"lambda-split: error: .*app\.py:\d+: not valid Python: .*\n", err), err


# -- the traced values themselves -------------------------------------------------------------------------------------

def _traced(text: str, pieces: list[tuple[int, int, bool]]) -> TracedString:
    parts = [Piece(text[s:e], s, e, own, lambda v: v.replace('"', '\\"')) for s, e, own in pieces]
    return TracedString("".join(p.text for p in parts), parts, pieces[0][0], pieces[-1][1], True, 1)


def test_rewrite_splices_the_smallest_change_into_an_own_literal():
    text = 'PROJECT + "/publish"'
    value = TracedString("src/App/publish", [Piece("src/App", -1, -1, False), Piece("/publish", 11, 19, True,
                                                                                    lambda v: v)], 0, 20, True, 1)
    (edit,) = rewrite(value, "src/App.X64/publish", text, lambda v: f'"{v}"')
    assert (edit.start, edit.end, edit.text) == (11, 11, ".X64")


def test_rewrite_falls_back_to_a_literal_only_for_an_own_expression():
    value = TracedString("src/App", [Piece("src/App", 40, 47, False, lambda v: v)], 3, 10, True, 1)
    (edit,) = rewrite(value, "src/App.X64", "x" * 60, lambda v: f'"{v}"')
    assert (edit.start, edit.end, edit.text) == (3, 10, '"src/App.X64"')
    shared = TracedString("src/App", [Piece("src/App", 40, 47, False, lambda v: v)], 40, 47, False, 1)
    assert rewrite(shared, "src/App.X64", "x" * 60, str) is None


def test_rewrite_reescapes_a_literal_written_with_escapes():
    text = '"src\\\\App"'
    value = TracedString("src\\App", [Piece("src\\App", 1, 9, True, lambda v: v.replace("\\", "\\\\"))], 0, 10,
                         True, 1)
    (edit,) = rewrite(value, "src\\App.X64", text, str)
    assert (edit.start, edit.end, edit.text) == (1, 9, "src\\\\App.X64")


@pytest.mark.parametrize("written, expected", [
    ("src/App/bin/Release/net8.0/publish", "src/App.Arm64/bin/Release/net8.0/publish"),
    ("./src/App/publish", "./src/App.Arm64/publish"),
    ("src/App/", "src/App.Arm64/"),
    ("src\\App\\publish", "src\\App.Arm64\\publish"),
    ("other/App", None),
])
def test_moved_path_keeps_the_shape_of_the_path(written, expected):
    base = Path("/r")
    assert moved_path(written, base, base / "src" / "App", base / "src" / "App.Arm64") == expected


@pytest.mark.parametrize("command, architectures, flipped", [
    (["dotnet publish -r linux-x64"], {"x86_64"}, ["dotnet publish -r linux-arm64"]),
    (["dotnet", "publish", "--runtime", "linux-x64"], {"x86_64"}, ["linux-arm64"]),
    (["dotnet publish /p:RuntimeIdentifier=linux-musl-x64"], {"x86_64"},
     ["dotnet publish /p:RuntimeIdentifier=linux-musl-arm64"]),
    (["dotnet lambda package --function-architecture x86_64"], {"x86_64"},
     ["dotnet lambda package --function-architecture arm64"]),
    (["dotnet publish --arch x64"], {"x86_64"}, ["dotnet publish --arch arm64"]),
    (["dotnet lambda package -o /asset-output/f.zip"], set(), []),
    (["dotnet publish -r linux-arm64"], {"arm64"}, []),
])
def test_bundling_commands_say_which_architecture_they_fix(command, architectures, flipped):
    tokens = [TracedString(t, [], 0, 0, True, 1) for t in command]
    bundling = Bundling(tokens, 0, 0, 1, True, "k")
    assert bundling.architectures == architectures
    assert [value for _, value in bundling.retargeted("arm64")] == flipped


def test_loaders_are_cheap_to_skip_for_files_without_functions():
    assert not cdk_python.mentions_functions("import os\n")
    assert not cdk_csharp.mentions_functions("namespace X { }")
