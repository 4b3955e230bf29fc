"""Warnings about build units that are not hazards themselves: CodeUri spellings, pinned runtime identifiers,
prebuilt artifacts, Ref architectures the AWS tools cannot evaluate."""

from __future__ import annotations

from pathlib import Path

from splitter.discover import DEFAULTS_FILE
from splitter.model.msbuild import Project
from splitter.model.architecture import rid_architecture
from splitter.graph.deployer import DOTNET_LAMBDA
from splitter.graph.units import (Analysis, BuildUnit, Finding, architecture_node, architecture_ref, code_uri_line,
                                  defaults_architecture, unknown_architecture_hint)


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
    in aws-lambda-tools-defaults.json, else x86_64 (aws-extensions-for-dotnet-cli #302), whatever the stack gets.
    SAM CLI evaluates the Ref itself: no warning where it decides. With ReadyToRun, and Amazon.Lambda.Tools
    deciding, the functions built for the other CPU crash (BadImageFormatException): an error-level LS104."""
    for unit in analysis.units:
        via_ref = [f for f in unit.functions if architecture_ref(unit.template, f)]
        if unit.kind != "project" or not via_ref or not unit.builds_once:
            continue
        tooling = defaults_architecture(unit.project.folder) or "x86_64"
        wrong = [f for f in via_ref if f.architecture != tooling]
        if wrong:
            first = wrong[0]
            node = architecture_node(unit.template, first)
            names = ", ".join(f.logical_id for f in wrong)
            crash = _lambda_tools_decides(unit) and unit.ready_to_run
            consequence = (f"; with PublishReadyToRun {names} would fail with BadImageFormatException"
                           if crash else "")
            analysis.warnings.append(Finding(
                "ref-architecture",
                f"{names} get{'s' if len(wrong) == 1 else ''} {first.architecture} "
                f"through Ref {architecture_ref(unit.template, first)}, which Amazon.Lambda.Tools cannot evaluate: "
                f"it builds CodeUri {unit.code_uri!r} for {tooling}{consequence}; "
                f"{_defaults_fix(analysis, unit, first.architecture)}"
                + (" (a split cannot fix this; or deploy with SAM CLI, which evaluates the Ref)" if crash else ""),
                unit.template.path, node.line if node is not None else first.line,
                severity="error" if crash else None))
    warn_unknown_architectures(analysis)


def _lambda_tools_decides(unit: BuildUnit) -> bool:
    deployer = unit.deployer
    return deployer is None or deployer.name == DOTNET_LAMBDA


def _defaults_fix(analysis: Analysis, unit: BuildUnit, architecture: str) -> str:
    defaults = unit.project.folder / DEFAULTS_FILE
    shown = analysis.workspace.relative(defaults)
    if defaults.is_file():
        return f"set \"function-architecture\": \"{architecture}\" in {shown}"
    return f"create {shown} with \"function-architecture\": \"{architecture}\""


def warn_unknown_architectures(analysis: Analysis) -> None:
    """Functions sharing one architecture value lambda-split cannot know (a Ref without Default or --parameter):
    no unit of theirs can be mixed, so check goes on; where one build serves them, say what the tools do."""
    for unit in analysis.unknown:
        if not unit.builds_once:
            continue
        first = unit.functions[0]
        names = ", ".join(f.logical_id for f in unit.functions)
        node = architecture_node(unit.template, first)
        line = node.line if node is not None else first.line
        ref = architecture_ref(unit.template, first)
        hint = unknown_architecture_hint(unit.template, first)
        if ref and unit.kind == "project":
            tooling = defaults_architecture(unit.project.folder) or "x86_64"
            other = "arm64" if tooling == "x86_64" else "x86_64"
            many = len(unit.functions) > 1
            they = "they" if many else "it"
            crash = f" and fail{'' if many else 's'} with BadImageFormatException (PublishReadyToRun)" \
                if unit.ready_to_run else ""
            shared = (f"they share it, so CodeUri {unit.code_uri!r} serves one architecture, but " if many else "")
            analysis.warnings.append(Finding(
                "ref-architecture",
                f"{names} take{'' if many else 's'} {'their' if many else 'its'} architecture from Ref {ref}, which "
                f"has no Default and no --parameter; {shared}Amazon.Lambda.Tools cannot evaluate the Ref and builds "
                f"CodeUri {unit.code_uri!r} for {tooling}, so deployed with {ref}={other} {they} get"
                f"{'' if many else 's'} an {tooling} build{crash}; "
                f"{_defaults_fix(analysis, unit, other)} if you deploy on {other} ({hint} to check it)",
                unit.template.path, line))
