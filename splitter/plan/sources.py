"""Moving C#: whole files, or the types cut out of a file, into the function projects."""

from __future__ import annotations

from pathlib import Path

from splitter.plan import usings
from splitter.changes.changeset import Create, Modify, Move
from splitter.changes.edits import remove_spans
from splitter.graph.migration import SplitTarget
from splitter.model.csharp import CsFile, TypeDecl
from splitter.model.textfile import encode
from splitter.plan.result import FunctionProject, Plan


# -- moving C# -------------------------------------------------------------------------------------------------------

def namespaces_after(target: SplitTarget, projects: dict[str, FunctionProject]) -> usings.Namespaces:
    return usings.after_split(target.source.files, {arch: fp.moved for arch, fp in projects.items()},
                              target.source.words)


def move_sources(target: SplitTarget, projects: dict[str, FunctionProject], result: Plan, root: Path) -> None:
    """Moved types' files (or text) go to their function project. A using of a namespace only moved types declared
    is dropped wherever that namespace no longer exists: C# rejects it (CS0246)."""
    moving = {decl: fp for fp in projects.values() for decl in fp.moved}
    files: dict[CsFile, list[TypeDecl]] = {}
    for decl in moving:
        files.setdefault(decl.file, []).append(decl)
    folder = target.project.folder
    namespaces = namespaces_after(target, projects)
    lost = namespaces.words_lost(None)
    for cs in target.source.files_with(*lost) if lost else ():
        dangling = namespaces.dangling(cs, None)
        if cs not in files and dangling:
            result.changes.add(Modify(result.rel(cs.path), cs.source.raw, encode(
                remove_spans(cs.text, dangling), cs.source.encoding, cs.source.bom),
                "using directives of namespaces that left the library"))
    wholly = {cs for cs, decls in files.items() if len({moving[d].name for d in decls}) == 1
              and len(decls) == len(cs.types) and not cs.assembly_attributes and not any(u.is_global for u in cs.usings)}
    taken = {moving[decls[0]].folder / cs.path.relative_to(folder) for cs, decls in files.items() if cs in wholly}
    for cs, decls in files.items():
        rel_in_project = cs.path.relative_to(folder)
        destinations = {moving[d].name for d in decls}
        if cs in wholly:
            fp = moving[decls[0]]
            dangling = namespaces.dangling(cs, fp.architecture)
            after = encode(remove_spans(cs.text, dangling), cs.source.encoding, cs.source.bom) if dangling \
                else cs.source.raw
            result.changes.add(Move(result.rel(cs.path), result.rel(fp.folder / rel_in_project),
                                    cs.source.raw, after, f"only {fp.architecture} functions use it"))
            continue
        remaining = remove_spans(cs.text, [(d.start, d.end) for d in decls] + namespaces.dangling(cs, None))
        result.changes.add(Modify(result.rel(cs.path), cs.source.raw,
                                  encode(remaining, cs.source.encoding, cs.source.bom), "handler types moved out"))
        for name in sorted(destinations):
            fp = next(p for p in projects.values() if p.name == name)
            keep = [d for d in decls if moving[d] is fp]
            drop = [(t.start, t.end) for t in cs.types if t not in keep]
            drop += [(a.start, a.end) for a in cs.assembly_attributes]
            drop += [(u.start, u.end) for u in cs.usings if u.is_global]
            drop += namespaces.dangling(cs, fp.architecture)
            text = remove_spans(cs.text, drop)
            new_path = _free_path(fp.folder / rel_in_project.parent, [f"{keep[0].name}.cs"] * (len(keep) == 1)
                                  + [cs.path.name], taken)
            result.changes.add(Create(result.rel(new_path), encode(text, cs.source.encoding, cs.source.bom),
                                      f"{', '.join(d.name for d in keep)} moved from {cs.path.name}"))


def _free_path(folder: Path, names: list[str], taken: set[Path]) -> Path:
    """The first of `names` in `folder` that no other file moving there has taken (then `<stem>2.cs`, ...), taken
    now: a type cut out of Bar.cs is written as Foo.cs unless a file named Foo.cs moves there too."""
    stem = Path(names[-1]).stem
    candidates = [*names, *(f"{stem}{n}.cs" for n in range(2, 1000))]
    path = next(folder / name for name in candidates if folder / name not in taken)
    taken.add(path)
    return path
