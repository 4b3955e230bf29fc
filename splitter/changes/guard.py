"""The last check before each rename of a journaled apply: the file about to be replaced (or the path about to be
created) is still the one the run validated. Its identity (device, inode, size, mtime_ns, mode) is compared, and
its bytes too when the identity changed or its mtime is too recent to prove anything (git's "racy" files)."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from splitter.changes import faults


class ChangedDuringRun(Exception):
    """A file the run is about to replace (or a path it is about to create) changed after the run validated it."""

    def __init__(self, path: Path, index: int, written: list[Path]):
        super().__init__(str(path))
        self.path, self.index, self.written = path, index, written


_RACY = 2_000_000_000       # ns: an mtime this close to now may hide an edit of the same size (git's "racy" files)


def identity(path: Path) -> tuple | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode


class Guard:
    """Checks, just before each rename or unlink of a planned change, that the file is still the one validated."""

    def __init__(self, root: Path, replaced: list[str]):
        """Record the identity of every file the run will replace or move (before it validates their bytes)."""
        self.root = root
        self.identities = {rel: identity(root / rel) for rel in replaced}
        self.index = 0          # the change being applied

    def unchanged(self, rel: str, before: bytes, written: list[Path] = ()) -> None:
        path = self.root / rel
        faults.renaming(path)
        now = identity(path)
        if now == self.identities.get(rel) and time.time_ns() - now[3] > _RACY:
            return
        if now is not None and stat.S_ISREG(now[4]) and read_or_none(path) == before:
            return
        raise ChangedDuringRun(path, self.index, list(written))

    def absent(self, rel: str, written: list[Path] = ()) -> None:
        faults.renaming(self.root / rel)
        if os.path.lexists(self.root / rel):
            raise ChangedDuringRun(self.root / rel, self.index, list(written))


def read_or_none(path: Path) -> bytes | None:
    """A file's bytes, or None when it cannot be read (gone, or not a file)."""
    try:
        return path.read_bytes()
    except OSError:
        return None
