"""Which consumers of a split project the plan retargeted and which it could not (pure: the mentions come from
graph/consumers.py, the plan's own changes say what was rewritten).

A file the plan rewrites (a template, a CDK stack, a serverless.yml) is retargeted where its mention is gone; a
line of it that still names the old folder is a consumer lambda-split could not follow when it is a call lambda-split
did not read (a custom construct's `new ApiFunction(this, "X", "src/Api")`), not when it only declares a value
(`const string Project = "src/Api";`, `PROJECT = "src/Api"`, a serverless.yml `custom` entry other functions keep).
Every mention in a file the plan leaves alone is a consumer it could not rewrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from splitter.changes.changeset import Modify, Move
from splitter.plan.result import Plan

_DECLARATION = re.compile(r"""^(?:(?:[\w<>\[\]]+\s+)*(?:const|var|let|readonly|static|final)\s+(?:[\w<>\[\]?]+\s+)?\w+"""
                          r"""|[A-Z][A-Z0-9_]*)\s*(?::\s*[\w.]+\s*)?=\s*[@$f]?["']""")


@dataclass(frozen=True)
class Unretargeted:
    path: str               # relative to the root
    line: int
    text: str
    library: str            # the split project's folder, relative to the root
    targets: tuple[str, ...]   # the function projects' folders

    def message(self) -> str:
        return (f"names {self.library}, which after the split no longer holds the handlers it deployed, and "
                f"lambda-split cannot rewrite this line ({self.text[:80]}): point it at "
                f"{' or '.join(self.targets)} (the function project of its architecture)")


def consumers(result: Plan) -> tuple[list[str], list[Unretargeted]]:
    """(files retargeted, consumers not retargeted), both relative to the root."""
    changed = {c.path: c for c in result.changes.changes if isinstance(c, Modify)}
    moved = {c.source for c in result.changes.changes if isinstance(c, Move)}
    retargeted: set[str] = set()
    left: list[Unretargeted] = []
    lines: dict[str, frozenset[str]] = {}      # a changed file's stripped lines, split once however many mentions
    for target, projects in result.split:
        library = result.rel(target.project.folder)
        folders = tuple(result.rel(fp.folder) for fp in projects.values())
        for unit in target.units:
            documents = {f.document.path for f in unit.functions} if unit.source != "sam" else {unit.template.path}
            retargeted.update(result.rel(p) for p in documents
                              if result.rel(p) in changed or result.rel(p) in moved)
        for mention in target.mentions:
            rel = result.rel(mention.path)
            if rel in moved:
                continue
            change = changed.get(rel)
            if change is not None:
                if "(" not in mention.text or _DECLARATION.match(mention.text):
                    continue
                if rel not in lines:
                    lines[rel] = frozenset(line.strip() for line in
                                           change.after.decode("utf-8", errors="replace").splitlines())
                if mention.text not in lines[rel]:
                    continue
            left.append(Unretargeted(rel, mention.line, mention.text, library, folders))
    return sorted(retargeted), left
