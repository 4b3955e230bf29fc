"""`lambda-split verify` on packages made of real .NET binaries (tests/data/verify, from the dotnetcore2 wheel) and
arm64 stand-ins patched from them at test time."""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import struct
import subprocess
import time
import zipfile
from pathlib import Path

import pefile
import pytest
from elftools.elf.elffile import ELFFile
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from builders import (NET8, EM_386, EM_AARCH64, EM_ARM, IL_ONLY, LINUX_ARM64, LINUX_X64, NATIVE_X64, OSX_ARM64,
                      R2R_FACADE_X64, R2R_X64, WIN_X64, deps_json, linux_package, with_elf_machine, with_pe_machine,
                      csproj, write_zip)
from dotnet_compile import require_mcs
from splitter.verify.binaries import CorruptBinary, identify
from support import FIXTURES, require_real_templates, run_cli, sampled_given

# -- test data -----------------------------------------------------------------------------------------------------

def without_clr_header(data: bytes) -> bytes:
    """The image with its COM descriptor directory cleared: what a native PE looks like to the loader."""
    pe = pefile.PE(data=data, fast_load=True)
    directory = pe.OPTIONAL_HEADER.DATA_DIRECTORY[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR"]]
    directory.VirtualAddress, directory.Size = 0, 0
    return bytes(pe.write())


def native_windows_dll() -> bytes:
    return without_clr_header(with_pe_machine(R2R_X64.read_bytes(), WIN_X64))


def elf32_header(machine: int) -> bytes:
    """A minimal, valid 32-bit little-endian ELF shared object header (no tables)."""
    ident = b"\x7fELF" + bytes([1, 1, 1, 0]) + bytes(8)
    return ident + struct.pack("<HHIIIIIHHHHHH", 3, machine, 1, 0, 0, 0, 0, 52, 32, 0, 40, 0, 0)


def write_folder(path: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes(data)
    return path


def mcs_assembly(tmp_path: Path, platform: str) -> bytes:
    """An IL assembly compiled by Mono's mcs for a PlatformTarget (anycpu, x86, x64)."""
    require_mcs()
    source = tmp_path / "Lib.cs"
    source.write_text("namespace Lib { public class Greeter { public string Hello() { return \"hi\"; } } }\n")
    output = tmp_path / f"Lib.{platform}.dll"
    subprocess.run(["mcs", "-target:library", f"-platform:{platform}", f"-out:{output}", str(source)],
                   check=True, capture_output=True)
    return output.read_bytes()


@pytest.fixture
def verify():
    """Run `lambda-split verify ARGS` as a user would; returns (exit code, stdout lines, stderr)."""
    def run(*args) -> tuple[int, list[str], str]:
        code, out, err = run_cli("verify", *args)
        return code, [MISMATCH_PREFIX.sub("", line) for line in out.splitlines()], err
    return run


# A mismatch is printed as `template:line:col: error[LS201]: FILE: ...`; these tests read the message after it
# (tests/test_cli_conventions.py tests the prefix).
MISMATCH_PREFIX = re.compile(r"^[^:]+:\d+:\d+: error\[LS201\]: ")


def verify_json(verify, *args) -> tuple[int, dict]:
    code, lines, _ = verify(*args, "--format", "json")
    return code, json.loads("\n".join(lines))


# -- the test data is what it claims to be -------------------------------------------------------------------------

def test_committed_binaries_are_real_linux_x64_ready_to_run_il_only_and_elf():
    assert pefile.PE(str(R2R_X64), fast_load=True).FILE_HEADER.Machine == LINUX_X64
    assert pefile.PE(str(R2R_FACADE_X64), fast_load=True).FILE_HEADER.Machine == LINUX_X64
    assert pefile.PE(str(IL_ONLY), fast_load=True).FILE_HEADER.Machine == 0x014C
    with NATIVE_X64.open("rb") as stream:
        assert ELFFile(stream)["e_machine"] == "EM_X86_64"


def test_patched_stand_ins_carry_the_arm64_values():
    assert pefile.PE(data=with_pe_machine(R2R_X64.read_bytes(), LINUX_ARM64)).FILE_HEADER.Machine == LINUX_ARM64
    patched = with_elf_machine(NATIVE_X64.read_bytes(), EM_AARCH64)
    assert ELFFile(io.BytesIO(patched))["e_machine"] == "EM_AARCH64"


# -- ARTIFACT mode ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cpu, architecture", [("x64", "x86_64"), ("arm64", "arm64")])
def test_package_published_for_the_functions_architecture_passes(tmp_path, verify, cpu, architecture):
    package = write_zip(tmp_path / "Function.zip", linux_package(cpu))
    code, lines, err = verify(package, "--arch", architecture)
    assert (code, err) == (0, "")
    assert lines[-1].startswith("OK: 1 package, 5 files checked")


@pytest.mark.parametrize("cpu, architecture", [("x64", "arm64"), ("arm64", "x86_64")])
def test_package_for_the_other_architecture_fails_one_line_per_offending_file(tmp_path, verify, cpu, architecture):
    package = write_zip(tmp_path / "Function.zip", linux_package(cpu))
    code, lines, _ = verify(package, "--arch", architecture)
    assert code == 1
    offending = ["Function.dll", "System.Threading.Timer.dll", "libSystem.Net.Http.Native.so", "Function.deps.json"]
    findings = lines[:-1]
    assert sorted(line.split(": ", 1)[0] for line in findings) == sorted(f"{package}/{name}" for name in offending)
    built_for = f"linux-{cpu}"
    assert all(f"built for {built_for}" in line and f"not for {architecture} (--arch)" in line
               and "likely cause: " in line for line in findings)
    assert not any("mscorlib.dll" in line for line in lines)      # IL-only runs on both
    assert lines[-1].startswith("4 files would fail")


def test_each_finding_names_the_header_value_that_proves_it(tmp_path, verify):
    package = write_zip(tmp_path / "Function.zip", linux_package("x64"))
    _, lines, _ = verify(package, "--arch", "arm64")
    by_file = {line.split(": ", 1)[0].rsplit("/", 1)[1]: line for line in lines[:-1]}
    assert "ReadyToRun assembly built for linux-x64 (PE machine 0xFD1D)" in by_file["Function.dll"]
    assert "native library built for linux-x64 (ELF64 e_machine 62" in by_file["libSystem.Net.Http.Native.so"]
    assert "runtimeTarget .NETCoreApp,Version=v8.0/linux-x64" in by_file["Function.deps.json"]


def test_publish_folder_and_its_zip_give_the_same_findings(tmp_path, verify):
    files = linux_package("x64")
    _, zip_lines, _ = verify(write_zip(tmp_path / "Function.zip", files), "--arch", "arm64")
    _, folder_lines, _ = verify(write_folder(tmp_path / "publish", files), "--arch", "arm64")
    zip_findings = sorted(line.replace(str(tmp_path / "Function.zip"), "PKG") for line in zip_lines)
    folder_findings = sorted(line.replace(str(tmp_path / "publish"), "PKG") for line in folder_lines)
    assert zip_findings == folder_findings and len(zip_findings) == 5


def test_several_artifacts_are_each_checked(tmp_path, verify):
    good = write_zip(tmp_path / "arm/Function.zip", linux_package("arm64"))
    bad = write_zip(tmp_path / "x64/Function.zip", linux_package("x64"))
    code, lines, _ = verify(good, bad, "--arch", "arm64")
    assert code == 1
    assert all(line.startswith(str(bad)) for line in lines[:-1])
    assert "2 packages" in lines[-1]


def test_il_only_assemblies_run_on_both_architectures(tmp_path, verify):
    package = write_zip(tmp_path / "Function.zip", {"mscorlib.dll": IL_ONLY.read_bytes(),
                                                    "Lib.dll": mcs_assembly(tmp_path, "anycpu"),
                                                    "Function.deps.json": deps_json(None)})
    for architecture in ("x86_64", "arm64"):
        assert verify(package, "--arch", architecture)[0] == 0


def test_platform_targeted_il_assembly_needs_its_cpu(tmp_path, verify):
    x64 = write_zip(tmp_path / "x64.zip", {"Lib.dll": mcs_assembly(tmp_path, "x64")})
    x86 = write_zip(tmp_path / "x86.zip", {"Lib.dll": mcs_assembly(tmp_path, "x86")})
    assert verify(x64, "--arch", "x86_64")[0] == 0
    code, lines, _ = verify(x64, "--arch", "arm64")
    assert code == 1 and "IL assembly built for x64 (PE machine 0x8664, IL only)" in lines[0]
    for architecture in ("x86_64", "arm64"):
        code, lines, _ = verify(x86, "--arch", architecture)
        assert code == 1 and "32-bit required" in lines[0] and "PlatformTarget" in lines[0]


@pytest.mark.parametrize("machine, built_for", [(WIN_X64, "win-x64"), (OSX_ARM64, "osx-arm64"),
                                                (0x014C ^ 0x7B79, "linux-x86")])
def test_ready_to_run_for_another_os_or_cpu_is_a_mismatch_on_both_architectures(tmp_path, verify, machine,
                                                                                  built_for):
    package = write_zip(tmp_path / "Function.zip", {"Function.dll": with_pe_machine(R2R_X64.read_bytes(), machine)})
    for architecture in ("x86_64", "arm64"):
        code, lines, _ = verify(package, "--arch", architecture)
        assert code == 1
        assert f"ReadyToRun assembly built for {built_for} (PE machine 0x{machine:04X})" in lines[0]


def test_composite_ready_to_run_image_without_clr_header_is_judged_by_its_machine(tmp_path, verify):
    composite = without_clr_header(R2R_X64.read_bytes())            # framework-r2r.dll: PE, Linux machine, no CLR
    package = write_zip(tmp_path / "Function.zip", {"framework-r2r.dll": composite})
    assert verify(package, "--arch", "x86_64")[0] == 0
    code, lines, _ = verify(package, "--arch", "arm64")
    assert code == 1 and "ReadyToRun composite image built for linux-x64 (PE machine 0xFD1D" in lines[0]


@pytest.mark.parametrize("rid, x86_64, arm64", [
    (None, 0, 0), ("linux-x64", 0, 1), ("linux-arm64", 1, 0), ("win-x64", 1, 1), ("linux-musl-arm64", 1, 1)])
def test_deps_json_runtime_target_must_name_the_functions_rid_or_none(tmp_path, verify, rid, x86_64, arm64):
    package = write_zip(tmp_path / "Function.zip", {"Function.deps.json": deps_json(rid)})
    assert verify(package, "--arch", "x86_64")[0] == x86_64
    assert verify(package, "--arch", "arm64")[0] == arm64


def test_deps_json_below_the_root_is_not_the_apps_and_not_judged(tmp_path, verify):
    package = write_zip(tmp_path / "Function.zip", {"Function.deps.json": deps_json(None),
                                                    "tools/Other.deps.json": deps_json("win-x64")})
    assert verify(package, "--arch", "arm64")[0] == 0


@pytest.mark.parametrize("machine, cpu", [(EM_386, "x86"), (EM_ARM, "arm")])
def test_32_bit_elf_libraries_are_read_and_fail_on_lambda(tmp_path, verify, machine, cpu):
    package = write_zip(tmp_path / "Function.zip", {"libold.so.1": elf32_header(machine)})
    for architecture in ("x86_64", "arm64"):
        code, lines, _ = verify(package, "--arch", architecture)
        assert code == 1 and f"built for linux-{cpu} (ELF32 e_machine {machine}" in lines[0]


def test_a_single_binary_can_be_checked(tmp_path, verify):
    library = tmp_path / "libfoo.so"
    library.write_bytes(NATIVE_X64.read_bytes())
    assert verify(library, "--arch", "x86_64")[0] == 0
    code, lines, _ = verify(library, "--arch", "arm64")
    assert code == 1 and lines[0].startswith(f"{library}: native library built for linux-x64")


def test_backslash_separators_in_zip_names_are_folders(tmp_path, verify):
    package = write_zip(tmp_path / "Function.zip", {"runtimes\\linux-x64\\native\\libfoo.so": NATIVE_X64.read_bytes()})
    code, report = verify_json(verify, package, "--arch", "arm64")
    assert code == 0 and report["packages"][0]["not_loaded"] == 1


def test_extensionless_elf_executable_is_checked(tmp_path, verify):
    package = write_zip(tmp_path / "Function.zip", {"bootstrap": NATIVE_X64.read_bytes(), "LICENSE": b"MIT"})
    assert verify(package, "--arch", "x86_64")[0] == 0
    code, lines, _ = verify(package, "--arch", "arm64")
    assert code == 1 and lines[0].startswith(f"{package}/bootstrap: native executable built for linux-x64")


def test_runtimes_folders_of_rids_the_function_does_not_load_are_not_judged(tmp_path, verify):
    native_x64, native_arm64 = NATIVE_X64.read_bytes(), with_elf_machine(NATIVE_X64.read_bytes(), EM_AARCH64)
    portable = {"Function.dll": IL_ONLY.read_bytes(), "Function.deps.json": deps_json(None),
                "runtimes/linux-x64/native/libe_sqlite3.so": native_x64,
                "runtimes/linux-arm64/native/libe_sqlite3.so": native_arm64,
                "runtimes/linux-musl-x64/native/libe_sqlite3.so": b"\x7fELF truncated, never read",
                "runtimes/win-x64/native/e_sqlite3.dll": native_windows_dll(),
                "runtimes/osx-arm64/lib/net8.0/Sqlite.dll": with_pe_machine(R2R_X64.read_bytes(), OSX_ARM64)}
    package = write_zip(tmp_path / "Function.zip", portable)
    for architecture in ("x86_64", "arm64"):
        code, _ = verify_json(verify, package, "--arch", architecture)
        assert code == 0
    _, report = verify_json(verify, package, "--arch", "arm64")
    assert report["packages"][0]["checked"] == 3 and report["packages"][0]["not_loaded"] == 4


def test_wrong_cpu_under_the_functions_own_rid_folder_is_blamed_on_the_nuget_package(tmp_path, verify):
    package = write_zip(tmp_path / "Function.zip", {
        "runtimes/linux-arm64/native/libfoo.so": NATIVE_X64.read_bytes(),
        "runtimes/unix/lib/net8.0/Foo.dll": R2R_X64.read_bytes()})
    code, lines, _ = verify(package, "--arch", "arm64")
    assert code == 1 and len(lines) == 3
    assert "under runtimes/linux-arm64/" in lines[0] and "runtimes/unix/lib/net8.0/Foo.dll" in lines[1]


def test_files_that_do_not_claim_to_be_pe_or_elf_are_skipped_not_errors(tmp_path, verify):
    package = write_zip(tmp_path / "Function.zip", {
        "Function.dll": IL_ONLY.read_bytes(), "notes.dll": b"just text", "empty.so": b"",
        "Strings.resources": b"MZ this is a resource, not a PE image", "data.bin": b"\x7fELF not checked",
        "native.dll": native_windows_dll()})
    code, report = verify_json(verify, package, "--arch", "arm64")
    assert code == 0
    skipped = {entry["file"]: entry["reason"] for entry in report["packages"][0]["skipped"]}
    assert set(skipped) == {"notes.dll", "empty.so", "native.dll"}
    assert "native Windows library" in skipped["native.dll"]


@pytest.mark.parametrize("name, data", [
    ("Broken.dll", b"MZ" + bytes(100)),
    ("Truncated.dll", R2R_X64.read_bytes()[:4000]),
    ("libbroken.so", b"\x7fELF\x02\x01"),
    ("libtruncated.so", NATIVE_X64.read_bytes()[:2000]),
    ("Function.deps.json", b"{ not json"),
])
def test_a_file_that_claims_to_be_pe_or_elf_and_is_not_exits_2(tmp_path, verify, name, data):
    package = write_zip(tmp_path / "Function.zip", {"Function.dll": IL_ONLY.read_bytes(), name: data})
    code, lines, err = verify(package, "--arch", "x86_64")
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"lambda-split: error: {package}/{name}: ")
    assert "Traceback" not in err


def test_missing_path_and_corrupt_zip_exit_2(tmp_path, verify):
    assert verify(tmp_path / "nowhere.zip", "--arch", "arm64")[0] == 2
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    code, _, err = verify(tmp_path / "junk.zip", "--arch", "arm64")
    assert code == 2 and "not a readable zip" in err
    good = write_zip(tmp_path / "Function.zip", {"Function.dll": R2R_X64.read_bytes()}).read_bytes()
    (tmp_path / "cut.zip").write_bytes(good[: len(good) // 2])
    assert verify(tmp_path / "cut.zip", "--arch", "arm64")[0] == 2


def test_a_corrupt_member_of_a_zip_exits_2(tmp_path, verify):
    package = write_zip(tmp_path / "Function.zip", {"Function.dll": R2R_X64.read_bytes()})
    data = bytearray(package.read_bytes())
    data[60:400] = bytes(340)                               # inside the deflated member
    package.write_bytes(bytes(data))
    code, _, err = verify(package, "--arch", "x86_64")
    assert code == 2 and "Traceback" not in err


def test_json_output_follows_the_documented_schema(tmp_path, verify):
    package = write_zip(tmp_path / "Function.zip", linux_package("x64"))
    code, report = verify_json(verify, package, "--arch", "arm64")
    assert code == 1
    assert report["schema"] == "lambda-split/verify/v1" and report["ok"] is False
    assert set(report) == {"schema", "ok", "packages", "mismatches", "missing", "unchecked", "errors"}
    assert set(report["packages"][0]) == {"package", "format", "template", "code_uri", "architectures", "functions",
                                          "checked", "not_loaded", "skipped"}
    assert report["packages"][0]["format"] == "zip" and report["packages"][0]["checked"] == 5
    first = report["mismatches"][0]
    assert set(first) == {"package", "file", "kind", "built_for", "evidence", "architecture", "functions", "cause"}
    assert (first["package"], first["file"], first["kind"], first["built_for"], first["evidence"]) == \
        (str(package), "Function.dll", "ReadyToRun assembly", "linux-x64", "PE machine 0xFD1D")
    assert first["architecture"] == "arm64" and first["functions"] == []


def test_zip_members_are_streamed_never_extracted(tmp_path, verify, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("verify must not extract the zip")
    monkeypatch.setattr(zipfile.ZipFile, "extract", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)
    package = write_zip(tmp_path / "pkg" / "Function.zip", linux_package("x64"))
    assert verify(package, "--arch", "arm64")[0] == 1
    assert [p.name for p in (tmp_path / "pkg").iterdir()] == ["Function.zip"]


def test_a_100_mb_package_is_checked_in_seconds_reading_headers_only(tmp_path, verify, monkeypatch):
    rng = random.Random(7)
    noise = rng.randbytes(1 << 20)
    package = tmp_path / "Big.zip"
    with zipfile.ZipFile(package, "w") as archive:
        for i in range(300):     # ReadyToRun assemblies with incompressible bodies, deflated as `zip` would
            archive.writestr(f"Lib{i}.dll", R2R_X64.read_bytes() + noise[: (i * 7919) % (256 << 10)],
                             compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
        for i in range(24):      # large native libraries, stored (deflate gains nothing on them)
            archive.writestr(f"runtimes/linux-x64/native/libbig{i}.so", NATIVE_X64.read_bytes() + noise * 4)
    uncompressed = sum(info.file_size for info in zipfile.ZipFile(package).infolist())
    assert package.stat().st_size > 100 * 10**6

    read = 0
    original_read = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        nonlocal read
        data = original_read(self, n)
        read += len(data)
        return data
    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    started = time.perf_counter()
    code, lines, _ = verify(package, "--arch", "x86_64")
    elapsed = time.perf_counter() - started
    assert code == 0 and "324 files checked" in lines[-1]
    assert read < uncompressed / 20, f"read {read} of {uncompressed} bytes"
    assert elapsed < 20, f"took {elapsed:.1f}s"   # generous bound for a loaded CI machine; the read count above is the real proof


@sampled_given(settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]), 40,
               seed=st.sampled_from([R2R_X64, R2R_FACADE_X64, IL_ONLY, NATIVE_X64]),
               cut=st.integers(min_value=0, max_value=60000),
               edits=st.lists(st.tuples(st.integers(min_value=0, max_value=1023), st.integers(0, 255)), max_size=8))
def test_damaged_binaries_are_identified_or_reported_corrupt_never_crash(seed, cut, edits):
    data = bytearray(seed.read_bytes()[:cut] if cut else seed.read_bytes())
    for position, value in edits:
        if position < len(data):
            data[position] = value
    name = "lib.so" if seed.suffix == ".so" else "Lib.dll"
    try:
        identify(name, io.BytesIO(bytes(data)), len(data))
    except CorruptBinary:
        pass


# -- PATH mode -------------------------------------------------------------------------------------------------------

CSPROJ = csproj({**NET8, "PublishReadyToRun": "true"})


def write_template(root: Path, functions: list[tuple[str, str, str]]) -> Path:
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Transform: AWS::Serverless-2016-10-31", "Resources:"]
    for logical_id, architecture, code_uri in functions:
        lines += [f"  {logical_id}:", "    Type: AWS::Serverless::Function", "    Properties:",
                  f"      CodeUri: {code_uri}", "      Handler: Function::Function.Handlers::Handle",
                  "      Runtime: dotnet8", f"      Architectures: [{architecture}]"]
    root.mkdir(parents=True, exist_ok=True)
    (root / "template.yaml").write_text("\n".join(lines) + "\n")
    return root


def write_project(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{folder.name}.csproj").write_text(CSPROJ)
    return folder


def test_path_mode_blames_the_build_for_the_first_functions_architecture(tmp_path, verify, monkeypatch):
    root = write_template(tmp_path / "app", [("X64Fn", "x86_64", "src/Function"), ("ArmFn", "arm64", "src/Function")])
    project = write_project(root / "src" / "Function")
    write_zip(project / "bin/Release/net8.0/Function.zip", linux_package("x64"))
    monkeypatch.chdir(root)
    code, lines, _ = verify(".")
    assert code == 1
    findings = lines[:-1]
    assert len(findings) == 4
    assert all(line.startswith("src/Function/bin/Release/net8.0/Function.zip/") for line in findings)
    assert all("but function ArmFn runs on arm64" in line and "first function's architecture (X64Fn, x86_64)"
               in line and "lambda-split migrate" in line for line in findings)
    assert sum("ReadyToRun code compiled for the first function's architecture" in line for line in findings) == 2
    assert not any("X64Fn runs on" in line for line in lines)


def test_path_mode_passes_split_projects_each_built_for_its_functions(tmp_path, verify):
    root = write_template(tmp_path / "app", [("X64Fn", "x86_64", "src/Function.X64"),
                                             ("ArmFn", "arm64", "src/Function.Arm64")])
    write_zip(write_project(root / "src/Function.X64") / "bin/Release/net8.0/Function.X64.zip", linux_package("x64"))
    write_folder(write_project(root / "src/Function.Arm64") / "bin/Release/net8.0/publish", linux_package("arm64"))
    code, report = verify_json(verify, root)
    assert code == 0 and report["ok"] is True
    assert [(p["format"], p["functions"]) for p in report["packages"]] == \
        [("zip", {"x86_64": ["X64Fn"]}), ("folder", {"arm64": ["ArmFn"]})]


def test_path_mode_prefers_the_zip_and_honours_configuration(tmp_path, verify):
    root = write_template(tmp_path / "app", [("ArmFn", "arm64", "src/Function")])
    project = write_project(root / "src" / "Function")
    write_zip(project / "bin/Release/net8.0/Function.zip", linux_package("arm64"))
    write_folder(project / "bin/Release/net8.0/publish", linux_package("x64"))
    write_folder(project / "bin/Debug/net8.0/publish", linux_package("x64"))
    assert verify(root)[0] == 0
    code, report = verify_json(verify, root, "--configuration", "Debug")
    assert code == 1 and report["packages"][0]["package"].endswith("bin/Debug/net8.0/publish")


def test_path_mode_picks_the_target_framework_of_the_functions_runtime(tmp_path, verify):
    root = write_template(tmp_path / "app", [("ArmFn", "arm64", "src/Function")])     # Runtime: dotnet8
    project = write_project(root / "src" / "Function")
    (project / "Function.csproj").write_text(CSPROJ.replace("<TargetFramework>net8.0</TargetFramework>",
                                                            "<TargetFrameworks>net6.0;net8.0</TargetFrameworks>"))
    write_zip(project / "bin/Release/net6.0/Function.zip", linux_package("x64"))
    write_folder(project / "bin/Release/net8.0/publish", linux_package("arm64"))
    code, report = verify_json(verify, root)
    assert code == 0 and report["packages"][0]["package"].endswith("bin/Release/net8.0/publish")


def test_path_mode_reports_a_missing_package_and_fails_only_with_strict(tmp_path, verify):
    root = write_template(tmp_path / "app", [("ArmFn", "arm64", "src/Function")])
    write_project(root / "src" / "Function")
    code, lines, _ = verify(root)
    assert code == 0 and re.match(r"\S+:\d+:1: warning\[LS202\]: no package for ArmFn", lines[0]), lines[0]
    code, report = verify_json(verify, root, "--strict")
    assert code == 1 and report["ok"] is False
    assert report["missing"][0]["functions"] == {"arm64": ["ArmFn"]}
    assert any(path.endswith("bin/Release/net8.0/Function.zip") for path in report["missing"][0]["looked_for"])


def test_path_mode_checks_a_prebuilt_folder_code_uri_as_it_is(tmp_path, verify):
    root = write_template(tmp_path / "app", [("X64Fn", "x86_64", "artifacts/function"),
                                             ("ArmFn", "arm64", "artifacts/function")])
    write_folder(root / "artifacts/function", linux_package("x64"))
    code, report = verify_json(verify, root)
    assert code == 1
    assert {m["architecture"] for m in report["mismatches"]} == {"arm64"}
    assert {tuple(m["functions"]) for m in report["mismatches"]} == {("ArmFn",)}


def test_path_mode_needs_arch_for_a_package(tmp_path, verify):
    package = write_zip(tmp_path / "Function.zip", linux_package("x64"))
    code, _, err = verify(package)
    assert code == 2 and "--arch" in err


def test_artifact_mode_refuses_a_project_folder(tmp_path, verify):
    project = write_project(tmp_path / "Function")
    code, _, err = verify(project, "--arch", "arm64")
    assert code == 2 and "project folder" in err


def test_path_mode_on_real_solutions_without_builds_reports_missing_packages_only(verify):
    for solution in sorted(p for p in require_real_templates().iterdir() if p.is_dir()):
        code, report = verify_json(verify, solution)
        assert code in (0, 2), solution
        assert report["mismatches"] == [] and report["packages"] == [], solution
        assert code == 2 or report["missing"] or report["unchecked"], solution


def test_serverless_artifact_is_checked_where_the_app_names_it(tmp_path, verify):
    """An app's unit names its package itself (serverless.yml package.artifact): verify reads that zip."""
    work = tmp_path / "app"
    shutil.copytree(FIXTURES / "serverless-framework" / "before", work)
    write_zip(work / "src/Inventory/bin/Release/net8.0/inventory.zip", linux_package("x64"))
    code, report = verify_json(verify, work)
    assert code == 1, report
    failing = {f for m in report["mismatches"] for f in m["functions"]}
    assert failing == {"stockLevel", "audit"}, report["mismatches"]   # arm64 from provider.architecture
    assert all(m["package"].endswith("inventory.zip") for m in report["mismatches"])
