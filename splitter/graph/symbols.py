"""One symbol index per project being split: its declared types, and which code refers to each of them, bound the
way the C# compiler binds names as far as syntax allows.

A simple name binds through the enclosing types, then each enclosing namespace from the innermost out: a type of
that namespace first, then the usings written in that namespace block (aliases, `using static`, imported
namespaces; the compilation unit's level also sees every file's `global using`). A dotted name binds its first
segment that way (or from the global namespace after `global::`), then walks namespaces and nested types; in an
expression the walk stops at the first member (`Keys.Function` uses `Keys`, never a type named `Function`).
Where syntax cannot decide the answer is "used", with the reason: a name two imported namespaces both declare,
a full type name in a string (reflection).

Only files that can contain an asked name are walked: a word scan of each file's text (identifiers with unicode
escapes defeat it, so such files are always walked) picks them; the others are never walked in Python.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from splitter.model.csharp import WORD, CsFile, TypeDecl
from splitter.model.symbols import FileSymbols, Reference, Scope, Using, read_symbols

_WORD = WORD


@dataclass(frozen=True)
class Use:
    """One place that refers to a type (or calls a method): where, by which type, as written."""
    file: CsFile
    offset: int
    user: TypeDecl | None        # the innermost type around it; None at file level (assembly attributes)
    text: str
    note: str = ""               # why syntax alone could not decide, when it could not

    @property
    def line(self) -> int:
        return self.file.source.line_of(self.offset)

    def describe(self, what: str, root: Path | None = None) -> str:
        """`src/Shop/Startup.cs:32: Shop.Startup uses Shop.Functions.Resize (new Resize())`, `what` being
        "uses Shop.Functions.Resize"."""
        path = self.file.path
        if root is not None:
            try:
                path = path.relative_to(root)
            except ValueError:
                pass
        user = self.user.full_name if self.user is not None else f"an attribute of {self.file.path.name}"
        note = f"; {self.note}" if self.note else ""
        return f"{path.as_posix()}:{self.line}: {user} {what} ({self.text}{note})"


class SymbolIndex:
    """Types declared in a set of files, and the uses of each, computed name by name as they are asked."""

    def __init__(self, files: list[CsFile]):
        self.files = list(files)
        self.types: dict[str, TypeDecl] = {}
        self.by_name: dict[str, list[TypeDecl]] = {}
        self.namespaces: set[str] = {""}
        self._spans: dict[int, tuple[list[int], list[TypeDecl]]] = {}
        for cs in self.files:
            ordered = sorted(cs.all_types(), key=lambda d: (d.start, -d.end))
            self._spans[id(cs)] = ([d.start for d in ordered], ordered)
            for decl in ordered:
                self.types.setdefault(decl.full_name, decl)
                self.by_name.setdefault(decl.name, []).append(decl)
            for namespace in cs.namespaces:
                parts = namespace.split(".")
                self.namespaces.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
        self.global_usings = [u for cs in self.files for u in _global_usings(cs)]
        # the only words a reference that binds to one of these types can hold
        self.interesting = set(self.by_name) | {part for ns in self.namespaces for part in ns.split(".") if part}
        self.interesting |= {u.text.split("=")[0].split()[-1] for cs in self.files for u in cs.usings
                             if "=" in u.text and u.text.split("=")[0].split()}
        self._symbols: dict[int, FileSymbols] = {}
        self._asked: set[str] = set()
        self._vocabulary: set[str] | None = None
        self._global_aliases = {u.alias: u.target[-1] for u in self.global_usings if u.kind == "alias" and u.target}
        self._words: dict[int, set[str] | None] = {}
        self._file_sets: dict[int, tuple[list[CsFile], set[int]]] = {}
        self._uses: dict[str, list[Use]] = {}          # full name -> uses
        self._calls: dict[str, list[Use]] = {}         # method name -> member uses

    # -- questions -------------------------------------------------------------------------------------------------

    def uses_of(self, decl: TypeDecl, files: list[CsFile] | None = None) -> list[Use]:
        """Code that refers to `decl` outside its own declaration, in file order (optionally only in `files`)."""
        self.ask({decl.name})
        wanted = self._wanted(files)
        return [u for u in self._uses.get(decl.full_name, [])
                if (wanted is None or id(u.file) in wanted)
                and not (u.file is decl.file and decl.start <= u.offset < decl.end)]

    def calls_of(self, method: str, files: list[CsFile] | None = None) -> list[Use]:
        """Places that name a method as a call or member (`text.Shout()`, `Shout(text)`)."""
        self.ask({method})
        wanted = self._wanted(files)
        return [u for u in self._calls.get(method, []) if wanted is None or id(u.file) in wanted]

    def _wanted(self, files: list[CsFile] | None) -> set[int] | None:
        if files is None:
            return None
        if len(files) < 8:
            return {id(f) for f in files}
        cached = self._file_sets.get(id(files))
        if cached is None or cached[0] is not files:
            cached = self._file_sets[id(files)] = (files, {id(f) for f in files})
        return cached[1]

    def ask(self, names: set[str]) -> None:
        """Walk every file that can contain one of `names` and not walked yet; bind what it refers to."""
        new = names - self._asked
        if not new:
            return
        self._asked |= new
        if self._vocabulary is None:
            # each file's words among the type names: all a question about a type can concern (a file's whole
            # word set would cost ~16 kB a file to keep)
            self._vocabulary = set(self.by_name) | set(self._global_aliases)
            for cs in self.files:
                words = cs.words()
                self._words[id(cs)] = None if words is None else words & self._vocabulary
        # `global using Fn = Shop.Orders.Function;` in one file lets any file write `Fn`
        new |= {alias for alias, target in self._global_aliases.items() if target in new}
        known, other = new & self._vocabulary, new - self._vocabulary
        for cs in self.files:
            if id(cs) in self._symbols:
                continue
            words = self._words[id(cs)]
            if words is None or not words.isdisjoint(known) or any(name in cs.text for name in other):
                self._walk(cs)

    # -- binding -----------------------------------------------------------------------------------------------------

    def _walk(self, cs: CsFile) -> None:
        symbols = self._symbols[id(cs)] = read_symbols(cs, self.interesting)
        for reference in symbols.references:
            if not any(s in self.by_name for s in reference.segments) and \
                    reference.segments[0] not in self._global_aliases and \
                    not any(u.kind == "alias" and u.alias == reference.segments[0]
                            for scope in symbols.scopes for u in scope.usings):
                continue
            for decl, note in self._bind(cs, symbols, reference):
                self._uses.setdefault(decl.full_name, []).append(
                    Use(cs, reference.offset, self._user(cs, reference.offset), reference.context, note))
        for name, offset, context in symbols.members:
            self._calls.setdefault(name, []).append(Use(cs, offset, self._user(cs, offset), context))
        for text, offset in symbols.strings:
            for word in set(_WORD.findall(text)) & self.by_name.keys():
                for decl in self.by_name[word]:
                    if decl.full_name in text:
                        self._uses.setdefault(decl.full_name, []).append(Use(
                            cs, offset, self._user(cs, offset), " ".join(text.split())[:70],
                            "its full name in a string may be reflection (Type.GetType)"))

    def _user(self, cs: CsFile, offset: int) -> TypeDecl | None:
        starts, ordered = self._spans[id(cs)]
        found = None
        for index in range(bisect.bisect_right(starts, offset) - 1, -1, -1):
            decl = ordered[index]
            if decl.start <= offset < decl.end:
                if found is None or decl.start >= found.start:
                    found = decl
                if decl.top_level:
                    break
        return found

    def _bind(self, cs: CsFile, symbols: FileSymbols, reference: Reference) -> list[tuple[TypeDecl, str]]:
        """The project types a reference uses: those its segments bind to, in order."""
        segments = reference.segments
        found: list[tuple[TypeDecl, str]] = []
        if reference.global_alias:
            first = [("ns", segments[0], "")] if segments[0] in self.namespaces else \
                [("type", segments[0], "")] if segments[0] in self.types else []
        else:
            first = self._lookup(cs, symbols, reference.offset, segments[0])
        for kind, name, note in first:
            if kind == "type":
                found.append((self.types[name], note))
            current = [(kind, name)]
            for segment in segments[1:]:
                kind_now, prefix = current[0]
                candidate = f"{prefix}.{segment}" if prefix else segment
                if candidate in self.types:
                    found.append((self.types[candidate], note))
                    current = [("type", candidate)]
                elif kind_now == "ns" and candidate in self.namespaces:
                    current = [("ns", candidate)]
                else:
                    break
        return found

    def _lookup(self, cs: CsFile, symbols: FileSymbols, offset: int, name: str) -> list[tuple[str, str, str]]:
        """What a simple name binds to at `offset`: [("type" | "ns", full name, note)]; several when ambiguous."""
        user = self._user(cs, offset)
        while user is not None:
            nested = f"{user.full_name}.{name}"
            if nested in self.types:
                return [("type", nested, "")]
            user = _outer(user, self._spans[id(cs)][1])
        scopes = [s for s in symbols.scopes if s.start <= offset < s.end or s.namespace == ""]
        scopes.sort(key=lambda s: (s.namespace.count(".") if s.namespace else -1, s.start), reverse=True)
        levels: list[tuple[str, list]] = []
        for scope in scopes:
            parts = scope.namespace.split(".") if scope.namespace else []
            usings = list(scope.usings) + (self.global_usings if not parts else [])
            levels.append((scope.namespace, usings))
            # `namespace A.B { }` is two levels, A.B then A; only the first has the block's usings
            outer = next((s for s in scopes if s is not scope and s.namespace and
                          scope.namespace.startswith(s.namespace + ".")), None)
            for n in range(len(parts) - 1, 0, -1):
                ns = ".".join(parts[:n])
                if outer is not None and outer.namespace == ns:
                    break
                levels.append((ns, []))
        for namespace, usings in levels:
            full = f"{namespace}.{name}" if namespace else name
            if full in self.types:
                return [("type", full, "")]
            if full in self.namespaces:
                return [("ns", full, "")]
            alias = next((u for u in usings if u.kind == "alias" and u.alias == name), None)
            if alias is not None:
                target = ".".join(alias.target)
                if target in self.types:
                    return [("type", target, "")]
                return [("ns", target, "")] if target in self.namespaces else []
            imported = []
            for using in usings:
                if using.kind == "alias":
                    continue
                candidate = ".".join(using.target + (name,))
                if candidate in self.types and candidate not in imported:
                    imported.append(candidate)
            if len(imported) > 1:
                note = "ambiguous: " + " and ".join(imported) + " are both imported here"
                return [("type", c, note) for c in imported]
            if imported:
                return [("type", imported[0], "")]
        return []


def _outer(decl: TypeDecl, ordered: list[TypeDecl]) -> TypeDecl | None:
    for candidate in ordered:
        if decl in candidate.nested:
            return candidate
    return None


def _global_usings(cs: CsFile) -> list[Using]:
    found = []
    for using in cs.usings:
        if not using.is_global:
            continue
        text = using.text
        static = " static " in f" {text} "
        if "=" in text:
            alias, _, target = text.partition("=")
            name = alias.split()[-1]
            found.append(Using("alias", tuple(target.strip(" ;").split(".")), name, True))
        else:
            found.append(Using("static" if static else "namespace", tuple(using.namespace.split(".")), "", True))
    return found


__all__ = ["SymbolIndex", "Use", "Scope"]
