"""Fixtures for every test folder.

The helpers themselves live in modules beside this file (support, reliability, invariants, builders, dotnet_compile,
dotnet_project); pyproject's `pythonpath = ["tests"]` makes them importable from tests/unit, tests/commands and
tests/trees alike.
"""

from __future__ import annotations

import pytest

from dotnet_compile import mcs  # noqa: F401  (the `mcs` fixture: skips without mcs, fails under CI)
from support import write_tree


@pytest.fixture
def make_tree():
    """`make_tree(tmp_path, {relpath: str | bytes})` -> tmp_path, with every file written."""
    return write_tree
