"""Warnings about build units that are not hazards themselves: CodeUri spellings, pinned runtime identifiers,
prebuilt artifacts, Ref architectures the AWS tools cannot evaluate."""

from __future__ import annotations

from pathlib import Path

from splitter.discover import DEFAULTS_FILE
from splitter.model.msbuild import Project
from splitter.model.architecture import rid_architecture
from splitter.graph.units import Analysis, BuildUnit, Finding, architecture_node, architecture_ref, code_uri_line, defaults_architecture


def warn_spellings(analysis: Analysis) -> None:
    for template in analysis.templates:
        by_target: dict[Path, list[BuildUnit]] = {}
        for unit in analysis.units:
            if unit.template is template:
                key = unit.project.path.resolve() if unit.project else unit.target.resolve()
                by_target.setdefault(key, []).append(unit)
        for target, units in by_target.items():
            if len(units) > 1:
                spellings = ", ".join(repr(u.code_uri) for u in units)
                analysis.warnings.append(Finding(
                    "codeuri-spelling",
                    f"CodeUri spellings {spellings} name the same {analysis.workspace.relative(target)}; "
                    f"the AWS tools build and upload it {len(units)} times",
                    template.path, units[1].functions[0].line))


def warn_runtime_identifiers(analysis: Analysis) -> None:
    for unit in analysis.units:
        rid = unit.project.runtime_identifier if unit.project else None
        arch = rid_architecture(rid) if rid else None
        if arch is None:
            continue
        others = [f.logical_id for f in unit.functions if f.architecture != arch]
        if others:
            analysis.warnings.append(Finding(
                "runtime-identifier",
                f"<RuntimeIdentifier>{rid}</RuntimeIdentifier> builds for {arch}, but "
                f"{', '.join(others)} run{'s' if len(others) == 1 else ''} on "
                f"{'arm64' if arch == 'x86_64' else 'x86_64'}",
                unit.project.path, _property_line(unit.project, "RuntimeIdentifier")))


def _property_line(project: Project, name: str) -> int | None:
    for element in project.root.iter():
        if isinstance(element.tag, str) and element.tag.split("}")[-1] == name:
            return element.sourceline
    return None


def warn_shared_folders(analysis: Analysis) -> None:
    for unit in analysis.units:
        if unit.kind != "project" and not unit.target.exists():
            analysis.warnings.append(Finding(
                "missing-output", f"CodeUri {unit.code_uri!r} names build output that does not exist yet; "
                f"lambda-split cannot check what it will hold", unit.template.path, code_uri_line(
                    unit.template, unit.functions[0])))
            continue
        if unit.kind != "project" and len(unit.architectures) > 1:
            analysis.warnings.append(Finding(
                "shared-artifact",
                f"CodeUri {unit.code_uri!r} is deployed as-is to both x86_64 and arm64 functions; "
                f"run `lambda-split verify` on it to check its binaries", unit.template.path,
                unit.functions[0].line))


def warn_ref_architectures(analysis: Analysis) -> None:
    """Amazon.Lambda.Tools cannot evaluate a `Ref` architecture: it builds for the project's `function-architecture`
    in aws-lambda-tools-defaults.json, else x86_64 (aws-extensions-for-dotnet-cli #302), whatever the stack gets."""
    for unit in analysis.units:
        via_ref = [f for f in unit.functions if architecture_ref(unit.template, f)]
        if unit.kind != "project" or not via_ref:
            continue
        tooling = defaults_architecture(unit.project.folder) or "x86_64"
        wrong = [f for f in via_ref if f.architecture != tooling]
        if wrong:
            first = wrong[0]
            node = architecture_node(unit.template, first)
            analysis.warnings.append(Finding(
                "ref-architecture",
                f"{', '.join(f.logical_id for f in wrong)} get{'s' if len(wrong) == 1 else ''} {first.architecture} "
                f"through Ref {architecture_ref(unit.template, first)}, which Amazon.Lambda.Tools cannot evaluate: "
                f"it builds CodeUri {unit.code_uri!r} for {tooling}; set \"function-architecture\": "
                f"\"{first.architecture}\" in {analysis.workspace.relative(unit.project.folder / DEFAULTS_FILE)}",
                unit.template.path, node.line if node is not None else first.line))
