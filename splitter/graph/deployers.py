"""Who deploys each template, and the file that says so.

The hazard is a property of the deployer, not of the template: Amazon.Lambda.Tools (`dotnet lambda
deploy-serverless`) builds each CodeUri once, for the architecture of its first function, and so do CDK assets and
serverless.yml artifacts; SAM CLI keys its build graph on the architecture and builds a shared CodeUri once per
architecture, so a SAM-built unit is never a hazard. The Amazon.Lambda.Annotations generator builds nothing; it is
recorded because it owns the template it syncs.

  - Amazon.Lambda.Tools: the template an `aws-lambda-tools-defaults.json` names in `template`, or the
    `serverless.template` beside a defaults file that names none.
  - SAM CLI: the template a `samconfig.toml` / `samconfig.yaml` / `samconfig.yml` names in `template_file` or
    `template` of any `[<env>.<command>.parameters]` table, or `template.yaml` / `template.yml` / `template.json`
    beside a samconfig whose `default` environment names none.
  - the Annotations generator: the template a project referencing Amazon.Lambda.Annotations (analyzers on) syncs:
    its defaults file's `template`, else its `serverless.template`.
  - CDK apps and serverless.yml: the app itself.

A template no building deployer names is assumed deployed by Amazon.Lambda.Tools (the conservative guess).
`--deployer dotnet-lambda|sam` replaces the guess for every template.
"""

from __future__ import annotations

import sys
from pathlib import Path

from splitter.discover import DEFAULTS_FILE, native_path, read_defaults, repository_top
from splitter.errors import SplitterError
from splitter.graph.deployer import ANNOTATIONS, CDK, DOTNET_LAMBDA, MODES, SAM, SERVERLESS, Deployer, deciding
from splitter.graph.units import Analysis, BuildUnit
from splitter.model.msbuild import Project
from splitter.model.textfile import read_text
from splitter.graph.deployer import ANNOTATIONS_PACKAGE, SAMCONFIG_NAMES, SAM_TEMPLATE_NAMES


def assign_deployers(analysis: Analysis, units: list[BuildUnit], mode: str = "auto") -> None:
    """Give every unit the deployers of its template (or app), as `mode` says."""
    if mode not in MODES:
        raise SplitterError(f"unknown deployer {mode!r}", hint=f"use one of {', '.join(MODES)}")
    projects = {u.project.path.resolve(): u.project for u in units if u.project is not None}
    found = template_deployers([t.path for t in analysis.templates], _config_folders(analysis),
                               list(projects.values())) if mode == "auto" else {}
    for unit in units:
        if unit.source != "sam":
            unit.deployers = (app_deployer(unit),)
        elif mode != "auto":
            unit.deployers = (Deployer(mode, None, f"--deployer {mode}"),)
        else:
            named = found.get(unit.template.path.resolve(), [])
            if deciding(named) is None:
                named = [*named, assumed_deployer()]
            unit.deployers = tuple(named)


def assumed_deployer() -> Deployer:
    return Deployer(DOTNET_LAMBDA, None, f"assumed: no {DEFAULTS_FILE} or samconfig names the template",
                    assumed=True)


def app_deployer(unit: BuildUnit) -> Deployer:
    document = unit.template
    config = getattr(document, "app", None) or document.path
    if unit.source == "serverless":
        return Deployer(SERVERLESS, config, "(a Serverless Framework service: one artifact per package)")
    return Deployer(CDK, config, "(a CDK app: one asset per path and bundling command)")


def _config_folders(analysis: Analysis) -> list[Path]:
    """Where a defaults file or samconfig that names one of the templates can sit: each template's folder and the
    folders above it up to the repository top (or the workspace root), and every folder holding a defaults file."""
    root = analysis.workspace.root.resolve()
    top = repository_top(root) or root
    folders: list[Path] = []
    for template in analysis.templates:
        folder = template.path.resolve().parent
        for candidate in (folder, *folder.parents):
            folders.append(candidate)
            if candidate == top or (top not in candidate.parents):
                break
    folders.extend(p.resolve().parent for p in analysis.workspace.defaults)
    return list(dict.fromkeys(folders))


# -- reading the evidence ----------------------------------------------------------------------------------------------

def template_deployers(templates: list[Path], folders: list[Path],
                       projects: list[Project]) -> dict[Path, list[Deployer]]:
    """The deployers that name each template (resolved path), from the defaults files and samconfigs in `folders`
    and the Annotations generators of `projects`."""
    wanted = {t.resolve() for t in templates}
    found: dict[Path, list[Deployer]] = {t: [] for t in wanted}

    def add(path: Path, deployer: Deployer) -> None:
        key = path.resolve()
        if key in wanted and deployer not in found[key]:
            found[key].append(deployer)

    for folder in folders:
        for path, deployer in lambda_tools_templates(folder):
            add(path, deployer)
        for name in SAMCONFIG_NAMES:
            if (folder / name).is_file():
                for path, deployer in samconfig_templates(folder / name):
                    add(path, deployer)
    for project in projects:
        template = generator_template(project)
        if template is not None:
            add(template, Deployer(ANNOTATIONS, project.path,
                                   f"references Amazon.Lambda.Annotations, whose generator syncs {template.name}"))
    return found


def lambda_tools_templates(folder: Path) -> list[tuple[Path, Deployer]]:
    defaults = folder / DEFAULTS_FILE
    if not defaults.is_file():
        return []
    try:
        named = read_defaults(defaults).get("template")
    except SplitterError:
        return []            # discover reports a broken defaults file where it matters
    if isinstance(named, str) and named.strip():
        return [(folder / native_path(named.strip()),
                 Deployer(DOTNET_LAMBDA, defaults, f'"template": "{named.strip()}"'))]
    if (folder / "serverless.template").is_file():
        return [(folder / "serverless.template",
                 Deployer(DOTNET_LAMBDA, defaults, "names no template: deploy-serverless uses serverless.template "
                                                   "beside it"))]
    return []


def samconfig_templates(path: Path) -> list[tuple[Path, Deployer]]:
    """The templates one samconfig names, in every environment and command, plus the one beside it that `sam`
    uses when its `default` environment names none."""
    tables = read_samconfig(path)
    if tables is None:
        return []
    found: list[tuple[Path, Deployer]] = []
    default_names = False
    for env, command, parameters in tables:
        for key in ("template_file", "template"):
            value = parameters.get(key)
            if isinstance(value, str) and value.strip():
                found.append((path.parent / native_path(value.strip()),
                              Deployer(SAM, path, f"[{env}.{command}.parameters] {key} = {value.strip()}")))
                default_names = default_names or env == "default"
    if not default_names:
        beside = next((path.parent / n for n in SAM_TEMPLATE_NAMES if (path.parent / n).is_file()), None)
        if beside is not None:
            found.append((beside, Deployer(SAM, path, f"names no template_file: sam uses {beside.name} beside it")))
    return found


def read_samconfig(path: Path) -> list[tuple[str, str, dict]] | None:
    """Every `[<env>.<command>.parameters]` table of a samconfig (TOML or YAML) as (env, command, parameters);
    None if it cannot be read (then it names nothing, and the conservative guess stands)."""
    try:
        text = read_text(path).text
    except (OSError, SplitterError):
        return None
    try:
        if path.suffix == ".toml":
            data = _toml().loads(text)
        else:
            from ruamel.yaml import YAML
            data = YAML(typ="safe", pure=True).load(text)
    except Exception:       # noqa: BLE001 - tomllib, tomli and ruamel raise their own error types
        return None
    if not isinstance(data, dict):
        return None
    tables = []
    for env, commands in data.items():
        if not isinstance(commands, dict):
            continue            # `version = 0.1`
        for command, body in commands.items():
            parameters = body.get("parameters") if isinstance(body, dict) else None
            if isinstance(parameters, dict):
                tables.append((str(env), str(command), parameters))
    return tables


def _toml():
    if sys.version_info >= (3, 11):
        import tomllib
        return tomllib
    import tomli                # pyproject: tomli; python_version < '3.11'
    return tomli


def generator_template(project: Project) -> Path | None:
    """The template a project's Amazon.Lambda.Annotations generator syncs, if it runs one: its defaults file's
    `template`, else serverless.template in its folder."""
    reference = next((r for r in project.package_references if r.include.lower() == ANNOTATIONS_PACKAGE), None)
    if reference is None:
        return None
    excluded = (reference.element.get("ExcludeAssets") or "") + ";" + "".join(
        c.text or "" for c in reference.element if isinstance(c.tag, str) and c.tag.endswith("ExcludeAssets"))
    if "analyzers" in excluded.lower():
        return None
    defaults = project.folder / DEFAULTS_FILE
    if defaults.is_file():
        try:
            named = read_defaults(defaults).get("template")
        except SplitterError:
            named = None
        if isinstance(named, str) and named.strip():
            return project.folder / native_path(named.strip())
    return project.folder / "serverless.template"
