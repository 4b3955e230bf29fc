"""Lambda functions declared by CDK apps and Serverless Framework services, in the shape `analysis` groups into build
units: each value `migrate` may change (asset path, handler, bundling command) is traced to the source pieces it is
built from, so an edit splices only the characters that change.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Callable


from splitter.model.architecture import rid_cpu
from splitter.model.msbuild import project_files_in
from splitter.model.template import Function
from splitter.model.textfile import TextFile

ARCHITECTURES = ("x86_64", "arm64")
ARCHIVE_SUFFIXES = (".zip", ".jar")


@dataclass(frozen=True)
class Piece:
    """Part of a string value: the characters it contributes and the source span they come from."""
    text: str
    start: int                              # -1: a separator a join call adds, written nowhere
    end: int
    own: bool                               # written in the function's own declaration, used by no other function
    escape: Callable[[str], str] | None = None   # value -> the literal's source text; None: not a literal

    @property
    def literal(self) -> bool:
        return self.start >= 0 and self.escape is not None


@dataclass
class TracedString:
    """A string expression: its value (None when it cannot be followed, with the reason) and its pieces."""
    value: str | None
    pieces: list[Piece]
    start: int                              # the whole expression
    end: int
    own: bool
    line: int
    problem: str | None = None
    write: Callable[[str], str] | None = None     # how a literal replacing the whole expression is written

    @classmethod
    def unknown(cls, problem: str, start: int, end: int, own: bool, line: int) -> "TracedString":
        return cls(None, [], start, end, own, line, problem)


class Scope:
    """The source spans that belong to one function's declaration: its call, and values no other code uses."""

    def __init__(self, start: int, end: int):
        self.spans = [(start, end)]

    def add(self, start: int, end: int) -> None:
        self.spans.append((start, end))

    def owns(self, start: int, end: int) -> bool:
        return any(low <= start and end <= high for low, high in self.spans)


def concat(parts: list[TracedString], start: int, end: int, own: bool, line: int) -> TracedString:
    for part in parts:
        if part.value is None:
            return TracedString.unknown(part.problem or "", start, end, own, line)
    return TracedString("".join(p.value for p in parts), [piece for p in parts for piece in p.pieces], start, end,
                        own, line)


def joined(parts: list[TracedString], separator: str, start: int, end: int, own: bool, line: int) -> TracedString:
    """`os.path.join` / `Path.Combine` of the parts, with `separator` between them (a piece written nowhere)."""
    pieces: list[TracedString] = []
    for index, part in enumerate(parts):
        if index:
            pieces.append(TracedString(separator, [Piece(separator, -1, -1, False)], -1, -1, False, line))
        pieces.append(part)
    return concat(pieces, start, end, own, line)


_RID = re.compile(r"(?:(?<=\s)|^)(?:-r|--runtime)(?:\s+|=|:)(?P<rid>linux-(?:musl-)?(?:x64|arm64))\b"
                  r"|RuntimeIdentifier=(?P<prop>linux-(?:musl-)?(?:x64|arm64))\b"
                  r"|--function-architecture(?:\s+|=)(?P<farch>x86_64|arm64)\b"
                  r"|(?:(?<=\s)|^)(?:-a|--arch)(?:\s+|=)(?P<arch>x64|arm64)\b")


@dataclass
class Bundling:
    """A bundling command (CDK `BundlingOptions.command`): the build the asset runs, once per distinct command."""
    command: list[TracedString] | None      # None: the command cannot be followed
    start: int
    end: int
    line: int
    own: bool                               # written in the function's own declaration
    key: str                                # equal keys: one build
    name: str | None = None                 # the variable holding it, when shared through one

    @property
    def text(self) -> str | None:
        if self.command is None or any(t.value is None for t in self.command):
            return None
        return " ".join(t.value for t in self.command)

    @property
    def architectures(self) -> set[str]:
        """The architectures the command fixes (`-r linux-x64`, `--function-architecture arm64`, `--arch x64`)."""
        text = self.text or ""
        return {_match_architecture(m) for m in _RID.finditer(text)}

    @property
    def subfolder(self) -> str | None:
        """The folder of the asset the command builds in, when its script starts with `cd DIR &&` (the shape
        `migrate` writes so that a function project and the library it references share one asset)."""
        if self.command is None or len(self.command) < 3 or self.command[-2].value != "-c":
            return None
        match = re.match(r"\s*cd\s+([^\s;&|]+)\s*&&", self.command[-1].value or "")
        return match.group(1) if match else None

    @property
    def packages_with_lambda_tools(self) -> bool:
        return bool(re.search(r"\bdotnet(?:\s+|-)lambda\s+package\b", self.text or ""))

    def retargeted(self, architecture: str) -> list[tuple[TracedString, str]]:
        """(token, its new value) for each command token that fixes the other architecture."""
        if self.command is None:
            return []
        offsets, position = [], 0
        for token in self.command:
            offsets.append(position)
            position += len(token.value or "") + 1
        changes: dict[int, str] = {}
        for match in _RID.finditer(self.text or ""):
            group = next(g for g in ("rid", "prop", "farch", "arch") if match.group(g))
            if _match_architecture(match) == architecture:
                continue
            at = match.start(group)
            index = max(i for i, o in enumerate(offsets) if o <= at)
            token = changes.get(index, self.command[index].value)
            local = at - offsets[index]
            old = match.group(group)
            changes[index] = token[:local] + _flip(old, architecture) + token[local + len(old):]
        return [(self.command[i], value) for i, value in sorted(changes.items())]


def _match_architecture(match: re.Match) -> str:
    value = next(match.group(g) for g in ("rid", "prop", "farch", "arch") if match.group(g))
    return "arm64" if value.endswith("arm64") else "x86_64"


def _flip(value: str, architecture: str) -> str:
    if value in ARCHITECTURES:
        return architecture
    if value in ("x64", "arm64"):
        return rid_cpu(architecture)
    return re.sub(r"(x64|arm64)$", rid_cpu(architecture), value)


DEPLOY_INSTRUCTIONS = {
    "cdk-python": "Publish each function project into the asset folder the CDK app names (or let its bundling "
                  "build it), then deploy with `cdk deploy` as before.",
    "serverless": "Package each function project into the artifact serverless.yml names (`dotnet lambda package "
                  "-o ...` in its folder), then deploy with `serverless deploy` as before.",
}
DEPLOY_INSTRUCTIONS["cdk-csharp"] = DEPLOY_INSTRUCTIONS["cdk-python"]


# -- functions and documents -------------------------------------------------------------------------------------------

@dataclass(eq=False)
class AppFunction(Function):
    """A function of a CDK app or serverless.yml. `code_uri` is its asset path (or artifact) as the app resolves it."""
    source_kind: str = "cdk-python"         # "cdk-python", "cdk-csharp" or "serverless"
    asset: TracedString | None = None
    asset_kind: str = "asset"               # "asset" (Code.from_asset), "project-dir" (DotNetFunction: built per
                                            # function), "artifact" (own package.artifact), "service-artifact"
    handler_value: TracedString | None = None
    bundling: Bundling | None = None
    declaration: object = None              # serverless: the function's mapping Node
    document: object = None                 # the AppDocument declaring it

    @property
    def deploy_instruction(self) -> str:
        return DEPLOY_INSTRUCTIONS[self.source_kind]


@dataclass
class Undecided:
    """A function lambda-split cannot follow: it says which and why, and leaves it alone."""
    function: str
    path: Path
    line: int
    reason: str
    asset: str | None = None                # the asset path, when that much could be followed

    def __str__(self) -> str:
        return f"cannot decide function {self.function}: {self.reason}; lambda-split leaves it alone"


@dataclass(eq=False)
class AppDocument:
    """One file of an app (a CDK stack source, a serverless.yml) and the functions it declares."""
    path: Path
    source: TextFile
    base: Path                              # the folder relative asset paths resolve against
    source_kind: str
    literal: Callable[[str], str]           # a string literal in the file's language
    functions: list[AppFunction] = field(default_factory=list)
    undecided: list[Undecided] = field(default_factory=list)
    app: Path | None = None                 # cdk.json or serverless.yml
    parameters: dict = field(default_factory=dict)
    globals_function = None                 # the template attributes the SAM-side analysis reads
    annotations_managed = False

    @property
    def folder(self) -> Path:
        return self.base

    def add(self, function: AppFunction) -> None:
        function.document = self
        self.functions.append(function)




# -- paths -------------------------------------------------------------------------------------------------------------

def resolve(base: Path, written: str) -> Path:
    parts = PureWindowsPath(written).parts if "\\" in written else Path(written).parts
    return Path(os.path.normpath(Path(base, *parts))) if parts else Path(os.path.normpath(base))


def project_folder_of(base: Path, written: str) -> tuple[Path | None, list[Path]]:
    """The folder holding the project an asset path belongs to: the path itself or the nearest folder above it that
    holds project files, looking no higher than `base`. Returns (folder, its project files) or (None, [])."""
    path = resolve(base, written)
    folder = path.parent if path.suffix.lower() in ARCHIVE_SUFFIXES or path.is_file() else path
    base = Path(os.path.normpath(base))
    start = folder
    while True:
        found = project_files_in(folder) if folder.is_dir() else []
        if found:
            if folder != start and not _in_build_output(folder, path):
                return None, []     # a zip or folder of prebuilt files beside a project is no build of it
            return folder, found
        if folder == base or folder in base.parents or folder.parent == folder:
            return None, []
        folder = folder.parent


BUILD_OUTPUT = {"bin", "obj", "publish", "artifacts"}


def _in_build_output(project_folder: Path, asset: Path) -> bool:
    """Whether an asset below a project folder lies in that project's build output (`bin/Release/net8.0/publish`,
    a zip `dotnet lambda package` writes under bin/), as opposed to a prebuilt file kept beside the project."""
    try:
        parts = asset.relative_to(project_folder).parts
    except ValueError:
        return False
    return any(part.lower() in BUILD_OUTPUT for part in parts[:-1] or parts)


def moved_path(written: str, base: Path, old_folder: Path, new_folder: Path) -> str | None:
    """`written` with the part naming `old_folder` replaced by `new_folder`, in the same style (`./`, separators,
    absolute or relative); None when no leading part of it names `old_folder`."""
    separator = "\\" if "\\" in written and "/" not in written else "/"
    parts = re.split(r"[\\/]", written)
    target = Path(os.path.normpath(old_folder))
    for count in range(len(parts), -1, -1):                  # the longest head: "./bin" keeps its "./"
        head = separator.join(parts[:count])
        if count > 1 and parts[count - 1] == "":             # "src/App/" keeps its trailing separator
            continue
        if resolve(base, head or ".") != target or (count and not any(parts[:count])):
            continue
        if os.path.isabs(head) or PureWindowsPath(head).is_absolute():
            new_head = str(new_folder)
        else:
            new_head = os.path.relpath(new_folder, base).replace(os.sep, separator)
            if parts[0] == "." and not new_head.startswith(".."):
                new_head = "." + separator + new_head
        rest = parts[count:]
        return new_head + (separator + separator.join(rest) if rest else "")
    return None
