"""Point the functions of a CDK app or serverless.yml at their architecture's project after a split: the asset path
(or artifact) keeps its shape with the project folder swapped, the handler names the assembly its type moved to, and
a bundling command that fixes the other architecture's runtime is flipped. Each edit splices one span of the file.

Pure: the model (graph/) holds every path resolved (documents, bases, project folders), so nothing here touches the
file system.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from splitter.changes.edits import Edit, insert_key
from splitter.model.literals import scalar_text
from splitter.errors import SplitterError
from splitter.plan.result import Decision
from splitter.model.apps.common import DEPLOY_INSTRUCTIONS, AppDocument, AppFunction, TracedString, moved_path, resolve

_ASSET_WORDS = {"project-dir": "project directory", "artifact": "package.artifact"}


def rewrite(value: TracedString, new: str, text: str, literal: Callable[[str], str]) -> list[Edit] | None:
    """Edits that make `value` read `new`: the changed characters only, inside a literal of the function's own
    expression; else the whole expression becomes a literal, if the function owns it. None when it cannot change
    without changing what another function reads."""
    old = value.value
    if old is None:
        return None
    if old == new:
        return []
    prefix = len(os.path.commonprefix([old, new]))
    room = min(len(old), len(new)) - prefix
    suffix = len(os.path.commonprefix([old[::-1], new[::-1]]))
    suffix = min(suffix, room)
    start, end, replacement = prefix, len(old) - suffix, new[prefix:len(new) - suffix]
    offset = 0
    for piece in value.pieces:
        low, high = offset, offset + len(piece.text)
        offset = high
        if not (piece.own and piece.literal and low <= start and end <= high):
            continue
        if text[piece.start:piece.end] == piece.text:          # no escapes: the value's offsets are the source's
            return [Edit(piece.start + start - low, piece.start + end - low, piece.escape(replacement))]
        whole = piece.text[:start - low] + replacement + piece.text[end - low:]
        return [Edit(piece.start, piece.end, piece.escape(whole))]
    if value.own and value.start >= 0:
        return [Edit(value.start, value.end, (value.write or literal)(new))]
    return None


# -- bundling commands -------------------------------------------------------------------------------------------------


def retarget_unit(unit, folders: dict[str, Path], new_handler: Callable[[AppFunction], str | None],
                  root: Path, folder_for: Callable[[AppFunction], Path] | None = None
                  ) -> tuple[list[tuple[AppDocument, list[Edit]]], list]:
    """(edits per document, decisions to report) that move the unit's functions to `folders[architecture]` (or to
    `folder_for(function)`: an Annotations function goes where its generated handler type went)."""
    _refuse_undecided(unit)
    per_document: dict[int, tuple[AppDocument, list[Edit]]] = {}
    notes: list[str] = []
    widened: set[str] = set()
    for function in unit.functions:
        document = function.document
        if root != document.path and root not in document.path.parents:
            raise SplitterError(f"{document.path.name} declares {function.logical_id} but lies outside the folder "
                                f"migrate may change ({root})", document.path, function.line,
                                hint="run migrate on a folder that holds both the app and the projects")
        edits = per_document.setdefault(id(document), (document, []))[1]
        new_folder = folder_for(function) if folder_for is not None else folders[function.architecture]
        mount = _widened_mount(unit, function, new_folder)
        edits.extend(_asset_edits(unit, function, mount[0] if mount else new_folder))
        edits.extend(_handler_edits(function, new_handler(function)))
        bundling_edits, bundling_notes = _bundling_edits(function, mount[1] if mount else None)
        edits.extend(bundling_edits)
        notes.extend(bundling_notes)
        if mount:
            widened.add(function.logical_id)
    notes.extend(_mount_notes(unit, folders, widened))
    decisions = []
    for document, _ in per_document.values():
        subject = document.path.relative_to(root).as_posix()
        decisions += [Decision("note", subject, note) for note in notes]
        decisions.append(Decision("deploy", subject, f"{subject}: {DEPLOY_INSTRUCTIONS[document.source_kind]}"))
        notes = []
    return [(document, _unique(edits)) for document, edits in per_document.values()], decisions


def _refuse_undecided(unit) -> None:
    folder = unit.project.folder
    for entry, project_folder in unit.undecided:
        if project_folder is not None and project_folder == folder:
            raise SplitterError(f"cannot split {unit.project.name}: function {entry.function} builds from it too, "
                                f"and lambda-split cannot decide it ({entry.reason})", entry.path, entry.line,
                                hint="write its values out (literals or constants of the same file), or split "
                                     "by hand; nothing was changed")


def _asset_edits(unit, function: AppFunction, new_folder: Path) -> list[Edit]:
    document = function.document
    old = function.asset.value
    new = moved_path(old, document.base, unit.project.folder, new_folder)
    if new is None:
        raise SplitterError(f"{function.logical_id}: no leading part of its asset path {old!r} names the project "
                            f"folder {unit.project.folder}", function.template_path, function.line,
                            hint="write the asset path relative to the app's folder")
    if function.asset_kind == "service-artifact":
        return [_insert_artifact(document, function, new)]
    edits = rewrite(function.asset, new, document.source.text, document.literal)
    if edits is None:
        word = _ASSET_WORDS.get(function.asset_kind, "asset path")
        raise SplitterError(f"{function.logical_id}: its {word} {old!r} comes from a value other functions share, "
                            f"so lambda-split cannot point it at {new!r} alone", function.template_path,
                            function.asset.line,
                            hint="give the function its own path expression (a literal, or a constant plus a "
                                 "literal), then run migrate again; nothing was changed")
    return edits


def _handler_edits(function: AppFunction, new: str | None) -> list[Edit]:
    if new is None or new == function.handler:
        return []
    document = function.document
    edits = rewrite(function.handler_value, new, document.source.text, document.literal) \
        if function.handler_value is not None else None
    if edits is None:
        raise SplitterError(f"{function.logical_id}: its handler {function.handler!r} must become {new!r}, but it "
                            "comes from a value other functions share", function.template_path, function.line,
                            hint="give the function its own handler string, then run migrate again; nothing was "
                                 "changed")
    return edits


def _widened_mount(unit, function: AppFunction, new_folder: Path) -> tuple[Path, str] | None:
    """(asset folder, subfolder to build in) when the function's own bundling container must see the library too.

    A bundling container mounts only the asset folder; after the split the function project references the library
    beside it, so the asset becomes their common folder and the command first changes into the project's folder.
    Only for a command the function owns, of the form `[shell, "-c", script]`."""
    bundling = function.bundling
    if bundling is None or function.asset_kind != "asset" or not bundling.own or bundling.command is None:
        return None
    command = bundling.command
    if len(command) < 3 or command[-2].value != "-c" or command[-1].value is None:
        return None
    library, mounted = unit.project.folder, new_folder
    if mounted == library or mounted in library.parents:
        return None
    common = Path(os.path.commonpath([mounted, library]))
    return common, os.path.relpath(mounted, common).replace(os.sep, "/")


def _bundling_edits(function: AppFunction, subfolder: str | None = None) -> tuple[list[Edit], list[str]]:
    bundling = function.bundling
    if bundling is None:
        return [], []
    changes = bundling.retargeted(function.architecture)
    if subfolder is not None:
        script = bundling.command[-1]
        current = dict((id(token), value) for token, value in changes).get(id(script), script.value)
        changes = [(t, v) for t, v in changes if t is not script] + [(script, f"cd {subfolder} && {current}")]
    if not changes:
        return [], []
    document = function.document
    edits: list[Edit] = []
    for token, value in changes:
        replaced = rewrite(token, value, document.source.text, document.literal) if bundling.own else None
        if replaced is None:
            shared = f"`{bundling.name}`" if bundling.name else "a bundling command"
            return [], [f"{function.logical_id} runs on {function.architecture}, but {shared} (line {bundling.line}) "
                        f"is shared with other functions and builds for the other architecture; give "
                        f"{function.logical_id} its own BundlingOptions with `{value}`: lambda-split left it "
                        "unchanged"]
        edits.extend(replaced)
    return edits, []


def _mount_notes(unit, folders: dict[str, Path], widened: set[str]) -> list[str]:
    """A bundling container sees only the asset folder; the function project's reference to the shared library
    must be inside it for `dotnet publish` to work there. Functions whose asset was widened need no note."""
    bundled = [f for f in unit.functions if f.bundling is not None and f.asset_kind == "asset"
               and f.logical_id not in widened]
    library = unit.project.folder
    notes = []
    for arch in sorted({f.architecture for f in bundled}):
        functions = [f for f in bundled if f.architecture == arch]
        first = functions[0]
        new = moved_path(first.asset.value, first.document.base, unit.project.folder, folders[arch])
        mounted = resolve(first.document.base, new) if new else None
        if mounted is not None and mounted != library and mounted not in library.parents:
            names = ", ".join(f.logical_id for f in functions)
            common = Path(os.path.commonpath([mounted, library]))
            shown = os.path.relpath(common, first.document.base).replace(os.sep, "/")
            inside = os.path.relpath(mounted, common).replace(os.sep, "/")
            notes.append(f"the bundling container of {names} mounts only {new}, and the shared library "
                         f"{unit.project.folder.name} it references lies outside it, so the build cannot read it: "
                         f"before `cdk deploy`, make the asset {shown!r} and the bundling working directory "
                         f"'/asset-input/{inside}' (the bundling options are shared with other functions, so "
                         "lambda-split left them as they are)")
    return notes


def _insert_artifact(document: AppDocument, function: AppFunction, value: str) -> Edit:
    """serverless.yml: the function gets its own `package.artifact` (the service's stays for other functions)."""
    declaration = function.declaration
    text = document.source.text
    scalar = scalar_text(value, "yaml")
    package = declaration.get("package")
    if package is not None:
        if package.kind != "map":
            raise SplitterError(f"{function.logical_id}: its `package` is not a mapping lambda-split can add "
                                "`artifact` to", function.template_path, package.line)
        return insert_key(text, package, "artifact", scalar, "yaml")
    if declaration.flow:
        return insert_key(text, declaration, "package", f"{{artifact: {scalar}}}", "yaml")
    unit = document.source.indent_unit()
    return insert_key(text, declaration, "package", "", "yaml", after="handler",
                      yaml_block_value=[f"{unit}artifact: {scalar}"])


def _unique(edits: list[Edit]) -> list[Edit]:
    seen, out = set(), []
    for edit in edits:
        if (edit.start, edit.end, edit.text) not in seen:
            seen.add((edit.start, edit.end, edit.text))
            out.append(edit)
    return out
