"""The library and its tests: Lambda-only settings and moved sources leave the library; test projects reference
the function projects whose types they use."""

from __future__ import annotations

import os
import re
from pathlib import Path

from splitter.changes.changeset import Modify, Move
from splitter.changes.edits import Edit, apply_edits, element_span, indentation_at, line_end, line_start, xml_removal_edits
from splitter.graph.migration import SplitTarget
from splitter.model.msbuild import local, msbuild_path
from splitter.model.textfile import detect_indent, encode
from splitter.plan.sources import namespaces_after
from splitter.plan.layout import is_nested
from splitter.plan.projects import LAMBDA_ONLY, msbuild_relpath
from splitter.plan.result import Decision, FunctionProject, Plan


# -- the library and its tests -----------------------------------------------------------------------------------------

def edit_library(target: SplitTarget, projects: dict[str, FunctionProject], result: Plan, root: Path,
                  receivers: list[str] | None = None, drop: tuple[str, ...] = (),
                  extra_edits: tuple[Edit, ...] = ()) -> None:
    """`receivers`, `drop` and `extra_edits` serve Annotations projects: the assemblies granted InternalsVisibleTo
    (default: the projects that received code), more properties to remove, more edits of the project file."""
    project = target.project
    text = project.source.text
    nl = project.source.newline
    unit = detect_indent(text)
    removals = []
    for group in project.root:
        if local(group.tag) != "PropertyGroup" or group.get("Condition") is not None:
            continue
        for prop in group:
            name = local(prop.tag)
            if (name in LAMBDA_ONLY or name in drop) and prop.get("Condition") is None:
                removals.append(element_span(text, prop.sourceline, prop.tag if ":" not in name else name))
    listed_removals, edits = _listed_moved_sources(target, result)
    removals += listed_removals
    receivers = receivers if receivers is not None else [fp.name for fp in projects.values() if fp.moved]
    granted = {project.expand_names(name) for name in project.internals_visible_to}
    new_ivt = [name for name in receivers if name not in granted]
    close = text.rfind("</Project>")
    if new_ivt:
        lines = [f"{unit}<ItemGroup>"] + [f"{unit * 2}<InternalsVisibleTo Include=\"{n}\" />" for n in new_ivt] + \
                [f"{unit}</ItemGroup>"]
        at = line_start(text, close)
        edits.append(Edit(at, at, nl.join(lines) + nl))
    if is_nested(target, projects):
        globs = ";".join(f"{fp.name}/**" for fp in projects.values())
        group = next(g for g in project.root if local(g.tag) == "PropertyGroup" and g.get("Condition") is None)
        last = list(group)[-1]
        _, end = element_span(text, last.sourceline, local(last.tag))
        at = line_end(text, end)
        indent = indentation_at(text, line_start(text, end))
        edits.append(Edit(at, at, f"{indent}<DefaultItemExcludes>$(DefaultItemExcludes);{globs}"
                                  f"</DefaultItemExcludes>{nl}"))
    after = apply_edits(text, edits + list(extra_edits) + xml_removal_edits(text, removals))
    moved = [f"{key}" for key in ("AWSProjectType", "PublishReadyToRun") if key in project.own_properties]
    result.changes.add(Modify(result.rel(project.path), project.source.raw,
                              encode(after, project.source.encoding, project.source.bom),
                              "becomes the shared class library"))
    detail = "becomes the shared class library"
    if moved:
        detail += f"; {', '.join(moved)} move to the function projects"
    if new_ivt:
        detail += f"; grants InternalsVisibleTo to {', '.join(new_ivt)}"
    result.decisions.append(Decision("edit", result.rel(project.path), detail))


def _listed_moved_sources(target: SplitTarget, result: Plan) -> tuple[list[tuple[int, int]], list[Edit]]:
    """For a project that lists its sources, the `<Compile Include="...">` items (spans to remove) and the parts of
    `a.cs;b.cs` lists (edits) naming files that moved out: left, they name files that no longer exist (CS2001).
    A glob that matched them matches the rest as before."""
    project, text = target.project, target.project.source.text
    if project.default_compile_items:
        return [], []
    moved = {result.root / c.source for c in result.changes.changes if isinstance(c, Move)}
    removals, edits = [], []
    for include, element in project.compile_includes:
        parts = include.split(";")
        kept = [part for part in parts if not part.strip() or "*" in part or "?" in part or "$(" in part
                or Path(os.path.normpath(msbuild_path(project.folder, part.strip()))) not in moved]
        if len(kept) == len(parts):
            continue
        start, end = element_span(text, element.sourceline, local(element.tag))
        if not any(part.strip() for part in kept):
            removals.append((start, end))
            continue
        value = re.compile(r"\bInclude\s*=\s*([\"'])(.*?)\1", re.S).search(text, start, end)
        edits.append(Edit(value.start(2), value.end(2), ";".join(kept)))
    return removals, edits


def edit_tests(target: SplitTarget, projects: dict[str, FunctionProject], result: Plan, root: Path) -> None:
    """Test projects reference the function projects whose types they name, or whose namespaces they import
    (a `using` of a namespace that now exists only there would not compile without the reference)."""
    namespaces = namespaces_after(target, projects)
    for other in target.referencing:
        lost = namespaces.words_lost(None)
        imported = {u for cs in (other.files_with(*lost) if lost else ()) for u in cs.usings}
        needed = [fp for fp in projects.values() if any(target.symbols.uses_of(d, other.files) for d in fp.moved)
                  or any(not namespaces.keeps(u, None) and namespaces.keeps(u, fp.architecture) for u in imported)]
        if not needed:
            continue
        text = other.project.source.text
        ref = next(r for r in other.project.project_references
                   if r.path.resolve() == target.project.path.resolve())
        start, end = element_span(text, ref.element.sourceline, "ProjectReference")
        separator = "/" if "/" in ref.include and "\\" not in ref.include else "\\"
        indent = indentation_at(text, start)
        nl = other.project.source.newline
        at = line_end(text, end)
        lines = "".join(f"{indent}<ProjectReference Include=\"{msbuild_relpath(fp.csproj, other.project.folder, separator)}\" />{nl}"
                        for fp in needed)
        result.edit_text(other.project.path, other.project.source, [Edit(at, at, lines)],
                         "reference the function projects whose types the tests use")
        result.decisions.append(Decision("edit", result.rel(other.project.path),
                                         "references " + ", ".join(fp.name for fp in needed)))
