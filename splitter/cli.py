"""Click commands only: options in, one pipeline call, exit code out. Errors are printed as one line, exit 2."""

from __future__ import annotations

import gc
import os
import re
import sys

import click

from splitter import progress
from splitter.commands import color as colors
from splitter.errors import SplitterError, printable

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

FORMAT = click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
                      show_default=True, help="Output format; json has a stable, documented schema.")
REPORT_FORMAT = click.option("--format", "output_format", type=click.Choice(["text", "json", "github", "sarif"]),
                             default="text", show_default=True,
                             help="text: path:line:col diagnostics and a summary; json: a stable schema; github: "
                                  "workflow-command annotations; sarif: SARIF 2.1.0 for code scanning.")
QUIET = click.option("-q", "--quiet", is_flag=True, help="Print only diagnostics and errors, no summary.")
PARAMETER = click.option("--parameter", "parameters", multiple=True, metavar="NAME=VALUE",
                         help="Resolve a template parameter (repeatable), like SAM's --parameter-overrides.")
DEPLOYER = click.option("--deployer", type=click.Choice(["auto", "dotnet-lambda", "sam"]), default="auto",
                        show_default=True,
                        help="Who deploys every template: auto reads aws-lambda-tools-defaults.json and samconfig "
                             "(a template neither names counts as dotnet-lambda); sam builds each architecture "
                             "separately, so its units are never a hazard.")
COLOR = click.option("--color", "color", type=click.Choice(colors.CHOICES), default="auto", show_default=True,
                     help="Colour the output; auto honours NO_COLOR and FORCE_COLOR, else colours only a terminal.")


class _Interrupted(BaseException):
    """Ctrl-C, carried past Click's own handler (which prints a blank line first) to main's one line."""


class Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted() from None


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


def _print_version(ctx: click.Context, _param, value: bool) -> None:
    """`-V`: the version, read from the package metadata only when asked."""
    if not value or ctx.resilient_parsing:
        return
    import splitter
    click.echo(f"lambda-split, version {splitter.__version__}")
    ctx.exit()


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True,
             no_args_is_help=False)
@click.option("-V", "--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and exit.")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Find and fix .NET Lambda projects whose one build serves both x86_64 and arm64 functions."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        ctx.exit(EXIT_OK)


@cli.command()
@click.argument("path", type=click.Path(path_type=str), required=False)
@PARAMETER
@DEPLOYER
@REPORT_FORMAT
@QUIET
@COLOR
@click.option("--explain", metavar="CODE", help="Explain a diagnostic code (LS001 or mixed-build-unit) and exit.")
def check(path: str | None, parameters: tuple[str, ...], deployer: str, output_format: str, quiet: bool, color: str,
          explain: str | None) -> None:
    """Report every build unit (template + CodeUri) that serves two CPU architectures.

    PATH is a template, a project folder or a solution folder. Exit 0: no hazard; 1: hazard found; 2: bad input.
    """
    if explain is not None:
        from splitter.commands import diagnostics
        rule = diagnostics.lookup(explain)
        if rule is None:
            raise click.BadParameter(f"unknown code {explain!r} (codes: "
                                     f"{', '.join(r.code for r in diagnostics.RULES)})", param_hint="'--explain'")
        click.echo(diagnostics.explain(rule))
        sys.exit(EXIT_OK)
    if path is None:
        raise click.MissingParameter(param_type="argument", param_hint="'PATH'")
    from splitter.commands import check as check_command
    sys.exit(check_command.run(path, parse_parameters(parameters), output_format,
                               color=colors.enabled(color, sys.stdout), quiet=quiet, deployer=deployer))


@cli.command()
@click.argument("path", type=click.Path(path_type=str))
@click.option("--dry-run", is_flag=True, help="Print the change as a git patch on stdout; write nothing.")
@click.option("--x64-name", metavar="NAME", help="Name of the x86_64 project (default <Name>.X64).")
@click.option("--arm64-name", metavar="NAME", help="Name of the arm64 project (default <Name>.Arm64).")
@click.option("--allow-dirty", is_flag=True, help="Proceed even if files to change have uncommitted git changes.")
@click.option("--allow-unretargeted", is_flag=True,
              help="Proceed even if a file that builds a split project cannot be rewritten (a warning each).")
@click.option("--resume", is_flag=True, help="Finish an interrupted migration.")
@click.option("--rollback", is_flag=True, help="Undo an interrupted migration.")
@PARAMETER
@DEPLOYER
@FORMAT
@COLOR
def migrate(path: str, dry_run: bool, x64_name: str | None, arm64_name: str | None, allow_dirty: bool,
            allow_unretargeted: bool, resume: bool, rollback: bool, parameters: tuple[str, ...], deployer: str,
            output_format: str, color: str) -> None:
    """Split every project that builds functions of both architectures into a shared library plus one Lambda
    project per architecture, and fix the template, solution and test references."""
    # Options that cannot apply together (--resume with --rollback or a planning option) are refused by the
    # command, in one place, before it reads anything.
    from splitter.commands import migrate as migrate_command
    sys.exit(migrate_command.run(path, dry_run=dry_run, x64_name=x64_name, arm64_name=arm64_name,
                                 allow_dirty=allow_dirty, resume=resume, rollback=rollback,
                                 allow_unretargeted=allow_unretargeted,
                                 parameters=parse_parameters(parameters), output_format=output_format,
                                 color=colors.enabled(color, sys.stdout), deployer=deployer))


@cli.command()
@click.argument("name")
@click.option("--function", "functions", multiple=True, required=True, metavar="NAME:ARCH",
              help="A function and its architecture (x86_64 or arm64); repeatable.")
@click.option("--runtime", type=click.Choice(["dotnet8", "dotnet10"]), default="dotnet10", show_default=True,
              help="Lambda runtime: dotnet10, or dotnet8 (deprecated by Lambda on 2026-11-10).")
@click.option("--template-format", type=click.Choice(["json", "yaml"]), default="json", show_default=True)
@click.option("--output", "output_dir", type=click.Path(path_type=str), default=".", show_default=True,
              help="Folder in which to create NAME/.")
@click.option("--annotations", is_flag=True, help="Use Amazon.Lambda.Annotations functions.")
@click.option("--dry-run", is_flag=True, help="List what would be created; write nothing.")
@COLOR
def new(name: str, functions: tuple[str, ...], runtime: str, template_format: str, output_dir: str,
        annotations: bool, dry_run: bool, color: str) -> None:
    """Scaffold a split-ready solution: shared library, one Lambda project per architecture, tests."""
    from splitter.commands import new as scaffold
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
@DEPLOYER
@REPORT_FORMAT
@QUIET
@COLOR
def verify(paths: tuple[str, ...], arch: str | None, configuration: str, strict: bool,
           parameters: tuple[str, ...], deployer: str, output_format: str, quiet: bool,
           color: str) -> None:
    """Inspect built packages: every assembly, native library and deps.json must match the function's CPU.

    Either ARTIFACT... --arch ARCH, or a PATH as for `check` to find each function's package."""
    from splitter.commands import verify as verify_command
    sys.exit(verify_command.run(paths, arch=arch, configuration=configuration, strict=strict,
                                parameters=parse_parameters(parameters), output_format=output_format,
                                color=colors.enabled(color, sys.stdout), quiet=quiet,
                                deployer=deployer))


def _fewer_collections() -> None:
    """A run allocates hundreds of thousands of long-lived objects (template nodes, C# files, the word index) and
    frees them at exit; the cyclic collector's default thresholds walk them all again and again (a fifth of
    `migrate` on a 2,000-file project). Reference counting frees almost everything here, so collect cycles rarely,
    as mypy does, and never walk what the imports built. Only in a process of its own: a caller's collector (a
    test session calling main() in-process) is left as it is."""
    gc.freeze()
    gc.set_threshold(200_000, 30, 30)


def usage_line(error: click.UsageError) -> str:
    """A Click usage error as one line: the command, the problem, where to read more."""
    command = error.ctx.command_path if error.ctx is not None else "lambda-split"
    where = command.split(" ", 1)[1] + ": " if " " in command else ""
    message = " ".join(error.format_message().split())
    return f"lambda-split: error: {where}{message} (see `{command} --help`)"


def main(argv: list[str] | None = None) -> None:
    """Console entry point: never a traceback for the user, one line and exit 2 instead."""
    if argv is None:                # a process of its own (the console script, python -m splitter)
        _fewer_collections()
    argv = colors.normalize_argv(sys.argv[1:] if argv is None else list(argv))
    try:
        with progress.cleared():
            cli.main(args=argv, prog_name="lambda-split", standalone_mode=False)
    except SplitterError as error:
        click.echo(f"lambda-split: error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except (KeyboardInterrupt, _Interrupted):
        click.echo("lambda-split: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.Abort as abort:
        if isinstance(abort.__context__, KeyboardInterrupt):
            click.echo("lambda-split: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        click.echo("lambda-split: aborted", err=True)
        sys.exit(EXIT_USAGE)
    except click.UsageError as error:
        click.echo(usage_line(error), err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as error:
        click.echo(f"lambda-split: error: {' '.join(error.format_message().split())}", err=True)
        sys.exit(EXIT_USAGE)
    except BrokenPipeError:
        sys.exit(0)
    except SystemExit:
        raise
    except Exception as error:  # a bug: one line for the user, the traceback on request
        if os.environ.get("LAMBDA_SPLIT_DEBUG"):
            raise
        click.echo(f"lambda-split: internal error: {type(error).__name__}: {printable(str(error))} "
                   "(set LAMBDA_SPLIT_DEBUG=1 for details and please report it)", err=True)
        sys.exit(EXIT_USAGE)
    sys.exit(0)
