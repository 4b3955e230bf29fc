"""Time `check` and `migrate --dry-run` against the floor (one process that parses every .cs file once with
tree-sitter) on generated solutions, and print the table the README's Performance section records.

Every command runs as its own process, process start included; each time is the best of --repeat runs, taken in
turn (floor, check, migrate, floor, ...) so that all three see the same machine. Peak memory is the child's
maximum resident set size. Two shapes: the monorepo (issue 7: many projects, one in eight mixed) and the project
(issue 14: one mixed project holding every C# file, F functions in one template). For each solution a separate
in-process run (benchmarks/phases.py) says where each command's time goes. Exit 1 when a target is missed. Usage:

    python benchmarks/run.py [--shapes monorepo project] [--functions 400] [--files 2000 8000]
                             [--project-sizes 400:2000 800:8000] [--formats json yaml] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from generate import generate  # noqa: E402

FLOOR = """
import os, sys
import tree_sitter, tree_sitter_c_sharp
parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_c_sharp.language()))
for folder, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if d not in ("bin", "obj") and not d.startswith(".")]
    for name in files:
        if name.endswith(".cs"):
            with open(os.path.join(folder, name), "rb") as source:
                parser.parse(source.read())
"""
COMMANDS = {                     # name: (arguments after `python`, expected exit code)
    "floor": (["-c", FLOOR], 0),
    "check": (["-m", "splitter", "check"], 1),
    "migrate --dry-run": (["-m", "splitter", "migrate", "--dry-run"], 0),
}
RATIO_LIMIT = 1.5                # each command, against the floor on the same solution
GROWTH_LIMIT = 4.5               # time at 4x the files, against the time at 1x
MEMORY_LIMIT_MB = 300
# issue 14, the project shape: (x floor at the first size, x floor at the others), per command; peak RSS
PROJECT_RATIO_LIMITS = {"check": (0.5, 0.5), "migrate --dry-run": (1.0, 1.2)}
PROJECT_MEMORY_LIMIT_MB = 150


@dataclass
class Measure:
    seconds: list[float] = field(default_factory=list)
    peak_mb: float = 0.0

    @property
    def best(self) -> float:
        return min(self.seconds)


def run_once(arguments: list[str], folder: Path, expected: int) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one `python ARGUMENTS FOLDER`, output discarded."""
    env = bench_env()
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, *arguments, str(folder)], cwd=REPO, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    errors = child.stderr.read().decode(errors="replace")     # before waiting: a full pipe would block the child
    child.stderr.close()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != expected:
        raise SystemExit(f"{' '.join(arguments[:3])} {folder} exited {child.returncode}, expected {expected}:\n"
                         f"{errors[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


PYCACHE = Path(tempfile.gettempdir()) / "lambda-split-bench-pycache"


def bench_env() -> dict[str, str]:
    """The children's environment: bytecode compiled once into a cache outside the checkout, as an installed
    package has it (pip compiles on install); without it every run would compile splitter/ from source."""
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONPYCACHEPREFIX=str(PYCACHE))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("LAMBDA_SPLIT_DEBUG", None)
    return env


def compile_bytecode() -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "splitter")], env=bench_env(),
                   check=True, stdout=subprocess.DEVNULL)


def measure(folder: Path, repeat: int) -> dict[str, Measure]:
    results = {name: Measure() for name in COMMANDS}
    for _ in range(repeat):
        for name, (arguments, expected) in COMMANDS.items():
            seconds, peak = run_once(arguments, folder, expected)
            results[name].seconds.append(seconds)
            results[name].peak_mb = max(results[name].peak_mb, peak)
    return results


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", nargs="+", choices=("monorepo", "project"), default=["monorepo", "project"])
    parser.add_argument("--functions", type=int, default=400)
    parser.add_argument("--files", type=int, nargs="+", default=[2000, 8000],
                        help="C# file counts of the monorepo shape; the first is the base of the growth check")
    parser.add_argument("--project-sizes", nargs="+", default=["400:2000", "800:8000"],
                        help="FUNCTIONS:FILES of the project shape; the first is the base of the growth check")
    parser.add_argument("--formats", nargs="+", choices=("json", "yaml"), default=["json", "yaml"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate into (and leave, and reuse) this folder instead of a "
                                                  "temporary one")
    args = parser.parse_args(argv)
    compile_bytecode()
    print(f"machine: {machine()}")
    print(f"best of {args.repeat}; wall time includes process start\n")
    ok = True
    with tempfile.TemporaryDirectory(prefix="lambda-split-bench-") as temp:
        base = args.keep or Path(temp)
        if "monorepo" in args.shapes:
            print(f"monorepo shape, {args.functions} functions\n")
            table: dict[tuple[str, int], dict[str, Measure]] = {}
            for fmt in args.formats:
                for files in args.files:
                    folder = base / f"{fmt}-{args.functions}-functions-{files}-files"
                    if not folder.exists():                  # --keep reuses what an earlier run generated
                        generate(folder, args.functions, files, fmt)
                    table[(fmt, files)] = measure(folder, args.repeat)
                    print_rows(fmt, files, table[(fmt, files)], header=len(table) == 1)
                    print_phases(folder)
            ok = print_verdict(table, args.files) and ok
        if "project" in args.shapes:
            sizes = [tuple(int(n) for n in size.split(":")) for size in args.project_sizes]
            fmt = args.formats[0]
            print(f"\nproject shape: one mixed project, every C# file in it, one {fmt} template\n")
            project_table: dict[tuple[int, int], dict[str, Measure]] = {}
            for functions, files in sizes:
                folder = base / f"project-{fmt}-{functions}-functions-{files}-files"
                if not folder.exists():
                    generate(folder, functions, files, fmt, shape="project")
                project_table[(functions, files)] = measure(folder, args.repeat)
                print_rows(f"project, {functions} functions", files, project_table[(functions, files)],
                           header=len(project_table) == 1)
                print_phases(folder)
            ok = print_project_verdict(project_table, sizes) and ok
    print("all targets met" if ok else "some targets missed")
    return 0 if ok else 1


def print_phases(folder: Path) -> None:
    """One in-process run per command with timers around each phase (benchmarks/phases.py)."""
    env = bench_env()
    for command in ("check", "migrate"):
        done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "phases.py"), command, str(folder)],
                              cwd=REPO, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"  phases of {command}: failed: {done.stderr[-500:]}")
            continue
        phases = json.loads(done.stdout)
        print(f"  where {command} spends its time: " + ", ".join(f"{name} {seconds:.2f} s"
                                                                for name, seconds in phases.items()), flush=True)


def print_project_verdict(table: dict[tuple[int, int], dict[str, Measure]], sizes: list[tuple[int, int]]) -> bool:
    ok = True
    print()
    for (functions, files), results in table.items():
        floor = results["floor"].best
        for name, limits in PROJECT_RATIO_LIMITS.items():
            limit = limits[0] if (functions, files) == sizes[0] else limits[1]
            ratio = results[name].best / floor
            if ratio > limit:
                print(f"OVER: {name} takes {ratio:.2f}x the floor on the project shape, {functions} functions, "
                      f"{files} files (target {limit}x)")
                ok = False
            if files >= 8000 and results[name].peak_mb > PROJECT_MEMORY_LIMIT_MB:
                print(f"OVER: {name} peaks at {results[name].peak_mb:.0f} MB on the project shape, {files} files "
                      f"(target {PROJECT_MEMORY_LIMIT_MB} MB)")
                ok = False
    first = sizes[0]
    for size in sizes[1:]:
        if first not in table or size not in table:
            continue
        growth = {name: table[size][name].best / table[first][name].best for name in COMMANDS}
        limit = GROWTH_LIMIT * size[1] / (4 * first[1])
        print(f"growth project {first[1]} -> {size[1]} files: " +
              ", ".join(f"{name} {value:.2f}x" for name, value in growth.items()) + f" (target <= {limit:.2f}x)")
        for name in ("check", "migrate --dry-run"):
            if growth[name] > limit:
                print(f"OVER: {name} grows {growth[name]:.2f}x from {first[1]} to {size[1]} files on the project shape")
                ok = False
    return ok


def print_rows(fmt: str, files: int, results: dict[str, Measure], header: bool) -> None:
    if header:
        print("| solution | command | best | x floor | peak RSS |")
        print("|---|---|---:|---:|---:|")
    floor = results["floor"].best
    for name, result in results.items():
        print(f"| {fmt}, {files} files | {name} | {result.best:.2f} s | {result.best / floor:.2f} | "
              f"{result.peak_mb:.0f} MB |", flush=True)


def print_verdict(table: dict[tuple[str, int], dict[str, Measure]], sizes: list[int]) -> bool:
    ok = True
    print()
    for (fmt, files), results in table.items():
        floor = results["floor"].best
        for name in ("check", "migrate --dry-run"):
            ratio = results[name].best / floor
            if files == sizes[0] and ratio > RATIO_LIMIT:
                print(f"OVER: {name} takes {ratio:.2f}x the floor on {fmt}, {files} files (target {RATIO_LIMIT}x)")
                ok = False
        for name, result in results.items():
            if result.peak_mb > MEMORY_LIMIT_MB:
                print(f"OVER: {name} peaks at {result.peak_mb:.0f} MB on {fmt}, {files} files")
                ok = False
    for fmt in {fmt for fmt, _ in table}:
        for files in sizes[1:]:
            if (fmt, sizes[0]) not in table or (fmt, files) not in table:
                continue
            growth = {name: table[(fmt, files)][name].best / table[(fmt, sizes[0])][name].best for name in COMMANDS}
            limit = GROWTH_LIMIT * files / (4 * sizes[0])
            print(f"growth {fmt} {sizes[0]} -> {files} files: " +
                  ", ".join(f"{name} {value:.2f}x" for name, value in growth.items()) + f" (target <= {limit:.2f}x)")
            for name in ("check", "migrate --dry-run"):
                if growth[name] > limit:
                    print(f"OVER: {name} grows {growth[name]:.2f}x from {sizes[0]} to {files} files")
                    ok = False
    return ok


if __name__ == "__main__":
    sys.exit(main())
