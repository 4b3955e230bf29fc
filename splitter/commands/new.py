"""`lambda-split new`: check the target folder, build the solution's change set, write it (or list it with
--dry-run), and say what to do next."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from splitter.changes import journal
from splitter.changes.changeset import status_word
from splitter.errors import SplitterError
from splitter.scaffold.solution import Solution, parse_request, plan, project_stack, runtime_warning


def check_target(folder: Path) -> None:
    """Refuse to write into an existing non-empty folder (or onto a file)."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise SplitterError("the target exists and is not a plain folder", folder,
                            hint="choose another name or --output")
    if folder.is_dir() and any(folder.iterdir()):
        raise SplitterError("the target folder exists and is not empty; nothing was written", folder,
                            hint="choose another name or --output, or remove the folder")


def run(name: str, functions: tuple[str, ...], runtime: str = "dotnet10", template_format: str = "json",
        output_dir: str = ".", annotations: bool = False, dry_run: bool = False) -> int:
    solution = parse_request(name, functions, runtime, template_format, annotations)
    output = Path(output_dir)
    if output.exists() and not output.is_dir():
        raise SplitterError("--output is not a folder", output)
    check_target(output / solution.name)
    warning = runtime_warning(runtime, date.today())
    if warning:
        click.echo(f"lambda-split: warning: {warning}", err=True)
    changes = plan(solution, output)
    if not dry_run:
        try:
            journal.apply(changes)
        except OSError as error:
            raise SplitterError(f"cannot write the new solution: {error.strerror}", error.filename,
                                hint="check the permissions of --output") from None
    for change in changes.sorted():
        click.echo(f"{status_word(change):<8}{_display(output_dir, change.path)}")
    if dry_run:
        click.echo(f"dry run: {len(changes.changes)} files would be created; nothing was written", err=True)
    else:
        click.echo(_next_steps(solution, _display(output_dir, solution.name)))
    return 0


def _display(output_dir: str, path: str) -> str:
    return path if output_dir in (".", "") else str(Path(output_dir) / path)


def _next_steps(solution: Solution, folder: str) -> str:
    lines = ["", "Next steps:", f"  cd {folder}", "  dotnet test"]
    if solution.annotations:
        lines += [f"  (cd {p.folder} && dotnet lambda deploy-serverless --s3-bucket <your-bucket>)"
                  f"   # stack {project_stack(solution, p)}" for p in solution.projects]
    else:
        lines += ["  dotnet lambda deploy-serverless --s3-bucket <your-bucket>",
                  f"  # or: sam build -t {solution.template_file} && sam deploy --guided"]
    lines += ["  lambda-split check .   # proves no build serves two architectures"]
    return "\n".join(lines)
