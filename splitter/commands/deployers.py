"""How `check` and `migrate` say who deploys each build unit and why (graph/deployers.py decides)."""

from __future__ import annotations

from splitter.discover import DEFAULTS_FILE
from splitter.graph.units import Analysis, BuildUnit


def unit_json(unit: BuildUnit, analysis: Analysis) -> dict:
    """`deployer` and `deployer_evidence` decide the unit's hazard; `deployers` lists every one that names it."""
    relative = analysis.workspace.relative
    deployer = unit.deployer
    return {"deployer": deployer.name if deployer else None,
            "deployer_evidence": deployer.evidence(relative) if deployer else None,
            "deployers": [{"deployer": d.name, "evidence": d.evidence(relative)} for d in unit.deployers]}


def hazard_line(unit: BuildUnit, analysis: Analysis) -> str:
    """One line under a hazard: which deployer builds it once, and the evidence."""
    deployer = unit.deployer
    if deployer is None:
        return "  deployer: unknown, assumed to build it once"
    return f"  deployer: {deployer.name} ({deployer.evidence(analysis.workspace.display)})"


def notes(analysis: Analysis) -> list[str]:
    """Note lines: mixed units that are no hazard because their deployer builds per architecture, and templates
    whose deployer was assumed (where `sam build` would have been safe)."""
    display = analysis.workspace.display
    lines = []
    for unit in analysis.units:
        if unit.mixed and not unit.is_hazard and unit.deployer is not None:
            lines.append(f"note: {display(unit.template.path)}: CodeUri {unit.code_uri!r} serves x86_64 and arm64 "
                         f"functions, but {unit.deployer.title} builds it once per architecture "
                         f"({unit.deployer.evidence(display)}): no hazard")
    assumed = {unit.template.path: None for unit in analysis.hazards
               if unit.deployer is not None and unit.deployer.assumed}
    for path in assumed:
        lines.append(f"note: {display(path)}: no {DEFAULTS_FILE} or samconfig names this template, so lambda-split "
                     "assumes `dotnet lambda deploy-serverless` deploys it; `sam build` builds each architecture "
                     "separately and would be safe (if only SAM CLI deploys it, pass --deployer sam)")
    return lines


def nothing_to_do_reason(analysis: Analysis) -> str | None:
    """Why `migrate` has nothing to do although some unit serves both architectures, if one does."""
    mixed = [u for u in analysis.units if u.mixed and not u.is_hazard and u.deployer is not None]
    if not mixed:
        return None
    evidence = "; ".join(dict.fromkeys(u.deployer.evidence(analysis.workspace.display) for u in mixed))
    return (f"{len(mixed)} build unit{'s' if len(mixed) != 1 else ''} serve{'s' if len(mixed) == 1 else ''} both "
            f"architectures, but {mixed[0].deployer.title} builds {'them' if len(mixed) != 1 else 'it'} once per "
            f"architecture ({evidence}), so no function fails")


def option(analysis: Analysis) -> str:
    """The --deployer option check ran with, for the migrate command it suggests."""
    return f" --deployer {analysis.deployer}" if analysis.deployer != "auto" else ""
