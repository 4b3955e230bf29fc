"""Crash safety of `migrate`: killed (SIGKILL) right after any of its low-level file operations, a run leaves the
original tree, the complete result, or a journal with which `--resume` gives exactly the result and `--rollback`
exactly the original. The kill comes from the test-only fault hook in splitter/changes/faults.py (`faults.arm`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from reliability import (KILLED, assert_one_clear_line, copy_case, copy_interrupted, count_operations, killed_apply,
                         killed_run, leftovers, migrating_cases, snapshot)
from splitter.changes.changeset import ChangeSet
from splitter.changes.journal import JOURNAL_NAME, TEMP_SUFFIX
from support import DEPTHS, REPO_ROOT, run_cli, sample_points

CASES = migrating_cases()
INCOMPLETE_JOURNAL = JOURNAL_NAME + TEMP_SUFFIX
ARMED_CLI = ("import sys; from splitter.changes import faults; faults.arm(int(sys.argv[1])); "
             "from splitter.cli import main; main(sys.argv[2:])")


def expected_trees(case: str, tmp_path: Path) -> tuple[dict, dict, int]:
    """(tree before, tree after a clean migrate, file operations of that migrate)."""
    work = copy_case(case, tmp_path / "clean")
    before = snapshot(work)
    result, operations = count_operations("migrate", work)
    assert result.code == 0, result.err
    return before, snapshot(work), operations


def settle(work: Path, before: dict, after: dict, spare: Path) -> str:
    """Classify the tree a killed run left and prove it can be brought to exactly `after` and `before`."""
    state = snapshot(work)
    if state == before:
        return "original"
    if state == after:
        return "result"
    if (work / JOURNAL_NAME).exists():
        assert_no_half_written_file(state, before, after)
        for args in (("migrate", work), ("migrate", "--dry-run", work)):
            assert_one_clear_line(run_cli(*args), JOURNAL_NAME, "--resume", "--rollback")
        assert snapshot(work) == state, "refusing to run over a journal changed the tree"
        copy_interrupted(work, spare)
        assert run_cli("migrate", "--resume", work).code == 0
        assert snapshot(work) == after, "--resume did not give exactly the migrated tree"
        assert run_cli("migrate", "--rollback", spare).code == 0
        assert snapshot(spare) == before, "--rollback did not give exactly the original tree"
        return "journal"
    # Killed while writing the journal itself: no file has changed; only the incomplete journal is extra.
    assert set(state) - set(before) == {INCOMPLETE_JOURNAL}, sorted(set(state) ^ set(before))
    assert all(state[path] == data for path, data in before.items()), "a file changed before the journal existed"
    copy_interrupted(work, spare)
    assert run_cli("migrate", "--rollback", spare).code == 0
    assert snapshot(spare) == before
    assert run_cli("migrate", work).code == 0, "the next run did not get past an incomplete journal"
    assert snapshot(work) == after
    return "incomplete journal"


def assert_no_half_written_file(state: dict, before: dict, after: dict) -> None:
    """Between kill and resume every file holds its old or its new bytes; only temp files may be partial."""
    for path, data in state.items():
        if path.endswith("/") or path.endswith(TEMP_SUFFIX) or path == JOURNAL_NAME:
            continue
        assert data in (before.get(path), after.get(path)), f"{path} is neither its old nor its new version"


def planned_changes(case: str, tmp_path: Path) -> list:
    """The change set `migrate` applies to the case, planned once."""
    from splitter.graph.migration import load_migration
    from splitter.plan.planner import plan

    model = load_migration(str(copy_case(case, tmp_path / "planned")), {})
    return plan(model).changes.changes


@DEPTHS
@pytest.mark.parametrize("case", CASES)
def test_a_migrate_killed_after_any_file_operation_loses_no_byte(case, depth, tmp_path):
    """Exhaustive: every kill point. Sample: the first (the journal half written), the middle, the last."""
    before, after, total = expected_trees(case, tmp_path)
    assert total > 10, "the fault hook counted no file operations"
    planned = planned_changes(case, tmp_path)
    outcomes: dict[int, str] = {}
    for n in sample_points(total, depth):
        work = copy_case(case, tmp_path / f"kill{n}")
        assert killed_apply(ChangeSet(work, planned), n) == KILLED, f"fault {n} of {total} did not kill the run"
        outcomes[n] = settle(work, before, after, tmp_path / f"spare{n}")
        shutil.rmtree(tmp_path / f"kill{n}")
        shutil.rmtree(tmp_path / f"spare{n}", ignore_errors=True)
    # The kill points cover the journal's own write, every step of the change, and the journal's removal.
    assert outcomes[1] == "incomplete journal" and outcomes[(total + 1) // 2] == "journal", outcomes
    assert outcomes[total] == "result", outcomes      # killed after the very last operation: removing the journal
    if depth == "exhaustive":
        counts = Counter(outcomes.values())
        assert counts["journal"] >= total - 5 and counts["result"] == 1, counts
    untouched = copy_case(case, tmp_path / "beyond")
    assert killed_apply(ChangeSet(untouched, planned), total + 1) is None, "a fault past the last operation fired"
    assert snapshot(untouched) == after


@DEPTHS
def test_a_whole_migrate_killed_at_every_operation_loses_no_byte(depth, tmp_path):
    """The same kill points through the CLI (discovery, planning, the dirty-tree check, then the apply)."""
    case = "mixed-json"
    before, after, total = expected_trees(case, tmp_path)
    for n in sample_points(total, depth):
        work = copy_case(case, tmp_path / f"kill{n}")
        assert killed_run(n, "migrate", work) == KILLED, f"fault {n} of {total} did not kill the run"
        settle(work, before, after, tmp_path / f"spare{n}")
        shutil.rmtree(tmp_path / f"kill{n}")
        shutil.rmtree(tmp_path / f"spare{n}", ignore_errors=True)


@DEPTHS
@pytest.mark.parametrize("action", ["--resume", "--rollback"])
def test_a_resume_or_rollback_killed_midway_can_be_run_again(action, depth, tmp_path):
    case = "mixed-json"
    before, after, total = expected_trees(case, tmp_path)
    halfway = copy_case(case, tmp_path / "halfway")
    assert killed_run(total // 2, "migrate", halfway) == KILLED
    probe = tmp_path / "probe"
    copy_interrupted(halfway, probe)
    result, steps = count_operations("migrate", action, probe)
    assert result.code == 0 and steps > 5, result.err
    for k in sample_points(steps, depth):
        work = tmp_path / f"again{k}"
        copy_interrupted(halfway, work)
        assert killed_run(k, "migrate", action, work) == KILLED
        assert run_cli("migrate", action, work).code == 0
        assert snapshot(work) == (after if action == "--resume" else before), f"killed at {k} of {steps}"
        assert leftovers(work) == []
        shutil.rmtree(work)


def test_the_cli_process_killed_by_the_fault_hook_resumes_to_the_result(tmp_path):
    """The same hook in a process of its own, armed through a test-only entry point (the installed CLI has none)."""
    case = "windows-crlf"
    before, after, total = expected_trees(case, tmp_path)
    for n in range(1, total + 1, 9):
        work = copy_case(case, tmp_path / f"kill{n}")
        env = dict(os.environ)
        env.pop("LAMBDA_SPLIT_DEBUG", None)
        done = subprocess.run([sys.executable, "-c", ARMED_CLI, str(n), "migrate", str(work)], cwd=REPO_ROOT, env=env,
                              capture_output=True, timeout=120)
        assert done.returncode == -KILLED, done.stderr
        settle(work, before, after, tmp_path / f"spare{n}")


def test_resume_refuses_a_file_changed_since_the_interrupted_run(tmp_path):
    case = "mixed-json"
    _, _, total = expected_trees(case, tmp_path)
    work = copy_case(case, tmp_path / "work")
    assert killed_run(total // 2, "migrate", work) == KILLED
    template = work / "src/Orders/serverless.template"
    template.write_bytes(template.read_bytes() + b"\n// edited by hand after the crash\n")
    state = snapshot(work)
    for action in ("--resume", "--rollback"):
        assert_one_clear_line(run_cli("migrate", action, work), "serverless.template", "changed since")
        assert snapshot(work) == state, f"{action} wrote despite the hand edit"


def test_resume_and_rollback_without_a_journal_say_there_is_nothing_to_do(tmp_path):
    work = copy_case("mixed-json", tmp_path / "work")
    before = snapshot(work)
    for action in ("--resume", "--rollback"):
        result = run_cli("migrate", action, work)
        assert result.code == 0 and "Nothing to" in result.err
        assert snapshot(work) == before
