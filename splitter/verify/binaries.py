"""What one file of a Lambda package is built for: the PE machine and CLR header of an assembly (pefile), the ELF
machine of a native library (pyelftools), the runtime target of a deps.json. Reads headers only, from a stream."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import BinaryIO

import pefile
from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.enums import ENUM_E_MACHINE

from splitter.model.architecture import RID_CPU as LAMBDA_CPU

# Lambda architecture -> the CPU part of its .NET runtime identifier.

# The PE and ELF headers sit in the first few hundred bytes; longer PE headers and the CLR header are read on demand.
HEAD_BYTES = 4096
MAX_PE_HEADERS = 1 << 20

PE_MAGIC, ELF_MAGIC = b"MZ", b"\x7fELF"
PE_CPU = {0x014C: "x86", 0x8664: "x64", 0xAA64: "arm64", 0x01C4: "arm", 0x5064: "riscv64", 0x6264: "loongarch64"}
# A ReadyToRun image's machine is the CPU XOR an OS value (dotnet/runtime src/coreclr/inc/pedecoder.h).
READY_TO_RUN_OS = {0x0000: "win", 0x7B79: "linux", 0x4644: "osx", 0xADC4: "freebsd", 0x1993: "netbsd"}
IL_ONLY_MACHINE = 0x014C
COMIMAGE_FLAGS_ILONLY, COMIMAGE_FLAGS_32BITREQUIRED, COMIMAGE_FLAGS_32BITPREFERRED = 0x1, 0x2, 0x20000
CLR_DIRECTORY = pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR"]
# pefile locates the CLR header (the COM descriptor directory) but does not decode it: its layout, ECMA-335 II.25.3.3.
COR20_HEADER = ("IMAGE_COR20_HEADER", (
    "I,cb", "H,MajorRuntimeVersion", "H,MinorRuntimeVersion", "I,MetaDataVirtualAddress", "I,MetaDataSize",
    "I,Flags", "I,EntryPointToken", "I,ResourcesVirtualAddress", "I,ResourcesSize",
    "I,StrongNameSignatureVirtualAddress", "I,StrongNameSignatureSize", "I,CodeManagerTableVirtualAddress",
    "I,CodeManagerTableSize", "I,VTableFixupsVirtualAddress", "I,VTableFixupsSize",
    "I,ExportAddressTableJumpsVirtualAddress", "I,ExportAddressTableJumpsSize",
    "I,ManagedNativeHeaderVirtualAddress", "I,ManagedNativeHeaderSize"))
COR20_SIZE = 72

# Files the runtime may load as code: assemblies, shared objects (libfoo.so.1 too), extensionless executables,
# and the deps.json that says which RID the publish was for.
BINARY_NAME = re.compile(r"(\.(dll|exe|so(\.\d+)*)|\.deps\.json|^[^.]+)$", re.IGNORECASE)

ELF_CPU = {"EM_X86_64": "x64", "EM_AARCH64": "arm64", "EM_386": "x86", "EM_ARM": "arm", "EM_RISCV": "riscv64",
           "EM_LOONGARCH": "loongarch64", "EM_PPC64": "ppc64", "EM_S390": "s390x"}
# Only an OS ABI naming another OS makes an ELF file non-Linux; SYSV, GNU and CPU-specific values are Linux's.
ELF_OTHER_OS = {"ELFOSABI_FREEBSD": "freebsd", "ELFOSABI_NETBSD": "netbsd", "ELFOSABI_OPENBSD": "openbsd",
                "ELFOSABI_SOLARIS": "solaris", "ELFOSABI_AIX": "aix", "ELFOSABI_HPUX": "hpux"}


class CorruptBinary(Exception):
    """The file claims to be PE, ELF or a deps.json (by its first bytes or its name) and cannot be read as one."""


@dataclass(frozen=True)
class Platform:
    """Where a file runs: `os` None means any OS, `cpu` None any CPU (an IL-only assembly, a portable deps.json)."""

    os: str | None
    cpu: str | None

    def runs_on(self, architecture: str) -> bool:
        """True when a Lambda function of this architecture (x86_64 or arm64) can load the file."""
        return self.os in (None, "linux") and self.cpu in (None, LAMBDA_CPU[architecture])

    def __str__(self) -> str:
        if self.os and self.cpu:
            return f"{self.os}-{self.cpu}"
        return self.os or self.cpu or "any platform"


@dataclass(frozen=True)
class Binary:
    """A file of the package and what it is built for; `evidence` names the header field that says so."""

    path: str
    kind: str  # ReadyToRun / IL / mixed-mode assembly, ReadyToRun composite image, native library / executable,
    #            deps.json
    platform: Platform
    evidence: str


@dataclass(frozen=True)
class Skipped:
    """A file named like a binary that is none the runtime would load for its CPU, and why."""

    path: str
    reason: str


def named_like_binary(path: str) -> bool:
    """Whether a package file is worth opening: other files (resources, .pdb, .json, .xml) are never checked."""
    return bool(BINARY_NAME.search(path.rsplit("/", 1)[-1]))


def identify(path: str, stream: BinaryIO, size: int) -> Binary | Skipped | None:
    """What the package file at `path` (its bytes in `stream`, `size` long) is built for; None: not a binary at all.

    Raises CorruptBinary when the file starts like a PE or ELF image (or is a deps.json) and does not parse."""
    name = path.rsplit("/", 1)[-1]
    if name.lower().endswith(".deps.json"):
        return deps_json_target(path, stream.read())
    head = stream.read(HEAD_BYTES)
    if head.startswith(ELF_MAGIC):
        return elf_target(path, head, size)
    if "." not in name:  # an extensionless file is checked only when it is an ELF executable (bootstrap, tools)
        return None
    if head.startswith(PE_MAGIC):
        return pe_target(path, head, stream, size)
    return Skipped(path, "named like a binary but neither PE nor ELF")


def pe_target(path: str, head: bytes, stream: BinaryIO, size: int) -> Binary | Skipped:
    pe = parse_pe(head)
    headers_size = min(pe.OPTIONAL_HEADER.SizeOfHeaders, MAX_PE_HEADERS, size)
    if headers_size > len(head):  # a section table past the first block: read the rest of the headers
        head += stream.read(headers_size - len(head))
        pe = parse_pe(head)
    check_pe_complete(pe, size)
    machine = pe.FILE_HEADER.Machine
    directories = pe.OPTIONAL_HEADER.DATA_DIRECTORY
    if len(directories) <= CLR_DIRECTORY or not directories[CLR_DIRECTORY].VirtualAddress:
        platform = machine_platform(machine)
        if platform.os not in (None, "win"):  # a composite ReadyToRun image (framework-r2r.dll) has no CLR header
            return Binary(path, "ReadyToRun composite image", platform, f"PE machine 0x{machine:04X}, no CLR header")
        return Skipped(path, f"native Windows library ({platform}, no CLR header): never loaded on Linux")
    cor20 = read_cor20_header(pe, directories[CLR_DIRECTORY].VirtualAddress, head, stream)
    return assembly_target(path, machine, cor20.Flags, ready_to_run=bool(cor20.ManagedNativeHeaderVirtualAddress))


def parse_pe(head: bytes) -> pefile.PE:
    try:
        return pefile.PE(data=head, fast_load=True)
    except pefile.PEFormatError as error:
        raise CorruptBinary(f"starts with 'MZ' but is not a PE image: {error.value}") from None


def check_pe_complete(pe: pefile.PE, size: int) -> None:
    for section in pe.sections:
        end = section.PointerToRawData + section.SizeOfRawData
        if section.SizeOfRawData and end > size:
            name = section.Name.rstrip(b"\0").decode("ascii", "replace")
            raise CorruptBinary(f"truncated PE image: section {name} ends at byte {end}, the file has {size}")


def read_cor20_header(pe: pefile.PE, rva: int, head: bytes, stream: BinaryIO) -> pefile.Structure:
    try:
        offset = pe.get_offset_from_rva(rva)
    except pefile.PEFormatError as error:
        raise CorruptBinary(f"the CLR header cannot be located: {error.value}") from None
    if offset + COR20_SIZE <= len(head):
        raw = head[offset:offset + COR20_SIZE]
    else:
        stream.seek(offset)  # a zip member stream seeks forward by decompressing; nothing is kept
        raw = stream.read(COR20_SIZE)
    if len(raw) < COR20_SIZE:
        raise CorruptBinary("the CLR header lies past the end of the file")
    cor20 = pefile.Structure(COR20_HEADER)
    cor20.__unpack__(raw)
    if cor20.cb < COR20_SIZE or not cor20.MetaDataVirtualAddress:
        raise CorruptBinary(f"invalid CLR header (size {cor20.cb}, metadata at RVA {cor20.MetaDataVirtualAddress})")
    return cor20


def assembly_target(path: str, machine: int, flags: int, ready_to_run: bool) -> Binary:
    """Classify a managed assembly from its PE machine and CLR flags."""
    evidence = f"PE machine 0x{machine:04X}"
    il_only = bool(flags & COMIMAGE_FLAGS_ILONLY) and not ready_to_run
    if il_only and machine == IL_ONLY_MACHINE:
        x86_only = flags & COMIMAGE_FLAGS_32BITREQUIRED and not flags & COMIMAGE_FLAGS_32BITPREFERRED
        if x86_only:
            return Binary(path, "IL assembly", Platform(None, "x86"), evidence + ", 32-bit required")
        return Binary(path, "IL assembly", Platform(None, None), evidence + ", IL only")
    platform = machine_platform(machine)
    if il_only and platform.os == "win":  # IL with a PlatformTarget: any OS, that CPU only
        return Binary(path, "IL assembly", Platform(None, platform.cpu), evidence + ", IL only")
    kind = "ReadyToRun assembly" if ready_to_run else "IL assembly" if il_only else "mixed-mode assembly"
    return Binary(path, kind, platform, evidence)


def machine_platform(machine: int) -> Platform:
    for os_value, os_name in READY_TO_RUN_OS.items():
        cpu = PE_CPU.get(machine ^ os_value)
        if cpu:
            return Platform(os_name, cpu)
    return Platform(None, f"unknown machine 0x{machine:04X}")


def elf_target(path: str, head: bytes, size: int) -> Binary:
    try:
        elf = ELFFile(io.BytesIO(head))
        header = elf.header
    except ELFError as error:
        raise CorruptBinary(f"starts with '\\x7fELF' but is not an ELF image: {error}") from None
    table_ends = [header.e_phoff + header.e_phnum * header.e_phentsize,
                  header.e_shoff + header.e_shnum * header.e_shentsize]
    if max(table_ends) > size:
        raise CorruptBinary(f"truncated ELF image: its headers end at byte {max(table_ends)}, the file has {size}")
    machine = header.e_machine
    number = ENUM_E_MACHINE.get(machine, machine) if isinstance(machine, str) else machine
    cpu = ELF_CPU.get(machine, f"unknown e_machine {number}")
    if elf.elfclass == 32 and cpu in ("x64", "arm64"):
        cpu += " 32-bit ABI"
    if not elf.little_endian:
        cpu += " big-endian"
    osabi = header.e_ident.EI_OSABI
    os_name = ELF_OTHER_OS.get(osabi, "linux")
    kind = "native library" if ".so" in path.rsplit("/", 1)[-1] else "native executable"
    evidence = f"ELF{elf.elfclass} e_machine {number}" + (f" {machine}" if isinstance(machine, str) else "")
    return Binary(path, kind, Platform(os_name, cpu), evidence)


def deps_json_target(path: str, data: bytes) -> Binary:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CorruptBinary(f"not valid JSON: {error}") from None
    target = document.get("runtimeTarget") if isinstance(document, dict) else None
    name = target.get("name") if isinstance(target, dict) else target
    if not isinstance(name, str) or "/" not in name:
        return Binary(path, "deps.json", Platform(None, None), f"runtimeTarget {name or 'absent'}, portable")
    return Binary(path, "deps.json", rid_platform(name.rsplit("/", 1)[1]), f"runtimeTarget {name}")


def rid_platform(rid: str) -> Platform:
    """`linux-arm64` -> Platform('linux', 'arm64'); a RID without a known CPU (`linux`, `unix`) names no CPU."""
    os_name, _, cpu = rid.rpartition("-")
    if os_name and cpu in set(PE_CPU.values()) | {"armel", "s390x", "ppc64le"}:
        return Platform(os_name, cpu)
    return Platform(rid, None)
