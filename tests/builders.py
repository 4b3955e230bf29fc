"""Builders of test inputs shared across test folders: MSBuild project files, and .NET Lambda packages made of the
real binaries in tests/data/verify (from the dotnetcore2 wheel), patched to arm64 where a test needs it.

Fixture trees (fixtures/) are data, not built here."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pefile

from support import DATA

# -- project files ---------------------------------------------------------------------------------------------------

NET8 = {"TargetFramework": "net8.0"}
LAMBDA = {**NET8, "AWSProjectType": "Lambda", "PublishReadyToRun": "true"}     # a function project, ReadyToRun
LAMBDA_PACKAGES = {"Amazon.Lambda.Core": "2.5.0", "Amazon.Lambda.Serialization.SystemTextJson": "2.4.4"}


def csproj(properties: dict[str, str], packages: dict[str, str] | None = None, references: tuple[str, ...] = (),
           *, extra_properties: str = "", extra_items: str = "", sdk: str = "Microsoft.NET.Sdk") -> str:
    """An SDK-style project file laid out as `dotnet new` writes one (two-space indents, LF):

        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>            properties, in order
          <ItemGroup>                PackageReference Include=name Version=version, if any
          <ItemGroup>                ProjectReference Include=path, if any
        </Project>

    `extra_properties` is written right after the last property's closing tag (e.g. "\n    <X>y</X>", or a
    `{placeholder}` for str.format); `extra_items` (whole lines) right before `</Project>`."""
    lines = [f'<Project Sdk="{sdk}">', "  <PropertyGroup>"]
    lines += [f"    <{name}>{value}</{name}>" for name, value in properties.items()]
    lines[-1] += extra_properties
    lines.append("  </PropertyGroup>")
    if packages:
        lines += ["  <ItemGroup>", *(f'    <PackageReference Include="{name}" Version="{version}" />'
                                    for name, version in packages.items()), "  </ItemGroup>"]
    if references:
        lines += ["  <ItemGroup>", *(f'    <ProjectReference Include="{path}" />' for path in references),
                  "  </ItemGroup>"]
    return "\n".join(lines) + "\n" + extra_items + "</Project>\n"

# -- packages --------------------------------------------------------------------------------------------------------

VERIFY_DATA = DATA / "verify"
R2R_X64 = VERIFY_DATA / "System.Runtime.InteropServices.RuntimeInformation.dll"
R2R_FACADE_X64 = VERIFY_DATA / "System.Threading.Timer.dll"
IL_ONLY = VERIFY_DATA / "mscorlib.dll"
NATIVE_X64 = VERIFY_DATA / "System.Net.Http.Native.so"

LINUX_X64, LINUX_ARM64, WIN_X64, OSX_ARM64 = 0xFD1D, 0xD11D, 0x8664, 0xAA64 ^ 0x4644
EM_X86_64, EM_AARCH64, EM_386, EM_ARM = 62, 183, 3, 40


def with_pe_machine(data: bytes, machine: int) -> bytes:
    pe = pefile.PE(data=data, fast_load=True)
    pe.FILE_HEADER.Machine = machine
    return bytes(pe.write())


def with_elf_machine(data: bytes, machine: int) -> bytes:
    patched = bytearray(data)
    struct.pack_into("<H", patched, 18, machine)       # e_machine: offset 18 in both ELF classes
    return bytes(patched)


def deps_json(rid: str | None, version: str = "v8.0") -> bytes:
    name = f".NETCoreApp,Version={version}" + (f"/{rid}" if rid else "")
    return json.dumps({"runtimeTarget": {"name": name, "signature": ""}, "targets": {name: {}}}).encode()


def linux_package(cpu: str) -> dict[str, bytes]:
    """What a ReadyToRun publish for linux-<cpu> holds: R2R assemblies, an IL-only one, a native lib, its deps.json."""
    r2r, facade, native = R2R_X64.read_bytes(), R2R_FACADE_X64.read_bytes(), NATIVE_X64.read_bytes()
    if cpu == "arm64":
        r2r, facade = with_pe_machine(r2r, LINUX_ARM64), with_pe_machine(facade, LINUX_ARM64)
        native = with_elf_machine(native, EM_AARCH64)
    return {"Function.dll": r2r, "System.Threading.Timer.dll": facade, "mscorlib.dll": IL_ONLY.read_bytes(),
            "libSystem.Net.Http.Native.so": native, "Function.deps.json": deps_json(f"linux-{cpu}"),
            "Function.runtimeconfig.json": b"{}", "Function.pdb": b"not checked"}


def write_zip(path: Path, files: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path
