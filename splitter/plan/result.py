"""What a plan is made of: the options it was asked for, its decisions, the function projects it creates, and the
Plan itself (a change set plus the edits several steps make to one file, written once)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from splitter.changes.changeset import ChangeSet, Modify, Move
from splitter.changes.edits import Edit, apply_edits
from splitter.discover import normal_below
from splitter.graph.migration import SplitTarget
from splitter.model.csharp import TypeDecl
from splitter.model.template import Function
from splitter.model.textfile import TextFile, encode
from splitter.changes.edits import merge_inserts


@dataclass(frozen=True)
class Options:
    x64_name: str | None = None
    arm64_name: str | None = None


@dataclass
class Decision:
    kind: str            # "create", "move", "shared", "edit", "note"
    subject: str
    detail: str

    def to_json(self) -> dict:
        return {"kind": self.kind, "subject": self.subject, "detail": self.detail}


@dataclass
class FunctionProject:
    architecture: str
    name: str
    folder: Path
    functions: list[Function] = field(default_factory=list)
    moved: list[TypeDecl] = field(default_factory=list)

    @property
    def csproj(self) -> Path:
        return self.folder / f"{self.name}.csproj"


@dataclass
class Plan:
    root: Path
    changes: ChangeSet
    decisions: list[Decision] = field(default_factory=list)
    split: list[tuple[SplitTarget, dict[str, FunctionProject]]] = field(default_factory=list)
    pending: dict[Path, tuple[Path, TextFile, list[Edit], str]] = field(default_factory=dict)

    def edit_text(self, path: Path, source: TextFile, edits: list[Edit], reason: str) -> None:
        """Edits of a file several split projects may touch (a test project referencing two of them): gathered
        here and written as one change when the plan is complete, since a file can change only once."""
        self.pending.setdefault(path.resolve(), (path, source, [], reason))[2].extend(edits)

    def write_pending(self) -> None:
        for path, source, edits, reason in self.pending.values():
            after = apply_edits(source.text, merge_inserts(edits))
            self.changes.add(Modify(self.rel(path), source.raw, encode(after, source.encoding, source.bom), reason))
        self.pending.clear()

    def to_json(self) -> dict:
        rel = self.rel
        return {
            "schema": "lambda-split/migrate/v1",
            "root": str(self.root),
            "projects": [{
                "library": rel(target.project.path),
                "function_projects": [{
                    "architecture": fp.architecture, "project": rel(fp.csproj),
                    "functions": [f.logical_id for f in fp.functions],
                    "moved_types": [t.full_name for t in fp.moved]} for fp in projects.values()],
            } for target, projects in self.split],
            "decisions": [d.to_json() for d in self.decisions],
            "changes": [{"status": type(c).__name__.lower(), "path": getattr(c, "path", None) or c.target,
                         **({"from": c.source} if isinstance(c, Move) else {})} for c in self.changes.sorted()],
        }

    def rel(self, path: Path) -> str:
        rel = normal_below(str(path), f"{self.root}/")
        return rel if rel is not None else path.relative_to(self.root).as_posix()
