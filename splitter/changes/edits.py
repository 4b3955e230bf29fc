"""Span edits on source text: replace a value, insert a key, remove a declaration or an XML element, add lines.

Pure functions over strings. Each edit touches only its span and takes indentation and line endings from the
surrounding text, so nothing else in the file changes.
"""

from __future__ import annotations

import functools

import json
import re
from dataclasses import dataclass

from splitter.errors import SplitterError
from splitter.model.nodes import Node
from splitter.model.literals import scalar_text


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


def apply_edits(text: str, edits: list[Edit]) -> str:
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for before, after in zip(ordered, ordered[1:]):
        if after.start < before.end:
            raise ValueError(f"overlapping edits at {before.start}-{before.end} and {after.start}-{after.end}")
    out, last = [], 0
    for edit in ordered:
        out.append(text[last:edit.start])
        out.append(edit.text)
        last = edit.end
    out.append(text[last:])
    return "".join(out)


def line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def line_end(text: str, offset: int) -> int:
    """Offset just past the newline of the line holding `offset` (or the end of the text)."""
    end = text.find("\n", offset)
    return len(text) if end < 0 else end + 1


@functools.lru_cache(maxsize=16)
def newline_of(text: str) -> str:
    """The dominant line ending (remembered per text: a plan asks it of one template once per edit)."""
    return "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"


# -- template scalars -------------------------------------------------------------------------------------------------



def replace_scalar(node: Node, value: str, fmt: str, path=None, what: str | None = None,
                   line: int | None = None, source: str | None = None) -> Edit:
    """`what` names the value for an error (`CodeUri of GetFunction`) and `line` is where its key is written: an
    alias's own node carries the anchored value's position. With the document's text (`source`), a one-line YAML
    block scalar (`Handler: >-` and the value on the next line) keeps its style."""
    if node.alias or node.anchor:
        # The span is the anchored value's: changing it would change every alias of it too.
        what = what or f"the value at line {node.line}"
        shared = f"is the YAML alias *{node.anchor} of the value at line {node.line}" if node.alias else \
            f"defines the YAML anchor &{node.anchor}"
        raise SplitterError(f"{what} {shared}, which other keys share; lambda-split would have to change it here "
                            "only", path, line or node.line,
                            hint="write the value out in place of the anchor/alias, then run again")
    if fmt == "yaml" and node.style in ("|", ">") and source is not None and "\n" not in value:
        header, newline, content = source[node.start:node.end].partition("\n")
        if newline and content.strip() and "\n" not in content.strip():
            indent = content[:len(content) - len(content.lstrip(" \t"))]
            return Edit(node.start, node.end, header + newline + indent + value)
    text = scalar_text(value, fmt, node)
    if fmt == "yaml" and node.start == node.end:
        text = " " + text       # an empty value (`CodeUri:`) sits right after its colon
    return Edit(node.start, node.end, text)


def insert_key(text: str, mapping: Node, key: str, value_text: str, fmt: str, after: str | None = None,
               yaml_block_value: list[str] | None = None) -> Edit:
    """Insert `key: value` into a mapping, after the key `after` when present (else after the last key).

    For YAML, `yaml_block_value` gives the value as lines (block style) to write under the key instead of
    `value_text` on the key's line."""
    if fmt == "json":
        return _insert_json_key(text, mapping, key, value_text, after)
    return _insert_yaml_key(text, mapping, key, value_text, after, yaml_block_value)


def insert_keys(text: str, mapping: Node, entries: list[tuple[str, str, list[str] | None]], fmt: str,
                after: str | None = None) -> list[Edit]:
    """Insert several `(key, value_text, yaml_block_value)` entries, each as `insert_key` does; into an empty
    mapping (`{}`) as one comma-separated edit, since separate insertions there would not be separated."""
    if mapping.value or not entries:
        return [insert_key(text, mapping, key, value, fmt, after, block) for key, value, block in entries]
    written = [f"{json.dumps(key)}: {value}" if fmt == "json" else
               f"{key}: {value if block is None else _flow_list(block)}" for key, value, block in entries]
    close = text.rfind("}", mapping.start, mapping.end)
    return [Edit(close, close, ", ".join(written))]


def _flow_list(block: list[str]) -> str:
    """A block sequence given as `- item` lines, written as a flow list."""
    return "[" + ", ".join(line.strip()[1:].strip() for line in block) + "]"


def _anchor(mapping: Node, after: str | None, scalar_only: bool) -> str | None:
    # An alias's span is its anchor's, elsewhere in the file: never a place to insert after.
    keys = [k for k in mapping.value if not mapping.value[k].alias]
    if after in keys and (not scalar_only or mapping.value[after].kind == "scalar"):
        return after
    if scalar_only:
        scalars = [k for k in keys if mapping.value[k].kind == "scalar" and not mapping.value[k].style in ("|", ">")]
        return scalars[-1] if scalars else None
    return keys[-1] if keys else None


def _insert_json_key(text: str, mapping: Node, key: str, value_text: str, after: str | None) -> Edit:
    anchor = _anchor(mapping, after, scalar_only=False)
    entry = f"{json.dumps(key)}: {value_text}"
    if anchor is None:                                          # {} -> {"Key": value}
        return Edit(mapping.start + 1, mapping.end - 1, entry)
    key_node, value_node = mapping.keys[anchor], mapping.value[anchor]
    if text.find("\n", mapping.start, mapping.end) < 0:        # the whole mapping is on one line
        return Edit(value_node.end, value_node.end, f", {entry}")
    indent = text[line_start(text, key_node.start):key_node.start]
    if indent.strip():                                          # keys share lines: fall back to a plain comma
        return Edit(value_node.end, value_node.end, f", {entry}")
    return Edit(value_node.end, value_node.end, f",{newline_of(text)}{indent}{entry}")


def _insert_yaml_key(text: str, mapping: Node, key: str, value_text: str, after: str | None,
                     block: list[str] | None) -> Edit:
    nl = newline_of(text)
    if mapping.flow:
        if block is not None:       # a block sequence (`- x86_64` lines) cannot sit in a flow mapping: write it flow
            value_text = _flow_list(block)
        # Right after a value (the anchor's, else the last one), not before `}`: a trailing comma (`{a: 1, }`) or
        # a comment may stand there. An alias's span is its anchor's, elsewhere in the file: not a place to write.
        candidates = [k for k in ([after] if after in mapping.value else []) + list(mapping.value)[::-1]
                      if not mapping.value[k].alias]
        if candidates:
            at = mapping.value[candidates[0]].end
            return Edit(at, at, f", {key}: {value_text}")
        close = text.rfind("}", mapping.start, mapping.end)
        return Edit(close, close, f"{', ' if mapping.value else ''}{key}: {value_text}")
    anchor = _anchor(mapping, after, scalar_only=True)
    first_key = next(iter(mapping.keys.values()))
    indent = " " * first_key.column
    lines = [f"{indent}{key}: {value_text}"] if block is None else \
        [f"{indent}{key}:"] + [f"{indent}{line}" for line in block]
    inserted = nl.join(lines) + nl
    if anchor is None:
        at = line_start(text, first_key.start)
        return Edit(at, at, inserted)
    at = line_end(text, mapping.value[anchor].end)
    if at == len(text) and not text.endswith("\n"):
        inserted = nl + inserted.rstrip("\r\n")
    return Edit(at, at, inserted)


# -- whole declarations and lines ---------------------------------------------------------------------------------------

def removal_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a declaration's span to whole lines, with the comments right above it and one blank line."""
    begin = line_start(text, start)
    if text[begin:start].strip():                       # something else precedes it on the line
        begin = start
    finish = line_end(text, end) if not text[end:line_end(text, end)].strip() else end
    # Doc comments and attributes-as-comments directly above belong to the declaration.
    while begin > 0:
        previous = line_start(text, begin - 1)
        line = text[previous:begin].strip()
        if line.startswith("//") or line.startswith("/*") or line.startswith("*") or line.endswith("*/"):
            begin = previous
        else:
            break
    # Drop one blank line so the neighbours do not end up with two, or with a blank line after "{".
    previous_line = text[line_start(text, begin - 1):begin] if begin > 0 else ""
    following_line = text[finish:line_end(text, finish)] if finish < len(text) else ""
    before_previous = text[line_start(text, line_start(text, begin - 1) - 1):line_start(text, begin - 1)] \
        if begin > 0 and line_start(text, begin - 1) > 0 else ""
    if following_line and not following_line.strip() and (
            begin == 0 or not previous_line.strip() or previous_line.rstrip().endswith("{")):
        finish = line_end(text, finish)
    elif previous_line and not previous_line.strip() and (
            not following_line.strip() or following_line.strip().startswith("}")) and before_previous is not None:
        begin = line_start(text, begin - 1)
    return begin, finish


def remove_spans(text: str, spans: list[tuple[int, int]]) -> str:
    widened = sorted(removal_span(text, s, e) for s, e in spans)
    merged: list[list[int]] = []
    for start, end in widened:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return apply_edits(text, [Edit(s, e, "") for s, e in merged])


# -- XML (MSBuild) ----------------------------------------------------------------------------------------------------

def element_span(text: str, sourceline: int, name: str) -> tuple[int, int]:
    """Span of an element that starts on line `sourceline` (1-based): from its `<name` to its end tag."""
    offset = 0
    for _ in range(sourceline - 1):
        offset = text.index("\n", offset) + 1
    start = text.index(f"<{name}", offset)
    self_closing = re.compile(r"<%s\b[^>]*/>" % re.escape(name)).match(text, start)
    if self_closing:
        return start, self_closing.end()
    close = text.index(f"</{name}>", start)
    return start, close + len(f"</{name}>")


def xml_removal_edits(text: str, spans: list[tuple[int, int]]) -> list[Edit]:
    """Edits removing elements given by span, whole lines, with XML comment lines right above each."""
    widened = []
    for start, end in spans:
        begin, finish = line_start(text, start), line_end(text, end)
        while begin > 0:
            previous = line_start(text, begin - 1)
            line = text[previous:begin].strip()
            if line.startswith("<!--") and line.endswith("-->"):
                begin = previous
            else:
                break
        widened.append((begin, finish))
    return [Edit(s, e, "") for s, e in _merge(widened)]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def indentation_at(text: str, offset: int) -> str:
    begin = line_start(text, offset)
    match = re.match(r"[ \t]*", text[begin:])
    return match.group(0) if match else ""


def merge_inserts(edits: list[Edit]) -> list[Edit]:
    """Several insertions at one offset become one edit, in the order they were made."""
    merged: dict[tuple[int, int], Edit] = {}
    out = []
    for edit in edits:
        if edit.start == edit.end and (edit.start, edit.end) in merged:
            previous = merged[(edit.start, edit.end)]
            combined = Edit(edit.start, edit.end, previous.text + edit.text)
            out[out.index(previous)] = combined
            merged[(edit.start, edit.end)] = combined
            continue
        if edit.start == edit.end:
            merged[(edit.start, edit.end)] = edit
        out.append(edit)
    return out
