"""Invariants every migration must keep, checked on whole trees (before and after) by the fixture tests."""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from splitter.graph.analyze import analyze
from splitter.discover import discover
from splitter.graph.migration import compile_items
from splitter.model.csharp import parse_file
from splitter.model.msbuild import load_project
from splitter.model.template import deployed_handler, load_template

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
    for template in [*analysis.templates, *analysis.apps]:      # apps: CDK stack files and serverless.yml
        for function in template.functions:
            key = f"{workspace.relative(template.path)}#{function.logical_id}"
            result[key] = (function.architecture, function.code_uri, function.handler)
    return result


def assert_architectures_kept(before: Path, after: Path) -> None:
    """Every function keeps its logical ID and its architecture, whichever template holds it afterwards (an
    Amazon.Lambda.Annotations split moves functions into one template per function project)."""
    old, new = functions_by_id(before), functions_by_id(after)
    old_ids = Counter((key.split("#", 1)[1], arch) for key, (arch, _, _) in old.items())
    new_ids = Counter((key.split("#", 1)[1], arch) for key, (arch, _, _) in new.items())
    assert old_ids == new_ids, f"functions appeared, disappeared or changed architecture: " \
                               f"{sorted((old_ids - new_ids).elements())} -> {sorted((new_ids - old_ids).elements())}"
    for key in old.keys() & new.keys():
        assert old[key][0] == new[key][0], f"{key} changed architecture {old[key][0]} -> {new[key][0]}"


def assert_one_architecture_per_build(root: Path) -> None:
    analysis = analyze(discover(root))
    assert not analysis.hazards, [u.code_uri for u in analysis.hazards]
    per_project: dict[Path, set[str]] = {}
    for unit in analysis.units:
        if unit.project is not None and unit.builds_once:     # SAM CLI builds each architecture separately
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
    """Every zip function's handler names a type and method compiled into a project of its package.

    Amazon.Lambda.Annotations handlers (`Asm::Ns.Class_Method_Generated::Method`) name the class its source
    generator writes: `Ns.Class` must have a [LambdaFunction] method `Method` in the project that builds `Asm`, and
    that project must run the generator. An executable's handler is its assembly name; its generated Main picks the
    [LambdaFunction] method that ANNOTATIONS_HANDLER names."""
    analysis = analyze(discover(root))
    all_files = [p for p in root.rglob("*") if p.is_file() and not SKIP.intersection(p.relative_to(root).parts)]
    for unit in analysis.units:
        if unit.project is None:
            continue
        for function in unit.functions:
            handler = function.handler
            if handler is None and unit.source == "sam":       # a !Sub or Ref, evaluated as it deploys
                handler = deployed_handler(function, unit.template)[0]
            assert handler, f"{function.logical_id}: no handler lambda-split can evaluate"
            if "::" not in handler:
                _assert_executable_handler(function, unit.project.path, all_files)
                continue
            assembly, type_name, method = handler.split("::")
            type_name = type_name.replace("+", ".")
            candidates = [p for p in _package_projects(unit.project.path)
                          if load_project(p).assembly_name == assembly]
            assert candidates, f"{function.logical_id}: no project in its package builds assembly {assembly}"
            project = load_project(candidates[0])
            generated = re.fullmatch(r"(?P<type>.+)_%s_Generated" % re.escape(method), type_name)
            if generated:
                assert runs_annotations_generator(candidates[0]), \
                    f"{function.logical_id}: {assembly} does not run the Amazon.Lambda.Annotations generator"
            found = False
            for cs in compile_items(project, all_files):
                for decl in parse_file(cs).all_types():
                    if generated and decl.full_name == generated.group("type"):
                        found |= _has_lambda_function(decl, method)
                    elif decl.full_name == type_name:
                        found |= _declares_or_inherits(decl, method, unit.project.path, all_files)
            assert found, f"{function.logical_id}: {type_name}::{method} is not compiled into {assembly}"


def _declares_or_inherits(decl, method: str, csproj: Path, all_files: list[Path]) -> bool:
    """The type declares the method, or a base class in its package does (`Handler : FunctionBase<Request>`)."""
    seen = set()
    while decl is not None and decl.full_name not in seen:
        if decl.has_method(method):
            return True
        seen.add(decl.full_name)
        base = re.sub(r"<.*", "", decl.bases[0]).split(".")[-1].strip() if decl.bases else None
        decl = next((d for p in _package_projects(csproj) for cs in compile_items(load_project(p), all_files)
                     for d in parse_file(cs).all_types() if base and d.name == base and d.kind == "class"), None)
    return False


def _has_lambda_function(decl, method: str) -> bool:
    return any(m.kind == "method" and m.name == method and "LambdaFunction" in m.attributes for m in decl.members)


def _assert_executable_handler(function, project_path: Path, all_files: list[Path]) -> None:
    project = load_project(project_path)
    assert project.assembly_name == function.handler, \
        f"{function.logical_id}: handler {function.handler} is not the executable {project.assembly_name}"
    assert project.output_type.lower() == "exe", f"{function.logical_id}: {project.name} is not an executable"
    variables = function.properties.path("Environment", "Variables") if function.properties is not None else None
    chosen = variables.get("ANNOTATIONS_HANDLER") if variables is not None else None
    if chosen is not None:
        declared = [d for cs in compile_items(project, all_files) for d in parse_file(cs).all_types()]
        assert any(_has_lambda_function(d, chosen.value) for d in declared), \
            f"{function.logical_id}: no [LambdaFunction] {chosen.value} in {project.name}"


def runs_annotations_generator(csproj: Path) -> bool:
    """The project references Amazon.Lambda.Annotations (itself or through Directory.Build.props) with analyzers."""
    project = load_project(csproj)
    for reference in project.package_references:
        if reference.include.lower() == "amazon.lambda.annotations":
            excluded = (reference.element.get("ExcludeAssets") or "") + ";" + \
                       "".join(c.text or "" for c in reference.element if c.tag.endswith("ExcludeAssets"))
            return "analyzers" not in excluded.lower()
    return False


def assert_one_generator_per_template(root: Path) -> None:
    """Each template holding resources the Annotations generator owns is written by exactly one project's generator:
    the project its owned functions build, which finds the template through its own defaults file (else its
    serverless.template); no other project (the shared library above all) runs the generator on it."""
    analysis = analyze(discover(root))
    writers: dict[Path, list[Path]] = {}
    for csproj in root.rglob("*.csproj"):
        if SKIP.intersection(csproj.relative_to(root).parts) or not runs_annotations_generator(csproj):
            continue
        writers.setdefault(_generator_template(csproj.parent), []).append(csproj.resolve())
    for template in analysis.templates:
        owned = [f for f in template.functions if f.managed_by_annotations]
        if not owned:
            continue
        builders = {u.project.path.resolve() for u in analysis.units if u.template is template and u.project
                    and any(f in u.functions for f in owned)}
        assert len(builders) == 1, f"{template.path}: owned functions of {len(builders)} projects"
        assert writers.get(template.path.resolve()) == list(builders), \
            f"{template.path}: written by {writers.get(template.path.resolve())}, built by {builders}"


def _generator_template(folder: Path) -> Path:
    defaults = folder / "aws-lambda-tools-defaults.json"
    if defaults.is_file():
        named = json.loads(defaults.read_text(encoding="utf-8-sig")).get("template")
        if named:
            return (folder / named).resolve()
    return (folder / "serverless.template").resolve()


_TEMPLATE_KEYS = re.compile(r'"?(CodeUri|Handler|Architectures|S3Key|Code)"?\s*:|^\s*-\s*"?(x86_64|arm64)"?\s*$|'
                            r'^\s*"(x86_64|arm64)"\s*,?\s*$|^\s*[\]\[],?\s*$|'
                            r'^\s*(handler|package|artifact):')     # serverless.yml: a function's own artifact


def assert_only_intended_template_lines(before: bytes, after: bytes, name: str) -> None:
    old = before.decode("utf-8-sig").splitlines(keepends=True)
    new = after.decode("utf-8-sig").splitlines(keepends=True)
    assert before.startswith(b"\xef\xbb\xbf") == after.startswith(b"\xef\xbb\xbf"), f"{name}: BOM changed"
    for line in difflib.ndiff(old, new):
        if line[:2] in ("- ", "+ "):
            assert _TEMPLATE_KEYS.search(line[2:]), f"{name}: unexpected change: {line!r}"
    if b"\r\n" in before:
        assert after.count(b"\n") == after.count(b"\r\n"), f"{name}: line endings mixed"


def declared_types(root: Path) -> dict[str, set[str]]:
    """Type full name -> its methods, over every declaration of that name (an Annotations class split into one
    copy per function project counts as one type)."""
    names: dict[str, set[str]] = {}
    for cs in root.rglob("*.cs"):
        if SKIP.intersection(cs.relative_to(root).parts):
            continue
        for decl in parse_file(cs).all_types():
            names.setdefault(decl.full_name, set()).update(m.name for m in decl.methods)
    return names


def assert_nothing_lost(before_tree: dict[str, bytes], after_tree: dict[str, bytes], before: Path,
                        after: Path) -> None:
    contents = set(after_tree.values())
    without_usings = {_without_usings(data) for path, data in after_tree.items() if path.endswith(".cs")}
    for path, data in before_tree.items():
        if path in after_tree or data in contents:
            continue
        if path.endswith(".cs") and _without_usings(data) in without_usings:
            continue        # moved, less a using of a namespace that no longer exists where it went
        assert _retired_template(before / path, after) or _retired_defaults(before / path, after), \
            f"{path} was lost"
    old, new = declared_types(before), declared_types(after)
    missing = sorted(f"{name}.{method}" for name, methods in old.items() for method in methods
                     if method not in new.get(name, set())) + sorted(set(old) - set(new))
    assert not missing, f"types lost: {missing}"


def _without_usings(data: bytes) -> bytes:
    return re.sub(rb"(?m)^[ \t]*(?:global[ \t]+)?using[ \t]+[\w.]+[ \t]*;[ \t]*\r?\n", b"", data)


def _retired_template(path: Path, after: Path) -> bool:
    """A template an Annotations split emptied: every one of its resources lives in a template of the result."""
    if path.name not in ("serverless.template", "template.yaml", "template.yml", "template.json"):
        return False
    resources = set(load_template(path).root.get("Resources").value)
    found = set()
    for template in discover(after).templates:
        found |= set(load_template(template).root.get("Resources").value)
    return bool(resources) and resources <= found


def _retired_defaults(path: Path, after: Path) -> bool:
    """A defaults file of a retired template: its settings live on in the function projects' defaults files, except
    those naming the old deployment (template, stack, prefix, architecture)."""
    if path.name != "aws-lambda-tools-defaults.json":
        return False
    replaced = {"Information", "template", "stack-name", "s3-prefix", "function-architecture", "template-parameters"}
    old = {k: v for k, v in json.loads(path.read_text(encoding="utf-8-sig")).items() if k not in replaced}
    for candidate in after.rglob("aws-lambda-tools-defaults.json"):
        new = json.loads(candidate.read_text(encoding="utf-8-sig"))
        if all(new.get(k) == v for k, v in old.items()):
            return True
    return False


def resources_by_id(root: Path) -> dict[str, list[tuple[str, dict]]]:
    """Logical ID -> [(template, resource as plain data)] over every template below root."""
    found: dict[str, list[tuple[str, dict]]] = {}
    for path in discover(root).templates:
        template = load_template(path)
        for name, node in template.root.get("Resources").items():
            found.setdefault(name, []).append((path.relative_to(root.resolve()).as_posix(), node.plain()))
    return found


def assert_resources_unchanged(before: Path, after: Path) -> None:
    """Every resource keeps its logical ID, and apart from a function's CodeUri, Handler assembly and Architectures
    it is the same wherever it lives afterwards."""
    old, new = resources_by_id(before), resources_by_id(after)
    assert set(old) == set(new), f"resources appeared or disappeared: {sorted(set(old) ^ set(new))}"
    for name, copies in old.items():
        for _, resource in new[name]:
            assert _comparable(resource) == _comparable(copies[0][1]), f"{name} changed beyond CodeUri/Handler/" \
                                                                        "Architectures"
            old_handler = (copies[0][1].get("Properties") or {}).get("Handler")
            new_handler = (resource.get("Properties") or {}).get("Handler")
            if isinstance(old_handler, str) and "::" in old_handler:
                assert new_handler.split("::")[1:] == old_handler.split("::")[1:], f"{name}: handler type changed"


def _comparable(resource: dict) -> dict:
    properties = {k: v for k, v in (resource.get("Properties") or {}).items()
                  if k not in ("CodeUri", "Handler", "Architectures")}
    if isinstance(properties.get("Code"), dict):       # AWS::Lambda::Function builds Code.S3Key
        properties["Code"] = {k: v for k, v in properties["Code"].items() if k != "S3Key"}
    return {**resource, "Properties": properties}


def template_origin(before: Path, after: Path, rel: str) -> Path:
    """The template of `before` a template of `after` came from: the same path, or the one holding its resources."""
    if (before / rel).exists():
        return before / rel
    names = set(load_template(after / rel).root.get("Resources").value)
    for path in discover(before).templates:
        if names & set(load_template(path).root.get("Resources").value):
            return path
    return before / rel
