"""parse_json: every node's span, line and column checked against the text itself (an oracle independent of the
scanner), the exponents and line endings JSON allows, and the depth refused."""

import json

import pytest
from hypothesis import given, settings, strategies as st

from splitter.errors import SplitterError
from splitter.model.nodes import MAX_JSON_DEPTH, parse_json


def _check(text, node):
    span = text[node.start:node.end]
    assert span == span.strip() and span
    assert json.loads(span) == node.plain() or node.plain() != node.plain()      # NaN is not equal to itself
    assert node.line == text.count("\n", 0, node.start) + 1
    assert node.column == node.start - (text.rfind("\n", 0, node.start) + 1)
    assert node.tag is None and node.flow is True and node.anchor is None and node.alias is False
    if node.kind == "map":
        assert node.style is None and list(node.keys) == list(node.value)
        for name, key in node.keys.items():
            assert key.kind == "scalar" and key.value == name and key.style == '"' and key.keys == {}
            _check(text, key)
        for value in node.value.values():
            _check(text, value)
    elif node.kind == "seq":
        assert node.style is None and node.keys == {}
        for value in node.value:
            _check(text, value)
    else:
        assert node.style == ('"' if isinstance(node.value, str) else None)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=25)


@settings(max_examples=200, deadline=None, database=None)
@given(document=JSON_VALUES, indent=st.sampled_from([None, 0, 2, "\t"]), ascii_only=st.booleans(),
       newline=st.sampled_from(["\n", "\r\n", "\r"]), around=st.sampled_from(["", " ", "\n", "\r\n\t"]))
def test_every_node_spans_its_own_text(document, indent, ascii_only, newline, around):
    text = around + json.dumps(document, indent=indent, ensure_ascii=ascii_only).replace("\n", newline) + around
    root = parse_json(text, "t.json")
    assert root.plain() == json.loads(text)
    _check(text, root)


def test_exponents_with_a_sign_and_json_constants_are_values():
    # tree-sitter-json, which read these documents before, split 1e+5 into two tokens and lost NaN's key.
    root = parse_json('{"a": 1e+5, "b": [1E+2, -2.5e-3, -0], "c": NaN, "d": -Infinity}', "t.json")
    assert root.path("a").value == 100000.0 and (root.path("a").start, root.path("a").end) == (6, 10)
    assert [n.value for n in root.path("b").value] == [100.0, -0.0025, 0]
    assert type(root.path("b").value[2].value) is int
    assert list(root.value) == ["a", "b", "c", "d"] and root.path("d").value == float("-inf")


def test_a_carriage_return_alone_does_not_end_a_line_and_columns_count_characters():
    root = parse_json('{"é😀":\r"ü",\r\n "k": 1}', "t.json")
    assert (root.path("é😀").line, root.path("é😀").column) == (1, 7)
    assert (root.keys["k"].line, root.keys["k"].column, root.path("k").column) == (2, 1, 6)


def test_the_first_duplicate_key_in_document_order_is_named():
    with pytest.raises(SplitterError) as caught:
        parse_json('{"a": {"x": 1,\n "y": [{"z": 1,\n "z": 2}]},\n "a": 2}', "t.json")
    assert caught.value.message == "duplicate key 'z'" and caught.value.line == 3


def test_depth_is_refused_beyond_the_limit_only():
    deep = '{"a": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}"
    assert parse_json(deep, "t.json").kind == "map"
    with pytest.raises(SplitterError, match="JSON nested too deeply"):
        parse_json("[" + deep + "]", "t.json")
