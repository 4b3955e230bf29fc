"""Helpers for the reliability tests: whole-tree snapshots (files, folders, links), `migrate` run in a forked child
that the fault hook may SIGKILL, and the files a run reads. The CLI itself runs through `support.run_cli`."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
from pathlib import Path

from splitter.changes import changeset, faults, journal as changes, state
from support import FIXTURES, REPO_ROOT, Run, run_cli  # noqa: F401  (Run, run_cli: re-exported)


def _changes_something(case: Path) -> bool:
    before, after = case / "before", case / "after"
    return after.is_dir() and snapshot(before) != snapshot(after)


def snapshot(root: Path) -> dict[str, bytes | str | None]:
    """Every entry below root: file -> bytes, folder -> None, link -> 'link:<target>'. Nothing is skipped."""
    tree: dict[str, bytes | str | None] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                tree[rel] = "link:" + os.readlink(path)
            elif path.is_dir():
                tree[rel + "/"] = None
            else:
                tree[rel] = path.read_bytes()
    return tree


def files_only(tree: dict) -> dict:
    return {k: v for k, v in tree.items() if not k.endswith("/")}


def leftovers(root: Path) -> list[str]:
    """Temp files and journals the tool must never leave behind once a run (or a resume/rollback) has ended."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.name.endswith(changes.TEMP_SUFFIX) or p.name == changes.JOURNAL_NAME)


def copy_interrupted(source: Path, target: Path) -> Path:
    """Copy a tree a killed run left, with its journal's id token. The token lies outside the tree (splitter/changes/
    state.py), so a plain copy is, rightly, a tree whose journal lambda-split did not write there."""
    shutil.copytree(source, target, symlinks=True)
    try:
        journal_id = json.loads((source / changes.JOURNAL_NAME).read_bytes()).get("id")
    except (OSError, ValueError, AttributeError):
        return target
    paths = state.read_token(source.resolve(), journal_id)
    if paths is not None:
        state.write_token(target.resolve(), journal_id, sorted(paths))
    return target


def migrating_cases() -> list[str]:
    """The fixtures whose migration changes files (single-arch has nothing to do)."""
    return sorted(case.name for case in FIXTURES.iterdir() if (case / "before").is_dir() and _changes_something(case))


def copy_case(case: str, target: Path) -> Path:
    shutil.copytree(FIXTURES / case / "before", target, symlinks=True)
    return target


def assert_one_clear_line(run: Run, *words: str) -> None:
    """Exit 2 with exactly one error line (warnings aside) that names what went wrong."""
    assert run.code == 2, (run.code, run.err)
    errors = [line for line in run.lines if line.startswith("lambda-split: error:")]
    assert len(errors) == 1, run.err
    for word in words:
        assert word in errors[0], (word, errors[0])


def killed_run(fault_after: int, *args: str | Path) -> int | None:
    """Run `lambda-split ARGS` in a forked child whose fault hook SIGKILLs it after its Nth file operation.
    Returns the signal that ended the child, or None when it exited by itself."""
    pid = os.fork()
    if pid == 0:                                    # the child: never return into pytest
        code = 70
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            sys.stdout = sys.stderr = open(os.devnull, "w")
            faults.arm(fault_after)
            from splitter.cli import main
            try:
                main([str(a) for a in args])
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.WTERMSIG(status) if os.WIFSIGNALED(status) else None


def killed_apply(change_set: changeset.ChangeSet, fault_after: int) -> int | None:
    """Apply a planned change set in a forked child that the fault hook SIGKILLs after its Nth file operation: the
    same kill points as a whole `migrate`, without loading and planning the solution again for each."""
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            faults.arm(fault_after)
            changes.apply(change_set)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.WTERMSIG(status) if os.WIFSIGNALED(status) else None


def count_operations(*args: str | Path) -> tuple[Run, int]:
    """Run the CLI in-process and count the low-level file operations it made."""
    faults.arm(None)
    result = run_cli(*args)
    return result, faults.operations


KILLED = signal.SIGKILL


# -- reads outside the tree ------------------------------------------------------------------------------------------

_reads: list[str] | None = None
_ALLOWED_READS = tuple(sorted({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                                              REPO_ROOT)}))


def _record_open(event: str, args: tuple) -> None:
    if event == "open" and _reads is not None and isinstance(args[0], (str, bytes, os.PathLike)):
        _reads.append(os.path.realpath(os.fsdecode(args[0])))    # where the bytes really come from, links followed


sys.addaudithook(_record_open)


@contextlib.contextmanager
def reads_recorded():
    """Record every file the code opens (through Python's `open` audit event) while the block runs."""
    global _reads
    _reads = []
    try:
        yield _reads
    finally:
        _reads = None


def reads_outside(reads: list[str], root: Path, *allowed: Path) -> list[str]:
    """The recorded files that lie outside root, the allowed folders, the interpreter and this repository."""
    state_home = [os.environ["XDG_STATE_HOME"]] if os.environ.get("XDG_STATE_HOME") else []  # run lock, journal id
    inside = [os.path.realpath(p) for p in (root, *allowed, *state_home)] + list(_ALLOWED_READS)
    return sorted({p for p in reads if not any(p == top or p.startswith(top + os.sep) for top in inside)})
