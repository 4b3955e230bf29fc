"""`lambda-split check`: report build units that serve two CPU architectures, as text or as JSON.

JSON schema `lambda-split/check/v1` (stable; fields are only ever added):
  {"schema", "root", "templates": [path], "hazard": bool,
   "apps": [{"path", "source": "cdk-python"|"cdk-csharp"|"serverless", "app": cdk.json or serverless.yml path}],
   "units": [{"template", "code_uri", "kind": "project"|"folder"|"archive", "project": path|null,
              "functions": {"x86_64": [logical id], "arm64": [...]}, "built_as", "failing": [logical id],
              "ready_to_run": bool, "hazard": bool, "source": "sam"|"cdk-python"|"cdk-csharp"|"serverless",
              "deployer": "dotnet-lambda"|"sam"|"cdk"|"serverless", "deployer_evidence": text (the file and what it
              says, or why it is assumed), "deployers": [{"deployer", "evidence"}] (every deployer naming the
              template, "annotations" included), "rule_id": "LS001"|null, and for app units "bundling": command|null,
              "build_architecture": arch|null}],
   "function_deployments": [aws-lambda-tools-defaults.json path] (deploy-function projects: a function-handler, no
     template; listed when the repository has no template or app, and never a hazard),
   "image_functions": [{"template", "logical_id", "line", "architecture"}],
   "s3_functions": [{"template", "logical_id", "line", "architecture", "location": "s3://bucket/key"}],
   "warnings": [{"code", "rule_id": "LS1nn", "message", "path", "line", "severity": "error" (only when it is one:
                 a ref-architecture Amazon.Lambda.Tools builds for the other CPU of a ReadyToRun project; exit 1)}],
   "errors": [{"path", "line", "message", "hint"}]}
Warning codes: "codeuri-spelling" (two CodeUri strings, one project), "runtime-identifier" (the csproj pins the
other CPU), "shared-artifact" (a prebuilt folder or zip deployed to both), "ref-architecture" (a Ref the AWS
tooling cannot evaluate, so it builds for another CPU), "missing-output" (CodeUri names prebuilt output, such as
bin/.../publish or a .zip, absent until built), and for CDK apps and serverless.yml "cannot-decide" (a function
whose values lambda-split cannot follow: named with file and line, and left alone), "bundling-runtime" (a bundling
command fixes the other CPU's runtime), "cdk-app" (a cdk.json whose program lambda-split cannot read),
"serverless-app" (a serverless.yml below the folder checked that is not a readable service),
"missing-codeuri" (a CodeUri naming a missing folder where its unit cannot be the hazard; else it is an error).
A unit is a hazard only where its deployer builds it once for every architecture (never SAM CLI: "failing" is then
empty); a template no defaults file or samconfig names is assumed deployed by Amazon.Lambda.Tools.
"unresolved-handler" (a handler naming an assembly, type or method its CodeUri project's package does not build).
Image functions' "architecture" is null when unknown.
Hazard units carry "rule_id": "LS001" (null for the others). Codes: splitter/commands/diagnostics.py, `check --explain`.
`--format github` prints GitHub workflow commands, `--format sarif` a SARIF 2.1.0 log (splitter/commands/diagnostics.py).
Paths are relative to "root" (the folder checked). Exit codes: 0 no hazard, 1 hazard (or an error-level warning),
2 bad input.
"""

from __future__ import annotations

import json

import click

from splitter.model.architecture import linux_rid
from splitter.commands import diagnostics, listings
from splitter.commands import deployers
from splitter.commands import units as app_units
from splitter.graph import executables
from splitter.graph.handlers import warn_unresolved_handlers
from splitter.graph.units import Analysis, BuildUnit
from splitter.discover import discover
from splitter.errors import printable_lines
from splitter.graph.repository import load_repository

SCHEMA = "lambda-split/check/v1"


def run(path: str, parameters: dict[str, str], output_format: str, *, color: bool = False,
        quiet: bool = False, deployer: str = "auto") -> int:
    # The repository model: PATH's templates and apps, plus the units elsewhere in the repository that build a
    # project PATH selects (and, for a folder without a template of its own, the units that build it).
    repository = load_repository(path, parameters, deployer=deployer)
    analysis = repository.analysis
    if not repository.answered_from_model:
        analysis.workspace.root = discover(path).root      # paths read relative to the folder checked, as before
    if not analysis.errors:
        warn_unresolved_handlers(analysis, repository.projects)
    if output_format in ("json", "github", "sarif"):
        if output_format == "json":
            click.echo(json.dumps(to_json(analysis), indent=2))
        else:
            diagnostics.emit(diagnostics.from_analysis(analysis), output_format, click.echo)
        for error in analysis.errors:
            click.echo(f"lambda-split: error: {error}", err=True)
    else:
        print_text(analysis, color=color, quiet=quiet)
    if analysis.errors:
        return 2
    return 1 if analysis.hazards or analysis.problems else 0


def to_json(analysis: Analysis) -> dict:
    ws = analysis.workspace
    return {
        "schema": SCHEMA,
        "root": str(ws.root),
        "templates": [ws.relative(t.path) for t in analysis.templates],
        "function_deployments": [ws.relative(p) for p in analysis.function_deployments],
        "apps": [app_units.app_json(document, ws) for document in analysis.apps],
        "hazard": bool(analysis.hazards),
        "units": [_unit_json(unit, analysis) for unit in analysis.units],
        "image_functions": listings.image_json(analysis),
        "s3_functions": listings.s3_json(analysis),
        "warnings": [_warning_json(w, ws) for w in analysis.warnings],
        "errors": [dict(e.to_json(), path=ws.relative(e.path) if e.path else None) for e in analysis.errors],
    }


def _warning_json(warning, workspace) -> dict:
    rule = diagnostics.lookup(warning.code)
    return dict(warning.to_json(workspace), rule_id=rule.code if rule else None)


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
        **deployers.unit_json(unit, analysis),
        "rule_id": "LS001" if unit.is_hazard else None,
        **(app_units.unit_json(unit) if unit.source != "sam" else {}),
    }


def print_text(analysis: Analysis, color: bool = False, quiet: bool = False) -> None:
    """Diagnostics first (`path:line:col: severity[code]: message`), then the human summary (not with --quiet)."""
    ws = analysis.workspace
    for error in analysis.errors:
        _safe_echo(f"lambda-split: error: {error}", err=True)
    diagnostics.emit(diagnostics.from_analysis(analysis), "text", click.echo, color=color)
    if quiet:
        return
    for unit in analysis.hazards:
        if unit.source != "sam":
            _safe_echo("\n".join(app_units.hazard_lines(unit, ws)))
            _safe_echo(deployers.hazard_line(unit, analysis))
            continue
        project = ws.display(unit.project.path)
        _safe_echo(f"{ws.display(unit.template.path)}: CodeUri {unit.code_uri!r} builds {project} once, "
                   f"for {unit.built_as} (the architecture of {unit.functions[0].logical_id}, its first function)")
        for arch in unit.architectures:
            names = ", ".join(f"{f.logical_id} ({ws.display(f.template_path)}:{f.line})"
                              for f in unit.by_architecture[arch])
            marker = "" if arch == unit.built_as else "  <- would fail"
            _safe_echo(f"  {arch:<7} {names}{marker}")
        failing = ", ".join(f.logical_id for f in unit.failing)
        if unit.ready_to_run:
            why = (f"PublishReadyToRun precompiles every assembly for {linux_rid(unit.built_as)}, so {failing} "
                   "would fail with BadImageFormatException")
        else:
            why = (f"native libraries are published for {linux_rid(unit.built_as)} only, so {failing} may fail "
                   "to load them")
        _safe_echo(f"  {why}")
        _safe_echo(deployers.hazard_line(unit, analysis))
        main = executables.hand_written_main(unit)
        if main is not None:
            _safe_echo(f"  must be split by hand: {main.logical_id} runs the executable assembly {main.handler}, "
                       "whose hand-written Main serves functions of both architectures, so `lambda-split migrate` "
                       "cannot split it; make one executable project per architecture, each with its own Main")
    for line in listings.text_lines(analysis):
        _safe_echo(line)
    for note in deployers.notes(analysis):
        _safe_echo(note)
    if analysis.errors:
        return
    by_hand = executables.by_hand(analysis.hazards)
    if by_hand:
        failing = sum(len(u.failing) for u in analysis.hazards)
        rest = len(analysis.hazards) - len(by_hand)
        then = (f"; then run `lambda-split migrate --dry-run {_shell_path(ws)}{_parameter_options(analysis)}"
                f"{deployers.option(analysis)}` to preview the fix of the other {rest}" if rest else "")
        _safe_echo(f"{len(analysis.hazards)} build unit{'s' if len(analysis.hazards) != 1 else ''} serve"
                   f"{'' if len(analysis.hazards) != 1 else 's'} both architectures; {failing} function"
                   f"{'s' if failing != 1 else ''} would fail. Split the {len(by_hand)} executable"
                   f"{'s' if len(by_hand) != 1 else ''} with a hand-written Main by hand (see above): "
                   f"`lambda-split migrate` refuses {'them' if len(by_hand) != 1 else 'it'}{then}.")
    elif analysis.hazards:
        failing = sum(len(u.failing) for u in analysis.hazards)
        _safe_echo(f"{len(analysis.hazards)} build unit{'s' if len(analysis.hazards) != 1 else ''} serve"
                   f"{'' if len(analysis.hazards) != 1 else 's'} both architectures; {failing} function"
                   f"{'s' if failing != 1 else ''} would fail. Run `lambda-split migrate --dry-run "
                   f"{_shell_path(ws)}{_parameter_options(analysis)}{deployers.option(analysis)}` to preview the fix.")
    elif analysis.problems:
        _safe_echo(f"{len(analysis.problems)} Ref architecture{'s' if len(analysis.problems) != 1 else ''} "
                   "built for the other CPU (error[LS104] above); a split cannot fix "
                   f"{'them' if len(analysis.problems) != 1 else 'it'}: follow the fix in the message.")
    elif analysis.function_deployments and not analysis.templates and not analysis.apps:
        count = len(analysis.function_deployments)
        _safe_echo(f"Nothing to check: {count} project{'s' if count != 1 else ''} deployed with `dotnet lambda "
                   f"deploy-function` ({', '.join(ws.display(p.parent) for p in analysis.function_deployments[:5])}"
                   f"{', ...' if count > 5 else ''}), one function each, built for its own function-architecture.")
    else:
        counted = [*analysis.units, *analysis.unknown]
        functions = sum(len(u.functions) for u in counted)
        shared = sum(1 for w in analysis.warnings if w.code == "shared-artifact")
        built = (f"{shared} of them prebuilt and deployed as-is to both architectures (warning[LS103] above: "
                 "run `lambda-split verify` on them)" if shared else "each built for one architecture")
        _safe_echo(f"No hazard: {len(counted)} build unit{'s' if len(counted) != 1 else ''} "
                   f"({functions} function{'s' if functions != 1 else ''}) in {_definitions(analysis)}, "
                   f"{built}.")


def _safe_echo(text: str, err: bool = False) -> None:
    """The text report quotes user text on every line (logical IDs, CodeUris, file names, warnings): written with
    control characters escaped, never raw to the terminal."""
    click.echo(printable_lines(text), err=err)


def _definitions(analysis: Analysis) -> str:
    counts = [(len(analysis.templates), "template"), (len(analysis.apps), "app file")]
    shown = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in counts if n or (word == "template" and
                                                                               not analysis.apps)]
    return " and ".join(shown)


def _parameter_options(analysis: Analysis) -> str:
    """The --parameter options check ran with: migrate needs them again to decide the same architectures."""
    import shlex
    given = {name: value for template in analysis.templates for name, value in template.parameters.items()}
    return "".join(f" --parameter {shlex.quote(f'{name}={value}')}" for name, value in given.items())


def _shell_path(workspace) -> str:
    import shlex
    return shlex.quote(workspace.display(workspace.root))
