"""A change set: files to create, modify and move under one root, rendered as a git patch or applied atomically.

Every command that writes (`migrate`, `new`) builds a ChangeSet first; `--dry-run` renders it with `to_patch()`,
a real run calls `apply()`. Apply keeps a journal at the root while it works so that an interrupted run can be
finished (`resume`) or undone (`rollback`) and never leaves a half-written file.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable, Union

from splitter.errors import SplitterError

JOURNAL_NAME = ".lambda-split-journal.json"
TEMP_SUFFIX = ".lambda-split-tmp"


@dataclass(frozen=True)
class Create:
    path: str
    content: bytes
    reason: str = ""


@dataclass(frozen=True)
class Modify:
    path: str
    before: bytes
    after: bytes
    reason: str = ""


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    before: bytes
    after: bytes
    reason: str = ""


Change = Union[Create, Modify, Move]


def target_of(change: Change) -> str:
    return change.target if isinstance(change, Move) else change.path


def status_word(change: Change) -> str:
    if isinstance(change, Create):
        return "create"
    if isinstance(change, Move):
        return "move" if change.before == change.after else "move+edit"
    return "modify"


@dataclass
class ChangeSet:
    root: Path
    changes: list[Change] = field(default_factory=list)

    def add(self, change: Change) -> None:
        if isinstance(change, Modify) and change.before == change.after:
            return
        self.changes.append(change)

    def extend(self, changes: Iterable[Change]) -> None:
        for change in changes:
            self.add(change)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def sorted(self) -> list[Change]:
        return sorted(self.changes, key=target_of)

    def final_tree(self, files: dict[str, bytes]) -> dict[str, bytes]:
        """The tree after the change, given the tree before as {relative path: bytes}; used by tests and checks."""
        tree = dict(files)
        for change in self.changes:
            if isinstance(change, Create):
                tree[change.path] = change.content
            elif isinstance(change, Modify):
                tree[change.path] = change.after
            else:
                del tree[change.source]
                tree[change.target] = change.after
        return tree

    # -- rendering -------------------------------------------------------------------------------------------
    def to_patch(self) -> bytes:
        return b"".join(_patch_for(change) for change in self.sorted())

    # -- applying --------------------------------------------------------------------------------------------
    def apply(self) -> None:
        """Write every change or none: on any error the tree is restored and the error re-raised."""
        root = self.root.resolve()
        self._validate(root)
        journal = root / JOURNAL_NAME
        if journal.exists():
            raise SplitterError("an earlier lambda-split run was interrupted here", journal,
                                hint="run `lambda-split migrate --resume` or `--rollback` first")
        _write_journal(journal, self.changes)
        try:
            _perform(root, self.changes)
        except BaseException:
            _rollback(root, self.changes)
            journal.unlink(missing_ok=True)
            raise
        journal.unlink()

    def _validate(self, root: Path) -> None:
        for change in self.changes:
            for rel in ([change.source, change.target] if isinstance(change, Move) else [change.path]):
                _inside(root, rel)
            if isinstance(change, Create):
                if (root / change.path).exists():
                    raise SplitterError("would create a file that already exists", root / change.path,
                                        hint="move it away or rename the new project with --x64-name/--arm64-name")
            elif isinstance(change, Modify):
                _expect(root / change.path, change.before)
            else:
                _expect(root / change.source, change.before)
                if (root / change.target).exists():
                    raise SplitterError("would move a file onto one that already exists", root / change.target)


def _inside(root: Path, rel: str) -> Path:
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts:
        raise SplitterError(f"refusing to write outside the solution root: {rel}", root)
    full = root / rel
    # Resolve the deepest existing parent: a symlinked folder must not lead the write elsewhere.
    probe = full
    while not probe.exists() and probe != root:
        probe = probe.parent
    if probe.exists() and root not in (probe.resolve(), *probe.resolve().parents):
        raise SplitterError(f"refusing to write through a link that leaves the solution root: {rel}", root)
    return full


def _expect(path: Path, content: bytes) -> None:
    try:
        current = path.read_bytes()
    except OSError:
        raise SplitterError("file to change is missing", path, hint="re-run after restoring it") from None
    if current != content:
        raise SplitterError("file changed while lambda-split was working", path, hint="run the command again")


# -- journal-backed apply, resume, rollback ---------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _write_journal(journal: Path, changes: list[Change]) -> None:
    entries = []
    for change in changes:
        entry = {"kind": type(change).__name__.lower()}
        if isinstance(change, Move):
            entry.update(source=change.source, target=change.target, before=_b64(change.before),
                         after=_b64(change.after))
        elif isinstance(change, Modify):
            entry.update(path=change.path, before=_b64(change.before), after=_b64(change.after))
        else:
            entry.update(path=change.path, after=_b64(change.content))
        entries.append(entry)
    _atomic_write(journal, json.dumps({"version": 1, "changes": entries}, indent=1).encode("utf-8"))


def read_journal(root: Path) -> list[Change] | None:
    journal = root / JOURNAL_NAME
    if not journal.exists():
        return None
    try:
        data = json.loads(journal.read_bytes())
        changes: list[Change] = []
        for e in data["changes"]:
            dec = base64.b64decode
            if e["kind"] == "move":
                changes.append(Move(e["source"], e["target"], dec(e["before"]), dec(e["after"])))
            elif e["kind"] == "modify":
                changes.append(Modify(e["path"], dec(e["before"]), dec(e["after"])))
            else:
                changes.append(Create(e["path"], dec(e["after"])))
        return changes
    except (ValueError, KeyError, TypeError):
        raise SplitterError("the journal of an interrupted run is unreadable", journal,
                            hint="restore the tree from version control and delete the journal") from None


def resume(root: Path) -> bool:
    changes = read_journal(root)
    if changes is None:
        return False
    _perform(root.resolve(), changes)
    (root / JOURNAL_NAME).unlink()
    return True


def rollback(root: Path) -> bool:
    changes = read_journal(root)
    if changes is None:
        return False
    _rollback(root.resolve(), changes)
    (root / JOURNAL_NAME).unlink()
    return True


def _atomic_write(path: Path, data: bytes, mode_from: Path | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + TEMP_SUFFIX)
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    if mode_from is not None and mode_from.exists():
        os.chmod(tmp, mode_from.stat().st_mode & 0o7777)
    os.replace(tmp, path)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _perform(root: Path, changes: list[Change]) -> None:
    """Idempotent: each step checks whether it is already done, so an interrupted run can be resumed."""
    for change in changes:
        if isinstance(change, Create):
            if _read(root / change.path) != change.content:
                _atomic_write(root / change.path, change.content)
        elif isinstance(change, Modify):
            if _read(root / change.path) != change.after:
                _atomic_write(root / change.path, change.after, mode_from=root / change.path)
        else:
            source, target = root / change.source, root / change.target
            if _read(target) != change.after:
                _atomic_write(target, change.after, mode_from=source)
            if source.exists():
                source.unlink()
    _sync_dirs(root, changes)


def _rollback(root: Path, changes: list[Change]) -> None:
    created_dirs: set[Path] = set()
    for change in reversed(changes):
        if isinstance(change, Create):
            _remove(root / change.path)
            created_dirs.add((root / change.path).parent)
        elif isinstance(change, Modify):
            if _read(root / change.path) != change.before:
                _atomic_write(root / change.path, change.before, mode_from=root / change.path)
            _remove_temp(root / change.path)
        else:
            source, target = root / change.source, root / change.target
            if _read(source) != change.before:
                _atomic_write(source, change.before)
            _remove(target)
            created_dirs.add(target.parent)
    for folder in sorted(created_dirs, key=lambda p: len(p.parts), reverse=True):
        while folder != root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    _remove_temp(path)


def _remove_temp(path: Path) -> None:
    path.with_name(path.name + TEMP_SUFFIX).unlink(missing_ok=True)


def _sync_dirs(root: Path, changes: list[Change]) -> None:
    folders = {(root / target_of(c)).parent for c in changes}
    for folder in folders:
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


# -- git patch rendering ---------------------------------------------------------------------------------------

_NEEDS_QUOTE = re.compile(rb'[\x00-\x1f"\\\x7f-\xff]')


def quote_path(prefix: str, path: str) -> bytes:
    """Quote a path the way git does (core.quotePath): C-style with octal escapes for bytes outside ASCII."""
    raw = (prefix + path).encode("utf-8")
    if not _NEEDS_QUOTE.search(raw):
        return raw
    out = bytearray(b'"')
    for byte in raw:
        char = bytes([byte])
        if char in (b'"', b"\\"):
            out += b"\\" + char
        elif char == b"\t":
            out += b"\\t"
        elif char == b"\n":
            out += b"\\n"
        elif byte < 0x20 or byte >= 0x7F:
            out += b"\\%03o" % byte
        else:
            out += char
    return bytes(out + b'"')


def _file_line(marker: bytes, quoted: bytes) -> bytes:
    # git ends the ---/+++ line with a tab when an unquoted name holds a space, so that the name is unambiguous.
    tab = b"\t" if b" " in quoted and not quoted.startswith(b'"') else b""
    return marker + b" " + quoted + tab + b"\n"


def _lines(data: bytes) -> list[bytes]:
    return re.findall(rb"[^\n]*\n|[^\n]+$", data)


def _hunks(before: bytes, after: bytes) -> bytes:
    a, b = _lines(before), _lines(after)
    out = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(3):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        old_start = i1 + 1 if i2 > i1 else i1
        new_start = j1 + 1 if j2 > j1 else j1
        out.append(b"@@ -%d,%d +%d,%d @@\n" % (old_start, i2 - i1, new_start, j2 - j1))
        for tag, x1, x2, y1, y2 in group:
            if tag == "equal":
                out.extend(_prefixed(b" ", a[x1:x2]))
                continue
            out.extend(_prefixed(b"-", a[x1:x2]))
            out.extend(_prefixed(b"+", b[y1:y2]))
    return b"".join(out)


def _prefixed(prefix: bytes, lines: list[bytes]) -> list[bytes]:
    result = []
    for line in lines:
        result.append(prefix + line)
        if not line.endswith(b"\n"):
            result.append(b"\n\\ No newline at end of file\n")
    return result


def _similarity(before: bytes, after: bytes) -> int:
    if before == after:
        return 100
    ratio = difflib.SequenceMatcher(None, _lines(before), _lines(after), autojunk=False).ratio()
    return int(ratio * 100)


def _patch_for(change: Change) -> bytes:
    if isinstance(change, Create):
        a, b = quote_path("a/", change.path), quote_path("b/", change.path)
        head = b"diff --git " + a + b" " + b + b"\nnew file mode 100644\n"
        if not change.content:
            return head
        return (head + _file_line(b"---", b"/dev/null") + _file_line(b"+++", b)
                + _hunks(b"", change.content))
    if isinstance(change, Modify):
        a, b = quote_path("a/", change.path), quote_path("b/", change.path)
        return (b"diff --git " + a + b" " + b + b"\n" + _file_line(b"---", a) + _file_line(b"+++", b)
                + _hunks(change.before, change.after))
    a, b = quote_path("a/", change.source), quote_path("b/", change.target)
    head = (b"diff --git " + a + b" " + b + b"\n"
            + b"similarity index %d%%\n" % _similarity(change.before, change.after)
            + b"rename from " + quote_path("", change.source) + b"\n"
            + b"rename to " + quote_path("", change.target) + b"\n")
    if change.before == change.after:
        return head
    return head + _file_line(b"---", a) + _file_line(b"+++", b) + _hunks(change.before, change.after)


def colorize(patch: bytes) -> bytes:
    """ANSI colors for a terminal, in the colors `git diff` uses."""
    out = []
    for line in patch.splitlines(keepends=True):
        if line.startswith((b"diff --git", b"new file", b"similarity", b"rename ", b"--- ", b"+++ ")):
            out.append(b"\x1b[1m" + line.rstrip(b"\n") + b"\x1b[0m\n")
        elif line.startswith(b"@@"):
            out.append(b"\x1b[36m" + line.rstrip(b"\n") + b"\x1b[0m\n")
        elif line.startswith(b"+"):
            out.append(b"\x1b[32m" + line.rstrip(b"\n") + b"\x1b[0m\n")
        elif line.startswith(b"-"):
            out.append(b"\x1b[31m" + line.rstrip(b"\n") + b"\x1b[0m\n")
        else:
            out.append(line)
    return b"".join(out)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]
