"""plan/consumers.py: which mentions of a split project's folder the plan's own changes retargeted."""

from pathlib import Path
from types import SimpleNamespace

from splitter.changes.changeset import ChangeSet, Modify, Move
from splitter.graph.consumers import Mention
from splitter.plan.consumers import consumers
from splitter.plan.result import Plan

ROOT = Path("/repo")


def _plan(changes, mentions):
    target = SimpleNamespace(project=SimpleNamespace(folder=ROOT / "src/Api"), units=[], mentions=mentions)
    projects = {"x86_64": SimpleNamespace(folder=ROOT / "src/Api.X64"),
                "arm64": SimpleNamespace(folder=ROOT / "src/Api.Arm64")}
    return Plan(ROOT, ChangeSet(ROOT, list(changes)), split=[(target, projects)])


def _mention(rel, line, text):
    return Mention(ROOT / rel, line, text, "src/Api")


def test_mentions_in_rewritten_files_are_left_only_when_a_call_survives_the_rewrite():
    after = b'  new Worker(this, "W", "src/Api");  \nconst string P = "src/Api";\nx = f("src/Api.X64")\n'
    mentions = [
        _mention("infra/Stack.cs", 1, 'new Worker(this, "W", "src/Api");'),     # still there: left
        _mention("infra/Stack.cs", 2, 'const string P = "src/Api";'),          # a declaration: never left
        _mention("infra/Stack.cs", 3, 'x = f("src/Api")'),                    # rewritten: gone from the file
        _mention("infra/Stack.cs", 4, 'Dir = "src/Api"'),                     # no call
        _mention("infra/Other.cs", 7, 'new Worker(this, "W", "src/Api");'),    # a file the plan leaves alone
        _mention("old/Moved.cs", 1, 'new Worker(this, "W", "src/Api");'),      # moved: the move retargets it
    ]
    changes = [Modify("infra/Stack.cs", b"", after), Move("old/Moved.cs", "new/Moved.cs", b"", b"")]
    retargeted, left = consumers(_plan(changes, mentions))
    assert retargeted == []
    assert [(c.path, c.line) for c in left] == [("infra/Stack.cs", 1), ("infra/Other.cs", 7)]
    assert left[0].library == "src/Api" and left[0].targets == ("src/Api.X64", "src/Api.Arm64")


def test_a_rewritten_file_undecodable_as_utf8_is_compared_after_replacement():
    after = 'new Worker("\ufffd", "src/Api");\n'.encode("utf-8").replace("\ufffd".encode("utf-8"), b"\xff")
    mentions = [_mention("a.cs", 1, 'new Worker("\ufffd", "src/Api");')]
    _, left = consumers(_plan([Modify("a.cs", b"", after)], mentions))
    assert [c.line for c in left] == [1]
