"""A csproj read the way the .NET SDK would for compiling it: properties, Compile globs, references and the
assembly attributes the SDK generates. Used by `dotnet_compile` to drive mcs; conditions are not evaluated.

Evaluation follows MSBuild's two passes: properties in document order (Directory.Build.props first, SDK defaults
around the project body), then items with the final property values. Elements carrying a `Condition` are skipped.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

# What Sdk.props excludes from the default Compile glob, relative to the project folder.
SDK_DEFAULT_EXCLUDES = ("bin/**", "obj/**", "**/*.user", "**/*.*proj", "**/*.sln", "**/*.vssscc")
# DefaultExcludesInProjectFolder: hidden folders such as .vs/ or .git/.
SDK_HIDDEN_EXCLUDE = "**/.*/**"
# Packages whose compile assets carry no types; a test SDK also writes the test project's entry point.
TEST_SDK_PACKAGES = frozenset({"microsoft.net.test.sdk"})

_PROPERTY_REF = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)


class ProjectFileError(Exception):
    """The project file cannot be read as MSBuild XML."""


@dataclass(frozen=True)
class ProjectReference:
    path: Path                  # the referenced project file, absolute and normalized
    written_as: str             # the Include value as the csproj spells it
    reference_output: bool      # ReferenceOutputAssembly: false means build order only


@dataclass(frozen=True)
class PackageReference:
    name: str
    private: bool               # PrivateAssets="all": does not flow to referencing projects


@dataclass
class DotnetProject:
    path: Path
    properties: dict[str, str]
    sources: list[Path]
    project_references: list[ProjectReference]
    package_references: list[PackageReference]
    generated_attributes: list[str]          # C# `[assembly: ...]` lines the SDK would generate
    problems: list[tuple[str, str]] = field(default_factory=list)   # (code, message) MSBuild would report

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def assembly_name(self) -> str:
        return self.properties["AssemblyName"]

    @property
    def is_test_project(self) -> bool:
        return (any(p.name.lower() in TEST_SDK_PACKAGES for p in self.package_references)
                or self.flag("IsTestProject"))

    @property
    def target_framework(self) -> str:
        single = self.properties.get("TargetFramework", "").strip()
        if single:
            return single
        several = [t.strip() for t in self.properties.get("TargetFrameworks", "").split(";") if t.strip()]
        return several[0] if several else ""

    @property
    def output_type(self) -> str:
        return self.properties.get("OutputType", "Library").strip().lower()

    @property
    def define_constants(self) -> list[str]:
        declared = [c.strip() for c in self.properties.get("DefineConstants", "").split(";") if c.strip()]
        return declared + framework_constants(self.target_framework)

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.properties.get(name, "").strip().lower()
        return default if not value else value == "true"


def load_project(path: Path, solution_root: Path) -> DotnetProject:
    """Evaluate `path`, importing the nearest Directory.Build.props at or below `solution_root`."""
    path = Path(os.path.normpath(path.absolute()))
    documents = [d for d in (_directory_build_props(path.parent, solution_root), path) if d is not None]
    roots = [_parse(doc) for doc in documents]
    properties = _evaluate_properties(path, roots)
    project = DotnetProject(path=path, properties=properties, sources=[], project_references=[],
                            package_references=[], generated_attributes=[])
    items = [(doc.parent, item) for doc, root in zip(documents, roots) for item in _items(root)]
    _collect_references(project, items)
    _collect_sources(project, [(base, item) for base, item in items if _local(item) == "Compile"])
    project.generated_attributes = _sdk_assembly_attributes(project, [item for _, item in items])
    return project


def framework_constants(tfm: str) -> list[str]:
    """The preprocessor symbols the SDK defines for a target framework, e.g. net8.0 -> NET, NET8_0, NET8_0_OR_GREATER..."""
    match = re.fullmatch(r"net(\d+)\.(\d+)(?:-.*)?", tfm.strip().lower())
    if not match:
        return []
    major, minor = int(match.group(1)), int(match.group(2))
    if major < 5:
        return []
    symbols = ["NET", "NETCOREAPP", f"NET{major}_{minor}"]
    symbols += [f"NET{v}_0_OR_GREATER" for v in range(5, major + 1)]
    symbols += [f"NETCOREAPP{v}_OR_GREATER" for v in ("1_0", "1_1", "2_0", "2_1", "2_2", "3_0", "3_1")]
    return symbols


def msbuild_glob_regex(pattern: str, base: Path) -> re.Pattern[str]:
    """Compile an MSBuild item spec (`**`, `*`, `?`, either slash, relative to `base`) to a full-path regex."""
    spec = pattern.strip().replace("\\", "/")
    absolute = spec if spec.startswith("/") else f"{base.as_posix().rstrip('/')}/{spec}"
    absolute = _normalize_dots(absolute)
    out, i = [], 0
    while i < len(absolute):
        if absolute.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif absolute.startswith("**", i):
            out.append(".*")
            i += 2
        elif absolute[i] == "*":
            out.append("[^/]*")
            i += 1
        elif absolute[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(absolute[i]))
            i += 1
    return re.compile("".join(out))


def _normalize_dots(posix_path: str) -> str:
    parts: list[str] = []
    for part in posix_path.split("/"):
        if part == "..":
            if parts and parts[-1] not in ("", "**"):
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _parse(path: Path) -> etree._Element:
    try:
        return etree.parse(str(path), _XML_PARSER).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise ProjectFileError(f"{path}: not a readable MSBuild file: {exc}") from None


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _unconditioned(element: etree._Element) -> bool:
    return element.get("Condition") is None


def _directory_build_props(folder: Path, solution_root: Path) -> Path | None:
    root = Path(os.path.normpath(solution_root.absolute()))
    current = folder
    while True:
        candidate = current / "Directory.Build.props"
        if candidate.is_file():
            return candidate
        if current == root or root not in current.parents:
            return None
        current = current.parent


def _evaluate_properties(path: Path, roots: list[etree._Element]) -> dict[str, str]:
    props = {
        "MSBuildProjectName": path.stem,
        "MSBuildProjectFile": path.name,
        "MSBuildProjectDirectory": str(path.parent),
        "Configuration": "Debug",
        "EnableDefaultItems": "true",
        "EnableDefaultCompileItems": "true",
        "DefaultItemExcludes": ";".join(SDK_DEFAULT_EXCLUDES),
    }
    for root in roots:
        for group in root:
            if _local(group) != "PropertyGroup" or not _unconditioned(group):
                continue
            for prop in group:
                if isinstance(prop.tag, str) and _unconditioned(prop):
                    props[_local(prop)] = _expand(prop.text or "", props)
    # Microsoft.Common.targets / Sdk.targets defaults, applied after the project body.
    props.setdefault("AssemblyName", props["MSBuildProjectName"])
    props["AssemblyName"] = props["AssemblyName"] or props["MSBuildProjectName"]
    props.setdefault("RootNamespace", props["AssemblyName"])
    constants = ["TRACE", props["Configuration"].upper()]
    props["DefineConstants"] = ";".join(c for c in props.get("DefineConstants", "").split(";") + constants if c)
    return props


def _expand(text: str, props: dict[str, str]) -> str:
    return _PROPERTY_REF.sub(lambda m: props.get(m.group(1), ""), text).strip()


def _items(root: etree._Element) -> list[etree._Element]:
    return [item for group in root
            if _local(group) == "ItemGroup" and _unconditioned(group)
            for item in group if isinstance(item.tag, str) and _unconditioned(item)]


def _metadata(item: etree._Element, name: str) -> str | None:
    if item.get(name) is not None:
        return item.get(name)
    for child in item:
        if _local(child) == name:
            return (child.text or "").strip()
    return None


def _specs(value: str | None, props: dict[str, str]) -> list[str]:
    return [s.strip() for s in _expand(value or "", props).split(";") if s.strip()]


def _collect_references(project: DotnetProject, items: list[tuple[Path, etree._Element]]) -> None:
    for base, item in items:
        kind = _local(item)
        if kind == "ProjectReference":
            for spec in _specs(item.get("Include"), project.properties):
                target = _resolve(base, spec)
                output = (_metadata(item, "ReferenceOutputAssembly") or "true").strip().lower() != "false"
                project.project_references.append(ProjectReference(target, spec, output))
        elif kind == "PackageReference":
            private = (_metadata(item, "PrivateAssets") or "").strip().lower() == "all"
            for name in _specs(item.get("Include"), project.properties):
                project.package_references.append(PackageReference(name, private))


def _collect_sources(project: DotnetProject, compile_items: list[tuple[Path, etree._Element]]) -> None:
    folder = project.folder
    sources: list[Path] = []
    use_defaults = project.flag("EnableDefaultItems", True) and project.flag("EnableDefaultCompileItems", True)
    if use_defaults:
        excludes = _specs(project.properties.get("DefaultItemExcludes"), project.properties) + [SDK_HIDDEN_EXCLUDE]
        sources = _glob(folder, "**/*.cs", excludes)
    defaults = set(sources)
    for base, item in compile_items:
        if item.get("Include") is not None:
            excludes = _specs(item.get("Exclude"), project.properties)
            for spec in _specs(item.get("Include"), project.properties):
                for found in _glob(base, spec, excludes):
                    if found in defaults:
                        project.problems.append((
                            "NETSDK1022", f"Duplicate 'Compile' items were included: {found} (the SDK includes it "
                            "by default; remove the Include or set EnableDefaultCompileItems=false)"))
                    if found not in sources:
                        sources.append(found)
        if item.get("Remove") is not None:
            removed = [msbuild_glob_regex(spec, base) for spec in _specs(item.get("Remove"), project.properties)]
            sources = [s for s in sources if not any(r.fullmatch(s.as_posix()) for r in removed)]
    project.sources = sources


def _resolve(base: Path, spec: str) -> Path:
    posix = spec.replace("\\", "/")
    return Path(_normalize_dots(posix if posix.startswith("/") else f"{base.as_posix()}/{posix}"))


def _glob(base: Path, spec: str, excludes: list[str]) -> list[Path]:
    """Files matching one MSBuild Include spec; a spec without wildcards is taken literally, existing or not."""
    posix = spec.replace("\\", "/")
    exclude_res = [msbuild_glob_regex(e, base) for e in excludes]
    if not any(ch in posix for ch in "*?"):
        literal = _resolve(base, posix)
        return [] if any(r.fullmatch(literal.as_posix()) for r in exclude_res) else [literal]
    pattern = msbuild_glob_regex(posix, base)
    fixed = _resolve(base, posix).as_posix()
    start = Path(fixed.split("*")[0].split("?")[0].rsplit("/", 1)[0] or "/")
    found = []
    for dirpath, dirnames, filenames in os.walk(start):
        dirnames.sort()
        for name in sorted(filenames):
            full = f"{Path(dirpath).as_posix()}/{name}"
            if pattern.fullmatch(full) and not any(r.fullmatch(full) for r in exclude_res):
                found.append(Path(full))
    return found


def _csharp_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _sdk_assembly_attributes(project: DotnetProject, items: list[etree._Element]) -> list[str]:
    """The `[assembly: ...]` lines of obj/<Name>.AssemblyInfo.cs, which the SDK compiles into every project."""
    if not project.flag("GenerateAssemblyInfo", True):
        return []
    props = project.properties
    version = props.get("Version") or "1.0.0"
    numeric = re.match(r"\d+(?:\.\d+){0,3}", version)
    four_part = ".".join(((numeric.group(0) if numeric else "1.0.0").split(".") + ["0"] * 4)[:4])
    generated = [
        ("Company", "System.Reflection.AssemblyCompanyAttribute", props.get("Company") or props["AssemblyName"]),
        ("Configuration", "System.Reflection.AssemblyConfigurationAttribute", props["Configuration"]),
        ("FileVersion", "System.Reflection.AssemblyFileVersionAttribute", props.get("FileVersion") or four_part),
        ("InformationalVersion", "System.Reflection.AssemblyInformationalVersionAttribute",
         props.get("InformationalVersion") or version),
        ("Product", "System.Reflection.AssemblyProductAttribute", props.get("Product") or props["AssemblyName"]),
        ("Title", "System.Reflection.AssemblyTitleAttribute", props.get("AssemblyTitle") or props["AssemblyName"]),
        ("Version", "System.Reflection.AssemblyVersionAttribute", props.get("AssemblyVersion") or four_part),
    ]
    lines = [f"[assembly: {type_name}({_csharp_string(value)})]"
             for switch, type_name, value in generated if project.flag(f"GenerateAssembly{switch}Attribute", True)]
    for item in items:
        kind = _local(item)
        if kind == "InternalsVisibleTo" and project.flag("GenerateInternalsVisibleToAttributes", True):
            for friend in _specs(item.get("Include"), props):
                key = _metadata(item, "Key")
                name = f"{friend}, PublicKey={key}" if key else friend
                lines.append(f"[assembly: System.Runtime.CompilerServices.InternalsVisibleTo({_csharp_string(name)})]")
        elif kind == "AssemblyAttribute":
            lines.extend(f"[assembly: {type_name}({_attribute_arguments(item, props)})]"
                         for type_name in _specs(item.get("Include"), props))
    return lines


def _attribute_arguments(item: etree._Element, props: dict[str, str]) -> str:
    args, index = [], 1
    while (value := _metadata(item, f"_Parameter{index}")) is not None:
        literal = (_metadata(item, f"_Parameter{index}_IsLiteral") or "").lower() == "true"
        value = _expand(value, props)
        args.append(value if literal else _csharp_string(value))
        index += 1
    return ", ".join(args)
