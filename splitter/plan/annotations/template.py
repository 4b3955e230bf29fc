"""The per-project templates of an Amazon.Lambda.Annotations split: which resources, outputs, parameters, conditions
and mappings each function project's template holds, cut out of the original template's text so that every kept
byte stays as it was.

The generator owns resources marked `Metadata.Tool: Amazon.Lambda.Annotations` and deletes the ones it owns but no
longer finds, so each function project gets its own template holding its functions; what the generator does not own
stays in the original template, which retires when nothing is left in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from splitter.changes.changeset import Create, Move
from splitter.changes.edits import Edit, apply_edits, insert_key, line_end, line_start, replace_scalar
from splitter.errors import SplitterError
from splitter.model.nodes import Node, intrinsic
from splitter.model.template import ANNOTATIONS_TOOL, Function, Template
from splitter.model.textfile import encode
from splitter.plan.templates import architectures_value, scalar
from splitter.plan.result import FunctionProject, Plan
from splitter.changes.edits import merge_inserts

# Sections whose entries are copied where they are referenced (declarations, not things CloudFormation creates).
DECLARATIONS = ("Parameters", "Conditions", "Mappings")
IMPLICIT_APIS = {"Api": ("ServerlessRestApi", "RestApiId"), "HttpApi": ("ServerlessHttpApi", "ApiId")}
_SUB_NAME = re.compile(r"\$\{(?!!)([A-Za-z0-9_:]+)(?:\.[A-Za-z0-9_.]+)?\}")


@dataclass
class ProjectTemplate:
    architecture: str
    text: str
    resources: list[str]
    outputs: list[str]
    implicit_apis: list[str]                   # ServerlessRestApi / ServerlessHttpApi this template's events create
    parameters: list[str] = field(default_factory=list)
    copied: list[str] = field(default_factory=list)   # owned non-function resources also in another template


@dataclass
class TemplateSplit:
    template: Template
    projects: dict[str, ProjectTemplate]
    remaining: list[str]                       # resources that stay in the original template
    original_edits: list[Edit]                 # removals (when it stays), on the original text
    retired: bool                              # nothing is left: the original stops being a deployment


@dataclass
class Place:
    """What one resulting template holds, for deciding where an output can go."""
    names: set[str]
    apis: list[str]
    functions: set[str]


def is_owned(resource: Node) -> bool:
    tool = resource.path("Metadata", "Tool")
    return tool is not None and tool.kind == "scalar" and tool.value == ANNOTATIONS_TOOL


def split_template(template: Template, homes: dict[str, str], edits: dict[str, list[Edit]],
                   staying_edits: list[Edit]) -> TemplateSplit:
    """`homes` maps each owned function's logical ID to its architecture; `edits` holds, per architecture, the edits
    of its functions (CodeUri, Handler, Architectures) on the original text; `staying_edits` those of functions
    that stay in the original."""
    root = template.root
    resources = root.get("Resources")
    declared = {name: section for section in ("Resources",) + DECLARATIONS
                for name in _entries(root.get(section))}
    owned = {name for name, node in resources.items() if is_owned(node)}
    architectures = sorted(set(homes.values()), key=lambda a: a != "x86_64")
    kept = {arch: _closure(template, {n for n, a in homes.items() if a == arch}, homes, owned, arch, declared)
            for arch in architectures}
    copies = {n for arch in architectures for n in kept[arch] if declared.get(n) == "Resources" and n not in homes}
    remaining = [n for n in resources.value if n not in homes and n not in copies]
    retired = not remaining
    staying = _closure(template, set(remaining), homes, owned, None, declared) if remaining else set()
    places = {arch: Place(kept[arch], _implicit_apis(resources, kept[arch]), _functions(resources, kept[arch]))
              for arch in architectures}
    if not retired:
        places[None] = Place(staying, _implicit_apis(resources, staying), _functions(resources, staying))
    outputs = _place_outputs(template, places, declared)
    projects: dict[str, ProjectTemplate] = {}
    for arch in architectures:
        names = kept[arch] | {n for o in outputs.get(arch, []) for n in _declarations_of(template, o, declared)}
        cuts = _cuts(template, names, outputs.get(arch, []))
        projects[arch] = ProjectTemplate(
            arch, apply_edits(template.source.text, cuts + edits.get(arch, [])),
            [n for n in resources.value if n in names], outputs.get(arch, []), places[arch].apis,
            [n for n in _entries(root.get("Parameters")) if n in names],
            sorted(n for n in copies & names if sum(n in kept[a] for a in architectures) > 1))
    original_edits: list[Edit] = []
    if not retired:
        names = staying | {n for o in outputs.get(None, []) for n in _declarations_of(template, o, declared)}
        names |= {n for n, section in declared.items() if section != "Resources" and not _used_anywhere(template, n)}
        original_edits = _cuts(template, names, outputs.get(None, [])) + staying_edits
    return TemplateSplit(template, projects, remaining, original_edits, retired)


def _entries(section: Node | None) -> list[str]:
    return list(section.value) if section is not None and section.kind == "map" else []


# -- what refers to what -----------------------------------------------------------------------------------------

def references(node: Node) -> set[str]:
    """Names a value refers to: Ref, Fn::GetAtt, Fn::Sub variables, Fn::FindInMap maps, conditions, DependsOn."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        call = intrinsic(current)
        if call is not None:
            name, arg = call
            found |= _called_names(name, arg)
            stack.append(arg)
            continue
        if current.kind == "map":
            for key, value in current.items():
                if key in ("DependsOn", "Condition") and value.kind in ("scalar", "seq"):
                    items = value.value if value.kind == "seq" else [value]
                    found |= {str(v.value) for v in items if v.kind == "scalar" and v.value}
                stack.append(value)
        elif current.kind == "seq":
            stack.extend(current.value)
    return {n for n in found if not n.startswith("AWS::")}


def _called_names(name: str, arg: Node) -> set[str]:
    first = arg.value[0] if arg.kind == "seq" and arg.value else arg
    text = str(first.value) if first.kind == "scalar" and first.value is not None else ""
    if name in ("Ref", "Condition", "Fn::FindInMap", "Fn::If"):
        return {text} if text else set()
    if name == "Fn::GetAtt":
        return {text.split(".")[0]} if text else set()
    if name == "Fn::Sub":
        variables = set(_entries(arg.value[1])) if arg.kind == "seq" and len(arg.value) > 1 else set()
        return {m.group(1) for m in _SUB_NAME.finditer(text)} - variables
    return set()


def _closure(template: Template, start: set[str], homes: dict[str, str], owned: set[str], arch: str | None,
             declared: dict[str, str]) -> set[str]:
    """Everything `start` needs, through references, with Globals and the other top-level sections included.

    A function project's template may copy declarations and resources the generator owns; it cannot take a
    function of the other architecture or a resource the original keeps, and what the original keeps cannot refer
    to a function that leaves it."""
    resources = template.root.get("Resources")
    names: set[str] = set()
    queue = [(n, None) for n in sorted(start)]
    for key, value in template.root.items():
        if key not in ("Resources", "Outputs") + DECLARATIONS:
            queue.extend((n, key) for n in sorted(references(value)))
    while queue:
        name, referrer = queue.pop(0)
        if name in names or name not in declared:
            continue
        if declared[name] == "Resources" and name not in start:
            _check_movable(template, name, referrer, homes, owned, arch, _declared_line(template, referrer, declared))
        names.add(name)
        node = resources.get(name) if declared[name] == "Resources" else template.root.path(declared[name], name)
        queue.extend((n, name) for n in sorted(references(node)))
    return names


def _declared_line(template: Template, name: str | None, declared: dict[str, str]) -> int | None:
    """The line of `name`'s key: a resource, parameter, condition or mapping, else a top-level key (Globals)."""
    section = template.root.get(declared[name]) if name in declared else template.root
    key = section.keys.get(name) if section is not None and section.kind == "map" and section.keys else None
    return key.line if key is not None else None


def _check_movable(template: Template, name: str, referrer: str | None, homes: dict[str, str], owned: set[str],
                   arch: str | None, line: int | None) -> None:
    where = template.path
    if arch is None:
        if name in homes:
            raise SplitterError(f"{referrer} stays in this template but refers to {name}, which moves to the "
                                f"{homes[name]} function project's own template and stack", where, line,
                                hint=f"remove the reference, or let {referrer} refer to a parameter instead")
        return
    if name in homes and homes[name] != arch:
        raise SplitterError(f"{referrer} ({arch}) refers to {name} ({homes[name]}): after the split they live in "
                            "two stacks, and CloudFormation cannot refer across stacks this way", where, line,
                            hint="remove the reference (or give both the same architecture), then run again")
    if name not in owned:
        raise SplitterError(
            f"{referrer} refers to {name}, which Amazon.Lambda.Annotations does not own: it stays in the original "
            f"template's stack, and {referrer}'s new stack ({arch}) cannot refer to it", where, line,
            hint=f"move {name} to a stack of its own and pass its name or ARN as a template parameter (or export "
                 "it and use Fn::ImportValue), then run lambda-split again")


def _functions(resources: Node, names: set[str]) -> set[str]:
    found = set()
    for name in names:
        kind = resources.value[name].get("Type") if name in resources.value else None
        if kind is not None and kind.kind == "scalar" and str(kind.value).endswith("::Function"):
            found.add(name)
    return found


def _implicit_apis(resources: Node, names: set[str]) -> list[str]:
    apis = []
    for name in resources.value:
        if name not in names:
            continue
        events = resources.value[name].path("Properties", "Events")
        for _, event in (events.items() if events is not None else []):
            kind = event.get("Type")
            api = IMPLICIT_APIS.get(kind.value if kind is not None and kind.kind == "scalar" else None)
            properties = event.get("Properties")
            if api and (properties is None or api[1] not in properties.value) and api[0] not in apis:
                apis.append(api[0])
    return apis


def _declarations_of(template: Template, output: str, declared: dict[str, str]) -> set[str]:
    node = template.root.path("Outputs", output)
    found, queue = set(), sorted(references(node))
    while queue:
        name = queue.pop(0)
        if name in found or declared.get(name) not in DECLARATIONS:
            continue
        found.add(name)
        queue.extend(sorted(references(template.root.path(declared[name], name))))
    return found


def _place_outputs(template: Template, places: dict[str | None, Place],
                   declared: dict[str, str]) -> dict[str | None, list[str]]:
    """An output goes with what it refers to: to the original template when all of it stays there, else to every
    function project's template where all of it exists (an implicit API exists in each template whose functions'
    events create it). An output that refers to nothing goes where the original's deployment goes."""
    placed: dict[str | None, list[str]] = {}
    for name in _entries(template.root.get("Outputs")):
        refs = {r for r in references(template.root.path("Outputs", name)) if declared.get(r) not in DECLARATIONS}
        fits = [key for key, place in places.items() if all(_exists_in(r, place, declared) for r in refs)]
        if None in fits:
            fits = [None]
        if not fits:
            raise SplitterError(f"output {name} refers to {', '.join(sorted(refs))}, which end up in different "
                                "stacks after the split", template.path,
                                _declared_line(template, name, {name: "Outputs"}),
                                hint="split the output into one per architecture, then run again")
        for key in fits:
            placed.setdefault(key, []).append(name)
    return placed


def _exists_in(name: str, place: Place, declared: dict[str, str]) -> bool:
    if name in place.names:
        return True
    if name in declared:
        return False
    if any(name.startswith(api) for api in place.apis):
        return True                              # ServerlessHttpApi, ServerlessRestApiProdStage, ...
    # Resources SAM derives from a function: <Function>Role, <Function>Version, <Function>Url, ...
    return any(name.startswith(function) for function in place.functions)


def _used_anywhere(template: Template, name: str) -> bool:
    root = template.root
    return any(name in references(value) for key, value in root.items() if key not in DECLARATIONS) or any(
        name in references(entry) for section in DECLARATIONS for n, entry in
        (root.get(section).items() if root.get(section) is not None else []) if n != name)


# -- cutting the text --------------------------------------------------------------------------------------------

def _cuts(template: Template, keep: set[str], outputs: list[str]) -> list[Edit]:
    """Edits removing every resource, declaration and output not kept (a section left empty goes entirely)."""
    root, text, fmt = template.root, template.source.text, template.format
    drop_sections: list[str] = []
    edits: list[Edit] = []
    for section in ("Resources",) + DECLARATIONS + ("Outputs",):
        node = root.get(section)
        if node is None or node.kind != "map" or not node.value:
            continue
        wanted = set(outputs) if section == "Outputs" else keep
        gone = [n for n in node.value if n not in wanted]
        if len(gone) == len(node.value):
            drop_sections.append(section)
        elif gone:
            edits += remove_keys(text, node, gone, fmt, template.path)
    return edits + remove_keys(text, root, drop_sections, fmt, template.path)


def remove_keys(text: str, mapping: Node, names: list[str], fmt: str, path=None) -> list[Edit]:
    """Edits removing whole `key: value` entries of a mapping, with their separators (JSON commas, YAML lines and
    the comment lines right above an entry)."""
    if not names:
        return []
    keys = list(mapping.value)
    removed = [k in names for k in keys]
    runs, i = [], 0
    while i < len(keys):
        if removed[i]:
            j = i
            while j + 1 < len(keys) and removed[j + 1]:
                j += 1
            runs.append((i, j))
            i = j + 1
        else:
            i += 1
    if fmt == "json":
        return [_json_run(mapping, keys, i, j) for i, j in runs]
    if mapping.flow:
        raise SplitterError("cannot cut entries out of a flow-style YAML mapping", path, mapping.line,
                            hint="write the mapping in block style")
    starts = [_yaml_entry_start(text, mapping.keys[k]) for k in keys]
    edits = []
    for i, j in runs:
        end = starts[j + 1] if j + 1 < len(keys) else line_end(text, mapping.value[keys[j]].end)
        edits.append(Edit(starts[i], end, ""))
    return edits


def _json_run(mapping: Node, keys: list[str], i: int, j: int) -> Edit:
    if i > 0:                                   # from the end of the entry before: its comma goes too
        return Edit(mapping.value[keys[i - 1]].end, mapping.value[keys[j]].end, "")
    if j + 1 < len(keys):                       # the first entries: up to the next key
        return Edit(mapping.keys[keys[i]].start, mapping.keys[keys[j + 1]].start, "")
    return Edit(mapping.start + 1, mapping.end - 1, "")


def _yaml_entry_start(text: str, key: Node) -> int:
    start = line_start(text, key.start)
    while start > 0:
        previous = line_start(text, start - 1)
        if text[previous:start].strip().startswith("#"):
            start = previous
        else:
            break
    return start


# -- the functions and files of each project's template -------------------------------------------------------

def owned_function_edits(template: Template, function: Function, handler: str | None) -> list[Edit]:
    """The function as its project's generator writes it: `CodeUri` "." (the template sits in the project folder),
    `Handler` naming the project's assembly, and the architecture written out where it was the default."""
    text, fmt, props = template.source.text, template.format, function.properties
    edits, inserted = [], []
    code = props.get("CodeUri")
    if code is not None:
        edits.append(replace_scalar(code, ".", fmt))
    else:
        inserted.append(("CodeUri", scalar(".", fmt), None))
    node = props.get("Handler")
    if node is not None and handler is not None and function.handler != handler:
        edits.append(replace_scalar(node, handler, fmt))
    if function.architecture_origin == "default":
        inserted.append(("Architectures",) + architectures_value(template, function.architecture))
    anchor = "CodeUri" if "CodeUri" in props.value else "Handler"
    for key, value, block in inserted:
        edits.append(insert_key(text, props, key, value, fmt, after=anchor, yaml_block_value=block))
    return merge_inserts(edits)


def template_changes(split: TemplateSplit, projects: dict[str, FunctionProject], result: Plan) -> None:
    template = split.template
    source = template.source
    first = True
    for arch, project_template in split.projects.items():
        fp = projects[arch]
        path = fp.folder / template.path.name
        data = encode(project_template.text, source.encoding, source.bom)
        if split.retired and first:
            result.changes.add(Move(result.rel(template.path), result.rel(path), source.raw, data,
                                    f"the {arch} functions' template, owned by {fp.name}'s generator"))
        else:
            result.changes.add(Create(result.rel(path), data,
                                      f"the {arch} functions' template, owned by {fp.name}'s generator"))
        first = False
