"""Which C# files can mention a word, before any of them is parsed: an inverted index from each word of a file's text
(identifiers, keywords, words in strings and comments) to the files holding it, built in one pass of C-speed byte
operations. A file whose text holds a unicode escape (`\\u0046unction` spells `Function`) is a candidate for every
word, since no word scan sees what it spells. The index answers "could this file concern X"; the syntax tree says
whether it does.

Also the cheap declaration scans the symbol index starts from: the type names a file may declare (a regex over its
bytes: a superset, since comments and strings count too) and, where the text allows an exact answer without a
parse, the namespaces it declares.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from splitter.model.csharp import CsFile

# Bytes that can be part of a C# identifier: ASCII letters, digits, `_`, and every byte of a multi-byte UTF-8
# character (identifiers may hold letters of any script).
_SEPARATORS = bytes(c if (chr(c).isalnum() and c < 128) or c == 0x5F or c >= 0x80 else 0x20 for c in range(256))

# `class Foo`, `record struct Foo`, `delegate Task<int> Foo(`: the names a file may declare as types, matched at each
# place a keyword starts a word (found with str.find: one regex over the whole text tried every alternative at every
# character, five times slower).
_AFTER_KEYWORD = re.compile(r"(?:record\s+(?:class|struct)|class|struct|interface|record|enum)\s+@?(\w+)")
_AFTER_DELEGATE = re.compile(r"delegate\s+[\w<>\[\],.?\s]*?\b(\w+)\s*(?:<[^;{}()]*>)?\s*\(")
_DECLARING = (("class", _AFTER_KEYWORD), ("struct", _AFTER_KEYWORD), ("interface", _AFTER_KEYWORD),
              ("record", _AFTER_KEYWORD), ("enum", _AFTER_KEYWORD), ("delegate", _AFTER_DELEGATE))
# A namespace declaration at the start of a line. Exact for a file with one of them and nothing that can make a
# line start inside a comment or a string (a block comment, a verbatim or raw string, a preprocessor directive).
_NAMESPACE = re.compile(r"(?m)^[ \t]*namespace[ \t]+@?([\w.@ \t]+?)[ \t]*(?:[;{]|$)")
_UNSURE = ("/*", '@"', '"""', "\\u", "\\U")
_CONDITIONAL = re.compile(r"(?m)^[ \t]*#[ \t]*(?:if|elif|else)\b")
_ALIAS = re.compile(r"\busing\s+(?:static\s+)?@?(\w+)\s*=")


def words_of(text: str) -> set[bytes]:
    return set(text.encode("utf-8", errors="surrogatepass").translate(_SEPARATORS).split())


class WordIndex:
    """The files of a project (or of several) by the words their texts hold; built on the first question."""

    def __init__(self, files: Sequence[CsFile]):
        self.files = list(files)
        self._index: dict[bytes, list[int]] | None = None
        self._escaped: list[int] = []
        self._declared: dict[int, set[str]] = {}
        self._parent: WordIndex | None = None
        self._from_parent: dict[int, int] = {}      # a view: the parent's file number -> this index's

    def view(self, files: dict[int, CsFile]) -> "WordIndex":
        """An index of other files with the same texts as some of these (a file moved byte for byte), keyed by
        their number here: answered from this index, never built again."""
        seen = WordIndex(list(files.values()))
        seen._parent = self
        seen._from_parent = {number: mine for mine, number in enumerate(files)}
        return seen

    def _build(self) -> dict[bytes, list[int]]:
        if self._index is None:
            index: defaultdict[bytes, list[int]] = defaultdict(list)
            for number, cs in enumerate(self.files):
                text = cs.text
                if "\\u" in text or "\\U" in text:
                    self._escaped.append(number)
                for word in words_of(text):
                    index[word].append(number)
            self._index = index
        return self._index

    def _numbers(self, words) -> list[int]:
        if self._parent is not None:
            mine = self._from_parent
            return sorted(mine[n] for n in self._parent._numbers(words) if n in mine)
        index = self._build()
        numbers: set[int] = set(self._escaped)
        for word in words:
            numbers.update(index.get(word.encode("utf-8", errors="surrogatepass"), ()))
        return sorted(numbers)

    def files_with(self, *words: str) -> list[CsFile]:
        """The files whose text holds one of `words` as a whole word (or a unicode escape), in file order."""
        return [self.files[n] for n in self._numbers(words)]

    def may_declare(self, name: str) -> list[CsFile]:
        """The files that may declare a type called `name` (a superset: a parse says which do)."""
        found = []
        numbers = self._numbers((name,))
        escaped = set(self._escaped) if self._parent is None else \
            {self._from_parent[n] for n in self._parent._escaped if n in self._from_parent}
        for number in numbers:
            cs = self.files[number]
            declared = self._declared.get(number)
            if declared is None:
                declared = self._declared[number] = declared_type_names(cs.text)
            if name in declared or number in escaped:
                found.append(cs)
        return found


_DECLARING_BYTES = tuple((keyword.encode(), re.compile(after.pattern.encode())) for keyword, after in _DECLARING)
_IDENTIFIER_BYTES = frozenset(c for c in range(256) if _SEPARATORS[c] != 0x20)


def declared_type_names(text: str) -> set[str]:
    return _names_after_keywords(text, _DECLARING, lambda at: text[at - 1].isalnum() or text[at - 1] == "_")


def declared_type_names_in(data: bytes) -> set[str]:
    """declared_type_names of a file's bytes, before they are decoded (`check` reads thousands of files only to
    learn which to parse): ASCII keywords, a name as its UTF-8 decodes."""
    return {name.decode("utf-8", "replace") for name in
            _names_after_keywords(data, _DECLARING_BYTES, lambda at: data[at - 1] in _IDENTIFIER_BYTES)}


def _names_after_keywords(text, table, continues_word) -> set:
    """The names `table`'s patterns match where each keyword starts a word (not where `continues_word(at)`)."""
    found = set()
    find = text.find
    for keyword, after in table:
        at = find(keyword)
        while at >= 0:
            if not at or not continues_word(at):
                match = after.match(text, at)
                if match:
                    found.add(match.group(1))
            at = find(keyword, at + 1)
    return found


def declared_namespaces(text: str) -> set[str] | None:
    """The namespaces a file declares, when its text alone can tell (one namespace declaration at the start of a
    line, nothing that could hide or fake one); None when only a parse can."""
    if any(mark in text for mark in _UNSURE) or ("#" in text and _CONDITIONAL.search(text)):
        return None
    found = _NAMESPACE.findall(text)
    if len(found) > 1 or (not found and "namespace" in text):
        return None
    return {"".join(found[0].split()).replace("@", "")} if found else set()


def alias_names(text: str) -> set[str]:
    """The names `using X = ...;` directives in a text introduce (a superset: comments count too)."""
    return set(_ALIAS.findall(text)) if "using" in text else set()


__all__ = ["WordIndex", "alias_names", "declared_namespaces", "declared_type_names", "declared_type_names_in",
           "words_of"]
