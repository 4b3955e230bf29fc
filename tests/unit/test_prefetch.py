"""Issue 14: the handler files parsed ahead in a second process (splitter/model/csharp_prefetch.py). What the child
hands back is exactly what a parse here reads, whichever process parsed which file; a child that fails, or one
nobody waits for, changes nothing but where the parses run; and migrate prints the same patch with it as without."""

from __future__ import annotations

import gc
import os
import sys
import time

import pytest

from splitter.model import csharp, csharp_prefetch as prefetch
from splitter.model.csharp import parse_file
from splitter.model.csharp_words import declared_type_names
from support import FIXTURES, REPO_ROOT, fixture_copy, run_cli, sampled_cases

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from generate import generate  # noqa: E402

pytestmark = pytest.mark.skipif(not prefetch._can_fork(), reason="prefetch forks: Linux, one thread")

SOURCES = sorted({p for case in FIXTURES.iterdir() for p in case.rglob("*.cs")} |
                 {p for p in (REPO_ROOT.parent / "shared" / "real-templates").rglob("*.cs")})


def lazy_files() -> list:
    return [parse_file(path, lazy=True) for path in SOURCES]


def declarations(cs) -> dict:
    """Everything a parse reads of a file, as plain values (each declaration's file as the file's path)."""
    def decl(d):
        return {"name": d.name, "full_name": d.full_name, "namespace": d.namespace, "kind": d.kind,
                "modifiers": sorted(d.modifiers), "attributes": d.attributes, "span": (d.start, d.end),
                "file": str(d.file.path), "file_is_this": d.file is cs, "top_level": d.top_level,
                "bases": d.bases, "primary": d.primary_parameters, "base_span": d.base_span,
                "body_start": d.body_start, "nested": [decl(n) for n in d.nested]}
    return {
        "types": [decl(d) for d in cs.types],
        "usings": [(u.text, u.namespace, u.is_global, u.is_static_or_alias, u.start, u.end) for u in cs.usings],
        "assembly": [(a.name, a.text, a.argument, a.start, a.end) for a in cs.assembly_attributes],
        "namespaces": sorted(cs.namespaces), "has_errors": cs.has_errors,
        "blocks": [(b.name, b.start, b.end, b.file_scoped, [t.full_name for t in b.types])
                   for b in cs.namespace_blocks],
    }


def names_of_half(files) -> set[str]:
    return {name for cs in files[::2] for name in declared_type_names(cs.text)}


def child_started(handle, timeout: float = 10.0) -> None:
    """Until the child has taken a file: so that both processes parse some, whatever the machine's speed."""
    deadline = time.monotonic() + timeout
    while handle.taken[0] == prefetch._FREE and time.monotonic() < deadline:
        time.sleep(0.005)


def test_the_files_either_process_parsed_read_exactly_as_a_parse_here(monkeypatch):
    assert len(SOURCES) >= prefetch.MIN_FILES, len(SOURCES)
    files, names = lazy_files(), names_of_half(lazy_files())
    handle = prefetch.start(files, names)
    assert handle is not None
    child_started(handle)
    here: list[str] = []
    parse = csharp.CsFile._parse          # from now on, a parse in this process is seen; the child's are not
    monkeypatch.setattr(csharp.CsFile, "_parse", lambda self, *a, **k: here.append(self.path) or
                        parse(self, *a, **k))
    files[0].types                        # the first question waits for the child
    monkeypatch.setattr(csharp.CsFile, "_parse", parse)
    concerned = [cs for cs in files if prefetch.concerns(cs, frozenset(names))]
    assert concerned and all(cs.parsed for cs in concerned), "every file the plan asks about is read"
    assert not any(cs.parsed for cs in files if cs not in concerned), "and no other"
    from_child = [cs for cs in concerned if cs.path not in here]
    assert from_child, "the child parsed the first files"
    assert not any("_prefetch" in cs.__dict__ for cs in files)
    for cs in concerned:
        assert declarations(cs) == declarations(parse_file(cs.path)), cs.path


def test_a_child_that_fails_leaves_every_file_to_parse_here(monkeypatch):
    monkeypatch.setattr(prefetch, "_parse_from_first", lambda *a: 1 / 0)
    files = lazy_files()
    handle = prefetch.start(files, names_of_half(files))
    pid = handle.pid
    for cs in files:
        assert declarations(cs) == declarations(parse_file(cs.path)), cs.path
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)       # collected


def test_a_prefetch_nobody_waits_for_is_stopped_and_collected():
    files = lazy_files()
    handle = prefetch.start(files, names_of_half(files))
    pid = handle.pid
    del handle, files                     # a run that stopped before its plan
    gc.collect()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_no_child_for_few_files_or_when_turned_off(monkeypatch):
    files = lazy_files()
    assert prefetch.start(files[:prefetch.MIN_FILES - 1], names_of_half(files)) is None
    assert prefetch.start(files, set()) is None
    monkeypatch.setenv("LAMBDA_SPLIT_PREFETCH", "0")
    assert prefetch.start(files, names_of_half(files)) is None
    assert not any(cs.parsed for cs in files)


def test_on_a_large_project_the_child_parses_the_handler_files(tmp_path, monkeypatch):
    generate(tmp_path / "repo", functions=40, files=200, fmt="json", shape="project")
    seen = []
    start = prefetch.start
    monkeypatch.setattr(prefetch, "start", lambda files, names: seen.append((files, set(names))) or
                        start(files, names))
    assert run_cli("migrate", "--dry-run", tmp_path / "repo").code == 0
    (files, names), = seen
    handlers = {p.stem for p in (tmp_path / "repo").rglob("*.cs") if "Handlers" in p.parts}
    assert handlers <= names, sorted(handlers - names)
    concerned = {cs.path.stem for cs in files if prefetch.concerns(cs, frozenset(names))}
    assert concerned == handlers


CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "before").is_dir())


@pytest.mark.parametrize("case", sampled_cases(CASES, {"mixed-json", "name-bindings", "annotations-functions",
                                                       "shared-handler-yaml"}))
def test_migrate_prints_the_same_patch_with_a_prefetch_as_without(case, monkeypatch):
    before = fixture_copy(case)
    monkeypatch.setenv("LAMBDA_SPLIT_PREFETCH", "0")
    without = run_cli("migrate", "--dry-run", before)
    monkeypatch.delenv("LAMBDA_SPLIT_PREFETCH")
    monkeypatch.setattr(prefetch, "MIN_FILES", 1)         # every fixture is smaller than a prefetch is worth
    started = []
    start = prefetch.start
    monkeypatch.setattr(prefetch, "start", lambda *a: started.append(start(*a)) or started[-1])
    with_child = run_cli("migrate", "--dry-run", before)
    assert (with_child.code, with_child.out, with_child.err) == (without.code, without.out, without.err)
    assert all(handle is not None for handle in started)
    assert started or "Split " not in without.err, "a split ran a child"


def test_the_child_holds_none_of_the_parent_s_locks(tmp_path):
    import fcntl
    lock = tmp_path / "lock"
    held = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)          # a run lock, as splitter/changes/state.py takes it
    files = lazy_files()
    handle = prefetch.start(files, {n for cs in files for n in declared_type_names(cs.text)})   # a long child
    child_started(handle)
    os.close(held)                                            # the run releases it ...
    again = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(again, fcntl.LOCK_EX | fcntl.LOCK_NB)     # ... and it is free, the child still parsing or not
    finally:
        os.close(again)
        handle.wait()


def test_a_file_that_fails_to_parse_here_is_left_to_fail_when_asked(monkeypatch):
    files = lazy_files()
    names = names_of_half(files)
    last = max(n for n, cs in enumerate(files) if prefetch.concerns(cs, frozenset(names)))
    handle = prefetch.start(files, names)
    parse = csharp.CsFile._parse

    def broken(self, *args, **kwargs):
        if self is files[last]:
            self._empty(False)                # half read, as a walk that fails midway leaves it
            raise RuntimeError("walk failed")
        return parse(self, *args, **kwargs)
    monkeypatch.setattr(csharp.CsFile, "_parse", broken)     # here only: the child forked before
    handle.wait()
    assert not files[last].parsed, "no half-read declarations stand"
    with pytest.raises(RuntimeError):     # asked, it fails as it would without a prefetch
        files[last].types
