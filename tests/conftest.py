"""Shared test helpers: small trees written into tmp folders, and the CLI run in-process with its output captured."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

SPLICED = ("CodeUri", "Handler", "Architectures")     # the values migrate edits by replacing their span
REPO_ROOT = Path(__file__).resolve().parents[1]
REAL_TEMPLATES = REPO_ROOT.parent / "shared" / "real-templates"

# Outside git, a run keeps its journal token and lock in the user's state folder (splitter/changes/state.py): the
# tests use a private one, inherited by the processes they start, so that they never write into the real home.
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="lambda-split-test-state-")


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write {relative path: text or bytes} below root; text is written as UTF-8 exactly as given (CRLF kept)."""
    for relpath, content in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


@pytest.fixture
def make_tree():
    """`make_tree(tmp_path, {relpath: str | bytes})` -> tmp_path, with every file written."""
    return write_tree


def run_cli(args: list[str]) -> tuple[int, str, str]:
    """Run `lambda-split ARGS` in-process: (exit code, stdout, stderr). A traceback or internal error fails the test."""
    from reliability import run_cli as run
    result = run(*args)
    return result.code, result.out, result.err


def require_real_templates() -> Path:
    """The real templates beside the repository: skip with a reason when absent, but fail in CI, where they exist."""
    if not REAL_TEMPLATES.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{REAL_TEMPLATES} is missing, and CI always provides it")
        pytest.skip(f"{REAL_TEMPLATES} is absent (a clone without the shared real templates)")
    return REAL_TEMPLATES


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
