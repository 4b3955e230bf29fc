"""Invariants every migration must keep, checked on whole trees (before and after) by the fixture tests."""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
from pathlib import Path

from splitter.analysis import analyze
from splitter.discover import discover
from splitter.load import compile_items
from splitter.model.csharp import parse_file
from splitter.model.msbuild import load_project

SKIP = {".git", "bin", "obj"}


def read_tree(root: Path) -> dict[str, bytes]:
    tree = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not SKIP.intersection(rel.parts):
            tree[rel.as_posix()] = path.read_bytes()
    return tree


def copy_tree(source: Path, target: Path, git: bool = True) -> Path:
    shutil.copytree(source, target)
    if git:
        git_run(target, "init", "-q")
        git_run(target, "add", "-A")
        git_run(target, "commit", "-qm", "before")
    return target


def git_run(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "core.autocrlf=false",
                           "-C", str(root), *args], input=stdin, capture_output=True, check=True)


def functions_by_id(root: Path) -> dict[str, tuple[str, str | None, str | None]]:
    """logical id (template-qualified) -> (architecture, code uri, handler)."""
    workspace = discover(root)
    analysis = analyze(workspace)
    assert not analysis.errors, [str(e) for e in analysis.errors]
    result = {}
    for template in analysis.templates:
        for function in template.functions:
            key = f"{workspace.relative(template.path)}#{function.logical_id}"
            result[key] = (function.architecture, function.code_uri, function.handler)
    return result


def assert_architectures_kept(before: Path, after: Path) -> None:
    old, new = functions_by_id(before), functions_by_id(after)
    assert old.keys() == new.keys(), "functions appeared or disappeared"
    for key in old:
        assert old[key][0] == new[key][0], f"{key} changed architecture {old[key][0]} -> {new[key][0]}"


def assert_one_architecture_per_build(root: Path) -> None:
    analysis = analyze(discover(root))
    assert not analysis.hazards, [u.code_uri for u in analysis.hazards]
    per_project: dict[Path, set[str]] = {}
    for unit in analysis.units:
        if unit.project is not None:
            per_project.setdefault(unit.project.path.resolve(), set()).update(unit.architectures)
    for project, archs in per_project.items():
        assert len(archs) == 1, f"{project} serves {sorted(archs)}"


def _package_projects(csproj: Path) -> list[Path]:
    seen, stack = [], [csproj.resolve()]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.append(current)
        stack.extend(ref.path.resolve() for ref in load_project(current).project_references)
    return seen


def assert_handlers_resolve(root: Path) -> None:
    """Every zip function's handler names a type and method compiled into a project of its package."""
    analysis = analyze(discover(root))
    all_files = [p for p in root.rglob("*") if p.is_file() and not SKIP.intersection(p.relative_to(root).parts)]
    for unit in analysis.units:
        if unit.project is None:
            continue
        for function in unit.functions:
            assembly, type_name, method = function.handler.split("::")
            type_name = type_name.replace("+", ".")
            candidates = [p for p in _package_projects(unit.project.path)
                          if load_project(p).assembly_name == assembly]
            assert candidates, f"{function.logical_id}: no project in its package builds assembly {assembly}"
            project = load_project(candidates[0])
            found = False
            for cs in compile_items(project, all_files):
                for decl in parse_file(cs).all_types():
                    if decl.full_name == type_name and decl.has_method(method):
                        found = True
            assert found, f"{function.logical_id}: {type_name}::{method} is not compiled into {assembly}"


_TEMPLATE_KEYS = re.compile(r'"?(CodeUri|Handler|Architectures|S3Key|Code)"?\s*:|^\s*-\s*"?(x86_64|arm64)"?\s*$|'
                            r'^\s*"(x86_64|arm64)"\s*,?\s*$|^\s*[\]\[],?\s*$')


def assert_only_intended_template_lines(before: bytes, after: bytes, name: str) -> None:
    old = before.decode("utf-8-sig").splitlines(keepends=True)
    new = after.decode("utf-8-sig").splitlines(keepends=True)
    assert before.startswith(b"\xef\xbb\xbf") == after.startswith(b"\xef\xbb\xbf"), f"{name}: BOM changed"
    for line in difflib.ndiff(old, new):
        if line[:2] in ("- ", "+ "):
            assert _TEMPLATE_KEYS.search(line[2:]), f"{name}: unexpected change: {line!r}"
    if b"\r\n" in before:
        assert after.count(b"\n") == after.count(b"\r\n"), f"{name}: line endings mixed"


def declared_types(root: Path) -> set[str]:
    names = set()
    for cs in root.rglob("*.cs"):
        if SKIP.intersection(cs.relative_to(root).parts):
            continue
        for decl in parse_file(cs).all_types():
            names.add(decl.full_name + "(" + ",".join(sorted(m.name for m in decl.methods)) + ")")
    return names


def assert_nothing_lost(before_tree: dict[str, bytes], after_tree: dict[str, bytes], before: Path,
                        after: Path) -> None:
    contents = set(after_tree.values())
    for path, data in before_tree.items():
        assert path in after_tree or data in contents, f"{path} was lost"
    missing = declared_types(before) - declared_types(after)
    assert not missing, f"types lost: {sorted(missing)}"
