"""Hostile and odd input: every case gets a correct result or exit 2 with one clear line, never a traceback, never a
write outside the solution root, and never a read outside it except files the solution itself references.

Each case is a fixture solution with one thing made hostile, next to an `outside/` folder that must stay untouched.
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import re
import shutil
import time
from base64 import b64encode
from contextlib import contextmanager
from pathlib import Path

import pytest

from invariants import (assert_architectures_kept, assert_handlers_resolve, assert_nothing_lost,
                        assert_one_architecture_per_build, git_run, read_tree)
from reliability import (assert_one_clear_line, copy_case, copy_interrupted, leftovers, reads_outside,
                         reads_recorded, snapshot)
from splitter.changes.journal import JOURNAL_NAME, TEMP_SUFFIX
from support import run_cli


@pytest.fixture
def solution(tmp_path):
    """(root, outside): a copy of a fixture, and a folder beside it holding a file lambda-split must never touch."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me\n")

    def make(case: str = "mixed-json") -> tuple[Path, Path]:
        return copy_case(case, tmp_path / "root"), outside
    return make


def run_everything(root: Path, outside: Path, *allowed_reads: Path) -> dict[str, object]:
    """check, migrate --dry-run and migrate on root: no traceback (run_cli asserts it), nothing written outside, no
    file read outside but the allowed ones."""
    outside_before = snapshot(outside)
    results = {}
    with reads_recorded() as reads:
        for name, args in (("check", ("check", root)), ("dry-run", ("migrate", "--dry-run", root)),
                           ("migrate", ("migrate", root))):
            results[name] = run_cli(*args)
    assert snapshot(outside) == outside_before, "something was written outside the solution root"
    assert reads_outside(reads, root, *allowed_reads) == [], "read outside the solution root"
    assert leftovers(root) == [], "a temp file or journal was left behind"
    return results


def assert_refused(results: dict, root: Path, before: dict, *words: str, commands=("check", "dry-run", "migrate")):
    for name in commands:
        assert_one_clear_line(results[name], *words)
    assert snapshot(root) == before, "a refused run changed the tree"


def assert_correct_migration(before_copy: Path, root: Path, dry_run_patch: str) -> None:
    """The invariants every migration keeps, and the dry-run patch applies to exactly the migrated tree."""
    assert_architectures_kept(before_copy, root)
    assert_one_architecture_per_build(root)
    assert_handlers_resolve(root)
    assert_nothing_lost(read_tree(before_copy), read_tree(root), before_copy, root)
    patched = before_copy.parent / "patched"
    shutil.copytree(before_copy, patched, symlinks=True)
    git_run(patched, "apply", "--whitespace=nowarn", "-", stdin=dry_run_patch.encode("utf-8", "surrogateescape"))
    assert read_tree(patched) == read_tree(root), "the dry-run patch differs from what migrate wrote"
    again = run_cli("migrate", root, "--allow-dirty")
    assert again.code == 0 and "Nothing to do" in again.err, again.err


def migrated_correctly(root: Path, outside: Path) -> dict[str, object]:
    before_copy = root.parent / "before"
    shutil.copytree(root, before_copy, symlinks=True)
    results = run_everything(root, outside)
    assert results["check"].code == 1, results["check"].err
    assert results["dry-run"].code == 0 and results["migrate"].code == 0, results["migrate"].err
    assert_correct_migration(before_copy, root, results["dry-run"].out)
    return results


# -- XML -------------------------------------------------------------------------------------------------------------

def test_a_project_file_with_an_external_entity_is_refused_without_reading_it(solution):
    root, outside = solution()
    project = root / "src/Orders/Orders.csproj"
    secret = outside / "precious.txt"
    project.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM "file://{secret}">]>\n'
                       + project.read_text().replace("<AWSProjectType>Lambda", "<AWSProjectType>&x;Lambda"))
    before = snapshot(root)
    results = run_everything(root, outside)
    assert_refused(results, root, before, "Orders.csproj", "DTD")


def test_an_entity_expansion_bomb_hidden_after_a_long_comment_is_refused(solution):
    root, outside = solution()
    project = root / "src/Orders/Orders.csproj"
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    project.write_text("<!-- " + "x" * 5000 + " -->\n<!DOCTYPE p [" + entities + "]>\n"
                       + project.read_text().replace("<AWSProjectType>Lambda", "<AWSProjectType>&a9;Lambda"))
    before = snapshot(root)
    assert_refused(run_everything(root, outside), root, before, "Orders.csproj")


def test_a_directory_build_props_with_a_dtd_is_refused_like_a_project_file(solution):
    # Its properties were silently dropped (a broken props file is MSBuild's to report); a DTD is refused instead.
    root, outside = solution("shared-handler-yaml")
    props = root / "Directory.Build.props"
    secret = outside / "precious.txt"
    props.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM "file://{secret}">]>\n'
                     + props.read_text().replace("</Project>", "  <PropertyGroup><Leak>&x;</Leak></PropertyGroup>\n"
                                                               "</Project>"))
    before = snapshot(root)
    results = run_everything(root, outside)
    assert_refused(results, root, before, "Directory.Build.props", "DTD")


def test_a_solution_file_that_is_xml_with_a_dtd_is_refused_by_migrate(solution):
    root, outside = solution()
    (root / "Orders.sln").unlink()
    (root / "Orders.slnx").write_text('<!DOCTYPE s [<!ENTITY e SYSTEM "/etc/passwd">]>\n<Solution><Project '
                                      'Path="src/Orders/Orders.csproj" />&e;</Solution>\n')
    before = snapshot(root)
    results = run_everything(root, outside)
    assert results["check"].code == 1           # check does not read solutions
    assert_refused(results, root, before, "Orders.slnx", "DTD", commands=("dry-run", "migrate"))


# -- YAML ------------------------------------------------------------------------------------------------------------

def yaml_case(solution, edit) -> tuple[Path, Path]:
    root, outside = solution("shared-handler-yaml")
    template = root / "template.yaml"
    template.write_text(edit(template.read_text()))
    return root, outside


def test_a_python_object_tag_in_yaml_is_kept_as_text_and_never_run(solution, tmp_path):
    marker = tmp_path / "pwned"
    line = f"Evil: !!python/object/apply:os.system ['touch {marker}']\n"
    root, outside = yaml_case(solution, lambda text: line + text)
    migrated_correctly(root, outside)
    assert not marker.exists(), "a YAML tag ran code"
    assert (root / "template.yaml").read_text().startswith(line), "the unknown tag was not kept byte for byte"


def test_unknown_tags_and_merge_keys_in_yaml_are_kept(solution):
    extra = "Base: &base {Runtime: dotnet8}\nOther:\n  <<: *base\n  When: !Unheard-Of [a, b]\n"
    root, outside = yaml_case(solution, lambda text: extra + text)
    migrated_correctly(root, outside)
    assert (root / "template.yaml").read_text().startswith(extra)


def test_an_unknown_tag_on_architectures_is_a_one_line_error(solution):
    root, outside = yaml_case(solution, lambda text: re.sub(r"Architectures:\s*\[\s*x86_64\s*\]",
                                                            "Architectures: !Bogus [x86_64]", text, count=1))
    before = snapshot(root)
    assert_refused(run_everything(root, outside), root, before, "Architectures", "Bogus")


def test_a_yaml_alias_bomb_is_refused_before_it_expands(solution):
    levels = "".join(f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9))
    bomb = "Bomb:\n  l0: &l0 [x, x, x, x, x, x, x, x, x]\n" + levels
    root, outside = yaml_case(solution, lambda text: bomb + text)
    before = snapshot(root)
    assert_refused(run_everything(root, outside), root, before, "template.yaml", "alias")


def test_a_yaml_alias_that_contains_itself_is_refused(solution):
    root, outside = yaml_case(solution, lambda text: "Loop: &loop [*loop]\n" + text)
    before = snapshot(root)
    assert_refused(run_everything(root, outside), root, before, "template.yaml", "itself")


def timed_check(root: Path):
    """`check` in-process, timed in CPU seconds of this process: what a quadratic loop costs, whatever else the
    machine runs at the same time (wall-clock time on a shared CI machine would make the limit a coin toss)."""
    started = time.process_time()
    result = run_cli("check", root)
    return result, time.process_time() - started


def test_a_yaml_mapping_with_fifty_thousand_keys_is_checked_in_linear_time(solution):
    # Each key was compared with every earlier one: 20,000 keys took minutes, 50,000 would take a quarter of an hour.
    metadata = "Metadata:\n" + "".join(f"  Key{i}: value {i}\n" for i in range(50_000))
    root, _ = yaml_case(solution, lambda text: metadata + text)
    result, seconds = timed_check(root)
    assert result.code == 1 and "src/Benchmarks/" in result.out, result.err
    assert seconds < 5, f"check took {seconds:.1f} s"


def test_a_json_object_with_fifty_thousand_keys_is_checked_in_linear_time(solution):
    root, _ = solution()
    template = root / "src/Orders/serverless.template"
    metadata = '"Metadata": {' + ", ".join(f'"Key{i}": "value {i}"' for i in range(50_000)) + "},"
    template.write_text(template.read_text().replace('"Description":', metadata + ' "Description":', 1))
    result, seconds = timed_check(root)
    assert result.code == 1 and "Orders.csproj" in result.out, result.err
    assert seconds < 5, f"check took {seconds:.1f} s"


def test_a_plain_yaml_list_of_three_hundred_thousand_items_is_no_alias_bomb(solution):
    # Every value was counted as if reached through an alias: this list, with none, was refused after a minute.
    items = "Metadata:\n  Items:\n" + "".join(f"    - {i}\n" for i in range(300_000))
    root, _ = yaml_case(solution, lambda text: items + text)
    result, seconds = timed_check(root)
    assert result.code == 1 and "alias" not in result.err, result.err
    assert seconds < 5, f"check took {seconds:.1f} s"


def test_a_billion_laughs_is_refused_at_once(solution):
    levels = "".join(f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 10))
    bomb = "Metadata:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + levels
    root, _ = yaml_case(solution, lambda text: bomb + text)
    result, seconds = timed_check(root)
    assert_one_clear_line(result, "template.yaml", "alias bomb")
    assert seconds < 2, f"check took {seconds:.1f} s"


def test_json_nested_a_hundred_thousand_levels_deep_is_a_one_line_error(solution):
    root, outside = solution()
    template = root / "src/Orders/serverless.template"
    template.write_text(template.read_text().replace('"Description": "Orders API and background workers."',
                                                     '"Description": ' + "[" * 100_000 + "]" * 100_000))
    before = snapshot(root)
    assert_refused(run_everything(root, outside), root, before, "serverless.template", "nested too deeply")


def test_yaml_nested_thousands_of_levels_deep_is_a_one_line_error(solution):
    root, outside = yaml_case(solution, lambda text: "Deep: " + "[" * 5_000 + "]" * 5_000 + "\n" + text)
    before = snapshot(root)
    with reads_recorded() as reads:
        check = run_cli("check", root)    # migrate loads templates the same way; ruamel takes seconds to fail here
    assert_one_clear_line(check, "template.yaml")
    assert reads_outside(reads, root) == [] and snapshot(root) == before


# -- size ------------------------------------------------------------------------------------------------------------

def test_a_template_larger_than_any_source_file_is_refused_without_reading_it(solution):
    root, outside = solution()
    with open(root / "src/Orders/serverless.template", "r+b") as handle:
        handle.truncate(70 * 1024 * 1024)       # sparse: costs no disk
    before = snapshot(root)
    assert_refused(run_everything(root, outside), root, before, "serverless.template", "too large")


def test_an_eight_megabyte_template_migrates(solution):
    root, outside = solution()
    template = root / "src/Orders/serverless.template"
    template.write_text(template.read_text().replace("Orders API and background workers.", "x" * 8_000_000))
    migrated_correctly(root, outside)


# -- encodings and names ---------------------------------------------------------------------------------------------

def test_a_cp1252_template_is_edited_in_cp1252(solution):
    root, outside = solution()
    template = root / "src/Orders/serverless.template"
    legacy = "Bestellungen für Größe – €".encode("cp1252")
    template.write_bytes(template.read_bytes().replace(b"Orders API and background workers.", legacy))
    migrated_correctly(root, outside)
    assert legacy in template.read_bytes() and b"Orders.X64" in template.read_bytes()


@pytest.mark.parametrize("bom, encoding", [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_a_utf16_template_keeps_its_byte_order(solution, bom, encoding):
    root, outside = solution()
    template = root / "src/Orders/serverless.template"
    template.write_bytes(bom + template.read_text().encode(encoding))
    results = run_everything(root, outside)
    assert results["migrate"].code == 0, results["migrate"].err
    data = template.read_bytes()
    assert data.startswith(bom) and "Orders.X64" in data[len(bom):].decode(encoding)


def test_a_mixed_encoding_source_moves_byte_for_byte(solution):
    root, outside = solution()
    handler = root / "src/Orders/ResizeImageHandler.cs"
    original = handler.read_bytes() + "// café ".encode() + b"caf\xe9 \x81\x8d\x8f\x90\x9d \x80\n"
    handler.write_bytes(original)
    migrated_correctly(root, outside)
    assert (root / "src/Orders.Arm64/ResizeImageHandler.cs").read_bytes() == original


def test_a_mixed_encoding_project_file_keeps_every_byte_outside_the_edit(solution):
    root, outside = solution()
    project = root / "src/Orders/Orders.csproj"
    comment = "<!-- café -->".encode() + b"<!-- caf\xe9 \x81 -->"
    project.write_bytes(project.read_bytes().replace(b"<Nullable>", comment + b"<Nullable>"))
    migrated_correctly(root, outside)
    assert comment in project.read_bytes()


def test_a_byte_order_mark_followed_by_other_bytes_is_a_one_line_error(solution):
    root, outside = solution()
    template = root / "src/Orders/serverless.template"
    template.write_bytes(codecs.BOM_UTF8 + template.read_bytes().replace(b"Orders API", b"Orders \xfc\x81 API"))
    before = snapshot(root)
    assert_refused(run_everything(root, outside), root, before, "serverless.template", "byte-order mark")


def test_binary_garbage_in_a_template_is_a_one_line_error(solution):
    root, outside = solution()
    template = root / "src/Orders/serverless.template"
    template.write_bytes(template.read_bytes().replace(b"Orders API", b"Orders\x00\xff\xfe\x00API"))
    before = snapshot(root)
    assert_refused(run_everything(root, outside), root, before, "serverless.template")


def test_names_with_spaces_and_non_ascii_characters_migrate(solution):
    root, outside = solution()
    folder = root / "src/Bestellungen Café"
    os.rename(root / "src/Orders", folder)
    os.rename(folder / "Orders.csproj", folder / "Bestellungen.Café.csproj")
    os.rename(folder / "ResizeImageHandler.cs", folder / "Größe ändern Handler.cs")
    renamed = {b"Orders\\Orders.csproj": "Bestellungen Café\\Bestellungen.Café.csproj".encode(),
               b'"Orders::': '"Bestellungen.Café::'.encode(), b'"Orders", "src': '"Bestellungen.Café", "src'.encode()}
    for rel in ("Orders.sln", "test/Orders.Tests/Orders.Tests.csproj", "src/Bestellungen Café/serverless.template"):
        path = root / rel
        data = path.read_bytes()
        for old, new in renamed.items():
            data = data.replace(old, new)
        path.write_bytes(data)
    migrated_correctly(root, outside)
    assert (root / "src/Bestellungen.Café.Arm64/Größe ändern Handler.cs").is_file()
    assert '"Bestellungen.Café.Arm64::Orders.ResizeImageHandler::' in (folder / "serverless.template").read_text()


def raw_controls(text: str) -> list[str]:
    return sorted({repr(c) for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7f <= ord(c) < 0xa0})


@pytest.mark.parametrize("old, new", [
    ('"CodeUri": "."', '"CodeUri": "\\u001b[31mx\\u0000y\\u0007"'),
    ('"ResizeImageFunction": {', '"Resize\\u001b[2JImage\\u0007Function": {'),
    ('"Handler": "Orders::Orders.ResizeImageHandler',
     '"Handler": "Orders\\u001b]0;pwned\\u0007::Orders.ResizeImageHandler'),
], ids=["codeuri", "logical-id", "handler"])
def test_control_characters_in_a_template_never_reach_the_terminal_raw(solution, old, new):
    root, _ = solution()
    template = root / "src/Orders/serverless.template"
    assert old in template.read_text()
    template.write_text(template.read_text().replace(old, new, 1))
    for args in (("check", root), ("check", "--format", "json", root), ("migrate", "--dry-run", root),
                 ("migrate", root)):
        result = run_cli(*args)
        shown = result.err if "--dry-run" in args else result.out + result.err     # a patch holds the file's bytes
        assert raw_controls(shown) == [], (args, shown)
        if result.code == 2:
            assert len(result.lines) == 1 and "\\x1b" in result.err, result.err


# -- links and paths that leave the root -----------------------------------------------------------------------------

def test_a_template_linked_from_outside_is_refused_without_reading_it(solution):
    root, outside = solution()
    template = root / "src/Orders/serverless.template"
    shutil.move(template, outside / "serverless.template")
    template.symlink_to(outside / "serverless.template")
    before = snapshot(root)
    assert_refused(run_everything(root, outside), root, before, "serverless.template", "link")


def test_a_linked_folder_that_leaves_the_root_is_not_searched(solution):
    root, outside = solution()
    elsewhere = outside / "OtherApp"
    shutil.copytree(root / "src/Orders", elsewhere)
    (root / "linked").symlink_to(elsewhere, target_is_directory=True)
    migrated_correctly(root, outside)
    report = json.loads(run_cli("check", "--format", "json", root).out)
    assert report["templates"] == ["src/Orders/serverless.template"]
    assert sorted(p.name for p in outside.iterdir()) == ["OtherApp", "precious.txt"]


def test_a_new_project_folder_linked_outside_is_not_written_through(solution):
    root, outside = solution()
    (root / "src/Orders.X64").symlink_to(outside, target_is_directory=True)
    before = snapshot(root)
    results = run_everything(root, outside)
    assert results["check"].code == 1 and results["dry-run"].code == 0
    assert_refused(results, root, before, "Orders.X64", "link", commands=("migrate",))


def test_a_planted_temp_file_link_is_replaced_not_written_through(solution):
    root, outside = solution()
    planted = root / ("src/Orders/serverless.template" + TEMP_SUFFIX)
    planted.symlink_to(outside / "precious.txt")
    results = run_everything(root, outside)
    assert results["migrate"].code == 0, results["migrate"].err
    assert not os.path.lexists(planted) and b"Orders.X64" in (root / "src/Orders/serverless.template").read_bytes()


def test_a_codeuri_that_climbs_out_is_read_by_check_but_never_written_by_migrate(solution):
    root, outside = solution()
    project = outside / "Orders"
    shutil.move(root / "src/Orders", project)
    (root / "src/Orders").mkdir()
    for name in ("serverless.template", "aws-lambda-tools-defaults.json"):
        shutil.move(project / name, root / "src/Orders" / name)
    template = root / "src/Orders/serverless.template"
    template.write_text(template.read_text().replace('"CodeUri": "."', '"CodeUri": "../../../outside/Orders"'))
    before = snapshot(root)
    outside_before = snapshot(outside)
    with reads_recorded() as reads:
        check = run_cli("check", root)
    assert check.code == 1 and "Orders.csproj" in check.out, check.err
    assert reads_outside(reads, root, project) == []
    for args in (("migrate", "--dry-run", root), ("migrate", root)):
        assert_one_clear_line(run_cli(*args), "Orders.csproj", "outside the solution root")
    assert snapshot(root) == before and snapshot(outside) == outside_before


def test_a_project_reference_that_climbs_out_of_the_root_changes_nothing_outside(solution):
    root, outside = solution()
    tests = root / "test/Orders.Tests/Orders.Tests.csproj"
    tests.write_text(tests.read_text().replace(
        "</Project>", '  <ItemGroup><ProjectReference Include="..\\..\\..\\outside\\Missing.csproj" /></ItemGroup>\n'
                      "</Project>"))
    migrated_correctly(root, outside)


@pytest.mark.parametrize("code_uri", ["a" * 300, "a/" * 3_000], ids=["long-name", "long-path"])
def test_a_codeuri_too_long_to_be_a_path_is_a_one_line_error(solution, code_uri):
    root, _ = solution()
    template = root / "src/Orders/serverless.template"
    template.write_text(template.read_text().replace('"CodeUri": "."', f'"CodeUri": "{code_uri}"', 1))
    before = snapshot(root)
    for args in (("check", root), ("migrate", "--dry-run", root)):
        result = run_cli(*args)
        assert_one_clear_line(result, "serverless.template:", "CodeUri", "too long to be a path")
        assert len(result.lines) == 1 and len(result.err) < 400, result.err
    assert snapshot(root) == before


def test_a_journal_naming_paths_outside_the_root_is_refused(solution):
    root, outside = solution()
    entry = {"kind": "create", "path": "../outside/planted.txt", "after": b64encode(b"owned").decode()}
    (root / JOURNAL_NAME).write_text(json.dumps({"version": 1, "changes": [entry]}))
    before = snapshot(root)
    for action in ("--resume", "--rollback"):
        assert_one_clear_line(run_cli("migrate", action, root), "outside the solution root")
    assert snapshot(root) == before and not (outside / "planted.txt").exists()


def test_a_journal_that_is_a_link_is_never_read(solution):
    root, outside = solution()
    (root / JOURNAL_NAME).symlink_to(outside / "precious.txt")
    assert_one_clear_line(run_cli("migrate", root), JOURNAL_NAME, "--resume", "--rollback")
    with reads_recorded() as reads:
        assert_one_clear_line(run_cli("migrate", "--rollback", root), JOURNAL_NAME, "link")
    assert reads_outside(reads, root) == []
    assert (outside / "precious.txt").read_text() == "keep me\n"


# -- read-only files and a full disk ---------------------------------------------------------------------------------

@pytest.mark.parametrize("rel", ["src/Orders/serverless.template", "src/Orders/ResizeImageHandler.cs",
                                 "Orders.sln"])
def test_a_read_only_file_to_change_is_refused_before_anything_is_written(solution, rel):
    root, outside = solution()
    os.chmod(root / rel, 0o444)
    before = snapshot(root)
    results = run_everything(root, outside)
    assert results["check"].code == 1 and results["dry-run"].code == 0
    assert_refused(results, root, before, Path(rel).name, "read-only", commands=("migrate",))


@contextmanager
def disk_full(after_writes: int, stays_full: bool):
    """os.write fails with ENOSPC from its Nth call on (or only on its Nth call, when space comes back)."""
    real_write, calls = os.write, [0]

    def write(fd, data):
        calls[0] += 1
        if calls[0] == after_writes or (stays_full and calls[0] > after_writes):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)
    os.write = write
    try:
        yield calls
    finally:
        os.write = real_write


@pytest.mark.parametrize("stays_full", [False, True], ids=["space-comes-back", "stays-full"])
def test_a_disk_that_fills_up_midway_loses_no_byte(solution, tmp_path, stays_full):
    root, _ = solution()
    pristine = snapshot(root)
    migrated = copy_case("mixed-json", tmp_path / "migrated")
    with disk_full(10**9, False) as calls:
        assert run_cli("migrate", migrated).code == 0
    writes, after = calls[0], snapshot(migrated)
    assert writes > 10
    outcomes = set()
    for n in range(1, writes + 1):
        work = tmp_path / f"full{n}"
        shutil.copytree(root, work, symlinks=True)
        with disk_full(n, stays_full):
            result = run_cli("migrate", work)
        assert_one_clear_line(result, "No space left on device")
        if not (work / JOURNAL_NAME).exists():
            assert "nothing was changed" in result.err or "every file was restored" in result.err
            assert snapshot(work) == pristine, f"write {n}: the tree was not restored"
            outcomes.add("restored")
            continue
        assert stays_full and "--resume" in result.err and "--rollback" in result.err, result.err
        outcomes.add("journal kept")
        spare = tmp_path / f"spare{n}"
        copy_interrupted(work, spare)
        assert run_cli("migrate", "--rollback", work).code == 0 and snapshot(work) == pristine
        assert run_cli("migrate", "--resume", spare).code == 0 and snapshot(spare) == after
    assert outcomes == ({"restored", "journal kept"} if stays_full else {"restored"})
