"""graph/consumers.py: the lines of a file that name a folder, found by looking only at the lines that hold one of
the path's forms, are the lines a search of each line of `str.splitlines()` finds, numbered and cut the same way."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from splitter.graph.consumers import _matching_lines

FORMS = {"src/Api", "Api"}
PATTERN = re.compile(r"(?<![\w./\\-])(?:\./)?(src/Api|Api)(?![\w.-])")
PIECES = ["src/Api", "./src/Api", "Api", "xsrc/Api", "src/Api.X64", "src/Api/bin", " ", "CodeUri: ", "# ", "\n",
          "\r\n", "\r", "\x0b", "\u2028", "\x85", "-", ".", "a", "\t"]


def by_lines(text: str) -> list:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        match = PATTERN.search(line)
        if match:
            found.append((number, line, match.group(1)))
    return found


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_one_search_finds_the_lines_each_line_s_search_finds(pieces):
    text = "".join(pieces)
    assert list(_matching_lines(text, PATTERN, FORMS)) == by_lines(text)


def test_a_template_s_lines_with_crlf_and_two_matches_on_a_line():
    text = 'A\r\n"CodeUri": "src/Api", "x": "./src/Api"\r\n\r\n  Api\n'
    assert list(_matching_lines(text, PATTERN, FORMS)) == [(2, '"CodeUri": "src/Api", "x": "./src/Api"', "src/Api"),
                                                     (4, "  Api", "Api")]
