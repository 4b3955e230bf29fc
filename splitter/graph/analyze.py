"""The repository model `check` reads and `migrate` plans from: every template's and app's build units, with the
warnings about them."""

from __future__ import annotations

from pathlib import Path

from splitter import progress
from splitter.discover import Workspace
from splitter.errors import SplitterError
from splitter.model.template import load_template
from splitter.graph.warnings import warn_ref_architectures, warn_runtime_identifiers, warn_shared_folders, warn_spellings
from splitter.graph.apps import add_apps
from splitter.graph.units import Analysis, ProjectCache, units_of


def analyze(workspace: Workspace, parameters: dict[str, str] | None = None,
            projects: ProjectCache | None = None) -> Analysis:
    analysis = Analysis(workspace)
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
    if not analysis.templates and not analysis.apps and not analysis.errors:
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


def _could_be_cloudformation(path: Path, error: SplitterError) -> bool:
    """Whether a file found by its name, which failed to load, is worth reporting: it mentions AWS types."""
    if error.message.startswith("not a CloudFormation template"):
        return False
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    return "AWS::" in text or "AWSTemplateFormatVersion" in text
