"""Apply a change set atomically: every change or none. A journal at the root records the run while it works, so
an interrupted run can be finished (`resume`) or undone (`rollback`) and never leaves a half-written file.

Test-only facility: LAMBDA_SPLIT_FAULT_AFTER=N makes the process SIGKILL itself after its N-th low-level file
operation (see `_operation_done`); the crash-safety tests use it. Without the variable nothing is ever killed.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import stat
from pathlib import Path, PurePosixPath

from splitter.errors import SplitterError
from splitter.changes.changeset import Change, ChangeSet, Create, Modify, Move, target_of


JOURNAL_NAME = ".lambda-split-journal.json"
TEMP_SUFFIX = ".lambda-split-tmp"


def apply(change_set: ChangeSet) -> None:
    """Write every change or none: on any error the tree is restored and a SplitterError raised. If even the
    restore fails (a disk that stays full), the journal stays so that `--resume` or `--rollback` can finish."""
    root = change_set.root.resolve()
    journal = root / JOURNAL_NAME
    if os.path.lexists(journal):
        raise SplitterError("an earlier lambda-split run was interrupted here", journal,
                            hint="run `lambda-split migrate --resume` or `--rollback` first")
    _validate(change_set.changes, root)
    modes = _current_modes(root, change_set.changes)
    try:
        _write_journal(journal, change_set.changes, modes)
    except OSError as exc:
        raise _write_error(exc, "nothing was changed", "fix it and run again") from None
    try:
        _perform(root, change_set.changes, modes)
    except BaseException as failure:
        try:
            _rollback(root, change_set.changes, modes)
        except OSError as undo_failure:
            cause = failure if isinstance(failure, OSError) else undo_failure
            raise _write_error(cause, "the run stopped half-way and could not undo itself",
                               "fix it, then run `lambda-split migrate --resume` to finish or `--rollback` "
                               "to undo") from None
        _unlink(journal)
        if isinstance(failure, OSError):
            raise _write_error(failure, "every file was restored", "fix it and run again") from None
        raise
    _unlink(journal)

def _validate(changes: list[Change], root: Path) -> None:
    for change in changes:
        for rel in ([change.source, change.target] if isinstance(change, Move) else [change.path]):
            _inside(root, rel)
        if isinstance(change, Create):
            if os.path.lexists(root / change.path):
                raise SplitterError("would create a file that already exists", root / change.path,
                                    hint="move it away or rename the new project with --x64-name/--arm64-name")
            _expect_writable_folder(root / change.path)
        elif isinstance(change, Modify):
            _expect(root / change.path, change.before)
            _expect_writable(root, root / change.path)
        else:
            _expect(root / change.source, change.before)
            _expect_writable(root, root / change.source)
            if os.path.lexists(root / change.target):
                raise SplitterError("would move a file onto one that already exists", root / change.target)
            _expect_writable_folder(root / change.target)


def _inside(root: Path, rel: str) -> Path:
    """The path of `rel` below root, refusing anything that leads out of it: `..`, absolute paths, and links."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in rel or ":" in pure.parts[0]:
        raise SplitterError(f"refusing to write outside the solution root: {rel}", root)
    full = root / rel
    # Resolve the deepest existing part: a link (even a dangling one) must not lead the write elsewhere.
    probe = full
    while not os.path.lexists(probe) and probe != root:
        probe = probe.parent
    resolved = probe.resolve()
    if resolved != root and root not in resolved.parents:
        raise SplitterError(f"refusing to write through a link that leaves the solution root: {rel}", root,
                            hint=f"it leads to {resolved}")
    return full


def _expect(path: Path, content: bytes) -> None:
    try:
        current = path.read_bytes()
    except OSError:
        raise SplitterError("file to change is missing", path, hint="re-run after restoring it") from None
    if current != content:
        raise SplitterError("file changed while lambda-split was working", path, hint="run the command again")


def _expect_writable(root: Path, path: Path) -> None:
    """A file marked read-only (a locked checkout, a generated file) is refused before anything is written."""
    if not (path.stat().st_mode & stat.S_IWUSR) or not os.access(path, os.W_OK):
        raise SplitterError("file to change is read-only", path,
                            hint="make it writable (or check it out) and run again")
    _expect_writable_folder(path)


def _expect_writable_folder(path: Path) -> None:
    folder = path.parent
    while not folder.exists() and folder.parent != folder:     # `new` creates the root folder itself
        folder = folder.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise SplitterError("cannot write in this folder", folder, hint="make it writable and run again")


def _write_error(exc: OSError, outcome: str, hint: str) -> SplitterError:
    name = exc.filename or ""
    name = name[:-len(TEMP_SUFFIX)] if isinstance(name, str) and name.endswith(TEMP_SUFFIX) else name
    reason = exc.strerror or type(exc).__name__
    return SplitterError(f"cannot write: {reason}; {outcome}", name or None, hint=hint)


# -- journal-backed apply, resume, rollback ---------------------------------------------------------------------
#
# Test-only fault hook: with LAMBDA_SPLIT_FAULT_AFTER=N in the environment the process SIGKILLs itself right after
# its N-th low-level file operation (half a temp file written, temp file complete, fsync, replace, unlink, mkdir,
# rmdir; the journal's own writes included). tests/test_crash_safety.py uses it to prove that a run killed at any
# of those points leaves the original tree, the complete result, or a journal that --resume/--rollback finish.
# Users never set it; it only ever counts, and kills nothing, when the variable is absent.

FAULT_ENV = "LAMBDA_SPLIT_FAULT_AFTER"
file_operations = 0          # low-level file operations done by this process so far


def _operation_done() -> None:
    global file_operations
    file_operations += 1
    limit = os.environ.get(FAULT_ENV, "")
    if limit.isdigit() and file_operations == int(limit):
        os.kill(os.getpid(), signal.SIGKILL)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _current_modes(root: Path, changes: list[Change]) -> dict[str, int]:
    """Permission bits of the files a run replaces or moves, so that a rollback restores them too."""
    modes = {}
    for change in changes:
        if not isinstance(change, Create):
            rel = change.source if isinstance(change, Move) else change.path
            modes[rel] = (root / rel).stat().st_mode & 0o7777
    return modes


def _write_journal(journal: Path, changes: list[Change], modes: dict[str, int]) -> None:
    entries = []
    for change in changes:
        entry: dict = {"kind": type(change).__name__.lower()}
        if isinstance(change, Move):
            entry.update(source=change.source, target=change.target, before=_b64(change.before),
                         after=_b64(change.after), mode=modes.get(change.source))
        elif isinstance(change, Modify):
            entry.update(path=change.path, before=_b64(change.before), after=_b64(change.after),
                         mode=modes.get(change.path))
        else:
            entry.update(path=change.path, after=_b64(change.content))
        entries.append(entry)
    _atomic_write(journal, json.dumps({"version": 1, "changes": entries}, indent=1).encode("utf-8"))
    _sync_folder(journal.parent)    # the journal is on disk before the first file changes


def _read_journal(root: Path) -> tuple[list[Change], dict[str, int]] | None:
    journal = root / JOURNAL_NAME
    if not os.path.lexists(journal):
        return None
    if journal.is_symlink():
        raise SplitterError("the journal is a link, not a file lambda-split wrote", journal,
                            hint="delete it; lambda-split never reads through it")
    try:
        data = json.loads(journal.read_bytes())
        changes: list[Change] = []
        modes: dict[str, int] = {}
        dec = base64.b64decode
        for e in data["changes"]:
            if e["kind"] == "move":
                changes.append(Move(e["source"], e["target"], dec(e["before"]), dec(e["after"])))
                rel = e["source"]
            elif e["kind"] == "modify":
                changes.append(Modify(e["path"], dec(e["before"]), dec(e["after"])))
                rel = e["path"]
            else:
                changes.append(Create(e["path"], dec(e["after"])))
                continue
            if isinstance(e.get("mode"), int):
                modes[rel] = e["mode"] & 0o7777
        for change in changes:
            for rel in ([change.source, change.target] if isinstance(change, Move) else [change.path]):
                _inside(root, rel)
        return changes, modes
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise SplitterError("the journal of an interrupted run is unreadable", journal,
                            hint="restore the tree from version control and delete the journal") from None


def resume(root: Path) -> bool:
    """Finish an interrupted apply. False when there is nothing to finish."""
    return _finish(root.resolve(), undo=False)


def rollback(root: Path) -> bool:
    """Undo an interrupted apply. False when there is nothing to undo."""
    return _finish(root.resolve(), undo=True)


def _finish(root: Path, undo: bool) -> bool:
    journal = root / JOURNAL_NAME
    found = _read_journal(root)
    if found is None:
        # A run killed while writing its journal had changed nothing; its incomplete journal is all there is.
        _remove_temp(journal)
        return False
    changes, modes = found
    _expect_interrupted_state(root, changes)
    try:
        (_rollback if undo else _perform)(root, changes, modes)
    except OSError as exc:
        raise _write_error(exc, "the journal is kept", f"fix it and run `lambda-split migrate "
                                                       f"{'--rollback' if undo else '--resume'}` again") from None
    _unlink(journal)
    return True


def _expect_interrupted_state(root: Path, changes: list[Change]) -> None:
    """Every file is as the interrupted run left it (before or after its change), so finishing loses nothing."""
    for change in changes:
        if isinstance(change, Create):
            checks = [(change.path, (None, change.content))]
        elif isinstance(change, Modify):
            checks = [(change.path, (change.before, change.after))]
        else:
            checks = [(change.source, (None, change.before)), (change.target, (None, change.after))]
        for rel, allowed in checks:
            if _read(root / rel) not in allowed:
                raise SplitterError("file changed since the interrupted run", root / rel,
                                    hint="restore it (or its change) by hand, then run again; the journal holds "
                                         "both versions")


def _atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write a temp file beside `path`, fsync it, then rename it over `path`: readers see old or new, never half."""
    _make_folders(path.parent)
    tmp = _temp_of(path)
    _unlink(tmp)        # a leftover of a killed run, or a planted link: never written through
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, 0o666)
    try:
        try:
            half = len(data) // 2
            _write_all(fd, data[:half])
            _operation_done()           # a kill here leaves a half-written temp file
            _write_all(fd, data[half:])
            _operation_done()
            os.fsync(fd)
            _operation_done()
            if mode is not None:
                os.chmod(tmp, mode)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        _operation_done()
    except BaseException as failure:
        tmp.unlink(missing_ok=True)
        if isinstance(failure, OSError) and failure.filename is None:
            failure.filename = str(path)        # os.write names no file; the user needs to know which
        raise


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _make_folders(folder: Path) -> None:
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        os.mkdir(path)
        _operation_done()


def _unlink(path: Path) -> None:
    if os.path.lexists(path):
        os.unlink(path)
        _operation_done()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _perform(root: Path, changes: list[Change], modes: dict[str, int]) -> None:
    """Idempotent: each step checks whether it is already done, so an interrupted run can be resumed."""
    for change in changes:
        if isinstance(change, Create):
            if _read(root / change.path) != change.content:
                _atomic_write(root / change.path, change.content)
        elif isinstance(change, Modify):
            if _read(root / change.path) != change.after:
                _atomic_write(root / change.path, change.after, modes.get(change.path))
        else:
            source, target = root / change.source, root / change.target
            if _read(target) != change.after:
                _atomic_write(target, change.after, modes.get(change.source))
            _unlink(source)
        _remove_temp(root / target_of(change))
    _remove_emptied_folders(root, changes)
    _sync_dirs(root, changes)


def _remove_emptied_folders(root: Path, changes: list[Change]) -> None:
    """A folder a move emptied goes, and so do its parents that become empty, as `git apply` leaves the tree (the
    rollback's write of the moved file makes the folders again)."""
    for change in changes:
        if not isinstance(change, Move):
            continue
        folder = (root / change.source).parent
        while folder != root and root in folder.parents and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            _operation_done()
            folder = folder.parent


def _rollback(root: Path, changes: list[Change], modes: dict[str, int]) -> None:
    created_dirs: set[Path] = set()
    for change in reversed(changes):
        if isinstance(change, Create):
            _remove(root / change.path)
            created_dirs.add((root / change.path).parent)
        elif isinstance(change, Modify):
            if _read(root / change.path) != change.before:
                _atomic_write(root / change.path, change.before, modes.get(change.path))
            _remove_temp(root / change.path)
        else:
            source, target = root / change.source, root / change.target
            if _read(source) != change.before:
                _atomic_write(source, change.before, modes.get(change.source))
            _remove_temp(source)
            _remove(target)
            created_dirs.add(target.parent)
    for folder in sorted(created_dirs, key=lambda p: len(p.parts), reverse=True):
        while folder != root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            _operation_done()
            folder = folder.parent
    _sync_dirs(root, changes)


def _remove(path: Path) -> None:
    _unlink(path)
    _remove_temp(path)


def _temp_of(path: Path) -> Path:
    return path.with_name(path.name + TEMP_SUFFIX)


def _remove_temp(path: Path) -> None:
    _unlink(_temp_of(path))


def _sync_dirs(root: Path, changes: list[Change]) -> None:
    for folder in {(root / target_of(c)).parent for c in changes}:
        _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return          # Windows cannot open a folder; its renames are durable without it
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
