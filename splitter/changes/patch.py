"""A change set as a git patch: what `--dry-run` prints and `git apply` takes, renames and binary files included."""

from __future__ import annotations

import bisect
import difflib
import re

from splitter.changes.changeset import Change, ChangeSet, Create, Modify



def to_patch(change_set: ChangeSet) -> bytes:
    return b"".join(_patch_for(change) for change in change_set.sorted())


_NEEDS_QUOTE = re.compile(rb'[\x00-\x1f"\\\x7f-\xff]')


def quote_path(prefix: str, path: str) -> bytes:
    """Quote a path the way git does (core.quotePath): C-style with octal escapes for bytes outside ASCII."""
    raw = (prefix + path).encode("utf-8")
    if not _NEEDS_QUOTE.search(raw):
        return raw
    out = bytearray(b'"')
    for byte in raw:
        char = bytes([byte])
        if char in (b'"', b"\\"):
            out += b"\\" + char
        elif char == b"\t":
            out += b"\\t"
        elif char == b"\n":
            out += b"\\n"
        elif byte < 0x20 or byte >= 0x7F:
            out += b"\\%03o" % byte
        else:
            out += char
    return bytes(out + b'"')


def _file_line(marker: bytes, quoted: bytes) -> bytes:
    # git ends the ---/+++ line with a tab when an unquoted name holds a space, so that the name is unambiguous.
    tab = b"\t" if b" " in quoted and not quoted.startswith(b'"') else b""
    return marker + b" " + quoted + tab + b"\n"


def _lines(data: bytes) -> list[bytes]:
    return re.findall(rb"[^\n]*\n|[^\n]+$", data)


# Below this many line pairs between the common head and tail, difflib matches as it always has; above it, lines
# unique on both sides anchor the match first (patience diff) and difflib only sees the stretches between anchors.
# difflib's cost grows with the product of the lengths when lines repeat (`}` and `"CodeUri": "."` hundreds of
# times in a template with hundreds of edited functions): 4,200 lines with 400 edits took minutes.
DIFFLIB_LIMIT = 250_000


class _LineMatcher(difflib.SequenceMatcher):
    """difflib's matcher with the common leading and trailing lines set aside first, as git's xdiff does, and long
    stretches anchored on unique lines: the cost stays linear in the file however many of its lines repeat."""

    def __init__(self, a: list[bytes], b: list[bytes]):
        super().__init__(None, a, b, autojunk=False)
        self._blocks: list[difflib.Match] | None = None

    def get_matching_blocks(self) -> list[difflib.Match]:
        if self._blocks is None:
            blocks: list[tuple[int, int, int]] = []
            _match(self.a, self.b, 0, len(self.a), 0, len(self.b), blocks)
            merged: list[tuple[int, int, int]] = []
            for i, j, n in sorted(blocks):
                if n and merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
                    merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + n)
                elif n:
                    merged.append((i, j, n))
            self._blocks = [difflib.Match(*block) for block in merged] + [difflib.Match(len(self.a), len(self.b), 0)]
        return self._blocks


def _match(a: list[bytes], b: list[bytes], alo: int, ahi: int, blo: int, bhi: int,
           out: list[tuple[int, int, int]]) -> None:
    """Matching blocks of a[alo:ahi] and b[blo:bhi], appended to `out` (in absolute positions)."""
    head, limit = 0, min(ahi - alo, bhi - blo)
    while head < limit and a[alo + head] == b[blo + head]:
        head += 1
    tail = 0
    while tail < limit - head and a[ahi - 1 - tail] == b[bhi - 1 - tail]:
        tail += 1
    out.append((alo, blo, head))
    out.append((ahi - tail, bhi - tail, tail))
    alo, blo, ahi, bhi = alo + head, blo + head, ahi - tail, bhi - tail
    if alo == ahi or blo == bhi:
        return
    anchors = _anchors(a, b, alo, ahi, blo, bhi) if (ahi - alo) * (bhi - blo) > DIFFLIB_LIMIT else []
    if not anchors:
        inner = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
        out.extend((i + alo, j + blo, n) for i, j, n in inner.get_matching_blocks() if n)
        return
    i, j = alo, blo
    for ai, bj in anchors:
        _match(a, b, i, ai, j, bj, out)
        out.append((ai, bj, 1))
        i, j = ai + 1, bj + 1
    _match(a, b, i, ahi, j, bhi, out)


def _anchors(a: list[bytes], b: list[bytes], alo: int, ahi: int, blo: int, bhi: int) -> list[tuple[int, int]]:
    """Lines that occur once in a[alo:ahi] and once in b[blo:bhi], as (i, j) pairs increasing on both sides: the
    longest such chain (patience sorting)."""
    count_a: dict[bytes, int] = {}
    for i in range(alo, ahi):
        count_a[a[i]] = -1 if a[i] in count_a else i
    count_b: dict[bytes, int] = {}
    for j in range(blo, bhi):
        count_b[b[j]] = -1 if b[j] in count_b else j
    pairs = [(i, count_b[line]) for line, i in count_a.items()
             if i >= 0 and count_b.get(line, -1) >= 0]
    pairs.sort()
    # longest increasing subsequence on j
    tops: list[int] = []                 # j of the pile tops
    top_index: list[int] = []            # index into pairs of each pile's top
    back: list[int] = []
    for index, (_, j) in enumerate(pairs):
        pile = bisect.bisect_left(tops, j)
        back.append(top_index[pile - 1] if pile else -1)
        if pile == len(tops):
            tops.append(j)
            top_index.append(index)
        else:
            tops[pile] = j
            top_index[pile] = index
    chain: list[tuple[int, int]] = []
    index = top_index[-1] if top_index else -1
    while index >= 0:
        chain.append(pairs[index])
        index = back[index]
    return chain[::-1]


def _hunks(before: bytes, after: bytes) -> bytes:
    a, b = _lines(before), _lines(after)
    out = []
    for group in _LineMatcher(a, b).get_grouped_opcodes(3):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        old_start = i1 + 1 if i2 > i1 else i1
        new_start = j1 + 1 if j2 > j1 else j1
        out.append(b"@@ -%d,%d +%d,%d @@\n" % (old_start, i2 - i1, new_start, j2 - j1))
        for tag, x1, x2, y1, y2 in group:
            if tag == "equal":
                out.extend(_prefixed(b" ", a[x1:x2]))
                continue
            out.extend(_prefixed(b"-", a[x1:x2]))
            out.extend(_prefixed(b"+", b[y1:y2]))
    return b"".join(out)


def _prefixed(prefix: bytes, lines: list[bytes]) -> list[bytes]:
    result = []
    for line in lines:
        result.append(prefix + line)
        if not line.endswith(b"\n"):
            result.append(b"\n\\ No newline at end of file\n")
    return result


def _similarity(before: bytes, after: bytes) -> int:
    if before == after:
        return 100
    ratio = _LineMatcher(_lines(before), _lines(after)).ratio()
    return int(ratio * 100)


def _patch_for(change: Change) -> bytes:
    if isinstance(change, Create):
        a, b = quote_path("a/", change.path), quote_path("b/", change.path)
        head = b"diff --git " + a + b" " + b + b"\nnew file mode 100644\n"
        if not change.content:
            return head
        return (head + _file_line(b"---", b"/dev/null") + _file_line(b"+++", b)
                + _hunks(b"", change.content))
    if isinstance(change, Modify):
        a, b = quote_path("a/", change.path), quote_path("b/", change.path)
        return (b"diff --git " + a + b" " + b + b"\n" + _file_line(b"---", a) + _file_line(b"+++", b)
                + _hunks(change.before, change.after))
    a, b = quote_path("a/", change.source), quote_path("b/", change.target)
    head = (b"diff --git " + a + b" " + b + b"\n"
            + b"similarity index %d%%\n" % _similarity(change.before, change.after)
            + b"rename from " + quote_path("", change.source) + b"\n"
            + b"rename to " + quote_path("", change.target) + b"\n")
    if change.before == change.after:
        return head
    return head + _file_line(b"---", a) + _file_line(b"+++", b) + _hunks(change.before, change.after)


def colorize(patch: bytes) -> bytes:
    """ANSI colors for a terminal, in the colors `git diff` uses."""
    out = []
    for line in patch.splitlines(keepends=True):
        if line.startswith((b"diff --git", b"new file", b"similarity", b"rename ", b"--- ", b"+++ ")):
            out.append(b"\x1b[1m" + line.rstrip(b"\n") + b"\x1b[0m\n")
        elif line.startswith(b"@@"):
            out.append(b"\x1b[36m" + line.rstrip(b"\n") + b"\x1b[0m\n")
        elif line.startswith(b"+"):
            out.append(b"\x1b[32m" + line.rstrip(b"\n") + b"\x1b[0m\n")
        elif line.startswith(b"-"):
            out.append(b"\x1b[31m" + line.rstrip(b"\n") + b"\x1b[0m\n")
        else:
            out.append(line)
    return b"".join(out)
