"""Apply a change set atomically: every change or none. A journal at the root records the run while it works, so
an interrupted run can be finished (`resume`) or undone (`rollback`) and never leaves a half-written file.

A journal is only honoured when this machine's lambda-split wrote it (splitter/changes/trust.py): it carries a random id
whose token lies where a clone does not bring it (splitter/changes/state.py), git does not track it, every path it
names is one its recorded plan touches and lies outside `.git`, and it sets no mode but a file's own or 0644.
Just before each rename the file it replaces is checked once more: a file edited during the run is never
overwritten; the run restores everything it wrote and stops.

The test-only fault hooks (a kill after the N-th file operation, a call before each rename) live in
splitter/changes/faults.py; nothing in the CLI arms them.
"""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path
from typing import Callable

from splitter.errors import SplitterError
from splitter.changes import faults, state, trust
from splitter.changes.guard import ChangedDuringRun, Guard, read_or_none
from splitter.changes.paths import inside as _inside
from splitter.changes.changeset import Change, ChangeSet, Create, Modify, Move, target_of, touched_paths


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
    guard = Guard(root, [c.source if isinstance(c, Move) else c.path for c in change_set.changes
                           if not isinstance(c, Create)])
    _validate(change_set.changes, root)
    modes = _current_modes(root, change_set.changes)
    journal_id = state.new_id()
    try:
        state.remove_stale_tokens(root)
        state.write_token(root, journal_id, touched_paths(change_set.changes))
        _write_journal(journal, change_set.changes, modes, journal_id)
    except OSError as exc:
        state.remove_token(root, journal_id)
        raise _write_error(exc, "nothing was changed", "fix it and run again") from None
    try:
        _perform(root, change_set.changes, modes, guard)
    except BaseException as failure:
        try:
            if isinstance(failure, ChangedDuringRun):   # undo what was written, never the file edited meanwhile
                for path in failure.written:
                    _remove(path)
                failed = root / target_of(change_set.changes[failure.index])
                _rollback(root, change_set.changes[:failure.index], modes, {failed.parent})
            else:
                _rollback(root, change_set.changes, modes)
        except OSError as undo_failure:
            cause = failure if isinstance(failure, OSError) else undo_failure
            raise _write_error(cause, "the run stopped half-way and could not undo itself",
                               "fix it, then run `lambda-split migrate --resume` to finish or `--rollback` "
                               "to undo") from None
        _unlink(journal)
        state.remove_token(root, journal_id)
        if isinstance(failure, OSError):
            raise _write_error(failure, "every file was restored", "fix it and run again") from None
        if isinstance(failure, ChangedDuringRun):
            raise SplitterError("file changed while lambda-split was working; every file it had written was "
                                "restored and the edit kept", failure.path, hint="run the command again") from None
        raise
    _unlink(journal)
    state.remove_token(root, journal_id)


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
# Every low-level file operation reports to splitter/changes/faults.py, whose test-only hook can kill the process
# right after any of them (tests/test_crash_safety.py).

_operation_done = faults.operation_done


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


def _write_journal(journal: Path, changes: list[Change], modes: dict[str, int], journal_id: str) -> None:
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
    data = {"version": 2, "id": journal_id, "changes": entries}
    _atomic_write(journal, json.dumps(data, indent=1).encode("utf-8"))
    _sync_folder(journal.parent)    # the journal is on disk before the first file changes


def pending(root: Path) -> list[Change] | None:
    """What `resume` or `rollback` would act on, checked as they check it, writing nothing (`--dry-run`)."""
    found = trust.read_journal(root.resolve(), root.resolve() / JOURNAL_NAME)
    if found is None:
        return None
    _expect_interrupted_state(root.resolve(), found[0])
    return found[0]


def resume(root: Path) -> bool:
    """Finish an interrupted apply. False when there is nothing to finish."""
    return _finish(root.resolve(), undo=False)


def rollback(root: Path) -> bool:
    """Undo an interrupted apply. False when there is nothing to undo."""
    return _finish(root.resolve(), undo=True)


def _finish(root: Path, undo: bool) -> bool:
    journal = root / JOURNAL_NAME
    found = trust.read_journal(root, journal)
    if found is None:
        # A run killed while writing its journal had changed nothing; its incomplete journal is all there is.
        _remove_temp(journal)
        state.remove_stale_tokens(root)
        return False
    changes, modes, journal_id = found
    _expect_interrupted_state(root, changes)
    try:
        (_rollback if undo else _perform)(root, changes, modes)
    except OSError as exc:
        raise _write_error(exc, "the journal is kept", f"fix it and run `lambda-split migrate "
                                                       f"{'--rollback' if undo else '--resume'}` again") from None
    _unlink(journal)
    state.remove_token(root, journal_id)
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
            if read_or_none(root / rel) not in allowed:
                raise SplitterError("file changed since the interrupted run", root / rel,
                                    hint="restore it (or its change) by hand, then run again; the journal holds "
                                         "both versions")


def _atomic_write(path: Path, data: bytes, mode: int | None = None, check: Callable[[], None] | None = None) -> None:
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
        if check is not None:
            check()                     # the last look at the file this rename replaces
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


def _perform(root: Path, changes: list[Change], modes: dict[str, int], guard: Guard | None = None) -> None:
    """Idempotent: each step checks whether it is already done, so an interrupted run can be resumed. With a guard
    (a first run, not a resume) each file is checked once more right before it is replaced, moved or created."""
    for index, change in enumerate(changes):
        if guard is not None:
            guard.index = index
        if isinstance(change, Create):
            if read_or_none(root / change.path) != change.content:
                _atomic_write(root / change.path, change.content,
                              check=guard and (lambda c=change: guard.absent(c.path)))
        elif isinstance(change, Modify):
            if read_or_none(root / change.path) != change.after:
                _atomic_write(root / change.path, change.after, modes.get(change.path),
                              check=guard and (lambda c=change: guard.unchanged(c.path, c.before)))
        else:
            source, target = root / change.source, root / change.target
            if read_or_none(target) != change.after:
                _atomic_write(target, change.after, modes.get(change.source),
                              check=guard and (lambda c=change: (guard.absent(c.target),
                                                                 guard.unchanged(c.source, c.before))))
            if guard is not None:
                guard.unchanged(change.source, change.before, written=[target])
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


def _rollback(root: Path, changes: list[Change], modes: dict[str, int], created_dirs: set[Path] | None = None) -> None:
    """Undo `changes`; `created_dirs` names further folders the run may have made (removed when left empty)."""
    created_dirs = set(created_dirs or ())
    for change in reversed(changes):
        if isinstance(change, Create):
            _remove(root / change.path)
            created_dirs.add((root / change.path).parent)
        elif isinstance(change, Modify):
            if read_or_none(root / change.path) != change.before:
                _atomic_write(root / change.path, change.before, modes.get(change.path))
            _remove_temp(root / change.path)
        else:
            source, target = root / change.source, root / change.target
            if read_or_none(source) != change.before:
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
