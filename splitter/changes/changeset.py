"""A change set: files to create, modify and move under one root. Nothing here writes: `changes/patch.py` renders
a change set as a git patch (`--dry-run`), `changes/journal.py` applies it atomically behind a journal."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Union




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


def touched_paths(changes: list[Change]) -> list[str]:
    """Every path a change set reads or writes, relative to its root."""
    return [rel for c in changes for rel in ([c.source, c.target] if isinstance(c, Move) else [c.path])]


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
    targets: set[str] = field(default_factory=set, repr=False)     # the paths the changes added so far write

    def add(self, change: Change) -> None:
        if isinstance(change, Modify) and change.before == change.after:
            return
        target = target_of(change)
        if target in self.targets:
            # Two changes writing one file: one would silently replace the other's bytes. A planning bug, not input.
            raise ValueError(f"two changes write {target}")
        self.targets.add(target)
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


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]
