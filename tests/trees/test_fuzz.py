"""Fuzzing: templates, project files, solutions and defaults files of the fixtures (and of the real templates beside
the repository) are mutated byte by byte and token by token with a seeded RNG, then fed to `check` and
`migrate --dry-run` (and every fourth input to `migrate` itself). Every run must end with exit 0, 1 or 2 and never a
traceback or an internal error; --dry-run writes nothing; a failed migrate leaves the tree as it was.
"""

from __future__ import annotations

import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from reliability import leftovers, snapshot
from support import DEPTHS, FIXTURES, require_real_templates, run_cli

SEED = 8_2024
FUZZED_FILES = ("serverless.template", "template.yaml", "template.yml", ".csproj", ".sln", ".slnx",
                "aws-lambda-tools-defaults.json", "Directory.Build.props")

COMMON = [b"", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\r", b"\r\n", b"\t", b"\\", b"..", b"../../..", b"/", b"::",
          b"x86_64", b"arm64", b"s3://bucket/key.zip", b"null", b"true", b"0", b"-1", b"1e999", b"\xe2\x82\xac",
          b"\xc3", b"\x81", b"$(Foo)", b"%", b"*", b"?", b" ", "Größe".encode(), b"a" * 300]
JSON = [b"{", b"}", b"[", b"]", b":", b",", b'"', b'{"Ref": "Arch"}', b'{"Fn::If": ["C", "x86_64", "arm64"]}',
        b'["x86_64", "arm64"]', b"[]", b"{}", b'"CodeUri": "../..",', b'"Handler": "A::B",', b"//", b"/*"]
YAML = [b"!Ref ", b"!Sub ", b"!GetAtt ", b"!!python/object/apply:os.system ", b"!!binary ", b"&a ", b"*a", b"<<: *a",
        b"- ", b": ", b"|\n", b">-\n", b"? ", b"---\n", b"...\n", b"{", b"}", b"[", b"]", b"'", b'"', b"#",
        b"%YAML 1.1\n", b"\n  ", b"\n    CodeUri: ../../..\n", b"\n    Architectures: [x86_64, arm64]\n"]
XML = [b"<", b">", b"</", b"/>", b"<!DOCTYPE x>", b'<!ENTITY e "x">', b"&e;", b"&amp;", b"<![CDATA[", b"]]>", b"<!--",
       b"-->", b'Include="', b'Condition="', b'<ProjectReference Include="..\\..\\..\\x.csproj" />',
       b'<Compile Remove="**" />', b"<AssemblyName>", b"</AssemblyName>", b"<?xml version='1.0'?>",
       b'<Import Project="/etc/passwd" />']
SLN = [b'Project("{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}") = "X", "..\\..\\x.csproj", "{0-0}"\r\nEndProject\r\n',
       b"EndProject", b"Global", b"EndGlobal", b"{", b"}", b'"', b"=", b"GlobalSection(NestedProjects) = preSolution"]
TOKEN = re.compile(rb"\w+|[^\w\s]")


def interesting(name: str) -> list[bytes]:
    if name.endswith((".csproj", ".props", ".slnx")):
        return COMMON + XML
    if name.endswith(".sln"):
        return COMMON + SLN
    if name.endswith((".yaml", ".yml")):
        return COMMON + YAML
    return COMMON + JSON + YAML     # serverless.template may hold either


def mutate(data: bytes, name: str, rng: random.Random) -> tuple[bytes, str]:
    """One mutation, and what it was (for the failure report)."""
    tokens = interesting(name)
    at = rng.randrange(len(data) + 1)
    size = rng.randint(1, 64)
    kind = rng.choice(["flip", "delete", "duplicate", "insert", "replace-token", "truncate", "swap-lines"])
    if kind == "flip" and data:
        at = min(at, len(data) - 1)
        return data[:at] + bytes([rng.randrange(256)]) + data[at + 1:], f"flip byte {at}"
    if kind == "delete":
        return data[:at] + data[at + size:], f"delete {size} bytes at {at}"
    if kind == "duplicate":
        return data[:at + size] + data[at:at + size] + data[at + size:], f"duplicate {size} bytes at {at}"
    if kind == "truncate":
        return data[:at], f"truncate at {at}"
    if kind == "swap-lines":
        lines = data.splitlines(keepends=True)
        if len(lines) > 1:
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            return b"".join(lines), f"swap lines {i + 1} and {j + 1}"
    token = rng.choice(tokens)
    if kind == "replace-token":
        matches = list(TOKEN.finditer(data))
        if matches:
            match = rng.choice(matches)
            return data[:match.start()] + token + data[match.end():], f"replace {match.group()!r} with {token!r}"
    return data[:at] + token + data[at:], f"insert {token!r} at {at}"


@dataclass
class Corpus:
    """Solutions (folders) and, in each, the files worth mutating."""
    solutions: list[tuple[Path, list[str]]]

    @classmethod
    def of(cls, folders: list[Path]) -> "Corpus":
        solutions = []
        for folder in folders:
            files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                           if p.is_file() and p.name.endswith(FUZZED_FILES))
            if files:
                solutions.append((folder, files))
        return cls(solutions)


def fuzz(corpus: Corpus, inputs: int, seed: int, tmp_path: Path) -> int:
    """Run `inputs` mutated solutions; return how many runs were made. Fails listing every crash found."""
    rng = random.Random(seed)
    failures, runs = [], 0
    copies = {}
    for number in range(inputs):
        source, files = rng.choice(corpus.solutions)
        if source not in copies:
            copies[source] = shutil.copytree(source, tmp_path / f"s{len(copies)}", symlinks=True)
        work = copies[source]
        rel = rng.choice(files)
        target = work / rel
        original = target.read_bytes()
        data, done = original, []
        for _ in range(rng.randint(1, 3)):
            data, what = mutate(data, target.name, rng)
            done.append(what)
        target.write_bytes(data)
        label = f"input {number}: {source.name}/{rel}: {'; '.join(done)}"
        try:
            state = snapshot(work)
            for args in (("check", work), ("migrate", "--dry-run", work)):
                runs += 1
                result = run_cli(*args)
                assert result.code in (0, 1, 2), f"exit {result.code}"
                assert snapshot(work) == state, f"{args[0]} {args[1]} wrote to the tree"
            if number % 4 == 0:
                runs += 1
                assert_migrate_all_or_nothing(work, tmp_path / f"m{number}")
        except AssertionError as failure:
            kept = tmp_path / "failures" / f"{number}-{target.name}"
            kept.parent.mkdir(exist_ok=True)
            kept.write_bytes(data)
            failures.append(f"{label}: {str(failure).strip().splitlines()[0][:300]} (input kept in {kept})")
        finally:
            target.write_bytes(original)
    assert not failures, f"{len(failures)} of {inputs} inputs failed:\n" + "\n".join(failures[:20])
    return runs


def assert_migrate_all_or_nothing(work: Path, scratch: Path) -> None:
    """A real migrate on the input: exit 0 having written the change, or exit 2 having written nothing."""
    copy = shutil.copytree(work, scratch, symlinks=True)
    before = snapshot(copy)
    result = run_cli("migrate", "--allow-dirty", copy)
    assert result.code in (0, 2), f"migrate exit {result.code}"
    if result.code == 2:
        assert snapshot(copy) == before, "a failed migrate changed the tree"
    assert leftovers(copy) == [], "migrate left a temp file or journal"
    shutil.rmtree(copy)


# The sample runs the first inputs of the same seeded sequence the exhaustive run goes through.
def inputs(depth: str, exhaustive: int, sample: int) -> int:
    return exhaustive if depth == "exhaustive" else sample


@DEPTHS
def test_mutated_fixture_inputs_never_crash_check_or_migrate(depth, tmp_path):
    cases = sorted(p / "before" for p in FIXTURES.iterdir() if (p / "before").is_dir())
    corpus = Corpus.of(cases)
    assert sum(len(files) for _, files in corpus.solutions) >= 20
    fuzz(corpus, inputs=inputs(depth, 320, 40), seed=SEED, tmp_path=tmp_path)


@DEPTHS
def test_mutated_real_templates_never_crash_check_or_migrate(depth, tmp_path):
    real = require_real_templates()
    corpus = Corpus.of(sorted(p for p in real.iterdir() if p.is_dir()))
    assert len(corpus.solutions) >= 5
    fuzz(corpus, inputs=inputs(depth, 160, 20), seed=SEED + 1, tmp_path=tmp_path)


@pytest.mark.parametrize("name", ["serverless.template", "template.yaml", "x.csproj", "x.sln"])
def test_the_mutator_is_deterministic_and_changes_its_input(name):
    data = (FIXTURES / "shared-handler-yaml/before/template.yaml").read_bytes()
    assert mutate(data, name, random.Random(7)) == mutate(data, name, random.Random(7))
    changed = sum(mutate(data, name, random.Random(seed))[0] != data for seed in range(50))
    assert changed >= 45


@DEPTHS
def test_mutated_journals_never_crash_resume_or_rollback(depth, tmp_path):
    """A journal is data on disk like any other: damaged, it gives exit 2 with one line, and never a write outside."""
    from reliability import copy_case, copy_interrupted, killed_run
    from splitter.changes.journal import JOURNAL_NAME

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me\n")
    halfway = copy_case("mixed-json", tmp_path / "halfway")
    assert killed_run(30, "migrate", halfway) is not None
    journal = (halfway / JOURNAL_NAME).read_bytes()
    rng = random.Random(SEED + 2)
    outcomes = {0: 0, 2: 0}
    for number in range(inputs(depth, 60, 15)):
        work = copy_interrupted(halfway, tmp_path / f"j{number}")
        data = journal
        for _ in range(rng.randint(1, 3)):
            data, _ = mutate(data, JOURNAL_NAME, rng)
        (work / JOURNAL_NAME).write_bytes(data)
        result = run_cli("migrate", rng.choice(["--resume", "--rollback"]), work)
        assert result.code in outcomes, result.err
        outcomes[result.code] += 1
        assert sorted(p.name for p in outside.iterdir()) == ["precious.txt"]
        assert (outside / "precious.txt").read_text() == "keep me\n"
        shutil.rmtree(work)
    assert outcomes[2] > 0
