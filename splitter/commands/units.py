"""How a build unit reads in `check`'s output: its hazard as lines of text and as JSON, for templates and apps."""

from __future__ import annotations
from splitter.discover import Workspace
from splitter.model.apps.common import AppDocument
from splitter.graph.apps import AppBuildUnit, short

def describe(unit: AppBuildUnit) -> str:
    what = "artifact" if unit.source == "serverless" else "asset"
    text = f"{what} {unit.code_uri!r}"
    if unit.bundling is not None and unit.bundling.text:
        text += f" bundled with `{short(unit.bundling.text, 60)}`"
    return text


def hazard_lines(unit: AppBuildUnit, workspace: Workspace) -> list[str]:
    built = unit.build_architecture
    project = workspace.display(unit.project.path)
    lines = [f"{workspace.display(unit.template.path)}: the {describe(unit)} is one build of {project}, used by "
             "functions of both architectures"]
    for arch in unit.architectures:
        names = ", ".join(f"{f.logical_id} ({workspace.display(f.template_path)}:{f.line})"
                          for f in unit.by_architecture[arch])
        marker = "  <- would fail" if built is not None and arch != built else ""
        lines.append(f"  {arch:<7} {names}{marker}")
    crash = "with BadImageFormatException" if unit.ready_to_run else "to load native libraries"
    if built is not None:
        failing = ", ".join(f.logical_id for f in unit.failing)
        lines.append(f"  it is built for {built} only, so {failing} would fail {crash}")
    else:
        lines.append(f"  one build has one runtime: whichever it is published for, the functions of the other "
                     f"architecture fail {crash}")
    return lines


def unit_json(unit: AppBuildUnit) -> dict:
    return {"bundling": unit.bundling.text if unit.bundling is not None else None,
            "build_architecture": unit.build_architecture}


def app_json(document: AppDocument, workspace: Workspace) -> dict:
    return {"path": workspace.relative(document.path), "source": document.source_kind,
            "app": workspace.relative(document.app) if document.app else None}
