"""A built Lambda package on disk (a zip read in place, a publish folder, or one binary) and what its files are
built for; which files a function of a given architecture would load.

A portable publish keeps `runtimes/<rid>/...` for every platform and the host picks the one for its RID; a
RID-specific publish flattens its own RID's assets to the root and the host loads only what its deps.json lists.
Either way a file under `runtimes/<rid>/` is loaded on Lambda only when `<rid>` is in the function's RID fallback
chain (`linux-<cpu>`, `linux`, `unix-<cpu>`, `unix`, `any`), so files under other RIDs (`win-x64`, `osx-arm64`,
`linux-musl-x64`, the other Lambda CPU) are not read at all; everything else is judged, and so is a deps.json at
the package root (the only one the host reads).
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from splitter.model.architecture import RID_CPU as LAMBDA_CPU
from splitter.verify.binaries import Binary, CorruptBinary, Skipped, identify, named_like_binary
from splitter.errors import SplitterError

ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError)


@dataclass(frozen=True)
class PackageFile:
    path: str                          # inside the package, '/'-separated
    size: int
    open: Callable[[], BinaryIO]
    encrypted: bool = False


@dataclass
class Inspection:
    """What a package holds, for the architectures it was inspected for."""

    location: Path
    format: str                        # zip | folder | file
    binaries: list[Binary] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    not_loaded: int = 0                # under runtimes/<rid>/ of a platform no inspected architecture loads

    def display(self, member: str, location: str | None = None) -> str:
        """`pkg.zip/lib/a.dll` for a zip member (as Python's zipimport writes it), a plain path otherwise."""
        where = location if location is not None else str(self.location)
        return where if self.format == "file" else f"{where.rstrip('/')}/{member}"


def rid_fallback(architecture: str) -> set[str]:
    cpu = LAMBDA_CPU[architecture]
    return {f"linux-{cpu}", "linux", f"unix-{cpu}", "unix", "any"}


def loaded_on(path: str, architecture: str) -> bool:
    """Whether a function of this architecture would load the package file at `path`."""
    parts = path.split("/")
    if parts[-1].lower().endswith(".deps.json"):
        return len(parts) == 1
    if len(parts) >= 3 and parts[0].lower() == "runtimes":
        return parts[1].lower() in rid_fallback(architecture)
    return True


def inspect_package(location: Path, architectures: list[str]) -> Inspection:
    """Read every file the given architectures could load and say what each is built for. Raises SplitterError for
    an unreadable package or a file that claims to be PE, ELF or deps.json and is not."""
    with package_files(location) as (package_format, files):
        inspection = Inspection(location, package_format)
        _refuse_nested_root(inspection, [file.path for file in files])
        for file in files:
            if not named_like_binary(file.path):
                continue
            if not any(loaded_on(file.path, arch) for arch in architectures):
                inspection.not_loaded += 1
                continue
            result = _identify(inspection, file)
            if isinstance(result, Binary):
                inspection.binaries.append(result)
            elif isinstance(result, Skipped):
                inspection.skipped.append(result)
    return inspection


def _refuse_nested_root(inspection: Inspection, paths: list[str]) -> None:
    """The host reads the app's deps.json and runtimeconfig.json at the package root only: a zip of the publish
    folder itself (`publish/App.deps.json`) starts no function, whatever its files are built for."""
    markers = (".deps.json", ".runtimeconfig.json")
    if inspection.format == "file" or any("/" not in p and p.lower().endswith(markers) for p in paths):
        return
    nested = sorted(p for p in paths if p.count("/") == 1 and p.lower().endswith(markers))
    if nested:
        folder = nested[0].split("/")[0]
        raise SplitterError(f"the app's files are in {folder}/, not at the package root, where Lambda looks for "
                            f"{nested[0].split('/')[1]}", inspection.display(nested[0]),
                            hint=f"package the contents of {folder}/ (cd {folder} && zip -r ../package.zip .), "
                                 "not the folder")


def _identify(inspection: Inspection, file: PackageFile) -> Binary | Skipped | None:
    where = inspection.display(file.path)
    if file.encrypted:
        raise SplitterError("this zip member is encrypted", where, hint="Lambda cannot read it either: rebuild the zip")
    try:
        with file.open() as stream:
            return identify(file.path, stream, file.size)
    except CorruptBinary as error:
        raise SplitterError(str(error), where, hint="the file is truncated or corrupt: rebuild the package") from None
    except ZIP_ERRORS as error:
        raise SplitterError(f"cannot read this zip member: {error}", where,
                            hint="the zip is corrupt or uses a compression Lambda does not read; rebuild it") from None
    except OSError as error:
        raise SplitterError(f"cannot read: {error.strerror or error}", where) from None


@contextmanager
def package_files(location: Path) -> Iterator[tuple[str, list[PackageFile]]]:
    """The files of a package, as (format, files), valid inside the `with` block."""
    if not location.exists():
        raise SplitterError("no such file or folder", location,
                            hint="give a Lambda zip, a publish folder, or drop --arch to find packages from PATH")
    if location.is_dir():
        yield "folder", list(_folder_files(location))
        return
    if zipfile.is_zipfile(location):
        try:
            archive = zipfile.ZipFile(location)
        except ZIP_ERRORS as error:
            raise SplitterError(f"not a readable zip: {error}", location, hint="rebuild the package") from None
        with archive:
            yield "zip", [_zip_file(archive, info) for info in archive.infolist() if not info.is_dir()]
        return
    if location.suffix.lower() == ".zip":
        raise SplitterError("not a readable zip (no central directory: truncated or not a zip)", location,
                            hint="rebuild the package")
    if named_like_binary(location.name):
        yield "file", [PackageFile(location.name, location.stat().st_size, lambda: location.open("rb"))]
        return
    raise SplitterError("not a Lambda package: expected a .zip, a publish folder or a binary", location,
                        hint="give the zip `dotnet lambda package` wrote, or its publish folder")


def _zip_file(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> PackageFile:
    # Zips written on Windows by older tools use backslashes; Lambda's unzip treats them as separators.
    return PackageFile(info.filename.replace("\\", "/").lstrip("/"), info.file_size, lambda: archive.open(info),
                       encrypted=bool(info.flag_bits & 0x1))


def _folder_files(root: Path) -> Iterator[PackageFile]:
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder, name)
            if path.is_file():
                relative = path.relative_to(root).as_posix()
                yield PackageFile(relative, path.stat().st_size, lambda p=path: p.open("rb"))
