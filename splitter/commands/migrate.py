"""`lambda-split migrate`: load, plan, then print the plan as a git patch (`--dry-run`) or apply it atomically.

The summary (what moved, what stayed shared and why, what was created and edited, how to deploy) goes to stderr,
the patch or the JSON plan to stdout.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import click

from splitter.changes import changeset as change_set, journal, patch as patches, paths, state
from splitter.commands import deployers
from splitter.discover import refuse_link_out_of_repository, repository_top
from splitter.errors import SplitterError, printable, printable_lines
from splitter.graph import executables
from splitter.graph.handlers import refuse_unresolved_targets
from splitter.graph.migration import load_migration
from splitter.graph.repository import repository_root
from splitter.plan.consumers import consumers
from splitter.plan.planner import plan
from splitter.proof import prove
from splitter.plan.result import Options, Plan


def run(path: str, *, dry_run: bool, x64_name: str | None, arm64_name: str | None, allow_dirty: bool,
        parameters: dict[str, str], output_format: str, color: bool | None, deployer: str = "auto",
        resume: bool = False, rollback: bool = False, allow_unretargeted: bool = False) -> int:
    """`resume`/`rollback` are the two flags as given, so that both given together are refused rather than one
    silently winning."""
    actions = [a for a, on in (("resume", resume), ("rollback", rollback)) if on]
    _refuse_conflicts(actions, x64_name=x64_name, arm64_name=arm64_name, allow_dirty=allow_dirty,
                      parameters=parameters)
    refuse_link_out_of_repository(path)
    if actions:
        if dry_run:
            return _journal_dry_run(path, actions[0])
        with _locked(path, f"lambda-split migrate --{actions[0]}"):
            return _journal(path, actions[0])
    if dry_run:         # reads only: takes no lock, which would write
        return _migrate(path, dry_run=True, x64_name=x64_name, arm64_name=arm64_name, allow_dirty=allow_dirty,
                        parameters=parameters, output_format=output_format, color=color, deployer=deployer,
                        allow_unretargeted=allow_unretargeted)
    with _locked(path, "lambda-split migrate"):
        return _migrate(path, dry_run=False, x64_name=x64_name, arm64_name=arm64_name, allow_dirty=allow_dirty,
                        parameters=parameters, output_format=output_format, color=color, deployer=deployer,
                        allow_unretargeted=allow_unretargeted)


def _refuse_conflicts(actions: list[str], **given) -> None:
    """Options that cannot apply together are a usage error, not one silently ignored."""
    if len(actions) > 1:
        raise SplitterError("--resume and --rollback cannot be combined",
                            hint="--resume finishes an interrupted migration, --rollback undoes it: choose one")
    names = {"x64_name": "--x64-name", "arm64_name": "--arm64-name", "allow_dirty": "--allow-dirty",
             "parameters": "--parameter"}
    for key, option in names.items():
        if actions and given.get(key):
            raise SplitterError(f"--{actions[0]} cannot be combined with {option}",
                                hint=f"--{actions[0]} acts on the interrupted run exactly as it was planned")


def _locked(path: str, what: str):
    """The run lock of PATH's root (splitter/changes/state.py), held for the whole run."""
    if not Path(path).exists():
        return contextlib.nullcontext()
    return state.locked(repository_root(Path(path).resolve()), f"{what} {path}")


def _migrate(path: str, *, dry_run: bool, x64_name: str | None, arm64_name: str | None, allow_dirty: bool,
             parameters: dict[str, str], output_format: str, color: bool | None, deployer: str = "auto",
             allow_unretargeted: bool = False) -> int:
    _refuse_interrupted(path)       # first: a half-migrated tree may not even load
    model = load_migration(path, parameters, deployer)
    if model.analysis.errors:
        for error in model.analysis.errors:
            click.echo(f"lambda-split: error: {error}", err=True)
        return 2
    refused = executables.by_hand([u for target in model.targets for u in target.units])
    if refused:                     # every such unit at once: a user fixing one must not meet the next on rerun
        for unit, function in refused:
            click.echo(f"lambda-split: error: {executables.hand_written_main_error(unit, function)}", err=True)
        return 2
    root = model.workspace.root
    if not model.targets:
        units = len(model.analysis.units)
        reason = deployers.nothing_to_do_reason(model.analysis)
        shared = sum(1 for w in model.analysis.warnings if w.code == "shared-artifact")
        message = (f"Nothing to do: {reason}." if reason else
                   f"Nothing to do: no project builds functions of both architectures; {shared} prebuilt "
                   "artifact(s) deployed as-is to both are not built here (run `lambda-split verify` on them)."
                   if shared else f"Nothing to do: every build unit ({units}) already serves one architecture.")
        if model.repository is not None and model.repository.answered_from_model:
            shown = _shown(root, model.repository.path.relative_to(root).as_posix())
            message = (f"Nothing to do: {'this folder' if shown == '.' else shown} has no "
                       f"template or app of its own; the {units} build unit{'s' if units != 1 else ''} that build "
                       "it or the projects split from it already serve one architecture each.")
        if model.analysis.function_deployments and not units:
            count = len(model.analysis.function_deployments)
            message = (f"Nothing to do: {count} project{'s' if count != 1 else ''} deployed with `dotnet lambda "
                       "deploy-function`, one function each, built for its own function-architecture.")
        if output_format == "json":
            click.echo(json.dumps({"schema": "lambda-split/migrate/v1", "root": str(root), "projects": [],
                                   "decisions": [], "changes": []}, indent=2))
        click.echo(message, err=True)
        for problem in model.analysis.problems:     # LS104 errors: a split cannot fix them, say how to
            click.echo(f"lambda-split: warning: {model.workspace.display(problem.path)}:{problem.line}: "
                       f"{printable(problem.message)}", err=True)
        return 0
    refuse_unresolved_targets(model)
    result = plan(model, Options(x64_name=x64_name, arm64_name=arm64_name))
    # The self-check first: a plan that breaks an invariant is lambda-split's bug, reported as such, before any
    # message that would send the user to fix a file of theirs.
    failures = prove(model, result)             # nothing is printed or written unproven
    retargeted, left = consumers(result)
    if left and not allow_unretargeted and not failures:
        for consumer in left:
            click.echo(f"lambda-split: error: {_shown(root, consumer.path)}:{consumer.line}: {consumer.message()} "
                       "(or pass --allow-unretargeted; nothing was changed)", err=True)
        return 2
    if output_format == "json":
        data = result.to_json()
        data["consumers"] = {"retargeted": retargeted,
                             "unretargeted": [{"path": c.path, "line": c.line, "message": c.message()}
                                              for c in left]}
        data["self_check"] = {"passed": not failures, "failures": [f.to_json() for f in failures]}
        click.echo(json.dumps(data, indent=2))
    if failures:
        click.echo(f"lambda-split: error: internal check failed: {printable(str(failures[0]))} (nothing was "
                   "written; please report this with --format json output)", err=True)
        return 2
    if dry_run:
        if output_format != "json":
            patch = patches.to_patch(_as_applied_from(result.changes))
            use_color = sys.stdout.isatty() if color is None else color
            _write_stdout(patches.colorize(patch) if use_color else patch)
        _summary(result, applied=False)
        _consumer_summary(root, retargeted, left)
        return 0
    paths.check_paths(result.changes)       # nothing it reads or writes lies through a link out, or in .git
    if not allow_dirty:
        _refuse_dirty(result)
    if not _in_git(result.root):
        click.echo(f"lambda-split: warning: {result.root} is not in a git repository: the only undo is "
                   "lambda-split's own journal (`migrate --rollback` while a migration is interrupted)", err=True)
    journal.apply(result.changes)
    _summary(result, applied=True)
    _consumer_summary(root, retargeted, left)
    return 0


def _as_applied_from(changes: change_set.ChangeSet) -> change_set.ChangeSet:
    """Patch paths as `git apply` reads them: from the top of the git work tree (the root), or outside git from the
    current folder when the root lies below it."""
    cwd = Path.cwd().resolve()
    if repository_top(changes.root) is not None or changes.root == cwd or cwd not in changes.root.parents:
        return changes
    prefix = changes.root.relative_to(cwd).as_posix() + "/"
    moved = change_set.ChangeSet(changes.root)
    for change in changes.changes:
        if isinstance(change, change_set.Move):
            moved.add(dataclasses.replace(change, source=prefix + change.source, target=prefix + change.target))
        else:
            moved.add(dataclasses.replace(change, path=prefix + change.path))
    return moved


def _apply_where(root: Path) -> str:
    cwd = Path.cwd().resolve()
    if repository_top(root) is not None:
        if root == cwd:
            return "at the top of the work tree"
        return f"at the top of the work tree ({_shown(root, '')}; in a subfolder git apply skips the files outside it)"
    if root == cwd or cwd in root.parents:
        return "in the current folder"
    return f"in {root}"


def _shown(root: Path, rel: str) -> str:
    """A path below the root as the user reads it: relative to the current folder when below it, else absolute."""
    prefix = _cwd_below(root, os.getcwd())
    if prefix is not None:
        if not prefix:
            return rel or "."
        if rel == prefix or rel.startswith(prefix + "/"):
            return rel[len(prefix) + 1:] or "."
    above = _root_below(root, os.getcwd())         # the root relative to the current folder, when below it
    if above is None:
        return os.path.join(root, *rel.split("/")) if rel else str(root)
    return "/".join(part for part in (above, rel) if part) or "."


@functools.lru_cache(maxsize=8)
def _resolved(folder: str) -> Path:
    """A folder resolved once, not once per printed path (a summary prints hundreds)."""
    return Path(folder).resolve()


@functools.lru_cache(maxsize=8)
def _root_below(root: Path, cwd: str) -> str | None:
    """The root relative to the current folder ("" when they are one), None outside it."""
    try:
        rel = root.relative_to(_resolved(cwd)).as_posix()
    except ValueError:
        return None
    return "" if rel == "." else rel


@functools.lru_cache(maxsize=8)
def _cwd_below(root: Path, cwd: str) -> str | None:
    """The current folder relative to the root ("" at the root), None outside it."""
    try:
        rel = _resolved(cwd).relative_to(root).as_posix()
    except ValueError:
        return None
    return "" if rel == "." else rel


def _consumer_summary(root: Path, retargeted: list[str], left) -> None:
    for rel in retargeted:
        click.echo(f"Retargeted: {_shown(root, rel)}", err=True)
    for consumer in left:
        click.echo(f"warning: {_shown(root, consumer.path)}:{consumer.line}: not retargeted: {consumer.message()}",
                   err=True)


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
    left = repository_root(Path(path).resolve()) / journal.JOURNAL_NAME
    if os.path.lexists(left):
        raise SplitterError("an earlier migration was interrupted here", left,
                            hint="run `lambda-split migrate --resume` or `--rollback` on this folder first")


def _journal(path: str, action: str) -> int:
    root = repository_root(Path(path).resolve())
    done = journal.resume(root) if action == "resume" else journal.rollback(root)
    if not done:
        click.echo(f"Nothing to {'roll back' if action == 'rollback' else action}: no interrupted migration under "
                   f"{root}.", err=True)
        return 0
    click.echo(f"{'Finished' if action == 'resume' else 'Rolled back'} the interrupted migration in {root}.",
               err=True)
    return 0


def _in_git(root: Path) -> bool:
    try:
        probe = subprocess.run(["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0 and probe.stdout.strip() == "true"


def _journal_dry_run(path: str, action: str) -> int:
    """What --resume or --rollback would do, checked as they check it; nothing is written."""
    root = repository_root(Path(path).resolve())
    changes = journal.pending(root)
    if changes is None:
        click.echo(f"Nothing to {action}: no interrupted migration under {root}.", err=True)
        return 0
    verb = "finish" if action == "resume" else "undo"
    click.echo(f"Dry run, nothing written: --{action} would {verb} the interrupted migration in {root}:", err=True)
    for change in sorted(changes, key=change_set.target_of):
        if isinstance(change, change_set.Move):
            click.echo(f"  {'move':<7} {change.source} -> {change.target}", err=True)
        else:
            kind = "create" if isinstance(change, change_set.Create) else "modify"
            click.echo(f"  {kind:<7} {change.path}", err=True)
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


def _function_names(result: Plan):
    """How the summary names a function: its logical ID, or `template:LogicalId` (the template relative to the root)
    where one logical ID is used in several templates, so that a list never repeats a bare name."""
    templates: dict[str, set] = {}
    for _, projects in result.split:
        for fp in projects.values():
            for f in fp.functions:
                templates.setdefault(f.logical_id, set()).add(f.template_path)
    return lambda f: (f"{result.rel(f.template_path)}:{f.logical_id}" if len(templates[f.logical_id]) > 1
                      else f.logical_id)


def _summary(result: Plan, applied: bool) -> None:
    lines: list[str] = []           # printed at once: one click.echo a line cost more than the lines themselves
    echo = lambda line="": lines.append(printable_lines(line))  # noqa: E731  (user text: escaped)
    named = _function_names(result)
    for target, projects in result.split:
        echo(f"Split {_shown(result.root, result.rel(target.project.path))}: it built functions of both "
             "architectures.")
        for fp in projects.values():
            echo(f"  {fp.architecture:<7} {fp.name}: {', '.join(named(f) for f in fp.functions)}")
    for decision in result.decisions:
        if decision.kind in ("move", "shared", "split", "duplicate", "copy", "note"):
            echo(f"  {decision.subject} {decision.detail}")
    echo("Files:" if applied else "Files (dry run, nothing written):")
    for change in result.changes.sorted():
        if isinstance(change, change_set.Move):
            echo(f"  {'move':<7} {_shown(result.root, change.source)} -> {_shown(result.root, change.target)}")
        else:
            echo(f"  {'create' if isinstance(change, change_set.Create) else 'modify':<7} "
                 f"{_shown(result.root, change.path)}")
    if not applied:
        echo(f"Apply the patch with `git apply` {_apply_where(result.root)}, or run the same command without "
             "--dry-run.")
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
    click.echo("\n".join(lines), err=True)
