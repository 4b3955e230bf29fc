"""`lambda-split verify`: read built .NET Lambda packages before deployment and name every file the function's CPU
cannot load, what it is built for, and the likely cause.

Modes. `verify ARTIFACT... --arch x86_64|arm64` checks each zip, publish folder or single binary against that
architecture. `verify PATH` (PATH as for `check`) finds the package of every zip function where the AWS tools leave
it: for a project, `<project>/bin/<Configuration>/<tfm>/<project folder>.zip` (`dotnet lambda package`), else
`.../<tfm>/publish/` (left by `deploy-serverless`, which uploads a temporary zip); `<tfm>` is the one the function's
Runtime names (dotnet8 -> net8.0) when the project targets it, else the newest package wins. A CodeUri naming a
folder without a project, or a prebuilt zip, is checked as it is. Each package is judged against the architecture
of each function using it. A package not found is reported; it fails only with --strict. Image and S3 functions
are not checked.

Checks (headers only; zip members are streamed, never extracted):
- Assemblies (PE with a CLR header): machine 0x014C IL-only runs anywhere (unless 32-bit-required); ReadyToRun and
  mixed-mode images must be linux-x64 0xFD1D / linux-arm64 0xD11D, any other OS or CPU is a mismatch; an IL-only
  image with a PlatformTarget (0x8664, 0xAA64) needs that CPU. A PE without a CLR header is a native Windows DLL,
  skipped since Linux never loads it, unless its machine names a non-Windows OS: then it is a composite ReadyToRun
  image (framework-r2r.dll), judged like ReadyToRun.
- Native code (ELF, 32- or 64-bit, any name ending .so/.so.N/.dll/.exe or without extension): e_machine 62 x86-64,
  183 AArch64; anything else is a mismatch.
- The root `*.deps.json`: `runtimeTarget.name` ending in a RID must be `linux-x64` / `linux-arm64`; portable is fine.
- `runtimes/<rid>/...` is judged only when `<rid>` is in the function's RID fallback chain (`linux-<cpu>`, `linux`,
  `unix-<cpu>`, `unix`, `any`): a portable publish keeps every RID's folder and the host loads only its own, so
  `runtimes/win-x64/`, `runtimes/osx-arm64/` or the other Lambda CPU's folder are counted as `not_loaded`, not read.
  Everything else in the package is judged, wherever it lies.
- A file named like a binary that is not PE or ELF is skipped; one that starts with `MZ` / `\\x7fELF` but does not
  parse (or is truncated), a corrupt zip or a missing path is bad input. So is a package whose deps.json and runtimeconfig.json sit in one
  subfolder (`publish/`) and not at the root, and, in ARTIFACT mode, one holding no .NET file at all.

Exit codes: 0 every file matches, 1 a mismatch (or, with --strict, a missing package), 2 bad input.

JSON (`--format json`), schema `lambda-split/verify/v1` (fields are only ever added):
  {"schema", "ok": bool (exit code 0),
   "packages": [{"package", "format": "zip"|"folder"|"file", "template": path|null, "code_uri": str|null,
                 "architectures": [arch], "functions": {"x86_64"|"arm64": [logical id]},
                 "checked": n, "not_loaded": n, "skipped": [{"file", "reason"}]}],
   "mismatches": [{"package", "file", "kind", "built_for", "evidence", "architecture", "functions": [logical id],
                   "cause"}],
   "missing": [{"template", "code_uri", "functions": {"x86_64"|"arm64": [logical id]}, "looked_for": [path]}],
   "unchecked": [{"template", "logical_id", "reason": "image"|"remote"|"unknown-architecture"}],
   "errors": [{"path", "line", "message", "hint"}]}
`kind` is "ReadyToRun assembly", "IL assembly", "mixed-mode assembly", "ReadyToRun composite image", "native
library", "native executable" or "deps.json"; `built_for` a RID-like platform ("linux-x64", "win-x64", "x86", "any platform"); `functions` is empty
in ARTIFACT mode. Paths are as given, or relative to the current folder when below it.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from splitter.verify.report import (Mismatch, Missing, Report, Target, artifact_report, inspect_all,
                                    path_report)



SCHEMA = "lambda-split/verify/v1"
EXIT_OK, EXIT_MISMATCH, EXIT_BAD_INPUT = 0, 1, 2


def run(paths: tuple[str, ...], *, arch: str | None, configuration: str, strict: bool,
        parameters: dict[str, str], output_format: str, color: bool = False, quiet: bool = False,
        deployer: str = "auto") -> int:
    report = artifact_report(paths, arch) if arch else path_report(paths, configuration, parameters, deployer)
    inspect_all(report)
    code = exit_code(report, strict)
    if output_format in ("json", "github", "sarif"):
        if output_format == "json":
            click.echo(json.dumps(to_json(report, ok=code == EXIT_OK), indent=2))
        else:
            from splitter.commands import diagnostics
            diagnostics.emit(to_diagnostics(report, strict), output_format, click.echo)
        for error in report.errors:
            click.echo(f"lambda-split: error: {error}", err=True)
    else:
        print_text(report, strict, color=color, quiet=quiet)
    return code


def exit_code(report: Report, strict: bool) -> int:
    if report.errors:
        return EXIT_BAD_INPUT
    return EXIT_MISMATCH if report.mismatches or (strict and report.missing) else EXIT_OK


# -- output ------------------------------------------------------------------------------------------------------

def print_text(report: Report, strict: bool, color: bool = False, quiet: bool = False) -> None:
    from splitter.commands import diagnostics
    for error in report.errors:
        click.echo(f"lambda-split: error: {error}", err=True)
    diagnostics.emit(to_diagnostics(report, strict), "text", click.echo, color=color)
    if not quiet:
        click.echo(summary(report))


def to_diagnostics(report: Report, strict: bool) -> list:
    """LS201 per mismatch, LS202 per missing package: at the template line of the function that runs it (PATH
    mode), else at the package (ARTIFACT mode)."""
    from splitter.commands import diagnostics
    anchor = report.targets[0].location if report.targets else Path.cwd()
    top = diagnostics.repository_top(anchor if anchor.is_dir() else anchor.parent)
    found = []
    for mismatch in report.mismatches:
        unit = mismatch.target.unit
        if unit is not None:
            function = next((f for f in unit.functions if f.architecture == mismatch.architecture), unit.functions[0])
            where = (function.template_path, function.line)
        else:
            where = (mismatch.target.location, 1)
        found.append(diagnostics.make("LS201", mismatch_line(mismatch), *where, None, report.display, top))
    for missing in report.missing:
        function = missing.unit.functions[0]
        found.append(diagnostics.make("LS202", missing_message(missing, report), function.template_path,
                                      function.line, None, report.display, top,
                                      severity="error" if strict else "warning"))
    return found


def mismatch_line(mismatch: Mismatch) -> str:
    binary, functions, arch = mismatch.binary, mismatch.functions, mismatch.architecture
    if functions:
        plural = len(functions) > 1
        who = f"but function{'s' if plural else ''} {', '.join(functions)} run{'' if plural else 's'} on {arch}"
    else:
        who = f"not for {arch} (--arch)"
    return (f"{mismatch.file}: {binary.kind} built for {binary.platform} ({binary.evidence}), {who}; "
            f"likely cause: {mismatch.cause}")


def missing_message(missing: Missing, report: Report) -> str:
    unit = missing.unit
    names = ", ".join(f.logical_id for f in unit.functions)
    folders = " or ".join(dict.fromkeys(report.display(path.parent) for path in missing.looked_for))
    packages = " or ".join(dict.fromkeys(path.name + ("/" if path.suffix != ".zip" else "")
                                         for path in missing.looked_for))
    return (f"no package for {names} (CodeUri {unit.code_uri!r}): "
            f"no {packages} in {folders}; build it with `dotnet lambda package` (not checked)")


def summary(report: Report) -> str:
    checked = [t for t in report.targets if t.inspection is not None]
    files = sum(len(t.inspection.binaries) for t in checked)
    packages = f"{len(checked)} package{'s' if len(checked) != 1 else ''}"
    if report.mismatches:
        count = len({(m.file, m.architecture) for m in report.mismatches})
        return (f"{count} file{'s' if count != 1 else ''} would fail on their function's architecture "
                f"({packages}, {files} files checked).")
    if report.errors:
        return f"{packages} checked ({files} files); unreadable input above."
    if not checked:
        unchecked = f" ({len(report.unchecked)} image, S3 or unknown-architecture functions are not checked)" if report.unchecked else ""
        return f"Nothing checked: no package found{unchecked}."
    return (f"OK: {packages}, {files} files checked; every assembly, native library and deps.json matches its "
            f"functions' architecture.")


def to_json(report: Report, ok: bool) -> dict:
    show = report.display
    return {
        "schema": SCHEMA,
        "ok": ok,
        "packages": [_package_json(target, show) for target in report.targets if target.inspection is not None],
        "mismatches": [{"package": m.target.shown, "file": m.binary.path, "kind": m.binary.kind,
                        "built_for": str(m.binary.platform), "evidence": m.binary.evidence,
                        "architecture": m.architecture, "functions": m.functions, "cause": m.cause}
                       for m in report.mismatches],
        "missing": [{"template": show(m.unit.template.path), "code_uri": m.unit.code_uri,
                     "functions": {arch: [f.logical_id for f in fns] for arch, fns in m.unit.by_architecture.items()},
                     "looked_for": [show(path) for path in m.looked_for]} for m in report.missing],
        "unchecked": [{"template": show(f.template_path), "logical_id": f.logical_id, "reason": reason}
                      for f, reason in report.unchecked],
        "errors": [dict(e.to_json(), path=show(e.path) if e.path else None) for e in report.errors],
    }


def _package_json(target: Target, show) -> dict:
    inspection, unit = target.inspection, target.unit
    return {"package": target.shown, "format": inspection.format,
            "template": show(unit.template.path) if unit else None, "code_uri": unit.code_uri if unit else None,
            "architectures": sorted(target.needs),
            "functions": {arch: ids for arch, ids in target.needs.items() if ids},
            "checked": len(inspection.binaries), "not_loaded": inspection.not_loaded,
            "skipped": [{"file": s.path, "reason": s.reason} for s in inspection.skipped]}
