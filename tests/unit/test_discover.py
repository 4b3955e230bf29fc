"""Discovery: from the PATH a user gives (template, project folder, solution folder) to the templates to check."""

from __future__ import annotations

import os

import pytest

from splitter.discover import discover, template_in_folder
from splitter.errors import SplitterError

TEMPLATE = '{"Resources": {}}'


def names(workspace) -> list[str]:
    return [workspace.relative(path) for path in workspace.templates]


def test_a_template_path_is_checked_alone(tmp_path, make_tree):
    make_tree(tmp_path, {"a/custom.yaml": "Resources: {}\n", "a/serverless.template": TEMPLATE})
    workspace = discover(tmp_path / "a" / "custom.yaml")
    assert workspace.explicit and workspace.templates == [(tmp_path / "a" / "custom.yaml").resolve()]


@pytest.mark.parametrize("present, chosen", [
    (["serverless.template", "template.yaml", "template.yml", "template.json"], "serverless.template"),
    (["template.yaml", "template.yml", "template.json"], "template.yaml"),
    (["template.yml", "template.json"], "template.yml"),
    (["template.json"], "template.json"),
])
def test_a_project_folder_uses_the_first_usual_name(tmp_path, make_tree, present, chosen):
    make_tree(tmp_path, {name: TEMPLATE for name in present})
    assert template_in_folder(tmp_path) == (tmp_path / chosen).resolve()


def test_the_defaults_file_names_the_template(tmp_path, make_tree):
    make_tree(tmp_path, {
        "aws-lambda-tools-defaults.json": '\ufeff{\n  // comments are allowed\n  "template": "infra/app.yaml"\n}',
        "serverless.template": TEMPLATE, "infra/app.yaml": "Resources: {}\n"})
    assert template_in_folder(tmp_path) == (tmp_path / "infra" / "app.yaml").resolve()


def test_the_defaults_file_may_use_windows_separators(tmp_path, make_tree):
    make_tree(tmp_path, {"src/A/aws-lambda-tools-defaults.json": '{"template": "..\\\\..\\\\stack.template"}',
                         "stack.template": TEMPLATE})
    assert template_in_folder(tmp_path / "src" / "A") == (tmp_path / "stack.template").resolve()


def test_a_defaults_file_without_template_falls_back_to_the_usual_names(tmp_path, make_tree):
    make_tree(tmp_path, {"aws-lambda-tools-defaults.json": '{"function-handler": "x"}', "template.yml": TEMPLATE})
    assert template_in_folder(tmp_path) == (tmp_path / "template.yml").resolve()


def test_a_stale_defaults_file_falls_back_to_the_usual_names(tmp_path, make_tree):
    make_tree(tmp_path, {"aws-lambda-tools-defaults.json": '{"template": "serverless.template"}',
                         "template.yaml": TEMPLATE})
    assert names(discover(tmp_path)) == ["template.yaml"]


def test_a_stale_defaults_file_is_an_error_only_when_no_template_is_found(tmp_path, make_tree):
    make_tree(tmp_path, {"src/A/aws-lambda-tools-defaults.json": '{"template": "template.yaml"}'})
    with pytest.raises(SplitterError) as caught:
        discover(tmp_path / "src" / "A")
    assert caught.value.path.name == "aws-lambda-tools-defaults.json" and "'template.yaml'" in caught.value.message
    make_tree(tmp_path, {"template.yaml": TEMPLATE})         # the sam init layout: the template one level up
    assert names(discover(tmp_path)) == ["template.yaml"]


def test_a_broken_defaults_file_is_an_error_with_its_line(tmp_path, make_tree):
    make_tree(tmp_path, {"aws-lambda-tools-defaults.json": '{\n  "template": ,\n}', "serverless.template": TEMPLATE})
    with pytest.raises(SplitterError) as caught:
        discover(tmp_path)
    assert caught.value.line == 2 and caught.value.path.name == "aws-lambda-tools-defaults.json"


def test_a_solution_folder_finds_every_template_but_not_in_build_or_tool_folders(tmp_path, make_tree):
    make_tree(tmp_path, {
        "App.sln": "", "services/a/serverless.template": TEMPLATE, "services/b/template.yaml": TEMPLATE,
        "services/b/src/B/aws-lambda-tools-defaults.json": '{"template": "../../template.yaml"}',
        "src/bin/serverless.template": TEMPLATE, "src/obj/template.yaml": TEMPLATE,
        ".git/template.yaml": TEMPLATE, "web/node_modules/x/template.json": TEMPLATE,
        ".aws-sam/build/template.yaml": TEMPLATE, "packages/Some.Package.1.0.0/Some.Package.1.0.0.nupkg": b"",
        "packages/Some.Package.1.0.0/content/serverless.template": TEMPLATE,
        "packages/orders/serverless.template": TEMPLATE,   # a monorepo's packages/ holds source
    })
    workspace = discover(tmp_path)
    assert sorted(names(workspace)) == ["services/a/serverless.template", "services/b/template.yaml"]
    assert [p.name for p in workspace.solutions] == ["App.sln"]

    make_tree(tmp_path, {"packages/orders/serverless.template": TEMPLATE})
    (tmp_path / "packages" / "Some.Package.1.0.0" / "Some.Package.1.0.0.nupkg").unlink()
    (tmp_path / "packages" / "Some.Package.1.0.0" / "content" / "serverless.template").unlink()
    assert "packages/orders/serverless.template" in names(discover(tmp_path))


@pytest.mark.parametrize("given", ["App.sln", "src/A/A.csproj", "src/A/aws-lambda-tools-defaults.json"])
def test_a_solution_or_project_file_stands_for_its_folder(tmp_path, make_tree, given):
    make_tree(tmp_path, {"App.sln": "", "src/A/A.csproj": "<Project/>", "src/A/serverless.template": TEMPLATE,
                         "src/A/aws-lambda-tools-defaults.json": "{}"})
    workspace = discover(tmp_path / given)
    assert not workspace.explicit
    assert workspace.templates == [(tmp_path / "src" / "A" / "serverless.template").resolve()]


def test_a_missing_path_is_an_error_naming_it(tmp_path):
    with pytest.raises(SplitterError) as caught:
        discover(tmp_path / "nope")
    assert caught.value.path.name == "nope"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_symlink_loop_is_not_followed(tmp_path, make_tree):
    make_tree(tmp_path, {"a/serverless.template": TEMPLATE})
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    assert names(discover(tmp_path)) == ["a/serverless.template"]
