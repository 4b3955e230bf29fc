"""Journal and paths: nothing lets a file write where it should not (issue 15, section 2).

- A journal is honoured only when this machine's lambda-split wrote it for this tree: planted ones (tracked by git,
  a foreign id, a `.git/` path, an executable mode, a path outside the recorded plan) are refused, naming the
  journal, and nothing is written.
- A PATH that leads through a link out of its repository is refused.
- One run at a time: a second `migrate`, `--resume` or `--rollback` waits, then gives up with one line naming the
  running one; races of two runs never leave a mixed tree.
- A file edited while `migrate` runs survives: the run restores what it wrote and stops.
- A dry run never writes (`--resume --dry-run` included); conflicting options are one-line usage errors.
- The fault hook is armed by tests only: the environment variable of old kills nobody.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from base64 import b64encode
from pathlib import Path

import pytest

from support import DEPTHS, REPO_ROOT
from reliability import (KILLED, assert_one_clear_line, copy_case, copy_interrupted, count_operations, killed_run,
                         leftovers, run_cli, snapshot)
from splitter.changes import faults, state
from splitter.changes.journal import JOURNAL_NAME

REPO = REPO_ROOT
CASE = "mixed-json"
TEMPLATE = "src/Orders/serverless.template"


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   check=True, capture_output=True, timeout=60)


def committed(folder: Path) -> Path:
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "before")
    return folder


def work_tree(tree: dict) -> dict:
    """A snapshot without git's own bookkeeping (objects, refs, index) and without the lock file a killed run left
    (the next run takes it over and removes it), but with the tokens and the hooks under .git."""
    kept = (".git/lambda-split/", ".git/hooks/", ".git/config")
    return {k: v for k, v in tree.items()
            if (not k.startswith(".git/") or k.startswith(kept)) and k != ".git/lambda-split/lock"}


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    """(tree before, tree after a clean migrate, file operations of that migrate) of the case, in a git repo."""
    base = tmp_path_factory.mktemp("trees")
    clean = committed(copy_case(CASE, base / "clean"))
    before = snapshot(clean)
    result, operations = count_operations("migrate", clean)
    assert result.code == 0, result.err
    return work_tree(before), work_tree(snapshot(clean)), operations


def interrupted(tmp_path: Path, trees, name: str = "work", use_git: bool = True) -> Path:
    """A tree whose migrate was killed half-way: its journal is lambda-split's own."""
    _, _, total = trees
    work = copy_case(CASE, tmp_path / name)
    if use_git:
        committed(work)
    assert killed_run(total // 2, "migrate", work) == KILLED
    assert (work / JOURNAL_NAME).is_file()
    return work


def edit_journal(work: Path, change) -> None:
    data = json.loads((work / JOURNAL_NAME).read_bytes())
    change(data)
    (work / JOURNAL_NAME).write_text(json.dumps(data))


def assert_refused_writing_nothing(work: Path, *words: str) -> None:
    state_before = work_tree(snapshot(work))
    for action in ("--resume", "--rollback"):
        assert_one_clear_line(run_cli("migrate", action, work), JOURNAL_NAME, *words)
        assert work_tree(snapshot(work)) == state_before, f"{action} wrote despite refusing the journal"
    assert_one_clear_line(run_cli("migrate", work), JOURNAL_NAME, "--resume")
    assert work_tree(snapshot(work)) == state_before


# -- 1. a journal is only honoured when lambda-split wrote it ------------------------------------------------------

def test_lambda_splits_own_journal_resumes_and_leaves_nothing_behind(tmp_path, trees):
    before, after, _ = trees
    work = interrupted(tmp_path, trees)
    assert list((work / ".git/lambda-split").glob("journal-*.json")), "the id token lives under .git"
    assert run_cli("migrate", "--resume", work).code == 0
    assert work_tree(snapshot(work)) == after and leftovers(work) == []
    assert not (work / ".git/lambda-split").exists(), "the token and the lock folder are removed with the journal"
    spare = interrupted(tmp_path, trees, "spare")
    assert run_cli("migrate", "--rollback", spare).code == 0
    assert work_tree(snapshot(spare)) == before and not (spare / ".git/lambda-split").exists()


def test_a_journal_tracked_by_git_is_refused(tmp_path, trees):
    work = interrupted(tmp_path, trees)         # a valid token, even: tracked alone is enough to refuse
    git(work, "add", "-f", JOURNAL_NAME)
    assert_refused_writing_nothing(work, "tracked by git")


def test_a_journal_committed_to_the_repository_is_refused_in_a_clone(tmp_path, trees):
    origin = interrupted(tmp_path, trees, "origin")
    git(origin, "add", "-A", "-f")
    git(origin, "commit", "-q", "-m", "a half migration, journal included")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True, capture_output=True, timeout=60)
    assert (clone / JOURNAL_NAME).is_file()
    assert_refused_writing_nothing(clone, "tracked by git")


@pytest.mark.parametrize("use_git", [True, False], ids=["git", "no-git"])
def test_a_journal_with_a_foreign_id_is_refused(tmp_path, trees, use_git):
    work = interrupted(tmp_path, trees, use_git=use_git)
    planted = tmp_path / "planted"
    shutil.copytree(work, planted, symlinks=True)   # the journal without its token: what a download would carry
    if use_git:
        shutil.rmtree(planted / ".git/lambda-split")
    assert_refused_writing_nothing(planted, "not written by lambda-split here")
    edit_journal(work, lambda data: data.update(id="0" * 32))
    assert_refused_writing_nothing(work, "not written by lambda-split here")


def test_a_planted_journal_writing_a_git_hook_writes_nothing(tmp_path):
    """The reproduction of the issue: a journal planted in the tree (untracked here; tracked ones are refused
    above) creating .git/hooks/pre-commit with mode 0755, which would run at the next commit."""
    work = committed(copy_case(CASE, tmp_path / "work"))
    hook = b64encode(b"#!/bin/sh\ntouch owned\n").decode()
    entry = {"kind": "create", "path": ".git/hooks/pre-commit", "after": hook, "mode": 0o755}
    (work / JOURNAL_NAME).write_text(json.dumps({"version": 2, "id": "1" * 32, "changes": [entry]}))
    assert_refused_writing_nothing(work, ".git")
    assert not (work / ".git/hooks/pre-commit").exists()


@pytest.mark.parametrize("path", [".git/hooks/pre-commit", ".GIT/config", "src/.git/hooks/post-checkout"])
def test_a_journal_naming_a_path_inside_git_is_refused(tmp_path, trees, path):
    work = interrupted(tmp_path, trees)
    content = b64encode(b"#!/bin/sh\ntouch owned\n").decode()
    edit_journal(work, lambda data: data["changes"].append({"kind": "create", "path": path, "after": content}))
    assert_refused_writing_nothing(work, "inside .git", path)
    assert not (work / path).exists()


def test_a_journal_asking_for_an_executable_mode_is_refused(tmp_path, trees):
    work = interrupted(tmp_path, trees)

    def executable(data):
        entry = next(e for e in data["changes"] if e["kind"] == "modify")
        entry["mode"] = 0o755
    edit_journal(work, executable)
    assert_refused_writing_nothing(work, "mode 0755")
    assert all(not (p.stat().st_mode & 0o111) for p in work.rglob("*") if p.is_file() and ".git" not in p.parts)


def test_a_journal_keeping_a_files_own_mode_or_0644_is_honoured(tmp_path, trees):
    _, after, _ = trees
    work = interrupted(tmp_path, trees)
    edit_journal(work, lambda data: [e.update(mode=0o644) for e in data["changes"] if "mode" in e])
    assert run_cli("migrate", "--resume", work).code == 0
    assert work_tree(snapshot(work)) == after


def test_a_journal_naming_a_path_outside_its_recorded_plan_is_refused(tmp_path, trees):
    work = interrupted(tmp_path, trees)
    content = b64encode(b"class Planted {}\n").decode()
    edit_journal(work, lambda data: data["changes"].append(
        {"kind": "create", "path": "src/Orders/Planted.cs", "after": content}))
    assert_refused_writing_nothing(work, "src/Orders/Planted.cs", "recorded plan")
    assert not (work / "src/Orders/Planted.cs").exists()


# -- 2. a PATH that leads out of its repository --------------------------------------------------------------------

@pytest.fixture
def linked_out(tmp_path):
    repository = tmp_path / "repository"
    repository.mkdir()
    (repository / "README.md").write_text("a repository\n")
    committed(repository)
    outside = copy_case(CASE, tmp_path / "outside")
    (repository / "orders").symlink_to(outside, target_is_directory=True)
    return repository, outside


@pytest.mark.parametrize("args", [("migrate",), ("migrate", "--dry-run"), ("migrate", "--allow-dirty"),
                                  ("migrate", "--rollback"), ("migrate", "--resume")])
def test_a_path_through_a_link_out_of_the_repository_is_refused(linked_out, args):
    repository, outside = linked_out
    before, outside_before = snapshot(repository), snapshot(outside)
    for path in (repository / "orders", repository / "orders/src/Orders", repository / "orders/Orders.sln"):
        assert_one_clear_line(run_cli(*args, path), "outside its repository", str(outside.resolve()))
    assert snapshot(repository) == before and snapshot(outside) == outside_before


def test_a_path_through_a_link_to_a_whole_repository_is_fine(tmp_path):
    other = committed(copy_case(CASE, tmp_path / "other"))
    host = tmp_path / "host"
    host.mkdir()
    (host / "README.md").write_text("a repository\n")
    committed(host)
    (host / "orders").symlink_to(other, target_is_directory=True)
    result = run_cli("migrate", "--dry-run", host / "orders")
    assert result.code == 0, result.err


# -- 3. one run at a time ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("action", [None, "--resume", "--rollback"])
def test_a_second_run_waits_then_names_the_running_one(tmp_path, trees, monkeypatch, action):
    work = interrupted(tmp_path, trees) if action else committed(copy_case(CASE, tmp_path / "work"))
    monkeypatch.setattr(state, "LOCK_WAIT", 0.4)
    before = work_tree(snapshot(work))
    with state.locked(work.resolve(), "lambda-split migrate (the first run)"):
        started = time.monotonic()
        result = run_cli("migrate", *([action] if action else []), work)
        waited = time.monotonic() - started
    assert_one_clear_line(result, "another lambda-split run", f"pid {os.getpid()}", "the first run")
    assert 0.4 <= waited < 5, waited
    assert work_tree(snapshot(work)) == before, "the second run wrote while the first held the lock"


def test_the_lock_is_never_left_in_the_work_tree(tmp_path, trees):
    _, after, _ = trees
    work = committed(copy_case(CASE, tmp_path / "work"))
    assert run_cli("migrate", work).code == 0
    assert work_tree(snapshot(work)) == after and not (work / ".git/lambda-split").exists()
    plain = copy_case(CASE, tmp_path / "plain")
    assert run_cli("migrate", plain).code == 0
    assert state.state_dir(plain.resolve()).parent.is_dir() and not state.state_dir(plain.resolve()).exists()


def _race(work: Path, runs: list[tuple[str, ...]]) -> list[int]:
    """Start the runs in forked children at the same moment; their exit codes."""
    read_end, write_end = os.pipe()
    children = []
    for args in runs:
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                os.close(write_end)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                sys.stdout = sys.stderr = open(os.devnull, "w")
                os.read(read_end, 1)            # the starting gun
                from splitter.cli import main
                try:
                    main([*args, str(work)])
                    code = 0
                except SystemExit as done:
                    code = done.code if isinstance(done.code, int) else 2
            finally:
                os._exit(code)
        children.append(pid)
    os.close(read_end)
    os.write(write_end, b"go" * len(runs))
    os.close(write_end)
    codes = []
    for pid in children:
        _, status = os.waitpid(pid, 0)
        codes.append(os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status))
    return codes


PAIRS = [(("migrate", "--resume"), ("migrate", "--rollback")), (("migrate", "--rollback"), ("migrate", "--resume")),
         (("migrate", "--resume"), ("migrate", "--resume")), (("migrate", "--rollback"), ("migrate", "--rollback")),
         (("migrate",), ("migrate", "--rollback")), (("migrate", "--resume"), ("migrate",))]


def race_many(tmp_path: Path, trees, races: int, seed: int) -> dict[str, int]:
    """Races of two runs on a tree a killed migrate left (a journal to finish or undo), and of two whole migrates
    on a fresh tree: every race ends in exactly the tree before or exactly the tree after, with no journal."""
    before, after, _ = trees
    rng = random.Random(seed)
    halfway = interrupted(tmp_path, trees, "halfway", use_git=False)
    fresh = copy_case(CASE, tmp_path / "fresh")
    strip = lambda tree: {k: v for k, v in tree.items() if not k.startswith(".git")}  # noqa: E731
    before, after = strip(before), strip(after)
    outcomes = {"before": 0, "after": 0, "gave up": 0}
    for number in range(races):
        work = tmp_path / f"race{number}"
        whole = number % 10 == 9            # one race in ten: two whole migrates (load and plan: slower)
        if whole:
            shutil.copytree(fresh, work, symlinks=True)
            runs = [("migrate",), ("migrate",)]
        else:
            copy_interrupted(halfway, work)
            runs = list(rng.choice(PAIRS))
        codes = _race(work, runs)
        assert all(code in (0, 2) for code in codes), (runs, codes)
        outcomes["gave up"] += codes.count(2)
        tree = snapshot(work)
        assert tree in (before, after), f"race {number} {runs} left a mixed tree: " \
                                        f"{sorted(k for k in set(tree) | set(after) if tree.get(k) != after.get(k))}"
        assert leftovers(work) == [], (runs, leftovers(work))
        outcomes["before" if tree == before else "after"] += 1
        shutil.rmtree(work)
    return outcomes


@DEPTHS
def test_two_hundred_races_of_two_runs_never_leave_a_mixed_tree(tmp_path, trees, depth):
    """~30 s here for all 200; without the lock it fails within the first few races. The quick run races 30 times."""
    races = 200 if depth == "exhaustive" else 30
    outcomes = race_many(tmp_path, trees, races=races, seed=1515)
    assert outcomes["before"] + outcomes["after"] == races, outcomes
    if depth == "exhaustive":       # both runs won some races: the race is real
        assert outcomes["before"] and outcomes["after"], outcomes


# -- 4. a file edited while migrate runs survives ------------------------------------------------------------------

@pytest.mark.parametrize("target, sighting", [(TEMPLATE, 1), ("src/Orders/GetOrderHandler.cs", 1),
                                              ("src/Orders/GetOrderHandler.cs", 2),
                                              ("src/Orders.X64/Orders.X64.csproj", 1)],
                         ids=["modified", "moved", "moved-after-its-copy-was-written", "created"])
def test_a_file_edited_during_the_run_survives_and_everything_else_is_restored(tmp_path, target, sighting,
                                                                                monkeypatch):
    work = committed(copy_case(CASE, tmp_path / "work"))
    before = snapshot(work)
    edit = b"// edited by hand while lambda-split ran\n"
    seen = []

    def edit_once(path: Path) -> None:
        """Edit the file the `sighting`-th time the run is about to rename over (or remove) it."""
        if path == (work / target).resolve():
            seen.append(path)
            if len(seen) == sighting:
                path.write_bytes((path.read_bytes() if path.exists() else b"") + edit)
    monkeypatch.setattr(faults, "before_rename", edit_once)
    result = run_cli("migrate", work)
    assert len(seen) == sighting, "the hook did not see the file as often as expected"
    assert_one_clear_line(result, target.rsplit("/", 1)[-1], "changed while lambda-split was working")
    assert (work / target).read_bytes().endswith(edit), "the edit was overwritten"
    expected = dict(before)
    expected[target] = (before.get(target) or b"") + edit
    expected.update({f"{target.rsplit('/', 1)[0]}/": None})
    assert {k: v for k, v in snapshot(work).items() if not k.startswith(".git/")} == \
        {k: v for k, v in expected.items() if not k.startswith(".git/")}
    assert leftovers(work) == []


# -- 5. a dry run never writes; conflicting options --------------------------------------------------------------

@pytest.mark.parametrize("action", ["--resume", "--rollback"])
def test_a_dry_run_of_resume_or_rollback_writes_nothing(tmp_path, trees, action):
    before, after, _ = trees
    work = interrupted(tmp_path, trees)
    (work / (JOURNAL_NAME + ".lambda-split-tmp")).write_bytes(b"")
    state_before = snapshot(work)
    result = run_cli("migrate", action, "--dry-run", work)
    assert result.code == 0 and "nothing written" in result.err, result.err
    assert TEMPLATE in result.err
    assert snapshot(work) == state_before, "the dry run wrote"
    (work / (JOURNAL_NAME + ".lambda-split-tmp")).unlink()
    assert run_cli("migrate", action, work).code == 0
    assert work_tree(snapshot(work)) == (after if action == "--resume" else before)


def test_a_dry_run_of_a_planted_journal_is_refused_too(tmp_path, trees):
    work = interrupted(tmp_path, trees)
    edit_journal(work, lambda data: data.update(id="2" * 32))
    assert_one_clear_line(run_cli("migrate", "--resume", "--dry-run", work), JOURNAL_NAME, "not written")


@pytest.mark.parametrize("options, words", [
    (("--resume", "--rollback"), ("--resume and --rollback",)),
    (("--rollback", "--resume"), ("--resume and --rollback",)),
    (("--rollback", "--x64-name", "Shop.Intel"), ("--rollback", "--x64-name")),
    (("--resume", "--arm64-name", "Shop.Graviton"), ("--resume", "--arm64-name")),
    (("--resume", "--parameter", "Arch=arm64"), ("--resume", "--parameter")),
    (("--rollback", "--allow-dirty"), ("--rollback", "--allow-dirty")),
])
def test_conflicting_options_are_one_line_usage_errors(tmp_path, trees, options, words):
    work = interrupted(tmp_path, trees)
    state_before = snapshot(work)
    assert_one_clear_line(run_cli("migrate", *options, work), "cannot be combined", *words)
    assert snapshot(work) == state_before


# -- 6. the fault hook is armed by tests only ----------------------------------------------------------------------

def test_the_old_fault_variable_kills_nobody(tmp_path, trees):
    _, after, _ = trees
    work = committed(copy_case(CASE, tmp_path / "work"))
    env = dict(os.environ, LAMBDA_SPLIT_FAULT_AFTER="3")
    env.pop("LAMBDA_SPLIT_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "splitter", "migrate", str(work)], cwd=REPO, env=env,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert work_tree(snapshot(work)) == after


def test_nothing_in_the_package_arms_the_fault_hook():
    assert faults.fault_after is None
    sources = {p: p.read_text() for p in (REPO / "splitter").rglob("*.py")}
    assert not [p for p, text in sources.items() if "FAULT_AFTER" in text]
    assert not [p for p, text in sources.items() if "arm(" in text and p.name != "faults.py"]
    hooks = sources[REPO / "splitter/changes/faults.py"]
    assert "os.environ" not in hooks and "getenv" not in hooks
