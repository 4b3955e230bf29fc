"""The C# of an Annotations split: class files moved whole, or copied with the other architecture's methods cut."""

from __future__ import annotations


from splitter.plan import usings
from splitter.changes.changeset import Create, Modify, Move
from splitter.changes.edits import line_start, remove_spans
from splitter.graph.migration import SplitTarget
from splitter.model.csharp import CsFile, MemberDecl, TypeDecl
from splitter.model.textfile import encode
from splitter.plan.result import FunctionProject, Plan
from splitter.plan.annotations.classes import Layout


# -- sources ------------------------------------------------------------------------------------------------------------

def move_sources(target: SplitTarget, projects: dict[str, FunctionProject], layout: Layout,
                  result: Plan) -> None:
    whole = {c.decl: c.whole for c in layout.classes if c.whole}
    whole.update({d: arch for arch, fp in projects.items() for d in fp.moved})
    split = {c.decl: c for c in layout.classes if not c.whole}
    startups = set(layout.startups)
    folder = target.project.folder
    namespaces = layout.namespaces = usings.after_split(target.source.files, {
        arch: [t for t, home in whole.items() if home == arch] + list(split) + list(startups) for arch in projects})
    for cs in target.source.files:
        leaving = [t for t in cs.types if t in whole or t in split or t in startups]
        dangling = namespaces.dangling(cs, None)
        if not leaving:
            if dangling:
                result.changes.add(Modify(result.rel(cs.path), cs.source.raw, encode(
                    remove_spans(cs.text, dangling), cs.source.encoding, cs.source.bom),
                    "using directives of namespaces that left the library"))
            continue
        library_text = _without(cs, [(t.start, t.end) for t in leaving] + dangling, set(leaving))
        nothing_left = len(leaving) == len(cs.types) and not cs.assembly_attributes and \
            not any(u.is_global for u in cs.usings)
        copies: dict[str, str] = {}
        for arch in projects:
            gets = [t for t in leaving if whole.get(t) == arch or t in split or t in startups]
            if not gets:
                continue
            drop = [(t.start, t.end) for t in cs.types if t not in gets]
            for decl in gets:
                if decl in split:
                    drop += [(m.start, m.end) for m in decl.members if m not in split[decl].parts[arch]]
            drop += [(a.start, a.end) for a in cs.assembly_attributes]
            drop += [(u.start, u.end) for u in cs.usings if u.is_global]
            drop += namespaces.dangling(cs, arch)
            copies[arch] = _without(cs, drop, set(cs.types) - set(gets))
            for decl in gets:
                if decl in split:
                    copies[arch] = _silence_unread_parameters(copies[arch], decl, split[decl].parts[arch])
        rel = cs.path.relative_to(folder)
        first = True
        for arch, text in copies.items():
            fp = projects[arch]
            data = encode(text, cs.source.encoding, cs.source.bom)
            what = ", ".join(t.name for t in leaving if whole.get(t) == arch or t in split or t in startups)
            if nothing_left and first:
                result.changes.add(Move(result.rel(cs.path), result.rel(fp.folder / rel), cs.source.raw, data,
                                        f"{what} for the {arch} functions"))
            else:
                result.changes.add(Create(result.rel(fp.folder / rel), data, f"{what} from {cs.path.name}"))
            first = False
        if not nothing_left:
            result.changes.add(Modify(result.rel(cs.path), cs.source.raw,
                                      encode(library_text, cs.source.encoding, cs.source.bom),
                                      "Annotations classes moved to the function projects"))


def _silence_unread_parameters(text: str, decl: TypeDecl, kept: list[MemberDecl]) -> str:
    """A copy that no longer reads some parameters of its primary constructor (only the other architecture's
    methods did) would warn CS9113, an error under TreatWarningsAsErrors. The parameters stay, since dependency
    injection constructs the class with them; the copy disables that warning above the class."""
    used = set(decl.base_uses).union(*(m.uses for m in kept))
    unread = [p for p in decl.primary_parameters if p not in used]
    header = decl.file.text[decl.start:decl.body_start] if decl.body_start is not None else ""
    at = text.find(header) if unread and header else -1
    if at < 0:
        return text
    start = line_start(text, at)
    indent = text[start:at]
    while start > 0 and text[line_start(text, start - 1):start].strip().startswith("///"):   # its doc comment
        start = line_start(text, start - 1)
    pragma = f"{indent}#pragma warning disable CS9113 // {', '.join(unread)}: read only by the other " \
             f"architecture's methods (lambda-split){decl.file.source.newline}"
    return text[:start] + pragma + text[start:]


def _without(cs: CsFile, spans: list[tuple[int, int]], gone: set[TypeDecl]) -> str:
    """The file without `spans`, and without namespace blocks whose every type is gone. Neighbouring declarations
    go as one span, so that the blank lines between them go too."""
    spans = list(spans)
    for block in cs.namespace_blocks:
        if block.types and all(t in gone for t in block.types):
            spans.append((block.start, block.end))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or _only_comments(cs.text[merged[-1][1]:start])):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return remove_spans(cs.text, [(start, end) for start, end in merged])


def _only_comments(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines()]
    return all(not line or line.startswith(("//", "/*", "*")) for line in lines)
