"""`lambda-split check`: report build units that serve two CPU architectures, as text or as JSON.

JSON schema `lambda-split/check/v1` (stable; fields are only ever added):
  {"schema", "root", "templates": [path], "hazard": bool,
   "apps": [{"path", "source": "cdk-python"|"cdk-csharp"|"serverless", "app": cdk.json or serverless.yml path}],
   "units": [{"template", "code_uri", "kind": "project"|"folder"|"archive", "project": path|null,
              "functions": {"x86_64": [logical id], "arm64": [...]}, "built_as", "failing": [logical id],
              "ready_to_run": bool, "hazard": bool, "source": "sam"|"cdk-python"|"cdk-csharp"|"serverless",
              and for app units "bundling": command|null, "build_architecture": arch|null}],
   "image_functions": [{"template", "logical_id", "architecture"}],
   "warnings": [{"code", "message", "path", "line"}],
   "errors": [{"path", "line", "message", "hint"}]}
Warning codes: "codeuri-spelling" (two CodeUri strings, one project), "runtime-identifier" (the csproj pins the
other CPU), "shared-artifact" (a prebuilt folder or zip deployed to both), "ref-architecture" (a Ref the AWS
tooling cannot evaluate, so it builds for another CPU), "missing-output" (CodeUri names prebuilt output, such as
bin/.../publish or a .zip, absent until built), and for CDK apps and serverless.yml "cannot-decide" (a function
whose values lambda-split cannot follow: named with file and line, and left alone), "bundling-runtime" (a bundling
command fixes the other CPU's runtime), "cdk-app" (a cdk.json whose program lambda-split cannot read),
"unresolved-handler" (a handler naming an assembly, type or method its CodeUri project's package does not build).
Image functions' "architecture" is null when unknown.
Paths are relative to "root" (the folder checked). Exit codes: 0 no hazard, 1 hazard, 2 bad input.
"""

from __future__ import annotations

import json

import click

from splitter.graph import apps
from splitter.graph.units import Analysis, BuildUnit, ProjectCache
from splitter.graph.analyze import analyze
from splitter.graph.handlers import warn_unresolved_handlers
from splitter.discover import discover

SCHEMA = "lambda-split/check/v1"


def run(path: str, parameters: dict[str, str], output_format: str) -> int:
    workspace = discover(path)
    projects = ProjectCache(workspace)
    analysis = analyze(workspace, parameters, projects)
    if not analysis.errors:
        warn_unresolved_handlers(analysis, projects)
    if output_format == "json":
        click.echo(json.dumps(to_json(analysis), indent=2))
        for error in analysis.errors:
            click.echo(f"lambda-split: error: {error}", err=True)
    else:
        print_text(analysis)
    if analysis.errors:
        return 2
    return 1 if analysis.hazards else 0


def to_json(analysis: Analysis) -> dict:
    ws = analysis.workspace
    return {
        "schema": SCHEMA,
        "root": str(ws.root),
        "templates": [ws.relative(t.path) for t in analysis.templates],
        "apps": [apps.app_json(document, ws) for document in analysis.apps],
        "hazard": bool(analysis.hazards),
        "units": [_unit_json(unit, analysis) for unit in analysis.units],
        "image_functions": [{"template": ws.relative(f.template_path), "logical_id": f.logical_id,
                             "architecture": f.architecture} for f in analysis.image_functions],
        "warnings": [w.to_json(ws) for w in analysis.warnings],
        "errors": [dict(e.to_json(), path=ws.relative(e.path) if e.path else None) for e in analysis.errors],
    }


def _unit_json(unit: BuildUnit, analysis: Analysis) -> dict:
    ws = analysis.workspace
    return {
        "template": ws.relative(unit.template.path),
        "code_uri": unit.code_uri,
        "kind": unit.kind,
        "project": ws.relative(unit.project.path) if unit.project else None,
        "functions": {arch: [f.logical_id for f in fns] for arch, fns in unit.by_architecture.items()},
        "built_as": unit.built_as,
        "failing": [f.logical_id for f in unit.failing],
        "ready_to_run": unit.ready_to_run,
        "hazard": unit.is_hazard,
        "source": unit.source,
        **(apps.unit_json(unit) if unit.source != "sam" else {}),
    }


def print_text(analysis: Analysis) -> None:
    ws = analysis.workspace
    for error in analysis.errors:
        click.echo(f"lambda-split: error: {error}", err=True)
    for unit in analysis.hazards:
        if unit.source != "sam":
            click.echo("\n".join(apps.hazard_lines(unit, ws)))
            continue
        project = ws.display(unit.project.path)
        click.echo(f"{ws.display(unit.template.path)}: CodeUri {unit.code_uri!r} builds {project} once, "
                   f"for {unit.built_as} (the architecture of {unit.functions[0].logical_id}, its first function)")
        for arch in unit.architectures:
            names = ", ".join(f"{f.logical_id} (line {f.line})" for f in unit.by_architecture[arch])
            marker = "" if arch == unit.built_as else "  <- would fail"
            click.echo(f"  {arch:<7} {names}{marker}")
        failing = ", ".join(f.logical_id for f in unit.failing)
        if unit.ready_to_run:
            why = (f"PublishReadyToRun precompiles every assembly for linux-{_rid(unit.built_as)}, so {failing} "
                   "would fail with BadImageFormatException")
        else:
            why = (f"native libraries are published for linux-{_rid(unit.built_as)} only, so {failing} may fail "
                   "to load them")
        click.echo(f"  {why}")
    for warning in analysis.warnings:
        where = ws.display(warning.path) if warning.path else ""
        where = f"{where}:{warning.line}" if warning.line and where else where
        click.echo(f"warning: {where}: {warning.message}" if where else f"warning: {warning.message}")
    if analysis.image_functions:
        click.echo(_image_line(analysis))
    if analysis.errors:
        return
    if analysis.hazards:
        failing = sum(len(u.failing) for u in analysis.hazards)
        click.echo(f"{len(analysis.hazards)} build unit{'s' if len(analysis.hazards) != 1 else ''} serve"
                   f"{'' if len(analysis.hazards) != 1 else 's'} both architectures; {failing} function"
                   f"{'s' if failing != 1 else ''} would fail. Run `lambda-split migrate --dry-run "
                   f"{_shell_path(ws)}{_parameter_options(analysis)}` to preview the fix.")
    else:
        functions = sum(len(u.functions) for u in analysis.units)
        click.echo(f"No hazard: {len(analysis.units)} build unit{'s' if len(analysis.units) != 1 else ''} "
                   f"({functions} function{'s' if functions != 1 else ''}) in {_definitions(analysis)}, "
                   "each built for one architecture.")


def _definitions(analysis: Analysis) -> str:
    counts = [(len(analysis.templates), "template"), (len(analysis.apps), "app file")]
    shown = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in counts if n or (word == "template" and
                                                                               not analysis.apps)]
    return " and ".join(shown)


def _image_line(analysis: Analysis, shown: int = 10) -> str:
    names = [f.logical_id for f in analysis.image_functions]
    listed = ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")
    return (f"{len(names)} Image function{'s' if len(names) != 1 else ''} (container images, not zip builds; never a "
            f"hazard): {listed}")


def _rid(architecture: str) -> str:
    return "arm64" if architecture == "arm64" else "x64"


def _parameter_options(analysis: Analysis) -> str:
    """The --parameter options check ran with: migrate needs them again to decide the same architectures."""
    import shlex
    given = {name: value for template in analysis.templates for name, value in template.parameters.items()}
    return "".join(f" --parameter {shlex.quote(f'{name}={value}')}" for name, value in given.items())


def _shell_path(workspace) -> str:
    import shlex
    return shlex.quote(workspace.display(workspace.root))
