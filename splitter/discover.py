"""From a PATH the user gives to a workspace: its root, templates, solutions and aws-lambda-tools-defaults.json files.

PATH may be a template file, a project folder or a solution folder. In a folder the template is the one the
defaults file names (`"template"`), else serverless.template, template.yaml, template.yml or template.json;
below a solution folder every such template is found, skipping build output and tool folders.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from splitter import progress
from splitter.errors import SplitterError
from splitter.model.apps.serverless import is_cloudformation
from splitter.model.textfile import TextFile, read_text

DEFAULTS_FILE = "aws-lambda-tools-defaults.json"
TEMPLATE_NAMES = ("serverless.template", "template.yaml", "template.yml", "template.json")
APP_NAMES = ("cdk.json", "serverless.yml", "serverless.yaml")   # CDK apps and Serverless Framework services
SKIP_DIRS = {"bin", "obj", ".git", "node_modules", ".aws-sam", ".vs", ".idea", "cdk.out", ".venv"}
SOLUTION_SUFFIXES = (".sln", ".slnx")
FOLDER_FILE_SUFFIXES = (".sln", ".slnx", ".csproj", ".fsproj", ".vbproj")


@dataclass
class Workspace:
    root: Path                                  # everything lambda-split reads or writes lies below it
    templates: list[Path] = field(default_factory=list)
    explicit: bool = False                      # PATH named the template itself
    solutions: list[Path] = field(default_factory=list)
    defaults: list[Path] = field(default_factory=list)
    stale_defaults: list[tuple[Path, str]] = field(default_factory=list)   # (defaults file, missing template)
    apps: list[Path] = field(default_factory=list)     # cdk.json and serverless.yml files (splitter/apps.py)
    _shown: dict = field(default_factory=dict, repr=False, compare=False)

    def display(self, path: Path) -> str:
        """A path as the user should read it: relative to the current folder when below it (remembered per path
        and folder: a report names one template hundreds of times)."""
        key = (path, os.getcwd())
        if key not in self._shown:
            try:
                self._shown[key] = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
            except ValueError:
                self._shown[key] = str(path)
        return self._shown[key]

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def read_defaults(path: Path, source: TextFile | None = None) -> dict:
    """aws-lambda-tools-defaults.json as a dict; the AWS tools accept // comments in it, so we do too. From `source`
    (text already read, or planned) when given, else from the file."""
    source = source or read_text(path)
    try:
        data = json.loads(_strip_json_comments(source.text))
    except json.JSONDecodeError as exc:
        raise SplitterError(f"not valid JSON: {exc.msg}", path, exc.lineno) from None
    if not isinstance(data, dict):
        raise SplitterError("expected a JSON object", path)
    return data


def _strip_json_comments(text: str) -> str:
    out, i, n, in_string = [], 0, len(text), False
    while i < n:
        char = text[i]
        if in_string:
            out.append(char)
            if char == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif text.startswith("//", i):
            while i < n and text[i] not in "\r\n":
                i += 1
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        else:
            out.append(char)
        i += 1
    return "".join(out)


def template_in_folder(folder: Path, stale: list[tuple[Path, str]] | None = None) -> Path | None:
    """The template the AWS tools would deploy from this folder, if any.

    A defaults file naming a template that does not exist (`sam init` projects name "template.yaml" one folder
    below it) falls back to the usual names; it is recorded in `stale` for the error if nothing is found."""
    defaults = folder / DEFAULTS_FILE
    if defaults.is_file():
        named = read_defaults(defaults).get("template")
        if isinstance(named, str) and named.strip():
            candidate = (folder / native_path(named.strip())).resolve()
            if candidate.is_file():
                return candidate
            if stale is not None:
                stale.append((defaults, named.strip()))
    for name in TEMPLATE_NAMES:
        if (folder / name).is_file():
            return (folder / name).resolve()
    return None


def templates_in_folder(folder: Path, stale: list[tuple[Path, str]] | None = None) -> list[Path]:
    """Every template of the folder: the one the AWS tools deploy from it first, then any other template file beside
    it (a SAM template.yaml beside the Annotations generator's serverless.template deploys the same project)."""
    first = template_in_folder(folder, stale)
    found = [first] if first is not None else []
    for name in TEMPLATE_NAMES:
        candidate = (folder / name).resolve()
        if candidate.is_file() and candidate not in found:
            found.append(candidate)
    return found


def repository_top(path: Path) -> Path | None:
    """The top of the git work tree holding PATH (a `.git` folder, or the file of a worktree or submodule), or None
    outside git. The one place that answers it for every stage above the change set."""
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return None


def native_path(value: str) -> Path:
    """A path written on Windows (`..\\serverless.template`) as this OS reads it."""
    return Path(*PureWindowsPath(value).parts) if "\\" in value else Path(value)


def refuse_link_out_of_repository(path: str | Path) -> None:
    """PATH as written lies in a git repository, but resolved (through a link to a folder) it lies outside it: a
    migrate would write there, where no dirty-tree check looks. Refused; a link to a whole repository is fine."""
    given = Path(os.path.abspath(path))         # links not followed yet
    if not os.path.lexists(given):
        return
    top = next((folder for folder in (given, *given.parents) if os.path.lexists(folder / ".git")), None)
    if top is None:
        return
    resolved, repository = given.resolve(), top.resolve()
    if resolved != repository and repository not in resolved.parents:
        raise SplitterError(f"leads through a link to {resolved}, outside its repository {repository}", given,
                            hint="run lambda-split on that folder itself, from its own repository")


def discover(path: str | Path) -> Workspace:
    given = Path(path)
    if not given.exists():
        raise SplitterError("no such file or folder", given, hint="give a template, a project folder or a solution")
    resolved = given.resolve()
    if resolved.is_file() and (resolved.name == DEFAULTS_FILE or resolved.suffix.lower() in FOLDER_FILE_SUFFIXES):
        resolved = resolved.parent         # a solution, project or defaults file stands for its folder
    if resolved.is_file() and resolved.name in APP_NAMES and not _cloudformation_named_as_app(resolved):
        workspace = Workspace(root=resolved.parent, apps=[resolved], explicit=True)
        _collect_solution_files(workspace, resolved.parent)
        return workspace
    if resolved.is_file():
        workspace = Workspace(root=resolved.parent, templates=[resolved], explicit=True)
        _collect_solution_files(workspace, resolved.parent)
        return workspace
    workspace = Workspace(root=resolved)
    templates: list[Path] = []
    for folder, dirs, files in progress.each(_walk(resolved), "scanning folders"):
        if DEFAULTS_FILE in files:
            workspace.defaults.append(folder / DEFAULTS_FILE)
        workspace.solutions.extend(folder / f for f in files if f.lower().endswith(SOLUTION_SUFFIXES))
        if DEFAULTS_FILE in files or any(name in files for name in TEMPLATE_NAMES):
            for found in templates_in_folder(folder, workspace.stale_defaults):
                if found not in templates:
                    templates.append(found)
        for name in APP_NAMES:
            if name not in files or (folder / name).resolve() in templates:
                continue                # a template named serverless.yaml by the defaults file is a template only
            if _cloudformation_named_as_app(folder / name):
                templates.append((folder / name).resolve())
            else:
                workspace.apps.append(folder / name)
    if not templates and workspace.stale_defaults:
        defaults, named = workspace.stale_defaults[0]
        raise SplitterError(f"names the template {named!r}, which does not exist", defaults,
                            hint="fix the \"template\" setting, or give the folder holding the template")
    workspace.templates = templates
    if not templates and not workspace.apps:
        workspace.apps = _apps_above(resolved)
    workspace.solutions.sort()
    return workspace


def _apps_above(folder: Path) -> list[Path]:
    """A CDK app or serverless.yml usually sits above the .NET projects: from a project folder, look up to the top
    of the git repository (never above one, and nowhere outside a repository)."""
    if not any((p / ".git").exists() for p in (folder, *folder.parents)):
        return []
    for current in (folder, *folder.parents):
        found = [current / name for name in APP_NAMES if (current / name).is_file()] if current != folder else []
        if found or (current / ".git").exists():
            return found
    return []


def _cloudformation_named_as_app(path: Path) -> bool:
    """serverless.yml/.yaml holding a CloudFormation template (AWSTemplateFormatVersion/Resources, no `service`)."""
    if path.name == "cdk.json":
        return False
    try:
        return is_cloudformation(read_text(path).text)
    except (SplitterError, OSError):
        return False            # unreadable: the app loader says why


def _collect_solution_files(workspace: Workspace, folder: Path) -> None:
    for folder_, _dirs, files in _walk(folder):
        workspace.solutions.extend(folder_ / f for f in files if f.lower().endswith(SOLUTION_SUFFIXES))
        if DEFAULTS_FILE in files:
            workspace.defaults.append(folder_ / DEFAULTS_FILE)
    workspace.solutions.sort()


def _walk(top: Path):
    """os.walk in sorted order, skipping build output, tool folders and links to folders (never followed)."""
    for folder, dirs, files in os.walk(top, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")
                         and not (d == "packages" and _is_nuget_folder(Path(folder, d))))
        for name in files:
            if name in TEMPLATE_NAMES or name == DEFAULTS_FILE or name.lower().endswith(SOLUTION_SUFFIXES):
                _refuse_link_out(Path(folder, name), top)
        yield Path(folder), dirs, sorted(files)


def _refuse_link_out(path: Path, top: Path) -> None:
    """A file discovery would read that is a link out of the tree: reading it would read outside the folder given."""
    if not path.is_symlink():
        return
    target = path.resolve()
    if target != top and top not in target.parents:
        raise SplitterError(f"is a link to {target}, outside {top}", path,
                            hint="give lambda-split the folder that holds the linked file, or replace the link "
                                 "with the file")


def _is_nuget_folder(folder: Path) -> bool:
    """`packages/` is NuGet's restore folder in packages.config solutions, but a source folder in many monorepos."""
    if (folder / "repositories.config").is_file():
        return True
    try:
        return any(child.is_dir() and any(child.glob("*.nupkg")) for child in folder.iterdir())
    except OSError:
        return False


def normal_below(path: str, prefix: str) -> str | None:
    """`path` relative to `prefix` (a folder ending in "/") when it is an absolute, normal POSIX path below it (no
    `.` or `..` part, no doubled slash): a string cut, no system call. None otherwise: ask pathlib."""
    if os.sep == "/" and path.startswith(prefix) and "/." not in path and "//" not in path:
        return path[len(prefix):]
    return None


def files_below(root: Path) -> list[Path]:
    """Every file below root in sorted order, build output, tool folders and hidden folders left out."""
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        here = Path(folder)
        found.extend(here / f for f in sorted(files))
    return found
