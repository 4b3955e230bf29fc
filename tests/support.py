"""Shared by every test folder (unit/, commands/, trees/): where things are, the one in-process CLI runner, small
trees written into tmp folders, and the one rule for a missing tool or data set: skip locally, fail under CI.

`tests/` is on sys.path (pyproject's `pythonpath`), so a test imports this as `from support import ...`, like the
other helpers here (reliability, invariants, builders, dotnet_compile, dotnet_project).
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
from pathlib import Path
from typing import NamedTuple

import pytest

TESTS = Path(__file__).resolve().parent
REPO_ROOT = TESTS.parent
FIXTURES = REPO_ROOT / "fixtures"
BENCHMARKS = REPO_ROOT / "benchmarks"
DATA = TESTS / "data"
REAL_TEMPLATES = REPO_ROOT.parent / "shared" / "real-templates"
SPLICED = ("CodeUri", "Handler", "Architectures")     # the values migrate edits by replacing their span


def fixture_copy(case: str, tree: str = "before") -> Path:
    """fixtures/<case>/<tree> as a read-only run sees it on its own: the fixtures copied once a session outside any
    git work tree. lambda-split reads the whole work tree it is run in, and this checkout's holds every fixture, so a
    run on fixtures/<case> in place reads them all (seconds a run). Runs that write use copy_case instead."""
    path = _fixtures_outside_git() / case / tree
    if not path.is_dir():
        pytest.fail(f"fixture {FIXTURES / case / tree} is missing")
    return path


@functools.lru_cache(maxsize=1)
def _fixtures_outside_git() -> Path:
    import shutil
    import tempfile
    target = Path(tempfile.mkdtemp(prefix="lambda-split-fixtures-")) / "fixtures"
    shutil.copytree(FIXTURES, target, symlinks=True)
    return target


# -- skip locally, fail under CI ---------------------------------------------------------------------------------------

def in_ci() -> bool:
    """CI is set (as CI services set it: `CI=true`); `CI=`, `CI=0` and `CI=false` mean a local run."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def skip_or_fail_in_ci(reason: str) -> None:
    """A tool or data set the test needs is missing: skip with `reason` on a developer's machine, but fail under CI,
    which always provides everything (`.ci/run` installs the tools; the real templates are checked out beside)."""
    if in_ci():
        pytest.fail(f"{reason}; CI always provides it", pytrace=False)
    pytest.skip(reason)


def require_real_templates() -> Path:
    """The real templates beside the repository (`../shared/real-templates`); skip without them, fail in CI."""
    if not REAL_TEMPLATES.is_dir():
        skip_or_fail_in_ci(f"{REAL_TEMPLATES} is absent (a clone without the shared real templates beside it)")
    return REAL_TEMPLATES


def require_module(module: str) -> None:
    """A Python package the test drives (cfn-lint, ...): skip without it, fail in CI."""
    try:
        __import__(module)
    except ImportError:
        skip_or_fail_in_ci(f"{module} is not installed (pip install -e '.[test]')")


# -- trees ---------------------------------------------------------------------------------------------------------

def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write {relative path: text or bytes} below root; text is written as UTF-8 exactly as given (CRLF kept)."""
    for relpath, content in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


# -- the CLI, in-process ---------------------------------------------------------------------------------------------

class Run(NamedTuple):
    """What a run of the CLI gave; unpacks as `code, out, err = run_cli(...)`."""
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def run_cli(*args: str | Path, stdout: io.TextIOBase | None = None,
            stderr: io.TextIOBase | None = None) -> Run:
    """`lambda-split ARGS` in-process with its output captured; a Python traceback or an 'internal error' fails the
    calling test. `stdout`/`stderr` replace the capturing buffers (e.g. a fake terminal); `out`/`err` are then what
    they hold, if they are StringIOs."""
    from splitter.cli import main

    out = stdout if stdout is not None else io.StringIO()
    err = stderr if stderr is not None else io.StringIO()
    previous = os.environ.pop("LAMBDA_SPLIT_DEBUG", None)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main([str(a) for a in args])
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else (0 if done.code is None else 2)
    finally:
        if previous is not None:
            os.environ["LAMBDA_SPLIT_DEBUG"] = previous
    result = Run(code, getattr(out, "getvalue", str)(), getattr(err, "getvalue", str)())
    for text in (result.out, result.err):
        assert "Traceback" not in text, text
        assert "internal error" not in text, text
    return result


# -- templates -------------------------------------------------------------------------------------------------------

def assert_spans_reparse(template) -> None:
    """Every CodeUri/Handler/Architectures span of a loaded template holds the whole value and nothing else: parsed
    alone it gives the same value, and it has no surrounding blanks or trailing comment (what migrate splices)."""
    from splitter.model.nodes import parse_json
    from splitter.model.yaml_events import parse_yaml

    parse = parse_json if template.format == "json" else parse_yaml
    checked = 0
    for function in template.functions:
        for name in SPLICED:
            node = function.property_node(name)
            if node is None:
                continue
            text = template.source.text[node.start:node.end]
            assert text == text.strip(), (function.logical_id, name, text)
            assert node.style is not None or "#" not in text.splitlines()[-1], (function.logical_id, name, text)
            # A block scalar's last line break belongs to the line, not to the span; give it one back.
            assert parse(text + "\n", "span").plain() == node.plain(), (function.logical_id, name, text)
            checked += 1
    assert checked, "the template has no spliceable values"


# -- the quick run and the exhaustive one ------------------------------------------------------------------------------
#
# `python -m pytest` deselects tests marked `exhaustive` (pyproject addopts: -m 'not exhaustive'); `python -m pytest
# -m exhaustive` runs only them. A long sweep is therefore written once and collected twice: `[sample]`, a fixed,
# representative part of it for every run, and `[exhaustive]`, all of it, for CI.

EXHAUSTIVE = pytest.mark.exhaustive
DEPTHS = pytest.mark.parametrize("depth", ["sample", pytest.param("exhaustive", marks=EXHAUSTIVE)])


def sampled_cases(cases: list, sample: set[str], ids=None) -> list:
    """Parametrize values of a slow per-case test: those whose id is in `sample` run in every run, the others only
    in the exhaustive one (cfn-lint of each fixture takes seconds)."""
    ids = ids or [str(c) for c in cases]
    missing = sample - set(ids)
    assert not missing, f"sample names unknown cases: {sorted(missing)}"
    return [pytest.param(case, id=name, marks=() if name in sample else EXHAUSTIVE) for case, name in zip(cases, ids)]


def sample_points(total: int, depth: str) -> list[int]:
    """Points 1..total: all of them when exhaustive, else the first, the middle and the last (deterministic, and the
    three that end a killed run differently: before the journal is complete, in the middle of the change, after it)."""
    return list(range(1, total + 1)) if depth == "exhaustive" else sorted({1, (total + 1) // 2, total})


def sampled_given(full, sample: int, *strategies, **named):
    """`@given(*strategies, **named)` under the hypothesis settings `full`, collected twice: `[sample]` tries `sample`
    examples, `[exhaustive]` (marked `exhaustive`) all `full.max_examples`. The test body takes only the drawn
    arguments (no fixtures)."""
    from hypothesis import given, settings

    def decorate(body):
        def with_examples(examples: int):
            return settings(full, max_examples=examples)(given(*strategies, **named)(body))

        runs = {"sample": with_examples(min(sample, full.max_examples)), "exhaustive": with_examples(full.max_examples)}

        @DEPTHS
        def test(depth):
            runs[depth]()

        # Not functools.wraps: pytest would read the body's signature through __wrapped__ and look for fixtures.
        test.__name__, test.__qualname__, test.__doc__ = body.__name__, body.__qualname__, body.__doc__
        test.__module__ = body.__module__
        return test
    return decorate


# -- patches ---------------------------------------------------------------------------------------------------------

def apply_hunks(before: bytes, patch: bytes) -> bytes:
    """A strict reader of unified hunks: context and removed lines must match the old text where the header says."""
    old = re.findall(rb"[^\n]*\n|[^\n]+$", before)
    out, position = [], 0
    lines = re.findall(rb"[^\n]*\n|[^\n]+$", patch)
    index = 0
    while index < len(lines):
        start, count = map(int, re.match(rb"@@ -(\d+),(\d+) ", lines[index]).groups())
        start = start - 1 if count else start
        out += old[position:start]
        position = start
        index += 1
        while index < len(lines) and not lines[index].startswith(b"@@"):
            line = lines[index]
            body = line[1:]
            if index + 1 < len(lines) and lines[index + 1] == b"\\ No newline at end of file\n":
                body = body[:-1]
                index += 1
            if line[:1] in (b" ", b"-"):
                assert old[position] == body, (position, old[position], body)
                position += 1
            if line[:1] in (b" ", b"+"):
                out.append(body)
            index += 1
    return b"".join(out + old[position:])
