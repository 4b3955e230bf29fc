"""The tree a plan would write, in memory: the files read, overlaid with the change set. Nothing here writes.

Paths are absolute below the (resolved) root; bytes the plan does not write come from the model's readers (or, for a
file no reader held, from the disk, read once)."""

from __future__ import annotations

import os
from pathlib import Path

from splitter.changes.changeset import ChangeSet, Create, Modify, Move
from splitter.discover import normal_below
from splitter.errors import SplitterError
from splitter.graph.handlers import Sources
from splitter.graph.migration import compile_items_resolved, resolved_sources
from splitter.model.csharp import CsFile
from splitter.model.csharp_words import WordIndex
from splitter.model.msbuild import PROJECT_SUFFIXES, Project, directory_build_props, load_project
from splitter.model.textfile import MAX_TEXT_BYTES, TextFile, text_from_bytes


class PlannedTree:
    def __init__(self, root: Path, existing: set[str], changes: ChangeSet):
        self.root = root
        self._prefix = str(root) + os.sep
        self.written: dict[str, bytes] = {}          # relative path -> the bytes the plan writes there
        self.removed: set[str] = set()               # relative paths the plan moves away
        self.moved_to: dict[str, str] = {}
        self.moves = [c for c in changes.changes if isinstance(c, Move)]
        for change in changes.changes:
            if isinstance(change, Create):
                self.written[change.path] = change.content
            elif isinstance(change, Modify):
                self.written[change.path] = change.after
            else:
                self.removed.add(change.source)
                self.moved_to[change.source] = change.target
                self.written[change.target] = change.after
        self.removed -= set(self.written)
        self.paths = (set(existing) - self.removed) | set(self.written)
        self.folders = {""}
        for rel in self.paths:
            parts = rel.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                self.folders.add("/".join(parts[:i]))
        self._texts: dict[str, TextFile] = {}
        self._by_folder: dict[str, list[str]] = {}
        for rel in sorted(self.paths):
            self._by_folder.setdefault(rel.rsplit("/", 1)[0] if "/" in rel else "", []).append(rel)

    def rel(self, path: Path) -> str | None:
        """The path relative to the root, or None outside it."""
        rel = normal_below(str(path), self._prefix)
        if rel is not None:
            return rel                               # absolute and normal below the root: no system call
        absolute = Path(os.path.normpath(path if path.is_absolute() else Path.cwd() / path))
        try:
            rel = absolute.relative_to(self.root).as_posix()
        except ValueError:
            try:
                rel = absolute.resolve().relative_to(self.root).as_posix()
            except ValueError:
                return None
        return "" if rel == "." else rel

    def path(self, rel: str) -> Path:
        return self.root / rel if rel else self.root

    def path_text(self, rel: str) -> str:
        """str(self.path(rel)), without making the Path."""
        return self._prefix + rel if rel else str(self.root)

    def is_file(self, path: Path) -> bool:
        rel = self.rel(path)
        if rel is None:
            return path.is_file()
        return rel in self.paths or (rel not in self.removed and rel not in self.folders and path.is_file())

    def is_dir(self, path: Path) -> bool:
        rel = self.rel(path)
        if rel is None:
            return path.is_dir()
        return rel in self.folders or (not self._removed_below(rel) and path.is_dir())

    def _removed_below(self, rel: str) -> bool:
        return any(r == rel or r.startswith(rel + "/") for r in self.removed) and rel not in self.folders

    def exists(self, path: Path) -> bool:
        return self.is_file(path) or self.is_dir(path)

    def files_in(self, folder: Path) -> list[Path]:
        """The files directly in a folder of the planned tree."""
        rel = self.rel(folder)
        if rel is None:
            return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
        return [self.path(p) for p in self._by_folder.get(rel, [])]

    def project_files_in(self, folder: Path) -> list[Path]:
        return [p for p in self.files_in(folder) if p.suffix.lower() in PROJECT_SUFFIXES]

    def planned_text(self, path: Path) -> TextFile | None:
        """The text the plan writes at path; None when the plan leaves the file as it is."""
        rel = self.rel(path)
        if rel is None or rel not in self.written:
            return None
        if rel not in self._texts:
            self._texts[rel] = text_from_bytes(path, self.written[rel])
        return self._texts[rel]

    def cs_files(self, known: dict[str, Path] | None = None) -> list[Path]:
        """The planned tree's C# files; `known` gives Path objects already made for some (by relative path)."""
        known = known or {}
        return [known.get(p) or self.path(p) for p in sorted(self.paths) if p.lower().endswith(".cs")]


class PlannedSources(Sources):
    """Projects and C# files of the planned tree for handler resolution: written ones parsed from their planned
    bytes, the rest from the readers' results (the run's ProjectCache, the C# the model parsed)."""

    def __init__(self, tree: PlannedTree, projects):
        super().__init__()
        self.tree = tree
        self.projects = projects
        self._loaded: dict[Path, Project | None] = {}
        self._all_cs: list[tuple[Path, str]] | None = None
        self._known: dict[str, Path] = {}         # relative path -> the Path of a file seeded (made once a run)

    def project(self, path: Path) -> Project | None:
        key = Path(os.path.normpath(path))
        if key not in self._loaded:
            self._loaded[key] = self._load(key)
        return self._loaded[key]

    def _load(self, path: Path) -> Project | None:
        if not self.tree.is_file(path):
            return None
        try:
            text = self.tree.planned_text(path)
            if text is None:
                return self.projects.get(path)
            inherited: dict[str, str] = {}
            for props in reversed(directory_build_props(path.parent, self.projects.stop)):
                try:
                    inherited.update(load_project(props).properties)
                except SplitterError:
                    pass
            return load_project(path, inherited, text)
        except SplitterError:
            return None

    def cs_paths(self, project: Project) -> list[Path] | None:
        if any("$(" in include for include, _ in project.compile_includes):
            return None
        if self._all_cs is None:              # resolved once for every project asked about
            self._all_cs = resolved_sources(self.tree.cs_files(self._known))
        candidates = self._all_cs
        folder = self.tree.rel(project.folder)
        if project.default_compile_items and folder is not None:      # only files below it can be compiled
            prefix = str(self.tree.path(folder)) + os.sep
            candidates = [(p, r) for p, r in candidates if str(p).startswith(prefix)]
        return compile_items_resolved(project, candidates)

    def read_raw(self, path: Path) -> bytes | None:
        rel = self.tree.rel(path)
        if rel is not None and rel in self.tree.written:
            return self.tree.written[rel]
        try:
            return path.read_bytes() if path.stat().st_size <= MAX_TEXT_BYTES else None
        except OSError:
            return None


    def adopt_unchanged_names(self, before: Sources) -> None:
        """The declared names the input's reader found, for every file the plan leaves as it is or moves with the
        same bytes."""
        conserved = {m.source: m.target for m in self.tree.moves if m.before == m.after}
        names = {}
        for key, found in before.declared_names_read().items():
            rel = self.tree.rel(Path(key))
            if rel is None:
                continue
            if rel in conserved:
                names[str(self.tree.path(conserved[rel]))] = found
            elif rel not in self.tree.written and rel not in self.tree.removed:
                names[key] = found
        self.adopt_names(names)

    def seed_moved(self, model) -> None:
        """The C# files the plan moves with the same bytes, at their new paths (read lazily from the text the model
        holds), with a word index: which of them may declare a handler's type is looked up, not scanned."""
        for target in model.targets:
            held = {self.tree.rel(cs.path): (number, cs) for number, cs in enumerate(target.source.files)}
            moved: dict[int, CsFile] = {}
            for move in self.tree.moves:
                number, cs = held.get(move.source, (None, None))
                if cs is not None and move.before == move.after:
                    moved[number] = CsFile(self.tree.path(move.target), cs.source, lazy=True)
                    self._known[move.target] = moved[number].path
            if moved:
                self.seed(list(moved.values()), target.source.words.view(moved))

    def seed_unchanged(self, files: list[CsFile], words: WordIndex | None = None) -> None:
        """C# files the model read that the plan leaves where they are, as they are (with the word index over them
        and others: only the files seeded here are looked up in it)."""
        kept = []
        for cs in files:
            rel = self.tree.rel(cs.path)
            if rel not in self.tree.written and rel not in self.tree.removed:
                kept.append(cs)
                if rel is not None and str(cs.path) == self.tree.path_text(rel):
                    self._known[rel] = cs.path
        self.seed(kept, words)
