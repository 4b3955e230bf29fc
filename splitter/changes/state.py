"""What lambda-split keeps about a run where a clone, an archive or a pull request cannot bring it: the id token
that proves a journal is lambda-split's own, and the lock that keeps two runs on one tree apart.

The place is the git directory of the repository holding the root (`.git/lambda-split/`, or the worktree's git
directory), which git never checks out, commits or clones. A folder outside any git repository uses the user's own
state folder instead, one sub-folder per root: `$XDG_STATE_HOME/lambda-split/roots/<hash of the root>/` (default
`~/.local/state/...`), created private (0700). Neither lies in the work tree, and both are emptied and removed
when a run ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import subprocess
import time
from pathlib import Path
from typing import Iterator

from splitter.errors import SplitterError

try:
    import fcntl
except ImportError:     # Windows: no flock; runs are not kept apart there
    fcntl = None        # type: ignore[assignment]

LOCK_NAME = "lock"
LOCK_WAIT = 3.0             # seconds a second run waits for the first before giving up
TOKEN_PREFIX, TOKEN_SUFFIX = "journal-", ".json"
ID_PATTERN = re.compile(r"[0-9a-f]{32}")


# -- where ----------------------------------------------------------------------------------------------------------

def _existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:     # `new` applies below a folder it creates
        path = path.parent
    return path


def repository_top(path: Path) -> Path | None:
    """The folder holding the `.git` of the repository that contains `path`, if any."""
    start = _existing(path)
    for folder in (start, *start.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return None


def git_dir(root: Path) -> Path | None:
    """The git directory of the repository holding root: `.git` itself, or where a worktree's `.git` file points."""
    top = repository_top(root)
    if top is None:
        return None
    dot_git = top / ".git"
    if dot_git.is_dir() and not dot_git.is_symlink():
        return dot_git.resolve()
    try:
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    target = Path(text[len("gitdir:"):].strip())
    target = target if target.is_absolute() else top / target
    return target.resolve() if target.is_dir() else None


def state_dir(root: Path) -> Path:
    found = git_dir(root)
    if found is not None:
        return found / "lambda-split"
    home = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    key = hashlib.sha256(os.fsencode(str(root))).hexdigest()[:24]
    return Path(home) / "lambda-split" / "roots" / key


def _make_state_dir(folder: Path) -> None:
    os.makedirs(folder, mode=0o700, exist_ok=True)


def _tidy(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()          # only when empty: another run's lock or token keeps it


def tracked(root: Path, path: Path) -> bool:
    """Whether git tracks `path` (in the index or a commit): lambda-split never adds its journal, so a tracked one
    came with the repository. Without git installed nothing can be tracked by it here."""
    top = repository_top(root)
    if top is None:
        return False
    try:
        done = subprocess.run(["git", "-C", str(top), "ls-files", "--error-unmatch", "--", str(path)],
                              capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


# -- the journal's id token ----------------------------------------------------------------------------------------

def new_id() -> str:
    return secrets.token_hex(16)


def _token_path(root: Path, journal_id: str) -> Path:
    return state_dir(root) / f"{TOKEN_PREFIX}{journal_id}{TOKEN_SUFFIX}"


def write_token(root: Path, journal_id: str, paths: list[str]) -> None:
    """Record, before the journal exists, that this run writes it and which paths its plan touches."""
    path = _token_path(root, journal_id)
    _make_state_dir(path.parent)
    data = json.dumps({"root": str(root), "paths": sorted(set(paths))}).encode("utf-8")
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def read_token(root: Path, journal_id: str) -> set[str] | None:
    """The paths the plan of journal `journal_id` touches, when this machine's lambda-split wrote it for root."""
    if not isinstance(journal_id, str) or not ID_PATTERN.fullmatch(journal_id):
        return None
    path = _token_path(root, journal_id)
    try:
        if path.is_symlink():
            return None
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("root") != str(root) or not isinstance(data.get("paths"), list):
        return None
    return {p for p in data["paths"] if isinstance(p, str)}


def remove_token(root: Path, journal_id: str) -> None:
    path = _token_path(root, journal_id)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    _tidy(path.parent)


def remove_stale_tokens(root: Path) -> None:
    """Tokens of root whose journal is gone (a run killed just before writing it or just after removing it)."""
    folder = state_dir(root)
    try:
        names = [n for n in os.listdir(folder) if n.startswith(TOKEN_PREFIX)]
    except OSError:
        return
    for name in names:
        path = folder / name
        try:
            data = json.loads(path.read_bytes()) if not name.endswith(".tmp") else {"root": str(root)}
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("root") == str(root):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
    _tidy(folder)


# -- the run lock ----------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def locked(root: Path, what: str, wait: float | None = None) -> Iterator[None]:
    """Hold the exclusive lock of root's repository (or folder) for the block. A second run waits up to LOCK_WAIT
    seconds, then fails with one line naming the run that holds it. The lock file lives in the state folder, never
    in the work tree, and is removed when the block ends (a killed run's lock is released by the kernel)."""
    if fcntl is None:
        yield
        return
    folder = state_dir(root)
    path = folder / LOCK_NAME
    deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
    while True:
        try:
            _make_state_dir(folder)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileNotFoundError:
            continue            # the holder removed the folder as it finished: try again
        except OSError as exc:
            raise SplitterError(f"cannot take the lock of this run: {exc.strerror}", path,
                                hint="make the folder writable and run again") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            if time.monotonic() >= deadline:
                raise SplitterError(f"another lambda-split run is working on this tree ({holder})", path,
                                    hint="wait for it to finish, then run again") from None
            time.sleep(0.05)
            continue
        try:
            same = os.fstat(fd).st_ino == os.stat(path, follow_symlinks=False).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)            # locked a file its holder had just removed: take the current one
    try:
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"pid {os.getpid()}: {what}, since {time.strftime('%H:%M:%S')}".encode("utf-8"))
        except OSError as exc:      # a full disk: the run could not write its journal either
            raise SplitterError(f"cannot write: {exc.strerror or type(exc).__name__}; nothing was changed", path,
                                hint="fix it and run again") from None
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)
        _tidy(folder)


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 300, 0).decode("utf-8", errors="replace").strip()
    except OSError:
        text = ""
    return text or "a run that is just starting"
