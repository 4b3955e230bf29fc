"""Fixtures for every test folder, and the `exhaustive` selection.

The helpers themselves live in modules beside this file (support, reliability, invariants, builders, dotnet_compile,
dotnet_project); pyproject's `pythonpath = ["tests"]` makes them importable from tests/unit, tests/commands and
tests/trees alike.

Tests marked `exhaustive` (every kill point of every fixture, the long fuzz and property runs) are deselected by the
default run (`addopts = -m 'not exhaustive'`), which runs a representative sample of each instead. Run them with
`python -m pytest -m exhaustive`, or everything with `python -m pytest -m ''`.
"""

from __future__ import annotations

import os
import tempfile

import pytest

from dotnet_compile import mcs  # noqa: F401  (the `mcs` fixture: skips without mcs, fails under CI)
from support import write_tree

# Outside git, a run keeps its journal token and lock in the user's state folder (splitter/changes/state.py): the
# tests use a private one, inherited by the processes they start, so that they never write into the real home.
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="lambda-split-test-state-")


@pytest.fixture
def make_tree():
    """`make_tree(tmp_path, {relpath: str | bytes})` -> tmp_path, with every file written."""
    return write_tree
