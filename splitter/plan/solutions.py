"""Solutions (.sln, .slnx) list the function projects."""

from __future__ import annotations

import os
from pathlib import Path

from splitter.changes.edits import Edit, apply_edits, line_end, line_start, newline_of
from splitter.model.msbuild import Solution, SolutionProject, project_guid
from splitter.changes.edits import merge_inserts


# -- solutions ------------------------------------------------------------------------------------------------------------

def add_to_solution(solution: Solution, additions: list[tuple[SolutionProject, str, Path]]) -> str:
    text = solution.source.text
    if solution.is_slnx:
        return _add_to_slnx(solution, additions)
    nl = newline_of(text)
    edits: list[Edit] = []
    by_original: dict[str, list[tuple[SolutionProject, str, Path]]] = {}
    for addition in additions:
        by_original.setdefault(addition[0].guid, []).append(addition)
    for guid, group in by_original.items():
        original = group[0][0]
        head = text.upper().find(f"\"{{{guid}}}\"")
        end_project = text.find("EndProject", head)
        at = line_end(text, end_project)
        blocks = []
        config_lines = _lines_with(text, f"{{{guid}}}.")
        nested_lines = _lines_with(text, f"{{{guid}}} = ")
        new_configs, new_nested = [], []
        for _, name, csproj in group:
            new_guid = project_guid(solution.path.name, name)
            separator = "/" if "/" in original.include and "\\" not in original.include else "\\"
            include = os.path.relpath(csproj, solution.path.parent).replace(os.sep, separator)
            blocks.append(f'Project("{{{original.type_guid}}}") = "{name}", "{include}", "{{{new_guid}}}"{nl}'
                          f"EndProject{nl}")
            new_configs += [_swap_guid(line, guid, new_guid) for _, line in config_lines]
            new_nested += [_swap_guid(line, guid, new_guid) for _, line in nested_lines]
        edits.append(Edit(at, at, "".join(blocks)))
        if config_lines:
            last = config_lines[-1][0]
            edits.append(Edit(last, last, "".join(new_configs)))
        if nested_lines:
            last = nested_lines[-1][0]
            edits.append(Edit(last, last, "".join(new_nested)))
    return apply_edits(text, edits)


def _lines_with(text: str, needle: str) -> list[tuple[int, str]]:
    """(offset just past the line, the line) for each line holding `needle`, case-insensitively."""
    found, upper, position = [], text.upper(), 0
    needle = needle.upper()
    while True:
        index = upper.find(needle, position)
        if index < 0:
            return found
        start, end = line_start(text, index), line_end(text, index)
        found.append((end, text[start:end]))
        position = end


def _swap_guid(line: str, old: str, new: str) -> str:
    index = line.upper().find(old.upper())
    return line[:index] + new + line[index + len(old):]


def _add_to_slnx(solution: Solution, additions: list[tuple[SolutionProject, str, Path]]) -> str:
    text = solution.source.text
    edits = []
    for original, name, csproj in additions:
        index = text.find(f'"{original.include}"')
        start, end = line_start(text, index), line_end(text, index)
        line = text[start:end]
        include = os.path.relpath(csproj, solution.path.parent).replace(os.sep, "/")
        edits.append(Edit(end, end, line.replace(original.include, include)))
    return apply_edits(text, merge_inserts(edits))
