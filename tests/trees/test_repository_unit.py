"""The repository is the unit (issue 13): one model from the top of the git work tree whatever PATH is, every
consumer of a split project retargeted or named, patch paths from the top of the work tree, no empty folder left.

Fixtures: annotations-sam-beside (the generator's serverless.template and a SAM template.yaml beside it, the
solution in service/), annotations-cdk-dotnetfunction (a C# CDK app deploying generated handlers with
DotNetFunction ProjectDir), monorepo-subfolder (solutions in apps/orders and apps/shop; a move empties a folder).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from invariants import copy_tree, git_run, read_tree
from splitter.changes import journal
from support import FIXTURES, run_cli


PATHS = {
    "annotations-sam-beside": [".", "service", "service/src/Catalog.Api"],
    "annotations-cdk-dotnetfunction": [".", "src/Orders.Api"],
    "monorepo-subfolder": [".", "apps/orders", "apps/orders/src/Orders"],
}
# PATHs that select no hazard before the split (the CDK app's folder: its DotNetFunction builds per function) but
# must answer "nothing to do" after it too.
ALSO_AFTER = {"annotations-cdk-dotnetfunction": ["infra", "src/Orders.Api.X64"], "monorepo-subfolder": ["apps/shop"]}

CUSTOM_CONSTRUCT = """using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Constructs;

namespace Infra
{
    // A queue worker: a Function whose project folder the caller gives.
    public class QueueWorker : Construct
    {
        public QueueWorker(Construct scope, string id, string projectDir, string handler, Architecture architecture)
            : base(scope, id)
        {
            new Function(this, "Function", new FunctionProps
            {
                Runtime = Runtime.DOTNET_8,
                Architecture = architecture,
                Handler = handler,
                Code = Code.FromAsset(projectDir + "/bin/Release/net8.0/publish")
            });
        }
    }

    public class WorkerStack : Stack
    {
        internal WorkerStack(Construct scope, string id, IStackProps props = null) : base(scope, id, props)
        {
            new QueueWorker(this, "ShipOrderWorker", "../src/Orders.Api",
                            "Orders.Api::Orders.Api.Functions_ShipOrder_Generated::ShipOrder", Architecture.ARM_64);
        }
    }
}
"""


def run(args: list[str], capsys, cwd: Path, monkeypatch) -> tuple[int, bytes, str]:
    """The one in-process runner, from `cwd`; the patch comes back as the bytes migrate wrote."""
    monkeypatch.chdir(cwd)
    result = run_cli(*args)
    return result.code, result.out.encode("utf-8", errors="surrogateescape"), result.err


def _patched_files(patch: bytes) -> list[str]:
    return [line[6:] for line in patch.decode(errors="replace").splitlines() if line.startswith("+++ b/")]


def test_the_monorepo_patch_applies_in_its_solution_folder(tmp_path, capsys, monkeypatch):
    migrated = copy_tree(FIXTURES / "monorepo-subfolder" / "before", tmp_path / "migrated")
    code, _, err = run(["migrate", "apps/orders"], capsys, migrated, monkeypatch)
    assert code == 0, err
    patched = copy_tree(FIXTURES / "monorepo-subfolder" / "before", tmp_path / "patched")
    code, patch, err = run(["migrate", "--dry-run", "."], capsys, patched / "apps" / "orders", monkeypatch)
    assert code == 0, err
    assert all(name.startswith("apps/orders/") for name in _patched_files(patch))
    git_run(patched / "apps" / "orders", "apply", "--whitespace=nowarn", "-", stdin=patch)
    assert read_tree(patched) == read_tree(migrated)
    assert folders(patched) == folders(migrated)
    assert not (patched / "apps/orders/src/Orders/Workers").exists(), "the emptied folder stayed"


def test_without_git_the_patch_is_relative_to_the_current_folder(tmp_path, capsys, monkeypatch):
    work = copy_tree(FIXTURES / "monorepo-subfolder" / "before" / "apps", tmp_path / "work", git=False)
    code, patch, err = run(["migrate", "--dry-run", "orders"], capsys, work, monkeypatch)
    assert code == 0, err
    assert all(name.startswith("orders/") for name in _patched_files(patch)), patch[:300]
    assert "in the current folder" in err
    git_run(work, "init", "-q")
    git_run(work, "apply", "--whitespace=nowarn", "-", stdin=patch)
    assert (work / "orders/src/Orders.Arm64/Workers/ResizeImageHandler.cs").is_file()


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir() and ".git" not in p.parts}


@pytest.mark.parametrize("case", sorted(PATHS))
def test_the_patch_is_the_same_from_every_path(case, tmp_path, capsys, monkeypatch):
    work = copy_tree(FIXTURES / case / "before", tmp_path / "work")
    patches = {}
    for path in PATHS[case]:
        code, patch, err = run(["migrate", "--dry-run", "."], capsys, work / path, monkeypatch)
        assert code == 0, err
        patches[path] = patch
        # from the folder itself and from the repository root naming it: one answer
        code, same, err = run(["migrate", "--dry-run", path], capsys, work, monkeypatch)
        assert code == 0, err
        assert same == patch
    assert len(set(patches.values())) == 1, "the split depends on PATH"
    assert patches["."], "nothing to split"


@pytest.mark.parametrize("case", sorted(PATHS))
def test_the_patch_applies_from_every_folder_and_equals_the_applied_tree(case, tmp_path, capsys, monkeypatch):
    migrated = copy_tree(FIXTURES / case / "before", tmp_path / "migrated")
    code, _, err = run(["migrate", "."], capsys, migrated, monkeypatch)
    assert code == 0, err
    for path in PATHS[case]:
        patched = copy_tree(FIXTURES / case / "before", tmp_path / f"patched-{path.replace('/', '-')}")
        code, patch, err = run(["migrate", "--dry-run", "."], capsys, patched / path, monkeypatch)
        assert code == 0, err
        # `git apply` resolves the paths from the top of the work tree; run in a subfolder it skips the files
        # outside it, so where every change lies below PATH it applies there too (the monorepo's apps/orders)
        inside = all(name.startswith(path.rstrip(".") if path != "." else "") for name in _patched_files(patch))
        git_run(patched / path if inside else patched, "apply", "--whitespace=nowarn", "-", stdin=patch)
        assert read_tree(patched) == read_tree(migrated)
        assert folders(patched) == folders(migrated), "the patch and the applied tree disagree on folders"


@pytest.mark.parametrize("case", sorted(PATHS))
def test_after_the_split_every_path_has_nothing_to_do(case, tmp_path, capsys, monkeypatch):
    work = copy_tree(FIXTURES / case / "before", tmp_path / "work")
    code, _, err = run(["migrate", "."], capsys, work, monkeypatch)
    assert code == 0, err
    after = read_tree(work)
    for path in PATHS[case] + ALSO_AFTER.get(case, []):
        code, out, err = run(["check", path], capsys, work, monkeypatch)
        assert code == 0, (path, out, err)
        code, _, err = run(["migrate", "--allow-dirty", "."], capsys, work / path, monkeypatch)
        assert code == 0, (path, err)
        assert "Nothing to do" in err, (path, err)
        if (case, path) == ("annotations-cdk-dotnetfunction", "src/Orders.Api"):   # the library, no template left
            assert "this folder has no template or app of its own" in err, err
    assert read_tree(work) == after


def test_a_template_beside_the_generators_is_retargeted(tmp_path, capsys, monkeypatch):
    work = copy_tree(FIXTURES / "annotations-sam-beside" / "before", tmp_path / "work")
    code, patch, err = run(["migrate", "--dry-run", "service/src/Catalog.Api/serverless.template"], capsys, work,
                           monkeypatch)
    assert code == 0, err
    text = patch.decode()
    assert "+++ b/service/src/Catalog.Api/template.yaml" in text
    assert "+      Handler: Catalog.Api.X64::Catalog.Api.Functions_ListProducts_Generated::ListProducts" in text
    assert "+      CodeUri: ../Catalog.Api.Arm64" in text
    assert "Retargeted: service/src/Catalog.Api/template.yaml" in err


def test_a_dotnetfunction_project_dir_is_retargeted(tmp_path, capsys, monkeypatch):
    work = copy_tree(FIXTURES / "annotations-cdk-dotnetfunction" / "before", tmp_path / "work")
    code, patch, err = run(["migrate", "--dry-run", "src/Orders.Api"], capsys, work, monkeypatch)
    assert code == 0, err
    text = patch.decode()
    assert '+                ProjectDir = "../src/Orders.Api.Arm64",' in text
    assert '+                Handler = "Orders.Api.X64::Orders.Api.Functions_ListOrders_Generated::ListOrders"' in text
    assert "Retargeted: infra/WorkerStack.cs" in err


def _custom_construct_tree(tmp_path: Path) -> Path:
    work = copy_tree(FIXTURES / "annotations-cdk-dotnetfunction" / "before", tmp_path / "work", git=False)
    (work / "infra" / "WorkerStack.cs").write_text(CUSTOM_CONSTRUCT, encoding="utf-8")
    git_run(work, "init", "-q")
    git_run(work, "add", "-A")
    git_run(work, "commit", "-qm", "before")
    return work


def test_a_custom_construct_stops_migrate_with_the_line_to_change(tmp_path, capsys, monkeypatch):
    work = _custom_construct_tree(tmp_path)
    untouched = read_tree(work)
    code, out, err = run(["migrate", "../src/Orders.Api"], capsys, work / "infra", monkeypatch)
    assert code == 2
    lines = [line for line in err.splitlines() if line.startswith("lambda-split: error:")]
    line = CUSTOM_CONSTRUCT.splitlines().index('            new QueueWorker(this, "ShipOrderWorker", "../src/Orders.Api",') + 1
    assert len(lines) == 1, err
    assert lines[0].startswith(f"lambda-split: error: WorkerStack.cs:{line}: names src/Orders.Api"), err
    assert "src/Orders.Api.X64 or src/Orders.Api.Arm64" in lines[0] and "--allow-unretargeted" in lines[0]
    assert read_tree(work) == untouched


def test_allow_unretargeted_writes_a_warning_per_consumer(tmp_path, capsys, monkeypatch):
    work = _custom_construct_tree(tmp_path)
    code, _, err = run(["migrate", "--dry-run", "--allow-unretargeted", "."], capsys, work, monkeypatch)
    assert code == 0, err
    warnings = [line for line in err.splitlines() if "not retargeted" in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning: infra/WorkerStack.cs:"), err


def test_a_typescript_cdk_app_naming_the_project_stops_migrate(tmp_path, capsys, monkeypatch):
    work = copy_tree(FIXTURES / "annotations-cdk-dotnetfunction" / "before", tmp_path / "work", git=False)
    (work / "cdk").mkdir()
    (work / "cdk" / "cdk.json").write_text('{"app": "npx ts-node --prefer-ts-exts bin/app.ts"}\n')
    (work / "cdk" / "lib").mkdir()
    (work / "cdk" / "lib" / "stack.ts").write_text(
        "import * as lambda from 'aws-cdk-lib/aws-lambda';\n"
        "export const code = lambda.Code.fromAsset('../src/Orders.Api/bin/Release/net8.0/publish');\n")
    git_run(work, "init", "-q")
    code, _, err = run(["migrate", "--allow-dirty", "."], capsys, work, monkeypatch)
    assert code == 2
    assert "lambda-split: error: cdk/lib/stack.ts:2: names src/Orders.Api" in err


def test_rollback_makes_the_emptied_folder_again(tmp_path, capsys, monkeypatch):
    work = copy_tree(FIXTURES / "monorepo-subfolder" / "before", tmp_path / "work")
    before_tree, before_folders = read_tree(work), folders(work)

    calls = []

    def fail_once(*_args):          # the apply's last step fails; the rollback's runs
        calls.append(not (work / "apps/orders/src/Orders/Workers").exists())
        if len(calls) == 1:
            raise OSError(28, "No space left on device", str(work))

    monkeypatch.setattr(journal, "_sync_dirs", fail_once)
    code, _, err = run(["migrate", "."], capsys, work, monkeypatch)
    assert code == 2, err
    assert calls[0], "the emptied folder was not removed before the failure"
    assert read_tree(work) == before_tree
    assert folders(work) == before_folders
    assert not os.path.lexists(work / journal.JOURNAL_NAME)


def test_a_project_folder_whose_template_lies_above_is_answered_from_the_model(tmp_path, capsys, monkeypatch):
    work = copy_tree(FIXTURES / "shared-handler-yaml" / "before", tmp_path / "work")
    code, out, err = run(["check", "src/Benchmarks"], capsys, work, monkeypatch)
    assert code == 1, (out, err)
    assert "template.yaml: CodeUri 'src/Benchmarks/' builds" in out.decode()
    code, from_project, err = run(["migrate", "--dry-run", "."], capsys, work / "src" / "Benchmarks", monkeypatch)
    assert code == 0, err
    code, from_root, err = run(["migrate", "--dry-run", "."], capsys, work, monkeypatch)
    assert code == 0, err
    assert from_project == from_root and from_root


def test_a_folder_of_a_repository_without_templates_is_still_an_error(tmp_path, capsys, monkeypatch):
    work = copy_tree(FIXTURES / "mixed-json" / "before", tmp_path / "work", git=False)
    for template in work.rglob("serverless.template"):
        template.unlink()
    for defaults in work.rglob("aws-lambda-tools-defaults.json"):
        defaults.unlink()
    git_run(work, "init", "-q")
    for command in (["check", "src/Orders"], ["migrate", "--dry-run", "src/Orders"]):
        code, _, err = run(command, capsys, work, monkeypatch)
        assert code == 2 and "no CloudFormation template found" in err, err


def test_a_sam_function_on_another_architecture_than_its_generated_handler_is_refused(tmp_path, capsys, monkeypatch):
    work = copy_tree(FIXTURES / "annotations-sam-beside" / "before", tmp_path / "work", git=False)
    template = work / "service/src/Catalog.Api/template.yaml"
    template.write_text(template.read_text().replace("      Architectures:\n        - arm64\n", ""))
    git_run(work, "init", "-q")
    code, _, err = run(["migrate", "--dry-run", "service"], capsys, work, monkeypatch)
    assert code == 2
    assert "lambda-split: error: service/src/Catalog.Api/Functions.cs:" in err
    assert "PublicSearchProducts (x86_64)" in err
