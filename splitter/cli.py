"""Click commands only: options in, one pipeline call, exit code out. Errors are printed as one line, exit 2."""

from __future__ import annotations

import os
import re
import sys

import click

from splitter import __version__, progress
from splitter.errors import SplitterError

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2

FORMAT = click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
                      show_default=True, help="Output format; json has a stable, documented schema.")
PARAMETER = click.option("--parameter", "parameters", multiple=True, metavar="NAME=VALUE",
                         help="Resolve a template parameter (repeatable), like SAM's --parameter-overrides.")
COLOR = click.option("--color/--no-color", default=None,
                     help="Color the output (default: only on a terminal).")


def parse_parameters(values: tuple[str, ...]) -> dict[str, str]:
    """NAME=VALUE, or SAM's long form ParameterKey=NAME,ParameterValue=VALUE."""
    result = {}
    for item in values:
        long_form = re.fullmatch(r"\s*ParameterKey=([^,]+),\s*ParameterValue=(.*)", item)
        if long_form:
            result[long_form.group(1).strip()] = long_form.group(2).strip()
            continue
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise SplitterError(f"--parameter {item!r} is not NAME=VALUE", hint="for example --parameter Arch=arm64")
        result[name.strip()] = value.strip()
    return result


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lambda-split")
def cli() -> None:
    """Find and fix .NET Lambda projects whose one build serves both x86_64 and arm64 functions."""


@cli.command()
@click.argument("path", type=click.Path(path_type=str))
@PARAMETER
@FORMAT
def check(path: str, parameters: tuple[str, ...], output_format: str) -> None:
    """Report every build unit (template + CodeUri) that serves two CPU architectures.

    PATH is a template, a project folder or a solution folder. Exit 0: no hazard; 1: hazard found; 2: bad input.
    """
    from splitter.commands import check as check_command
    sys.exit(check_command.run(path, parse_parameters(parameters), output_format))


@cli.command()
@click.argument("path", type=click.Path(path_type=str))
@click.option("--dry-run", is_flag=True, help="Print the change as a git patch on stdout; write nothing.")
@click.option("--x64-name", metavar="NAME", help="Name of the x86_64 project (default <Name>.X64).")
@click.option("--arm64-name", metavar="NAME", help="Name of the arm64 project (default <Name>.Arm64).")
@click.option("--allow-dirty", is_flag=True, help="Proceed even if files to change have uncommitted git changes.")
@click.option("--allow-unretargeted", is_flag=True,
              help="Proceed even if a file that builds a split project cannot be rewritten (a warning each).")
@click.option("--resume", "journal_action", flag_value="resume", help="Finish an interrupted migration.")
@click.option("--rollback", "journal_action", flag_value="rollback", help="Undo an interrupted migration.")
@PARAMETER
@FORMAT
@COLOR
def migrate(path: str, dry_run: bool, x64_name: str | None, arm64_name: str | None, allow_dirty: bool,
            allow_unretargeted: bool, journal_action: str | None, parameters: tuple[str, ...], output_format: str,
            color: bool | None) -> None:
    """Split every project that builds functions of both architectures into a shared library plus one Lambda
    project per architecture, and fix the template, solution and test references."""
    from splitter.commands import migrate as migrate_command
    sys.exit(migrate_command.run(path, dry_run=dry_run, x64_name=x64_name, arm64_name=arm64_name,
                                 allow_dirty=allow_dirty, journal_action=journal_action,
                                 allow_unretargeted=allow_unretargeted,
                                 parameters=parse_parameters(parameters), output_format=output_format,
                                 color=color))


@cli.command()
@click.argument("name")
@click.option("--function", "functions", multiple=True, required=True, metavar="NAME:ARCH",
              help="A function and its architecture (x86_64 or arm64); repeatable.")
@click.option("--runtime", default="dotnet10", show_default=True,
              help="Lambda runtime: dotnet10, or dotnet8 (deprecated by Lambda on 2026-11-10).")
@click.option("--template-format", type=click.Choice(["json", "yaml"]), default="json", show_default=True)
@click.option("--output", "output_dir", type=click.Path(path_type=str), default=".", show_default=True,
              help="Folder in which to create NAME/.")
@click.option("--annotations", is_flag=True, help="Use Amazon.Lambda.Annotations functions.")
@click.option("--dry-run", is_flag=True, help="List what would be created; write nothing.")
def new(name: str, functions: tuple[str, ...], runtime: str, template_format: str, output_dir: str,
        annotations: bool, dry_run: bool) -> None:
    """Scaffold a split-ready solution: shared library, one Lambda project per architecture, tests."""
    from splitter.scaffold import new as scaffold
    sys.exit(scaffold.run(name, functions=functions, runtime=runtime, template_format=template_format,
                          output_dir=output_dir, annotations=annotations, dry_run=dry_run))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--arch", type=click.Choice(["x86_64", "arm64"]),
              help="Check ARTIFACTs (zips or publish folders) against this architecture.")
@click.option("--configuration", default="Release", show_default=True,
              help="Build configuration whose packages to look for, in PATH mode.")
@click.option("--strict", is_flag=True, help="Fail when a function's package is not found.")
@PARAMETER
@FORMAT
def verify(paths: tuple[str, ...], arch: str | None, configuration: str, strict: bool,
           parameters: tuple[str, ...], output_format: str) -> None:
    """Inspect built packages: every assembly, native library and deps.json must match the function's CPU.

    Either ARTIFACT... --arch ARCH, or a PATH as for `check` to find each function's package."""
    from splitter.commands import verify as verify_command
    sys.exit(verify_command.run(paths, arch=arch, configuration=configuration, strict=strict,
                                parameters=parse_parameters(parameters), output_format=output_format))


def main(argv: list[str] | None = None) -> None:
    """Console entry point: never a traceback for the user, one line and exit 2 instead."""
    try:
        with progress.cleared():
            cli.main(args=argv, prog_name="lambda-split", standalone_mode=False)
    except SplitterError as error:
        click.echo(f"lambda-split: error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.Abort:
        click.echo("lambda-split: aborted", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        click.echo("lambda-split: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except SystemExit:
        raise
    except Exception as error:  # a bug: one line for the user, the traceback on request
        if os.environ.get("LAMBDA_SPLIT_DEBUG"):
            raise
        click.echo(f"lambda-split: internal error: {type(error).__name__}: {error} "
                   "(set LAMBDA_SPLIT_DEBUG=1 for details and please report it)", err=True)
        sys.exit(EXIT_USAGE)
    sys.exit(0)
