"""The repository as one model, whatever PATH is: every template and app from the top of the git work tree (the
solution folder, or PATH itself, outside git), and which of their hazards PATH selects.

PATH only selects: the hazards of templates and apps found below PATH (errors there are reported as given), and the
hazards of any other template or app whose project lies below PATH. Templates and apps elsewhere count for what
they build: a unit of a project being split is retargeted with it, and their errors matter only where they may
concern such a project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from splitter.discover import SOLUTION_SUFFIXES, Workspace, discover, repository_top
from splitter.errors import SplitterError
from splitter.graph.analyze import analyze
from splitter.graph.units import Analysis, BuildUnit, ProjectCache, resolve_code_uri
from splitter.model.textfile import read_text


@dataclass
class Repository:
    workspace: Workspace                 # root: the top of the repository; templates and apps: all of them
    analysis: Analysis                   # PATH's own analysis, with the units elsewhere that build its projects
    selected: list[BuildUnit] = field(default_factory=list)   # the hazards PATH selects
    path: Path = Path(".")              # PATH, resolved
    deploying: list[BuildUnit] = field(default_factory=list)  # units anywhere whose project lies below PATH
    found_any: bool = False              # the repository has a template or app at all
    projects: ProjectCache | None = None
    answered_from_model: bool = False    # PATH holds no template or app: the answer comes from the units elsewhere


def solution_root(path: Path) -> Path:
    """Outside git: the nearest folder at or above PATH that holds a solution file, else PATH itself. Inside git
    the same search, bounded by the top of the work tree (kept for callers that want the solution folder)."""
    start = path if path.is_dir() else path.parent
    top = repository_top(start)
    for folder in (start, *start.parents):
        try:
            if any(p.suffix.lower() in SOLUTION_SUFFIXES for p in folder.iterdir()):
                return folder
        except OSError:
            pass
        if folder == top:
            break
    return top or start


def repository_root(path: Path) -> Path:
    """Where lambda-split reads and writes: the top of the git work tree, else the solution folder (solution_root)."""
    return repository_top(path) or solution_root(path)


def below(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def load_repository(path: str, parameters: dict[str, str], projects: ProjectCache | None = None,
                    deployer: str = "auto") -> Repository:
    given = discover(path)
    selected_path = Path(path).resolve()
    root = repository_root(selected_path)
    given.root = root
    projects = projects or ProjectCache(given)
    found_here = bool(given.templates or given.apps)
    analysis = analyze(given, parameters, projects, deployer) if found_here else Analysis(given)
    repository = Repository(workspace=given, analysis=analysis, path=selected_path, projects=projects)
    if analysis.errors:
        repository.found_any = True
        return repository
    whole = _discover_quietly(root)
    others = [t for t in whole.templates if t not in given.templates]
    other_apps = [a for a in whole.apps if a not in given.apps]
    other = analyze(Workspace(root=root, templates=others, apps=other_apps), parameters, projects, deployer) \
        if others or other_apps else Analysis(given)
    repository.found_any = found_here or bool(other.templates or other.apps)
    if not repository.found_any:
        alone = analyze(given, parameters, projects, deployer)
        analysis.errors.extend(alone.errors)       # "no CloudFormation template found"
        analysis.function_deployments = alone.function_deployments     # unless deploy-function projects answer
        return repository
    scope = selected_path if selected_path.is_dir() else selected_path.parent
    project_here = lambda unit: unit.project is not None and below(unit.project.path.resolve(), scope)  # noqa: E731
    repository.selected = list(analysis.hazards) + [u for u in other.hazards if project_here(u)]
    repository.deploying = [u for u in analysis.units + other.units if project_here(u)]
    if not found_here:
        # A folder without a template of its own (a library after a split): answered from the units that build a
        # project below it, or a project that references one (the function projects split from it).
        references = lambda unit: unit.project is not None and any(  # noqa: E731
            below(r.path.resolve(), scope) for r in unit.project.project_references)
        analysis.units = [u for u in other.units if project_here(u) or references(u)]
        analysis.templates = list({id(u.template): u.template for u in analysis.units if u.source == "sam"}.values())
        analysis.warnings = [w for w in other.warnings if w.path is None or below(w.path.resolve(), scope)]
        analysis.apps = list({id(f.document): f.document for u in analysis.units if u.source != "sam"
                              for f in u.functions}.values())
        repository.answered_from_model = True
    split = {u.project.path.resolve() for u in repository.selected}
    for unit in other.units:
        if unit.project is not None and unit.project.path.resolve() in split and unit not in analysis.units:
            analysis.units.append(unit)
            if unit.source == "sam" and unit.template not in analysis.templates:
                analysis.templates.append(unit.template)
            elif unit.source != "sam":
                analysis.apps.extend(d for d in {id(f.document): f.document for f in unit.functions}.values()
                                     if d not in analysis.apps)
    # Functions of an unknown architecture elsewhere that deploy a project to split: migrate refuses them too.
    analysis.unknown.extend(u for u in other.unknown if u.project is not None
                            and u.project.path.resolve() in split and u not in analysis.unknown)
    loaded = {t.path: t for t in other.templates}
    for error in other.errors:
        template = loaded.get(error.path)
        if template is not None:
            if any(_builds(template, function, split) for function in template.functions):
                analysis.errors.append(error)
        elif split and _mentions(error.path, split):
            analysis.errors.append(error)
    return repository


def _discover_quietly(root: Path) -> Workspace:
    """Every template and app below the root; a stale defaults file elsewhere is not PATH's problem."""
    try:
        return discover(root)
    except SplitterError:
        return Workspace(root=root)


def _builds(template, function, split: set[Path]) -> bool:
    if function.code_uri is None:
        return False
    target = resolve_code_uri(template, function.code_uri).resolve()
    return any(target in (project, project.parent) for project in split)


def _mentions(path: Path | None, split: set[Path]) -> bool:
    """Whether a file that failed to load (an app elsewhere) names a project being split: it may deploy it."""
    if path is None or not path.is_file():
        return True
    try:
        text = read_text(path).text
    except (OSError, SplitterError):
        return True
    return any(project.parent.name in text for project in split)
