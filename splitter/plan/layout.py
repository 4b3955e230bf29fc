"""Where the function projects go and what they are called."""

from __future__ import annotations

from pathlib import Path

from splitter.model.architecture import PROJECT_SUFFIX
from splitter.errors import SplitterError
from splitter.graph.migration import SplitTarget
from splitter.plan.result import FunctionProject, Options


# -- layout ----------------------------------------------------------------------------------------------------------

def function_projects(target: SplitTarget, options: Options, root: Path,
                       existing: set[str]) -> dict[str, FunctionProject]:
    project = target.project
    given = {"x86_64": options.x64_name, "arm64": options.arm64_name}
    names = {arch: given[arch] or f"{project.name}.{PROJECT_SUFFIX[arch]}" for arch in given}
    for arch, name in names.items():
        if not name or any(c in name for c in '/\\:*?"<>|') or name.startswith("."):
            raise SplitterError(f"{name!r} is not a usable project name", hint="choose a plain name like Orders.Arm64")
    if names["x86_64"] == names["arm64"] or project.name in names.values():
        raise SplitterError("the two function projects and the library need three different names",
                            project.path, hint="pass different --x64-name and --arm64-name")
    folder = project.folder.resolve()
    nested = folder == root or root not in folder.parent.parents and folder.parent != root
    base = folder if nested else folder.parent
    projects: dict[str, FunctionProject] = {}
    for unit in target.units:
        for function in unit.functions:
            arch = function.architecture
            if arch not in projects:
                projects[arch] = FunctionProject(arch, names[arch], base / names[arch])
            projects[arch].functions.append(function)
    for fp in projects.values():
        rel = fp.folder.relative_to(root).as_posix()
        if any(path == rel or path.startswith(rel + "/") for path in existing):
            raise SplitterError(f"the folder for the {fp.architecture} project already exists: {rel}",
                                fp.folder, hint="move it away, or name the project with --x64-name/--arm64-name")
    return dict(sorted(projects.items(), key=lambda item: item[0] != "x86_64"))


def is_nested(target: SplitTarget, projects: dict[str, FunctionProject]) -> bool:
    folder = target.project.folder.resolve()
    return any(fp.folder.parent == folder for fp in projects.values())
