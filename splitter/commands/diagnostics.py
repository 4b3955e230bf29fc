"""Diagnostics of `check` and `verify`: stable codes, and the text, GitHub and SARIF forms CI systems read.

The rule for output: diagnostics (hazards, warnings, mismatches) of `check` and `verify` go to stdout as
`path:line:col: severity[code]: message`, the form ruff and compilers print, so that editors, terminals and CI
log viewers jump to them; the human summary follows them. Errors (bad input) are one line
`lambda-split: error: ...` on stderr, and warnings of the other commands one line `lambda-split: warning: ...`
on stderr. Codes never change meaning; `lambda-split check --explain CODE` explains one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from splitter.discover import repository_top as git_top
from splitter.commands import color as colors
from splitter.commands.units import describe
from splitter.errors import printable

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
HELP_URI = "https://github.com/lambda-split/lambda-split#diagnostic-codes"
FORMATS = ("text", "json", "github", "sarif")


@dataclass(frozen=True)
class Rule:
    code: str          # LS001
    name: str          # mixed-build-unit (the JSON `code` of warnings)
    severity: str      # "error" or "warning"
    summary: str       # one line: what it means
    fix: str           # one line: what to do


RULES = (
    Rule("LS001", "mixed-build-unit", "error",
         "One build unit (template + CodeUri, CDK asset or serverless artifact) serves functions of both "
         "architectures; the AWS tools build it once, for one CPU, so the other architecture's functions fail "
         "(BadImageFormatException with ReadyToRun, or native libraries that do not load).",
         "Run `lambda-split migrate --dry-run PATH` to preview the split into one project per architecture, "
         "then run it without --dry-run."),
    Rule("LS101", "runtime-identifier", "warning",
         "The project pins <RuntimeIdentifier> to one CPU, but functions of the other architecture use it.",
         "Remove the <RuntimeIdentifier> (the AWS tools pass the function's), or split the project with migrate."),
    Rule("LS102", "codeuri-spelling", "warning",
         "Two CodeUri strings name the same project; the AWS tools build and upload it once per spelling.",
         "Write the CodeUri the same way in every function."),
    Rule("LS103", "shared-artifact", "warning",
         "A prebuilt folder or zip is deployed as-is to both x86_64 and arm64 functions.",
         "Run `lambda-split verify` on it, or build one package per architecture."),
    Rule("LS104", "ref-architecture", "warning",
         "Architectures is a Ref that Amazon.Lambda.Tools cannot evaluate, so it builds for another CPU than "
         "the function gets. An error (exit 1) where Amazon.Lambda.Tools deploys a PublishReadyToRun project: "
         "the functions built for the other CPU fail with BadImageFormatException, and a split cannot fix it "
         "(`migrate` says so and exits 0). Never reported where SAM CLI deploys (it evaluates the Ref).",
         "Set \"function-architecture\" in the CodeUri's aws-lambda-tools-defaults.json (create it if needed), "
         "write the architecture literally, or deploy with SAM CLI."),
    Rule("LS105", "missing-output", "warning",
         "CodeUri names prebuilt output (bin/.../publish or a .zip) that does not exist yet, so it is not checked.",
         "Build first and run `lambda-split verify`, or point CodeUri at the project."),
    Rule("LS106", "cannot-decide", "warning",
         "A CDK or serverless.yml function whose values lambda-split cannot follow; it is left alone.",
         "Write the asset path, bundling and architecture as literals, or check that function by hand."),
    Rule("LS107", "bundling-runtime", "warning",
         "A bundling command fixes the runtime of the other CPU than the function runs on.",
         "Make the bundling command's -r / --function-architecture match the function's architecture."),
    Rule("LS108", "cdk-app", "warning",
         "A cdk.json whose program lambda-split cannot read (no app command, or not Python or C#).",
         "Check its functions by hand, or run `cdk synth` and check the synthesized template."),
    Rule("LS109", "missing-codeuri", "warning",
         "A CodeUri names a folder that does not exist, in a unit that cannot be the hazard (one function, or one "
         "architecture); the deploy fails until it exists.",
         "Fix the CodeUri or restore the project folder."),
    Rule("LS110", "unresolved-handler", "warning",
         "A function's Handler names an assembly, type or method that its CodeUri project's package does not build.",
         "Fix the Handler (Assembly::Namespace.Type::Method) or the project it is deployed from; migrate refuses to "
         "split a project whose handlers do not resolve."),
    Rule("LS111", "serverless-app", "warning",
         "A serverless.yml found in the folder checked that lambda-split cannot read as a Serverless Framework "
         "service (no `service` or `functions`, or not valid YAML); its functions are not checked.",
         "Fix the file, or run `lambda-split check` on the serverless.yml that deploys your functions."),
    Rule("LS201", "binary-mismatch", "error",
         "`verify`: a file in a built package is built for another CPU (or OS) than a function using it.",
         "Follow the likely cause in the message: publish for the function's architecture, or split with migrate."),
    Rule("LS202", "missing-package", "warning",
         "`verify`: no built package was found for a function (an error with --strict).",
         "Build it with `dotnet lambda package`, or pass --configuration."),
)
BY_CODE = {rule.code: rule for rule in RULES}
BY_NAME = {rule.name: rule for rule in RULES}


def lookup(key: str) -> Rule | None:
    """A rule by its code (LS001, case-insensitive) or its name (mixed-build-unit)."""
    key = key.strip()
    return BY_CODE.get(key.upper()) or BY_NAME.get(key.lower())


def explain(rule: Rule) -> str:
    return (f"{rule.code} {rule.name} ({rule.severity})\n"
            f"  {rule.summary}\n"
            f"  Fix: {rule.fix}")


@dataclass
class Diagnostic:
    rule: Rule
    message: str
    path: str                 # as the user reads it (relative to the current folder when below it)
    uri: str                  # relative to the repository root, '/'-separated (GitHub, SARIF)
    line: int = 1
    column: int = 1
    severity: str | None = None   # overrides the rule's (LS202 is an error with --strict)

    @property
    def level(self) -> str:
        return self.severity or self.rule.severity

    def text(self, color: bool = False) -> str:
        label = colors.paint(f"{self.level}[{self.rule.code}]", self.level, color)
        where = colors.paint(f"{printable(self.path)}:{self.line}:{self.column}:", "bold", color)
        return f"{where} {label}: {printable(_one_line(self.message))}"

    def github(self) -> str:
        """A GitHub Actions workflow command: an annotation on the file and line."""
        kind = "error" if self.level == "error" else "warning"
        props = ",".join(f"{k}={_escape_property(str(v))}" for k, v in (
            ("file", self.uri), ("line", self.line), ("col", self.column),
            ("title", f"{self.rule.code} {self.rule.name}")))
        return f"::{kind} {props}::{_escape_data(self.message)}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def locate(path: Path | None, line: int | None, column: int | None, display, top: Path) -> tuple[str, str, int, int]:
    """(shown path, repository-relative uri, line, column) of a place; a missing place is the folder checked."""
    path = path if path is not None else top
    try:
        uri = path.resolve().relative_to(top).as_posix()
    except ValueError:
        uri = path.resolve().as_posix()
    return display(path), uri or ".", max(int(line or 1), 1), max(int(column or 1), 1)


def repository_top(folder: Path) -> Path:
    """The git work tree holding `folder` (SARIF and GitHub paths are relative to it), else the current folder
    when `folder` lies below it, else `folder`."""
    folder = folder.resolve()
    top = git_top(folder)
    if top is not None:
        return top
    cwd = Path.cwd().resolve()
    return cwd if cwd == folder or cwd in folder.parents else folder


def make(rule: str, message: str, path: Path | None, line: int | None, column: int | None, display, top: Path,
         severity: str | None = None) -> Diagnostic:
    shown, uri, line, column = locate(path, line, column, display, top)
    return Diagnostic(lookup(rule), message, shown, uri, line, column, severity)


# -- check -------------------------------------------------------------------------------------------------------

def from_analysis(analysis) -> list[Diagnostic]:
    """Every hazard (one per build unit, at its first failing function) and warning of a `check`."""
    ws = analysis.workspace
    top = repository_top(ws.root)
    found = []
    for unit in analysis.hazards:
        first = unit.failing[0] if unit.failing else unit.functions[-1]
        node = getattr(first, "node", None)
        column = node.column + 1 if node is not None and getattr(node, "column", None) is not None else 1
        found.append(make("LS001", hazard_message(unit, ws), first.template_path, first.line, column, ws.display,
                          top))
    for warning in analysis.warnings:
        rule = lookup(warning.code)
        if rule is None:
            continue
        found.append(make(rule.code, warning.message, warning.path, warning.line, None, ws.display, top,
                          getattr(warning, "severity", None)))
    return found


def hazard_message(unit, workspace) -> str:
    project = workspace.display(unit.project.path) if unit.project else unit.code_uri
    if unit.source == "sam":
        what = f"CodeUri {unit.code_uri!r}"
        built = unit.built_as
    else:
        what, built = describe(unit), unit.build_architecture
    serves = "; ".join(f"{arch}: {', '.join(f.logical_id for f in unit.by_architecture[arch])}"
                       for arch in unit.architectures)
    crash = "with BadImageFormatException" if unit.ready_to_run else "to load native libraries"
    if built is None:
        return (f"{what} is one build of {project} for functions of both architectures ({serves}); whichever "
                f"CPU it is published for, the other architecture's functions fail {crash}")
    failing = ", ".join(f.logical_id for f in unit.failing)
    return (f"{what} builds {project} once, for {built}, but serves both architectures ({serves}); "
            f"{failing} would fail {crash}")


# -- output ------------------------------------------------------------------------------------------------------

def print_github(diagnostics: list[Diagnostic], echo) -> None:
    for diagnostic in diagnostics:
        echo(diagnostic.github())


def sarif(diagnostics: list[Diagnostic], version: str) -> dict:
    """A SARIF 2.1.0 log with one run: one rule per code, one result per diagnostic."""
    used = [rule for rule in RULES if any(d.rule is rule for d in diagnostics)]
    index = {rule.code: i for i, rule in enumerate(used)}
    rules = [{"id": rule.code, "name": _pascal(rule.name),
              "shortDescription": {"text": rule.summary},
              "fullDescription": {"text": f"{rule.summary} Fix: {rule.fix}"},
              "help": {"text": rule.fix, "markdown": f"**{rule.code} {rule.name}**: {rule.fix}"},
              "helpUri": HELP_URI,
              "defaultConfiguration": {"level": rule.severity},
              "properties": {"tags": [rule.name]}} for rule in used]
    results = [{"ruleId": d.rule.code, "ruleIndex": index[d.rule.code], "level": d.level,
                "message": {"text": _one_line(d.message)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": d.uri, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": d.line, "startColumn": d.column}}}]} for d in diagnostics]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0",
            "runs": [{"tool": {"driver": {"name": "lambda-split", "version": version,
                                          "informationUri": "https://github.com/lambda-split/lambda-split",
                                          "rules": rules}},
                      "results": results}]}


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def emit(diagnostics: list[Diagnostic], output_format: str, echo, color: bool = False) -> None:
    """Diagnostics in `text`, `github` or `sarif` form (json is each command's own schema)."""
    if output_format == "sarif":
        from splitter import __version__
        echo(json.dumps(sarif(diagnostics, __version__), indent=2))
    elif output_format == "github":
        print_github(diagnostics, echo)
    else:
        for diagnostic in diagnostics:       # click.echo strips colour off a pipe unless told it was asked for
            echo(diagnostic.text(color), **({"color": True} if color else {}))
