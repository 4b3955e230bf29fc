"""The libyaml composer gives exactly the nodes ruamel gives (spans, lines, tags, styles, anchors, aliases), and
leaves every unusual document to ruamel so that its errors stay as they were."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from splitter.errors import SplitterError
from splitter.model import nodes, yaml_events
from splitter.model.nodes import Node
from splitter.model.yaml_events import parse_yaml
from support import REAL_TEMPLATES, REPO_ROOT, sampled_given

CORPUS = sorted([*REPO_ROOT.joinpath("fixtures").rglob("*.y*ml"),
                 *REAL_TEMPLATES.rglob("*.y*ml")])


def ruamel_tree(text: str) -> Node:
    original = yaml_events.compose
    yaml_events.compose = lambda _text: None
    try:
        return parse_yaml(text, "t.yaml")
    finally:
        yaml_events.compose = original


def differences(fast: Node, slow: Node, text: str, where: str = "$") -> list[str]:
    found = []
    empty = fast.kind == "scalar" and fast.value is None and fast.start == fast.end and not fast.tag
    fields = ("kind", "end", "tag", "flow", "style", "anchor", "alias") if empty else \
        ("kind", "start", "end", "line", "column", "tag", "flow", "style", "anchor", "alias")
    for name in fields:
        if name == "end" and empty:
            continue
        if getattr(fast, name) != getattr(slow, name):
            found.append(f"{where}.{name}: {getattr(fast, name)!r} != {getattr(slow, name)!r}")
    if empty:
        # An empty value: libyaml places it right after its indicator, on its key's line; ruamel at the next token.
        before = text[:fast.start].rstrip(" \t")
        if not before.endswith((":", "-", ",", "[", "{")):
            found.append(f"{where}: empty value at {fast.start} does not follow an indicator")
        if slow.start < fast.start:
            found.append(f"{where}: empty value at {fast.start}, after ruamel's {slow.start}")
        return found
    if fast.kind == "map":
        if list(fast.value) != list(slow.value):
            return found + [f"{where}: keys {list(fast.value)} != {list(slow.value)}"]
        for key in fast.value:
            found += differences(fast.keys[key], slow.keys[key], text, f"{where}.<{key}>")
            found += differences(fast.value[key], slow.value[key], text, f"{where}.{key}")
    elif fast.kind == "seq":
        if len(fast.value) != len(slow.value):
            return found + [f"{where}: {len(fast.value)} items != {len(slow.value)}"]
        for index, (a, b) in enumerate(zip(fast.value, slow.value)):
            found += differences(a, b, text, f"{where}[{index}]")
    elif fast.value != slow.value or type(fast.value) is not type(slow.value):
        found.append(f"{where}: value {fast.value!r} != {slow.value!r}")
    return found


def assert_same_tree(text: str) -> None:
    fast = yaml_events.compose(text)
    try:
        slow = ruamel_tree(text)
    except SplitterError:
        assert fast is None, "libyaml accepted a document ruamel refuses"      # e.g. keys 0 and 00 (both 0)
        return
    assert fast is not None, "libyaml left an ordinary document to ruamel"
    assert differences(fast, slow, text) == []


def decoded(path: Path) -> str:
    raw = path.read_bytes()
    return raw[len(codecs.BOM_UTF8):].decode() if raw.startswith(codecs.BOM_UTF8) else raw.decode()


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(p.parents[3])))
def test_real_and_fixture_templates_give_ruamels_tree(path):
    assert_same_tree(decoded(path))


SNIPPETS = {
    "short tags on every kind": "A: !Ref x\nB: !GetAtt a.b\nC: !Sub\n  - '${x}'\n  - {x: !Ref y}\nD: !If [c, 1, 2]\n",
    "anchors and aliases": "Base: &base\n  Runtime: dotnet8\n  Mem: &m 512\nF:\n  <<: *base\n  Size: *m\nG: *base\n",
    "block scalars": "A: |\n  one\n  two\n\nB: >-\n  folded\n  line\n\n\nC: |+\n  keep\n\nD: x\n",
    "quoted and escaped": "A: 'it''s'\nB: \"tab\\there \\u00e9\"\nC: \"multi\n  line\"\n'q key': 1\n\"d key\": 2\n",
    "plain scalars resolved": "A: 1\nB: 0x1F\nC: 1.5\nD: true\nE: yes\nF: null\nG: ~\nH: 2024-01-01\nI: .inf\n",
    "comments everywhere": "# head\nA:   # after key\n  - x  # item\n  # between\n  - y\nB: {a: 1,   # flow\n  b: 2}\n",
    "crlf and non-ascii": "A: caf\u00e9\r\nB:\r\n  - \u00fcml\u00e4ut\r\n  - \U0001f600\r\nC: 'x'\r\n",
    "indentless sequence": "Policies:\n- A\n- B: {c: d}\n  e: f\nNext: 1\n",
    "empty values": "A:\nB: ~\nC:\n  D:\n  E: ''\nF: [a, b]\nG: {}\nH: []\n",
    "document markers": "---\nA: 1\nB:\n  - 2\n...\n",
    "keys that are not strings": "1: a\ntrue: b\n2.5: c\n",
    "long plain scalar over lines": "Description: a long\n  description over\n  three lines\nNext: x\n",
    "explicit core tags": "A: !!str 12\nB: !!int '7'\nC: !!float 1\n",
    "redefined anchor": "A: &x 1\nB: *x\nC: &x [2]\nD: *x\n",
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_tricky_documents_give_ruamels_tree(name):
    assert_same_tree(SNIPPETS[name])


UNUSUAL = {
    "syntax error": "Resources:\n  F:\n    Type: [unclosed\n  G: x\n",
    "duplicate key": "A: 1\nB: 2\nA: 3\n",
    "recursive alias": "Resources: &r\n  F: *r\n",
    "recursive redefined anchor": "A: &r 1\nB: &r\n  F: *r\n",
    "undefined alias": "A: *nothing\n",
    "directive": "%YAML 1.2\n---\nA: 1\n",
    "two documents": "A: 1\n---\nB: 2\n",
    "empty": "# nothing here\n",
    "complex key": "? [a, b]\n: c\n",
    "alias bomb": "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(6)),
    "deep nesting": "a: " + "[" * 150 + "]" * 150 + "\n",
    "YAML 1.1 line break": "A: x\u2028y\n",
}


@pytest.mark.parametrize("name", UNUSUAL)
def test_unusual_documents_are_left_to_ruamel(name):
    assert yaml_events.compose(UNUSUAL[name]) is None


@pytest.mark.parametrize("name", ["syntax error", "duplicate key", "recursive alias", "empty", "alias bomb"])
def test_errors_on_unusual_documents_are_ruamels(name):
    with pytest.raises(SplitterError) as fast:
        parse_yaml(UNUSUAL[name], "t.yaml")
    original = yaml_events.compose
    yaml_events.compose = lambda _text: None
    try:
        with pytest.raises(SplitterError) as slow:
            parse_yaml(UNUSUAL[name], "t.yaml")
    finally:
        yaml_events.compose = original
    assert (str(fast.value), fast.value.line) == (str(slow.value), slow.value.line)


def test_ruamel_counts_the_values_reached_through_aliases_not_the_values_written(monkeypatch):
    monkeypatch.setattr(yaml_events, "MAX_ALIASED", 100)
    monkeypatch.setattr(yaml_events, "compose", lambda _text: None)
    plain = "Big:\n" + "".join(f"  - {i}\n" for i in range(1_000))
    assert len(parse_yaml(plain, "t.yaml").get("Big").value) == 1_000
    anchored = "a: &a [x, x, x, x, x, x, x, x, x]\n"          # ten values: the list and its nine items
    assert len(parse_yaml(anchored + "b: [" + ", ".join(["*a"] * 10) + "]\n", "t.yaml").get("b").value) == 10
    with pytest.raises(SplitterError) as caught:
        parse_yaml(anchored + "b: [" + ", ".join(["*a"] * 11) + "]\n", "t.yaml")
    assert "alias bomb" in caught.value.message


def test_libyaml_composes_a_long_plain_list_and_a_wide_mapping():
    assert len(yaml_events.compose("L:\n" + "".join(f"  - {i}\n" for i in range(300_000))).get("L").value) == 300_000
    assert len(yaml_events.compose("".join(f"k{i}: {i}\n" for i in range(50_000))).value) == 50_000


def test_folded_scalars_hold_their_yaml_value_on_both_paths():
    text = "Description: >\n  one\n  two\n"
    assert yaml_events.compose(text).get("Description").value == "one two\n"
    assert ruamel_tree(text).get("Description").value == "one two\n"


# -- generated templates ----------------------------------------------------------------------------------------

names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
plain_values = st.one_of(names, st.integers(-5, 10 ** 6).map(str), st.sampled_from(
    ["x86_64", "arm64", "true", "false", "null", "~", "1.5", "src/Orders/", "./", "Orders::Orders.F::Handle", ""]))


def scalar(value: str, style: str) -> str:
    if style == "'" or (style == "plain" and (value == "" or value[0] in "-?:,[]{}#&*!|>'\"%@`")):
        return "'" + value.replace("'", "''") + "'"
    if style == '"':
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


@st.composite
def documents(draw, depth=0):
    """A YAML mapping in a random mix of styles: block and flow, quotes, short tags, comments, anchors."""
    lines: list[str] = []
    keys = draw(st.lists(names, min_size=1, max_size=5, unique=True))
    for key in keys:
        pad = "  " * depth
        choice = draw(st.sampled_from(["scalar", "tagged", "flowseq", "blockseq", "map", "flowmap"]
                                      if depth < 3 else ["scalar", "tagged", "flowseq"]))
        comment = draw(st.sampled_from(["", "  # note"]))
        if choice == "scalar":
            lines.append(f"{pad}{key}: {scalar(draw(plain_values), draw(st.sampled_from(['plain', chr(39), chr(34)])))}"
                         f"{comment}")
        elif choice == "tagged":
            lines.append(f"{pad}{key}: !{draw(st.sampled_from(['Ref', 'Sub', 'GetAtt']))} {draw(names)}{comment}")
        elif choice == "flowseq":
            items = draw(st.lists(plain_values.filter(bool), max_size=4))
            lines.append(f"{pad}{key}: [{', '.join(scalar(i, 'plain') for i in items)}]{comment}")
        elif choice == "flowmap":
            pairs = draw(st.dictionaries(names, plain_values.filter(bool), max_size=3))
            lines.append(f"{pad}{key}: {{{', '.join(f'{k}: {scalar(v, chr(34))}' for k, v in pairs.items())}}}")
        elif choice == "blockseq":
            lines.append(f"{pad}{key}:{comment}")
            indent = draw(st.sampled_from(["", "  "]))
            for item in draw(st.lists(plain_values, min_size=1, max_size=4)):
                lines.append(f"{pad}{indent}- {scalar(item, 'plain')}")
        else:
            anchor = draw(st.sampled_from(["", f" &{key}A"]))
            lines.append(f"{pad}{key}:{anchor}{comment}")
            lines.append(draw(documents(depth + 1)))
    return "\n".join(lines)


@sampled_given(settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]), 40,
               documents(), st.sampled_from(["\n", "\r\n"]))
def test_generated_documents_give_ruamels_tree(document, newline):
    assert_same_tree(document.replace("\n", newline) + newline)


def test_the_yaml_module_builds_on_the_node_module_and_never_the_other_way_round():
    # The composer and the ruamel path share their block-end and scalar rules in one module, so a fix to one is a
    # fix to both; the tree module below it imports nothing of it, and neither takes another's private names.
    import ast

    for module in (nodes, yaml_events):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        imported = [(node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                    and (node.module or "").startswith("splitter") for alias in node.names]
        assert not [name for _, name in imported if name.startswith("_")], (module.__name__, imported)
        if module is nodes:
            assert not [m for m, _ in imported if m.startswith("splitter.model")], imported
    assert yaml_events.parse_yaml("a: !Ref b\n", "t.yaml").get("a").tag == "!Ref"
