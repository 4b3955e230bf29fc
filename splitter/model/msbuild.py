"""MSBuild project files (csproj/fsproj/vbproj, Directory.Build.props) and solutions (.sln, .slnx), read with lxml.

XML is parsed with DTDs, entity resolution and network access switched off: a project file never makes us read
another file or a URL. Elements keep `sourceline`, so errors and edits can point at a line.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from lxml import etree

from splitter.errors import SplitterError
from splitter.model.textfile import TextFile, read_text

PROJECT_SUFFIXES = (".csproj", ".fsproj", ".vbproj")


def xml_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_blank_text=False, remove_comments=False, strip_cdata=False)


def parse_xml(source: TextFile) -> etree._Element:
    if re.search(r"<!DOCTYPE|<!ENTITY", source.text[:4096] if len(source.text) > 4096 else source.text):
        _refuse_dtd(source)
    data = source.text.encode("utf-8")
    # The XML declaration may name an encoding the decoded text no longer has; parse the text as UTF-8.
    data = re.sub(rb"^(\s*<\?xml[^>]*?)\sencoding=[\"'][^\"']*[\"']", rb"\1", data, count=1)
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise SplitterError(f"not valid XML: {exc.msg}", source.path, line, hint="fix the project file") from None
    # The quick check above reads only the start; a DTD after a long comment is caught here (never resolved).
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        _refuse_dtd(source)
    return root


class DtdRefused(SplitterError):
    """A file that declares a DTD or entities. Refused wherever it is read: a Directory.Build.props that is
    otherwise broken is left for MSBuild to report, but one with a DTD is never half-read."""


def _refuse_dtd(source: TextFile):
    raise DtdRefused("the file declares a DTD or entities, which MSBuild does not allow", source.path,
                     hint="remove the <!DOCTYPE>/<!ENTITY> declarations")


def local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


@dataclass
class PackageReference:
    include: str
    version: str | None
    private_assets: str | None
    include_assets: str | None
    element: etree._Element


@dataclass
class ProjectReference:
    include: str                  # as written, with the author's separators
    path: Path                    # resolved
    element: etree._Element


@dataclass(eq=False)
class Project:
    path: Path
    source: TextFile
    root: etree._Element
    properties: dict[str, str] = field(default_factory=dict)     # unconditional properties, first definition
    own_properties: dict[str, str] = field(default_factory=dict) # the same, from this file only (no imports)
    project_references: list[ProjectReference] = field(default_factory=list)
    package_references: list[PackageReference] = field(default_factory=list)
    internals_visible_to: list[str] = field(default_factory=list)
    compile_removes: list[str] = field(default_factory=list)
    compile_includes: list[tuple[str, etree._Element]] = field(default_factory=list)   # as written, with the item

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def assembly_name(self) -> str:
        value = self.properties.get("AssemblyName")
        return value if value and "$(" not in value else self.name

    @property
    def root_namespace(self) -> str:
        value = self.properties.get("RootNamespace")
        return value if value and "$(" not in value else self.assembly_name

    def expand_names(self, value: str) -> str:
        """`value` with the properties that name this project ($(AssemblyName), $(MSBuildProjectName), ...) replaced
        by their values here: an item copied into another project as written would name that project instead."""
        names = {"msbuildprojectname": self.name, "projectname": self.name}
        names["assemblyname"] = names["targetname"] = _expand(self.properties.get("AssemblyName") or self.name, names)
        names["rootnamespace"] = _expand(self.properties.get("RootNamespace") or names["assemblyname"], names)
        return _expand(value, names)

    @property
    def default_compile_items(self) -> bool:
        """Whether the SDK globs the project's .cs files; otherwise it compiles what `<Compile Include>` lists."""
        return all(self.properties.get(name, "true").strip().lower() != "false"
                   for name in ("EnableDefaultItems", "EnableDefaultCompileItems"))

    @property
    def sdk_style(self) -> bool:
        return self.root.get("Sdk") is not None or any(local(e.tag) == "Sdk" for e in self.root)

    @property
    def target_frameworks(self) -> list[str]:
        value = self.properties.get("TargetFrameworks") or self.properties.get("TargetFramework") or ""
        return [v.strip() for v in value.split(";") if v.strip()]

    @property
    def runtime_identifier(self) -> str | None:
        return self.properties.get("RuntimeIdentifier")

    @property
    def output_type(self) -> str:
        return (self.properties.get("OutputType") or "Library").strip()

    def has_package(self, name: str) -> bool:
        return any(p.include.lower() == name.lower() for p in self.package_references)


def _expand(value: str, names: dict[str, str]) -> str:
    """MSBuild `$(Name)` references (names are case-insensitive) replaced from `names`; others kept as written."""
    return re.sub(r"\$\(\s*([A-Za-z_][\w-]*)\s*\)", lambda m: names.get(m.group(1).lower(), m.group(0)), value)


def msbuild_path(base: Path, include: str) -> Path:
    """Resolve an MSBuild path as written (backslashes on any OS) relative to a folder."""
    parts = PureWindowsPath(include).parts if "\\" in include else Path(include).parts
    return Path(base, *parts)


def load_project(path: Path, inherited: dict[str, str] | None = None, source: TextFile | None = None) -> Project:
    """The project at path; from `source` (text already read, or planned) when given, else from the file."""
    source = source or read_text(path)
    root = parse_xml(source)
    if local(root.tag) != "Project":
        raise SplitterError("not an MSBuild project (the root element is not <Project>)", path)
    project = Project(path=path, source=source, root=root, properties=dict(inherited or {}))
    own: dict[str, str] = {}
    for group in root:
        name = local(group.tag)
        if name == "PropertyGroup" and group.get("Condition") is None:
            for prop in group:
                key = local(prop.tag)
                if key and prop.get("Condition") is None and key not in own:
                    own[key] = (prop.text or "").strip()
        elif name == "ItemGroup":
            _read_items(project, group)
    project.properties.update(own)
    project.own_properties = own
    return project


def _read_items(project: Project, group: etree._Element) -> None:
    for item in group:
        kind = local(item.tag)
        include = item.get("Include")
        if kind == "ProjectReference" and include:
            project.project_references.append(
                ProjectReference(include, msbuild_path(project.folder, include), item))
        elif kind == "PackageReference" and include:
            project.package_references.append(PackageReference(
                include=include, version=item.get("Version") or _child_text(item, "Version"),
                private_assets=item.get("PrivateAssets") or _child_text(item, "PrivateAssets"),
                include_assets=item.get("IncludeAssets") or _child_text(item, "IncludeAssets"),
                element=item))
        elif kind == "InternalsVisibleTo" and include:
            project.internals_visible_to.append(include)
        elif kind == "Compile" and item.get("Remove"):
            project.compile_removes.append(item.get("Remove"))
        elif kind == "Compile" and include:
            project.compile_includes.append((include, item))


def _child_text(item: etree._Element, name: str) -> str | None:
    for child in item:
        if local(child.tag) == name:
            return (child.text or "").strip()
    return None


def directory_build_props(folder: Path, stop: Path) -> list[Path]:
    """Directory.Build.props files MSBuild imports for a project in `folder`, nearest first, within `stop`."""
    found = []
    current = folder
    while True:
        candidate = current / "Directory.Build.props"
        if candidate.is_file():
            found.append(candidate)
        if current == stop or current.parent == current or stop not in current.parents:
            break
        current = current.parent
    return found


def project_files_in(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in PROJECT_SUFFIXES and p.is_file())
    except OSError:
        return []


# -- solutions -------------------------------------------------------------------------------------------------------

_SLN_PROJECT = re.compile(r'^Project\("\{(?P<type>[0-9A-Fa-f-]+)\}"\)\s*=\s*"(?P<name>[^"]*)",\s*"(?P<path>[^"]*)",'
                          r'\s*"\{(?P<guid>[0-9A-Fa-f-]+)\}"', re.MULTILINE)


@dataclass
class SolutionProject:
    name: str
    include: str
    path: Path
    guid: str
    type_guid: str


@dataclass(eq=False)
class Solution:
    path: Path
    source: TextFile
    projects: list[SolutionProject]

    @property
    def is_slnx(self) -> bool:
        return self.path.suffix.lower() == ".slnx"

    def includes(self, project_path: Path) -> bool:
        target = project_path.resolve()
        return any(p.path.resolve() == target for p in self.projects)


def load_solution(path: Path, source: TextFile | None = None) -> Solution:
    source = source or read_text(path)
    projects: list[SolutionProject] = []
    if path.suffix.lower() == ".slnx":
        root = parse_xml(source)
        for element in root.iter():
            if local(element.tag) == "Project" and element.get("Path"):
                include = element.get("Path")
                projects.append(SolutionProject(Path(include).stem, include, msbuild_path(path.parent, include),
                                                "", ""))
        return Solution(path, source, projects)
    if "Microsoft Visual Studio Solution File" not in source.text[:400]:
        raise SplitterError("not a Visual Studio solution file", path)
    for match in _SLN_PROJECT.finditer(source.text):
        include = match.group("path")
        if "\x00" in include:
            raise SplitterError("a project path holds a NUL character", path, source.line_of(match.start()),
                                hint="fix or remove that Project line")
        projects.append(SolutionProject(match.group("name"), include, msbuild_path(path.parent, include),
                                        match.group("guid").upper(), match.group("type").upper()))
    return Solution(path, source, projects)


def project_guid(solution_file: str, key: str) -> str:
    """A solution entry's GUID, derived from the solution's file name and the entry's name or path: the same names
    give the same GUIDs on every run (a second migrate or `new` changes nothing), distinct names distinct ones."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"lambda-split:{solution_file}:{key}")).upper()
