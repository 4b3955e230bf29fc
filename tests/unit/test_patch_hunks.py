"""Patch hunks describe exactly the change, whatever lines repeat: applying them to the old text gives the new."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from splitter.changes.patch import _hunks
from support import apply_hunks

LINES = st.sampled_from([b"{\n", b"}\n", b"  },\n", b"x\n", b"y\n", b"", b"last"])


@settings(max_examples=400, deadline=None)
@given(st.lists(LINES, max_size=40), st.lists(st.tuples(st.integers(0, 40), st.integers(0, 3), st.lists(LINES, max_size=3)),
                                              max_size=5))
def test_hunks_rebuild_the_new_text_when_lines_repeat(base, edits):
    before = b"".join(line if line.endswith(b"\n") else line + b"\n" for line in base)
    lines = re.findall(rb"[^\n]*\n|[^\n]+$", before)
    for at, removed, added in edits:
        at = min(at, len(lines))
        lines[at:at + removed] = [line if line.endswith(b"\n") else line + b"\n" for line in added]
    after = b"".join(lines)
    assert apply_hunks(before, _hunks(before, after)) == after
