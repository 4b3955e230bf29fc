"""Whole-solution fixtures: `migrate` turns every fixtures/<case>/before into exactly fixtures/<case>/after, and every
invariant of a migration holds. Set LAMBDA_SPLIT_UPDATE_FIXTURES=1 to rewrite the after/ trees (then review them).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from invariants import (assert_architectures_kept, assert_handlers_resolve, assert_nothing_lost,
                        assert_one_architecture_per_build, assert_one_generator_per_template,
                        assert_only_intended_template_lines, assert_resources_unchanged, copy_tree, git_run,
                        read_tree, resources_by_id, template_origin)
from support import FIXTURES, run_cli, sampled_cases

CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "before").is_dir())
UPDATE = os.environ.get("LAMBDA_SPLIT_UPDATE_FIXTURES") == "1"


def migrate_tree(case: str, tmp_path: Path) -> tuple[Path, Path, int, str]:
    before = FIXTURES / case / "before"
    work = copy_tree(before, tmp_path / "work")
    code, _, err = run_cli("migrate", str(work))
    return before, work, code, err


@pytest.mark.parametrize("case", CASES)
def test_migrate_gives_the_expected_tree(case, tmp_path):
    before, work, code, err = migrate_tree(case, tmp_path)
    assert code == 0, err
    expected_dir = FIXTURES / case / "after"
    if UPDATE:
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(work, expected_dir, ignore=shutil.ignore_patterns(".git"))
    assert expected_dir.is_dir(), f"{case}: no after/ tree; run with LAMBDA_SPLIT_UPDATE_FIXTURES=1 and review it"
    assert read_tree(work) == read_tree(expected_dir)


@pytest.mark.parametrize("case", CASES)
def test_migrate_keeps_every_invariant(case, tmp_path):
    before, work, code, err = migrate_tree(case, tmp_path)
    assert code == 0, err
    before_tree, after_tree = read_tree(before), read_tree(work)
    assert_architectures_kept(before, work)
    assert_one_architecture_per_build(work)
    assert_handlers_resolve(work)
    assert_nothing_lost(before_tree, after_tree, before, work)
    assert_resources_unchanged(before, work)
    assert_one_generator_per_template(work)
    moved_resources = {name for name, copies in resources_by_id(work).items()
                       if [t for t, _ in copies] != [t for t, _ in resources_by_id(before)[name]]}
    for path, data in before_tree.items():
        if path.endswith((".template", ".yaml", ".yml")) and path in after_tree and data != after_tree[path] \
                and not moved_resources:        # an Annotations split cuts resources out: checked per resource above
            assert_only_intended_template_lines(data, after_tree[path], path)


@pytest.mark.parametrize("case", CASES)
def test_second_migrate_changes_nothing(case, tmp_path):
    _, work, code, _ = migrate_tree(case, tmp_path)
    assert code == 0
    first = read_tree(work)
    code, out, err = run_cli("migrate", str(work), "--allow-dirty")
    assert code == 0, err
    assert "Nothing to do" in err
    assert read_tree(work) == first


@pytest.mark.parametrize("case", CASES)
def test_dry_run_patch_applies_to_exactly_the_migrated_tree(case, tmp_path):
    before = FIXTURES / case / "before"
    patched = copy_tree(before, tmp_path / "patched")
    untouched = read_tree(patched)
    code, patch, err = run_cli("migrate", "--dry-run", str(patched))
    assert code == 0, err
    assert read_tree(patched) == untouched, "--dry-run wrote something"
    if patch:
        git_run(patched, "apply", "--whitespace=nowarn", "-", stdin=patch.encode("utf-8", errors="surrogateescape"))
    _, migrated, code, err = migrate_tree(case, tmp_path / "m")
    assert code == 0, err
    assert read_tree(patched) == read_tree(migrated)


@pytest.mark.parametrize("case", CASES)
def test_migrated_solution_type_checks_with_mcs(case, tmp_path):
    from dotnet_compile import assert_compiles, require_mcs
    require_mcs()
    _, work, code, err = migrate_tree(case, tmp_path)
    assert code == 0, err
    assert_compiles(work)


# cfn-lint takes seconds a template: every run lints one fixture of each kind, the exhaustive run all of them
LINT_SAMPLE = {"mixed-json", "shared-handler-yaml", "annotations-functions", "multi-template", "name-bindings"}


@pytest.mark.parametrize("case", sampled_cases(CASES, LINT_SAMPLE))
def test_migrated_templates_pass_cfn_lint_like_the_originals(case, tmp_path):
    before, work, code, err = migrate_tree(case, tmp_path)
    assert code == 0, err
    for template in sorted(work.rglob("*")):
        rel = template.relative_to(work).as_posix()
        if not rel.endswith(("serverless.template", "template.yaml", "template.yml")) or ".git" in rel:
            continue
        assert _lint(template) <= _lint(template_origin(before, work, rel)), f"{rel}: cfn-lint found new problems"


def _lint(template: Path) -> set[tuple[str, str]]:
    from cfnlint.api import ManualArgs, lint_file
    if not template.exists():
        return set()
    # Rule id and message, without the line: lines move when keys are inserted.
    return {(m.rule.id, m.message) for m in lint_file(template, config=ManualArgs(regions=["us-east-1"]))}
