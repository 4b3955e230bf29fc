"""Load everything `migrate` needs to decide: the analysis, and for each project to split its C# sources, the
projects that reference it (with their sources), the solutions and the defaults files. All reading happens here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

from splitter import progress
from splitter.graph.units import Analysis, BuildUnit, ProjectCache, unknown_architecture_error
from splitter.graph.consumers import ConsumerFiles, Mention, mentions_of
from splitter.graph.repository import Repository, load_repository
from splitter.graph.symbols import SymbolIndex
from splitter.discover import DEFAULTS_FILE, SOLUTION_SUFFIXES, Workspace, files_below, read_defaults
from splitter.errors import SplitterError
from splitter.model import csharp_prefetch as prefetch
from splitter.model.csharp import CsFile, parse_file
from splitter.model.csharp_words import WordIndex
from splitter.model.msbuild import (PROJECT_SUFFIXES, Project, Solution, load_project, load_solution,
                                    msbuild_path)
from splitter.model.template import handler_parts
from splitter.model.textfile import TextFile, read_text

TEST_PACKAGES = ("microsoft.net.test.sdk", "xunit", "nunit", "mstest.testframework", "xunit.v3")


@dataclass(eq=False)
class SourceProject:
    project: Project
    files: list[CsFile]
    _words: WordIndex | None = field(default=None, repr=False)

    @property
    def words(self) -> WordIndex:
        """Its files by the words their texts hold: which files can concern a name, before any is parsed."""
        if self._words is None:
            self._words = WordIndex(self.files)
        return self._words

    def files_with(self, *words: str) -> list[CsFile]:
        return self.words.files_with(*words)

    @property
    def is_test(self) -> bool:
        if self.project.properties.get("IsTestProject", "").lower() == "true":
            return True
        return any(p.include.lower() in TEST_PACKAGES for p in self.project.package_references)

    def uses(self, name: str) -> bool:
        return any(f.uses(name) for f in self.files_with(name))


@dataclass(eq=False)
class SplitTarget:
    """A project that builds functions of both architectures, with everything that decides how it splits."""
    source: SourceProject
    units: list[BuildUnit]                         # every unit, in every template, that builds this project
    referencing: list[SourceProject]               # other projects with a ProjectReference to it
    defaults: tuple[TextFile, dict] | None         # its folder's aws-lambda-tools-defaults.json
    folder_props: dict[str, str] = field(default_factory=dict)   # what a Directory.Build.props in its own folder
                                                                 # sets: projects beside it do not import that file
    mentions: list[Mention] = field(default_factory=list)        # other files naming its folder (consumers.py)
    root: Path | None = None                       # the solution root, for the paths messages print
    _symbols: SymbolIndex | None = field(default=None, repr=False)

    @property
    def symbols(self) -> SymbolIndex:
        """Its types and who uses them, in its own sources and in the projects that reference it; built once."""
        if self._symbols is None:
            files = self.source.files + [f for other in self.referencing for f in other.files]
            self._symbols = SymbolIndex(files, self.source.words if not self.referencing else None)
        return self._symbols

    @property
    def project(self) -> Project:
        return self.source.project


@dataclass
class MigrationModel:
    workspace: Workspace
    analysis: Analysis
    targets: list[SplitTarget] = field(default_factory=list)
    solutions: list[Solution] = field(default_factory=list)
    existing: set[str] = field(default_factory=set)     # relative paths that exist under the root (for collisions)
    repository: Repository | None = None
    projects: ProjectCache | None = None                # every project read, once (the self-check reads them again)
    disk_sources: object | None = None                  # the input's handler resolution (graph/handlers.py), kept
                                                        # for the self-check to compare with


def load_migration(path: str, parameters: dict[str, str], deployer: str = "auto") -> MigrationModel:
    """Only hazards are split (a unit whose deployer builds once for two architectures); `deployer` is --deployer."""
    repository = load_repository(path, parameters, deployer=deployer)
    workspace, analysis = repository.workspace, repository.analysis
    root = workspace.root
    all_files = files_below(root)              # one walk of the tree serves the solutions and the sources
    workspace.solutions = sorted(p for p in all_files if p.suffix.lower() in SOLUTION_SUFFIXES)
    projects = repository.projects
    model = MigrationModel(workspace=workspace, analysis=analysis, repository=repository, projects=projects)
    if analysis.errors:
        return model
    to_split: dict[Path, list[BuildUnit]] = {}
    for unit in repository.selected:
        to_split.setdefault(unit.project.path.resolve(), [])
    for unit in analysis.units:
        if unit.project is not None and unit.project.path.resolve() in to_split:
            to_split[unit.project.path.resolve()].append(unit)
    if not to_split:
        return model
    refuse_unknown(analysis.unknown, to_split, analysis)
    if analysis.errors:
        return model
    prefix = str(root) + os.sep
    model.existing = {str(p)[len(prefix):].replace(os.sep, "/") if str(p).startswith(prefix)
                      else p.relative_to(root).as_posix() for p in all_files}
    cs_files = resolved_sources(all_files)
    references = _project_references([p for p in all_files if p.suffix.lower() in PROJECT_SUFFIXES], projects)
    sources: dict[Path, SourceProject] = {}
    consumer_files = ConsumerFiles(all_files)     # files that may deploy a project folder (consumers.py)

    def source_of(project_path: Path) -> SourceProject:
        key = project_path.resolve()
        if key not in sources:
            project = projects.get(key)
            items = progress.each(compile_items_resolved(project, cs_files), f"reading the C# of {project.name}")
            sources[key] = SourceProject(project, [parse_file(p, lazy=True) for p in items])
        return sources[key]

    for project_path, units in to_split.items():
        _outside_guard(root, project_path)
        referencing = [source_of(other) for other, targets in references.items()
                       if other != project_path and project_path in targets]
        defaults_path = project_path.parent / DEFAULTS_FILE
        defaults = None
        if defaults_path.is_file():
            defaults = (read_text(defaults_path), read_defaults(defaults_path))
        model.targets.append(SplitTarget(source_of(project_path), units, referencing, defaults,
                                         _folder_props(project_path.parent), root=root))
    # The plan asks first for the types the handlers name: their files are parsed ahead, on the other core, while
    # the files naming the projects' folders and the solutions are read and the input's handlers are resolved.
    files = list({id(cs): cs for target in model.targets for cs in target.source.files}.values())
    prefetch.start(files, handler_type_names(u for target in model.targets for u in target.units))
    for target, project_path in zip(model.targets, to_split):
        target.mentions = mentions_of(root, project_path.parent, consumer_files)
    model.solutions = [load_solution(p) for p in workspace.solutions]
    return model


def handler_type_names(units) -> set[str]:
    """The simple names of the types the functions' literal handlers name, with the class an Annotations wrapper
    (`Class_Method_Generated`) wraps."""
    names = set()
    for unit in units:
        for function in unit.functions:
            parts = handler_parts(getattr(function, "handler", None))
            if parts is None:
                continue
            name, method = parts[1].rsplit(".", 1)[-1], parts[2]
            names.add(name)
            if name.endswith(f"_{method}_Generated"):
                names.add(name[:-len(f"_{method}_Generated")])
    return names


def refuse_unknown(unknown: list[BuildUnit], to_split: dict[Path, list[BuildUnit]], analysis: Analysis) -> None:
    """Functions of an unknown architecture deploying a project being split cannot be retargeted: an error."""
    for unit in unknown:
        if unit.project is not None and unit.project.path.resolve() in to_split:
            analysis.errors.append(unknown_architecture_error(unit))


def _folder_props(folder: Path) -> dict[str, str]:
    props = folder / "Directory.Build.props"
    if not props.is_file():
        return {}
    try:
        return load_project(props).own_properties
    except SplitterError:
        return {}              # a broken props file is not ours to report; MSBuild will


def _outside_guard(root: Path, path: Path) -> None:
    if root not in path.resolve().parents:
        raise SplitterError("the project to split lies outside the solution root", path,
                            hint=f"run lambda-split on a folder that contains it (the root is {root})")


def _project_references(paths: list[Path], projects: ProjectCache) -> dict[Path, set[Path]]:
    """Each loadable project (resolved) with the resolved paths it has a ProjectReference to, read once."""
    found: dict[Path, set[Path]] = {}
    for path in paths:
        try:
            project = projects.get(path)
        except SplitterError:
            continue
        found[path.resolve()] = {ref.path.resolve() for ref in project.project_references}
    return found


def resolved_sources(all_files: list[Path]) -> list[tuple[Path, str]]:
    """Each .cs file with its resolved path as a string. Folders are resolved once each, and a file's own path only
    when it is a link: resolving every path in full cost seconds on a monorepo (one lstat per path component).
    Strings, not Paths, past the first: building a Path per file was most of what remained."""
    folders: dict[str, str] = {}
    found = []
    islink, join, realpath = os.path.islink, os.path.join, os.path.realpath
    for path in all_files:
        parent, _, name = str(path).rpartition(os.sep)
        if not name.lower().endswith(".cs"):
            continue
        folder = folders.get(parent)
        if folder is None:
            folder = folders[parent] = str(path.parent.resolve())
        resolved = join(folder, name)
        found.append((path, realpath(resolved) if islink(resolved) else resolved))
    return found


def compile_items(project: Project, all_files: list[Path]) -> list[Path]:
    """The .cs files the SDK's default globs compile: below the project folder, outside bin/obj, minus
    `DefaultItemExcludes` and `<Compile Remove>` patterns. Like MSBuild, a project nested in the folder is not
    excluded by itself: its sources are compiled into this project too unless a pattern removes them."""
    return compile_items_resolved(project, resolved_sources(all_files))


def compile_items_resolved(project: Project, cs_files: list[tuple[Path, str]]) -> list[Path]:
    """compile_items of files resolved by resolved_sources (once for several projects)."""
    if not project.default_compile_items:
        return _listed_items(project, cs_files)
    folder = str(project.folder.resolve())
    prefix = folder if folder.endswith(os.sep) else folder + os.sep
    removes = [r.replace("\\", "/") for r in project.compile_removes]
    for item in project.properties.get("DefaultItemExcludes", "").split(";"):
        if item.strip() and "$(" not in item:
            removes.append(item.strip().replace("\\", "/"))
    patterns = [pattern.replace("**/", "*").replace("/**", "/*") for pattern in removes]
    items = []
    for path, resolved in cs_files:
        if not resolved.startswith(prefix):
            continue
        rel = resolved[len(prefix):].replace(os.sep, "/")
        if rel.split("/", 1)[0].lower() in ("bin", "obj"):
            continue
        if any(fnmatch(rel, pattern) for pattern in patterns):
            continue
        items.append(path)
    return items


def _listed_items(project: Project, cs_files: list[tuple[Path, str]]) -> list[Path]:
    """The .cs files a project that turns the default globs off lists in `<Compile Include>` (minus its removes),
    files linked from other folders included."""
    def patterns(specs: list[str]) -> list[str]:
        found = []
        for written in specs:
            for spec in written.split(";"):
                if spec.strip() and "$(" not in spec:
                    absolute = os.path.normpath(msbuild_path(project.folder.resolve(), spec.strip()))
                    found.append(absolute.replace(os.sep, "/").replace("**/", "*"))
        return found
    included = patterns([include for include, _ in project.compile_includes])
    removed = patterns(project.compile_removes)
    return [path for path, resolved in cs_files
            if any(fnmatch(resolved.replace(os.sep, "/"), p) for p in included)
            and not any(fnmatch(resolved.replace(os.sep, "/"), p) for p in removed)]
