"""Whether a journal found at a root is one lambda-split wrote there, before `--resume` or `--rollback` acts on it.

A journal is data on disk that anyone who can write to the tree (or commit to the repository) can plant, and
finishing it writes files. It is honoured only when all of these hold, else refused with one line naming it:
- git does not track it (lambda-split never adds it, so a tracked one came with a clone or a pull request);
- its random id has a token in the run's state folder (under `.git/`, or the user's state folder outside git:
  splitter/changes/state.py), which no clone, archive or commit carries;
- every path it names lies outside `.git/` and is one the plan recorded in that token touches;
- it sets no permission bits but a file's current ones (the mode it had before the run, kept by every write) or
  0644: an interrupted run never makes anything executable.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path, PurePosixPath

from splitter.changes import state
from splitter.changes.changeset import Change, Create, Modify, Move
from splitter.changes.paths import inside
from splitter.errors import SplitterError

PLAIN_MODE = 0o644
HINT = "delete it: lambda-split did not write it, and finishing it could write anywhere in the tree"


def read_journal(root: Path, journal: Path) -> tuple[list[Change], dict[str, int], str] | None:
    """The changes, modes and id of the journal at root, once proven to be lambda-split's own (this
    module); None when there is none."""
    if not os.path.lexists(journal):
        return None
    if journal.is_symlink():
        raise SplitterError("the journal is a link, not a file lambda-split wrote", journal,
                            hint="delete it; lambda-split never reads through it")
    refuse_tracked(root, journal)
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
                try:
                    inside(root, rel)
                except SplitterError as refused:
                    raise SplitterError(f"the journal names a forbidden path: {refused.message}", journal,
                                        hint=HINT) from None
        journal_id = data.get("id")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise SplitterError("the journal of an interrupted run is unreadable", journal,
                            hint="restore the tree from version control and delete the journal") from None
    verify(root, journal, journal_id, changes, modes)
    return changes, modes, journal_id


def refuse_tracked(root: Path, journal: Path) -> None:
    if state.tracked(root, journal):
        raise SplitterError("the journal is tracked by git, so it came with the repository, not from a run here",
                            journal, hint="remove it with `git rm`; lambda-split never commits its journal")


def verify(root: Path, journal: Path, journal_id: object, changes: list[Change], modes: dict[str, int]) -> None:
    for change in changes:
        for rel in ([change.source, change.target] if isinstance(change, Move) else [change.path]):
            if any(part.lower() == ".git" for part in PurePosixPath(rel).parts):
                raise SplitterError(f"the journal names a path inside .git ({rel})", journal, hint=HINT)
    planned = state.read_token(root, journal_id) if isinstance(journal_id, str) else None
    if planned is None:
        raise SplitterError("the journal was not written by lambda-split here: its id is unknown to this "
                            "repository", journal, hint=HINT)
    for change in changes:
        for rel in ([change.source, change.target] if isinstance(change, Move) else [change.path]):
            if rel not in planned:
                raise SplitterError(f"the journal names {rel}, which its recorded plan does not touch", journal,
                                    hint=HINT)
    for change in changes:
        rel = change.source if isinstance(change, Move) else getattr(change, "path", None)
        if rel not in modes:
            continue
        allowed = {PLAIN_MODE} | {_mode(root / r) for r in (rel, getattr(change, "target", rel))} - {None}
        if modes[rel] not in allowed:
            raise SplitterError(f"the journal sets mode {modes[rel]:04o} on {rel}, which is neither its mode "
                                f"before the run nor {PLAIN_MODE:04o}", journal, hint=HINT)


def _mode(path: Path) -> int | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return st.st_mode & 0o7777
