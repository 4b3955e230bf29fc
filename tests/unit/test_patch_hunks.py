"""Patch hunks describe exactly the change, whatever lines repeat: applying them to the old text gives the new."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from splitter.changes.patch import _hunks

LINES = st.sampled_from([b"{\n", b"}\n", b"  },\n", b"x\n", b"y\n", b"", b"last"])


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
