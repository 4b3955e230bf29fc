"""One symbol index per project being split: its declared types, and which code refers to each of them, bound the
way the C# compiler binds names as far as syntax allows.

A simple name binds through the enclosing scopes first: in an expression a parameter or local of that name (the
reader drops such names, model/symbols.py) or a field, property, event or method of an enclosing type hides any
type (`Function.Length` reads the property or parameter `Function`); in any position a nested type of an enclosing
type wins. Then each enclosing namespace from the innermost out: a type of that namespace first, then the usings
written in that namespace block (aliases, `using static`, imported namespaces; the compilation unit's level also
sees every file's `global using`). A `using static T;` or `using A = T;` directive is itself a use of T: the
compiler rejects it when T is missing, used or not. Pattern variables (`o is string Function`) and members a base
type declares are not seen: a name they hide still counts as a use (a type kept in the library for nothing, never a
build broken). A dotted name binds its first
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
from splitter.model.csharp_words import WordIndex, alias_names, declared_namespaces, declared_type_names
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

    @property
    def who(self) -> str:
        """The type around the use, or what the code outside every type is (a using directive, an attribute)."""
        if self.user is not None:
            return self.user.full_name
        text = self.file.text
        end = text.find("\n", self.offset)
        line = text[text.rfind("\n", 0, self.offset) + 1:end if end >= 0 else len(text)].lstrip()
        return _outside_types(line, self.file.path.name)

    def describe(self, what: str, root: Path | None = None) -> str:
        """`src/Shop/Startup.cs:32: Shop.Startup uses Shop.Functions.Resize (new Resize())`, `what` being
        "uses Shop.Functions.Resize"."""
        path = self.file.path
        if root is not None:
            try:
                path = path.relative_to(root)
            except ValueError:
                pass
        note = f"; {self.note}" if self.note else ""
        user = self.who
        return f"{path.as_posix()}:{self.line}: {user} {what} ({self.text}{note})"


class SymbolIndex:
    """Types declared in a set of files, and the uses of each, computed type by type as they are asked. Nothing is
    parsed up front: the word index (model/csharp_words.py) says which files may declare a name or refer to it, and
    only those are parsed (declarations) or walked (references)."""

    def __init__(self, files: list[CsFile], words: WordIndex | None = None):
        self.files = list(files)
        self.words = words if words is not None else WordIndex(self.files)
        self.types: dict[str, TypeDecl] = {}
        self.by_name: dict[str, list[TypeDecl]] = {}
        self.namespaces: set[str] = {""}
        self._order = {id(cs): n for n, cs in enumerate(self.files)}
        self._spans: dict[int, tuple[list[int], list[TypeDecl]]] = {}
        self._loaded: set[str] = set()
        self._namespaces_read = False
        self._interesting: set[str] | None = None
        self.global_usings = [u for cs in self.words.files_with("global") for u in _global_usings(cs)]
        self._global_aliases = {u.alias: u.target[-1] for u in self.global_usings if u.kind == "alias" and u.target}
        self._symbols: dict[int, FileSymbols] = {}
        self._asked_types: set[int] = set()
        self._asked_calls: set[str] = set()
        self._file_sets: dict[int, tuple[list[CsFile], set[int]]] = {}
        self._uses: dict[str, list[Use]] = {}          # full name -> uses
        self._calls: dict[str, list[Use]] = {}         # method name -> member uses

    # -- declarations ----------------------------------------------------------------------------------------------

    def named(self, name: str) -> list[TypeDecl]:
        """Every type called `name` (no namespace), in file order: the files that may declare one are parsed."""
        self.load(name)
        return self.by_name.get(name, [])

    def declared(self, full_name: str) -> TypeDecl | None:
        """The type of that full name (`Ns.Outer.Inner`), the first in file order."""
        self.load(full_name.rsplit(".", 1)[-1])
        return self.types.get(full_name)

    def load(self, name: str) -> None:
        if name in self._loaded:
            return
        self._loaded.add(name)
        for cs in self.words.may_declare(name):
            self._declare(cs)

    def _declare(self, cs: CsFile) -> None:
        if id(cs) in self._spans:
            return
        ordered = sorted(cs.all_types(), key=lambda d: (d.start, -d.end))
        self._spans[id(cs)] = ([d.start for d in ordered], ordered)
        position = self._order.get(id(cs), len(self._order))
        for decl in ordered:
            known = self.types.get(decl.full_name)
            if known is None or self._order.get(id(known.file), 0) > position:
                self.types[decl.full_name] = decl
            same = self.by_name.setdefault(decl.name, [])
            same.append(decl)
            same.sort(key=lambda d: (self._order.get(id(d.file), 0), d.start))
        self._add_namespaces(cs.namespaces)

    def _add_namespaces(self, names) -> None:
        for namespace in names:
            parts = namespace.split(".")
            self.namespaces.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))

    def _read_namespaces(self) -> None:
        """Every namespace the files declare: from the text where it tells exactly, else from a parse."""
        if self._namespaces_read:
            return
        self._namespaces_read = True
        for cs in self.files:
            found = None if cs.parsed else declared_namespaces(cs.text)
            if found is None:
                self._declare(cs)
            else:
                self._add_namespaces(found)

    def interesting(self) -> set[str]:
        """The only words a reference that binds to one of these types can hold (a superset): every name a file may
        declare as a type, every namespace segment, every alias."""
        if self._interesting is None:
            self._read_namespaces()
            words = {part for ns in self.namespaces for part in ns.split(".") if part}
            for cs in self.files:
                text = cs.text
                words |= declared_type_names(text) | alias_names(text)
            self._interesting = words | set(self._global_aliases)
        return self._interesting

    # -- questions -------------------------------------------------------------------------------------------------

    def uses_of(self, decl: TypeDecl, files: list[CsFile] | None = None) -> list[Use]:
        """Code that refers to `decl` outside its own declaration, in file order (optionally only in `files`)."""
        self._ask_type(decl)
        wanted = self._wanted(files)
        return [u for u in self._uses.get(decl.full_name, [])
                if (wanted is None or id(u.file) in wanted)
                and not (u.file is decl.file and decl.start <= u.offset < decl.end)]

    def calls_of(self, method: str, files: list[CsFile] | None = None) -> list[Use]:
        """Places that name a method as a call or member (`text.Shout()`, `Shout(text)`)."""
        if method not in self._asked_calls:
            self._asked_calls.add(method)
            for cs in self.words.files_with(method):
                self._walk(cs)
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
        """Find the uses of every type called one of `names` now (uses_of asks on its own)."""
        for name in sorted(names):
            for decl in self.named(name):
                self._ask_type(decl)

    def _ask_type(self, decl: TypeDecl) -> None:
        """Walk every file that can refer to `decl` and was not walked yet. Its own file is walked only when a name
        that can refer to it appears outside its declaration: what the declaration says of itself is no use."""
        if id(decl) in self._asked_types:
            return
        self._asked_types.add(id(decl))
        # `global using Fn = Shop.Orders.Function;` in one file lets any file write `Fn`
        names = {decl.name} | {alias for alias, target in self._global_aliases.items() if target == decl.name}
        for cs in self.words.files_with(*names):
            if id(cs) in self._symbols:
                continue
            if cs is decl.file and not _named_outside(cs, names, decl.start, decl.end):
                continue
            self._walk(cs)

    # -- binding -----------------------------------------------------------------------------------------------------

    def _walk(self, cs: CsFile) -> None:
        if id(cs) in self._symbols:
            return
        interesting = self.interesting()
        symbols = self._symbols[id(cs)] = read_symbols(cs, interesting)
        self._declare(cs)
        for reference in symbols.references:
            for segment in reference.segments:
                if segment in interesting:
                    self.load(segment)
            if not any(s in self.by_name for s in reference.segments) and \
                    reference.segments[0] not in self._global_aliases and \
                    not any(u.kind == "alias" and u.alias == reference.segments[0]
                            for scope in symbols.scopes for u in scope.usings):
                continue
            for decl, note in self._bind(cs, symbols, reference):
                self._uses.setdefault(decl.full_name, []).append(
                    Use(cs, reference.offset, self._user(cs, reference.offset), reference.context, note))
        for scope in symbols.scopes:
            for using in scope.usings:
                for decl in self._directive_targets(scope, using):
                    self._uses.setdefault(decl.full_name, []).append(Use(cs, using.offset, None, using.text))
        for name, offset, context in symbols.members:
            self._calls.setdefault(name, []).append(Use(cs, offset, self._user(cs, offset), context))
        for text, offset in symbols.strings:
            for word in set(_WORD.findall(text)) & interesting:
                self.load(word)
            for word in set(_WORD.findall(text)) & self.by_name.keys():
                for decl in self.by_name[word]:
                    if decl.full_name in text:
                        self._uses.setdefault(decl.full_name, []).append(Use(
                            cs, offset, self._user(cs, offset), " ".join(text.split())[:70],
                            "its full name in a string may be reflection (Type.GetType)"))

    def _directive_targets(self, scope: Scope, using: Using) -> list[TypeDecl]:
        """The project type a `using static T;` or `using A = T;` names: the directive itself needs T to exist (the
        compiler rejects it otherwise, used or not). Its target binds as a full name, else inside the namespace
        the directive is written in, or one around it."""
        if using.kind == "namespace" or not using.target or using.offset < 0:
            return []
        self.load(using.target[-1])
        written = ".".join(using.target)
        parts = scope.namespace.split(".") if scope.namespace else []
        for n in range(len(parts), -1, -1):
            full = ".".join(parts[:n] + [written]) if n else written
            if full in self.types:
                return [self.types[full]]
        return []

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
            first = self._lookup(cs, symbols, reference.offset, segments[0], not reference.in_type)
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

    def _lookup(self, cs: CsFile, symbols: FileSymbols, offset: int, name: str,
                value: bool = False) -> list[tuple[str, str, str]]:
        """What a simple name binds to at `offset`: [("type" | "ns", full name, note)]; several when ambiguous.
        A `value` (a name in an expression) binds to a member of that name of an enclosing type first."""
        user = self._user(cs, offset)
        while user is not None:
            nested = f"{user.full_name}.{name}"
            if nested in self.types:
                return [("type", nested, "")]
            if value and any(m.kind in _VALUE_MEMBERS and name in m.names for m in user.members):
                return []
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
                if alias.target:
                    self.load(alias.target[-1])
                target = ".".join(alias.target)
                if target in self.types:
                    return [("type", target, "")]
                return [("ns", target, "")] if target in self.namespaces else []
            imported = []
            for using in usings:
                if using.kind == "alias":
                    continue
                if using.kind == "static" and using.target:
                    self.load(using.target[-1])
                candidate = ".".join(using.target + (name,))
                if candidate in self.types and candidate not in imported:
                    imported.append(candidate)
            if len(imported) > 1:
                note = "ambiguous: " + " and ".join(imported) + " are both imported here"
                return [("type", c, note) for c in imported]
            if imported:
                return [("type", imported[0], "")]
        return []


_VALUE_MEMBERS = ("field", "property", "event", "method", "constant")


def _outside_types(text: str, file_name: str) -> str:
    """Who uses a type from outside every type declaration, by what its line starts with."""
    if text.startswith(("using ", "global using ")):
        return f"a using directive of {file_name}"
    if text.replace(" ", "").startswith(("[assembly:", "[module:")):
        return f"an assembly attribute of {file_name}"
    return f"top-level code of {file_name}"


def _named_outside(cs: CsFile, names: set[str], start: int, end: int) -> bool:
    """Whether one of `names` appears as a word of the text outside [start, end) (or the text holds escapes)."""
    text = cs.text
    if "\\u" in text or "\\U" in text:
        return True
    for name in names:
        at = text.find(name)
        while at >= 0:
            after = at + len(name)
            if not start <= at < end and not (at and _word_char(text[at - 1])) and \
                    not (after < len(text) and _word_char(text[after])):
                return True
            at = text.find(name, at + 1)
    return False


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


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
