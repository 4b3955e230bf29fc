"""`lambda-split migrate`: load, plan, then print the plan as a git patch (`--dry-run`) or apply it atomically.

The summary (what moved, what stayed shared and why, what was created and edited, how to deploy) goes to stderr,
the patch or the JSON plan to stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click

from splitter.changes import changeset as change_set, journal, patch as patches
from splitter.errors import SplitterError
from splitter.graph.handlers import refuse_unresolved_targets
from splitter.graph.migration import load_migration, solution_root
from splitter.plan.planner import plan
from splitter.proof import prove
from splitter.plan.result import Options, Plan


def run(path: str, *, dry_run: bool, x64_name: str | None, arm64_name: str | None, allow_dirty: bool,
        journal_action: str | None, parameters: dict[str, str], output_format: str, color: bool | None) -> int:
    if journal_action:
        return _journal(path, journal_action)
    _refuse_interrupted(path)       # first: a half-migrated tree may not even load
    model = load_migration(path, parameters)
    if model.analysis.errors:
        for error in model.analysis.errors:
            click.echo(f"lambda-split: error: {error}", err=True)
        return 2
    root = model.workspace.root
    if not model.targets:
        units = len(model.analysis.units)
        message = (f"Nothing to do: every build unit ({units}) already serves one architecture.")
        if output_format == "json":
            click.echo(json.dumps({"schema": "lambda-split/migrate/v1", "root": str(root), "projects": [],
                                   "decisions": [], "changes": []}, indent=2))
        click.echo(message, err=True)
        return 0
    refuse_unresolved_targets(model)
    result = plan(model, Options(x64_name=x64_name, arm64_name=arm64_name))
    failures = prove(model, result)             # the self-check: nothing is printed or written unproven
    if output_format == "json":
        click.echo(json.dumps({**result.to_json(), "self_check": {
            "passed": not failures, "failures": [f.to_json() for f in failures]}}, indent=2))
    if failures:
        click.echo(f"lambda-split: error: internal check failed: {failures[0]} (nothing was written; please report "
                   "this with --format json output)", err=True)
        return 2
    if dry_run:
        if output_format != "json":
            patch = patches.to_patch(result.changes)
            use_color = sys.stdout.isatty() if color is None else color
            _write_stdout(patches.colorize(patch) if use_color else patch)
        _summary(result, applied=False)
        return 0
    if not allow_dirty:
        _refuse_dirty(result)
    journal.apply(result.changes)
    _summary(result, applied=True)
    return 0


def _write_stdout(data: bytes) -> None:
    stream = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
    if stream is not None:
        sys.stdout.flush()
        stream.write(data)
        stream.flush()
    else:  # click's test runner without a byte stream
        sys.stdout.write(data.decode("utf-8", errors="surrogateescape"))


def _refuse_interrupted(path: str) -> None:
    if not Path(path).exists():
        return
    left = solution_root(Path(path).resolve()) / journal.JOURNAL_NAME
    if os.path.lexists(left):
        raise SplitterError("an earlier migration was interrupted here", left,
                            hint="run `lambda-split migrate --resume` or `--rollback` on this folder first")


def _journal(path: str, action: str) -> int:
    root = solution_root(Path(path).resolve())
    done = journal.resume(root) if action == "resume" else journal.rollback(root)
    if not done:
        click.echo(f"Nothing to {action}: no interrupted migration under {root}.", err=True)
        return 0
    click.echo(f"{'Finished' if action == 'resume' else 'Rolled back'} the interrupted migration in {root}.",
               err=True)
    return 0


def _refuse_dirty(result: Plan) -> None:
    root = result.root
    touched = [c.path for c in result.changes.changes if isinstance(c, change_set.Modify)]
    touched += [c.source for c in result.changes.changes if isinstance(c, change_set.Move)]
    try:
        probe = subprocess.run(["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return
    if probe.returncode != 0 or not touched:
        return
    status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", *touched],
                            capture_output=True, text=True, timeout=60)
    dirty = [line[3:] for line in status.stdout.splitlines() if line.strip()]
    if dirty:
        raise SplitterError(f"{len(dirty)} file{'s' if len(dirty) != 1 else ''} to change "
                            f"{'have' if len(dirty) != 1 else 'has'} uncommitted changes (first: {dirty[0]})",
                            root, hint="commit or stash them, or pass --allow-dirty")


def _summary(result: Plan, applied: bool) -> None:
    echo = lambda line="": click.echo(line, err=True)  # noqa: E731
    for target, projects in result.split:
        echo(f"Split {result.rel(target.project.path)}: it built functions of both architectures.")
        for fp in projects.values():
            echo(f"  {fp.architecture:<7} {fp.name}: {', '.join(f.logical_id for f in fp.functions)}")
    for decision in result.decisions:
        if decision.kind in ("move", "shared", "split", "duplicate", "copy", "note"):
            echo(f"  {decision.subject} {decision.detail}")
    echo("Files:" if applied else "Files (dry run, nothing written):")
    for change in result.changes.sorted():
        if isinstance(change, change_set.Move):
            echo(f"  {'move':<7} {change.source} -> {change.target}")
        else:
            echo(f"  {'create' if isinstance(change, change_set.Create) else 'modify':<7} {change.path}")
    if not applied:
        echo("Apply the patch with `git apply`, or run the same command without --dry-run.")
    if any(d.kind == "shared" for d in result.decisions):
        echo("Shared handlers keep their handler string: the function project's package holds the library's "
             "assembly, and the Lambda runtime loads the handler's assembly by name from the package.")
    # Amazon.Lambda.Annotations templates become one stack per function project: a "deploy" decision says how.
    redeployed = {d.subject for d in result.decisions if d.kind == "deploy"}
    folders = sorted({os.path.dirname(result.rel(f.template_path)) or "." for _, projects in result.split
                      for fp in projects.values() for f in fp.functions
                      if result.rel(f.template_path) not in redeployed})
    for folder in folders:
        where = "from the solution root" if folder == "." else f"from {folder}"
        echo(f"Deploy as before, {where}: dotnet lambda deploy-serverless (each CodeUri now builds one project "
             "for one architecture; `sam build` works too).")
    for decision in result.decisions:
        if decision.kind == "deploy":
            echo(decision.detail)
