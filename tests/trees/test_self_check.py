"""The self-check (issue 15 §1): `migrate` proves its plan on the planned tree before it writes or prints, and
handler resolution runs in `check` (an unresolved-handler warning) and on `migrate`'s input (a refusal).

Faults are planted in the planner by a test-only wrapper around the `plan` the migrate command calls
(`planted_fault`): the installed CLI has no fault hook at all.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from splitter.changes.changeset import Create, Move, target_of
from splitter.commands import migrate as migrate_command
from splitter.plan.planner import plan as real_plan
from support import FIXTURES, fixture_copy, require_real_templates, run_cli
from reliability import copy_case, migrating_cases, snapshot

CASES = migrating_cases()
DOCUMENT_NAMES = re.compile(r"(^|/)(serverless\.template|template\.ya?ml|template\.json|serverless\.ya?ml|[^/]+\.py|"
                            r"[^/]*Stack[^/]*\.cs)$")


# -- the fault hook (tests only) --------------------------------------------------------------------------------------

def _names(result) -> tuple[str, str, str]:
    target, projects = result.split[0]
    return target.project.name, projects["x86_64"].name, projects["arm64"].name


def _documents(result) -> list:
    """The changes that write a template or an app file deploying the split functions."""
    return [c for c in result.changes.changes if DOCUMENT_NAMES.search(target_of(c))
            and not target_of(c).endswith(("__init__.py", "app.py")) and _after(c) is not None]


def _after(change) -> bytes | None:
    return change.content if isinstance(change, Create) else change.after


def _replaced(change, data: bytes):
    if isinstance(change, Create):
        return dataclasses.replace(change, content=data)
    return dataclasses.replace(change, after=data)


def _swap_first(result, pattern: str, replacement: str, where: str = "") -> bool:
    for i, change in enumerate(result.changes.changes):
        if change not in _documents(result) or where not in target_of(change):
            continue
        text = _after(change).decode("utf-8", errors="surrogateescape")
        new, count = re.subn(pattern, replacement, text, count=1)
        if count:
            result.changes.changes[i] = _replaced(change, new.encode("utf-8", errors="surrogateescape"))
            return True
    return False


def drop_template_edit(result) -> None:
    documents = _documents(result)
    assert documents, "no template or app change to drop"
    result.changes.changes.remove(documents[0])


def drop_project(result) -> None:
    created = [c for c in result.changes.changes if isinstance(c, Create) and c.path.endswith(".csproj")]
    assert created, "no project created"
    result.changes.changes.remove(created[0])


def drop_move(result) -> None:
    """Drop the first C# file the plan moves or, where a split only copies class files (an Annotations class whose
    methods serve both architectures), the first C# file it creates in a function project."""
    moves = [c for c in result.changes.changes if isinstance(c, Move) and c.source.endswith(".cs")]
    copies = [c for c in result.changes.changes if isinstance(c, Create) and c.path.endswith(".cs")
              and not c.path.endswith("AssemblyAttributes.cs")]
    assert moves or copies, "no C# file moved or copied"
    result.changes.changes.remove((moves or copies)[0])


def wrong_handler(result) -> None:
    library, x64, arm64 = _names(result)
    assert _swap_first(result, re.escape(arm64) + "::", x64 + "::") or \
        _swap_first(result, re.escape(x64) + "::", arm64 + "::") or \
        _swap_first(result, re.escape(library) + "::", x64 + "::"), "no handler to retarget"


def wrong_code_uri(result) -> None:
    library, x64, arm64 = _names(result)
    arm_suffix, x64_suffix = arm64[len(library):], x64[len(library):]
    assert _swap_first(result, re.escape(arm_suffix) + r"(?![\w.]*::)", x64_suffix) or \
        _swap_first(result, r'(CodeUri"?\s*:\s*"?)\.(?=["\s])', r"\g<1>../" + x64, where=arm64 + "/"), \
        "no CodeUri to retarget"


FAULTS = {"drop-template-edit": drop_template_edit, "drop-project": drop_project, "drop-move": drop_move,
          "wrong-handler": wrong_handler, "wrong-codeuri": wrong_code_uri}


def planted_fault(monkeypatch, fault) -> None:
    """Make the migrate command's planner return a plan with one fault planted."""
    def faulty(model, options):
        result = real_plan(model, options)
        fault(result)
        result.changes.targets = {target_of(c) for c in result.changes.changes}
        return result
    monkeypatch.setattr(migrate_command, "plan", faulty)


# -- the self-check catches a faulty planner -------------------------------------------------------------------------

@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("case", CASES)
def test_a_planted_fault_is_caught_and_nothing_is_written(case, fault, tmp_path, monkeypatch):
    root = copy_case(case, tmp_path / case)
    before = snapshot(root)
    planted_fault(monkeypatch, FAULTS[fault])
    for args in (("--dry-run",), ("--allow-dirty",)):
        run = run_cli("migrate", *args, root)
        assert run.code == 2, (fault, run.err)
        errors = [line for line in run.lines if line.startswith("lambda-split: error:")]
        assert len(errors) == 1, run.err
        assert errors[0].startswith("lambda-split: error: internal check failed: "), errors[0]
        assert errors[0].endswith("(nothing was written; please report this with --format json output)")
        assert run.out == "", "a dry run prints no patch it could not prove"
        assert snapshot(root) == before


@pytest.mark.parametrize("case", CASES)
def test_json_lists_every_failure(case, tmp_path, monkeypatch):
    root = copy_case(case, tmp_path / case)
    before = snapshot(root)

    def two_faults(result):
        wrong_handler(result)
        drop_project(result)
    planted_fault(monkeypatch, two_faults)
    run = run_cli("migrate", "--format", "json", "--allow-dirty", root)
    assert run.code == 2
    report = json.loads(run.out)["self_check"]
    assert report["passed"] is False
    assert len(report["failures"]) >= 2, report
    assert all(set(f) == {"invariant", "message"} for f in report["failures"])
    first = [line for line in run.lines if line.startswith("lambda-split: error:")][0]
    assert report["failures"][0]["message"] in first
    assert snapshot(root) == before


@pytest.mark.parametrize("case", CASES)
def test_a_sound_plan_passes_the_self_check(case, tmp_path):
    root = copy_case(case, tmp_path / case)
    run = run_cli("migrate", "--dry-run", "--format", "json", root)
    assert run.code == 0, run.err
    assert json.loads(run.out)["self_check"] == {"passed": True, "failures": []}


def test_the_first_failure_names_function_handler_and_project(tmp_path, monkeypatch):
    root = copy_case("mixed-json", tmp_path / "r")
    planted_fault(monkeypatch, wrong_handler)
    run = run_cli("migrate", "--dry-run", root)
    line = [x for x in run.lines if x.startswith("lambda-split: error:")][0]
    assert re.search(r"internal check failed: \w+Function's handler Orders\.X64::Orders\.\w+::FunctionHandler "
                     r"names assembly Orders\.X64, which no project in Orders\.Arm64's package builds", line), line


# -- handler resolution on the input ---------------------------------------------------------------------------------

ALL_BEFORE = sorted(case.name for case in FIXTURES.iterdir() if (case / "before").is_dir())


def _warning_codes(root: Path, *args: str) -> list[str]:
    run = run_cli("check", "--format", "json", *args, root)
    return [w["code"] for w in json.loads(run.out)["warnings"]]


@pytest.mark.parametrize("case", ALL_BEFORE)
def test_no_fixture_has_an_unresolved_handler(case):
    for tree in ("before", "after"):
        if (FIXTURES / case / tree).is_dir():
            assert "unresolved-handler" not in _warning_codes(fixture_copy(case, tree)), (case, tree)


def test_no_real_repository_has_an_unresolved_handler():
    real = require_real_templates()
    folders = sorted(p for p in real.iterdir() if p.is_dir())
    assert folders
    for folder in folders:
        assert "unresolved-handler" not in _warning_codes(folder, "--parameter", "LambdaArchitecture=arm64"), folder


BROKEN = [("GetOrderHandler::FunctionHandler", "GetOrderHandler::Nope",
           "GetOrderFunction's handler Orders::Orders.GetOrderHandler::Nope names no method Nope"),
          ("Orders::Orders.ListOrdersHandler", "Orders::Orders.ListOrderz",
           "ListOrdersFunction's handler Orders::Orders.ListOrderz::FunctionHandler names no type Orders.ListOrderz "
           "in Orders"),
          ("Orders::Orders.ResizeImageHandler", "Ordrs::Orders.ResizeImageHandler",
           "names assembly Ordrs, which no project in Orders's package builds")]


@pytest.mark.parametrize("old,new,message", BROKEN)
def test_check_warns_of_an_unresolved_handler_and_keeps_its_exit_code(old, new, message, tmp_path):
    root = copy_case("mixed-json", tmp_path / "r")
    template = root / "src/Orders/serverless.template"
    expected = run_cli("check", root).code
    template.write_text(template.read_text().replace(old, new))
    run = run_cli("check", root)
    assert run.code == expected == 1
    assert message in run.out
    assert _warning_codes(root).count("unresolved-handler") == 1


@pytest.mark.parametrize("old,new,message", BROKEN)
def test_migrate_refuses_a_project_whose_handlers_do_not_resolve(old, new, message, tmp_path):
    root = copy_case("mixed-json", tmp_path / "r")
    template = root / "src/Orders/serverless.template"
    template.write_text(template.read_text().replace(old, new))
    before = snapshot(root)
    run = run_cli("migrate", "--allow-dirty", root)
    assert run.code == 2
    errors = [line for line in run.lines if line.startswith("lambda-split: error:")]
    assert len(errors) == 1 and message in errors[0] and "cannot be proven" in errors[0], run.err
    assert snapshot(root) == before


def test_inherited_handlers_and_handlers_in_referenced_projects_resolve(tmp_path):
    root = copy_case("mixed-json", tmp_path / "r")
    core = root / "src/Core"
    core.mkdir()
    (core / "Core.csproj").write_text('<Project Sdk="Microsoft.NET.Sdk">\n  <PropertyGroup>\n    <TargetFramework>'
                                      'net8.0</TargetFramework>\n    <AssemblyName>Shop.Core</AssemblyName>\n'
                                      '  </PropertyGroup>\n</Project>\n')
    (core / "Base.cs").write_text("namespace Core\n{\n    public abstract class HandlerBase\n    {\n        public "
                                  "string Handle(string input) { return input; }\n    }\n    public class Ping\n"
                                  "    {\n        public string Pong(string input) { return input; }\n    }\n}\n")
    project = root / "src/Orders/Orders.csproj"
    project.write_text(project.read_text().replace(
        "</Project>", '  <ItemGroup>\n    <ProjectReference Include="..\\Core\\Core.csproj" />\n  </ItemGroup>\n'
                      "</Project>"))
    (root / "src/Orders/Derived.cs").write_text("namespace Orders\n{\n    public class Derived : Core.HandlerBase\n"
                                                "    {\n    }\n    public class FromPackage : Amazon.Lambda."
                                                "AspNetCoreServer.APIGatewayProxyFunction\n    {\n    }\n}\n")
    template = root / "src/Orders/serverless.template"
    text = template.read_text()
    text = text.replace("Orders::Orders.GetOrderHandler::FunctionHandler", "Orders::Orders.Derived::Handle", 1)
    text = text.replace("Orders::Orders.ListOrdersHandler::FunctionHandler", "Shop.Core::Core.Ping::Pong", 1)
    text = text.replace("Orders::Orders.ResizeImageHandler::FunctionHandler",
                        "Orders::Orders.FromPackage::FunctionHandlerAsync", 1)
    template.write_text(text)
    assert "unresolved-handler" not in _warning_codes(root)
    text = text.replace("Orders::Orders.Derived::Handle", "Orders::Orders.Derived::Missing")
    template.write_text(text)
    assert _warning_codes(root).count("unresolved-handler") == 1


def _edit_template(root: Path, edit) -> None:
    template = root / "src/Orders/serverless.template"
    data = json.loads(template.read_text(encoding="utf-8-sig"))
    edit(data)
    template.write_text(json.dumps(data, indent=2))


@pytest.mark.parametrize("default,warned", [("GetOrderHandler", False), ("GetOrderHandlr", True)])
def test_a_sub_handler_is_evaluated_through_its_parameter(default, warned, tmp_path):
    root = copy_case("mixed-json", tmp_path / "r")

    def edit(data):
        data["Parameters"]["HandlerClass"] = {"Type": "String", "Default": default}
        data["Resources"]["GetOrderFunction"]["Properties"]["Handler"] = {
            "Fn::Sub": "Orders::Orders.${HandlerClass}::FunctionHandler"}
        data["Resources"]["ListOrdersFunction"]["Properties"]["Handler"] = {
            "Fn::Sub": "Orders::Orders.${AWS::StackName}::FunctionHandler"}     # cannot be known: no warning
    _edit_template(root, edit)
    assert _warning_codes(root).count("unresolved-handler") == (1 if warned else 0)


@pytest.mark.parametrize("handler,warned", [("Orders", False), ("Orderz", True)])
def test_an_executables_handler_is_its_assembly_name(handler, warned, tmp_path):
    root = copy_case("mixed-json", tmp_path / "r")
    project = root / "src/Orders/Orders.csproj"
    project.write_text(project.read_text().replace("<PropertyGroup>", "<PropertyGroup>\n    <OutputType>Exe"
                                                                      "</OutputType>", 1))

    def edit(data):
        data["Resources"]["GetOrderFunction"]["Properties"]["Handler"] = handler
    _edit_template(root, edit)
    assert _warning_codes(root).count("unresolved-handler") == (1 if warned else 0)


def test_an_assembly_name_property_names_the_assembly(tmp_path):
    root = copy_case("mixed-json", tmp_path / "r")
    project = root / "src/Orders/Orders.csproj"
    project.write_text(project.read_text().replace("<PropertyGroup>", "<PropertyGroup>\n    <AssemblyName>Acme.Orders"
                                                                      "</AssemblyName>", 1))
    assert _warning_codes(root).count("unresolved-handler") == 4      # every handler still names Orders

    def edit(data):
        for resource in data["Resources"].values():
            handler = resource.get("Properties", {}).get("Handler")
            if isinstance(handler, str):
                resource["Properties"]["Handler"] = handler.replace("Orders::", "Acme.Orders::", 1)
    _edit_template(root, edit)
    assert "unresolved-handler" not in _warning_codes(root)


# -- each invariant, planted directly in a plan ----------------------------------------------------------------------

def _planned(case: str, tmp_path: Path):
    from splitter.graph.migration import load_migration
    root = copy_case(case, tmp_path / case)
    model = load_migration(str(root), {})
    return model, real_plan(model)


def _edit(result, path: str, edit) -> None:
    for i, change in enumerate(result.changes.changes):
        if target_of(change) == path:
            result.changes.changes[i] = _replaced(change, edit(_after(change)))
            return
    raise AssertionError(f"the plan does not write {path}")


def _invariants(model, result) -> set[str]:
    from splitter.proof import prove
    return {f.invariant for f in prove(model, result)}


def test_a_sound_plan_proves_directly(tmp_path):
    model, result = _planned("mixed-json", tmp_path)
    assert _invariants(model, result) == set()


def test_a_library_referencing_its_function_project_is_a_cycle_and_a_new_library_reference(tmp_path):
    model, result = _planned("mixed-json", tmp_path)
    _edit(result, "src/Orders/Orders.csproj", lambda data: data.replace(
        b"</Project>", b'  <ItemGroup>\n    <ProjectReference Include="..\\Orders.X64\\Orders.X64.csproj" />\n'
                       b"  </ItemGroup>\n</Project>"))
    assert {"library-references", "no-cycle"} <= _invariants(model, result)


def test_a_property_changed_beyond_codeuri_handler_and_architectures_is_caught(tmp_path):
    model, result = _planned("mixed-json", tmp_path)
    _edit(result, "src/Orders/serverless.template", lambda data: data.replace(b'"MemorySize": 512', b'"MemorySize": 256',
                                                                               1))
    assert "properties-kept" in _invariants(model, result)


def test_a_moved_file_changed_beyond_its_usings_is_caught(tmp_path):
    model, result = _planned("mixed-json", tmp_path)
    move = next(c for c in result.changes.changes if isinstance(c, Move) and c.source.endswith(".cs"))
    _edit(result, move.target, lambda data: data + b"// an extra line\n")
    assert "bytes-kept" in _invariants(model, result)


def test_a_method_lost_from_a_moved_type_is_caught(tmp_path):
    model, result = _planned("mixed-json", tmp_path)
    move = next(c for c in result.changes.changes if isinstance(c, Move) and c.source.endswith("GetOrderHandler.cs"))
    _edit(result, move.target, lambda data: data.replace(b"FunctionHandler(", b"FunctionHandlr(", 1))
    assert {"nothing-lost", "handler-resolves"} <= _invariants(model, result)


def test_an_fsharp_project_is_not_resolved(tmp_path):
    root = copy_case("mixed-json", tmp_path / "r")
    (root / "src/Orders/Orders.csproj").rename(root / "src/Orders/Orders.fsproj")
    _edit_template(root, lambda data: data["Resources"]["GetOrderFunction"]["Properties"].update(
        Handler="Orders::Orders.Nowhere::Nothing"))
    assert "unresolved-handler" not in _warning_codes(root)
