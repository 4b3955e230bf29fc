"""The repository model `check` reads and `migrate` plans from: every template's and app's build units, with the
warnings about them."""

from __future__ import annotations

from pathlib import Path

from splitter import progress
from splitter.discover import Workspace, read_defaults
from splitter.errors import SplitterError
from splitter.model.template import load_template
from splitter.graph.warnings import warn_ref_architectures, warn_runtime_identifiers, warn_shared_folders, warn_spellings
from splitter.graph.apps import add_apps
from splitter.graph.deployers import assign_deployers
from splitter.graph.units import Analysis, Finding, ProjectCache, code_uri_line, missing_folder_error, units_of


def analyze(workspace: Workspace, parameters: dict[str, str] | None = None,
            projects: ProjectCache | None = None, deployer: str = "auto") -> Analysis:
    """`deployer` is --deployer: "auto" reads who deploys each template, "dotnet-lambda" or "sam" says it for all."""
    analysis = Analysis(workspace, deployer=deployer)
    projects = projects or ProjectCache(workspace)
    for path in progress.each(workspace.templates, "reading templates"):
        try:
            template = load_template(path, parameters)
        except SplitterError as error:
            if not workspace.explicit and not _could_be_cloudformation(path, error):
                continue            # e.g. a template.json or pipeline template.yml that is some other tool's file
            analysis.errors.append(error)
            continue
        analysis.templates.append(template)
        units_of(template, analysis, projects)
    if workspace.apps:
        add_apps(workspace, analysis, projects)
    assign_deployers(analysis, [*analysis.units, *analysis.missing, *analysis.unknown], deployer)
    _report_missing(analysis)
    if not analysis.templates and not analysis.apps and not analysis.errors:
        analysis.function_deployments = _function_deployments(workspace)
        if analysis.function_deployments:
            return analysis
        analysis.errors.append(SplitterError(
            "no CloudFormation template found (serverless.template, template.yaml, template.yml, template.json, "
            "or the one aws-lambda-tools-defaults.json names), nor a CDK app (cdk.json) or serverless.yml",
            workspace.root,
            hint="give the path of your template or of the folder holding it"))
        return analysis
    warn_spellings(analysis)
    warn_runtime_identifiers(analysis)
    warn_shared_folders(analysis)
    warn_ref_architectures(analysis)
    # A project two templates build fails to load twice; say it once.
    analysis.errors = list({str(error): error for error in analysis.errors}.values())
    return analysis


def _report_missing(analysis: Analysis) -> None:
    """A CodeUri naming a missing folder stops lambda-split only where it would have to split that project (its
    functions need two architectures and its deployer builds once); elsewhere it cannot be the hazard: a warning."""
    for unit in analysis.missing:
        if len(unit.architectures) > 1 and unit.builds_once:
            analysis.errors.append(missing_folder_error(unit))
            continue
        first = unit.functions[0]
        why = (f"{unit.deployer.title} builds it once per architecture" if len(unit.architectures) > 1
               else f"its function{'s run' if len(unit.functions) > 1 else ' runs'} on {unit.built_as} only")
        analysis.warnings.append(Finding(
            "missing-codeuri", f"CodeUri {unit.code_uri!r} of {first.logical_id} names a missing folder "
            f"({analysis.workspace.relative(unit.target)}); it cannot be the hazard ({why}), so check goes on",
            unit.template.path, code_uri_line(unit.template, first)))


def _could_be_cloudformation(path: Path, error: SplitterError) -> bool:
    """Whether a file found by its name, which failed to load, is worth reporting: it mentions AWS types."""
    if error.message.startswith("not a CloudFormation template"):
        return False
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    return "AWS::" in text or "AWSTemplateFormatVersion" in text


def _function_deployments(workspace: Workspace) -> list[Path]:
    """The defaults files of projects `dotnet lambda deploy-function` deploys: each names a function-handler (or
    function-name) and no template, so the tools build one function for its own architecture."""
    found = []
    for path in workspace.defaults:
        try:
            data = read_defaults(path)
        except SplitterError:
            continue
        if (data.get("function-handler") or data.get("function-name")) and not data.get("template"):
            found.append(path)
    return found
