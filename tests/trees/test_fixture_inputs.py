"""The fixture `before/` trees are what fixtures/README.md says: real-looking solutions that compile, whose handler
strings name existing methods, with the bytes (line endings, BOMs, cp1252) a Windows-made solution has."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import tree_sitter_c_sharp
from ruamel.yaml import YAML
from tree_sitter import Language, Parser

from dotnet_compile import assert_compiles
from splitter.model.textfile import decode
from support import FIXTURES

CASES = sorted(p.parent.name for p in FIXTURES.glob("*/before"))
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
CSHARP = Parser(Language(tree_sitter_c_sharp.language()))


def test_every_case_named_in_the_readme_exists():
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    assert len(CASES) >= 6
    assert all(f"| `{case}` |" in readme for case in CASES)


@pytest.mark.parametrize("case", CASES)
def test_before_tree_compiles_with_mcs(case, mcs):  # noqa: F811
    result = assert_compiles(FIXTURES / case / "before")
    assert len(result.projects) >= 2   # a Lambda project and its test project at least


@pytest.mark.parametrize("case", CASES)
def test_every_local_handler_names_a_method_in_its_project(case):
    checked = 0
    root = FIXTURES / case / "before"
    sam = [(template, *function) for template in _templates(root) for function in _local_functions(template)]
    for template, name, folder, handler in sam + _app_functions(root):
        project = _single_csproj(folder)
        assembly, _, member = handler.partition("::")
        assert assembly == project.stem, f"{template}: {name} names assembly {assembly}"
        # Amazon.Lambda.Annotations: Ns.Class_Method_Generated::Method is generated from Ns.Class::Method.
        member = re.sub(r"^(.+)_(\w+)_Generated::\2$", r"\1::\2", member)
        assert member in _methods(folder), f"{template}: {name} handler {handler} not found in {folder}"
        checked += 1
    assert checked >= 3


def test_windows_crlf_files_are_crlf_and_mostly_bom():
    root = FIXTURES / "windows-crlf" / "before"
    files = [p for p in root.rglob("*") if p.is_file()]
    for path in files:
        raw = path.read_bytes()
        assert raw.count(b"\n") == raw.count(b"\r\n") > 0, path
    bom = {p.name for p in files if p.read_bytes().startswith(b"\xef\xbb\xbf")}
    assert {"Billing.sln", "Billing.csproj", "serverless.template", "aws-lambda-tools-defaults.json",
            "Handlers.cs"} <= bom


def test_windows_crlf_refund_handler_is_cp1252():
    raw = (FIXTURES / "windows-crlf" / "before" / "src" / "Billing" / "RefundHandler.cs").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "Gebühr für Bestellung – Größe" in raw.decode("cp1252")


@pytest.mark.parametrize("case", CASES)
def test_solution_files_are_crlf_with_bom_as_visual_studio_writes_them(case):
    for sln in (FIXTURES / case / "before").glob("*.sln"):
        raw = sln.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf\r\nMicrosoft Visual Studio Solution File, Format Version 12.00\r\n")
        assert raw.count(b"\n") == raw.count(b"\r\n")


def _templates(root: Path) -> list[Path]:
    return sorted([*root.rglob("serverless.template"), *root.rglob("template.yaml")])


def _load(template: Path) -> dict:
    text = decode(template.read_bytes())[0]
    return YAML().load(text) if template.suffix == ".yaml" else json.loads(text)


def _local_functions(template: Path):
    """(logical id, code folder, handler) of each function whose code is built from a local folder."""
    document = _load(template)
    globals_ = (document.get("Globals") or {}).get("Function") or {}
    for name, resource in document["Resources"].items():
        if resource.get("Type") not in FUNCTION_TYPES:
            continue
        props = resource.get("Properties") or {}
        if props.get("PackageType") == "Image":
            code, handler = resource["Metadata"]["DockerContext"], props["ImageConfig"]["Command"][0]
        elif resource["Type"] == "AWS::Lambda::Function":
            code, handler = props["Code"].get("S3Key") or ".", props["Handler"]
        else:
            code, handler = props.get("CodeUri", globals_.get("CodeUri")) or ".", props["Handler"]
        if isinstance(code, str) and not code.startswith("s3://"):
            yield name, (template.parent / code).resolve(), handler


def _app_functions(root: Path) -> list[tuple[Path, str, Path, str]]:
    """(declaring file, function, project folder, handler) of each function a CDK app or serverless.yml builds from a
    project, read with lambda-split's loaders (a CDK app has no plain data form to read independently)."""
    from splitter.graph.analyze import analyze
    from splitter.discover import discover
    return [(f.template_path, f.logical_id, unit.project.folder, f.handler) for unit in analyze(discover(root)).units
            if unit.source != "sam" and unit.project is not None for f in unit.functions]


def _single_csproj(folder: Path) -> Path:
    projects = list(folder.glob("*.csproj"))
    assert len(projects) == 1, f"{folder} must hold exactly one project, has {projects}"
    return projects[0]


def _methods(folder: Path) -> set[str]:
    """`Namespace.Type::Method` for every method declared in the folder's C# files."""
    found: set[str] = set()
    for source in folder.rglob("*.cs"):
        tree = CSHARP.parse(decode(source.read_bytes())[0].encode("utf-8"))
        assert not tree.root_node.has_error, source
        _collect(tree.root_node, "", "", found)
    return found


def _collect(node, namespace: str, type_name: str, found: set[str]) -> None:
    for child in node.children:
        name = child.child_by_field_name("name")
        if child.type == "namespace_declaration":
            text = name.text.decode()
            _collect(child, f"{namespace}.{text}" if namespace else text, type_name, found)
        elif child.type == "class_declaration":
            _collect(child, namespace, name.text.decode(), found)
        elif child.type == "method_declaration":
            found.add(f"{namespace}.{type_name}::{name.text.decode()}")
        elif child.type == "declaration_list":
            _collect(child, namespace, type_name, found)
