"""Issue 14: migrate reads only the C# a question concerns. The word index finds the files that can mention a name,
the cheap declaration scans agree with a parse wherever they answer, and on one large project migrate parses the
handler files and nothing else (the rest is moved or left as bytes)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from splitter.model import csharp
from splitter.model.csharp import parse_file
from splitter.model.csharp_words import WordIndex, declared_namespaces, declared_type_names
from splitter.plan import usings
from support import FIXTURES, REPO_ROOT, run_cli

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from generate import generate  # noqa: E402


def write(tmp_path: Path, files: dict[str, str | bytes]) -> list:
    found = []
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        found.append(parse_file(path, lazy=True))
    return found


def test_the_word_index_finds_whole_words_only_and_escaped_files_always(tmp_path):
    files = write(tmp_path, {
        "A.cs": "namespace Shop { class Function { } }",
        "B.cs": "namespace Shop { class Functions { string s = \"Function\"; } }",     # the word in a string counts
        "C.cs": "namespace Shop { class MyFunction { } }",
        "D.cs": "namespace Shop { class \\u0046unction2 { } }",                        # an escape can spell anything
        "E.cs": "namespace Shop { class Café { } }",
        "F.cs": b"\xef\xbb\xbfglobal using Shop;\n",                                  # a BOM is not part of a word
    })
    index = WordIndex(files)
    names = lambda found: sorted(f.path.name for f in found)  # noqa: E731
    assert names(index.files_with("Function")) == ["A.cs", "B.cs", "D.cs"]
    assert names(index.files_with("Café")) == ["D.cs", "E.cs"]
    assert names(index.files_with("global")) == ["D.cs", "F.cs"]
    assert names(index.may_declare("Function")) == ["A.cs", "D.cs"]
    assert not any(f.parsed for f in files), "the index reads text only"


def test_a_lazy_file_parses_once_on_the_first_declaration_asked(tmp_path, monkeypatch):
    (cs,) = write(tmp_path, {"A.cs": "using System;\nnamespace Shop.Orders\n{\n    public class Function { }\n}\n"})
    calls = []
    parse = csharp.CsFile._parse
    monkeypatch.setattr(csharp.CsFile, "_parse", lambda self, *a, **k: calls.append(1) or parse(self, *a, **k))
    assert not cs.parsed
    assert [t.full_name for t in cs.types] == ["Shop.Orders.Function"]
    assert cs.usings[0].namespace == "System" and cs.namespaces == {"Shop.Orders"} and not cs.has_errors
    assert len(calls) == 1


def every_fixture_source() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*.cs") if "/bin/" not in p.as_posix())


@pytest.mark.parametrize("path", every_fixture_source(), ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_the_text_scans_agree_with_the_parse(path):
    """Where declared_namespaces answers from the text it gives what the parse gives; the declared-type scan never
    misses a type the parse finds (it may name more: comments and strings count)."""
    cs = parse_file(path)
    found = declared_namespaces(cs.text)
    if found is not None:
        assert found == cs.namespaces
    assert {d.name for d in cs.all_types()} <= declared_type_names(cs.text) | {"?"}


@pytest.mark.parametrize("text, expected", [
    ("namespace A.B\n{\n}\n", {"A.B"}),
    ("namespace A.B;\nclass X { }\n", {"A.B"}),
    ("class X { }\n", set()),
    ("namespace A\n{\n    namespace B { }\n}\n", None),                 # nesting: only a parse can join them
    ("/* namespace Fake\n*/ namespace Real { }\n", None),
    ("#if DEBUG\nnamespace A { }\n#else\nnamespace B { }\n#endif\n", None),
    ("// a namespace comment\nclass X { }\n", None),
    ('class X { string s = @"\nnamespace Fake { }"; }\n', None),
])
def test_declared_namespaces_answers_only_when_the_text_tells_exactly(text, expected):
    assert declared_namespaces(text) == expected


@pytest.mark.parametrize("case", ["mixed-json", "crosscutting-tests", "windows-crlf", "shared-handler-yaml"])
def test_namespaces_after_a_split_are_the_same_read_through_the_index(case):
    """after_split with the word index (only files holding a leaving namespace's last word are read) decides as it
    does reading every file, for every choice of leaving types."""
    files = [parse_file(p) for p in sorted((FIXTURES / case / "before").rglob("*.cs"))]
    lazy = [parse_file(cs.path, lazy=True) for cs in files]
    types = [t for cs in files for t in cs.types]
    lazy_types = [t for cs in lazy for t in cs.types]
    for n in range(len(types)):
        full = usings.after_split(files, {"arm64": types[n:n + 2]})
        fast = usings.after_split(lazy, {"arm64": lazy_types[n:n + 2]}, WordIndex(lazy))
        for where in (None, "arm64"):
            for cs, twin in zip(files, lazy):
                assert full.dangling(cs, where) == fast.dangling(twin, where), (case, n, cs.path.name)


def test_migrate_of_a_large_project_parses_only_the_handler_files(tmp_path, monkeypatch):
    summary = generate(tmp_path / "repo", functions=40, files=200, fmt="json", shape="project")
    monkeypatch.setenv("LAMBDA_SPLIT_PREFETCH", "0")     # every parse in this process (test_prefetch.py: the child's)
    parsed: list[str] = []
    parse = csharp.CsFile._parse
    monkeypatch.setattr(csharp.CsFile, "_parse", lambda self, *a, **k: parsed.append(self.path.name) or
                        parse(self, *a, **k))
    result = run_cli("migrate", "--dry-run", tmp_path / "repo")
    assert result.code == 0, result.err
    handlers = {p.name for p in (tmp_path / "repo").rglob("*.cs") if "Handlers" in p.parts}
    assert handlers and set(parsed) - {"AssemblyInfo.cs"} <= handlers, sorted(set(parsed) - handlers)
    total = len(list((tmp_path / "repo").rglob("*.cs")))
    assert len(parsed) < total / 2, (len(parsed), total, summary)
