"""Where a change set may read and write: below its root, through no link that leads out of it, never in .git."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from splitter.changes.changeset import ChangeSet, touched_paths
from splitter.errors import SplitterError


def check_paths(change_set: ChangeSet) -> None:
    """Every path the change set reads or writes lies below its root, through no link out and not inside .git."""
    root = change_set.root.resolve()
    for rel in touched_paths(change_set.changes):
        inside(root, rel)


def inside(root: Path, rel: str) -> Path:
    """The path of `rel` below root, refusing anything that leads out of it: `..`, absolute paths, and links."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in rel or ":" in pure.parts[0]:
        raise SplitterError(f"refusing to write outside the solution root: {rel}", root)
    if any(part.lower() == ".git" for part in pure.parts):
        raise SplitterError(f"refusing to write inside .git: {rel}", root)
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
