"""Test-only fault and race hooks of the journaled apply. Nothing in the installed CLI arms them: no environment
variable or option reaches them, only a test calling `arm()` (or setting `before_rename`) in its own process, or a
test-only entry point (`python -c "from splitter.changes import faults; faults.arm(N); ..."`).

- `arm(n)`: the process SIGKILLs itself right after its n-th low-level file operation (half a temp file written,
  temp file complete, fsync, replace, unlink, mkdir, rmdir; the journal's own writes included). The crash-safety
  tests use it to prove that a run killed at any of those points leaves the original tree, the complete result, or
  a journal that `--resume`/`--rollback` finish.
- `before_rename`: called with the path a complete temp file is about to replace, after the run validated the tree
  and before it checks the file's identity once more and renames; a test edits a file there to prove that an edit
  made during a run survives.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Callable

operations = 0                  # low-level file operations done by this process so far (counted always)
fault_after: int | None = None  # armed by a test only
before_rename: Callable[[Path], None] | None = None


def arm(after: int | None) -> None:
    """Test-only: SIGKILL this process right after its `after`-th file operation from now (None disarms)."""
    global operations, fault_after
    operations = 0
    fault_after = after


def operation_done() -> None:
    global operations
    operations += 1
    if fault_after is not None and operations == fault_after:
        os.kill(os.getpid(), signal.SIGKILL)


def renaming(path: Path) -> None:
    if before_rename is not None:
        before_rename(path)
