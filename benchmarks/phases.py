"""Where one command's time goes: run it in this process with timers around the functions of each phase, and print
the phases as JSON (seconds, exclusive: time inside a nested phase counts for that phase only). Usage:

    python benchmarks/phases.py check|migrate FOLDER

Phases: read (file reading and decoding), parse (tree-sitter and the declaration walk of C#, templates, projects;
for migrate, the time this process waits for the handler files a child parses ahead, not the child's own time),
index (the symbol index: word scan, reference walk, binding), plan (analysis and planning, the rest of the
command's own work), self-check (proving the plan; its parses count as parse), render (the patch), start
(interpreter start and imports, measured by run.py as the process's wall time minus the rest).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PHASES = [
    ("splitter.model.textfile", "read_text", "read"),
    ("splitter.graph.handlers", "DiskSources.read_raw", "read"),
    ("splitter.model.csharp", "parse_file", "parse"),
    ("splitter.model.csharp", "CsFile._parse", "parse"),           # a lazily read file, parsed on first question
    ("splitter.model.csharp_prefetch", "Prefetch.wait", "parse"),  # waiting for the files parsed ahead in a child
    ("splitter.model.template", "parse_template_file", "parse"),
    ("splitter.model.msbuild", "load_project", "parse"),
    ("splitter.model.csharp_words", "WordIndex._build", "index"),
    ("splitter.graph.symbols", "SymbolIndex.__init__", "index"),
    ("splitter.graph.symbols", "SymbolIndex.load", "index"),
    ("splitter.graph.symbols", "SymbolIndex._walk", "index"),
    ("splitter.plan.planner", "plan", "plan"),
    ("splitter.graph.analyze", "analyze", "plan"),
    ("splitter.proof", "prove", "self-check"),
    ("splitter.changes.patch", "to_patch", "render"),
]


def main(argv: list[str]) -> int:
    command, folder = argv
    import importlib
    started = time.perf_counter()
    import splitter.cli as cli
    for module_name, _, _ in PHASES:
        importlib.import_module(module_name)
    import splitter.commands.check  # noqa: F401
    import splitter.commands.migrate  # noqa: F401
    imported = time.perf_counter() - started
    totals: dict[str, float] = {"read": 0.0, "parse": 0.0, "index": 0.0, "plan": 0.0, "self-check": 0.0,
                                "render": 0.0}
    stack: list[float] = []             # time spent in nested phases, per open phase

    def timed(function, phase):
        def wrapper(*args, **kwargs):
            stack.append(0.0)
            begin = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - begin
                inner = stack.pop()
                totals[phase] += elapsed - inner
                if stack:
                    stack[-1] += elapsed
        return wrapper

    for module_name, attribute, phase in PHASES:
        module = sys.modules[module_name]
        owner_name, _, name = attribute.rpartition(".")
        if owner_name:
            owner = getattr(module, owner_name)
            setattr(owner, name, timed(getattr(owner, name), phase))
            continue
        original = getattr(module, name)
        wrapped = timed(original, phase)
        for loaded in list(sys.modules.values()):
            if getattr(loaded, "__name__", "").startswith("splitter") and getattr(loaded, name, None) is original:
                setattr(loaded, name, wrapped)
    cli._fewer_collections()          # as in a lambda-split process of its own (cli.main without arguments)
    arguments = ["check", folder] if command == "check" else ["migrate", "--dry-run", folder]
    begin = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            cli.main(arguments)
        except SystemExit:
            pass
    run = time.perf_counter() - begin
    totals["plan"] += run - sum(totals.values())            # the command's own work outside the timed phases
    totals["imports"] = imported
    print(json.dumps(totals))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
