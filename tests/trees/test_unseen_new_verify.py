"""`new` with names at the edges of what C#, CloudFormation and Lambda accept, and `verify` on packages in shapes the
other tests do not build; each a regression test for a bug found that way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dotnet_compile import assert_compiles
from splitter.model.csharp import parser
from support import run_cli


def new(output: Path, name: str, *functions: str, options: tuple[str, ...] = ()) -> tuple[int, str, str]:
    return run_cli("new", name, *(a for f in functions for a in ("--function", f)), "--output", output, *options)


def templates_of(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name in ("serverless.template", "template.yaml")]


def cfn_lint(paths: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())",
                           "--", *map(str, paths)], capture_output=True, text=True)


# -- new -------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("options", [(), ("--annotations",)], ids=["plain", "annotations"])
def test_names_whose_handler_would_pass_128_characters_are_refused_before_anything_is_written(tmp_path, options):
    for name, function in (("Acme." + "Orders" * 12, "Get:arm64"), ("Acme", "G" * 120 + ":x86_64"),
                           ("S" * 250, "Get:arm64"), ("Acme", "G" * 252 + ":arm64")):
        code, out, err = new(tmp_path, name, function, options=options)
        assert code == 2, (name, function, out, err)
        assert len(err.strip().splitlines()) == 1 and "Lambda allows at most 128" in err, err
        assert len(err) < 300, err
        assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("options", [("--template-format", "json"), ("--annotations", "--template-format", "yaml")],
                         ids=["plain-json", "annotations-yaml"])
def test_the_longest_names_new_accepts_give_templates_cfn_lint_accepts(tmp_path, options):
    # Lengthen the function name until `new` refuses: the last accepted solution must deploy.
    name, accepted = "Acme.Orders", None
    for length in range(40, 140):
        output = tmp_path / str(length)
        code, _, err = new(output, name, "F" * length + ":arm64", options=options)
        if code != 0:
            assert "Lambda allows at most 128" in err, err
            break
        accepted = output
    assert accepted is not None and code == 2
    result = cfn_lint(templates_of(accepted / name))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_symbol_python_calls_an_identifier_is_not_accepted_as_a_csharp_name(tmp_path):
    for name in ("Acme.\u2118x", "Acme.\u212eOrders"):        # ℘ (Sm) and ℮ (So): Python's Other_ID_Start
        code, _, err = new(tmp_path, name, "Get:arm64")
        assert code == 2 and "is not a C# identifier" in err, err
    code, _, err = new(tmp_path, "Acme", "Get\u2118:arm64")
    assert code == 2, err


def test_non_ascii_letters_c_sharp_accepts_give_a_solution_that_parses_and_compiles(tmp_path, mcs):
    code, _, err = new(tmp_path, "Zürich.Überweisung", "Pay:arm64", "Refund:x86_64", options=("--annotations",))
    assert code == 0, err
    root = tmp_path / "Zürich.Überweisung"
    for path in root.rglob("*.cs"):
        assert not parser().parse(path.read_bytes()).root_node.has_error, path
    assert run_cli("check", root)[0] == 0
    assert cfn_lint(templates_of(root)).returncode == 0
    assert_compiles(root)


# -- verify ----------------------------------------------------------------------------------------------------------

def verify(*args) -> tuple[int, list[str], str]:
    code, out, err = run_cli("verify", *map(str, args))
    return code, out.splitlines(), err


def test_a_zip_of_the_publish_folder_itself_is_refused_naming_the_folder(tmp_path):
    from builders import linux_package, write_zip
    package = write_zip(tmp_path / "fn.zip", {f"publish/{name}": data for name, data in linux_package("arm64").items()})
    for arch in ("arm64", "x86_64"):
        code, _, err = verify(package, "--arch", arch)
        assert code == 2, err
        assert err.strip().splitlines() == [
            f"lambda-split: error: {package}/publish/Function.deps.json: the app's files are in publish/, not at the "
            "package root, where Lambda looks for Function.deps.json (package the contents of publish/ (cd publish "
            "&& zip -r ../package.zip .), not the folder)"]


def test_a_flat_package_with_deps_json_in_a_subfolder_too_is_checked_as_usual(tmp_path):
    from builders import deps_json, linux_package, write_zip
    files = dict(linux_package("arm64"), **{"tools/Helper.deps.json": deps_json("linux-x64")})
    code, lines, err = verify(write_zip(tmp_path / "fn.zip", files), "--arch", "arm64")
    assert code == 0, lines + [err]


def test_a_package_without_any_dotnet_file_is_bad_input_not_a_pass(tmp_path):
    import zipfile

    from builders import linux_package, write_zip
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    nested = write_zip(tmp_path / "outer.zip", {"inner.zip": write_zip(tmp_path / "inner.zip",
                                                                      linux_package("arm64")).read_bytes()})
    folder = tmp_path / "publish"
    folder.mkdir()
    (folder / "readme.txt").write_text("not a package")
    for package in (empty, nested, folder):
        code, lines, err = verify(package, "--arch", "arm64")
        assert code == 2, (package, lines)
        assert err.strip().splitlines() == [f"lambda-split: error: {package}: holds no assembly, native library or "
                                            "deps.json: not a built .NET Lambda package (give the zip `dotnet lambda "
                                            "package` wrote, or its publish folder)"]
        assert not any(line.startswith("OK") for line in lines)
