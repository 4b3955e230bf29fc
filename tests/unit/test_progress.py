"""Progress shows only on a terminal, only after a second, and is erased before the command prints anything else."""

from __future__ import annotations

import io
import sys

from splitter import progress as progress_module
from splitter.progress import Progress
from support import BENCHMARKS, run_cli


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run_slowly(progress: Progress, clock: Clock, items: list[str], seconds_each: float) -> list[str]:
    seen = []
    for item in progress.each(items, "reading templates"):
        clock.now += seconds_each
        seen.append(item)
    return seen


def test_a_slow_loop_on_a_terminal_shows_counts_and_erases_its_line():
    terminal, clock = Terminal(), Clock()
    progress = Progress(terminal, clock)
    assert run_slowly(progress, clock, ["a", "b", "c", "d"], 0.5) == ["a", "b", "c", "d"]
    written = terminal.getvalue()
    assert "lambda-split: reading templates 3/4" in written and "1/4" not in written   # nothing in the first second
    last_line = written.rsplit("\r", 2)
    assert last_line[-1] == "" and last_line[-2].strip() == "", "the progress line is not erased at the end"
    assert "\n" not in written


def test_a_quick_loop_shows_nothing():
    terminal, clock = Terminal(), Clock()
    run_slowly(Progress(terminal, clock), clock, ["a", "b", "c"], 0.1)
    assert terminal.getvalue() == ""


def test_nothing_is_written_into_a_pipe_or_a_file():
    pipe, clock = io.StringIO(), Clock()
    run_slowly(Progress(pipe, clock), clock, ["a", "b", "c", "d"], 2.0)
    assert pipe.getvalue() == ""


def test_a_shorter_update_overwrites_all_of_the_longer_one():
    terminal, clock = Terminal(), Clock()
    progress = Progress(terminal, clock)
    clock.now = 5.0
    progress.show("reading the C# of Orders.Api 10/10")
    clock.now = 6.0
    progress.show("x 1/2")
    last = terminal.getvalue().rsplit("\r", 1)[-1]
    assert last.startswith("lambda-split: x 1/2") and len(last) == len("lambda-split: reading the C# of Orders.Api 10/10")


def test_an_error_in_a_stage_is_printed_on_a_clean_line(monkeypatch):
    terminal, clock = Terminal(), Clock()
    monkeypatch.setattr(progress_module, "_progress", Progress(terminal, clock))
    clock.now = 5.0
    try:
        with progress_module.cleared():                    # how the CLI runs every command
            for _ in progress_module.each(["a", "b"], "reading"):
                raise RuntimeError("a stage failed")
    except RuntimeError:
        terminal.write("lambda-split: error: x\n")
    assert "reading 1/2" in terminal.getvalue()
    assert terminal.getvalue().rsplit("\r", 1)[-1] == "lambda-split: error: x\n"


def migrate_dry_run(monkeypatch, tmp_path, stderr: io.StringIO) -> str:
    """`migrate --dry-run` in-process on a generated solution, with progress due at once; its stderr."""
    sys.path.insert(0, str(BENCHMARKS))
    from generate import generate
    generate(tmp_path / "solution", functions=8, files=60, fmt="yaml")
    monkeypatch.setattr(progress_module, "_progress", Progress(delay=0.0))
    assert run_cli("migrate", "--dry-run", tmp_path / "solution", stderr=stderr).code == 0
    return stderr.getvalue()


def test_migrate_shows_progress_on_a_terminal_and_erases_it_before_its_summary(monkeypatch, tmp_path):
    written = migrate_dry_run(monkeypatch, tmp_path, Terminal())
    assert "lambda-split: reading the C# of " in written
    summary = written.rsplit("\r", 1)[-1]
    assert summary.startswith("Split ") and "lambda-split: reading" not in summary


def test_migrate_in_a_pipe_writes_no_progress(monkeypatch, tmp_path):
    written = migrate_dry_run(monkeypatch, tmp_path, io.StringIO())
    assert "\r" not in written and "lambda-split: reading" not in written and written.startswith("Split ")


def test_check_shows_its_stages_on_a_terminal_and_erases_them_before_its_report(monkeypatch, tmp_path):
    sys.path.insert(0, str(BENCHMARKS))
    from generate import generate
    generate(tmp_path / "solution", functions=8, files=40, fmt="json")
    monkeypatch.setattr(progress_module, "_progress", Progress(delay=0.0))
    out, err = Terminal(), Terminal()
    assert run_cli("check", tmp_path / "solution", stdout=out, stderr=err).code == 1
    assert "lambda-split: scanning folders 1" in err.getvalue()
    assert "lambda-split: reading templates 1/1" in err.getvalue()
    assert err.getvalue().endswith("\r") and "\r" not in out.getvalue()
