"""Using directives a split would leave dangling: once types move to the function projects, a namespace only they
declared no longer exists in the library (nor in the other function project), and C# rejects a `using` or
`global using` of a namespace that does not exist (CS0246)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from splitter.model.csharp import CsFile, TypeDecl, UsingDirective
from splitter.model.csharp_words import WordIndex, declared_namespaces

_USING = re.compile(r"^\s*(?:global\s+)?using\s+(?P<name>[\w.]+)\s*;\s*$")


def with_parents(namespaces: Iterable[str]) -> set[str]:
    """`A.B.C` -> {A, A.B, A.B.C}: declaring a namespace declares its parents."""
    found: set[str] = set()
    for name in namespaces:
        parts = [p for p in name.split(".") if p]
        found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return found


def declared_by(files: Iterable[CsFile], types: Iterable[TypeDecl]) -> set[str]:
    """The namespaces that `types`, and namespace blocks holding no type at all, declare in `files`."""
    names = {t.namespace for t in types}
    names |= {block.name for cs in files for block in cs.namespace_blocks if not block.types}
    return with_parents(names)


@dataclass
class Namespaces:
    """Which of the project's own namespaces still exist where a file ends up after the split."""
    own: set[str]                                          # namespaces the project's types were declared in
    available: dict[str | None, set[str]] = field(default_factory=dict)   # None: the library; else architecture

    def keeps(self, using: UsingDirective, where: str | None) -> bool:
        if using.is_static_or_alias:
            return True
        return using.namespace not in self.own or using.namespace in self.available[where]

    def keeps_text(self, text: str, where: str | None) -> bool:
        match = _USING.match(text)
        return match is None or match.group("name") not in self.own or match.group("name") in self.available[where]

    def lost(self, where: str | None) -> set[str]:
        """The project's namespaces that no longer exist where a file ends up: the only ones a using can lose."""
        return {ns for ns in self.own if ns not in self.available[where]}

    def words_lost(self, where: str | None) -> set[str]:
        """The last segments of the lost namespaces: a file without one of these words loses no using."""
        return {ns.rsplit(".", 1)[-1] for ns in self.lost(where)}

    def dangling(self, cs: CsFile, where: str | None) -> list[tuple[int, int]]:
        """The spans of `cs`'s using directives that name a namespace missing where the file ends up."""
        return [(u.start, u.end) for u in cs.usings if not self.keeps(u, where)]


def after_split(files: list[CsFile], leaving: dict[str, list[TypeDecl]],
                words: WordIndex | None = None) -> Namespaces:
    """`leaving` maps each architecture to the top-level types its function project receives (a type copied into
    both is listed under both); every other top-level type stays in the library, which both projects reference.

    Only a namespace a leaving type was declared in can vanish, and only a file holding its last segment as a word
    can declare it (or a namespace inside it): with `words`, only those files are read. A file no type leaves
    declares all of its namespaces after the split as before."""
    gone = {t for types in leaving.values() for t in types}
    own = {t.namespace for t in gone if t.namespace}
    gone_files = {id(t.file) for t in gone}
    candidates = files if words is None else words.files_with(*{ns.rsplit(".", 1)[-1] for ns in own})
    library: set[str] = set()
    for cs in candidates:
        if id(cs) in gone_files:
            library |= declared_by([cs], [t for t in cs.types if t not in gone])
        else:
            found = None if cs.parsed else declared_namespaces(cs.text)
            library |= with_parents(cs.namespaces if found is None else found)
    available: dict[str | None, set[str]] = {None: library}
    for arch, types in leaving.items():
        available[arch] = library | with_parents(t.namespace for t in types)
    return Namespaces(own, available)
